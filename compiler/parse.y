/* parse.y - the ebq grammar (LANGUAGE.md §1-2): a pure bison parser with
 * locations, building the AST of ast.h.
 *
 * Error recovery happens at statement level (skip to the next `;` or end of
 * line, or to the block's end) and at probe level (skip to the next action),
 * so one run reports several errors.  Syntax errors are worded with what the
 * user typed (see yyreport_syntax_error).  LAC (lookahead correction) makes
 * the parser notice an error before any default reduction: the statement in
 * error is still on the stack, so statement-level recovery applies, and the
 * "expecting" list is exact.
 *
 * Locations: a node's loc is the token that names it: its first token for
 * statements, literals, names, calls, prefix operators and casts; the
 * operator for binary, ternary (`?`), postfix `++`/`--` and subscript
 * (`[`); the field name for `a->b`.  Diagnostics underline that token.
 */
%define api.pure full
%define api.location.type {eq_loc}
%define parse.error custom
%define parse.lac full
%locations
%param {struct front *F}
%expect 2 /* `@m [` is a map key, never a subscript of @m's value: shift (in two states: an expression, and the start of for's range) */

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* Deepest nesting of blocks, parentheses and brackets the lexer accepts,
 * and deepest syntax tree the parser hands on (a long chain of operators
 * nests without parentheses): later passes recurse over the tree. */
enum { FRONT_MAX_NEST = 500, FRONT_MAX_DEPTH = 2000 };

/* A #define: NAME and the tokens of its value, which the lexer hands on
 * in its place wherever NAME appears in a probe. */
enum { FRONT_MAX_DEFINE_TOKENS = 16, FRONT_EXPAND_DEPTH = 8 };
struct front_define {
	const char *name;
	int ntokens;
	struct {
		int kind;           /* NUMBER, STRING, IDENT or an operator character */
		int64_t num;
		const char *text;   /* IDENT, STRING */
		int len;
	} tokens[FRONT_MAX_DEFINE_TOKENS];
};

/* One open block in the lexer: `{` or `<`, and how many ( [ are open in it. */
struct lex_block {
	char kind;
	int parens;
	eq_loc open;
};

/* The front end's context: parser and lexer share it (no globals). */
struct front {
	const struct eq_source *src;
	struct arena *arena;
	struct eq_diag *diag;
	void *scanner;
	struct ast *program;
	/* lexer position */
	size_t offset;
	int line, col;
	/* lexer context: which `>` closes a block, which `/` ends a filter,
	 * which newline ends a statement */
	struct lex_block blocks[FRONT_MAX_NEST + 1];
	int nblocks;
	int filter_parens;
	eq_loc filter_open; /* the '/' that opened the filter being read */
	int cdecl_depth;    /* braces open in a C definition (struct x { ... };) */
	bool cdecl_typedef; /* the definition is a typedef: a declarator follows its body */
	bool in_cdecl;      /* the lexer is in a C definition */
	/* names a script's typedefs made type names, and its #defines */
	struct {
		const char **items;
		int count, cap;
	} typedefs;
	struct {
		struct front_define *items;
		int count, cap;
	} defines;
	/* the #defines whose tokens are being handed on: a value may name
	 * another #define (AF_INET is PF_INET is 2), never one being expanded */
	struct {
		const struct front_define *define;
		int next;
	} expanding[FRONT_EXPAND_DEPTH];
	int nexpanding;
	eq_loc expand_loc;  /* the name's place: every token of its value has it */
	int garbage_line;   /* the last line with an invalid byte reported */
	int last_token;
	bool at_line_start;
	bool token_at_line_start; /* the current token is the first on its line */
	bool stop;          /* a fatal error: the lexer returns end of input */
	bool eof;           /* flex has reached the end of input */
	bool quiet_syntax;  /* the lexer reported this error already */
	char last_text[48]; /* the last token as written, for messages */
};

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                           \
	do {                                                                  \
		if (N)                                                        \
			(Cur) = YYRHSLOC(Rhs, 1);                             \
		else                                                          \
			(Cur) = YYRHSLOC(Rhs, 0);                             \
	} while (0)
}

