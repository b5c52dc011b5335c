//! The interpreter's memory: values of the program live in byte buffers laid out as the
//! generated C lays them out (x86-64/eBPF: little-endian, C alignment, bitfields from the
//! low bit up), so a map key, a struct copied into a ring buffer record or a packet
//! header reads back exactly the bytes the kernel would hold. Pointers and function
//! values cannot be bytes here: a buffer keeps them beside its bytes, by offset (`refs`).
//!
//! Kernel objects the program only reaches through fields (a program's context, the
//! netfilter hook state) are `KObj`s: named fields, no layout; a field the interpreter
//! does not model is a `NotExact` (read through BTF, the kernel's own struct).

import type { StructLayout, Type } from "../types.js";
import { packetHeaders } from "../kernel/headers.js";
import { testPacketCapacity } from "../kernel/testing.js";
import { InternalFault, NotExact } from "./faults.js";

/** A region of memory: a local, a global, a map value, the packet, a ring buffer record. */
export interface Mem {
  readonly bytes: Uint8Array;
  /** Pointers and function values stored in it, by byte offset. */
  readonly refs: Map<number, Value>;
  readonly label: string;
  /** The packet: accesses are checked against its length (the verifier's bounds). */
  readonly packet?: boolean;
}

export interface Agg {
  readonly kind: "agg";
  readonly bytes: Uint8Array;
  readonly refs: ReadonlyMap<number, Value>;
}

/** A pointer; `mem` undefined is NULL. */
export interface Ptr {
  readonly kind: "ptr";
  readonly mem: Mem | undefined;
  readonly off: number;
}

/** A kernel object reached through named fields (program contexts, hook state). */
export interface KObj {
  readonly kind: "kobj";
  readonly struct: string;
  readonly fields: Map<string, Value>;
}

export interface FnValue {
  readonly kind: "fn";
  readonly name: string;
}

/** A program used as a value (`load(prog)`'s argument, its handle). */
export interface ProgValue {
  readonly kind: "prog";
  readonly name: string;
}

export type Value = bigint | Agg | Ptr | KObj | FnValue | ProgValue;

export const nullPointer: Ptr = { kind: "ptr", mem: undefined, off: 0 };

export function newMem(size: number, label: string, packet = false): Mem {
  return { bytes: new Uint8Array(size), refs: new Map(), label, ...(packet ? { packet: true } : {}) };
}

export function memOf(agg: Agg, label: string): Mem {
  return { bytes: agg.bytes.slice(), refs: new Map(agg.refs), label };
}

export function zeroAgg(size: number): Agg {
  return { kind: "agg", bytes: new Uint8Array(size), refs: new Map() };
}

export function asInt(v: Value | undefined, what = "an integer"): bigint {
  if (typeof v === "bigint") return v;
  throw new InternalFault(`expected ${what}, found ${v === undefined ? "nothing" : v.kind}`, undefined);
}

export function asAgg(v: Value | undefined): Agg {
  if (v !== undefined && typeof v !== "bigint" && v.kind === "agg") return v;
  throw new InternalFault(`expected a value held in bytes, found ${v === undefined ? "nothing" : typeof v === "bigint" ? "an integer" : v.kind}`, undefined);
}

// ---------------------------------------------------------------------------------------
// Layouts
// ---------------------------------------------------------------------------------------

export interface FieldSlot {
  readonly name: string;
  readonly type: Type;
  readonly offset: number;
  /** A bitfield: its width and its first bit inside the storage unit at `offset`. */
  readonly bits?: { readonly width: number; readonly shift: number; readonly unit: number };
}

export interface Layout {
  readonly name: string;
  readonly size: number;
  readonly align: number;
  readonly fields: ReadonlyMap<string, FieldSlot>;
}

/**
 * The bit positions of the built-in headers' bitfields where the language's table leaves
 * out the kernel's reserved bits: `tcphdr` starts its flag word with `res1:4`.
 */
const headerBitGaps: ReadonlyMap<string, number> = new Map([["tcphdr", 4]]);

