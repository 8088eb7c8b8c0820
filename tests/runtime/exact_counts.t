run: sh exact_counts.sh
