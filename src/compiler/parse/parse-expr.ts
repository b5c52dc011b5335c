//! Expressions, by precedence climbing. From loosest to tightest:
//!
//!   ||  <  &&  <  == != < <= > >=  <  |  <  ^  <  &  <  << >>  <  + -  <  * / %
//!   <  `as T`  <  prefix ! - ~ * &  <  postfix [i] .f ->f (args)
//!
//! All binary operators are left-associative. Line breaks: an operator at the end of a
//! line continues the expression onto the next; an operator at the start of a line
//! continues it too unless it could also start a new statement (`-`, `*`, `&`), and a
//! `(` or `[` at the start of a line never continues it. Inside `(…)`/`[…]` line breaks
//! do not matter at all.

import type { AssignOp, BinaryOp, Block, Expr, FieldInit, Ident, MatchArm, Pattern, TypeExpr, UnaryOp } from "../ast.js";
import { nextExprId } from "../ast.js";
import * as E from "../diagnostics/catalog/syntax.js";
import { exact, type Cursor } from "./cursor.js";
import type { Span } from "../source.js";
import { ASSIGN_OPS, parseBlock } from "./parse-stmt.js";
import { parseFieldName, parseIdent, parseType } from "./parse-type.js";
import { describeToken, isKeyword, type TokenKind } from "./token.js";
import { intLiteral } from "./durations.js";

/** Binary operators that are also prefix operators, so a line starting with one is a new statement. */
const ALSO_PREFIX: ReadonlySet<TokenKind> = new Set<TokenKind>(["-", "*", "&"]);

/**
 * The precedence of a binary operator, 0 for a token that is none. A `switch` rather
 * than a `Map`: asked after every operand of a file, and the engine compiles the switch
 * into a few comparisons instead of a hash look-up.
 */
function binaryPrecedence(kind: TokenKind): number {
  switch (kind) {
    case "||": return 1;
    case "&&": return 2;
    case "==": case "!=": case "<": case "<=": case ">": case ">=": return 3;
    case "|": return 4;
    case "^": return 5;
    case "&": return 6;
    case "<<": case ">>": return 7;
    case "+": case "-": return 8;
    case "*": case "/": case "%": return 9;
    default: return 0;
  }
}

export function parseExpression(c: Cursor): Expr {
  return parseBinary(c, 1);
}

/**
 * The condition of `if`/`while`/`match`: parentheses optional, and without them a
 * `Name {` starts the body. Redundant outer parentheses belong to the statement's
 * syntax, so they are not kept as a `ParenExpr`.
 */
export function parseCondition(c: Cursor): Expr {
  // `c.withoutStructLiterals` spelled out: no closure for every condition of a file.
  const saved = c.enterCondition();
  let expr: Expr;
  try {
    expr = parseExpression(c);
  } finally {
    c.restore(saved);
  }
  return expr.kind === "ParenExpr" ? expr.expr : expr;
}

function parseBinary(c: Cursor, minPrecedence: number): Expr {
  const mark = c.startMeasure();
  let left = parseCast(c);
  // `a + b + c` is `(a + b) + c`: built in a loop, but every term makes the tree deeper.
  let height = c.measured(mark);
  for (;;) {
    // The kind first: the token is made an object only when it is an operator.
    const kind = c.kind;
    const precedence = binaryPrecedence(kind);
    if (precedence === 0 || precedence < minPrecedence) return left;
    if (ALSO_PREFIX.has(kind) && !c.sameLine) return left;
    // The operator's position and span, not a token object (its text is its kind).
    const opPosition = c.position;
    const opSpan = c.currentSpan;
    c.skip();
    const rightMark = c.startMeasure();
    // `c.nested` spelled out: no closures for every operator of a file.
    let right: Expr;
    if (c.descend("expression")) {
      try {
        right = parseBinary(c, precedence + 1);
      } finally {
        c.ascend();
      }
    } else {
      const skipped = c.start;
      c.skipExpressionRest(true);
      right = errorExpr(c.spanFrom(skipped));
    }
    const grown = c.link("operatorChain", height, c.measured(rightMark), opPosition);
    if (grown === undefined) {
      c.skipExpressionRest();
      return left;
    }
    height = grown;
    left = {
      kind: "BinaryExpr",
      op: kind as BinaryOp,
      left,
      right,
      opSpan,
      span: { file: c.file.path, start: left.span.start, end: c.prevEnd },
      id: nextExprId(),
    };
  }
}

