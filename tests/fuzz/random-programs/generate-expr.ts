//! Random well-typed expressions. The generator does not need values to stay within the
//! language: every integer operation is defined for every operand (integers.ts), array
//! indexes are in range by their form (`k % N`, `k & (N-1)`, constants), and strings
//! read NUL past their text. The oracle computes the values afterwards.

import * as I from "./integers.js";
import type { Rng } from "./rng.js";
import { constantValue } from "./interpret.js";
import type { Expr, HelperDef, MapDef, StructDef, Ty, VarRef } from "./model.js";
import { boolTy, charTy, intTy, sameTy } from "./model.js";

/** A variable the code at hand can see. */
export interface Visible {
  readonly ref: VarRef;
  /** Parameters, loop variables and `let`/`const` bindings cannot be assigned. */
  readonly mutable: boolean;
  /** How many expressions read it (an unread local is a warning, W0201). */
  reads: number;
}

/** What the expression generator may use at the current point. */
export interface ExprScope {
  vars(): readonly Visible[];
  readonly maps: readonly MapDef[];
  /** Helpers callable from here (no side effects inside expressions). */
  readonly pureHelpers: readonly HelperDef[];
  /** The packet length (`ctx.data_end - ctx.data`) is available in the program itself. */
  readonly packet: boolean;
}

/** What the generator may write (everything by default). */
export interface Features {
  readonly division: boolean;
  readonly signedDivision: boolean;
  readonly anyShiftCount: boolean;
}

export const allFeatures: Features = { division: true, signedDivision: true, anyShiftCount: true };

const arithOps: readonly I.ArithOp[] = ["+", "-", "*", "/", "%", "&", "|", "^"];
const compareOps: readonly I.CompareOp[] = ["==", "!=", "<", "<=", ">", ">="];

export class ExprGen {
  constructor(readonly rng: Rng, readonly features: Features) {}

  /** An integer literal of type `t` (bare: its context gives it the type). */
  literal(t: I.IntType, bare: boolean): Expr {
    return { k: "int", t, v: this.interestingValue(t), typed: !bare };
  }

  /** Values near the edges are where integer rules differ: bias towards them. */
  interestingValue(t: I.IntType): bigint {
    const r = this.rng;
    const min = I.minOf(t);
    const max = I.maxOf(t);
    switch (r.int(0, 9)) {
      case 0: return min;
      case 1: return max;
      case 2: return r.pick([0n, 1n, t.signed ? -1n : 2n]);
      case 3: return I.wrap(min + BigInt(r.int(0, 3)), t);
      case 4: return I.wrap(max - BigInt(r.int(0, 3)), t);
      case 5: return BigInt(r.int(0, 9));
      case 6: return I.wrap(1n << BigInt(r.int(0, t.bits - 1)), t);
      case 7: return t.signed ? -BigInt(r.int(1, 100)) : BigInt(r.int(0, 300)) % (max + 1n);
      default: return I.wrap(r.bits(t.bits), t);
    }
  }

  /** A small count for loops and indexes. */
  smallInt(t: I.IntType, lo: number, hi: number): Expr {
    return { k: "int", t, v: BigInt(this.rng.int(lo, hi)), typed: false };
  }

  expr(scope: ExprScope, t: Ty, depth: number): Expr {
    switch (t.k) {
      case "int": return this.int(scope, t.t, depth, false);
      case "bool": return this.bool(scope, depth);
      case "char": return this.char(scope, depth);
      case "str": return this.str(scope, t.n, depth);
      case "struct": return this.struct(scope, t.def, depth);
      case "array": return this.array(scope, t, depth);
    }
  }

