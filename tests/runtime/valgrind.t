run: sh valgrind.sh
