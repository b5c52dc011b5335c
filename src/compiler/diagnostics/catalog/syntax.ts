//! E01xx: lexical and syntax errors (lexer and parser).
//!
//! Each message says what was found and what was expected; `help` says what to do.
//! The parser passes data: the token it found (`FoundToken`, made by `describeToken`),
//! what it expected (`ExpectedSyntax`) and where (`SyntaxPlace`); the words around them
//! are here.

import { defineError } from "../diagnostic.js";

/** A token as a message names it (parse/token.ts's `describeToken` makes it from a token). */
export type FoundToken =
  | { readonly kind: "endOfFile" | "stringLiteral" }
  | { readonly kind: "identifier" | "integer" | "charLiteral" | "keyword" | "symbol"; readonly text: string };

function foundText(token: FoundToken): string {
  switch (token.kind) {
    case "endOfFile": return "end of file";
    case "stringLiteral": return "string literal";
    case "identifier": return `identifier \`${token.text}\``;
    case "integer": return `integer \`${token.text}\``;
    case "charLiteral": return `character literal ${token.text}`;
    case "keyword": return `keyword \`${token.text}\``;
    case "symbol": return `\`${token.text}\``;
  }
}

/** What the parser expected: one token (its spelling) or a kind of thing. */
export type ExpectedSyntax = { readonly token: string } | "name" | "fieldName" | "stringLiteral" | "matchPattern" | "statementEnd";

function expectedText(expected: ExpectedSyntax): string {
  if (typeof expected === "object") return `\`${expected.token}\``;
  const text: Record<typeof expected, string> = {
    name: "a name",
    fieldName: "a field name",
    stringLiteral: "a string literal",
    matchPattern: "a match pattern (a literal, an enum name or `default`)",
    statementEnd: "`;` or a line break",
  };
  return text[expected];
}

/** A braced list of declarations parsed item by item. */
export type ItemList = "structFields" | "enumVariants" | "configFields" | "implBlock";

const itemListText: Record<ItemList, string> = {
  structFields: "struct fields", enumVariants: "enum variants", configFields: "config fields", implBlock: "impl block",
};

/** Where the parser expected something: after a token (its spelling), in a list, or a named place. */
export type SyntaxPlace =
  | { readonly after: string }
  | { readonly openList: ItemList }
  | { readonly betweenList: ItemList }
  | { readonly closeStructLiteral: string }
  | keyof typeof placeText;

const placeText = {
  here: "here",
  afterPinOrLocal: "after `pin`/`local`",
  afterImportedModule: "after the imported module's name",
  afterAliasName: "after the alias name",
  afterFieldName: "after the field name",
  inStruct: "in the struct",
  asEnumVariant: "as the enum variant",
  inConfig: "in the config block",
  inImpl: "in the impl block (expected `fn` or `name: value`)",
  closeAttributeArguments: "to close the attribute arguments",
  openParameters: "to open the parameter list",
  asParameterName: "as the parameter name",
  afterParameterName: "after the parameter name (parameters are written `name: type`)",
  closeParameters: "to close the parameter list",
  closeIndex: "to close the index",
  closeArguments: "to close the argument list",
  closeParenthesised: "to close the parenthesised expression",
  closeArrayLiteral: "to close the array literal",
  closeSizeof: "to close `sizeof(`",
  inStructLiteral: "in the struct literal",
  openMatchArms: "to open the match arms",
  betweenMatchArms: "between match arms",
  afterMatchPattern: "after the match pattern",
  inMatchArm: "in the match arm",
  openBlock: "to open the block",
  afterStatement: "after this statement",
  openWhileBody: "to open the `while` body",
  afterConditionVar: "after `var` in the condition",
  afterBindingName: "after the name bound by `if (var …`",
  closeIfCondition: "to close the `if` condition",
  openIfBody: "to open the `if` body (braces are required)",
  afterLoopComma: "after `,` in the loop variables",
  closeLoopVariables: "to close the loop variables",
  afterLoopVariables: "after the loop variables",
  asLoopVariable: "as the loop variable",
  afterLoopVariable: "after the loop variable",
  closeForHeader: "to close the `for` header",
  openForBody: "to open the `for` body",
  afterCatchPattern: "after the catch pattern",
  closeArraySize: "to close the array size",
  betweenArrayTypeParts: "between the element type and the length of `[T; N]`",
  closeArrayType: "to close `[T; N]`",
  afterStrLength: "after `str(` and its length",
  closeTypeArguments: "to close the type arguments",
  afterMapCapacity: "after the map capacity",
  afterFnInFunctionType: "after `fn` in a function type",
  closeFunctionTypeParameters: "to close the function type's parameters",
  functionTypeArrow: "in a function type (its return type is mandatory)",
} as const satisfies Record<string, string>;

function whereText(place: SyntaxPlace): string {
  if (typeof place === "string") return placeText[place];
  if ("after" in place) return `after \`${place.after}\``;
  if ("openList" in place) return `to open the ${itemListText[place.openList]}`;
  if ("betweenList" in place) return `between ${itemListText[place.betweenList]}`;
  return `to close the \`${place.closeStructLiteral}\` literal`;
}

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

/** What is wrong with the digits of a number; `base` is the radix its prefix chose. */
export type NumberProblem =
  | { readonly kind: "fractional" }
  | { readonly kind: "foreignDigit" | "noDigits"; readonly base: 2 | 8 | 10 | 16 }
  | { readonly kind: "misplacedSeparator" };