/** Members of kernel unions, at the offsets the UAPI header gives them. */
const unionOffsets: ReadonlyMap<string, ReadonlyMap<string, number>> = new Map([
  ["bpf_flow_keys", new Map([["ipv6_src", 16], ["ipv6_dst", 32], ["flags", 48], ["flow_label", 52]])],
]);

/** Struct layouts by name: user structs (from the IR), the built-in headers, the test structs. */
export class Layouts {
  private readonly cache = new Map<string, Layout>();
  private readonly declared = new Map<string, StructLayout>();

  constructor(structs: readonly StructLayout[]) {
    for (const s of structs) this.declared.set(s.name, s);
    for (const h of packetHeaders) {
      if (!this.declared.has(h.name)) {
        this.declared.set(h.name, { name: h.name, origin: "kernel", size: h.size, fields: h.fields.map((f) => ({ name: f.name, type: f.type, ...(f.bits !== undefined ? { bits: f.bits } : {}) })) });
      }
    }
  }

  has(name: string): boolean {
    return this.declared.has(name) || testStructLayouts.has(name);
  }

  layout(name: string): Layout {
    const cached = this.cache.get(name) ?? testStructLayouts.get(name);
    if (cached) return cached;
    const declared = this.declared.get(name);
    if (!declared) throw new NotExact(`the layout of kernel struct \`${name}\``, "its fields are read through the kernel's BTF", undefined);
    const layout = this.compute(declared);
    this.cache.set(name, layout);
    return layout;
  }

  private compute(s: StructLayout): Layout {
    const header = packetHeaders.find((h) => h.name === s.name);
    const fields = new Map<string, FieldSlot>();
    let bit = 0;
    let align = 1;
    for (const f of s.fields) {
      const overlaps = header?.fields.find((h) => h.name === f.name)?.overlaps;
      const fa = Math.max(f.align ?? 1, this.alignOf(f.type));
      align = Math.max(align, fa);
      if (overlaps && overlaps.length > 0) {
        const first = fields.get(overlaps[0]!);
        if (!first) throw new InternalFault(`header field ${f.name} overlaps an unknown field`, undefined);
        fields.set(f.name, { name: f.name, type: f.type, offset: first.offset });
        continue;
      }
      const fixed = unionOffsets.get(s.name)?.get(f.name);
      if (fixed !== undefined) {
        fields.set(f.name, { name: f.name, type: f.type, offset: fixed });
        bit = Math.max(bit, (fixed + this.sizeOf(f.type)) * 8);
        continue;
      }
      if (f.bits !== undefined) {
        const unitBits = this.sizeOf(f.type) * 8;
        if (bit % unitBits === 0 && headerBitGaps.has(s.name) && !fields.has("__gap")) {
          bit += headerBitGaps.get(s.name)!;
          fields.set("__gap", { name: "__gap", type: f.type, offset: 0 });
        }
        // A bitfield that would cross its storage unit starts the next one (SysV ABI).
        if (Math.floor(bit / unitBits) !== Math.floor((bit + f.bits - 1) / unitBits)) bit = Math.ceil(bit / unitBits) * unitBits;
        const unitStart = Math.floor(bit / unitBits) * unitBits;
        fields.set(f.name, { name: f.name, type: f.type, offset: unitStart / 8, bits: { width: f.bits, shift: bit - unitStart, unit: unitBits / 8 } });
        bit += f.bits;
        continue;
      }
      const byte = Math.ceil(bit / 8);
      const offset = Math.ceil(byte / fa) * fa;
      fields.set(f.name, { name: f.name, type: f.type, offset });
      bit = (offset + this.sizeOf(f.type)) * 8;
    }
    fields.delete("__gap");
    const computed = Math.ceil(Math.ceil(bit / 8) / align) * align;
    return { name: s.name, size: s.size ?? computed, align: s.align ?? align, fields };
  }

