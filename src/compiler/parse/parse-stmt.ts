//! Statements and blocks.
//!
//! A statement ends at `;`, at a line break (unless its expression is visibly
//! unfinished, see `parse-expr.ts`), or simply where its grammar ends — upstream writes
//! `m[1] = 42 m[2] = 43` on one line. Conditions of `if`/`while`/`for` may be written
//! with or without parentheses; bodies are always blocks.
//! Recovery: after a broken statement the block skips to the next line, `;` or `}`
//! (`Cursor.syncStatement`) and goes on, so one function can report several errors.

import type { Block, CatchClause, Expr, Ident, IfStmt, IntLiteral, Stmt, TypeExpr } from "../ast.js";
import * as E from "../diagnostics/catalog/syntax.js";
import { DECLARATION_ONLY, exact, type Cursor } from "./cursor.js";
import { intLiteral } from "./durations.js";
import { parseCondition, parseExpression } from "./parse-expr.js";
import { parseIdent, parseType } from "./parse-type.js";
import { describeToken, type TokenKind } from "./token.js";

export const ASSIGN_OPS: ReadonlySet<TokenKind> = new Set<TokenKind>([
  "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
]);

const EXPRESSION_START: ReadonlySet<TokenKind> = new Set<TokenKind>([
  "Int", "String", "Char", "true", "false", "null", "Ident", "(", "[", "match", "new", "sizeof",
  "!", "-", "~", "*", "&",
]);

/** `{ statements }`; reports and returns an empty block if there is no `{`. */
export function parseBlock(c: Cursor, where: E.SyntaxPlace = "openBlock"): Block {
  const start = c.start;
  const open = c.position;
  if (!c.expect("{", where)) return { kind: "Block", statements: [], span: c.emptySpan() };
  // `c.group` and `c.braced` spelled out: no closures for every block of a file.
  let statements: Stmt[] = [];
  if (c.openGroup("block", open)) {
    const saved = c.enterBraces();
    try {
      statements = parseStatements(c, open);
    } finally {
      c.restore(saved);
      c.ascend();
    }
  }
  return { kind: "Block", statements, span: c.spanFrom(start) };
}

/** Whether only spaces and comments lie between two tokens (not a character the lexer rejected). */
function onlyTriviaBetween(text: string, start: number, end: number): boolean {
  return text.slice(start, end).replace(/\/\*[\s\S]*?\*\/|\/\/.*/g, "").trim() === "";
}

/** The statements of a block whose `{` is at position `open`, and its `}`. */
function parseStatements(c: Cursor, open: number): Stmt[] {
  const statements: Stmt[] = [];
  for (;;) {
    while (c.eat(";"));
    if (c.at("}")) {
      c.skip();
      return exact(statements);
    }
    // Kinds first: a token object only for the error.
    const kind = c.kind;
    // At end of file, or at a line starting a new function: this block lost its `}`.
    if (kind === "EOF" || (DECLARATION_ONLY.has(kind) && c.newlineBefore)) {
      c.report(E.unclosedDelimiter, c.spanAt(open), "{", "}", describeToken(c.tok));
      c.panicking = false;
      return exact(statements);
    }
    const before = c.position;
    c.beginStatement();
    statements.push(parseStatement(c));
    // Two expressions on one line with nothing between them (`hits[1] = 20 20`) are an
    // error, not two statements; a statement keyword may still follow (`var a = 1 var b = 2`),
    // and what cannot start an expression is reported by the next statement's parse.
    if (!c.panicking && c.position !== before && !c.newlineBefore && c.previousKind !== "}" && EXPRESSION_START.has(c.kind) &&
        onlyTriviaBetween(c.file.text, c.prevEnd, c.start)) {
      const next = c.tok;
      c.error(E.expectedToken, next.span, "statementEnd", describeToken(next), "afterStatement");
    }
    if (c.panicking) c.syncStatement();
    if (c.position === before) {
      c.skip();
      c.syncStatement();
    }
  }
}