%code provides {
int front_lex(YYSTYPE *lval, YYLTYPE *lloc, struct front *F);
/* A typedef's name is a type name from here on (lex.l). */
void front_add_typedef(struct front *F, const char *name);
/* An error at the first node deeper than FRONT_MAX_DEPTH, if any. */
void front_check_depth(struct front *F, struct ast *root);
}

%code {
#include <stdlib.h>
#include <string.h>

#define yylex front_lex /* lex.l: flex's scanner behind the lexer context */

static struct ast *node(struct front *F, enum ast_kind kind, eq_loc loc)
{
	return ast_new(F->arena, kind, loc);
}

static struct ast *binary(struct front *F, enum ast_op op, struct ast *a, struct ast *b, eq_loc loc)
{
	struct ast *n = node(F, AST_BINARY, loc);
	n->op = op, n->a = a, n->b = b;
	return n;
}

static struct ast *unary(struct front *F, enum ast_op op, struct ast *a, eq_loc loc)
{
	struct ast *n = node(F, AST_UNARY, loc);
	n->op = op, n->a = a;
	return n;
}

/* lvalue = value / lvalue op= value: only $variables and @maps are
 * assignable.  A bare name (`pid = 1`) is let through: sema knows it is a
 * builtin and says so, which is a better message than this one. */
static struct ast *assign(struct front *F, enum ast_op op, struct ast *lhs, struct ast *rhs, eq_loc loc)
{
	if (lhs->kind != AST_VAR && lhs->kind != AST_MAP && lhs->kind != AST_BUILTIN)
		diag_error(F->diag, lhs->loc, "only a $variable or an @map can be assigned");
	struct ast *n = node(F, AST_ASSIGN, lhs->loc);
	(void)loc;
	n->op = op, n->a = lhs, n->b = rhs;
	return n;
}

/* A C definition or #include, in the program's list of them. */
static void add_definition(struct front *F, struct ast *program, struct ast *def)
{
	if (!program->a)
		program->a = node(F, AST_BLOCK, def->loc);
	ast_append(F->arena, program->a, def);
}

/* `struct NAME` (union, enum) as a type. */
static struct ast *named_type(struct front *F, const char *kind, const char *name, eq_loc loc)
{
	struct ast *t = node(F, AST_TYPE, loc);
	t->name = arena_printf(F->arena, "%s %s", kind, name);
	return t;
}

/* `struct [NAME] { ... }` as a type: the definition hangs off the type. */
static struct ast *record_type(struct front *F, int flags, const char *name, struct ast *members,
			       eq_loc loc)
{
	const char *kind = flags & RECORD_UNION ? "union" : "struct";
	struct ast *def = node(F, AST_RECORD, loc);
	def->name = name ? arena_printf(F->arena, "%s %s", kind, name) : NULL;
	def->ival = flags | RECORD_BODY;
	def->list = members->list;
	struct ast *t = node(F, AST_TYPE, loc);
	t->name = def->name ? def->name : kind;
	t->a = def;
	return t;
}

static struct ast *enum_type(struct front *F, const char *name, struct ast *values, eq_loc loc)
{
	struct ast *def = node(F, AST_ENUM, loc);
	def->name = name ? arena_printf(F->arena, "enum %s", name) : NULL;
	def->list = values->list;
	struct ast *t = node(F, AST_TYPE, loc);
	t->name = def->name ? def->name : "enum";
	t->a = def;
	return t;
}

/* A declarator gets its own copy of the base type, with its pointers. */
static struct ast *declare(struct front *F, struct ast *base, struct ast *decl)
{
	struct ast *t = node(F, AST_TYPE, base->loc);
	*t = *base;
	t->ival += decl->ival;
	decl->ival = 0;
	decl->a = t;
	return decl;
}

#define TOO_DEEP "expression too deep: split it into several statements with $variables"

/* With parse.error custom, bison calls this only when its stack is full
 * ("memory exhausted"): a run of thousands of prefix operators or `?:`. */
static void yyerror(YYLTYPE *loc, struct front *F, const char *msg)
{
	(void)msg;
	if (!F->stop)
		diag_error(F->diag, *loc, TOO_DEEP);
	F->stop = true;
}
}

%union {
	struct ast *node;
	char *text;
	int64_t num;
	int op;
}

