run: sh signals.sh
