//! Lowering of `throw`, `try`/`catch`, `defer`, calls that may throw, and named results.
//!
//! The design (the same on both sides, so behaviour cannot drift between eBPF and user
//! space; no setjmp/longjmp, which eBPF cannot have and which would skip defers):
//!
//! - A function an error can leave (check/errors.ts computes them over the call graph)
//!   takes a hidden last parameter, a pointer to the caller's error state
//!   (`struct ks_error { code; thrown; }`). Passing a pointer to the caller's stack is
//!   what the verifier allows for bpf-to-bpf calls, and helpers are inlined anyway.
//! - A function that throws, catches or calls such a function has its own error state.
//!   `throw v` stores the code, sets `thrown` and jumps forward (`goto`) to the nearest
//!   enclosing catch dispatch of the function, or to the function's raise path that
//!   copies the state to the caller's and leaves. Only forward jumps: the verifier
//!   sees ordinary branches, no loops.
//! - A call that may throw is hoisted out of its expression into a statement
//!   (`tryCall`) so the check runs right after the call and before anything else of
//!   the statement has effects. Left-to-right order is kept; the right operand of
//!   `&&`/`||` is hoisted into a branch so it still runs only when needed; a `while`
//!   condition becomes `while (true) { …; if (!cond) break; … }` so it is re-evaluated.
//! - `defer call(args)` evaluates the arguments at the `defer` (as Go does: locals may be
//!   out of scope at exit) into function-lifetime slots and arms a flag; every exit
//!   (`return`, an error leaving the function, the end of the body) goes through one exit
//!   path that runs the armed calls in reverse source order. Without loops around them
//!   (E0503) the defers that ran did so in source order, so reverse order is LIFO.
//! - Named results are ordinary locals declared (zeroed) at the top; a naked `return`
//!   and the end of the body return them.

import { whileLowering } from "./lower-loops.js";
import type * as ast from "../ast.js";
import type { FunctionInfo } from "../check/semantics.js";
import { alwaysReturns } from "../check/statements.js";
import { irTemporary } from "../names.js";
import type * as ir from "../ir.js";
import { boolType } from "../types.js";
import type { FunctionLowering } from "./lower.js";
import { InternalError } from "./lower.js";
import { lowerPrintCall } from "./lower-runtime.js";
import { unparenthesize } from "../ast.js";

/** Per-function state of the error lowering. */
export class ErrorLowering {
  private temporaries = 0;
  readonly defers: ir.IrDeferSlot[] = [];
  /** Whether the function throws, catches or calls a throwing function. */
  handles = false;

  constructor(readonly throwingNames: ReadonlySet<string>) {}

  temporary(purpose: string): string {
    return irTemporary(purpose, this.temporaries++);
  }

  frame(throws: boolean): ir.IrErrorFrame | undefined {
    if (!throws && !this.handles && this.defers.length === 0) return undefined;
    return { throws, handles: this.handles || throws, defers: this.defers };
  }
}

export function lowerThrow(l: FunctionLowering, stmt: ast.ThrowStmt): ir.IrStmt[] {
  l.errors.handles = true;
  const origin = l.semantics.errorFlow.throwOrigins.get(stmt);
  if (origin === undefined) throw new InternalError("throw without origin");
  return [{ kind: "throw", value: l.expr(stmt.value), origin, span: stmt.span }];
}

export function lowerTry(l: FunctionLowering, stmt: ast.TryStmt): ir.IrStmt[] {
  // The error state comes with the first throw or throwing call; a try without either
  // (W0214) needs none: its catch clauses are never written.
  return [{
    kind: "try",
    body: l.block(stmt.body.statements),
    catches: stmt.catches.map((c) => ({ pattern: c.pattern?.value, body: l.block(c.body.statements), span: c.span })),
    span: stmt.span,
  }];
}

/** Values that need no capture: they mean the same at the `defer` and at exit. */
function isConstant(e: ir.IrExpr): boolean {
  return e.kind === "int" || e.kind === "bool" || e.kind === "string" || e.kind === "null" || e.kind === "constant" || e.kind === "programRef";
}