%token END 0 "end of input"
%token <text> SPEC "probe spec" IDENT "identifier" VAR "$variable" MAPNAME "@map"
%token <node> STRING "string"
%token <num> NUMBER "number" POSITIONAL "$N"
%token <text> TYPE "type name"
%token POSITIONAL_COUNT "$#"
%token PROBE "probe" IF "if" ELSE "else" WHILE "while" UNROLL "unroll"
%token BREAK "break" CONTINUE "continue" RETURN "return" STRUCT "struct"
%token UNION "union" ENUM "enum" TYPEDEF "typedef" SIZEOF "sizeof" OFFSETOF "offsetof"
%token FOR "for" DOTDOT ".."
%token QUALIFIER "type qualifier"
%token <node> INCLUDE "#include"
%token NL "end of line" ANGLE_OPEN "'<'" ANGLE_CLOSE "closing '>'"
%token FILTER_OPEN "'/'" FILTER_CLOSE "closing '/'"
%token LOR "||" LAND "&&" EQ "==" NE "!=" LE "<=" GE ">=" SHL "<<" SHR ">>"
%token INC "++" DEC "--" ARROW "->"
%token <op> ASSIGN_OP "compound assignment"
%token LEX_ERROR "invalid input"

%type <node> probes probe specs spec opt_filter block action braced stmt_seq
%type <node> simple_stmt compound_stmt if_stmt opt_else expr exprs opt_exprs type
%type <text> field_name type_words opt_ident member_path
%type <node> cdef ctype definition named_ctype record_body members member declarators declarator direct_declarator
%type <node> enum_body enumerators enumerator

%right '?' ':'
%left LOR
%left LAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' '>' LE GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
%right UNARY
%left INC DEC ARROW '.' '[' '('

%%

/* program: probe* */
program: probes { F->program = $1; }
	;

/* probes: {probe | cdef | #include}* ; a probe in error is skipped up to the
 * next action */
probes: %empty { $$ = F->program = node(F, AST_PROGRAM, (eq_loc){1, 1, 1}); }
	| probes probe { $$ = $1; if ($2) ast_append(F->arena, $$, $2); }
	| probes cdef { $$ = $1; add_definition(F, $$, $2); }
	| probes INCLUDE { $$ = $1; add_definition(F, $$, $2); }
	| probes error action { $$ = $1; yyerrok; }
	;

/* ---- C definitions (LANGUAGE.md §1): struct, union, enum, typedef ---- */

/* cdef: struct NAME { members } ; | union ... | enum NAME { ... } ; |
 * typedef ctype declarator ; | struct NAME ;  A definition's ';' may be
 * left out before what follows it, as bpftrace allows. */
cdef: ctype ';' { $$ = $1->a ? $1->a : $1; }
	| quals definition { $$ = $2->a ? $2->a : $2; }
	| TYPEDEF ctype declarator ';'
		{ $$ = node(F, AST_TYPEDEF, @1); $$->a = declare(F, $2, $3);
		  if ($$->a->name) front_add_typedef(F, $$->a->name); }
	;

/* ctype: the words of a C type (unsigned long, uint8_t, a typedef's name),
 * or struct/union/enum NAME, or a definition in place; const and volatile
 * are read and mean nothing here */
ctype: quals named_ctype quals { $$ = $2; }
	| quals definition { $$ = $2; } /* no qualifier after: `}` may end a cdef */
	;

/* a struct, union or enum defined in place */
definition: STRUCT opt_ident record_body { $$ = record_type(F, 0, $2, $3, @1); }
	| UNION opt_ident record_body { $$ = record_type(F, RECORD_UNION, $2, $3, @1); }
	| ENUM opt_ident enum_body { $$ = enum_type(F, $2, $3, @1); }
	;

/* a type by its name: words, or struct/union/enum NAME */
named_ctype: type_words { $$ = node(F, AST_TYPE, @1); $$->name = $1; }
	| STRUCT IDENT { $$ = named_type(F, "struct", $2, @1); }
	| UNION IDENT { $$ = named_type(F, "union", $2, @1); }
	| ENUM IDENT { $$ = named_type(F, "enum", $2, @1); }
	;

quals: %empty | quals QUALIFIER ;

type_words: TYPE
	| type_words TYPE { $$ = arena_printf(F->arena, "%s %s", $1, $2); }
	;

opt_ident: %empty { $$ = NULL; }
	| IDENT
	;

record_body: '{' members '}' { $$ = $2; }
	;

