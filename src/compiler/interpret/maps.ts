//! Maps off-kernel, with the kernel's answers: a full hash map refuses a new key (E2BIG),
//! an LRU map evicts its least recently used entry (lookups and updates count as a use;
//! the kernel's LRU is approximate per CPU, this one is exact — the order is documented
//! in docs/language/testing.md), arrays have every index and refuse others, an LPM trie
//! answers the longest matching prefix, queues and stacks keep their order and refuse a
//! push when full, per-CPU maps keep one value per CPU. Keys and values are the bytes of
//! the C layout (memory.ts); an entry's value is a `Mem`, so a pointer into it (an
//! `if (var e = m[k])` binding) writes the entry in place.

import type { IrMap } from "../ir.js";
import { mapKinds, type OffKernelMap } from "../kernel/map-kinds.js";
import { type Agg, type Mem, newMem, toHex } from "./memory.js";

export const E2BIG = -7n;
export const EEXIST = -17n;
export const ENOENT = -2n;
export const EINVAL = -22n;

/** `BPF_ANY`, `BPF_NOEXIST`, `BPF_EXIST` */
export const BPF_NOEXIST = 1n;
export const BPF_EXIST = 2n;

interface Entry {
  readonly key: Uint8Array;
  /** One value per CPU for per-CPU kinds, otherwise one. */
  readonly values: Mem[];
}

/** How a kind is kept here: its row's `offKernel` column (kernel/map-kinds.ts); "other" when not modelled. */
export type MapShape = OffKernelMap["store"] | "other";

export function mapShape(kind: IrMap["mapKind"]): MapShape {
  return mapKinds[kind].offKernel?.store ?? "other";
}

export class MapStore {
  readonly shape: MapShape;
  readonly perCpu: boolean;
  readonly lru: boolean;
  /** Keyed entries (hash, array, LPM), in least-recently-used-first order for LRU maps. */
  private readonly entries = new Map<string, Entry>();
  /** Queue, stack, bloom filter and record contents (oldest first). */
  readonly items: Agg[] = [];
  /** Ring buffer: bytes reserved or waiting to be read (8-byte header + record, rounded up to 8). */
  ringUsed = 0;
  dropped = 0n;

  constructor(readonly map: IrMap, readonly keySize: number, readonly valueSize: number, readonly cpus: number) {
    this.shape = mapShape(map.mapKind);
    this.perCpu = mapKinds[map.mapKind].perCpu;
    this.lru = mapKinds[map.mapKind].offKernel?.lru === true;
    if (this.shape === "array") {
      for (let i = 0; i < map.maxEntries; i++) {
        const key = new Uint8Array(keySize);
        let v = i;
        for (let b = 0; b < Math.min(4, keySize); b++) { key[b] = v & 0xff; v >>>= 8; }
        this.entries.set(toHex(key), { key, values: this.newValues(toHex(key)) });
      }
    }
  }

  private newValues(hex: string): Mem[] {
    return Array.from({ length: this.perCpu ? this.cpus : 1 }, (_, cpu) => newMem(this.valueSize, `map ${this.map.name}[${hex}]${this.perCpu ? ` cpu ${cpu}` : ""}`));
  }

