run: sh uprobe_other_mount_ns.sh
exact: yes
