/* ast.h - the syntax tree: one node struct with a kind tag.
 *
 * The parser (parse.y) builds it, sema.c annotates it with types, lower.c
 * turns it into IR.  `ebpfq -d ast` prints it with ast_print(); the printed
 * form is what tests/front/ goldens hold.
 *
 * Children are stored by role in a/b/c/d, and lists (probes of a program,
 * statements of a block, arguments of a call, keys of a map) in `list`.
 * The table below says which field means what for every kind.
 */
#ifndef EBPFQ_AST_H
#define EBPFQ_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"

enum ast_kind {
	/*                 fields used                                          */
	AST_PROGRAM,    /* list: probes; a: BLOCK of the C definitions and #includes,
	                   in order (RECORD, ENUM, TYPEDEF, INCLUDE), or NULL   */
	AST_PROBE,      /* list: specs (AST_SPEC); a: filter or NULL; b: body   */
	AST_SPEC,       /* name: the spec text as written, e.g. "kprobe:sys_clone" */
	AST_BLOCK,      /* list: statements                                     */
	AST_EXPR_STMT,  /* a: expression                                        */
	AST_ASSIGN,     /* op: OP_NONE for `=`, else the compound operator
	                   (OP_ADD for +=, ...); a: lvalue (VAR or MAP); b: value */
	AST_IF,         /* a: condition; b: then-block; c: else (BLOCK, IF, NULL) */
	AST_WHILE,      /* a: condition; b: body                                */
	AST_UNROLL,     /* a: count expression; b: body                         */
	AST_FOR,        /* a: the variable (VAR); b: a MAP or a RANGE; c: body   */
	AST_RANGE,      /* a..b: a: first; b: end (excluded)                    */
	AST_BREAK,
	AST_CONTINUE,
	AST_RETURN,
	AST_INT,        /* ival (value as written; always >= 0, `-` is a UNARY) */
	AST_STR,        /* str, str_len: the decoded bytes (escapes resolved)   */
	AST_BUILTIN,    /* name: pid, comm, arg0, args, ... (any bare identifier) */
	AST_VAR,        /* name: "$x" (with the $)                              */
	AST_POSITIONAL, /* ival: N for $N; ival 0 with name "$#" for the count  */
	AST_MAP,        /* name: "@m" or "@"; list: keys (empty: no [ ])        */
	AST_CALL,       /* name: function; list: arguments                      */
	AST_BINARY,     /* op; a: left; b: right                                */
	AST_UNARY,      /* op: OP_NEG OP_PLUS OP_NOT OP_BNOT OP_DEREF OP_ADDROF; a */
	AST_INCDEC,     /* op: OP_PREINC OP_PREDEC OP_POSTINC OP_POSTDEC; a: lvalue */
	AST_TERNARY,    /* a: condition; b: then; c: else                       */
	AST_FIELD,      /* a: object; name: field; op: OP_ARROW (->) or OP_DOT (.) */
	AST_INDEX,      /* a: object; b: index (array/pointer subscript)        */
	AST_CAST,       /* a: operand; b: AST_TYPE                              */
	AST_TUPLE,      /* list: the elements (two or more)                     */
	AST_TYPE,       /* name: "u32", "unsigned long", "struct task_struct", a
	                   typedef's name; ival: pointer depth; a: the RECORD or
	                   ENUM it defines in place (struct { ... } x;), or NULL */
	AST_RECORD,     /* struct/union definition; name: "struct foo", NULL when
	                   anonymous; ival: RECORD_UNION | RECORD_BODY bits;
	                   list: members (DECL)                                  */
	AST_ENUM,       /* enum definition; name: "enum foo" or NULL; list: ENUMERATOR */
	AST_ENUMERATOR, /* name; a: value expression, or NULL (previous + 1)    */
	AST_DECL,       /* a declared name; name: NULL for an anonymous member;
	                   a: TYPE (with the declarator's pointers); list: array
	                   dimensions (expressions); b: bit-field width or NULL;
	                   op: OP_DEREF for a function pointer                   */
	AST_TYPEDEF,    /* a: DECL naming the type                              */
	AST_INCLUDE,    /* str: the path; op: OP_LT for <path>, OP_NONE for "path" */
};

enum { RECORD_UNION = 1, RECORD_BODY = 2 }; /* AST_RECORD's ival */

enum ast_op {
	OP_NONE,
	/* binary, C precedence from loosest: */
	OP_LOR, OP_LAND,             /* || && */
	OP_BOR, OP_BXOR, OP_BAND,    /* | ^ & */
	OP_EQ, OP_NE,                /* == != */
	OP_LT, OP_LE, OP_GT, OP_GE,  /* < <= > >= */
	OP_SHL, OP_SHR,              /* << >> */
	OP_ADD, OP_SUB,              /* + - */
	OP_MUL, OP_DIV, OP_MOD,      /* * / % */
	/* unary */
	OP_NEG, OP_PLUS, OP_NOT, OP_BNOT, OP_DEREF, OP_ADDROF,
	/* increment / decrement */
	OP_PREINC, OP_PREDEC, OP_POSTINC, OP_POSTDEC,
	/* field access */
	OP_ARROW, OP_DOT,
};

struct eq_type; /* types.h */
struct ty_field;

/* 112 bytes, in this order (the 4-byte fields together): a long probe
 * has 16 nodes a statement, and they are a third of what its compile
 * touches (bench/compiletime.sh). */
struct ast {
	enum ast_kind kind;
	enum ast_op op;
	eq_loc loc;
	int str_len;
	int sema_id; /* filled by sema.c: variable / map / output index, per kind */
	const char *name;
	int64_t ival;
	char *str;
	struct ast *a, *b, *c;
	struct {
		struct ast **items;
		int count, cap;
	} list;

	/* Filled by sema.c. */
	const struct eq_type *type;
	const struct ty_field *field; /* AST_FIELD of a struct: the member */
};

struct ast *ast_new(struct arena *a, enum ast_kind kind, eq_loc loc);
void ast_append(struct arena *a, struct ast *parent, struct ast *child);
/* Call fn on node and, where it returns true, on node's children (a, b, c,
 * then the list), depth first: the walks that look for a kind of node. */
void ast_visit(const struct ast *node, bool (*fn)(const struct ast *node, void *arg), void *arg);

/* Print the tree in the -d ast form, one node per line, indented by depth:
 *     probe @1:1
 *       spec "kprobe:sys_clone" @1:7
 *       block @1:24
 *         call print @1:26
 *           str "Hello World!" @1:32
 * Strings are printed with C escapes; `@L:C` is the node's location. */
void ast_print(FILE *out, const struct ast *node);
const char *ast_op_text(enum ast_op op); /* "+", "&&", "++" ... */
const char *ast_kind_name(enum ast_kind kind);

#endif
