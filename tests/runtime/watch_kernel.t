run: sh watch_kernel.sh