  /** Reads of visible places (variables, fields, elements) whose type is exactly `t`. */
  places(scope: ExprScope, t: Ty, depth: number): Expr[] {
    const found: Expr[] = [];
    const visit = (e: Expr, et: Ty, level: number): void => {
      if (sameTy(et, t)) found.push(e);
      if (level > 2) return;
      if (et.k === "struct") {
        for (const f of et.def.fields) visit({ k: "field", target: e, field: f.name, type: f.type }, f.type, level + 1);
      } else if (et.k === "array") {
        // Constant indexes here; computed ones are their own choice (`element`).
        visit({ k: "index", target: e, index: this.smallInt(I.u32, 0, et.len - 1), type: et.elem }, et.elem, level + 1);
      }
    };
    for (const v of scope.vars()) visit({ k: "var", ref: v.ref }, v.ref.type, 0);
    return found;
  }

  /** Marks every variable an expression reads. */
  noteReads(scope: ExprScope, e: Expr): void {
    const vars = scope.vars();
    const walk = (x: Expr): void => {
      if (x.k === "var") {
        for (let i = vars.length - 1; i >= 0; i--) {
          if (vars[i]!.ref === x.ref) { vars[i]!.reads++; break; }
        }
      }
      forEachSubExpr(x, walk);
    };
    walk(e);
  }

  /** An index into an array of `len` elements that is in range by its form. */
  index(scope: ExprScope, len: number, depth: number): Expr {
    const r = this.rng;
    const mask = (len & (len - 1)) === 0;
    if (depth <= 0 || r.chance(0.4)) return this.smallInt(I.u32, 0, len - 1);
    const t = r.pick([I.u8, I.u16, I.u32, I.u64]);
    const base = this.int(scope, t, depth - 1, false);
    const lenExpr: Expr = { k: "int", t, v: BigInt(len), typed: false };
    if (mask && r.chance(0.5)) {
      return { k: "arith", op: "&", l: base, r: { ...lenExpr, v: BigInt(len - 1) }, t };
    }
    return { k: "arith", op: "%", l: base, r: lenExpr, t };
  }

