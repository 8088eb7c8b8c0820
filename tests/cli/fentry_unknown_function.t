args: -e 'fentry:no_such_kernel_function { exit() }'
status: 2
