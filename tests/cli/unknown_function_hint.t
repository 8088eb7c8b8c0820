args: -e 'BEGIN { printff("hi"); }'
status: 2