function parseCast(c: Cursor): Expr {
  const mark = c.startMeasure();
  let expr = parseUnary(c);
  let height = c.measured(mark);
  while (c.at("as")) {
    const as = c.position;
    c.skip();
    const typeMark = c.startMeasure();
    const type = parseType(c, AFTER_AS);
    const grown = c.link("operatorChain", height, c.measured(typeMark), as);
    if (grown === undefined) {
      c.skipExpressionRest();
      return expr;
    }
    height = grown;
    expr = { kind: "CastExpr", expr, type, span: c.spanFrom(expr.span.start), id: nextExprId() };
  }
  return expr;
}

/** The type after `as`: no `<` arguments (a comparison) nor `[N]` suffix (an index of the cast value). */
const AFTER_AS = { generics: false, arraySuffix: false } as const;

function parseUnary(c: Cursor): Expr {
  // The kind first: every operand passes here, and most have no prefix operator.
  const kind = c.kind;
  // The prefix operators, compared one by one: cheaper than a set look-up for every operand.
  if (kind === "!" || kind === "-" || kind === "~" || kind === "*" || kind === "&") {
    const start = c.start;
    // `c.nested` spelled out: no closures for every prefix operator of a file.
    if (!c.descend("expression")) {
      c.skipExpressionRest(true);
      return errorExpr(c.spanFrom(start));
    }
    try {
      c.skip();
      const operand = parseUnary(c);
      return { kind: "UnaryExpr", op: kind as UnaryOp, operand, span: c.spanFrom(start), id: nextExprId() };
    } finally {
      c.ascend();
    }
  }
  return parsePostfix(c);
}

/** `target[i]`, `target(args)`, `target.f`, `target->f`: a left-deep chain on a primary. */
function parsePostfix(c: Cursor): Expr {
  const mark = c.startMeasure();
  let expr = parsePrimary(c);
  let height: number | undefined = c.measured(mark);
  const start = expr.span.start;
  for (;;) {
    const kind = c.kind;
    if (kind === "[" && c.sameLine) {
      const open = c.position;
      const openStart = c.start;
      c.skip();
      const indexMark = c.startMeasure();
      // `c.group` and `c.bracketed` spelled out: no closures for every index of a file.
      let index: Expr;
      if (c.openGroup("expression", open)) {
        const saved = c.enterBrackets();
        try {
          index = parseExpression(c);
          c.expect("]", "closeIndex");
        } finally {
          c.restore(saved);
          c.ascend();
        }
      } else {
        index = errorExpr(c.spanFrom(openStart));
      }
      height = c.link("operatorChain", height, c.measured(indexMark), open);
      if (height === undefined) break;
      expr = { kind: "IndexExpr", target: expr, index, span: c.spanFrom(start), id: nextExprId() };
    } else if (kind === "(" && c.sameLine) {
      const open = c.position;
      const argsMark = c.startMeasure();
      const args = parseArguments(c);
      height = c.link("operatorChain", height, c.measured(argsMark), open);
      if (height === undefined) break;
      expr = { kind: "CallExpr", callee: expr, args, span: c.spanFrom(start), id: nextExprId() };
    } else if (kind === "." || kind === "->") {
      height = c.link("operatorChain", height, 0);
      if (height === undefined) break;
      c.skip();
      const field = parseFieldName(c, { after: kind });
      expr = { kind: "FieldExpr", target: expr, field, arrow: kind === "->", span: c.spanFrom(start), id: nextExprId() };
    } else {
      return expr;
    }
  }
  c.skipExpressionRest();
  return expr;
}

