//! What a generated program is made of: its types, values and a small typed syntax tree
//! (only the KernelScript the generator writes). `print.ts` turns it into source text,
//! `interpret.ts` computes what every part of it evaluates to.

import type { ArithOp, CompareOp, IntType, ShiftOp } from "./integers.js";
import { intName, sameInt } from "./integers.js";

export interface StructDef {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: Ty }[];
}

export type Ty =
  | { readonly k: "int"; readonly t: IntType }
  | { readonly k: "bool" }
  | { readonly k: "char" }
  | { readonly k: "struct"; readonly def: StructDef }
  | { readonly k: "array"; readonly elem: Ty; readonly len: number }
  | { readonly k: "str"; readonly n: number };

export const boolTy: Ty = { k: "bool" };
export const charTy: Ty = { k: "char" };
export const intTy = (t: IntType): Ty => ({ k: "int", t });

export type StructValue = Map<string, Value>;
/** Integers (and chars) are bigints; strings are their text (ASCII). */
export type Value = bigint | boolean | string | StructValue | Value[];

export function typeText(t: Ty): string {
  switch (t.k) {
    case "int": return intName(t.t);
    case "bool": return "bool";
    case "char": return "char";
    case "struct": return t.def.name;
    case "array": return `${typeText(t.elem)}[${t.len}]`;
    case "str": return `str(${t.n})`;
  }
}

export function sameTy(a: Ty, b: Ty): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "int": return sameInt(a.t, (b as typeof a).t);
    case "struct": return a.def === (b as typeof a).def;
    case "array": return a.len === (b as typeof a).len && sameTy(a.elem, (b as typeof a).elem);
    case "str": return a.n === (b as typeof a).n;
    default: return true;
  }
}

export function zeroValue(t: Ty): Value {
  switch (t.k) {
    case "int": case "char": return 0n;
    case "bool": return false;
    case "str": return "";
    case "array": return Array.from({ length: t.len }, () => zeroValue(t.elem));
    case "struct": return new Map(t.def.fields.map((f) => [f.name, zeroValue(f.type)]));
  }
}

export function copyValue(v: Value): Value {
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, copyValue(x)]));
  if (Array.isArray(v)) return v.map(copyValue);
  return v;
}

export function sameValue(a: Value, b: Value): boolean {
  if (a instanceof Map && b instanceof Map) return [...a].every(([k, x]) => sameValue(x, b.get(k)!));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]!));
  return a === b;
}

/** C size and alignment (for the generator's stack estimate and map value layouts). */
export function layoutOf(t: Ty): { size: number; align: number } {
  switch (t.k) {
    case "int": return { size: t.t.bits / 8, align: t.t.bits / 8 };
    case "bool": case "char": return { size: 1, align: 1 };
    case "str": return { size: t.n + 1, align: 1 };
    case "array": {
      const e = layoutOf(t.elem);
      return { size: e.size * t.len, align: e.align };
    }
    case "struct": {
      let size = 0;
      let align = 1;
      for (const f of t.def.fields) {
        const l = layoutOf(f.type);
        size = Math.ceil(size / l.align) * l.align + l.size;
        align = Math.max(align, l.align);
      }
      return { size: Math.max(1, Math.ceil(size / align) * align), align };
    }
  }
}

export type MapKind = "hash" | "array" | "percpu_hash" | "percpu_array" | "lru_hash";

export interface MapDef {
  readonly name: string;
  readonly kind: MapKind;
  readonly key: IntType;
  readonly value: Ty;
  readonly maxEntries: number;
}

export interface GlobalDef {
  readonly name: string;
  readonly type: Ty;
  readonly init: Value;
  /** `local var`: kernel-only. */
  readonly local: boolean;
}

export interface Param {
  readonly name: string;
  readonly type: Ty;
}

export interface HelperDef {
  readonly name: string;
  readonly params: readonly Param[];
  /** undefined: returns nothing. */
  readonly ret: Ty | undefined;
  body: Stmt[];
  /** Writes globals or maps: called only as a whole statement or right-hand side. */
  readonly effects: boolean;
}

/** Where a variable lives: a local (or parameter) of the current function, or a global. */
export interface VarRef {
  readonly name: string;
  readonly type: Ty;
  readonly global: boolean;
}