export function parseStatement(c: Cursor): Stmt {
  const start = c.start;
  switch (c.kind) {
    case "var":
    case "let":
    case "const":
      return parseVar(c);
    case "if":
      return parseIf(c);
    case "while": {
      c.skip();
      const condition = parseCondition(c);
      const body = parseBlock(c, "openWhileBody");
      return { kind: "WhileStmt", condition, body, span: c.spanFrom(start) };
    }
    case "for":
      return parseFor(c);
    case "return": {
      c.skip();
      // `peekKind(0)`, not `kind`: TypeScript would keep the `switch`'s narrowing of `c.kind`.
      const kind = c.peekKind(0);
      const naked = c.newlineBefore || kind === "}" || kind === ";" || kind === "EOF";
      const value = naked ? undefined : parseExpression(c);
      return { kind: "ReturnStmt", value, span: c.spanFrom(start) };
    }
    case "break":
      c.skip();
      return { kind: "BreakStmt", span: c.spanFrom(start) };
    case "continue":
      c.skip();
      return { kind: "ContinueStmt", span: c.spanFrom(start) };
    case "delete": {
      c.skip();
      const target = parseExpression(c);
      return { kind: "DeleteStmt", target, span: c.spanFrom(start) };
    }
    case "throw": {
      c.skip();
      const value = parseExpression(c);
      return { kind: "ThrowStmt", value, span: c.spanFrom(start) };
    }
    case "defer": {
      c.skip();
      const expr = parseExpression(c);
      return { kind: "DeferStmt", expr, span: c.spanFrom(start) };
    }
    case "try":
      return parseTry(c);
    case "{": {
      const block = parseBlock(c);
      return { kind: "BlockStmt", block, span: block.span };
    }
    default:
      break;
  }
  if (!EXPRESSION_START.has(c.kind)) {
    c.error(E.expectedStatement, c.tok.kind === "EOF" ? c.errorSpan() : c.tok.span, describeToken(c.tok));
    return { kind: "ErrorStmt", span: c.emptySpan() };
  }
  const expr = parseExpression(c);
  const opKind = c.kind;
  if (ASSIGN_OPS.has(opKind)) {
    // The operator's kind and span, not a token object (its text is its kind).
    const opSpan = c.currentSpan;
    c.skip();
    const value = parseExpression(c);
    return {
      kind: "AssignStmt",
      target: expr,
      op: opKind as "=",
      value,
      opSpan,
      span: c.spanFrom(start),
    };
  }
  // Mostly a call on a line of its own, spanning what its expression spans: one span for both.
  const span = expr.span.start === start && expr.span.end === c.prevEnd ? expr.span : c.spanFrom(start);
  return { kind: "ExprStmt", expr, span };
}

function parseVar(c: Cursor): Stmt {
  const start = c.start;
  const keyword = c.kind as "var" | "let" | "const";
  c.skip();
  const name = parseIdent(c, { after: keyword });
  let type: TypeExpr | undefined;
  let init: Expr | undefined;
  if (c.eat(":")) type = parseType(c);
  if (c.eat("=")) init = parseExpression(c);
  return { kind: "VarStmt", keyword, name, type, init, span: c.spanFrom(start) };
}

function parseIf(c: Cursor): IfStmt {
  const start = c.start;
  c.skip();
  let binding: Ident | undefined;
  let bindingType: TypeExpr | undefined;
  let condition: Expr;
  const parenthesisedBinding = c.at("(") && (c.peekKind() === "var" || c.peekKind() === "let");
  if (parenthesisedBinding || c.at("var") || c.at("let")) {
    // `if (var v = m[k]) {…}`: the then-branch sees `v` when the lookup found something.
    // `c.bracketed` / `c.withoutStructLiterals` spelled out: no closures for every `if` of a file.
    if (parenthesisedBinding) c.skip();
    const saved = parenthesisedBinding ? c.enterBrackets() : c.enterCondition();
    try {
      c.skip();
      binding = parseIdent(c, "afterConditionVar");
      if (c.eat(":")) bindingType = parseType(c);
      c.expect("=", "afterBindingName");
      condition = parseExpression(c);
      if (parenthesisedBinding) c.expect(")", "closeIfCondition");
    } finally {
      c.restore(saved);
    }
  } else {
    condition = parseCondition(c);
  }
  const then = parseBlock(c, "openIfBody");
  let otherwise: Block | IfStmt | undefined;
  if (c.eat("else")) {
    otherwise = c.at("if") ? parseElseIf(c) : parseBlock(c, { after: "else" });
  }
  return { kind: "IfStmt", binding, bindingType, condition, then, else: otherwise, span: c.spanFrom(start) };
}

