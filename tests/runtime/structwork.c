/* structwork.c - a workload for C types in user memory: it hands a struct
 * with every kind of member (nested structs, an array of them, bit-fields,
 * a union, an anonymous struct, pointers to a list and to a string, char
 * arrays, narrow and wide integers) to a function a uprobe reads, with
 * values known to the tests. */
#include <string.h>

#include "structwork.h"

__attribute__((noinline)) int handle(struct request *r)
{
	__asm__ volatile("" :: "r"(r) : "memory");
	return r->id;
}

__attribute__((noinline)) long walk(struct node *n, int count)
{
	__asm__ volatile("" :: "r"(n), "r"(count) : "memory");
	return count;
}

int main(void)
{
	static char label[16]; /* written here, so its page is in memory for the probe */
	static long counter = 4242;
	static struct node third = {30, 0}, second = {20, &third}, first = {10, &second};
	struct request r;
	memset(&r, 0, sizeof(r));
	r.id = 7;
	strcpy(r.name, "hello");
	r.kind = 5;
	r.level = -3;
	r.small = 200;
	r.at.x = -2;
	r.at.y = 100000;
	for (int i = 0; i < 3; i++) {
		r.path[i].x = (short)(i + 1);
		r.path[i].y = (i + 1) * 10;
	}
	r.counter = &counter;
	r.list = &first;
	r.u.i = 0x41424344;
	r.port = 8080;
	r.color = BLUE;
	strcpy(label, "a label");
	r.label = label;
	r.tiny = -100;
	r.big = 0xfedcba9876543210ull;
	handle(&r);
	memcpy(r.name, "0123456789", STRUCTWORK_NAME_LEN); /* no NUL within the array */
	handle(&r);
	walk(&first, 3);
	return 0;
}
