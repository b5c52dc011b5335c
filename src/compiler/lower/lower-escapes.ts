//! `return &local` in an eBPF `@helper` (W0272): the local is copied into a one-entry
//! per-CPU array of its own when the helper returns, and the pointer returned is into
//! that slot, so it outlives the helper's stack frame:
//!
//!   { T *slot = <escapeSlot>; if (!slot) return NULL; *slot = local; return &(*slot)…; }
//!
//! Copying on return is the same as the local living in the slot: nothing can observe
//! the local after its function returned, and eBPF forbids storing a pointer to the
//! stack anywhere that outlives the call.

import type { Semantics } from "../check/semantics.js";
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
  switch (e.kind) {
    case "local": return e;
    case "unary": if (e.op === "&") return baseLocal(e.operand); break;
    case "field": if (!e.viaPointer) return baseLocal(e.target); break;
    case "index": return baseLocal(e.target);
    default: break;
  }
  throw new InternalError(`escaping pointer is not to a local (${e.kind})`);
}

/** `value` with the local `name` read through `slot` instead. */
function throughSlot(e: ir.IrExpr, name: string, slot: ir.IrExpr): ir.IrExpr {
  switch (e.kind) {
    case "local": return e.name === name ? { kind: "unary", op: "*", operand: slot, type: e.type, span: e.span } : e;
    case "unary": return { ...e, operand: throughSlot(e.operand, name, slot) };
    case "field": return { ...e, target: throughSlot(e.target, name, slot) };
    case "index": return { ...e, target: throughSlot(e.target, name, slot) };
    default: return e;
  }
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