/** The `if` after `else`, one level down (`c.nested` spelled out: no closures for every `else if` of a file). */
function parseElseIf(c: Cursor): Block | IfStmt {
  const start = c.start;
  if (!c.descend("elseIfChain")) {
    c.skipIfChainRest();
    return { kind: "Block", statements: [], span: c.spanFrom(start) };
  }
  try {
    return parseIf(c);
  } finally {
    c.ascend();
  }
}

/**
 * `for (i in a..b)`, `for i in a..b`, `for (k, v) in m`, `for k, v in m`, `for (k in m)`.
 * A `..` after the first expression makes it a range.
 */
function parseFor(c: Cursor): Stmt {
  const start = c.start;
  c.skip();
  let key: Ident;
  let value: Ident | undefined;
  let first: Expr;
  let end: Expr | undefined;
  const header = (): void => {
    first = parseExpression(c);
    if (c.eat("..")) end = parseExpression(c);
  };
  if (c.at("(") && c.peekKind() === "Ident" && c.peekKind(2) === ",") {
    c.skip();
    key = parseIdent(c);
    c.skip();
    value = parseIdent(c, "afterLoopComma");
    c.expect(")", "closeLoopVariables");
    c.expect("in", "afterLoopVariables");
    c.withoutStructLiterals(header);
  } else if (c.at("(")) {
    c.skip();
    c.bracketed(() => {
      key = parseIdent(c, "asLoopVariable");
      if (c.eat(",")) value = parseIdent(c, "afterLoopComma");
      c.expect("in", "afterLoopVariable");
      header();
      c.expect(")", "closeForHeader");
    });
  } else {
    key = parseIdent(c, "asLoopVariable");
    if (c.eat(",")) value = parseIdent(c, "afterLoopComma");
    c.expect("in", "afterLoopVariable");
    c.withoutStructLiterals(header);
  }
  const body = parseBlock(c, "openForBody");
  if (end !== undefined && value === undefined) {
    return { kind: "ForRangeStmt", variable: key!, start: first!, end, body, span: c.spanFrom(start) };
  }
  return { kind: "ForInStmt", key: key!, value, iterable: first!, body, span: c.spanFrom(start) };
}

function parseTry(c: Cursor): Stmt {
  const start = c.start;
  c.skip();
  const body = parseBlock(c, { after: "try" });
  const catches: CatchClause[] = [];
  while (c.at("catch")) {
    const clauseStart = c.start;
    c.skip();
    let pattern: IntLiteral | undefined;
    // The kind first: a token object only for the error.
    const kind = c.kind;
    if (kind === "Int") {
      pattern = intLiteral(c.currentValue as bigint, c.currentText, c.currentSpan);
      c.skip();
    } else if (kind === "Ident" && c.currentText === "_") {
      c.skip();
    } else {
      c.error(E.invalidCatchPattern, c.errorSpan(), describeToken(c.tok));
      // Step over a lone wrong pattern so the clause's block still parses.
      if (kind !== "{") c.skip();
    }
    const clauseBody = parseBlock(c, "afterCatchPattern");
    catches.push({ pattern, body: clauseBody, span: c.spanFrom(clauseStart) });
  }
  return { kind: "TryStmt", body, catches, span: c.spanFrom(start) };
}
