run: sh storm.sh
