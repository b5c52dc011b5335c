//! The oracle: runs a generated program's syntax tree with KernelScript's rules
//! (integers.ts for arithmetic; value semantics for structs, arrays and strings; maps
//! as the kernel keeps them for one run on one CPU) and records what every self-check
//! saw, so the generator can write the expected values into the program.

import * as I from "./integers.js";
import type { Expr, HelperDef, MapDef, Place, Program, Stmt, StructValue, Ty, Value, VarRef } from "./model.js";
import { copyValue, sameTy, scaffoldNames, zeroValue } from "./model.js";

/** What one check observed: the distinct values it saw (in order) and how often it ran. */
export interface Observation {
  readonly values: Value[];
  runs: number;
}

export class OracleError extends Error {}

type Flow =
  | { readonly k: "normal" }
  | { readonly k: "break" }
  | { readonly k: "continue" }
  | { readonly k: "return"; readonly value: Value | undefined };

const normal: Flow = { k: "normal" };

/**
 * A variable's storage: a box, so an `if (var e = m[k])` binding can share the map's.
 * A lookup alias (`var v = m[k]`) has a box of its own (the copy) and, when the entry
 * was present at the lookup, the entry's box, which its assignments write through.
 */
interface Box {
  value: Value;
  readonly alias?: { readonly entry: Box; readonly atomic: boolean };
}

/** A step from a variable into its value: a struct field or an (evaluated) array index. */
type Step = { readonly field: string } | { readonly index: number };

class Frame {
  private readonly scopes: Map<string, Box>[] = [new Map()];
  push(): void { this.scopes.push(new Map()); }
  pop(): void { this.scopes.pop(); }
  declare(name: string, box: Box): void { this.scopes[this.scopes.length - 1]!.set(name, box); }
  lookup(name: string): Box | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const box = this.scopes[i]!.get(name);
      if (box) return box;
    }
    return undefined;
  }
}

/** A getter/setter pair for the part of `root`'s value that `steps` lead to. */
function boxAt(root: Box, steps: readonly Step[]): { get(): Value; set(v: Value): void } {
  if (steps.length === 0) return { get: () => root.value, set: (v) => { root.value = v; } };
  let parent: Value = root.value;
  for (const step of steps.slice(0, -1)) parent = "field" in step ? (parent as StructValue).get(step.field)! : (parent as Value[])[step.index]!;
  const last = steps[steps.length - 1]!;
  if ("field" in last) {
    const struct = parent as StructValue;
    return { get: () => struct.get(last.field)!, set: (v) => { struct.set(last.field, v); } };
  }
  const array = parent as Value[];
  return { get: () => array[last.index]!, set: (v) => { array[last.index] = v; } };
}

/** Whether an operand is still an expression (not yet evaluated). */
function isExpr(v: Expr | Value): v is Expr {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Map) && "k" in v;
}

/** Map contents: key (as a decimal string) → boxed value, in insertion order. */
type MapState = Map<string, Box>;

export interface RunResult {
  readonly observations: Map<number, Observation>;
  readonly reached: Set<number>;
  readonly globals: Map<string, Value>;
}

export function interpret(program: Program, options: { packetLength: bigint; stepLimit?: number }): RunResult {
  return new Interpreter(program, options.packetLength, options.stepLimit ?? 2_000_000).run();
}

class Interpreter {
  private readonly globals = new Map<string, Box>();
  private readonly maps = new Map<string, MapState>();
  private readonly observations = new Map<number, Observation>();
  private readonly reached = new Set<number>();
  private frame = new Frame();
  private steps = 0;

  constructor(private readonly program: Program, private readonly packetLength: bigint, private readonly stepLimit: number) {}

