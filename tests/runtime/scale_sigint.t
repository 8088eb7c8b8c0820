run: sh scale_sigint.sh
