//! The interpreter's state for one test: globals, configs and maps at their declared
//! initial values, the ring-buffer records waiting for user space, the virtual clock and
//! the seeded random numbers, what the test printed, the runs it made; and the functions
//! of the module by name for each side (eBPF code and user-space/test code).

import type * as ir from "../ir.js";
import type { IrConst, IrFunction, IrModule } from "../ir.js";
import type { StructLayout, Type } from "../types.js";
import { BudgetExceeded, NotExact } from "./faults.js";
import { Layouts, type Mem, type Value, asAgg, newMem, store, load } from "./memory.js";
import { MapStore } from "./maps.js";
import type { Span } from "../source.js";

export type Side = "kernel" | "user";

export interface MachineOptions {
  readonly cpu: number;
  readonly cpus: number;
  readonly seed: number;
  readonly stepLimit: number;
  readonly depthLimit: number;
}

/** What the test runs record for the trace (TRACE.md `runs`). */
export interface RunRecord {
  readonly program: string;
  readonly retval: number;
  readonly packet: string | null;
}

/** The defaults for what the current task is, off-kernel (docs/language/testing.md). */
export const virtualTask = { pid: 4242n, tgid: 4242n, ppid: 4241n, uid: 0n, gid: 0n, comm: "kernelscript", cgroupId: 1n };

export class Machine {
  readonly layouts: Layouts;
  readonly globals = new Map<string, { readonly mem: Mem; readonly type: Type }>();
  readonly maps = new Map<string, MapStore>();
  readonly kernelFunctions = new Map<string, IrFunction>();
  readonly userFunctions = new Map<string, IrFunction>();
  readonly programs = new Map<string, ir.IrProgram>();
  readonly runs: RunRecord[] = [];
  /** The slots keeping a helper's local after it returned `&local` (per CPU). */
  readonly escapeSlots = new Map<string, Mem>();
  /** Records submitted to ring buffers / perf event arrays, oldest first, per map. */
  readonly records = new Map<string, { readonly bytes: Uint8Array }[]>();
  /** `print` in eBPF code (the kernel's trace_pipe). */
  readonly tracePipe: string[] = [];
  output = "";
  steps = 0;
  depth = 0;
  /** Virtual clock (ns): advances by 1000 ns at every read. */
  private clock = 1_000_000_000n;
  private random: number;
  ran = 0;

  constructor(readonly module: IrModule, readonly options: MachineOptions) {
    const configStructs: StructLayout[] = module.configs
      .filter((c) => !module.structs.some((s) => s.name === c.name))
      .map((c) => ({ name: c.name, origin: "user", fields: c.fields.map((f) => ({ name: f.name, type: f.type })) }));
    this.layouts = new Layouts([...module.structs, ...configStructs, ...(module.kernelCompat?.structs ?? []), flowKeysLayout]);
    this.random = (options.seed >>> 0) || 1;
    for (const g of module.globals) {
      const mem = newMem(this.layouts.sizeOf(g.type), `global ${g.name}`);
      if (g.init) this.writeConst(mem, 0, g.type, g.init);
      this.globals.set(g.name, { mem, type: g.type });
    }
    for (const c of module.configs) {
      const type: Type = { kind: "struct", name: c.name, origin: "user" };
      const mem = newMem(this.layouts.sizeOf(type), `config ${c.name}`);
      for (const f of c.fields) {
        if (f.default) this.writeConst(mem, this.layouts.field(c.name, f.name).offset, f.type, f.default);
      }
      this.globals.set(c.name, { mem, type });
    }
    for (const m of module.maps) {
      this.maps.set(m.name, new MapStore(m, this.sizeOfKey(m.keyType), this.sizeOfKey(m.valueType), options.cpus));
    }
    for (const f of [...module.helpers, ...module.kernelModule]) this.kernelFunctions.set(f.name, f);
    for (const p of module.programs) {
      this.programs.set(p.name, p);
      this.kernelFunctions.set(p.name, p);
    }
    for (const f of [...module.userFunctions, ...(module.testFunctions ?? [])]) this.userFunctions.set(f.name, f);
    // The helpers test code calls, lowered again for user space, take precedence there.
    for (const f of module.testHelpers ?? []) this.userFunctions.set(f.name, f);
  }

  private sizeOfKey(t: Type): number {
    try {
      return this.layouts.sizeOf(t);
    } catch {
      return 8;
    }
  }