  run(): RunResult {
    for (const g of this.program.globals) this.globals.set(g.name, { value: copyValue(g.init) });
    this.globals.set(scaffoldNames(this.program.prefix).hash, { value: 0n });
    for (const m of this.program.maps) {
      const state: MapState = new Map();
      if (m.kind === "array" || m.kind === "percpu_array") {
        for (let i = 0; i < m.maxEntries; i++) state.set(String(i), { value: zeroValue(m.value) });
      }
      this.maps.set(m.name, state);
    }
    const flow = this.block(this.program.body);
    if (flow.k !== "normal" && flow.k !== "return") throw new OracleError(`${flow.k} outside a loop`);
    return {
      observations: this.observations,
      reached: this.reached,
      globals: new Map([...this.globals].map(([k, b]) => [k, b.value])),
    };
  }

  private tick(): void {
    if (++this.steps > this.stepLimit) throw new OracleError("the program runs too long for the oracle (a generator bug)");
  }

  private block(stmts: readonly Stmt[]): Flow {
    this.frame.push();
    try {
      for (const s of stmts) {
        const flow = this.stmt(s);
        if (flow.k !== "normal") return flow;
      }
      return normal;
    } finally {
      this.frame.pop();
    }
  }

  private stmt(s: Stmt): Flow {
    this.tick();
    switch (s.k) {
      case "decl": {
        const init = s.init;
        if (init.k === "mapGet" && !s.constant && sameTy(s.type, init.map.value)) {
          // A lookup alias (docs/language/functions-pointers.md): a copy, writing through.
          const entry = this.mapState(init.map).get(String(this.int(init.key)));
          const value = entry ? copyValue(entry.value) : zeroValue(init.map.value);
          const atomic = init.map.kind !== "percpu_hash" && init.map.kind !== "percpu_array";
          this.frame.declare(s.name, entry ? { value, alias: { entry, atomic } } : { value });
          return normal;
        }
        this.frame.declare(s.name, { value: this.convert(this.expr(s.init), s.type) });
        return normal;
      }
      case "assign": {
        const { root, steps } = this.placePath(s.place);
        const box = boxAt(root, steps);
        const type = placeType(s.place);
        const operand = this.expr(s.value);
        const value = this.update(type, box.get(), s.op, operand);
        box.set(value);
        if (root.alias) {
          // `+=`/`-=` on a shared map add the operand to the entry (atomically); every
          // other assignment stores the copy's new value into the entry.
          const entry = boxAt(root.alias.entry, steps);
          if (root.alias.atomic && (s.op === "+=" || s.op === "-=")) entry.set(this.update(type, entry.get(), s.op, operand));
          else entry.set(copyValue(value));
        }
        return normal;
      }
      case "if":
        if (this.bool(s.cond)) return this.block(s.then);
        return s.else ? this.block(s.else) : normal;
      case "for": return this.forRange(s);
      case "while": return this.whileLoop(s);
      case "break": return { k: "break" };
      case "continue": return { k: "continue" };
      case "return": return { k: "return", value: s.value ? this.expr(s.value) : undefined };
      case "match": {
        const v = this.int(s.scrutinee);
        const arm = s.arms.find((a) => a.pattern === undefined || a.pattern === v);
        return arm ? this.block(arm.body) : normal;
      }
      case "mapSet": {
        const key = this.int(s.key);
        this.mapWrite(s.map, key, () => this.convert(this.expr(s.value), s.map.value));
        return normal;
      }
      case "mapOp": {
        const key = this.int(s.key);
        const state = this.mapState(s.map);
        const existing = state.get(String(key));
        if (existing) {
          existing.value = this.update(s.map.value, existing.value, s.op, s.value);
        } else {
          const value = this.update(s.map.value, zeroValue(s.map.value), s.op, s.value);
          this.insert(s.map, key, value);
        }
        return normal;
      }
      case "mapField": {
        const key = this.int(s.key);
        const state = this.mapState(s.map);
        let entry = state.get(String(key));
        if (!entry) {
          this.insert(s.map, key, zeroValue(s.map.value));
          entry = state.get(String(key));
        }
        if (entry) {
          const struct = entry.value as StructValue;
          struct.set(s.field, this.update(s.fieldType, struct.get(s.field)!, s.op, s.value));
        } else {
          this.expr(s.value);
        }
        return normal;
      }
      case "mapDelete": {
        const key = this.int(s.key);
        if (s.map.kind === "array" || s.map.kind === "percpu_array") return normal;
        this.mapState(s.map).delete(String(key));
        return normal;
      }
      case "ifEntry": {
        const key = this.int(s.key);
        const entry = this.mapState(s.map).get(String(key));
        if (!entry) return s.else ? this.block(s.else) : normal;
        this.frame.push();
        try {
          this.frame.declare(s.binding.name, entry);
          return this.block(s.then);
        } finally {
          this.frame.pop();
        }
      }
      case "call":
        this.call(s.call.fn, s.call.args);
        return normal;
      case "check": {
        const value = this.expr(s.value);
        let seen = this.observations.get(s.id);
        if (!seen) this.observations.set(s.id, (seen = { values: [], runs: 0 }));
        seen.runs++;
        if (!seen.values.some((v) => sameObserved(v, value))) seen.values.push(copyValue(value));
        return normal;
      }
      case "unreachable":
        this.reached.add(s.id);
        return normal;
    }
  }

