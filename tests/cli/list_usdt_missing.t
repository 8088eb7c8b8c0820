args: -l 'usdt:/no/such/binary:*'
status: 1
