//! A function call's locals: nested scopes of named memory cells (every local is bytes,
//! so `&x` is a pointer like any other), the armed `defer` slots, and for a program run
//! the run's context (the packet, the context object, the tail-call count).

import type { IrFunction } from "../ir.js";
import type { Type } from "../types.js";
import { InternalFault } from "./faults.js";
import type { Layouts, Mem, Value } from "./memory.js";
import { newMem } from "./memory.js";
import type { Side } from "./machine.js";

export interface Local {
  readonly mem: Mem;
  readonly off: number;
  readonly type: Type;
}

/** The program run a kernel-side frame belongs to. */
export interface RunState {
  /** The kind of test run (kernel/program-types.ts `testRun`). */
  readonly kind: "xdpPacket" | "skbPacket" | "netfilterPacket" | "rawArguments";
  /** The packet (data .. data_end), when the program type has one. */
  packet: Mem | undefined;
  readonly context: Value;
  tailCalls: number;
  readonly cpu: number;
  /** Bytes `bpf_xdp_adjust_head` has taken from the headroom so far. */
  headroomUsed: number;
}

export class Frame {
  private readonly scopes: Map<string, Local>[] = [new Map()];
  /** Armed `defer` slots, in the order they were armed. */
  readonly armed: number[] = [];
  /** User space: `if (var e = m[k])` bindings whose copies are written back on assignment. */
  readonly userEntries = new Map<string, { readonly map: string; readonly key: Uint8Array }>();

  constructor(readonly fn: IrFunction, readonly side: Side, readonly run: RunState | undefined, private readonly layouts: Layouts) {}

  push(): void {
    this.scopes.push(new Map());
  }

  pop(): void {
    this.scopes.pop();
  }

  /** A new zeroed local in the innermost scope. */
  declare(name: string, type: Type): Local {
    const local: Local = { mem: newMem(this.layouts.sizeOf(type), `local ${name}`), off: 0, type };
    this.scopes[this.scopes.length - 1]!.set(name, local);
    return local;
  }

  /** A name bound to existing memory (a map entry in place). */
  bind(name: string, local: Local): void {
    this.scopes[this.scopes.length - 1]!.set(name, local);
  }

  /** Declares in the outermost scope (defer captures live for the whole call). */
  declareOuter(name: string, type: Type): Local {
    const local: Local = { mem: newMem(this.layouts.sizeOf(type), `local ${name}`), off: 0, type };
    this.scopes[0]!.set(name, local);
    return local;
  }

  lookup(name: string): Local {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const local = this.scopes[i]!.get(name);
      if (local) return local;
    }
    throw new InternalFault(`local \`${name}\` is not declared in ${this.fn.name}`, undefined);
  }

  has(name: string): boolean {
    return this.scopes.some((s) => s.has(name));
  }
}
