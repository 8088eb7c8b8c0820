run: sh ./example_during.sh bashreadline bash
