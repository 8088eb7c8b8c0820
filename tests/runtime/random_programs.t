run: sh random_programs.sh