const errorExpr = (span: Span): Expr => ({ kind: "ErrorExpr", span, id: nextExprId() });

/** `( a, b, … )` with an optional trailing comma; the current token is `(`. */
export function parseArguments(c: Cursor): Expr[] {
  const open = c.position;
  const openStart = c.start;
  c.skip();
  // `c.group` and `c.bracketed` spelled out: no closures for every call of a file.
  if (!c.openGroup("expression", open)) return [errorExpr(c.spanFrom(openStart))];
  const saved = c.enterBrackets();
  try {
    const args: Expr[] = [];
    while (!c.at(")") && !c.at("EOF")) {
      args.push(parseExpression(c));
      if (!c.eat(",")) break;
    }
    c.expect(")", "closeArguments");
    return exact(args);
  } finally {
    c.restore(saved);
    c.ascend();
  }
}

function parsePrimary(c: Cursor): Expr {
  if (c.kind === "Ident") {
    // Names are most primaries: their span and text without a token object.
    const span = c.currentSpan;
    const text = c.currentText;
    // `none` is upstream's spelling of `null` (for map results); it means the same.
    if (text === "none") {
      c.skip();
      return { kind: "NullLiteral", span, id: nextExprId() };
    }
    if (startsStructLiteral(c)) return parseStructLiteral(c);
    c.skip();
    const name: Ident = { kind: "Ident", name: text, span };
    return { kind: "NameExpr", name, span, id: nextExprId() };
  }
  if (c.kind === "Int") {
    // Literals are the next commonest primaries: also without a token object.
    const literal = intLiteral(c.currentValue as bigint, c.currentText, c.currentSpan);
    c.skip();
    return literal;
  }
  const kind = c.kind;
  const start = c.start;
  // Literals, parentheses and brackets without a token object or closures either.
  switch (kind) {
    case "String": {
      const literal: Expr = { kind: "StringLiteral", value: c.currentValue as string, span: c.currentSpan, id: nextExprId() };
      c.skip();
      return literal;
    }
    case "Char": {
      const literal: Expr = { kind: "CharLiteral", value: c.currentValue as number, span: c.currentSpan, id: nextExprId() };
      c.skip();
      return literal;
    }
    case "true":
    case "false": {
      const literal: Expr = { kind: "BoolLiteral", value: kind === "true", span: c.currentSpan, id: nextExprId() };
      c.skip();
      return literal;
    }
    case "null": {
      const literal: Expr = { kind: "NullLiteral", span: c.currentSpan, id: nextExprId() };
      c.skip();
      return literal;
    }
    case "(":
      return parseParenthesisedExpr(c);
    case "[":
      return parseArrayLiteral(c);
    case "match":
      return parseMatch(c);
    case "new": {
      c.skip();
      const type = parseType(c);
      const args = c.at("(") && c.sameLine ? parseArguments(c) : [];
      return { kind: "NewExpr", type, args, span: c.spanFrom(start), id: nextExprId() };
    }
    case "sizeof": {
      c.skip();
      const type = parseSizeofType(c);
      return { kind: "SizeofExpr", type, span: c.spanFrom(start), id: nextExprId() };
    }
    default:
      c.error(E.expectedExpression, c.errorSpan(), describeToken(c.tok));
      return { kind: "ErrorExpr", span: c.emptySpan(), id: nextExprId() };
  }
}

/**
 * `( T )` after `sizeof`, one level down; without the `(` (reported) the type is still
 * read. `c.group` and `c.bracketed` spelled out: no closures for every `sizeof` of a file.
 */
function parseSizeofType(c: Cursor): TypeExpr {
  const open = c.position;
  const openStart = c.start;
  const opened = c.expect("(", { after: "sizeof" });
  if (opened && !c.openGroup("type", open)) return { kind: "ErrorType", span: c.spanFrom(openStart) };
  const saved = c.enterBrackets();
  try {
    const type = parseType(c);
    c.expect(")", "closeSizeof");
    return type;
  } finally {
    c.restore(saved);
    if (opened) c.ascend();
  }
}

