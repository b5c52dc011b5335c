//! Meanings given to KernelScript 0.1.1 constructs it leaves undefined: `print` as a
//! value, an integer compared with null (W0273), and `return &local` in an eBPF
//! `@helper` (W0272): the local is copied into a one-entry
//! per-CPU array of its own when the helper returns, and the pointer returned is into
//! that slot, so it outlives the helper's stack frame:
//!
//!   { T *slot = <escapeSlot>; if (!slot) return NULL; *slot = local; return &(*slot)…; }
//!
//! Copying on return is the same as the local living in the slot: nothing can observe
//! the local after its function returned, and eBPF forbids storing a pointer to the
//! stack anywhere that outlives the call.

import type * as ast from "../ast.js";
import type { Semantics } from "../check/semantics.js";
import { boolType } from "../types.js";
import { lowerPrintCall } from "./lower-runtime.js";
import { unparenthesize } from "../ast.js";
import { lowerReturnMatch } from "./lower-match.js";
import { coerce } from "./lower-strings.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";
import type { FunctionLowering } from "./lower.js";
import { InternalError } from "./lower.js";

/** The slots of a module: one per (helper, local) that some `return &local` keeps. */
export function escapeSlots(semantics: Semantics): ir.IrEscapeSlot[] {
  const slots = new Map<string, ir.IrEscapeSlot>();
  for (const escape of semantics.escapingLocals.values()) {
    const key = `${escape.helper}\u0000${escape.local}`;
    if (!slots.has(key)) slots.set(key, { helper: escape.helper, local: escape.local, type: escape.type });
  }
  return [...slots.values()];
}

/** The local at the base of `&local.f[i]…`, as lowered. */
function baseLocal(e: ir.IrExpr): Extract<ir.IrExpr, { kind: "local" }> {
  // Only the place chain of `&local.f[i]` (the checker proved that shape), so no switch.
  if (e.kind === "local") return e;
  if (e.kind === "unary" && e.op === "&") return baseLocal(e.operand);
  if (e.kind === "field" && !e.viaPointer) return baseLocal(e.target);
  if (e.kind === "index") return baseLocal(e.target);
  throw new InternalError(`escaping pointer is not to a local (${e.kind})`);
}

/** `value` with the local `name` read through `slot` instead. */
function throughSlot(e: ir.IrExpr, name: string, slot: ir.IrExpr): ir.IrExpr {
  if (e.kind === "local") return e.name === name ? { kind: "unary", op: "*", operand: slot, type: e.type, span: e.span } : e;
  if (e.kind === "unary") return { ...e, operand: throughSlot(e.operand, name, slot) };
  if (e.kind === "field" || e.kind === "index") return { ...e, target: throughSlot(e.target, name, slot) };
  return e;
}

export function lowerEscapingReturn(
  l: FunctionLowering, value: ir.IrExpr, escape: { readonly helper: string; readonly local: string; readonly type: Type }, span: Span,
): ir.IrStmt[] {
  const local = baseLocal(value);
  const pointerType: Type = { kind: "pointer", target: local.type };
  const slotName = l.temporary("slot");
  const slot: ir.IrExpr = { kind: "local", name: slotName, type: pointerType, span };
  const returnType = l.info.returnType;
  return [{
    kind: "block", span, body: [
      { kind: "declare", name: slotName, type: pointerType, init: { kind: "escapeSlot", helper: escape.helper, local: escape.local, type: pointerType, span }, unread: false, span },
      { kind: "if", condition: { kind: "unary", op: "!", operand: slot, type: { kind: "bool" }, span }, then: [{ kind: "return", value: { kind: "null", type: returnType, span }, span }], else: undefined, span },
      { kind: "assign", target: { kind: "deref", pointer: slot, type: local.type }, op: "=", value: local, atomic: false, span },
      { kind: "return", value: throughSlot(value, local.name, slot), span },
    ],
  }];
}

/** `print(…)` used as a value: the number of bytes written (negative on failure), an `i32`. */
export function lowerPrintValue(l: FunctionLowering, expr: ast.CallExpr): ir.IrExpr {
  const result = l.temporary("printed");
  return { kind: "valueBlock", result, body: [lowerPrintCall(l.semantics.references, expr, expr.span, (a) => l.expr(a), result)], type: l.typeOf(expr), span: expr.span };
}

/** `n == null` / `n != null` on an integer: compared with 0, as KernelScript 0.1.1's C does. */
export function lowerIntegerNullTest(l: FunctionLowering, expr: ast.BinaryExpr, integer: ast.Expr): ir.IrExpr {
  const value = l.expr(integer);
  const zero: ir.IrExpr = { kind: "int", value: 0n, text: "0", type: value.type, span: expr.span };
  return { kind: "binary", op: expr.op, left: value, right: zero, type: boolType, span: expr.span };
}

/** `return`, `return e`, a tail call, `return match`, or a helper's `return &local`. */
export function lowerReturn(l: FunctionLowering, stmt: ast.ReturnStmt): ir.IrStmt[] {
  const span = stmt.span;
  if (!stmt.value) return [{ kind: "return", value: l.namedResult, span }];
  const tail = l.tailCall(stmt.value, span);
  if (tail) return tail;
  const value = unparenthesize(stmt.value);
  if (value.kind === "MatchExpr") return lowerReturnMatch(l, value, l.info.returnType, span);
  const escape = l.semantics.escapingLocals.get(value);
  if (escape) return lowerEscapingReturn(l, l.expr(value), escape, span);
  return [{ kind: "return", value: coerce(l.expr(value), l.info.returnType), span }];
}
