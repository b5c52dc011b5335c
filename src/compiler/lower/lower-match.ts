//! Lowering of `match` to `if`/`else if` chains.
//!
//! Why chains and not a C `switch`: string patterns need a compare call, not a `case`
//! label; `break`/`continue` inside an arm must keep their loop meaning (a `switch`
//! would capture `break`); and clang turns a chain of `==` tests on one value into a
//! jump table anyway when that is better.
//!
//! The scrutinee is evaluated once (into a temporary unless it is a plain variable or
//! constant). The first `default` becomes the final `else`; arms after it are dropped
//! (the checker warned that they cannot run). Each arm's value goes to a *sink* that
//! decides what to do with it, so the same code serves every use:
//! - `var x = match …` → assignments to `x`;
//! - `return match …` → `return value` in each arm, or the tail call an arm value
//!   `program(ctx)` is in a program (the checker recorded it);
//! - a `match` inside a larger expression → a `valueBlock` (the emitter writes a GNU C
//!   statement expression) assigning a temporary;
//! - a `match` statement → arm values are evaluated only for their side effects.
//! A value match without `default` leaves the zero value when no arm matches.

import { expressionContains } from "../ir-walk.js";
import type * as ast from "../ast.js";
import type { Symbol } from "../check/semantics.js";
import type * as ir from "../ir.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { boolType } from "../types.js";
import { coerce } from "./lower-strings.js";

/** What match lowering needs from the function being lowered. */
export interface MatchLowering {
  expr(expr: ast.Expr): ir.IrExpr;
  block(statements: readonly ast.Stmt[]): ir.IrStmt[];
  typeOf(expr: ast.Expr): Type;
  /** A fresh compiler temporary's IR name. */
  temporary(purpose: string): string;
  patternConstant(name: ast.Ident): Extract<Symbol, { kind: "constant" }>;
  /** The tail call `value` is when it is returned, if the checker found it is one. */
  tailCall(value: ast.Expr, span: Span): ir.IrStmt[] | undefined;
}

/** Statements for an arm's value (not yet lowered: a returned one may be a tail call). */
type Sink = (value: ast.Expr, span: Span) => ir.IrStmt[];

/** A `match` statement. */
export function lowerMatchStatement(l: MatchLowering, match: ast.MatchExpr): ir.IrStmt[] {
  return lowerChain(l, match, (arm) => {
    if (arm.body.kind === "Block") return l.block(arm.body.statements);
    const value = l.expr(arm.body);
    return hasEffects(value) ? [{ kind: "expr", expr: value, span: arm.body.span }] : [];
  });
}

/** `var x = match …` / `x = match …`: each arm assigns `target`. */
export function lowerMatchInto(l: MatchLowering, match: ast.MatchExpr, target: ir.IrPlace): ir.IrStmt[] {
  const sink: Sink = (value, span) => [{ kind: "assign", target, op: "=", value: coerce(l.expr(value), target.type), atomic: false, span }];
  return lowerChain(l, match, (arm) => armValue(l, arm, sink));
}

/** `return match …`: each arm returns its value; no match returns the zero value. */
export function lowerReturnMatch(l: MatchLowering, match: ast.MatchExpr, returnType: Type, span: Span): ir.IrStmt[] {
  const sink: Sink = (value, at) => l.tailCall(value, at) ?? [{ kind: "return", value: coerce(l.expr(value), returnType), span: at }];
  const chain = lowerChain(l, match, (arm) => armValue(l, arm, sink));
  if (match.arms.some((a) => a.pattern.kind === "DefaultPattern")) return chain;
  const none = l.temporary("none");
  return [
    ...chain,
    { kind: "declare", name: none, type: returnType, init: undefined, unread: false, span },
    { kind: "return", value: { kind: "local", name: none, type: returnType, span }, span },
  ];
}

/** A `match` inside a larger expression. */
export function lowerMatchValue(l: MatchLowering, match: ast.MatchExpr): ir.IrExpr {
  const type = l.typeOf(match);
  const result = l.temporary("match");
  const body = lowerMatchInto(l, match, { kind: "local", name: result, type });
  return { kind: "valueBlock", result, body, type, span: match.span };
}

/** The if/else-if chain of the arms, each arm's body made by `body`. */
function lowerChain(l: MatchLowering, match: ast.MatchExpr, body: (arm: ast.MatchArm) => ir.IrStmt[]): ir.IrStmt[] {
  const prelude: ir.IrStmt[] = [];
  let scrutinee = l.expr(match.scrutinee);
  if (scrutinee.kind !== "local" && scrutinee.kind !== "constant" && scrutinee.kind !== "int" && scrutinee.kind !== "bool") {
    const name = l.temporary("match_on");
    prelude.push({ kind: "declare", name, type: scrutinee.type, init: scrutinee, unread: false, span: match.scrutinee.span });
    scrutinee = { kind: "local", name, type: scrutinee.type, span: match.scrutinee.span };
  }
  const tests: { condition: ir.IrExpr; arm: ast.MatchArm }[] = [];
  let fallback: ast.MatchArm | undefined;
  for (const arm of match.arms) {
    if (arm.pattern.kind === "DefaultPattern") {
      fallback = arm;
      break;
    }
    tests.push({ condition: patternTest(l, scrutinee, arm.pattern), arm });
  }
  const fallbackBody = fallback ? body(fallback) : [];
  let rest: ir.IrStmt[] | undefined = fallbackBody.length > 0 ? fallbackBody : undefined;
  for (let i = tests.length - 1; i >= 0; i--) {
    const { condition, arm } = tests[i]!;
    rest = [{ kind: "if", condition, then: body(arm), else: rest, span: arm.span }];
  }
  return [...prelude, ...(rest ?? [])];
}