  /** The entry's identity: an LPM key counts only its prefix bits. */
  private identity(key: Uint8Array): string {
    if (this.shape !== "lpm") return toHex(key);
    const prefix = Math.min(key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24), (this.keySize - 4) * 8);
    const masked = key.slice(0, 4);
    const data = new Uint8Array(this.keySize - 4);
    for (let bit = 0; bit < prefix; bit++) {
      const byte = bit >> 3;
      const mask = 0x80 >> (bit & 7);
      data[byte]! |= key[4 + byte]! & mask;
    }
    return toHex(masked) + toHex(data);
  }

  private find(key: Uint8Array): Entry | undefined {
    if (this.shape === "lpm") return this.longestMatch(key);
    const id = this.identity(key);
    const entry = this.entries.get(id);
    if (entry && this.lru) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  private longestMatch(key: Uint8Array): Entry | undefined {
    const wanted = key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24);
    let best: Entry | undefined;
    let bestLength = -1;
    for (const entry of this.entries.values()) {
      const length = entry.key[0]! | (entry.key[1]! << 8) | (entry.key[2]! << 16) | (entry.key[3]! << 24);
      if (length > wanted || length <= bestLength || length > (this.keySize - 4) * 8) continue;
      let matches = true;
      for (let bit = 0; bit < length && matches; bit++) {
        const byte = 4 + (bit >> 3);
        const mask = 0x80 >> (bit & 7);
        if ((entry.key[byte]! & mask) !== (key[byte]! & mask)) matches = false;
      }
      if (matches) {
        best = entry;
        bestLength = length;
      }
    }
    return best;
  }

  /** `bpf_map_lookup_elem`: the value of `cpu` (per-CPU kinds), or undefined. */
  lookup(key: Uint8Array, cpu: number): Mem | undefined {
    const entry = this.find(key);
    return entry?.values[this.perCpu ? cpu : 0];
  }

  /** Every CPU's value (user space reads and writes them all). */
  lookupAll(key: Uint8Array): readonly Mem[] | undefined {
    return this.find(key)?.values;
  }

  /** `bpf_map_update_elem`: 0 or a negative errno; `cpu` undefined writes every CPU's value (user space). */
  update(key: Uint8Array, value: Agg, flags: bigint, cpu: number | undefined): bigint {
    if (this.shape === "array") {
      if ((flags & 3n) === BPF_NOEXIST) return EEXIST;
      const entry = this.entries.get(toHex(key));
      if (!entry) return E2BIG;
      this.write(entry, value, cpu);
      return 0n;
    }
    const id = this.identity(key);
    const existing = this.shape === "lpm" ? this.entries.get(id) : this.find(key);
    if (existing && (flags & 3n) === BPF_NOEXIST) return EEXIST;
    if (!existing && (flags & 3n) === BPF_EXIST) return ENOENT;
    if (existing) {
      this.write(existing, value, cpu);
      return 0n;
    }
    if (this.entries.size >= this.map.maxEntries) {
      if (!this.lru) return E2BIG;
      // The least recently used entry is the first in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const entry: Entry = { key: key.slice(), values: this.newValues(id) };
    this.write(entry, value, cpu);
    this.entries.set(id, entry);
    return 0n;
  }

  private write(entry: Entry, value: Agg, cpu: number | undefined): void {
    entry.values.forEach((mem, i) => {
      if (cpu !== undefined && this.perCpu && i !== cpu) return;
      mem.bytes.set(value.bytes.subarray(0, this.valueSize));
      mem.refs.clear();
      for (const [o, r] of value.refs) mem.refs.set(o, r);
    });
  }

  delete(key: Uint8Array): bigint {
    if (this.shape === "array") return EINVAL;
    const id = this.identity(key);
    return this.entries.delete(id) ? 0n : ENOENT;
  }

  /** Entries in iteration order (hash: insertion order; array: by index). */
  all(): readonly { readonly key: Uint8Array; readonly values: readonly Mem[] }[] {
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }

  /** `push` of a queue, stack or bloom filter: 0 or -E2BIG when full (BPF_EXIST: drop the oldest instead). */
  push(value: Agg, flags: bigint): bigint {
    if (this.shape === "bloom") {
      this.items.push(value);
      return 0n;
    }
    if (this.items.length >= this.map.maxEntries) {
      if ((flags & 3n) !== BPF_EXIST) return E2BIG;
      this.items.shift();
    }
    this.items.push(value);
    return 0n;
  }

  /** `pop`/`peek`: the oldest (queue) or newest (stack) value, or undefined when empty. */
  take(remove: boolean): Agg | undefined {
    if (this.items.length === 0) return undefined;
    if (this.shape === "stack") return remove ? this.items.pop() : this.items[this.items.length - 1];
    return remove ? this.items.shift() : this.items[0];
  }

  bloomContains(value: Agg): boolean {
    const hex = toHex(value.bytes);
    return this.items.some((v) => toHex(v.bytes) === hex);
  }
}