export function lowerDefer(l: FunctionLowering, stmt: ast.DeferStmt): ir.IrStmt[] {
  const call = unparenthesize(stmt.expr);
  if (call.kind !== "CallExpr") throw new InternalError("defer of a non-call");
  const slot = l.errors.defers.length;
  const captures: { name: string; type: ir.IrExpr["type"] }[] = [];
  const values: ir.IrExpr[] = [];
  const capture = (value: ir.IrExpr): ir.IrExpr => {
    if (isConstant(value)) return value;
    const name = irTemporary(`defer${slot}_`, captures.length);
    captures.push({ name, type: value.type });
    values.push(value);
    return { kind: "local", name, type: value.type, span: value.span };
  };
  let action: ir.IrStmt;
  if (l.isPrintCall(call)) {
    action = lowerPrintCall(l.semantics.references, call, stmt.span, (a) => capture(l.expr(a)));
  } else {
    const lowered = l.expr(call);
    if (lowered.kind !== "call" && lowered.kind !== "builtin") throw new InternalError(`deferred ${lowered.kind}`);
    action = { kind: "expr", expr: { ...lowered, args: lowered.args.map(capture) }, span: stmt.span };
  }
  l.errors.defers.push({ index: slot, captures, action, span: stmt.span });
  return [{ kind: "defer", slot, values, span: stmt.span }];
}

/** A call to a function that may throw: hoisted into `l.pending`, its value in a temporary. */
export function hoistThrowingCall(l: FunctionLowering, call: Extract<ir.IrExpr, { kind: "call" }>, used: boolean): ir.IrExpr {
  l.errors.handles = true;
  if (!used) {
    l.pending.push({ kind: "tryCall", result: undefined, callee: call.callee, args: call.args, type: call.type, span: call.span });
    return call;
  }
  const result = l.errors.temporary("r");
  l.pending.push({ kind: "tryCall", result, callee: call.callee, args: call.args, type: call.type, span: call.span });
  return { kind: "local", name: result, type: call.type, span: call.span };
}

/**
 * `a && b` / `a || b` whose right operand hoisted statements: `t = a; if (t) { …; t = b }`
 * (`if (!t)` for `||`), so `b`'s calls still run only when `a` does not decide.
 */
export function lowerShortCircuit(l: FunctionLowering, expr: ast.BinaryExpr): ir.IrExpr | undefined {
  const left = l.expr(expr.left);
  const right = l.withPrelude(() => l.expr(expr.right));
  const span = expr.span;
  if (right.prelude.length === 0) return { kind: "binary", op: expr.op, left, right: right.value, type: boolType, span };
  const name = l.errors.temporary("c");
  const t: ir.IrExpr = { kind: "local", name, type: boolType, span };
  l.pending.push({ kind: "declare", name, type: boolType, init: left, unread: false, span });
  const condition: ir.IrExpr = expr.op === "&&" ? t : { kind: "unary", op: "!", operand: t, type: boolType, span };
  l.pending.push({
    kind: "if", condition, else: undefined, span,
    then: [...right.prelude, { kind: "assign", target: { kind: "local", name, type: boolType }, op: "=", value: right.value, atomic: false, span }],
  });
  return t;
}

/** `while (cond)` whose condition hoisted statements: `while (true) { …; if (!cond) break; body }`. */
export function lowerWhile(l: FunctionLowering, stmt: ast.WhileStmt): ir.IrStmt[] {
  const condition = l.withPrelude(() => l.expr(stmt.condition));
  const body = l.block(stmt.body.statements);
  const span = stmt.span;
  const lowering = whileLowering(l.side, l.semantics.loops.get(stmt), body);
  if (condition.prelude.length === 0) return [{ kind: "while", condition: condition.value, body, lowering, span }];
  const exit: ir.IrStmt = {
    kind: "if", condition: { kind: "unary", op: "!", operand: condition.value, type: boolType, span: stmt.condition.span },
    then: [{ kind: "break", span }], else: undefined, span,
  };
  return [{ kind: "while", condition: { kind: "bool", value: true, type: boolType, span }, body: [...condition.prelude, exit, ...body], lowering, span }];
}

/** The named result's declaration (zeroed) before the body, and its return at the end. */
export function namedResultFrame(l: FunctionLowering, info: FunctionInfo, body: ast.Block): { before: ir.IrStmt[]; after: ir.IrStmt[] } {
  const decl = info.decl;
  if (decl.kind !== "FunctionDecl" || !decl.returnName) return { before: [], after: [] };
  const result = l.namedResult;
  if (!result) throw new InternalError("named result not declared");
  const span = decl.returnName.span;
  const before: ir.IrStmt[] = [{ kind: "declare", name: result.name, type: result.type, init: undefined, unread: false, span }];
  const after: ir.IrStmt[] = alwaysReturns(body.statements) ? [] : [{ kind: "return", value: result, span: body.span }];
  return { before, after };
}