/** `( expr )`, or `( target op= value )`; the current token is `(`. */
function parseParenthesisedExpr(c: Cursor): Expr {
  const open = c.position;
  const start = c.start;
  c.skip();
  // `c.group` and `c.bracketed` spelled out: no closures for every parenthesis of a file.
  if (!c.openGroup("expression", open)) return errorExpr(c.spanFrom(start));
  const saved = c.enterBrackets();
  try {
    let expr = parseExpression(c);
    // `(m[k] += 1)`: an assignment whose value is used (the checker says which ones may be).
    const opKind = c.kind;
    if (ASSIGN_OPS.has(opKind)) {
      const opSpan = c.currentSpan;
      c.skip();
      const value = parseExpression(c);
      expr = { kind: "AssignExpr", target: expr, op: opKind as AssignOp, value, opSpan, span: c.spanFrom(expr.span.start), id: nextExprId() };
    }
    c.expect(")", "closeParenthesised");
    return { kind: "ParenExpr", expr, span: c.spanFrom(start), id: nextExprId() };
  } finally {
    c.restore(saved);
    c.ascend();
  }
}

/** `[ a, b, … ]` with an optional trailing comma; the current token is `[`. */
function parseArrayLiteral(c: Cursor): Expr {
  const open = c.position;
  const start = c.start;
  c.skip();
  // `c.group` and `c.bracketed` spelled out, as in `parseArguments`.
  if (!c.openGroup("expression", open)) return errorExpr(c.spanFrom(start));
  const saved = c.enterBrackets();
  try {
    const elements: Expr[] = [];
    while (!c.at("]") && !c.at("EOF")) {
      elements.push(parseExpression(c));
      if (!c.eat(",")) break;
    }
    c.expect("]", "closeArrayLiteral");
    return { kind: "ArrayLiteral", elements: exact(elements), span: c.spanFrom(start), id: nextExprId() };
  } finally {
    c.restore(saved);
    c.ascend();
  }
}

/** `Name {` followed by `}` or `field:` — and not where `{` opens a statement body. */
function startsStructLiteral(c: Cursor): boolean {
  if (c.noStruct) return false;
  // Kinds only: this runs for every name in an expression.
  if (c.peekKind(1) !== "{" || (c.peekNewlineBefore(1) && c.nesting === 0)) return false;
  const next = c.peekKind(2);
  return next === "}" || ((next === "Ident" || isKeyword(next)) && c.peekKind(3) === ":");
}

function parseStructLiteral(c: Cursor): Expr {
  const start = c.start;
  const typeName = parseIdent(c);
  const open = c.position;
  c.skip(); // `{`
  // `c.group` and `c.bracketed` spelled out: no closures for every struct literal of a file.
  let fields: FieldInit[] = [];
  if (c.openGroup("expression", open)) {
    const saved = c.enterBrackets();
    try {
      const list: FieldInit[] = [];
      while (!c.at("}") && !c.at("EOF")) {
        const fieldStart = c.start;
        const name = parseFieldName(c, "inStructLiteral");
        c.expect(":", "afterFieldName");
        const value = parseExpression(c);
        list.push({ name, value, span: c.spanFrom(fieldStart) });
        if (!c.eat(",")) break;
      }
      c.expect("}", { closeStructLiteral: typeName.name });
      fields = exact(list);
    } finally {
      c.restore(saved);
      c.ascend();
    }
  }
  return { kind: "StructLiteral", typeName, fields, span: c.spanFrom(start), id: nextExprId() };
}