  int(scope: ExprScope, t: I.IntType, depth: number, bare: boolean): Expr {
    const r = this.rng;
    const places = this.places(scope, intTy(t), depth);
    const maps = scope.maps.filter((m) => m.value.k === "int" && I.sameInt(m.value.t, t));
    const structMaps = scope.maps.filter((m) => m.value.k === "struct" && m.value.def.fields.some((f) => sameTy(f.type, intTy(t))));
    const helpers = scope.pureHelpers.filter((h) => h.ret && sameTy(h.ret, intTy(t)));
    const arrays = scope.vars().filter((v) => v.ref.type.k === "array" && sameTy(v.ref.type.elem, intTy(t)));
    const leafWeight = depth <= 0 ? 10 : 2;
    const choice = r.weighted<string>([
      ["literal", leafWeight * (bare ? 2 : 1)],
      ["place", places.length > 0 ? leafWeight * 3 : 0],
      ["packet", scope.packet && I.sameInt(t, I.u64) ? 1 : 0],
      ["element", arrays.length > 0 && depth > 0 ? 2 : 0],
      ["map", maps.length > 0 && depth > 0 ? 2 : 0],
      ["mapField", structMaps.length > 0 && depth > 0 ? 1 : 0],
      ["arith", depth > 0 ? 6 : 0],
      ["shift", depth > 0 ? 2 : 0],
      ["neg", depth > 0 && t.signed ? 1 : 0],
      ["compl", depth > 0 ? 1 : 0],
      ["cast", depth > 0 ? 3 : 0],
      ["call", helpers.length > 0 && depth > 0 ? 2 : 0],
      ["match", depth > 1 ? 1 : 0],
      ["strIndex", depth > 0 ? 1 : 0],
    ]);
    switch (choice) {
      case "literal": return this.literal(t, bare);
      case "place": return r.pick(places);
      case "packet": return { k: "packetLength" };
      case "element": {
        const v = r.pick(arrays).ref;
        const len = (v.type as Ty & { k: "array" }).len;
        return { k: "index", target: { k: "var", ref: v }, index: this.index(scope, len, depth - 1), type: intTy(t) };
      }
      case "map": {
        const m = r.pick(maps);
        return { k: "mapGet", map: m, key: this.mapKey(scope, m, depth - 1) };
      }
      case "mapField": {
        const m = r.pick(structMaps);
        const def = (m.value as Ty & { k: "struct" }).def;
        const field = r.pick(def.fields.filter((f) => sameTy(f.type, intTy(t))));
        return { k: "field", target: { k: "mapGet", map: m, key: this.mapKey(scope, m, depth - 1) }, field: field.name, type: field.type };
      }
      case "arith": return this.arith(scope, t, depth);
      case "shift": {
        const count = this.shiftCount(scope, t, depth - 1);
        return { k: "shift", op: r.pick(["<<", ">>"] as const), l: this.int(scope, t, depth - 1, false), r: count, t };
      }
      case "neg": return { k: "neg", e: this.nonLiteral(scope, t, depth - 1), t };
      case "compl": return { k: "compl", e: this.nonLiteral(scope, t, depth - 1), t };
      case "cast": {
        const from = r.weighted<string>([["int", 6], ["bool", 1], ["char", 1]]);
        const source = from === "int" ? this.int(scope, r.pick(I.allIntTypes), depth - 1, true)
          : from === "bool" ? this.bool(scope, depth - 1) : this.char(scope, depth - 1);
        return { k: "cast", e: source, to: intTy(t) };
      }
      case "call": return this.call(scope, r.pick(helpers), depth);
      case "match": return this.matchValue(scope, intTy(t), depth);
      case "strIndex": {
        const s = this.str(scope, r.int(1, 12), depth - 1);
        const i = this.strIndex(scope, s, depth - 1, [I.u8, I.u32, I.u64]);
        return { k: "cast", e: { k: "index", target: s, index: i, type: charTy }, to: intTy(t) };
      }
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  /** An integer expression that is not a bare literal (prefix operators on literals fold). */
  nonLiteral(scope: ExprScope, t: I.IntType, depth: number): Expr {
    const e = this.int(scope, t, depth, false);
    return e.k === "int" ? { ...e, typed: true } : e;
  }

  /** A shift count: any integer when the language defines every count, else below the width. */
  shiftCount(scope: ExprScope, t: I.IntType, depth: number): Expr {
    const r = this.rng;
    if (!this.features.anyShiftCount) {
      if (r.chance(0.5)) return this.smallInt(I.u32, 0, t.bits - 1);
      return { k: "arith", op: "&", l: this.int(scope, I.u32, depth, false), r: { k: "int", t: I.u32, v: BigInt(t.bits - 1), typed: false }, t: I.u32 };
    }
    if (r.chance(0.4)) return this.smallInt(I.u32, 0, t.bits - 1);
    const count = this.int(scope, r.pick(I.allIntTypes), depth, false);
    // Only counts known at run time may leave the width (a constant one may be rejected).
    const value = constantValue(count);
    if (value !== undefined && (value < 0n || value >= BigInt(t.bits))) return this.smallInt(I.u32, 0, t.bits - 1);
    return count;
  }

  /** A divisor: any value at run time, but a constant one is never zero. */
  divisor(e: Expr, t: I.IntType): Expr {
    if (constantValue(e) !== 0n) return e;
    return { k: "int", t, v: BigInt(this.rng.int(1, 7)), typed: e.k !== "int" || e.typed };
  }

  /** Operand types whose common type is `t`: `t` itself, or a narrower one that joins it. */
  partnerType(t: I.IntType): I.IntType {
    const r = this.rng;
    if (r.chance(0.6)) return t;
    const options = I.allIntTypes.filter((o) => I.commonType(o, t) && I.sameInt(I.commonType(o, t)!, t));
    return r.pick(options);
  }

  arith(scope: ExprScope, t: I.IntType, depth: number): Expr {
    const r = this.rng;
    const ops = arithOps.filter((op) =>
      (op !== "/" && op !== "%") || (this.features.division && (!t.signed || this.features.signedDivision)));
    const op = r.pick(ops);
    const partner = this.partnerType(t);
    // One side has type `t` exactly; a literal there takes the other side's type, so it
    // must be the partner that is written as a literal.
    let l = this.nonLiteral(scope, t, depth - 1);
    let right = this.int(scope, partner, depth - 1, I.sameInt(partner, t));
    if ((op === "/" || op === "%") && !this.features.division) right = this.nonZero(right, partner);
    if (op === "/" || op === "%") right = this.divisor(right, partner);
    if (r.chance(0.5)) [l, right] = [right, l];
    return { k: "arith", op, l, r: right, t };
  }

  /** `(e | 1)`: never zero (used only while division by zero is left undefined). */
  private nonZero(e: Expr, t: I.IntType): Expr {
    return { k: "arith", op: "|", l: e, r: { k: "int", t, v: 1n, typed: false }, t };
  }

  bool(scope: ExprScope, depth: number): Expr {
    const r = this.rng;
    const places = this.places(scope, boolTy, depth);
    const helpers = scope.pureHelpers.filter((h) => h.ret?.k === "bool");
    const hashMaps = scope.maps;
    const leaf = depth <= 0 ? 10 : 1;
    const choice = r.weighted<string>([
      ["literal", leaf],
      ["place", places.length > 0 ? leaf * 3 : 0],
      ["compare", depth > 0 ? 8 : 0],
      ["boolCompare", depth > 1 ? 1 : 0],
      ["logic", depth > 1 ? 3 : 0],
      ["not", depth > 0 ? 1 : 0],
      ["strEq", depth > 0 ? 2 : 0],
      ["has", hashMaps.length > 0 && depth > 0 ? 1 : 0],
      ["cast", depth > 0 ? 1 : 0],
      ["call", helpers.length > 0 && depth > 0 ? 1 : 0],
    ]);
    switch (choice) {
      case "literal": return { k: "bool", v: r.chance(0.5) };
      case "place": return r.pick(places);
      case "compare": {
        const t = r.pick(I.allIntTypes);
        const partner = this.partnerType(t);
        let l = this.nonLiteral(scope, t, depth - 1);
        let right = this.int(scope, partner, depth - 1, I.sameInt(partner, t));
        if (r.chance(0.5)) [l, right] = [right, l];
        return { k: "compare", op: r.pick(compareOps), l, r: right, t };
      }
      case "boolCompare":
        return { k: "compare", op: r.pick(["==", "!="] as const), l: this.bool(scope, depth - 1), r: this.bool(scope, depth - 1), t: "bool" };
      case "logic":
        return { k: "logic", op: r.pick(["&&", "||"] as const), l: this.bool(scope, depth - 1), r: this.bool(scope, depth - 1) };
      case "not": return { k: "not", e: this.bool(scope, depth - 1) };
      case "strEq": {
        const l = this.str(scope, r.int(1, 12), depth - 1);
        const right = r.chance(0.5) ? this.str(scope, r.int(1, 12), depth - 1) : { k: "str" as const, v: this.text(0, 8) };
        return { k: "strEq", l, r: right, negated: r.chance(0.5) };
      }
      case "has": {
        const m = r.pick(hashMaps);
        return { k: "mapHas", map: m, key: this.mapKey(scope, m, depth - 1), negated: r.chance(0.5) };
      }
      case "cast": return { k: "cast", e: this.nonLiteral(scope, r.pick(I.allIntTypes), depth - 1), to: boolTy };
      case "call": return this.call(scope, r.pick(helpers), depth);
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  char(scope: ExprScope, depth: number): Expr {
    const r = this.rng;
    const places = this.places(scope, charTy, depth);
    const choice = r.weighted<string>([
      ["literal", 3],
      ["place", places.length > 0 ? 4 : 0],
      ["index", depth > 0 ? 3 : 0],
      ["cast", depth > 0 ? 1 : 0],
    ]);
    switch (choice) {
      case "literal": return { k: "char", v: r.chance(0.8) ? r.int(0x20, 0x7e) : r.int(0, 255) };
      case "place": return r.pick(places);
      case "index": {
        const s = this.str(scope, r.int(1, 12), depth - 1);
        const i = this.strIndex(scope, s, depth - 1, [I.u8, I.u16, I.u32, I.u64]);
        return { k: "index", target: s, index: i, type: charTy };
      }
      case "cast": return { k: "cast", e: this.nonLiteral(scope, r.pick(I.allIntTypes), depth - 1), to: charTy };
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  /**
   * An index into string `s`: a constant must be below its capacity (E0344); one known
   * only at run time may point past the text, where the byte reads as NUL.
   */
  private strIndex(scope: ExprScope, s: Expr, depth: number, types: readonly I.IntType[]): Expr {
    const capacity = strCapacity(s);
    if (this.rng.chance(0.4)) return this.smallInt(I.u32, 0, capacity - 1);
    const i = this.nonLiteral(scope, this.rng.pick(types), depth);
    const value = constantValue(i);
    return value !== undefined && (value < 0n || value >= BigInt(capacity)) ? this.smallInt(I.u32, 0, capacity - 1) : i;
  }

  /** Printable ASCII without quotes or backslashes, `min`..`max` bytes. */
  text(min: number, max: number): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-+.:/";
    let s = "";
    const n = this.rng.int(min, max);
    for (let i = 0; i < n; i++) s += alphabet[this.rng.int(0, alphabet.length - 1)]!;
    return s;
  }

  /** A string expression of capacity at most `n`. */
  str(scope: ExprScope, n: number, depth: number): Expr {
    const r = this.rng;
    const places: Expr[] = [];
    for (let m = 1; m <= n; m++) places.push(...this.places(scope, { k: "str", n: m }, depth));
    const helpers = scope.pureHelpers.filter((h) => h.ret?.k === "str" && h.ret.n <= n);
    const choice = r.weighted<string>([
      ["literal", places.length === 0 ? 4 : 2],
      ["place", places.length > 0 ? 4 : 0],
      ["concat", depth > 0 && n >= 2 ? 2 : 0],
      ["call", helpers.length > 0 && depth > 0 ? 1 : 0],
    ]);
    switch (choice) {
      case "literal": return { k: "str", v: this.text(n > 1 && r.chance(0.9) ? 1 : 0, n) };
      case "place": return r.pick(places);
      case "concat": {
        const a = r.int(1, n - 1);
        const left = this.str(scope, a, depth - 1);
        const right = this.str(scope, n - a, depth - 1);
        return { k: "concat", l: left, r: right, n: strCapacity(left) + strCapacity(right) };
      }
      case "call": return this.call(scope, r.pick(helpers), depth);
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  struct(scope: ExprScope, def: StructDef, depth: number): Expr {
    const r = this.rng;
    const t: Ty = { k: "struct", def };
    const places = this.places(scope, t, depth);
    const maps = scope.maps.filter((m) => sameTy(m.value, t));
    const helpers = scope.pureHelpers.filter((h) => h.ret && sameTy(h.ret, t));
    const choice = r.weighted<string>([
      ["literal", 3],
      ["place", places.length > 0 ? 3 : 0],
      ["map", maps.length > 0 && depth > 0 ? 1 : 0],
      ["call", helpers.length > 0 && depth > 0 ? 1 : 0],
    ]);
    switch (choice) {
      case "literal": return this.structLiteral(scope, def, depth);
      case "place": return r.pick(places);
      case "map": {
        const m = r.pick(maps);
        return { k: "mapGet", map: m, key: this.mapKey(scope, m, depth - 1) };
      }
      case "call": return this.call(scope, r.pick(helpers), depth);
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  structLiteral(scope: ExprScope, def: StructDef, depth: number): Expr {
    return { k: "structLit", def, fields: def.fields.map((f) => this.fieldValue(scope, f.type, depth - 1)) };
  }

  /** A value for a place of type `t` (a struct field, an array element, an argument). */
  fieldValue(scope: ExprScope, t: Ty, depth: number): Expr {
    if (t.k === "int") return this.int(scope, t.t, Math.max(0, depth), true);
    if (t.k === "array") return this.arrayLiteral(scope, t, depth);
    return this.expr(scope, t, Math.max(0, depth));
  }

  array(scope: ExprScope, t: Ty & { k: "array" }, depth: number): Expr {
    const places = this.places(scope, t, depth);
    if (places.length > 0 && this.rng.chance(0.5)) return this.rng.pick(places);
    return this.arrayLiteral(scope, t, depth);
  }

  arrayLiteral(scope: ExprScope, t: Ty & { k: "array" }, depth: number): Expr {
    const count = this.rng.chance(0.8) ? t.len : this.rng.int(1, t.len);
    return { k: "arrayLit", type: t, elems: Array.from({ length: count }, () => this.fieldValue(scope, t.elem, depth - 1)) };
  }

  /** A key for `m`: a few distinct values, so maps never fill up (LRU maps would evict). */
  mapKey(scope: ExprScope, m: MapDef, depth: number): Expr {
    const r = this.rng;
    const isArray = m.kind === "array" || m.kind === "percpu_array";
    const limit = isArray ? m.maxEntries + 1 : 8;
    if (depth <= 0 || r.chance(0.5)) return this.smallInt(m.key, 0, limit - 1);
    const base = this.int(scope, m.key, depth - 1, false);
    return { k: "arith", op: "%", l: base, r: { k: "int", t: m.key, v: BigInt(limit), typed: false }, t: m.key };
  }

  call(scope: ExprScope, fn: HelperDef, depth: number): Expr {
    return { k: "call", fn, args: fn.params.map((p) => this.fieldValue(scope, p.type, depth - 1)) };
  }

  matchValue(scope: ExprScope, t: Ty, depth: number): Expr {
    const r = this.rng;
    const st = r.pick(I.allIntTypes);
    const scrutinee = this.nonLiteral(scope, st, depth - 1);
    const patterns = new Set<bigint>();
    const arms: { pattern: bigint | undefined; value: Expr }[] = [];
    const count = r.int(1, 4);
    for (let i = 0; i < count; i++) {
      const p = r.chance(0.5) ? BigInt(r.int(0, 3)) : this.interestingValue(st);
      if (!I.fits(p, st) || patterns.has(p)) continue;
      patterns.add(p);
      arms.push({ pattern: p, value: this.armValue(scope, t, depth - 1) });
    }
    arms.push({ pattern: undefined, value: this.armValue(scope, t, depth - 1) });
    return { k: "match", scrutinee, arms, type: t };
  }

  /** Arms of a value match must agree on their type without a declared one: literals typed. */
  private armValue(scope: ExprScope, t: Ty, depth: number): Expr {
    const e = this.expr(scope, t, depth);
    return e.k === "int" ? { ...e, typed: true } : e;
  }
}

/** The capacity of a string expression's type. */
export function strCapacity(e: Expr): number {
  switch (e.k) {
    case "str": return Math.max(1, e.v.length);
    case "concat": return e.n;
    case "var": return (e.ref.type as Ty & { k: "str" }).n;
    case "field": case "index": return (e.type as Ty & { k: "str" }).n;
    case "call": return (e.fn.ret as Ty & { k: "str" }).n;
    default: throw new Error(`not a string expression: ${e.k}`);
  }
}

export function forEachSubExpr(e: Expr, visit: (x: Expr) => void): void {
  switch (e.k) {
    case "int": case "bool": case "char": case "str": case "var": case "packetLength": return;
    case "field": visit(e.target); return;
    case "index": visit(e.target); visit(e.index); return;
    case "arith": case "shift": case "compare": case "logic": case "strEq": case "concat": visit(e.l); visit(e.r); return;
    case "not": case "neg": case "compl": case "cast": visit(e.e); return;
    case "call": e.args.forEach(visit); return;
    case "mapGet": case "mapHas": visit(e.key); return;
    case "match": visit(e.scrutinee); e.arms.forEach((a) => visit(a.value)); return;
    case "structLit": e.fields.forEach(visit); return;
    case "arrayLit": e.elems.forEach(visit); return;
  }
}
