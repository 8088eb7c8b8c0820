run: sh two_instances.sh