members: %empty { $$ = node(F, AST_BLOCK, @$); }
	| members member { $$ = $1; for (int i = 0; i < $2->list.count; i++) ast_append(F->arena, $$, $2->list.items[i]); }
	| members error ';' { $$ = $1; yyerrok; }
	;

/* member: ctype declarator {, declarator} ; | ctype ; (an anonymous struct or union) */
member: ctype declarators ';'
		{ $$ = $2; for (int i = 0; i < $$->list.count; i++) $$->list.items[i] = declare(F, $1, $$->list.items[i]); }
	| ctype ';'
		{ $$ = node(F, AST_BLOCK, @1); struct ast *d = node(F, AST_DECL, @1); d->a = $1;
		  ast_append(F->arena, $$, d); }
	;

declarators: declarator { $$ = node(F, AST_BLOCK, @1); ast_append(F->arena, $$, $1); }
	| declarators ',' declarator { $$ = $1; ast_append(F->arena, $$, $3); }
	;

/* declarator: [*...] NAME [N]... [: BITS] | [*...] (*NAME)(...) ; an unnamed
 * bit-field `: BITS` pads */
declarator: direct_declarator
	| '*' quals declarator { $$ = $3; $$->ival++; }
	| direct_declarator ':' expr { $$ = $1; $$->b = $3; }
	| ':' expr { $$ = node(F, AST_DECL, @1); $$->b = $2; }
	;

direct_declarator: IDENT { $$ = node(F, AST_DECL, @1); $$->name = $1; }
	| direct_declarator '[' expr ']' { $$ = $1; ast_append(F->arena, $$, $3); }
	| direct_declarator '[' ']' { $$ = $1; struct ast *z = node(F, AST_INT, @2); ast_append(F->arena, $$, z); }
	| '(' '*' IDENT ')' '(' skipped_params ')'
		{ $$ = node(F, AST_DECL, @3); $$->name = $3; $$->ival = 1; $$->op = OP_DEREF; }
	;

/* a function pointer's parameters: read and dropped (it is a pointer) */
skipped_params: %empty
	| skipped_params TYPE
	| skipped_params STRUCT
	| skipped_params UNION
	| skipped_params ENUM
	| skipped_params QUALIFIER
	| skipped_params '*'
	| skipped_params ','
	| skipped_params IDENT
	;

enum_body: '{' enumerators '}' { $$ = $2; }
	| '{' enumerators ',' '}' { $$ = $2; }
	;

enumerators: enumerator { $$ = node(F, AST_BLOCK, @1); ast_append(F->arena, $$, $1); }
	| enumerators ',' enumerator { $$ = $1; ast_append(F->arena, $$, $3); }
	;

enumerator: IDENT { $$ = node(F, AST_ENUMERATOR, @1); $$->name = $1; }
	| IDENT '=' expr { $$ = node(F, AST_ENUMERATOR, @1); $$->name = $1; $$->a = $3; }
	;

/* probe: [probe] spec {, spec} [/filter/] action */
probe: specs opt_filter action
		{ $$ = $1; $$->a = $2; $$->b = $3; }
	| PROBE specs opt_filter action
		{ $$ = $2; $$->loc = @1; $$->a = $3; $$->b = $4; }
	;

/* specs: spec {, spec} ; the AST_PROBE is made here, its loc the first spec */
specs: spec
		{ $$ = node(F, AST_PROBE, @1); ast_append(F->arena, $$, $1); }
	| specs ',' spec { $$ = $1; ast_append(F->arena, $$, $3); }
	;

/* spec: the text as written (the lexer decides where it ends) */
spec: SPEC { $$ = node(F, AST_SPEC, @1); $$->name = $1; }
	;

/* opt_filter: [/ expr /] */
opt_filter: %empty { $$ = NULL; }
	| FILTER_OPEN expr FILTER_CLOSE { $$ = $2; }
	;

/* action: { stmts } | < stmts > */
action: braced
	| ANGLE_OPEN block ANGLE_CLOSE { $$ = $2; $$->loc = @1; }
	;

/* braced: { stmts } ; the only block form inside statements */
braced: '{' block '}' { $$ = $2; $$->loc = @1; }
	;

/* block: statements separated by ; or newlines; if/while need none.
 * An error skips to the next separator, or to the end of the block. */