  private forRange(s: Extract<Stmt, { k: "for" }>): Flow {
    const start = I.castInt(this.int(s.start), s.vt);
    const end = I.castInt(this.int(s.end), s.vt);
    for (let i = start; i < end; i++) {
      this.tick();
      this.frame.push();
      this.frame.declare(s.variable, { value: i });
      const flow = this.block(s.body);
      this.frame.pop();
      if (flow.k === "break") break;
      if (flow.k === "return") return flow;
    }
    return normal;
  }

  private whileLoop(s: Extract<Stmt, { k: "while" }>): Flow {
    const counter = this.varBox(s.counter);
    const t = (s.counter.type as Ty & { k: "int" }).t;
    for (;;) {
      this.tick();
      const c = counter.value as bigint;
      if (!(s.inclusive ? c <= s.bound : c < s.bound)) break;
      counter.value = I.arith("+", t, c, s.step);
      const flow = this.block(s.body);
      if (flow.k === "break") break;
      if (flow.k === "return") return flow;
      if (flow.k === "continue") throw new OracleError("continue in a while loop");
    }
    return normal;
  }

  /** `current op value` for a place of type `type` (`=`: the value converted). */
  private update(type: Ty, current: Value, op: string, valueOrExpr: Expr | Value): Value {
    const value = isExpr(valueOrExpr) ? this.expr(valueOrExpr) : valueOrExpr;
    if (op === "=") return this.convert(value, type);
    const t = intOf(type);
    const operator = op.slice(0, -1);
    if (operator === "<<" || operator === ">>") return I.shift(operator, t, current as bigint, value as bigint);
    return I.arith(operator as I.ArithOp, t, current as bigint, I.castInt(value as bigint, t));
  }

  private mapState(map: MapDef): MapState {
    return this.maps.get(map.name)!;
  }

  private mapWrite(map: MapDef, key: bigint, value: () => Value): void {
    const v = value();
    const state = this.mapState(map);
    const existing = state.get(String(key));
    if (existing) existing.value = v;
    else this.insert(map, key, v);
  }

  /** A new entry, when the kernel would accept it (array index in range; room in a hash). */
  private insert(map: MapDef, key: bigint, value: Value): void {
    const state = this.mapState(map);
    if (map.kind === "array" || map.kind === "percpu_array") return;
    if (state.size >= map.maxEntries) {
      if (map.kind === "lru_hash") throw new OracleError("an LRU map filled up (the generator keeps them below capacity)");
      return;
    }
    state.set(String(key), { value });
  }