  writeConst(mem: Mem, off: number, t: Type, c: IrConst): void {
    switch (c.kind) {
      case "int": store(this.layouts, mem, off, t, c.value); return;
      case "bool": store(this.layouts, mem, off, t, c.value ? 1n : 0n); return;
      case "array": {
        if (t.kind !== "array") return;
        const size = this.layouts.sizeOf(t.element);
        c.elements.forEach((e, i) => { if (i < t.length) this.writeConst(mem, off + i * size, t.element, e); });
        return;
      }
      case "struct": {
        if (t.kind !== "struct") return;
        for (const f of c.fields) {
          const slot = this.layouts.field(t.name, f.name);
          this.writeConst(mem, off + slot.offset, slot.type, f.value);
        }
        return;
      }
    }
  }

  /** One step of the budget: a statement, a loop iteration or a call. */
  step(span: Span | undefined): void {
    if (++this.steps > this.options.stepLimit) throw new BudgetExceeded("steps", this.options.stepLimit, this.loop ?? span);
  }

  /** The innermost loop running: an exhausted budget points at it (where the time went). */
  loop: Span | undefined;

  enter(span: Span | undefined): void {
    if (++this.depth > this.options.depthLimit) throw new BudgetExceeded("depth", this.options.depthLimit, span);
  }

  leave(): void {
    this.depth--;
  }

  /** `bpf_ktime_get_ns()`: deterministic, strictly increasing. */
  now(): bigint {
    this.clock += 1000n;
    return this.clock;
  }

  /** `bpf_get_prandom_u32()`: xorshift32 from the seed. */
  prandom(): bigint {
    let x = this.random;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.random = x;
    return BigInt(x);
  }

  map(name: string, span: Span | undefined): MapStore {
    const m = this.maps.get(name);
    if (!m) throw new NotExact(`map \`${name}\``, "the interpreter does not know this map", span);
    return m;
  }

  global(name: string): { readonly mem: Mem; readonly type: Type } {
    const g = this.globals.get(name);
    if (!g) throw new NotExact(`global \`${name}\``, "it is not declared in this module", undefined);
    return g;
  }

  /** The value bytes of `v` of type `t` (a key or value for a map). */
  bytesOf(t: Type, v: Value): Uint8Array {
    const mem = newMem(this.layouts.sizeOf(t), "temporary");
    store(this.layouts, mem, 0, t, v);
    return mem.bytes;
  }

  valueOf(t: Type, bytes: Uint8Array, refs?: ReadonlyMap<number, Value>): Value {
    const mem: Mem = { bytes, refs: new Map(refs ?? []), label: "temporary" };
    return load(this.layouts, mem, 0, t);
  }

  aggOf(t: Type, v: Value): ReturnType<typeof asAgg> {
    if (typeof v !== "bigint" && v.kind === "agg") return v;
    const mem = newMem(this.layouts.sizeOf(t), "temporary");
    store(this.layouts, mem, 0, t, v);
    return { kind: "agg", bytes: mem.bytes, refs: mem.refs };
  }
}

/** `struct bpf_flow_keys` (UAPI): what a flow dissector fills in and the test run gives back. */
const u8t: Type = { kind: "int", bits: 8, signed: false };
const u16t: Type = { kind: "int", bits: 16, signed: false };
const u32t: Type = { kind: "int", bits: 32, signed: false };
const be16t: Type = { kind: "int", bits: 16, signed: false, byteOrder: "big" };
const be32t: Type = { kind: "int", bits: 32, signed: false, byteOrder: "big" };
export const flowKeysLayout: StructLayout = {
  name: "bpf_flow_keys", origin: "kernel", size: 56, align: 4,
  fields: [
    { name: "nhoff", type: u16t }, { name: "thoff", type: u16t }, { name: "addr_proto", type: u16t },
    { name: "is_frag", type: u8t }, { name: "is_first_frag", type: u8t }, { name: "is_encap", type: u8t }, { name: "ip_proto", type: u8t },
    { name: "n_proto", type: be16t }, { name: "sport", type: be16t }, { name: "dport", type: be16t },
    { name: "ipv4_src", type: be32t }, { name: "ipv4_dst", type: be32t },
    { name: "ipv6_src", type: { kind: "array", element: u32t, length: 4 } }, { name: "ipv6_dst", type: { kind: "array", element: u32t, length: 4 } },
    { name: "flags", type: u32t }, { name: "flow_label", type: be32t },
  ],
};