block: stmt_seq { $$ = $1; }
	| stmt_seq simple_stmt { $$ = $1; ast_append(F->arena, $$, $2); }
	| stmt_seq error { $$ = $1; }
	;

/* stmt_seq: {stmt sep | compound_stmt | sep} ; empty statements are fine */
stmt_seq: %empty { $$ = node(F, AST_BLOCK, @$); }
	| stmt_seq sep { $$ = $1; }
	| stmt_seq simple_stmt sep { $$ = $1; ast_append(F->arena, $$, $2); }
	| stmt_seq compound_stmt { $$ = $1; ast_append(F->arena, $$, $2); }
	| stmt_seq error sep { $$ = $1; yyerrok; }
	/* `if (a b) { ... }`: the skipped tokens end in a block; read it, so
	 * that its own errors are found and its '}' is not mistaken for the
	 * end of the enclosing block */
	| stmt_seq error braced { $$ = $1; yyerrok; }
	;

/* sep: ; | newline (the lexer sends NL only where a statement can end) */
sep: ';' | NL ;

/* simple_stmt: expr | lvalue = expr | lvalue op= expr | return | break | continue */
simple_stmt: expr
		{ $$ = node(F, AST_EXPR_STMT, @1); $$->a = $1; }
	| expr '=' expr { $$ = assign(F, OP_NONE, $1, $3, @2); }
	| expr ASSIGN_OP expr { $$ = assign(F, (enum ast_op)$2, $1, $3, @2); }
	| RETURN { $$ = node(F, AST_RETURN, @1); }
	| BREAK { $$ = node(F, AST_BREAK, @1); }
	| CONTINUE { $$ = node(F, AST_CONTINUE, @1); }
	;

/* compound_stmt: if | while (c) { } | unroll (n) { } | for ($kv : @m) { } |
 * for ($i : a..b) { } ; no separator needed after */
compound_stmt: if_stmt
	| WHILE '(' expr ')' braced
		{ $$ = node(F, AST_WHILE, @1); $$->a = $3; $$->b = $5; }
	| UNROLL '(' expr ')' braced
		{ $$ = node(F, AST_UNROLL, @1); $$->a = $3; $$->b = $5; }
	| FOR '(' VAR ':' MAPNAME ')' braced
		{ $$ = node(F, AST_FOR, @1); $$->a = node(F, AST_VAR, @3); $$->a->name = $3;
		  $$->b = node(F, AST_MAP, @5); $$->b->name = $5; $$->c = $7; }
	| FOR '(' VAR ':' expr DOTDOT expr ')' braced
		{ $$ = node(F, AST_FOR, @1); $$->a = node(F, AST_VAR, @3); $$->a->name = $3;
		  $$->b = node(F, AST_RANGE, @6); $$->b->a = $5; $$->b->b = $7; $$->c = $9; }
	;

/* if (cond) { } [else if ... | else { }] */
if_stmt: IF '(' expr ')' braced opt_else
		{ $$ = node(F, AST_IF, @1); $$->a = $3; $$->b = $5; $$->c = $6; }
	;

/* opt_else: [else { } | else if ...] */
opt_else: %empty { $$ = NULL; }
	| ELSE braced { $$ = $2; }
	| ELSE if_stmt { $$ = $2; }
	;

/* expr: C's expressions, precedence from the %left/%right table above:
 * literals, names, @map[keys], call(args), (expr), (a, b) tuples, (type)
 * casts, postfix [i] -> . .N ++ --, prefix - + ! ~ * & ++ --, binary
 * operators, ?: */
