//! C for safe packet access: the header binding (`if (var h: *T = ctx.header(off))`)
//! and the byte-order conversions.
//!
//! The binding is written as the verifier expects a bounds check:
//!
//!     {
//!         struct iphdr *ip = (struct iphdr *)((__u8 *)(long)ctx->data + OFFSET);
//!         if ((__u8 *)(ip + 1) <= (__u8 *)(long)ctx->data_end) { … } else { … }
//!     }
//!
//! `ip + 1` keeps the pointer's identity, so the comparison proves `sizeof(T)` bytes
//! for `ip` itself; a variable OFFSET has a bound the checker proved (and the verifier
//! re-derives from the same arithmetic), noted in a comment.
//!
//! Inside a C loop the context pointer goes through an empty `asm` first: otherwise
//! clang may keep `&ctx->data_end` in a register across iterations (loop-invariant
//! code motion), and the verifier refuses a load through a moved context pointer
//! ("dereference of modified ctx ptr").

import type * as ir from "../ir.js";
import { cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { localName, temporaryName } from "../names.js";

export interface StatementWriter {
  expr(e: ir.IrExpr): string;
  statements(statements: readonly ir.IrStmt[]): void;
  /** Whether the binding is inside a C loop (then the context pointer is pinned). */
  readonly inCLoop: boolean;
  temporary(): number;
}

export function emitHeaderBinding(w: CWriter, s: Extract<ir.IrStmt, { kind: "ifPacketHeader" }>, code: StatementWriter): void {
  const binding = localName(s.binding);
  const type = cTypeName(s.header);
  const pinned = code.inCLoop ? temporaryName("ctx", code.temporary()) : undefined;
  const context = pinned ?? code.expr(s.context);
  const start = s.constantOffset === 0n ? `(__u8 *)(long)${context}->data` : `((__u8 *)(long)${context}->data + ${code.expr(s.offset)})`;
  w.block("", () => {
    if (pinned) {
      w.line(`__typeof__(${code.expr(s.context)}) ${pinned} = ${code.expr(s.context)};`);
      w.line(`asm volatile("" : "+r"(${pinned}));`);
    }
    if (s.constantOffset === undefined) w.comment(`bounds check of \`${s.binding}\`: its offset is at most ${s.maxOffset} (proven by the compiler)`);
    w.line(`${type} *${binding} = (${type} *)${start};`);
    // At a run-time offset the verifier learns the bound on the register the check
    // compares; without CO-RE relocations clang may compare one copy of data + offset
    // and read through another, which the verifier then refuses. One opaque register
    // for the pointer keeps the check and the reads on the same value.
    if (s.constantOffset === undefined) w.line(`asm volatile("" : "+r"(${binding}));`);
    w.ifElse(`(__u8 *)(${binding} + 1) <= (__u8 *)(long)${context}->data_end`,
      () => code.statements(s.then), s.else && (() => code.statements(s.else!)));
  });
}

/**
 * `bpf_ntohs(x)` in eBPF (<bpf/bpf_endian.h>), `ntohs(x)` in user space (<arpa/inet.h>).
 * A constant operand uses the `__bpf_constant_*` form: swapped at compile time.
 */
export function byteOrderCall(side: "kernel" | "user", e: Extract<ir.IrExpr, { kind: "byteOrder" }>, operand: string): string {
  if (side === "user") return `${e.name}(${operand})`;
  if (e.operand.kind === "int" && e.operand.value > 255n) {
    // Protocol numbers read best in hex (`0x0800` for ETH_P_IP).
    return `__bpf_constant_${e.name}(0x${e.operand.value.toString(16).padStart(e.name.endsWith("s") ? 4 : 8, "0")})`;
  }
  const constant = e.operand.kind === "int" || e.operand.kind === "constant";
  return constant ? `__bpf_constant_${e.name}(${operand})` : `bpf_${e.name}(${operand})`;
}
