//! E01xx: lexical and syntax errors (lexer and parser).
//!
//! Each message says what was found and what was expected; `help` says what to do.
//! Arguments that describe tokens come from `describeToken` (e.g. "identifier `x`").

import { defineError } from "../diagnostic.js";

export const unexpectedCharacter = defineError(
  "E0101",
  "unexpected character",
  "The lexer met a character that cannot start any KernelScript token. A run of such characters is reported once, from the first one.",
  (ch: string, count: number) => ({
    message: count === 1 ? `unexpected character \`${ch}\`` : `unexpected character \`${ch}\` and ${count - 1} more after it`,
    label: "not valid here",
    help: `remove ${count === 1 ? "it" : "them"}; KernelScript has no tokens starting with ${count === 1 ? "this character" : "these characters"}`,
  }),
);

export const unterminatedString = defineError(
  "E0102",
  "unterminated string literal",
  "A string literal starts with `\"` and must end with `\"` before the end of the file.",
  () => ({
    message: "unterminated string literal: found the end of the file, expected a closing `\"`",
    label: "this string is never closed",
    help: "add a `\"` where the string should end (write `\\\"` for a quote inside it)",
  }),
);

export const unterminatedChar = defineError(
  "E0103",
  "unterminated character literal",
  "A character literal is one character or escape between single quotes, on one line.",
  () => ({
    message: "unterminated character literal: expected a closing `'` on the same line",
    label: "this character literal is never closed",
    help: "close it with `'`, e.g. `'a'`; write `'\\''` for a quote character",
  }),
);

export const emptyChar = defineError(
  "E0104",
  "empty character literal",
  "A character literal must contain exactly one character or escape.",
  () => ({
    message: "empty character literal `''`: expected one character between the quotes",
    label: "nothing between the quotes",
    help: "put one character inside, e.g. `' '`, or use `0` for the zero byte",
  }),
);

export const invalidEscape = defineError(
  "E0105",
  "invalid escape sequence",
  "Strings and characters accept the escapes `\\n \\t \\r \\\\ \\' \\\" \\0 \\xHH`.",
  (escape: string) => ({
    message: `invalid escape sequence \`${escape}\`: expected one of \\n \\t \\r \\\\ \\' \\" \\0 \\xHH`,
    label: "unknown escape",
    help: "write `\\\\` for a backslash, or `\\xHH` with two hex digits for any byte",
  }),
);

export const unterminatedBlockComment = defineError(
  "E0106",
  "unterminated block comment",
  "A block comment starting with `/*` must end with `*/`.",
  () => ({
    message: "unterminated block comment: found the end of the file, expected `*/`",
    label: "this comment is never closed",
    help: "add `*/` where the comment should end",
  }),
);

export const integerTooLarge = defineError(
  "E0107",
  "integer literal too large",
  "Integer literals must fit in 64 bits unsigned (at most 18446744073709551615).",
  (text: string) => ({
    message: `integer literal \`${text}\` is larger than the largest 64-bit value 18446744073709551615`,
    label: "does not fit in u64",
    help: "use a smaller value; no KernelScript integer type holds more than 64 bits",
  }),
);

export const malformedNumber = defineError(
  "E0108",
  "malformed number",
  "Integers are decimal (`42`), hex (`0xFF`), octal (`0o17`) or binary (`0b1010`), with optional `_` between digits. There are no floating-point numbers.",
  (text: string, reason: string) => ({
    message: `malformed number \`${text}\`: ${reason}`,
    label: "not a valid integer",
    help: "write a decimal, `0x` hex, `0o` octal or `0b` binary integer, e.g. `1_000`, `0xff`",
  }),
);

export const charTooLong = defineError(
  "E0109",
  "character literal with several characters",
  "A character literal holds exactly one character; text goes in a string literal.",
  () => ({
    message: "character literal contains more than one character",
    label: "expected one character here",
    help: "use double quotes for a string, e.g. \"ab\"",
  }),
);

export const expectedToken = defineError(
  "E0110",
  "unexpected token",
  "The parser expected a specific token (a closing bracket, a name, a `:` …) and found something else.",
  (expected: string, found: string, context: string) => ({
    message: `expected ${expected} ${context}, found ${found}`,
    label: `expected ${expected}`,
    help: `insert ${expected} here, or remove what comes before it`,
  }),
);

export const expectedExpression = defineError(
  "E0111",
  "expected an expression",
  "An expression (a value such as `x`, `1`, `f(a)`, `m[k]`) is required here.",
  (found: string) => ({
    message: `expected an expression, found ${found}`,
    label: "expected a value here",
    help: "write a value, a name, a call or a parenthesised expression here",
  }),
);

export const expectedType = defineError(
  "E0112",
  "expected a type",
  "A type (`u32`, `*xdp_md`, `u8[16]`, `str(32)`, `hash<u32, u64>(1024)` …) is required here.",
  (found: string) => ({
    message: `expected a type, found ${found}`,
    label: "expected a type here",
    help: "write a type such as `u32`, `*T`, `T[N]`, `str(N)` or `hash<K, V>(N)`",
  }),
);

