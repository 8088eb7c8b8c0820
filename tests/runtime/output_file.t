run: sh output_file.sh
exact: yes