const baseText = { 2: "binary", 8: "octal", 10: "decimal", 16: "hex" } as const;

function numberProblemText(problem: NumberProblem): string {
  switch (problem.kind) {
    case "fractional": return "there are no floating-point numbers";
    case "foreignDigit": return `expected only ${baseText[problem.base]} digits`;
    case "noDigits": return `expected ${baseText[problem.base]} digits after the prefix`;
    case "misplacedSeparator": return "`_` may only separate digits";
  }
}

export const malformedNumber = defineError(
  "E0108",
  "malformed number",
  "Integers are decimal (`42`), hex (`0xFF`), octal (`0o17`) or binary (`0b1010`), with optional `_` between digits. There are no floating-point numbers.",
  (text: string, problem: NumberProblem) => ({
    message: `malformed number \`${text}\`: ${numberProblemText(problem)}`,
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
  (expected: ExpectedSyntax, found: FoundToken, where: SyntaxPlace) => ({
    message: `expected ${expectedText(expected)} ${whereText(where)}, found ${foundText(found)}`,
    label: `expected ${expectedText(expected)}`,
    help: `insert ${expectedText(expected)} here, or remove what comes before it`,
  }),
);

export const expectedExpression = defineError(
  "E0111",
  "expected an expression",
  "An expression (a value such as `x`, `1`, `f(a)`, `m[k]`) is required here.",
  (found: FoundToken) => ({
    message: `expected an expression, found ${foundText(found)}`,
    label: "expected a value here",
    help: "write a value, a name, a call or a parenthesised expression here",
  }),
);

export const expectedType = defineError(
  "E0112",
  "expected a type",
  "A type (`u32`, `*xdp_md`, `u8[16]`, `str(32)`, `hash<u32, u64>(1024)` …) is required here.",
  (found: FoundToken) => ({
    message: `expected a type, found ${foundText(found)}`,
    label: "expected a type here",
    help: "write a type such as `u32`, `*T`, `T[N]`, `str(N)` or `hash<K, V>(N)`",
  }),
);

export const expectedDeclaration = defineError(
  "E0113",
  "expected a declaration",
  "At the top level of a file only declarations may appear: `include`, `import`, `extern`, `struct`, `enum`, `type`, `config`, global `var`, `fn` and `impl`.",
  (found: FoundToken) => ({
    message: `expected a declaration (fn, var, struct, enum, type, config, include, import, extern, impl), found ${foundText(found)}`,
    label: "not a declaration",
    help: "statements belong inside a function body; move this into a `fn`",
  }),
);

export const expectedStatement = defineError(
  "E0114",
  "expected a statement",
  "A function body contains statements: `var`, `if`, `for`, `while`, `return`, assignments and expressions.",
  (found: FoundToken) => ({
    message: `expected a statement, found ${foundText(found)}`,
    label: "cannot start a statement",
    help: "remove it, or complete the statement that comes before it",
  }),
);

export const unclosedDelimiter = defineError(
  "E0115",
  "unclosed delimiter",
  "Every `{`, `(` and `[` needs a matching closing delimiter.",
  (open: string, close: string, found: FoundToken) => ({
    message: `unclosed \`${open}\`: found ${foundText(found)}, expected \`${close}\` first`,
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
  (found: FoundToken) => ({
    message: `invalid catch pattern: found ${foundText(found)}, expected an integer literal or \`_\``,
    label: "not an integer code",
    help: "write the thrown code as a literal, e.g. `catch 1 { … }`, or `catch _ { … }` for any code",
  }),
);

export const misplacedAttribute = defineError(
  "E0118",
  "attribute on a declaration that takes none",
  "Attributes (`@xdp`, `@helper`, `@flags(…)`, `@struct_ops(…)`) may only precede `fn`, `struct`, `impl` and global `var` declarations.",
  (found: FoundToken) => ({
    message: `attributes cannot be applied to ${foundText(found)}; expected \`fn\`, \`struct\`, \`impl\` or \`var\` after them`,
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

/** What nests past the limit (parse/cursor.ts counts the levels). */
export type NestedConstruct = "expression" | "operatorChain" | "block" | "type" | "elseIfChain";

const nestedText: Record<Exclude<NestedConstruct, "operatorChain">, string> = {
  expression: "expression", block: "block", type: "type", elseIfChain: "`else if` chain",
};

export const nestingTooDeep = defineError(
  "E0121",
  "nesting too deep",
  "Brackets, blocks, `else if` chains, prefix operators, chains of binary operators " +
    "(`a + b + …`), casts, field accesses and types may nest at most 100 levels deep; each " +
    "adds one level to the syntax tree. Every compiler pass walks that tree recursively and " +
    "the C compiler refuses more than 256 nested brackets (the emitted C needs up to two per " +
    "level), so the parser refuses deeper nesting with one error at the construct that " +
    "crosses the limit and skips that construct whole. Real programs stay far below it.",
  (what: NestedConstruct, limit: number) => ({
    message: `${what === "operatorChain" ? "operator chain too long" : `${nestedText[what]} nested too deep`}: more than ${limit} levels of nesting`,
    label: `this goes past ${limit} levels`,
    help: what === "operatorChain"
      ? "split the chain: compute parts of it into `var`s first (`var a = x1 + x2 + …` then `a + …`)"
      : what === "type"
        ? "wrap the inner part of the type in a struct and use that struct here"
        : what === "elseIfChain"
          ? "use `match` for a long list of cases"
          : "name inner values with `var`, or move inner blocks into `@helper` functions",
  }),
);
