//! What the checker learns about packet access while it walks a function: the bounds of
//! locals that header offsets use, which locals are assigned, and every proven header
//! binding (lowering reads the bindings from `Semantics.packetBindings`).

import type * as ast from "../ast.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import type { RangeReason } from "../diagnostics/catalog/safety.js";

/** An inclusive integer interval; `max === undefined` means no upper bound is known. */
export interface ValueRange {
  readonly min: bigint;
  readonly max: bigint | undefined;
  /** Why the bound is what it is (for the "no bound" label, E0405). */
  readonly why: RangeReason;
}

/** A proven `if (var h: *T = ctx.header(offset))`. */
export interface HeaderBinding {
  /** The pointee `T`. */
  readonly header: Type;
  /** `sizeof(T)`: the bytes the check proves. */
  readonly size: number;
  /** The offset's proven maximum; equal to its value when it is constant. */
  readonly maxOffset: bigint;
  readonly constantOffset: bigint | undefined;
}

/**
 * A packet byte read without a proof (`*ctx.data`, `*(ctx.data + 4)`, `ctx.data[4]`) in
 * an XDP or TC program: lowering reads it through a binding it adds, and a packet too
 * short for it ends the program with `action` (W0276).
 */
export interface ImplicitPacketRead {
  /** The context expression (`ctx`). */
  readonly context: ast.Expr;
  readonly offset: bigint;
  /** `XDP_ABORTED` / `TC_ACT_SHOT` and its value. */
  readonly action: string;
  readonly actionValue: bigint;
}

export class PacketFacts {
  /** Reads given a generated bounds check, by the `*`/index expression. */
  readonly implicitReads = new Map<ast.Expr, ImplicitPacketRead>();
  /** The initialiser of each local, by symbol id: its range bounds the local. */
  readonly localInits = new Map<number, ast.Expr>();
  /** `for (i in a..b)`: the bounds of the loop variable, by symbol id. */
  readonly loopBounds = new Map<number, { readonly start: ast.Expr; readonly end: ast.Expr }>();
  /** Set while an assignment target is checked: raw packet access there is a write. */
  writing = false;
  /** Locals assigned after their declaration, by symbol id → the first assignment. */
  readonly assigned = new Map<number, Span>();
  /** Locals whose declared range a proof relied on. */
  readonly offsetDependencies: { readonly id: number; readonly name: string; readonly span: Span }[] = [];
  readonly bindings = new Map<ast.IfStmt, HeaderBinding>();
}
