/* ast.c - AST nodes and the -d ast printer; see ast.h.
 *
 * The printed form is one node per line, `kind details @LINE:COL`, children
 * indented by two spaces in field order (a, b, c, then the list).  Two
 * children get a label line so they are not mistaken for statements: a
 * probe's `filter` and an if's `else`.  A cast shows its type on its own
 * line, `cast (struct task_struct *)`, so its only child is the operand. */
#include <string.h>

#include "ast.h"

#include "types.h"

struct ast *ast_new(struct arena *a, enum ast_kind kind, eq_loc loc)
{
	struct ast *n = ARENA_NEW(a, struct ast);
	n->kind = kind;
	n->loc = loc;
	n->sema_id = -1;
	return n;
}

void ast_append(struct arena *a, struct ast *parent, struct ast *child)
{
	ARENA_PUSH(a, parent->list, child);
}

/* ast_visit for a node that is there: the children that are not are
 * skipped here, not by a call each (most nodes have two or three of their
 * three empty, and the walk visits every node of a long probe). */
static void visit(const struct ast *node, bool (*fn)(const struct ast *node, void *arg), void *arg)
{
	if (!fn(node, arg))
		return;
	if (node->a)
		visit(node->a, fn, arg);
	if (node->b)
		visit(node->b, fn, arg);
	if (node->c)
		visit(node->c, fn, arg);
	for (int i = 0; i < node->list.count; i++)
		if (node->list.items[i])
			visit(node->list.items[i], fn, arg);
}

void ast_visit(const struct ast *node, bool (*fn)(const struct ast *node, void *arg), void *arg)
{
	if (node)
		visit(node, fn, arg);
}

