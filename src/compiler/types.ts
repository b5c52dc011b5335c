//! Semantic types, shared by the checker, the IR and the emitters.
//!
//! Aliases are resolved away by the checker (an alias keeps its name only as
//! `aliasName` on the resolved type, so emitted C can keep the typedef). Struct and enum
//! types refer to their declaration by name; the layouts live in `TypeTables`.

export type IntBits = 8 | 16 | 32 | 64;

export type Type =
  | IntType
  | { readonly kind: "bool" }
  | { readonly kind: "char" }
  | { readonly kind: "void" }
  | { readonly kind: "str"; readonly size: number }
  | { readonly kind: "array"; readonly element: Type; readonly length: number }
  | PointerType
  | StructType
  | EnumType
  | FunctionType
  | MapType
  | { readonly kind: "null" }
  /** The result of `load(prog)`: a loaded program of `programType`. */
  | { readonly kind: "programHandle"; readonly programType: string }
  /** A bare program function name used as a value (argument of `load`). */
  | { readonly kind: "programRef"; readonly programType: string; readonly name: string }
  /** An integer literal whose type is decided by where it is used. */
  | { readonly kind: "intLiteral"; readonly value: bigint }
  /** Poisoned: something was already reported; suppress follow-up errors. */
  | { readonly kind: "error" };

export interface IntType {
  readonly kind: "int";
  readonly bits: IntBits;
  readonly signed: boolean;
  /**
   * `big` for network-order integers (`be16`, `be32`, `be64`): packet header fields.
   * They only mix with integers of the same order; `ntohs`/`htons`… convert.
   */
  readonly byteOrder?: "big";
}

export interface PointerType {
  readonly kind: "pointer";
  readonly target: Type;
  /**
   * Set on pointers into packet data (`ctx.data`, `ctx.data_end` of XDP/TC contexts):
   * the kernel stores them as 32-bit fields and the verifier tracks them specially.
   */
  readonly packet?: boolean;
  /**
   * Set on the binding of `if (var h: *T = ctx.header(off))`: points into the packet and
   * the `sizeof(T)` bytes it points to are proven to lie before `data_end`.
   */
  readonly header?: boolean;
}

export interface StructType {
  readonly kind: "struct";
  readonly name: string;
  /** `kernel` structs come from vmlinux.h and are never re-emitted. */
  readonly origin: "user" | "kernel";
}

export interface EnumType {
  readonly kind: "enum";
  readonly name: string;
  readonly origin: "user" | "kernel";
}

export interface FunctionType {
  readonly kind: "function";
  readonly params: readonly Type[];
  readonly returnType: Type;
}

export type MapKind =
  | "hash"
  | "array"
  | "percpu_hash"
  | "percpu_array"
  | "lru_hash"
  | "lru_percpu_hash"
  | "lpm_trie"
  | "ringbuf"
  | "perf_event_array"
  | "queue"
  | "stack"
  | "bloom_filter"
  | "prog_array"
  | "devmap" | "devmap_hash" | "cpumap" | "xskmap"
  | "sockmap" | "sockhash"
  | "array_of_maps" | "hash_of_maps"
  | "sk_storage" | "cgrp_storage"
  | "stack_trace"
  | "task_storage"
  | "user_ringbuf"
  | "inode_storage"
  | "cgroup_array";

/**
 * How a map kind without keys is used instead of `m[k]` (the `usage` column of
 * kernel/map-kinds.ts); the catalogue words each (E0399's help).
 */
export type MapUsage = "reserveAndSubmit" | "outputRecords" | "pushAndPop" | "pushAndContains"
  | "ownerStorage"
  | "stackIds" | "currentTaskValue" | "submitAndDrain" | "objectValue"
  | "cgroupSlots";

/**
 * What the kernel keeps in the values of a map kind with fixed values (kernel/map-kinds.ts
 * `fixedValue`): a network interface's index, a CPU's queue size, a socket's fd; the
 * catalogue words each (E1370).
 */
export type MapValueMeaning = "ifindex" | "cpuQueueSize" | "socketFd" | "xskFd";

/**
 * What `m.redirect(…)` sends through (kernel/map-kinds.ts `redirect`, program-types.ts
 * `mapRedirect`): a device/CPU/AF_XDP socket slot (`bpf_redirect_map`), a socket by index
 * (sockmap) or by key (sockhash).
 */
export type RedirectTarget = "device" | "socketIndex" | "socketKey";

/** What a map kind's `map_extra` number means (kernel/map-kinds.ts `extra`); the catalogue words it (E0628). */
export type MapExtraMeaning = "hashFunctions";

/**
 * What a program attribute's target looks like (kernel/program-types.ts `targetFormat`)
 * and why a program type cannot be test-run (`testRun`); the catalogue words each.
 */