  sizeOf(t: Type): number {
    switch (t.kind) {
      case "int": return t.bits / 8;
      case "bool": case "char": return 1;
      case "void": return 1;
      case "str": return t.size + 1;
      case "array": return t.length * this.sizeOf(t.element);
      case "pointer": case "function": case "programHandle": case "programRef": case "map": case "null": return 8;
      case "enum": return 4;
      case "struct": return this.layout(t.name).size;
      case "intLiteral": return 8;
      case "error": throw new InternalFault("a value of the error type", undefined);
    }
  }

  alignOf(t: Type): number {
    switch (t.kind) {
      case "int": return t.bits / 8;
      case "array": return this.alignOf(t.element);
      case "str": case "bool": case "char": case "void": return 1;
      case "enum": return 4;
      case "struct": return this.layout(t.name).align;
      case "pointer": case "function": case "programHandle": case "programRef": case "map": case "null": case "intLiteral": case "error": return 8;
    }
  }

  field(struct: string, name: string): FieldSlot {
    const layout = this.layout(struct);
    // Header fields kept in C unions are named by their C path in some IR nodes (`un.echo.id`).
    const slot = layout.fields.get(name) ?? layout.fields.get(packetHeaders.find((h) => h.name === struct)?.fields.find((f) => f.c === name)?.name ?? "");
    if (!slot) throw new NotExact(`field \`${name}\` of \`${struct}\``, "the interpreter has no layout for it", undefined);
    return slot;
  }
}

/** The test runtime's structs, laid out as test-runtime.c declares them (TestPacket's bookkeeping after `data`). */
const u32t: Type = { kind: "int", bits: 32, signed: false };
const u64t: Type = { kind: "int", bits: 64, signed: false };
const packetBytes: Type = { kind: "array", element: { kind: "int", bits: 8, signed: false }, length: testPacketCapacity };
const packetStruct: Type = { kind: "struct", name: "TestPacket", origin: "kernel" };
/** Where TestPacket keeps the builder's bookkeeping (l3_off, l4_off, l3, l4, the auto flags). */
export const packetBookkeeping = 4 + testPacketCapacity;
export const testPacketSize = Math.ceil((packetBookkeeping + 2 + 2 + 1 + 1 + 6) / 4) * 4;
const testRunSize = Math.ceil((testPacketSize + 6 * 4) / 8) * 8 + 12 * 8;
const testStructLayouts: ReadonlyMap<string, Layout> = new Map([
  ["TestPacket", {
    name: "TestPacket", size: testPacketSize, align: 4,
    fields: new Map([["len", { name: "len", type: u32t, offset: 0 }], ["data", { name: "data", type: packetBytes, offset: 4 }]]),
  }],
  ["TestRun", {
    name: "TestRun", size: testRunSize, align: 8,
    fields: new Map<string, FieldSlot>([
      ["packet", { name: "packet", type: packetStruct, offset: 0 }],
      ...["ingress_ifindex", "rx_queue_index", "ifindex", "mark", "priority", "repeat"].map((n, i): [string, FieldSlot] => [n, { name: n, type: u32t, offset: testPacketSize + 4 * i }]),
      ["args", { name: "args", type: { kind: "array", element: u64t, length: 12 }, offset: Math.ceil((testPacketSize + 24) / 8) * 8 }],
    ]),
  }],
  ["TestResult", {
    name: "TestResult", size: Math.ceil((4 + testPacketSize) / 8) * 8 + 8, align: 8,
    fields: new Map([
      ["retval", { name: "retval", type: u32t, offset: 0 }],
      ["packet", { name: "packet", type: packetStruct, offset: 4 }],
      ["duration_ns", { name: "duration_ns", type: u64t, offset: Math.ceil((4 + testPacketSize) / 8) * 8 }],
    ]),
  }],
]);

// ---------------------------------------------------------------------------------------
// Loads and stores
// ---------------------------------------------------------------------------------------

function checkRange(mem: Mem, off: number, size: number): void {
  if (!Number.isInteger(off) || off < 0 || off + size > mem.bytes.length) {
    if (mem.packet) throw new InternalFault(`a packet access at offset ${off} (${size} bytes) outside the ${mem.bytes.length}-byte packet`, undefined);
    throw new InternalFault(`an access at offset ${off} (${size} bytes) outside ${mem.label} (${mem.bytes.length} bytes)`, undefined);
  }
}