export const expectedDeclaration = defineError(
  "E0113",
  "expected a declaration",
  "At the top level of a file only declarations may appear: `include`, `import`, `extern`, `struct`, `enum`, `type`, `config`, global `var`, `fn` and `impl`.",
  (found: string) => ({
    message: `expected a declaration (fn, var, struct, enum, type, config, include, import, extern, impl), found ${found}`,
    label: "not a declaration",
    help: "statements belong inside a function body; move this into a `fn`",
  }),
);

export const expectedStatement = defineError(
  "E0114",
  "expected a statement",
  "A function body contains statements: `var`, `if`, `for`, `while`, `return`, assignments and expressions.",
  (found: string) => ({
    message: `expected a statement, found ${found}`,
    label: "cannot start a statement",
    help: "remove it, or complete the statement that comes before it",
  }),
);

export const unclosedDelimiter = defineError(
  "E0115",
  "unclosed delimiter",
  "Every `{`, `(` and `[` needs a matching closing delimiter.",
  (open: string, close: string, found: string) => ({
    message: `unclosed \`${open}\`: found ${found}, expected \`${close}\` first`,
    label: `this \`${open}\` is never closed`,
    help: `add the missing \`${close}\``,
  }),
);

export const badAttributeArgument = defineError(
  "E0116",
  "bad attribute argument",
  "Attribute arguments are literals (`@tc(\"ingress\")`), names, or flag lists (`@flags(rdonly | numa_node(2))`).",
  (attribute: string) => ({
    message: `this argument of \`@${attribute}\` is not a literal, a name or a \`|\` list of flags`,
    label: "not allowed as an attribute argument",
    help: "write a string or integer literal, e.g. `@tc(\"ingress\")`",
  }),
);

export const invalidCatchPattern = defineError(
  "E0117",
  "invalid catch pattern",
  "A `catch` clause names an integer error code (`catch 42`) or catches everything (`catch _`).",
  (found: string) => ({
    message: `invalid catch pattern: found ${found}, expected an integer literal or \`_\``,
    label: "not an integer code",
    help: "write the thrown code as a literal, e.g. `catch 1 { … }`, or `catch _ { … }` for any code",
  }),
);

export const misplacedAttribute = defineError(
  "E0118",
  "attribute on a declaration that takes none",
  "Attributes (`@xdp`, `@helper`, `@flags(…)`, `@struct_ops(…)`) may only precede `fn`, `struct`, `impl` and global `var` declarations.",
  (found: string) => ({
    message: `attributes cannot be applied to ${found}; expected \`fn\`, \`struct\`, \`impl\` or \`var\` after them`,
    label: "this declaration takes no attributes",
    help: "remove the attribute, or put it before the function, struct, impl or variable it belongs to",
  }),
);

export const implWithoutAttribute = defineError(
  "E0119",
  "impl block without attribute",
  "An `impl` block implements kernel struct_ops and must say which one, e.g. `@struct_ops(\"tcp_congestion_ops\") impl my_cc { … }`.",
  () => ({
    message: "`impl` block without an attribute: expected `@struct_ops(\"…\")` before `impl`",
    label: "missing `@struct_ops(\"…\")`",
    help: "add `@struct_ops(\"tcp_congestion_ops\")` (or the struct_ops type you implement) on the line before",
  }),
);

export const topLevelConst = defineError(
  "E0120",
  "const at top level",
  "`const` declares a local constant inside a function; global values use `var`.",
  () => ({
    message: "`const` is not allowed at the top level: expected a declaration",
    label: "global constants are not supported",
    help: "declare a global with `var NAME: T = value`, or move the `const` into a function",
  }),
);

export const nestingTooDeep = defineError(
  "E0121",
  "nesting too deep",
  "Brackets, blocks, `else if` chains, prefix operators, chains of binary operators " +
    "(`a + b + …`), casts, field accesses and types may nest at most 100 levels deep; each " +
    "adds one level to the syntax tree. Every compiler pass walks that tree recursively and " +
    "the C compiler refuses more than 256 nested brackets (the emitted C needs up to two per " +
    "level), so the parser refuses deeper nesting with one error at the construct that " +
    "crosses the limit and skips that construct whole. Real programs stay far below it.",
  (what: "expression" | "operator chain" | "block" | "type" | "`else if` chain", limit: number) => ({
    message: `${what === "operator chain" ? "operator chain too long" : `${what} nested too deep`}: more than ${limit} levels of nesting`,
    label: `this goes past ${limit} levels`,
    help: what === "operator chain"
      ? "split the chain: compute parts of it into `var`s first (`var a = x1 + x2 + …` then `a + …`)"
      : what === "type"
        ? "wrap the inner part of the type in a struct and use that struct here"
        : what === "`else if` chain"
          ? "use `match` for a long list of cases"
          : "name inner values with `var`, or move inner blocks into `@helper` functions",
  }),
);
