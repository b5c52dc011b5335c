//! Packet bytes read without a proof (W0276): `*ctx.data`, `*(ctx.data + k)`, `ctx.data[k]`
//! in an XDP or TC program. The read becomes statements hoisted before the statement
//! that contains it (`FunctionLowering.pending`, which keeps `&&`/`||` and loop
//! conditions evaluating it only when they would):
//!
//!     var %pkt: u8
//!     if (var %pktp: *u8 = ctx.header(k)) { %pkt = *%pktp } else { return XDP_ABORTED }
//!
//! so the C is the ordinary header binding the verifier accepts, and the `return` is an
//! ordinary one: references still held there are leaks (E0420), defers run.

import type * as ast from "../ast.js";
import type { ImplicitPacketRead } from "../check/packet-facts.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { FunctionLowering } from "./lower.js";

/** The lowered read when `expr` is one the checker gave a generated bounds check. */
export function implicitPacketRead(l: FunctionLowering, expr: ast.Expr): ir.IrExpr | undefined {
  // Asked for every expression; most programs have no such read, then no look-up.
  const reads = l.semantics.implicitPacketReads;
  const read = reads.size === 0 ? undefined : reads.get(expr);
  if (!read) return undefined;
  const span = expr.span;
  const byte = l.typeOf(expr);
  const returnType = l.info.returnType;
  const value = l.temporary("pkt");
  const pointer = l.temporary("pktp");
  const pointerType: Type = { kind: "pointer", target: byte, header: true };
  const offsetType: Type = { kind: "int", bits: 32, signed: false };
  l.pending.push({ kind: "declare", name: value, type: byte, init: undefined, unread: false, span });
  l.pending.push({
    kind: "ifPacketHeader", binding: pointer, context: l.expr(read.context),
    offset: { kind: "int", value: read.offset, text: String(read.offset), type: offsetType, span },
    header: byte, maxOffset: read.offset, constantOffset: read.offset,
    then: [{
      kind: "assign", target: { kind: "local", name: value, type: byte }, op: "=", atomic: false, span,
      value: { kind: "unary", op: "*", operand: { kind: "local", name: pointer, type: pointerType, span }, type: byte, span },
    }],
    else: [{ kind: "return", value: shortPacketResult(read, returnType, span), span }],
    span,
  });
  return { kind: "local", name: value, type: byte, span };
}

/** `XDP_ABORTED` by name (vmlinux.h has it); `TC_ACT_SHOT` is a macro vmlinux.h lacks, so its value. */
function shortPacketResult(read: ImplicitPacketRead, type: Type, span: ast.Expr["span"]): ir.IrExpr {
  return read.action.startsWith("XDP_")
    ? { kind: "constant", name: read.action, value: read.actionValue, type, span }
    : { kind: "int", value: read.actionValue, text: String(read.actionValue), type, span };
}
