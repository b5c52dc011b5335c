//! Lowering of ring buffer operations, `new`/`delete` and pointer bindings
//! (`if (var p = pointer)`) into their explicit IR nodes. Called from `lower.ts`.

import type * as ast from "../ast.js";
import type { Symbol } from "../check/semantics.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { i32 } from "../types.js";
import { gfpFlagOf } from "../check/kmod.js";

/** What these functions need from the per-function lowering in `lower.ts`. */
export interface Lowering {
  expr(expr: ast.Expr): ir.IrExpr;
  typeOf(expr: ast.Expr): Type;
  mapName(expr: ast.Expr): string | undefined;
  readonly semantics: { readonly references: ReadonlyMap<ast.NameExpr, Symbol>; readonly typeOperands: ReadonlyMap<ast.TypeExpr, Type> };
  /** IR names of locals declared `var e = rb.reserve()`. */
  readonly reservedLocals: ReadonlySet<string>;
}

/** The ring buffer and method of `rb.method(…)`, when `callee` is one. */
function ringbufMethod(l: Lowering, callee: ast.Expr): { map: string; method: string } | undefined {
  if (callee.kind !== "FieldExpr") return undefined;
  const map = l.mapName(callee.target);
  return map ? { map, method: callee.field.name } : undefined;
}

/** `rb.submit(e)`, `rb.discard(e)`, `rb.on_event(f)` as statements. */
export function lowerRingbufStatement(l: Lowering, expr: ast.Expr, span: ast.Expr["span"]): ir.IrStmt | undefined {
  if (expr.kind !== "CallExpr") return undefined;
  const found = ringbufMethod(l, expr.callee);
  if (!found) return undefined;
  const arg = expr.args[0];
  switch (found.method) {
    case "submit": case "discard":
      if (!arg) return undefined;
    {
      const record = l.expr(arg);
      const ifReserved = record.kind === "local" && l.reservedLocals.has(record.name);
      return { kind: "ringbufRelease", op: found.method, map: found.map, record, ifReserved, span };
    }
    case "on_event": {
      const symbol = arg?.kind === "NameExpr" ? l.semantics.references.get(arg) : undefined;
      if (symbol?.kind !== "function") return undefined;
      return { kind: "onEvent", map: found.map, handler: symbol.info.name, span };
    }
    default: return undefined;
  }
}

/** `rb.reserve()` and `dispatch(rb, …)` as expressions. */
export function lowerRingbufCall(l: Lowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  const span = expr.span;
  const found = ringbufMethod(l, expr.callee);
  if (found?.method === "reserve") return { kind: "ringbufReserve", map: found.map, type: l.typeOf(expr), span };
  if (expr.callee.kind === "NameExpr" && expr.callee.name.name === "dispatch" && !l.semantics.references.has(expr.callee)) {
    const maps = expr.args.map((a) => l.mapName(a)).filter((m): m is string => m !== undefined);
    // `dispatch(rb…, timeout)`: the last argument, when not a map, is the timeout in ns.
    const last = expr.args[expr.args.length - 1];
    if (expr.args.length > 1 && last && l.mapName(last) === undefined) return { kind: "dispatch", maps, timeout: l.expr(last), type: i32, span };
    return { kind: "dispatch", maps, type: i32, span };
  }
  return undefined;
}

export function lowerNew(l: Lowering, expr: ast.NewExpr): ir.IrExpr {
  const of = l.semantics.typeOperands.get(expr.type);
  if (!of) throw new Error("internal: `new` without a resolved type");
  const gfp = gfpFlagOf(expr);
  return gfp ? { kind: "objectNew", of, type: l.typeOf(expr), span: expr.span, gfp } : { kind: "objectNew", of, type: l.typeOf(expr), span: expr.span };
}

/** `if (var p = pointer)`; undefined when the binding is a map entry. */
export function lowerPointerBinding(
  l: Lowering,
  stmt: ast.IfStmt,
  symbol: Symbol | undefined,
  then: () => ir.IrStmt[],
  elseBranch: readonly ir.IrStmt[] | undefined,
): ir.IrStmt | undefined {
  if (symbol?.kind !== "local") return undefined;
  return { kind: "ifPointer", binding: symbol.name, type: symbol.type, value: l.expr(stmt.condition), then: then(), else: elseBranch, span: stmt.span };
}