export function readUint(bytes: Uint8Array, off: number, size: number): bigint {
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
  return v;
}

export function writeUint(bytes: Uint8Array, off: number, size: number, value: bigint): void {
  let v = BigInt.asUintN(size * 8, value);
  for (let i = 0; i < size; i++) {
    bytes[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The value of type `t` at `off` in `mem`. */
export function load(layouts: Layouts, mem: Mem, off: number, t: Type): Value {
  switch (t.kind) {
    case "int": {
      checkRange(mem, off, t.bits / 8);
      const raw = readUint(mem.bytes, off, t.bits / 8);
      return t.signed ? BigInt.asIntN(t.bits, raw) : raw;
    }
    case "bool": case "char": checkRange(mem, off, 1); return BigInt(mem.bytes[off]!);
    case "enum": checkRange(mem, off, 4); return BigInt.asIntN(32, readUint(mem.bytes, off, 4));
    case "str": case "array": case "struct": {
      const size = layouts.sizeOf(t);
      checkRange(mem, off, size);
      const refs = new Map<number, Value>();
      for (const [o, v] of mem.refs) if (o >= off && o < off + size) refs.set(o - off, v);
      return { kind: "agg", bytes: mem.bytes.slice(off, off + size), refs };
    }
    case "pointer": case "function": case "programHandle": case "programRef": case "map": case "null": {
      checkRange(mem, off, 8);
      return mem.refs.get(off) ?? nullPointer;
    }
    case "void": case "intLiteral": case "error": throw new InternalFault(`a load of type ${t.kind}`, undefined);
  }
}

/** Stores `v` (of type `t`) at `off` in `mem`. */
export function store(layouts: Layouts, mem: Mem, off: number, t: Type, v: Value): void {
  switch (t.kind) {
    case "int": checkRange(mem, off, t.bits / 8); writeUint(mem.bytes, off, t.bits / 8, asInt(v)); return;
    case "bool": case "char": checkRange(mem, off, 1); mem.bytes[off] = Number(BigInt.asUintN(8, asInt(v))); return;
    case "enum": checkRange(mem, off, 4); writeUint(mem.bytes, off, 4, asInt(v)); return;
    case "str": case "array": case "struct": {
      const size = layouts.sizeOf(t);
      checkRange(mem, off, size);
      const agg = asAgg(v);
      mem.bytes.set(agg.bytes.subarray(0, size), off);
      for (const o of [...mem.refs.keys()]) if (o >= off && o < off + size) mem.refs.delete(o);
      for (const [o, r] of agg.refs) mem.refs.set(off + o, r);
      return;
    }
    case "pointer": case "function": case "programHandle": case "programRef": case "map": case "null": {
      checkRange(mem, off, 8);
      // The bytes say "not null" (a map key or record holding a pointer compares by them).
      writeUint(mem.bytes, off, 8, typeof v !== "bigint" && v.kind === "ptr" && v.mem === undefined ? 0n : 1n);
      mem.refs.set(off, v);
      return;
    }
    case "void": case "intLiteral": case "error": throw new InternalFault(`a store of type ${t.kind}`, undefined);
  }
}

export function loadBits(mem: Mem, slot: FieldSlot, base: number): bigint {
  const b = slot.bits!;
  checkRange(mem, base + slot.offset, b.unit);
  const unit = readUint(mem.bytes, base + slot.offset, b.unit);
  return (unit >> BigInt(b.shift)) & ((1n << BigInt(b.width)) - 1n);
}

export function storeBits(mem: Mem, slot: FieldSlot, base: number, value: bigint): void {
  const b = slot.bits!;
  checkRange(mem, base + slot.offset, b.unit);
  const mask = ((1n << BigInt(b.width)) - 1n) << BigInt(b.shift);
  const unit = readUint(mem.bytes, base + slot.offset, b.unit);
  writeUint(mem.bytes, base + slot.offset, b.unit, (unit & ~mask) | ((BigInt.asUintN(b.width, value) << BigInt(b.shift)) & mask));
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}
