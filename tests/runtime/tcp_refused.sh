# tcp_refused.sh - one TCP connection to 127.0.0.1:1, refused: its socket
# goes SYN_SENT and then CLOSE (tracepoint sock:inet_sock_set_state)
exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' 2>/dev/null
