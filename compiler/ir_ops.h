/* ir_ops.h - the IR's operations, as an X-macro:
 *     X(NAME, "text", KIND)
 * KIND groups ops by operand shape, which the printer, parser, liveness and
 * emitter share:
 *   IRK_CONST   d = imm
 *   IRK_UNARY   d = op a
 *   IRK_BINARY  d = a op b          (b a register or an immediate)
 *   IRK_LOAD    d = *(size)(base + off)
 *   IRK_STORE   *(size)(base + off) = a
 *   IRK_ADDR    d = address (frame slot + off, map, map value)
 *   IRK_CALL    d = helper(args...)
 *   IRK_BRANCH  terminators
 */
X(CONST,   "const",   IRK_CONST)   /* d = imm (64-bit) */
X(MOV,     "mov",     IRK_UNARY)   /* d = a */
X(NEG,     "neg",     IRK_UNARY)   /* d = -a */
X(ZEXT32,  "zext32",  IRK_UNARY)   /* d = a & 0xffffffff (one 32-bit move) */
X(BSWAP16, "bswap16", IRK_UNARY)   /* d = a's low 2 bytes reversed, the rest zero */
X(BSWAP32, "bswap32", IRK_UNARY)   /* d = a's low 4 bytes reversed, the rest zero */
X(BSWAP64, "bswap64", IRK_UNARY)   /* d = a's 8 bytes reversed */
X(CTX,     "ctx",     IRK_CONST)   /* d = the program's context argument (R1 at entry) */
X(ARG,     "arg",     IRK_CONST)   /* d = a subprogram's argument imm (R1 + imm at entry);
                                      ctx and arg come first in the entry block */
X(ADD,     "add",     IRK_BINARY)
X(SUB,     "sub",     IRK_BINARY)
X(MUL,     "mul",     IRK_BINARY)
X(UDIV,    "udiv",    IRK_BINARY)  /* BPF semantics: x / 0 = 0 */
X(SDIV,    "sdiv",    IRK_BINARY)
X(UMOD,    "umod",    IRK_BINARY)  /* x % 0 = x */
X(SMOD,    "smod",    IRK_BINARY)
X(AND,     "and",     IRK_BINARY)
X(OR,      "or",      IRK_BINARY)
X(XOR,     "xor",     IRK_BINARY)
X(SHL,     "shl",     IRK_BINARY)  /* shift counts are masked to 63, as BPF does */
X(SHR,     "shr",     IRK_BINARY)
X(SAR,     "sar",     IRK_BINARY)
/* What an --aot object's loader relocates (BPF CO-RE) to the loading kernel's
 * layout of a kernel struct member: b (a's for fieldsize) is the compiling
 * kernel's value, imm indexes the function's core accesses (ir_core_access). */
X(FIELDADD, "fieldadd", IRK_BINARY) /* d = a + b, b the member's byte offset (of a bit-field,
                                      of the unit it is loaded in) */
X(FIELDSIZE, "fieldsize", IRK_UNARY) /* d = a: the bytes to read of a bit-field's unit */
X(FIELDSHL, "fieldshl", IRK_BINARY) /* d = a << b: a bit-field's unit read as a u64, its
                                      bits moved to the top */
X(FIELDSHR, "fieldshr", IRK_BINARY) /* d = a >> b: then down to the bottom, zero-extended */
X(FIELDSAR, "fieldsar", IRK_BINARY) /* ... or sign-extended */
X(LOAD,    "load",    IRK_LOAD)    /* d = *(size, signed)(base + off) */
X(STORE,   "store",   IRK_STORE)   /* *(size)(base + off) = a */
X(ATOMIC_ADD, "atomic_add", IRK_STORE) /* lock *(size)(base + off) += a */
X(FRAME,   "frame",   IRK_ADDR)    /* d = fp + slot offset + off */
X(MAP,     "map",     IRK_ADDR)    /* d = &map (ld_imm64 pseudo map fd) */
X(MAPVAL,  "mapval",  IRK_ADDR)    /* d = &map's value + off (pseudo map value) */
X(FUNCADDR, "funcaddr", IRK_ADDR)  /* d = &subprogram imm (pseudo func), the program's
                                      subprogs.items[imm]: a helper's callback */
X(CALL,    "call",    IRK_CALL)    /* d = helper(args) ; clobbers r0-r5 */
X(JMP,     "jmp",     IRK_BRANCH)  /* goto target[0] */
X(BR,      "br",      IRK_BRANCH)  /* if (a cond b) goto target[0] else target[1] */
X(RET,     "ret",     IRK_BRANCH)  /* return a */
