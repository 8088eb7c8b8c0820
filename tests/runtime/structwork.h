/* structwork.h - the types structwork.c passes to its functions; the
 * runtime tests #include this very file, so script and program agree. */
#define STRUCTWORK_NAME_LEN 10
#define STRUCTWORK_MAGIC 0x5eed

struct point {
	short x;
	int y;
};

struct node {
	long value;
	struct node *next;
};

enum color { RED, GREEN = 5, BLUE };

typedef unsigned int flags_t;

struct request {
	int id;
	char name[STRUCTWORK_NAME_LEN];
	flags_t kind : 3;
	int level : 5;
	unsigned char small;
	struct point at;
	struct point path[3];
	long *counter;
	struct node *list;
	union {
		int i;
		char c[4];
	} u;
	struct {
		unsigned short port;
		enum color color;
	};
	const char *label;
	signed char tiny;
	unsigned long long big;
};