const char *ast_op_text(enum ast_op op)
{
	static const char *const text[] = {
		[OP_NONE] = "=", [OP_LOR] = "||", [OP_LAND] = "&&", [OP_BOR] = "|",
		[OP_BXOR] = "^", [OP_BAND] = "&", [OP_EQ] = "==", [OP_NE] = "!=",
		[OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=",
		[OP_SHL] = "<<", [OP_SHR] = ">>", [OP_ADD] = "+", [OP_SUB] = "-",
		[OP_MUL] = "*", [OP_DIV] = "/", [OP_MOD] = "%", [OP_NEG] = "-",
		[OP_PLUS] = "+", [OP_NOT] = "!", [OP_BNOT] = "~", [OP_DEREF] = "*",
		[OP_ADDROF] = "&", [OP_PREINC] = "++", [OP_PREDEC] = "--", [OP_POSTINC] = "++",
		[OP_POSTDEC] = "--", [OP_ARROW] = "->", [OP_DOT] = ".",
	};
	return op <= OP_DOT ? text[op] : "?";
}

const char *ast_kind_name(enum ast_kind kind)
{
	static const char *const names[] = {
		[AST_PROGRAM] = "program", [AST_PROBE] = "probe", [AST_SPEC] = "spec",
		[AST_BLOCK] = "block", [AST_EXPR_STMT] = "expr", [AST_ASSIGN] = "assign",
		[AST_IF] = "if", [AST_WHILE] = "while", [AST_UNROLL] = "unroll", [AST_FOR] = "for",
		[AST_RANGE] = "range",
		[AST_BREAK] = "break", [AST_CONTINUE] = "continue", [AST_RETURN] = "return",
		[AST_INT] = "int", [AST_STR] = "str", [AST_BUILTIN] = "builtin", [AST_VAR] = "var",
		[AST_POSITIONAL] = "positional", [AST_MAP] = "map", [AST_CALL] = "call",
		[AST_BINARY] = "binary", [AST_UNARY] = "unary", [AST_INCDEC] = "incdec",
		[AST_TERNARY] = "ternary", [AST_FIELD] = "field", [AST_INDEX] = "index",
		[AST_CAST] = "cast", [AST_TYPE] = "type", [AST_TUPLE] = "tuple",
		[AST_RECORD] = "record", [AST_ENUM] = "enum", [AST_ENUMERATOR] = "enumerator",
		[AST_DECL] = "decl", [AST_TYPEDEF] = "typedef", [AST_INCLUDE] = "include",
	};
	return kind <= AST_INCLUDE ? names[kind] : "?";
}

static void print_escaped(FILE *out, const char *s, int len)
{
	fputc('"', out);
	for (int i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			if (c < 0x20 || c >= 0x7f)
				fprintf(out, "\\x%02x", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

/* `u32`, `struct task_struct *`, `char **`: the type as a user writes it. */
static void print_type(FILE *out, const struct ast *type)
{
	if (!type) {
		fputc('?', out);
		return;
	}
	fputs(type->name, out);
	for (int64_t i = 0; i < type->ival; i++)
		fputs(i ? "*" : " *", out);
}

/* The node's own line: kind, then what distinguishes it. */
static void print_details(FILE *out, const struct ast *n)
{
	fputs(ast_kind_name(n->kind), out);
	switch (n->kind) {
	case AST_SPEC:
		fputc(' ', out);
		print_escaped(out, n->name, (int)strlen(n->name));
		break;
	case AST_INT:
		fprintf(out, " %llu", (unsigned long long)n->ival);
		break;
	case AST_STR:
		fputc(' ', out);
		print_escaped(out, n->str, n->str_len);
		break;
	case AST_BUILTIN: case AST_VAR: case AST_MAP: case AST_CALL:
		fprintf(out, " %s", n->name);
		break;
	case AST_POSITIONAL:
		if (n->name)
			fprintf(out, " %s", n->name);
		else
			fprintf(out, " $%lld", (long long)n->ival);
		break;
	case AST_ASSIGN:
		fprintf(out, " %s%s", n->op == OP_NONE ? "" : ast_op_text(n->op), "=");
		break;
	case AST_BINARY: case AST_UNARY:
		fprintf(out, " %s", ast_op_text(n->op));
		break;
	case AST_INCDEC:
		fprintf(out, " %s%s", ast_op_text(n->op),
			n->op == OP_PREINC || n->op == OP_PREDEC ? " (prefix)" : " (postfix)");
		break;
	case AST_FIELD:
		fprintf(out, " %s%s", ast_op_text(n->op), n->name);
		break;
	case AST_TYPE:
		fputc(' ', out);
		print_type(out, n);
		break;
	case AST_CAST:
		fputs(" (", out);
		print_type(out, n->b);
		fputc(')', out);
		break;
	case AST_RECORD: case AST_ENUM:
		fprintf(out, " %s", n->name ? n->name : n->kind == AST_ENUM ? "enum (anonymous)"
			: n->ival & RECORD_UNION ? "union (anonymous)" : "struct (anonymous)");
		if (n->kind == AST_RECORD && !(n->ival & RECORD_BODY))
			fputs(" (declared)", out);
		break;
	case AST_ENUMERATOR: case AST_DECL:
		fprintf(out, " %s", n->name ? n->name : "(anonymous)");
		break;
	case AST_INCLUDE:
		fprintf(out, n->op == OP_LT ? " <%s>" : " \"%s\"", n->str);
		break;
	default:
		break;
	}
	fprintf(out, " @%d:%d", n->loc.line, n->loc.col);
	if (n->type && n->kind != AST_TYPE && n->type->kind != TY_NONE) { /* after sema */
		fputs(" : ", out);
		ty_print(out, n->type);
	}
	fputc('\n', out);
}

static void print_node(FILE *out, const struct ast *n, int depth)
{
	if (!n)
		return;
	fprintf(out, "%*s", 2 * depth, "");
	print_details(out, n);
	/* a probe's filter is labelled, so it is not mistaken for a statement */
	if (n->kind == AST_PROBE) {
		for (int i = 0; i < n->list.count; i++)
			print_node(out, n->list.items[i], depth + 1);
		if (n->a) {
			fprintf(out, "%*sfilter\n", 2 * depth + 2, "");
			print_node(out, n->a, depth + 2);
		}
		print_node(out, n->b, depth + 1);
		return;
	}
	if (n->kind == AST_CAST) { /* the type is on the cast's own line */
		print_node(out, n->a, depth + 1);
		return;
	}
	if (n->kind == AST_IF && n->c) {
		print_node(out, n->a, depth + 1);
		print_node(out, n->b, depth + 1);
		fprintf(out, "%*selse\n", 2 * depth + 2, "");
		print_node(out, n->c, depth + 2);
		return;
	}
	print_node(out, n->a, depth + 1);
	print_node(out, n->b, depth + 1);
	print_node(out, n->c, depth + 1);
	for (int i = 0; i < n->list.count; i++)
		print_node(out, n->list.items[i], depth + 1);
}

void ast_print(FILE *out, const struct ast *node)
{
	print_node(out, node, 0);
}