  private call(fn: HelperDef, args: readonly Expr[]): Value | undefined {
    const values = args.map((a, i) => this.convert(this.expr(a), fn.params[i]!.type));
    const saved = this.frame;
    this.frame = new Frame();
    fn.params.forEach((p, i) => this.frame.declare(p.name, { value: values[i]! }));
    try {
      const flow = this.block(fn.body);
      if (flow.k === "return") return flow.value === undefined ? undefined : this.convert(flow.value, fn.ret!);
      if (fn.ret) throw new OracleError(`helper ${fn.name} ended without a return`);
      return undefined;
    } finally {
      this.frame = saved;
    }
  }

  private varBox(ref: VarRef): Box {
    const box = ref.global ? this.globals.get(ref.name) : this.frame.lookup(ref.name);
    if (!box) throw new OracleError(`unknown variable ${ref.name}`);
    return box;
  }

  /** A getter/setter pair for a place (fields and elements live inside their parent's value). */
  /** The variable a place starts from and the steps into it, indexes evaluated (once, root first). */
  private placePath(p: Place): { root: Box; steps: Step[] } {
    switch (p.k) {
      case "var": return { root: this.varBox(p.ref), steps: [] };
      case "field": {
        const parent = this.placePath(p.target);
        return { root: parent.root, steps: [...parent.steps, { field: p.field }] };
      }
      case "index": {
        const parent = this.placePath(p.target);
        const index = Number(this.int(p.index));
        const array = boxAt(parent.root, parent.steps).get() as Value[];
        if (index < 0 || index >= array.length) throw new OracleError(`index ${index} out of range`);
        return { root: parent.root, steps: [...parent.steps, { index }] };
      }
    }
  }

  private int(e: Expr): bigint {
    const v = this.expr(e);
    if (typeof v === "boolean") return v ? 1n : 0n;
    if (typeof v !== "bigint") throw new OracleError(`expected an integer, found ${typeof v}`);
    return v;
  }

  private bool(e: Expr): boolean {
    const v = this.expr(e);
    if (typeof v === "boolean") return v;
    if (typeof v === "bigint") return v !== 0n;
    throw new OracleError("expected a condition");
  }

  /** A value stored into a place of type `t` (widening integers keep their value). */
  private convert(v: Value, t: Ty): Value {
    if (t.k === "int" && typeof v === "bigint") {
      if (!I.fits(v, t.t)) throw new OracleError(`value ${v} does not fit ${I.intName(t.t)} (a generator bug)`);
      return v;
    }
    if (t.k === "str" && typeof v === "string") {
      if (v.length > t.n) throw new OracleError(`string "${v}" does not fit str(${t.n})`);
      return v;
    }
    return copyValue(v);
  }