function parseMatch(c: Cursor): Expr {
  const start = c.start;
  c.skip();
  const scrutinee = parseScrutinee(c);
  const open = c.position;
  if (!c.expect("{", "openMatchArms")) {
    return { kind: "MatchExpr", scrutinee, arms: [], span: c.spanFrom(start), id: nextExprId() };
  }
  // `c.group` and `c.braced` spelled out: no closures for every `match` of a file.
  if (!c.openGroup("expression", open)) return { kind: "MatchExpr", scrutinee, arms: [], span: c.spanFrom(start), id: nextExprId() };
  let arms: MatchArm[];
  const saved = c.enterBraces();
  try {
    arms = parseArms(c);
  } finally {
    c.restore(saved);
    c.ascend();
  }
  if (c.at("EOF")) c.report(E.unclosedDelimiter, c.spanAt(open), "{", "}", { kind: "endOfFile" });
  else c.skip();
  return { kind: "MatchExpr", scrutinee, arms, span: c.spanFrom(start), id: nextExprId() };
}

/**
 * The value a `match` looks at: a condition, one level down (it may itself be a
 * `match`: `match match …`). `c.withoutStructLiterals` and `c.nested` spelled out.
 */
function parseScrutinee(c: Cursor): Expr {
  const saved = c.enterCondition();
  try {
    if (!c.descend("expression")) {
      const skipped = c.start;
      c.skipExpressionRest(true);
      return errorExpr(c.spanFrom(skipped));
    }
    try {
      return parseCondition(c);
    } finally {
      c.ascend();
    }
  } finally {
    c.restore(saved);
  }
}

/** The arms of a `match` up to its `}` (not consumed). */
function parseArms(c: Cursor): MatchArm[] {
  const list: MatchArm[] = [];
  while (!c.at("}") && !c.at("EOF")) {
    const before = c.position;
    const arm = parseArm(c);
    list.push(arm);
    if (c.position === before) {
      c.syncStatement();
      if (c.position === before) c.skip();
      continue;
    }
    if (c.eat(",")) continue;
    if (c.at("}")) break;
    // Arms may also be separated by line breaks, and a block arm needs no comma.
    if (c.newlineBefore || arm.body.kind === "Block") continue;
    c.error(E.expectedToken, c.errorSpan(), { token: "," }, describeToken(c.tok), "betweenMatchArms");
    c.syncStatement();
    if (c.position === before) c.skip();
  }
  return exact(list);
}

function parseArm(c: Cursor): MatchArm {
  const start = c.start;
  const pattern = parsePattern(c);
  c.expect(":", "afterMatchPattern");
  const body: Expr | Block = c.at("{") ? parseBlock(c) : parseExpression(c);
  return { pattern, body, span: c.spanFrom(start) };
}

function parsePattern(c: Cursor): Pattern {
  // The kind, not a token object: every arm starts here.
  const kind = c.kind;
  const start = c.start;
  switch (kind) {
    case "default": {
      const span = c.currentSpan;
      c.skip();
      return { kind: "DefaultPattern", span };
    }
    case "Ident": {
      const name = parseIdent(c);
      return { kind: "NamePattern", name, span: name.span };
    }
    case "Int":
    case "String":
    case "Char":
    case "true":
    case "false": {
      const literal = parsePrimary(c);
      if (literal.kind === "IntLiteral" || literal.kind === "StringLiteral" || literal.kind === "CharLiteral" || literal.kind === "BoolLiteral") {
        return { kind: "LiteralPattern", literal, span: literal.span };
      }
      break;
    }
    case "-":
      if (c.peekKind() === "Int") {
        c.skip();
        const operand = parsePrimary(c);
        const literal = { kind: "UnaryExpr", op: "-", operand, span: c.spanFrom(start), id: nextExprId() } as const;
        return { kind: "LiteralPattern", literal, span: literal.span };
      }
      break;
    default:
      break;
  }
  // Nothing was consumed on the way here: the current token is the one that starts no pattern.
  c.error(E.expectedToken, c.errorSpan(), "matchPattern", describeToken(c.tok), "inMatchArm");
  const missing = c.emptySpan();
  return { kind: "NamePattern", name: { kind: "Ident", name: "", span: missing }, span: missing };
}
