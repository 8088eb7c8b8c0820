run: sh tracepoint_raw_sigint.sh
