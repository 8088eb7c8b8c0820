args: -q -e 'BEGIN { @b = (comm == (0 ? comm : comm)); @c = (comm == (pid ? (0 ? "x" : comm) : "y")); if (comm == (0 ? comm : "a")) { @d = 1; } exit(); }'
