args: -c 'bash ./tcp_refused.sh' ../../lang-examples/tcpstates.ebq