expr: NUMBER { $$ = node(F, AST_INT, @1); $$->ival = $1; }
	| STRING { $$ = $1; }
	| IDENT { $$ = node(F, AST_BUILTIN, @1); $$->name = $1; }
	| VAR { $$ = node(F, AST_VAR, @1); $$->name = $1; }
	| POSITIONAL { $$ = node(F, AST_POSITIONAL, @1); $$->ival = $1; }
	| POSITIONAL_COUNT { $$ = node(F, AST_POSITIONAL, @1); $$->name = "$#"; }
	| MAPNAME { $$ = node(F, AST_MAP, @1); $$->name = $1; }
	| MAPNAME '[' exprs ']'
		{ $$ = $3; $$->kind = AST_MAP; $$->name = $1; $$->loc = @1; }
	| IDENT '(' opt_exprs ')'
		{ $$ = $3; $$->kind = AST_CALL; $$->name = $1; $$->loc = @1; }
	| '(' expr ')' { $$ = $2; }
	| '(' expr ',' exprs ')'
		{ $$ = node(F, AST_TUPLE, @1); ast_append(F->arena, $$, $2);
		  for (int i = 0; i < $4->list.count; i++) ast_append(F->arena, $$, $4->list.items[i]); }
	| '(' type ')' expr %prec UNARY
		{ $$ = node(F, AST_CAST, @1); $$->a = $4; $$->b = $2; }
	| SIZEOF '(' type ')'
		{ $$ = node(F, AST_CALL, @1); $$->name = "sizeof"; ast_append(F->arena, $$, $3); }
	| SIZEOF '(' expr ')'
		{ $$ = node(F, AST_CALL, @1); $$->name = "sizeof"; ast_append(F->arena, $$, $3); }
	| OFFSETOF '(' type ',' member_path ')'
		{ $$ = node(F, AST_CALL, @1); $$->name = "offsetof"; ast_append(F->arena, $$, $3);
		  struct ast *m = node(F, AST_STR, @5); m->str = $5; m->str_len = (int)strlen($5);
		  ast_append(F->arena, $$, m); }
	| expr '[' expr ']' { $$ = node(F, AST_INDEX, @2); $$->a = $1; $$->b = $3; }
	| expr ARROW field_name
		{ $$ = node(F, AST_FIELD, @3); $$->a = $1; $$->name = $3; $$->op = OP_ARROW; }
	| expr '.' field_name
		{ $$ = node(F, AST_FIELD, @3); $$->a = $1; $$->name = $3; $$->op = OP_DOT; }
	| expr '.' NUMBER
		{ $$ = node(F, AST_FIELD, @3); $$->a = $1; $$->op = OP_DOT;
		  $$->name = arena_printf(F->arena, "%lld", (long long)$3); }
	| expr INC { $$ = node(F, AST_INCDEC, @2); $$->a = $1; $$->op = OP_POSTINC; }
	| expr DEC { $$ = node(F, AST_INCDEC, @2); $$->a = $1; $$->op = OP_POSTDEC; }
	| INC expr %prec UNARY { $$ = node(F, AST_INCDEC, @1); $$->a = $2; $$->op = OP_PREINC; }
	| DEC expr %prec UNARY { $$ = node(F, AST_INCDEC, @1); $$->a = $2; $$->op = OP_PREDEC; }
	| '-' expr %prec UNARY { $$ = unary(F, OP_NEG, $2, @1); }
	| '+' expr %prec UNARY { $$ = unary(F, OP_PLUS, $2, @1); }
	| '!' expr %prec UNARY { $$ = unary(F, OP_NOT, $2, @1); }
	| '~' expr %prec UNARY { $$ = unary(F, OP_BNOT, $2, @1); }
	| '*' expr %prec UNARY { $$ = unary(F, OP_DEREF, $2, @1); }
	| '&' expr %prec UNARY { $$ = unary(F, OP_ADDROF, $2, @1); }
	| expr '?' expr ':' expr
		{ $$ = node(F, AST_TERNARY, @2); $$->a = $1; $$->b = $3; $$->c = $5; }
	| expr LOR expr { $$ = binary(F, OP_LOR, $1, $3, @2); }
	| expr LAND expr { $$ = binary(F, OP_LAND, $1, $3, @2); }
	| expr '|' expr { $$ = binary(F, OP_BOR, $1, $3, @2); }
	| expr '^' expr { $$ = binary(F, OP_BXOR, $1, $3, @2); }
	| expr '&' expr { $$ = binary(F, OP_BAND, $1, $3, @2); }
	| expr EQ expr { $$ = binary(F, OP_EQ, $1, $3, @2); }
	| expr NE expr { $$ = binary(F, OP_NE, $1, $3, @2); }
	| expr '<' expr { $$ = binary(F, OP_LT, $1, $3, @2); }
	| expr '>' expr { $$ = binary(F, OP_GT, $1, $3, @2); }
	| expr LE expr { $$ = binary(F, OP_LE, $1, $3, @2); }
	| expr GE expr { $$ = binary(F, OP_GE, $1, $3, @2); }
	| expr SHL expr { $$ = binary(F, OP_SHL, $1, $3, @2); }
	| expr SHR expr { $$ = binary(F, OP_SHR, $1, $3, @2); }
	| expr '+' expr { $$ = binary(F, OP_ADD, $1, $3, @2); }
	| expr '-' expr { $$ = binary(F, OP_SUB, $1, $3, @2); }
	| expr '*' expr { $$ = binary(F, OP_MUL, $1, $3, @2); }
	| expr '/' expr { $$ = binary(F, OP_DIV, $1, $3, @2); }
	| expr '%' expr { $$ = binary(F, OP_MOD, $1, $3, @2); }
	;