export type TargetShape = "categoryEvent" | "eventName" | "kernelFunction"
  | "netfilterHook"
  | "kernelFunctionName" | "syscallName" | "lsmHook" | "binarySymbol" | "binarySymbolNoOffset" | "usdtProbe";
export type UntestableReason = "classicTracepoint" | "fentryTestFunctions" | "tpBtf" | "kprobe" | "perfEvent" | "structOps"
  | "skMsg" | "skSkb"
  | "cgroupSocketHook"
  | "userProbe" | "lsm";
/** Why the kernel refuses a group of helpers to a program type (kernel/program-types.ts `refusedHelpers`, E1360). */
export type RefusedHelperGroup = "packetWrites" | "packetRedirects";

export interface MapType {
  readonly kind: "map";
  readonly mapKind: MapKind;
  readonly key: Type;
  readonly value: Type;
  readonly maxEntries: number;
  /**
   * `array_of_maps`/`hash_of_maps`: the type of the maps it holds (its `value` is then
   * `u32`, what user space reads back: the inner map's id).
   */
  readonly inner?: MapType;
}

export const u8: IntType = { kind: "int", bits: 8, signed: false };
export const u16: IntType = { kind: "int", bits: 16, signed: false };
export const u32: IntType = { kind: "int", bits: 32, signed: false };
export const u64: IntType = { kind: "int", bits: 64, signed: false };
export const i8: IntType = { kind: "int", bits: 8, signed: true };
export const i16: IntType = { kind: "int", bits: 16, signed: true };
export const i32: IntType = { kind: "int", bits: 32, signed: true };
export const i64: IntType = { kind: "int", bits: 64, signed: true };
export const be16: IntType = { kind: "int", bits: 16, signed: false, byteOrder: "big" };
export const be32: IntType = { kind: "int", bits: 32, signed: false, byteOrder: "big" };
export const be64: IntType = { kind: "int", bits: 64, signed: false, byteOrder: "big" };
export const boolType: Type = { kind: "bool" };
export const charType: Type = { kind: "char" };
export const voidType: Type = { kind: "void" };
export const errorType: Type = { kind: "error" };
export const nullType: Type = { kind: "null" };

export const primitiveTypes: ReadonlyMap<string, Type> = new Map<string, Type>([
  ["u8", u8], ["u16", u16], ["u32", u32], ["u64", u64],
  ["i8", i8], ["i16", i16], ["i32", i32], ["i64", i64],
  ["bool", boolType], ["char", charType], ["void", voidType],
  // Common C spellings people type from habit; they mean the same thing.
  ["size_t", u64], ["usize", u64],
  // Network byte order (packet header fields).
  ["be16", be16], ["be32", be32], ["be64", be64],
]);

export interface StructLayout {
  readonly name: string;
  readonly origin: "user" | "kernel";
  readonly fields: readonly StructField[];
  /**
   * Size in bytes when known: from BTF or the built-in header table (unions and bitfields
   * make it differ from the fields' sum), or computed once by the checker for user structs.
   */
  readonly size?: number;
  /** Alignment in bytes, computed once by the checker for user structs. */
  readonly align?: number;
  /** A kernel struct or union without a C name (reachable only through a member). */
  readonly anonymous?: boolean;
}

export interface StructField {
  readonly name: string;
  readonly type: Type;
  /** Width of a C bitfield (`ihl:4`); the value then lies in 0..2^bits-1. */
  readonly bits?: number;
  /** At least this alignment (`__attribute__((aligned(N)))`): the pinned globals' structs and arrays. */
  readonly align?: number;
}

export interface EnumLayout {
  readonly name: string;
  readonly origin: "user" | "kernel";
  readonly constants: readonly { readonly name: string; readonly value: bigint }[];
}

/** Struct and enum layouts by name. */
export interface TypeTables {
  readonly structs: ReadonlyMap<string, StructLayout>;
  readonly enums: ReadonlyMap<string, EnumLayout>;
}

export function isInteger(t: Type): t is IntType {
  return t.kind === "int";
}