function patternTest(l: MatchLowering, scrutinee: ir.IrExpr, pattern: Exclude<ast.Pattern, { kind: "DefaultPattern" }>): ir.IrExpr {
  const span = pattern.span;
  const equals = (value: ir.IrExpr): ir.IrExpr =>
    scrutinee.type.kind === "str"
      ? { kind: "strEquals", left: scrutinee, right: value, negated: false, type: boolType, span }
      : { kind: "binary", op: "==", left: scrutinee, right: value, type: boolType, span };
  if (pattern.kind === "NamePattern") {
    const symbol = l.patternConstant(pattern.name);
    return equals(symbol.inC
      ? { kind: "constant", name: symbol.name, value: symbol.value, type: symbol.type, span }
      : { kind: "int", value: symbol.value, text: symbol.value.toString(), type: scrutinee.type, span });
  }
  const literal = pattern.literal;
  switch (literal.kind) {
    case "BoolLiteral":
      return literal.value ? scrutinee : { kind: "unary", op: "!", operand: scrutinee, type: boolType, span };
    case "StringLiteral":
      return equals(l.expr(literal));
    case "CharLiteral":
      return equals({ kind: "int", value: BigInt(literal.value), text: String(literal.value), type: scrutinee.type, span });
    case "IntLiteral":
      return equals({ kind: "int", value: literal.value, text: literal.text, type: integerType(scrutinee.type), span });
    case "UnaryExpr": {
      const value = literal.operand.kind === "IntLiteral" ? -literal.operand.value : 0n;
      return equals({ kind: "int", value, text: value.toString(), type: integerType(scrutinee.type), span });
    }
  }
}

/** Enum scrutinees compare with plain integers. */
function integerType(type: Type): Type {
  return type.kind === "enum" ? { kind: "int", bits: 32, signed: false } : type;
}

/** An arm's statements, with its value (expression, tail `return e`, or if/else) sent to `sink`. */
function armValue(l: MatchLowering, arm: ast.MatchArm, sink: Sink): ir.IrStmt[] {
  if (arm.body.kind !== "Block") return sink(arm.body, arm.body.span);
  return tailValue(l, arm.body.statements, sink);
}

function tailValue(l: MatchLowering, statements: readonly ast.Stmt[], sink: Sink): ir.IrStmt[] {
  const last = statements[statements.length - 1];
  const before = l.block(statements.slice(0, -1));
  if (!last) return before;
  switch (last.kind) {
    case "ExprStmt": return [...before, ...sink(last.expr, last.span)];
    case "ReturnStmt": return last.value ? [...before, ...sink(last.value, last.span)] : before;
    case "BlockStmt": return [...before, ...tailValue(l, last.block.statements, sink)];
    case "IfStmt": {
      const otherwise = last.else === undefined ? undefined
        : last.else.kind === "Block" ? tailValue(l, last.else.statements, sink) : tailValue(l, [last.else], sink);
      return [...before, { kind: "if", condition: l.expr(last.condition), then: tailValue(l, last.then.statements, sink), else: otherwise, span: last.span }];
    }
    default: return [...before, ...l.block([last])];
  }
}

/** Whether evaluating an expression of each kind, by itself, can do anything besides computing a value. */
const effectful: Readonly<Record<ir.IrExpr["kind"], boolean>> = {
  call: true, builtin: true, valueBlock: true, callValue: true, testCall: true, dispatch: true,
  // push/pop/output change the map; a record or object that is dropped must be reported.
  mapMethod: true, ringbufReserve: true, objectNew: true,
  int: false, bool: false, string: false, null: false, constant: false, local: false, global: false, entry: false,
  binary: false, unary: false, cast: false, field: false, contextField: false, index: false, mapLookup: false,
  mapEntryPointer: false, mapContains: false, functionRef: false, programRef: false, structLiteral: false,
  arrayLiteral: false, sizeof: false, byteOrder: false, strConcat: false, strEquals: false, strIndex: false,
  strConvert: false, strBytes: false, escapeSlot: false,
  // Reads of the current task and of memory: no effect, but a call each time.
  tracing: false, stringRead: false,
};

/** Whether evaluating `e` can do anything besides computing a value (calls, map methods). */
function hasEffects(e: ir.IrExpr): boolean {
  return expressionContains(e, (x) => effectful[x.kind]);
}