/* field_name: a struct member may be called `char`, `int`... */
field_name: IDENT | TYPE ;

/* type (in a cast, sizeof, offsetof): a C type, then any number of * */
type: quals named_ctype quals { $$ = $2; }
	| type '*' quals { $$ = $1; $$->ival++; }
	;

/* member_path: a.b.c, for offsetof */
member_path: field_name
	| member_path '.' field_name { $$ = arena_printf(F->arena, "%s.%s", $1, $3); }
	;

/* exprs: expr {, expr} ; gathered in a scratch node whose kind the user sets */
exprs: expr { $$ = node(F, AST_BLOCK, @1); ast_append(F->arena, $$, $1); }
	| exprs ',' expr { $$ = $1; ast_append(F->arena, $$, $3); }
	;

opt_exprs: %empty { $$ = node(F, AST_BLOCK, @$); }
	| exprs
	;

%%

/* Token names as a user would write them: bison's aliases, unquoted. */
static void token_name(yysymbol_kind_t sym, char *buf, size_t size)
{
	const char *n = yysymbol_name(sym);
	size_t len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"')
		snprintf(buf, size, "%.*s", (int)(len - 2), n + 1);
	else
		snprintf(buf, size, "%s", n);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, struct front *F)
{
	if (F->quiet_syntax || F->stop)
		return 0; /* the lexer has reported this token already */
	yysymbol_kind_t got = yypcontext_token(ctx);
	char msg[400], name[64];
	if (got == YYSYMBOL_YYEOF || got == YYSYMBOL_NL)
		token_name(got, name, sizeof(name));
	else
		snprintf(name, sizeof(name), "'%s'", F->last_text);
	for (char *c = name; *c; c++) /* raw bytes would garble the message */
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	int n = snprintf(msg, sizeof(msg), "syntax error: unexpected %s", name);
	yysymbol_kind_t expected[6];
	int count = yypcontext_expected_tokens(ctx, expected, 6);
	if (count > 0 && count <= 5) {
		for (int i = 0; i < count && n < (int)sizeof(msg) - 80; i++) {
			token_name(expected[i], name, sizeof(name));
			n += snprintf(msg + n, sizeof(msg) - (size_t)n, "%s%s",
				      i == 0 ? ", expecting " : i == count - 1 ? " or " : ", ", name);
		}
	}
	diag_error(F->diag, *yypcontext_location(ctx), "%s", msg);
	return 0;
}

/* Iterative, with its own stack on the heap: the tree it checks may be
 * deeper than the C stack allows to recurse. */
void front_check_depth(struct front *F, struct ast *root)
{
	struct item {
		struct ast *node;
		int depth;
	};
	size_t count = 0, cap = 256;
	struct item *stack = malloc(cap * sizeof(*stack));
	if (!stack)
		abort();
	stack[count++] = (struct item){root, 1};
	while (count > 0) {
		struct item it = stack[--count];
		if (it.depth > FRONT_MAX_DEPTH) {
			diag_error(F->diag, it.node->loc, TOO_DEEP);
			break;
		}
		struct ast *kids[3] = {it.node->a, it.node->b, it.node->c};
		size_t need = count + 3 + (size_t)it.node->list.count;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			stack = realloc(stack, cap * sizeof(*stack));
			if (!stack)
				abort();
		}
		for (int i = 0; i < 3; i++)
			if (kids[i])
				stack[count++] = (struct item){kids[i], it.depth + 1};
		for (int i = 0; i < it.node->list.count; i++)
			stack[count++] = (struct item){it.node->list.items[i], it.depth + 1};
	}
	free(stack);
}
