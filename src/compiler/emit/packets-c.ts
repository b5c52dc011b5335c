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
//!
//! Packet bounds read once (`packetBoundsOf`): a function whose context parameter is
//! only read (its fields, header bindings) reads `ctx->data` and `ctx->data_end` once,
//! into locals at its entry, as hand-written C does; each binding then compares and
//! reads through those registers. Read through `ctx` at each binding, clang must read
//! them again after every helper call (a call may write any memory), and in a C loop
//! the context pointer needs pinning. The rule is sound only while nothing can move
//! the packet: the helpers that do (`bpf_xdp_adjust_head`, `bpf_skb_pull_data`, …) all
//! take the context, so any other use of the parameter (an argument of any call, an
//! assignment, its address, a local of the same name) keeps the reads at each binding.

import type * as ir from "../ir.js";
import { cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { localName, temporaryName } from "../names.js";
import { isCallbackLoop, walkStatements } from "../ir-walk.js";

/** The locals holding a context parameter's packet bounds (see the file comment), each declared only where read. */
export interface PacketBounds {
  readonly data: string;
  readonly dataEnd: string;
  readonly readsData: boolean;
  readonly readsDataEnd: boolean;
}

/**
 * The context parameters of `fn` whose packet bounds are read once at entry, by name:
 * those used only as the context of header bindings and field reads, with at least one
 * binding or `data`/`data_end` read outside loop callbacks (a callback is a function of
 * its own, which reads them through its context). Only the bounds read there are
 * declared (an unused local is an error under -Werror).
 */
export function packetBoundsOf(fn: ir.IrFunction): ReadonlyMap<string, PacketBounds> {
  const bounds = new Map<string, PacketBounds>();
  fn.params.forEach((param, index) => {
    let uses = 0, readOnly = 0;
    let other = false, readsData = false, readsDataEnd = false;
    const isParam = (e: ir.IrExpr): boolean => e.kind === "local" && e.name === param.name;
    walkStatements<boolean>(fn.body, {
      statement: (s, inCallback) => {
        if (s.kind === "declare" && s.name === param.name) other = true;
        if (s.kind === "ifPacketHeader" && isParam(s.context)) {
          readOnly++;
          if (!inCallback) readsData = readsDataEnd = true;
        }
      },
      place: (p) => { if (p.kind === "local" && p.name === param.name) other = true; },
      expression: (e, inCallback) => {
        if (isParam(e)) uses++;
        if (e.kind === "contextField" && isParam(e.context)) {
          readOnly++;
          if (!inCallback && e.field === "data") readsData = true;
          if (!inCallback && e.field === "data_end") readsDataEnd = true;
        }
      },
      body: (b, owner, inCallback) => {
        if (b.binds.includes(param.name)) other = true;
        return inCallback || isCallbackLoop(owner);
      },
    }, false);
    if (!other && uses === readOnly && (readsData || readsDataEnd)) {
      bounds.set(param.name, { data: temporaryName("packet", index), dataEnd: temporaryName("packet_end", index), readsData, readsDataEnd });
    }
  });
  return bounds;
}

/** The declarations of `bounds` at a function's entry. */
export function emitPacketBounds(w: CWriter, bounds: ReadonlyMap<string, PacketBounds>): void {
  for (const [param, b] of bounds) {
    if (b.readsData) w.line(`__u8 *${b.data} = (__u8 *)(long)${localName(param)}->data;`);
    if (b.readsDataEnd) w.line(`__u8 *${b.dataEnd} = (__u8 *)(long)${localName(param)}->data_end;`);
  }
}

export interface StatementWriter {
  expr(e: ir.IrExpr): string;
  statements(statements: readonly ir.IrStmt[]): void;
  /** Whether the binding is inside a C loop (then the context pointer is pinned). */
  readonly inCLoop: boolean;
  temporary(): number;
  /** The packet bounds of `context` when they were read once at entry. */
  packetBounds(context: ir.IrExpr): PacketBounds | undefined;
}

export function emitHeaderBinding(w: CWriter, s: Extract<ir.IrStmt, { kind: "ifPacketHeader" }>, code: StatementWriter): void {
  const binding = localName(s.binding);
  const type = cTypeName(s.header);
  const bounds = code.packetBounds(s.context);
  const pinned = code.inCLoop && !bounds ? temporaryName("ctx", code.temporary()) : undefined;
  const context = pinned ?? code.expr(s.context);
  const data = bounds?.data ?? `(__u8 *)(long)${context}->data`;
  const dataEnd = bounds?.dataEnd ?? `(__u8 *)(long)${context}->data_end`;
  const start = s.constantOffset === 0n ? data : `(${data} + ${code.expr(s.offset)})`;
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
    w.ifElse(`(__u8 *)(${binding} + 1) <= ${dataEnd}`,
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