/** Integers, enums, chars and bools all behave as integers in arithmetic contexts. */
export function isIntegral(t: Type): boolean {
  return t.kind === "int" || t.kind === "enum" || t.kind === "char" || t.kind === "intLiteral";
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "int": return b.kind === "int" && a.bits === b.bits && a.signed === b.signed && a.byteOrder === b.byteOrder;
    case "str": return b.kind === "str" && a.size === b.size;
    case "array": return b.kind === "array" && a.length === b.length && sameType(a.element, b.element);
    case "pointer": return b.kind === "pointer" && sameType(a.target, b.target);
    case "struct": return b.kind === "struct" && a.name === b.name;
    case "enum": return b.kind === "enum" && a.name === b.name;
    case "function":
      return b.kind === "function" && a.params.length === b.params.length &&
        a.params.every((p, i) => sameType(p, b.params[i]!)) && sameType(a.returnType, b.returnType);
    case "map":
      return b.kind === "map" && a.mapKind === b.mapKind && sameType(a.key, b.key) && sameType(a.value, b.value);
    case "programHandle": return b.kind === "programHandle" && a.programType === b.programType;
    case "programRef": return b.kind === "programRef" && a.name === b.name;
    case "intLiteral": return b.kind === "intLiteral" && a.value === b.value;
    case "bool": case "char": case "void": case "null": case "error": return true;
  }
}

export function intRange(t: IntType): { min: bigint; max: bigint } {
  const bits = BigInt(t.bits);
  return t.signed
    ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n }
    : { min: 0n, max: (1n << bits) - 1n };
}

export function literalFits(value: bigint, t: IntType): boolean {
  const { min, max } = intRange(t);
  return value >= min && value <= max;
}

/** The value `t` keeps of an integer: its low bits, read as two's complement when signed (what C's conversion does). */
export function truncateToType(value: bigint, t: IntType): bigint {
  return t.signed ? BigInt.asIntN(t.bits, value) : BigInt.asUintN(t.bits, value);
}

/** The KernelScript spelling of a type, for diagnostics. */
export function typeToString(t: Type): string {
  switch (t.kind) {
    case "int": return t.byteOrder === "big" ? `be${t.bits}` : `${t.signed ? "i" : "u"}${t.bits}`;
    case "bool": return "bool";
    case "char": return "char";
    case "void": return "void";
    case "str": return `str(${t.size})`;
    case "array": return `${typeToString(t.element)}[${t.length}]`;
    case "pointer": return `*${typeToString(t.target)}`;
    case "struct": return t.name;
    case "enum": return t.name;
    case "function": return `fn(${t.params.map(typeToString).join(", ")}) -> ${typeToString(t.returnType)}`;
    case "map": return `${t.mapKind}<${typeToString(t.key)}, ${typeToString(t.value)}>(${t.maxEntries})`;
    case "null": return "null";
    case "programHandle": return `ProgramHandle(${t.programType})`;
    case "programRef": return `program \`${t.name}\``;
    case "intLiteral": return "integer literal";
    case "error": return "{unknown}";
  }
}

/** Size in bytes as laid out in C (used by the stack-usage analysis). */
export function sizeOf(t: Type, tables: TypeTables): number {
  switch (t.kind) {
    case "int": return t.bits / 8;
    case "bool": case "char": return 1;
    case "void": return 0;
    case "str": return t.size + 1; // struct ks_strN { char data[N + 1]; }
    case "array": return t.length * sizeOf(t.element, tables);
    case "pointer": case "function": case "programHandle": case "programRef": return 8;
    case "enum": return 4;
    case "struct": {
      const layout = tables.structs.get(t.name);
      if (!layout) return 8;
      return layout.size ?? fieldsLayout(layout.fields, tables).size;
    }
    case "map": case "null": case "intLiteral": case "error": return 8;
  }
}

/**
 * Size and alignment of a struct with these fields, laid out as C does. The checker
 * stores the result on every user struct (check/type-nesting.ts), in the order structs
 * hold each other, so this never walks deeper than one struct.
 */
export function fieldsLayout(fields: readonly StructField[], tables: TypeTables): { size: number; align: number } {
  let size = 0;
  let align = 1;
  for (const f of fields) {
    const a = fieldAlignment(f, tables);
    align = Math.max(align, a);
    size = Math.ceil(size / a) * a + sizeOf(f.type, tables);
  }
  return { size: Math.ceil(size / align) * align, align };
}

/** What a value of `t` holds by value: `t` itself, or the innermost element of an array (of arrays). */
export function heldValueType(t: Type): Type {
  let inner = t;
  while (inner.kind === "array") inner = inner.element;
  return inner;
}

/** A member's alignment: its type's, or more when the member asks for it. */
export function fieldAlignment(f: StructField, tables: TypeTables): number {
  return Math.max(f.align ?? 1, alignOf(f.type, tables));
}

export function alignOf(t: Type, tables: TypeTables): number {
  switch (t.kind) {
    case "int": return t.bits / 8;
    case "array": return alignOf(t.element, tables);
    case "str": return 1;
    case "struct": {
      const layout = tables.structs.get(t.name);
      if (!layout) return 8;
      return layout.align ?? layout.fields.reduce((align, f) => Math.max(align, fieldAlignment(f, tables)), 1);
    }
    case "bool": case "char": return 1;
    case "enum": return 4;
    default: return 8;
  }
}