export type Expr =
  /** An integer literal of a type its context gives it (`typed`: written `(v as T)`). */
  | { readonly k: "int"; readonly t: IntType; readonly v: bigint; readonly typed: boolean }
  | { readonly k: "bool"; readonly v: boolean }
  | { readonly k: "char"; readonly v: number }
  | { readonly k: "str"; readonly v: string }
  | { readonly k: "var"; readonly ref: VarRef }
  | { readonly k: "field"; readonly target: Expr; readonly field: string; readonly type: Ty }
  /** Array element or string byte; `index` is in range for arrays by construction. */
  | { readonly k: "index"; readonly target: Expr; readonly index: Expr; readonly type: Ty }
  | { readonly k: "arith"; readonly op: ArithOp; readonly l: Expr; readonly r: Expr; readonly t: IntType }
  | { readonly k: "shift"; readonly op: ShiftOp; readonly l: Expr; readonly r: Expr; readonly t: IntType }
  | { readonly k: "compare"; readonly op: CompareOp; readonly l: Expr; readonly r: Expr; readonly t: IntType | "bool" }
  | { readonly k: "logic"; readonly op: "&&" | "||"; readonly l: Expr; readonly r: Expr }
  | { readonly k: "not"; readonly e: Expr }
  | { readonly k: "neg"; readonly e: Expr; readonly t: IntType }
  | { readonly k: "compl"; readonly e: Expr; readonly t: IntType }
  | { readonly k: "cast"; readonly e: Expr; readonly to: Ty }
  | { readonly k: "call"; readonly fn: HelperDef; readonly args: readonly Expr[] }
  | { readonly k: "mapGet"; readonly map: MapDef; readonly key: Expr }
  | { readonly k: "mapHas"; readonly map: MapDef; readonly key: Expr; readonly negated: boolean }
  | { readonly k: "match"; readonly scrutinee: Expr; readonly arms: readonly ValueArm[]; readonly type: Ty }
  | { readonly k: "strEq"; readonly l: Expr; readonly r: Expr; readonly negated: boolean }
  | { readonly k: "concat"; readonly l: Expr; readonly r: Expr; readonly n: number }
  | { readonly k: "structLit"; readonly def: StructDef; readonly fields: readonly Expr[] }
  | { readonly k: "arrayLit"; readonly type: Ty & { k: "array" }; readonly elems: readonly Expr[] }
  | { readonly k: "packetLength" };

export interface ValueArm {
  /** undefined: `default`. */
  readonly pattern: bigint | undefined;
  readonly value: Expr;
}

/** An assignable place. */
export type Place =
  | { readonly k: "var"; readonly ref: VarRef }
  | { readonly k: "field"; readonly target: Place; readonly field: string; readonly type: Ty }
  | { readonly k: "index"; readonly target: Place; readonly index: Expr; readonly type: Ty };

export type AssignOp = "=" | `${ArithOp | ShiftOp}=`;

export type Stmt =
  | { readonly k: "decl"; readonly name: string; readonly type: Ty; readonly init: Expr; readonly annotate: boolean; readonly constant: boolean }
  | { readonly k: "assign"; readonly place: Place; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "if"; readonly cond: Expr; readonly then: Stmt[]; readonly else: Stmt[] | undefined }
  | { readonly k: "for"; readonly variable: string; readonly vt: IntType; readonly start: Expr; readonly end: Expr; readonly body: Stmt[] }
  /** `while (counter < bound) { step; body… }`: the counter rises by `step` at the top. */
  | { readonly k: "while"; readonly counter: VarRef; readonly bound: bigint; readonly inclusive: boolean; readonly step: bigint; readonly body: Stmt[] }
  | { readonly k: "break" }
  | { readonly k: "continue" }
  | { readonly k: "return"; readonly value: Expr | undefined }
  | { readonly k: "match"; readonly scrutinee: Expr; readonly arms: { readonly pattern: bigint | undefined; readonly body: Stmt[] }[] }
  | { readonly k: "mapSet"; readonly map: MapDef; readonly key: Expr; readonly value: Expr }
  | { readonly k: "mapOp"; readonly map: MapDef; readonly key: Expr; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "mapField"; readonly map: MapDef; readonly key: Expr; readonly field: string; readonly fieldType: Ty; readonly op: AssignOp; readonly value: Expr }
  | { readonly k: "mapDelete"; readonly map: MapDef; readonly key: Expr }
  /** `if (var b = m[k]) { … } else { … }`: `b` is the entry (a struct value here). */
  | { readonly k: "ifEntry"; readonly binding: VarRef; readonly map: MapDef; readonly key: Expr; readonly then: Stmt[]; readonly else: Stmt[] | undefined }
  | { readonly k: "call"; readonly call: Expr & { k: "call" } }
  /** A self-check: `value` must equal what the oracle computed (resolved after a run). */
  | {
      readonly k: "check"; readonly id: number; readonly value: Expr; readonly note: string;
      /** Filled in by resolve.ts: the value the oracle saw, or `dead` when it never runs. */
      expected?: Value; dead?: boolean;
    }
  /** Marks code the oracle says never runs: reaching it is a failure. */
  | { readonly k: "unreachable"; readonly id: number };

/** One generated program: an XDP function with its own types, globals, maps and helpers. */
export interface Program {
  readonly seed: number;
  readonly prefix: string;
  readonly structs: readonly StructDef[];
  readonly globals: readonly GlobalDef[];
  readonly maps: readonly MapDef[];
  readonly helpers: readonly HelperDef[];
  readonly body: Stmt[];
  /** Checks by id (1-based), for failure reports. */
  readonly checkCount: number;
}

/** Names every generated program uses for its self-check machinery. */
export function scaffoldNames(prefix: string): { results: string; fails: string; hash: string; main: string } {
  return { results: `${prefix}res`, fails: `${prefix}fails`, hash: `${prefix}hash`, main: `${prefix}main` };
}