  expr(e: Expr): Value {
    this.tick();
    switch (e.k) {
      case "int": return e.v;
      case "bool": return e.v;
      case "char": return BigInt(e.v);
      case "str": return e.v;
      case "var": return copyValue(this.varBox(e.ref).value);
      case "field": return copyValue((this.expr(e.target) as StructValue).get(e.field)!);
      case "index": {
        const target = this.expr(e.target);
        const index = this.int(e.index);
        if (typeof target === "string") {
          // A run-time index past the text reads NUL; so does one past the capacity.
          return index >= 0n && index < BigInt(target.length) ? BigInt(target.charCodeAt(Number(index))) : 0n;
        }
        const array = target as Value[];
        if (index < 0n || index >= BigInt(array.length)) throw new OracleError(`index ${index} out of range`);
        return copyValue(array[Number(index)]!);
      }
      case "arith": return I.arith(e.op, e.t, I.castInt(this.int(e.l), e.t), I.castInt(this.int(e.r), e.t));
      case "shift": return I.shift(e.op, e.t, this.int(e.l), this.int(e.r));
      case "compare": {
        const l = this.expr(e.l);
        const r = this.expr(e.r);
        if (e.t === "bool") return e.op === "==" ? l === r : l !== r;
        return I.compare(e.op, l as bigint, r as bigint);
      }
      case "logic": {
        const l = this.bool(e.l);
        if (e.op === "&&") return l && this.bool(e.r);
        return l || this.bool(e.r);
      }
      case "not": return !this.bool(e.e);
      case "neg": return I.negate(e.t, this.int(e.e));
      case "compl": return I.complement(e.t, this.int(e.e));
      case "cast": {
        const v = this.expr(e.e);
        if (e.to.k === "bool") return typeof v === "boolean" ? v : v !== 0n;
        const n = typeof v === "boolean" ? (v ? 1n : 0n) : (v as bigint);
        if (e.to.k === "char") return I.castInt(n, I.u8);
        return I.castInt(n, intOf(e.to));
      }
      case "call": {
        const v = this.call(e.fn, e.args);
        if (v === undefined) throw new OracleError(`${e.fn.name} returned no value`);
        return v;
      }
      case "mapGet": {
        const entry = this.mapState(e.map).get(String(this.int(e.key)));
        return entry ? copyValue(entry.value) : zeroValue(e.map.value);
      }
      case "mapHas": {
        const present = this.mapState(e.map).has(String(this.int(e.key)));
        return e.negated ? !present : present;
      }
      case "match": {
        const v = this.int(e.scrutinee);
        const arm = e.arms.find((a) => a.pattern === undefined || a.pattern === v);
        return arm ? this.convert(this.expr(arm.value), e.type) : zeroValue(e.type);
      }
      case "strEq": {
        const same = this.expr(e.l) === this.expr(e.r);
        return e.negated ? !same : same;
      }
      case "concat": return (this.expr(e.l) as string) + (this.expr(e.r) as string);
      case "structLit": {
        const values = e.fields.map((f, i) => this.convert(this.expr(f), e.def.fields[i]!.type));
        return new Map(e.def.fields.map((f, i) => [f.name, values[i]!]));
      }
      case "arrayLit": {
        const values = e.elems.map((x) => this.convert(this.expr(x), e.type.elem));
        while (values.length < e.type.len) values.push(zeroValue(e.type.elem));
        return values;
      }
      case "packetLength": return this.packetLength;
    }
  }
}

function sameObserved(a: Value, b: Value): boolean {
  return typeof a === typeof b && (typeof a !== "object" ? a === b : JSON.stringify(a, big) === JSON.stringify(b, big));
}

function big(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Map) return [...v];
  return v;
}

export function intOf(t: Ty): I.IntType {
  if (t.k === "int") return t.t;
  if (t.k === "char") return I.u8;
  throw new OracleError(`expected an integer type, found ${t.k}`);
}

export function placeType(p: Place): Ty {
  return p.k === "var" ? p.ref.type : p.type;
}

/**
 * The value of an expression that reads nothing (literals, casts and operations on
 * them), or undefined. Compilers may fold such expressions and reject a constant
 * shift by the width or more, or a constant division by zero, so the generator keeps
 * those for counts and divisors that are only known at run time.
 */
export function constantValue(e: Expr): bigint | undefined {
  if (!readsNothing(e)) return undefined;
  const empty: Program = { seed: 0, prefix: "", structs: [], globals: [], maps: [], helpers: [], body: [], checkCount: 0 };
  const v = new Interpreter(empty, 0n, 10_000).expr(e);
  return typeof v === "bigint" ? v : typeof v === "boolean" ? (v ? 1n : 0n) : undefined;
}

function readsNothing(e: Expr): boolean {
  switch (e.k) {
    case "int": case "bool": case "char": case "str": return true;
    case "arith": case "shift": case "compare": case "logic": case "strEq": case "concat": return readsNothing(e.l) && readsNothing(e.r);
    case "not": case "neg": case "compl": case "cast": return readsNothing(e.e);
    case "index": return readsNothing(e.target) && readsNothing(e.index);
    case "match": return readsNothing(e.scrutinee) && e.arms.every((a) => readsNothing(a.value));
    default: return false;
  }
}
