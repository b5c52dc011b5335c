//! Random self-checking programs (Csmith-style): one XDP program per seed, with its own
//! structs, globals, maps and `@helper` functions, statements of every kind the language
//! has for such programs, and self-checks whose expected values the oracle
//! (interpret.ts) fills in (resolve.ts). Deterministic: the seed decides everything.

import * as I from "./integers.js";
import { Rng } from "./rng.js";
import type { AssignOp, Expr, GlobalDef, HelperDef, MapDef, MapKind, Param, Place, Program, Stmt, StructDef, Ty, Value, VarRef } from "./model.js";
import { boolTy, charTy, intTy, layoutOf, sameTy, scaffoldNames } from "./model.js";
import { ExprGen, type ExprScope, type Features, type Visible, allFeatures, forEachSubExpr, strCapacity } from "./generate-expr.js";
import { exprType, scalarRead } from "./types-of.js";
import { resolveChecks } from "./resolve.js";

export interface GenerateOptions {
  readonly features?: Features;
  /** Scales the number of statements (1: the default size). */
  readonly size?: number;
}

/**
 * Stack bytes a program may spend on its locals, inlined helpers included: soft budgets
 * (a new declaration, loop or call is chosen only while the function is under its
 * budget). The hard limit is the compiler's (analyze/stack-usage.ts: 504 bytes per call
 * chain, every variable in 8-byte slots): `FnState.stack` counts everything the
 * compiler counts, temporaries included, or more, and a program whose estimate passes
 * `STACK_LIMIT` is generated again smaller (`generateProgram`).
 */
const PROGRAM_STACK = 150;
const HELPER_STACK = 64;
const STACK_LIMIT = 504;
/** A loop that becomes a `bpf_loop()` callback: the context struct's fixed part (start, flow, return slot). */
const LOOP_CONTEXT = 24;

export function generateProgram(seed: number, prefix: string, options: GenerateOptions = {}): Program {
  // Over the stack limit: the same seed again with fewer statements, until it fits (the
  // estimate is the generator's own, never the compiler's verdict).
  for (let size = options.size ?? 1; ; size *= 0.7) {
    const gen = new ProgramGen(seed, prefix, options.features ?? allFeatures, size);
    const program = gen.program();
    if (gen.stackEstimate > STACK_LIMIT && size > 0.01) continue;
    if (gen.stackEstimate > STACK_LIMIT) throw new Error(`seed ${seed}: no program under ${STACK_LIMIT} bytes of stack`);
    resolveChecks(program);
    return program;
  }
}

interface FnState {
  readonly helper: HelperDef | undefined;
  readonly scopes: Visible[][];
  /** Enclosing loops, innermost last. */
  readonly loops: ("for" | "while")[];
  /**
   * Per enclosing loop (innermost last): the locals declared outside it and those of them
   * its body uses, which a `bpf_loop()` callback would capture (context struct + copy).
   */
  readonly loopFrames: { readonly outer: ReadonlySet<VarRef>; readonly captured: Set<VarRef> }[];
  runtimeLoops: number;
  /**
   * Maps an `if (var e = m[k])` binding or a lookup alias holds: no writes to them (nor
   * calls of helpers that write them) while it lives, since an update or a delete may
   * replace the entry the binding points into.
   */
  readonly locked: Set<MapDef>;
  /** Lookup aliases that locked their map, unlocked when their block ends. */
  readonly aliasLocks: Map<VarRef, MapDef>;
  /** Maps this function writes, directly or through the helpers it calls. */
  readonly writes: Set<MapDef>;
  /** Entry bindings and lookup aliases (`var v = m[k]`): writes to them go to the map's entry. */
  readonly entries: Map<VarRef, MapDef>;
  readonly effects: boolean;
  names: number;
  /** Stack bytes of this function with every helper it calls inlined (as the compiler counts). */
  stack: number;
}

class ProgramGen {
  private readonly rng: Rng;
  private readonly e: ExprGen;
  private readonly structs: StructDef[] = [];
  private readonly globals: GlobalDef[] = [];
  private readonly maps: MapDef[] = [];
  private readonly helpers: HelperDef[] = [];
  private checks = 0;
  /** Statements left for the function being generated (keeps programs moderately sized). */
  private statementsLeft = 0;
  /** Stack each helper needs where it is inlined (its locals and its own calls). */
  private readonly helperStack = new Map<HelperDef, number>();
  private readonly names: ReturnType<typeof scaffoldNames>;
  private hashRef!: VarRef;
  private fn!: FnState;

  constructor(private readonly seed: number, private readonly prefix: string, features: Features, private readonly size: number) {
    this.rng = new Rng(seed);
    this.e = new ExprGen(this.rng, features);
    this.names = scaffoldNames(prefix);
  }

  program(): Program {
    const r = this.rng;
    for (let i = r.int(0, 3); i > 0; i--) this.structs.push(this.structDef());
    for (let i = r.int(1, 5); i > 0; i--) this.globals.push(this.globalDef());
    this.hashRef = { name: this.names.hash, type: intTy(I.u64), global: true };
    for (let i = r.int(0, 3); i > 0; i--) this.maps.push(this.mapDef());
    for (let i = r.int(0, 3); i > 0; i--) this.helpers.push(this.helperDef());

    this.fn = this.newFn(undefined, [], true);
    this.statementsLeft = Math.round(r.int(15, 60) * this.size);
    const body = this.block(Math.round(r.int(8, 22) * this.size), 0);
    // The end state: every global and a few entries of every map.
    for (const g of this.globals) {
      const read = scalarRead({ k: "var", ref: { name: g.name, type: g.type, global: true } }, g.type);
      body.push(this.check(read.expr, `${g.name} at the end`));
    }
    for (const m of this.maps) {
      for (let key = 0; key < 4; key++) {
        const get: Expr = { k: "mapGet", map: m, key: { k: "int", t: m.key, v: BigInt(key), typed: false } };
        body.push(this.check(scalarRead(get, m.value).expr, `${m.name}[${key}] at the end`));
      }
    }
    body.push(this.check({ k: "var", ref: this.hashRef }, "the hash of values seen in loops"));
    // Helpers nobody called: call them once (a result goes into a variable that is checked).
    for (const h of this.helpers.filter((h) => !this.called.has(h))) {
      const call = this.read(this.e.call(this.scope(), h, 2)) as Expr & { k: "call" };
      if (!h.ret) {
        body.push({ k: "call", call });
        continue;
      }
      const ref: VarRef = { name: this.name("v"), type: h.ret, global: false };
      body.push({ k: "decl", name: ref.name, type: h.ret, init: call, annotate: true, constant: false });
      body.push(this.check(scalarRead({ k: "var", ref }, h.ret).expr, `the result of ${h.name}`));
    }
    return {
      seed: this.seed, prefix: this.prefix, structs: this.structs, globals: this.globals, maps: this.maps,
      helpers: this.helpers, body, checkCount: this.checks,
    };
  }

  private readonly called = new Set<HelperDef>();
  /** Maps each helper writes (its own writes and its callees'). */
  private readonly helperWrites = new Map<HelperDef, ReadonlySet<MapDef>>();

  /** A helper call the current function may make: it writes no map a binding holds. */
  private callable(h: HelperDef): boolean {
    const writes = this.helperWrites.get(h);
    return writes === undefined || ![...writes].some((m) => this.fn.locked.has(m));
  }

  /** Stack bytes of the program's function, as the compiler counts them or more. */
  get stackEstimate(): number {
    return this.fn.stack;
  }

  // ---- declarations -------------------------------------------------------------

  private name(kind: string): string {
    return `${kind}${this.fn.names++}`;
  }

  private scalarType(): Ty {
    const r = this.rng;
    return r.weighted<Ty>([[intTy(r.pick(I.allIntTypes)), 10], [boolTy, 1], [charTy, 1]]);
  }

  private structDef(): StructDef {
    const r = this.rng;
    const fields: { name: string; type: Ty }[] = [];
    const count = r.int(1, 5);
    for (let i = 0; i < count; i++) {
      const type = r.weighted<Ty | undefined>([
        [this.scalarType(), 8],
        [{ k: "array", elem: intTy(r.pick(I.allIntTypes)), len: r.int(1, 5) }, 2],
        [{ k: "str", n: r.int(1, 8) }, 1],
        [this.structs.length > 0 ? { k: "struct", def: r.pick(this.structs) } : undefined, this.structs.length > 0 ? 2 : 0],
      ]);
      if (type) fields.push({ name: `f${i}`, type });
    }
    if (fields.length === 0) fields.push({ name: "f0", type: intTy(I.u32) });
    // Keep structs small: they are copied onto the 512-byte stack.
    while (fields.length > 1 && layoutOf({ k: "struct", def: { name: "", fields } }).size > 64) fields.pop();
    return { name: `${this.prefix}s${this.structs.length}`, fields };
  }

  /** A constant of type `t` for a global's initial value. */
  private constant(t: Ty): Value {
    const r = this.rng;
    switch (t.k) {
      case "int": return this.e.interestingValue(t.t);
      case "bool": return r.chance(0.5);
      case "char": return BigInt(r.int(0x20, 0x7e));
      case "str": return this.e.text(0, t.n);
      case "array": return Array.from({ length: t.len }, () => this.constant(t.elem));
      case "struct": return new Map(t.def.fields.map((f) => [f.name, this.constant(f.type)]));
    }
  }

  private globalDef(): GlobalDef {
    const r = this.rng;
    const structs = this.structs.filter((s) => !containsStr({ k: "struct", def: s }));
    const type = r.weighted<Ty>([
      [this.scalarType(), 8],
      [structs.length > 0 ? { k: "struct", def: r.pick(structs) } : intTy(I.u32), 2],
      [{ k: "array", elem: intTy(r.pick(I.allIntTypes)), len: r.int(1, 4) }, 1],
    ]);
    return { name: `${this.prefix}g${this.globals.length}`, type, init: this.constant(type), local: r.chance(0.3) };
  }

  private mapDef(): MapDef {
    const r = this.rng;
    const kind = r.pick<MapKind>(["hash", "array", "percpu_hash", "percpu_array", "lru_hash"]);
    const isArray = kind === "array" || kind === "percpu_array";
    const key = isArray ? I.u32 : r.pick([I.u8, I.u16, I.u32, I.u64, I.i32, I.i64]);
    const structs = this.structs.filter((s) => !containsStr({ k: "struct", def: s }) && layoutOf({ k: "struct", def: s }).size <= 64);
    const value: Ty = structs.length > 0 && r.chance(0.4) ? { k: "struct", def: r.pick(structs) } : intTy(r.pick(I.allIntTypes));
    const maxEntries = isArray ? r.int(2, 8) : kind === "lru_hash" ? 256 : r.int(16, 32);
    return { name: `${this.prefix}m${this.maps.length}`, kind, key, value, maxEntries };
  }

  private helperDef(): HelperDef {
    const r = this.rng;
    const params: Param[] = [];
    for (let i = r.int(0, 4); i > 0; i--) {
      const type = r.weighted<Ty>([
        [this.scalarType(), 8],
        [{ k: "str", n: r.int(1, 8) }, 1],
        [this.structs.length > 0 ? { k: "struct", def: r.pick(this.structs) } : intTy(I.u16), 1],
      ]);
      params.push({ name: `a${params.length}`, type });
    }
    const ret = r.weighted<Ty | undefined>([
      [this.scalarType(), 8],
      [undefined, 1],
      [{ k: "str", n: r.int(1, 8) }, 1],
      [this.structs.length > 0 ? { k: "struct", def: r.pick(this.structs) } : intTy(I.i64), 1],
    ]);
    const effects = ret === undefined || r.chance(0.35);
    const helper: HelperDef = { name: `${this.prefix}h${this.helpers.length}`, params, ret, body: [], effects };
    this.fn = this.newFn(helper, params, effects);
    this.statementsLeft = Math.max(1, Math.round(r.int(3, 14) * Math.min(1, this.size)));
    const body = this.block(Math.max(1, Math.round(r.int(1, 6) * Math.min(1, this.size))), 1);
    if (ret) {
      const value = this.e.expr(this.scope(), ret, 3);
      this.read(value);
      body.push({ k: "return", value: value });
    }
    helper.body = body;
    this.helperStack.set(helper, this.fn.stack);
    this.helperWrites.set(helper, this.fn.writes);
    // Parameters nobody read would be warnings: read them once.
    for (const p of this.fn.scopes[0]!) {
      if (p.reads === 0) body.splice(ret ? body.length - 1 : body.length, 0, this.check(scalarRead({ k: "var", ref: p.ref }, p.ref.type).expr, `parameter ${p.ref.name}`));
    }
    return helper;
  }

  private newFn(helper: HelperDef | undefined, params: readonly Param[], effects: boolean): FnState {
    const top: Visible[] = params.map((p) => ({ ref: { name: p.name, type: p.type, global: false }, mutable: false, reads: 0 }));
    const stack = params.reduce((sum, p) => sum + slots(layoutOf(p.type).size), 0);
    return { helper, scopes: [top], loops: [], loopFrames: [], runtimeLoops: 0, locked: new Set(), aliasLocks: new Map(), writes: new Set(), entries: new Map(), effects, names: 0, stack };
  }

  // ---- scopes ---------------------------------------------------------------------

  private globalsVisible(): Visible[] {
    return this.globals.map((g) => ({ ref: { name: g.name, type: g.type, global: true }, mutable: true, reads: 1 }));
  }

  private stackBudget(): number {
    return this.fn.helper ? HELPER_STACK : PROGRAM_STACK;
  }

  private scope(): ExprScope {
    const fn = this.fn;
    // A call inlines the helper's whole stack: only helpers that still fit.
    const room = this.stackBudget() - fn.stack;
    const helpers = this.helpers.filter((h) => !h.effects && h !== fn.helper && 2 * (this.helperStack.get(h) ?? 0) <= room);
    return {
      vars: () => [...this.globalsVisible(), ...fn.scopes.flat()],
      maps: this.maps,
      pureHelpers: helpers,
      packet: fn.helper === undefined,
    };
  }

  private read(e: Expr): Expr {
    const vars = this.fn.scopes.flat();
    const walk = (x: Expr): void => {
      if (x.k === "var") {
        const v = lastWhere(vars, (c) => c.ref === x.ref);
        if (v) v.reads++;
        this.capture(x.ref);
        if (x.ref.global && x.ref.name !== this.names.hash) return;
      }
      if (x.k === "call") {
        this.called.add(x.fn);
        for (const m of this.helperWrites.get(x.fn) ?? []) this.fn.writes.add(m);
        this.fn.stack += this.helperStack.get(x.fn) ?? 0;
      }
      // C temporaries on the stack: a match value (and its scrutinee), a concatenation.
      if (x.k === "match") this.fn.stack += slots(layoutOf(x.type).size) + 8;
      if (x.k === "concat") this.fn.stack += slots(x.n + 1);
      forEachSubExpr(x, walk);
    };
    walk(e);
    return e;
  }

  /** A local used inside loops declared after it: each such loop's callback would capture it. */
  private capture(ref: VarRef): void {
    for (const frame of this.fn.loopFrames) if (frame.outer.has(ref)) frame.captured.add(ref);
  }

  private enterLoop(): void {
    this.fn.loopFrames.push({ outer: new Set(this.fn.scopes.flat().map((v) => v.ref)), captured: new Set() });
  }

  /**
   * Leaves a loop and counts what it costs if it becomes a `bpf_loop()` callback (any loop
   * may, when it holds one): the context struct and, in the callback's frame, a copy of
   * each captured value (arrays, structs and entries travel as 8-byte pointers).
   */
  private leaveLoop(): void {
    const frame = this.fn.loopFrames.pop()!;
    let bytes = LOOP_CONTEXT;
    for (const ref of frame.captured) bytes += ref.type.k === "struct" || ref.type.k === "array" ? 16 : 2 * slots(layoutOf(ref.type).size);
    this.fn.stack += bytes;
  }

  // ---- statements -----------------------------------------------------------------

  private block(count: number, depth: number, prelude: Visible[] = []): Stmt[] {
    this.fn.scopes.push(prelude);
    const out: Stmt[] = [];
    for (let i = 0; i < count && (i === 0 || this.statementsLeft > 0); i++) out.push(...this.statement(depth));
    const scope = this.fn.scopes.pop()!;
    for (const v of scope) {
      const locked = this.fn.aliasLocks.get(v.ref);
      if (locked) this.fn.locked.delete(locked);
    }
    // Every local is read at least once (an unread one is warning W0201).
    for (const v of scope) {
      if (v.reads > 0) continue;
      this.fn.scopes.push(scope);
      const probe = scalarRead({ k: "var", ref: v.ref }, v.ref.type);
      out.push(this.check(probe.expr, `${v.ref.name} at the end of its block`));
      this.fn.scopes.pop();
      v.reads++;
    }
    return out;
  }

  private check(value: Expr, note: string): Stmt {
    // The value is written twice (the condition and the record of what came).
    this.read(value);
    this.read(value);
    return { k: "check", id: ++this.checks, value, note };
  }

  private unreachableMarker(): Stmt {
    return { k: "unreachable", id: ++this.checks };
  }

  private statement(depth: number): Stmt[] {
    const r = this.rng;
    const fn = this.fn;
    const places = this.assignablePlaces();
    const room = this.stackBudget() - fn.stack;
    const writableMaps = fn.effects ? this.maps.filter((m) => !fn.locked.has(m) && (m.value.k !== "struct" || 2 * slots(layoutOf(m.value).size) <= room)) : [];
    const fits = (h: HelperDef): boolean => 2 * (this.helperStack.get(h) ?? 0) <= room;
    const effectful = fn.effects ? this.helpers.filter((h) => h.effects && h !== fn.helper && fits(h) && this.callable(h)) : [];
    const pure = this.helpers.filter((h) => !h.effects && h !== fn.helper && h.ret && fits(h) && this.callable(h));
    const nest = depth < 3 && this.statementsLeft > 4;
    this.statementsLeft--;
    const choice = r.weighted<string>([
      ["decl", this.fn.stack < this.stackBudget() ? 6 : 0],
      ["assign", places.length > 0 ? 6 : 0],
      ["check", 5],
      ["if", nest ? 3 : 0],
      ["for", nest && fn.loops.length < 2 ? 2 : 0],
      // Loops with a run-time bound become bpf_loop() callbacks.
      ["runtimeFor", nest && fn.loops.length < 2 && fn.runtimeLoops < 2 && (!fn.helper || this.runtimeBases().length > 0) ? 1 : 0],
      ["while", nest && fn.loops.length < 2 && this.fn.stack < this.stackBudget() ? 1 : 0],
      ["match", nest ? 1 : 0],
      ["mapWrite", writableMaps.length > 0 ? 4 : 0],
      ["ifEntry", nest && this.maps.length > 0 ? 2 : 0],
      ["call", effectful.length > 0 || pure.length > 0 ? 2 : 0],
      ["jump", fn.loops.length > 0 ? 1 : 0],
      ["return", fn.helper?.ret && depth > 1 ? 1 : 0],
    ]);
    switch (choice) {
      case "decl": return [this.declaration(depth)];
      case "assign": return [this.assignment(r.pick(places))];
      case "check": return [this.randomCheck()];
      case "if": return [this.ifStatement(depth)];
      case "for": return [this.forStatement(depth, false)];
      case "runtimeFor": return [this.forStatement(depth, true)];
      case "while": return this.whileStatement(depth);
      case "match": return [this.matchStatement(depth)];
      case "mapWrite": return [this.mapWrite(r.pick(writableMaps))];
      case "ifEntry": return [this.ifEntry(depth)];
      case "call": return this.callStatement(r.pick([...effectful, ...pure]), depth);
      case "jump": {
        const kind = fn.loops[fn.loops.length - 1] === "while" || r.chance(0.5) ? "break" : "continue";
        return [{ k: "if", cond: this.read(this.e.bool(this.scope(), 2)), then: [this.unreachableMarker(), { k: kind }], else: undefined }];
      }
      case "return": {
        const value = this.read(this.e.expr(this.scope(), fn.helper!.ret!, 2));
        return [{ k: "if", cond: this.read(this.e.bool(this.scope(), 2)), then: [this.unreachableMarker(), { k: "return", value: value }], else: undefined }];
      }
      default: throw new Error(`unhandled ${choice}`);
    }
  }

  private declare(ref: VarRef, mutable: boolean): void {
    this.fn.scopes[this.fn.scopes.length - 1]!.push({ ref, mutable, reads: 0 });
    this.fn.stack += slots(layoutOf(ref.type).size);
  }

  private declaration(depth: number): Stmt {
    const r = this.rng;
    const scope = this.scope();
    const room = this.stackBudget() - this.fn.stack;
    const structs = this.structs.filter((d) => 2 * layoutOf({ k: "struct", def: d }).size <= room);
    const kind = r.weighted<string>([["int", 10], ["bool", 1], ["char", 1], ["str", room > 40 ? 1 : 0], ["struct", structs.length > 0 ? 2 : 0], ["array", room > 64 ? 1 : 0]]);
    let type: Ty;
    let init: Expr;
    let annotate = r.chance(0.5);
    switch (kind) {
      case "int": {
        type = intTy(r.pick(I.allIntTypes));
        // Sometimes a narrower value widened by the declaration.
        const from = r.chance(0.2) ? r.pick(I.allIntTypes.filter((t) => I.widens(t, (type as Ty & { k: "int" }).t))) : (type as Ty & { k: "int" }).t;
        init = this.e.int(scope, from, r.int(0, 3), true);
        if (!sameTy(exprType(init), type)) annotate = true;
        break;
      }
      case "str": {
        const n = r.int(1, 16);
        init = this.e.str(scope, n, 2);
        type = { k: "str", n: annotate ? n : strCapacity(init) };
        break;
      }
      case "struct": {
        type = { k: "struct", def: r.pick(structs) };
        init = this.e.expr(scope, type, 2);
        break;
      }
      case "array": {
        type = { k: "array", elem: intTy(r.pick(I.allIntTypes)), len: r.int(1, 6) };
        init = this.e.arrayLiteral(scope, type as Ty & { k: "array" }, 2);
        annotate = true;
        break;
      }
      case "bool": type = boolTy; init = this.e.bool(scope, 2); break;
      default: type = charTy; init = this.e.char(scope, 2); break;
    }
    if (!sameTy(exprType(init), type)) annotate = true;
    this.read(init);
    const name = this.name("v");
    const constant = r.chance(0.15);
    const ref: VarRef = { name, type, global: false };
    this.declare(ref, !constant);
    // `var v = m[k]` of the entry's own type is a lookup alias (docs/language/functions-pointers.md).
    if (init.k === "mapGet" && !constant && sameTy(type, init.map.value)) {
      this.fn.entries.set(ref, init.map);
      if (!this.fn.locked.has(init.map)) {
        this.fn.locked.add(init.map);
        this.fn.aliasLocks.set(ref, init.map);
      }
    }
    if (init.k === "mapGet") {
      // A lookup alias also keeps the entry pointer and the key.
      this.fn.stack += 8 + slots(keyBytes(init.map.key));
    }
    void depth;
    return { k: "decl", name, type, init, annotate, constant };
  }

  /** Places the current code may assign (mutable locals and globals, their fields and elements). */
  private assignablePlaces(): { place: Place; type: Ty }[] {
    const out: { place: Place; type: Ty }[] = [];
    const visit = (place: Place, t: Ty, level: number): void => {
      if (t.k !== "struct" || level === 0) out.push({ place, type: t });
      if (level > 2) return;
      if (t.k === "struct") for (const f of t.def.fields) visit({ k: "field", target: place, field: f.name, type: f.type }, f.type, level + 1);
      if (t.k === "array") {
        visit({ k: "index", target: place, index: this.e.index(this.scope(), t.len, 1), type: t.elem }, t.elem, level + 1);
      }
    };
    for (const v of this.fn.scopes.flat()) if (v.mutable) visit({ k: "var", ref: v.ref }, v.ref.type, 0);
    if (this.fn.effects) for (const g of this.globalsVisible()) visit({ k: "var", ref: g.ref }, g.ref.type, 0);
    // Arrays are assigned element by element.
    return out.filter((p) => p.type.k !== "array");
  }

  private assignment(target: { place: Place; type: Ty }): Stmt {
    const r = this.rng;
    const scope = this.scope();
    const t = target.type;
    this.readPlace(target.place);
    this.capture(placeRoot(target.place));
    if (t.k === "int" && r.chance(0.5)) {
      // `+=`/`-=` on an 8/16-bit part of a shared map's entry or of a global cannot be atomic (E0470, E0621).
      const root = placeRoot(target.place);
      const entryOf = this.fn.entries.get(root);
      const shared = root.global || (entryOf !== undefined && entryOf.kind !== "percpu_hash" && entryOf.kind !== "percpu_array");
      const narrowShared = shared && t.t.bits < 32;
      const op = r.pick<AssignOp>(narrowShared ? ["*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="] : ["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]);
      const division = op === "/=" || op === "%=";
      if (!division || (this.e.features.division && (!t.t.signed || this.e.features.signedDivision))) {
        const partner = this.e.partnerType(t.t);
        const value = op === "<<=" || op === ">>="
          ? this.e.shiftCount(scope, t.t, 2)
          : division ? this.e.divisor(this.e.int(scope, partner, 2, true), partner) : this.e.int(scope, partner, 2, true);
        const narrow = exprType(value);
        const ok = op === "<<=" || op === ">>=" || (narrow.k === "int" && I.widens(narrow.t, t.t));
        if (ok) return { k: "assign", place: target.place, op, value: this.read(value) };
      }
    }
    const value = this.read(this.e.fieldValue(scope, t, 2));
    return { k: "assign", place: target.place, op: "=", value: value };
  }

  /** Index expressions inside a written place are read; the place itself is not (W0201 counts reads only). */
  private readPlace(p: Place): void {
    if (p.k === "var") return;
    if (p.k === "index") this.read(p.index);
    this.readPlace(p.target);
  }

  private randomCheck(): Stmt {
    const r = this.rng;
    const scope = this.scope();
    const type = r.weighted<Ty>([[intTy(r.pick(I.allIntTypes)), 8], [boolTy, 3], [charTy, 1], [{ k: "str", n: r.int(1, 16) }, 1]]);
    const value = this.e.expr(scope, type, r.int(1, 4));
    return this.check(value.k === "int" ? { ...value, typed: true } : value, "an expression");
  }

  private ifStatement(depth: number): Stmt {
    const r = this.rng;
    const cond = this.read(this.e.bool(this.scope(), r.int(1, 3)));
    const then = [this.unreachableMarker(), ...this.block(r.int(1, 4), depth + 1)];
    let otherwise: Stmt[] | undefined;
    const choice = r.int(0, 2);
    if (choice === 1) otherwise = [this.unreachableMarker(), ...this.block(r.int(1, 3), depth + 1)];
    else if (choice === 2 && depth < 2) otherwise = [this.ifStatement(depth + 1)];
    return { k: "if", cond, then, else: otherwise };
  }

  private forStatement(depth: number, runtime: boolean): Stmt {
    const r = this.rng;
    const fn = this.fn;
    const variable = this.name("i");
    let vt: I.IntType;
    let start: Expr;
    let end: Expr;
    if (!runtime) {
      const signed = r.chance(0.2);
      vt = signed ? I.i32 : I.u32;
      const s = signed ? r.int(-3, 2) : r.int(0, 3);
      const count = r.int(1, 6);
      start = signed ? { k: "int", t: I.i32, v: BigInt(s), typed: true } : { k: "int", t: I.u32, v: BigInt(s), typed: false };
      end = { k: "int", t: vt, v: BigInt(s + count), typed: false };
    } else {
      vt = r.pick([I.u8, I.u16, I.u32, I.u64, I.i32, I.i64]);
      start = r.chance(0.7) ? { k: "int", t: vt, v: 0n, typed: false } : this.runtimeBound(vt, 3);
      end = this.runtimeBound(vt, r.int(2, 6));
      this.read(start);
      this.read(end);
      fn.runtimeLoops++;
    }
    fn.loops.push("for");
    this.enterLoop();
    const loopVar: Visible = { ref: { name: variable, type: intTy(vt), global: false }, mutable: false, reads: 0 };
    fn.stack += slots(layoutOf(loopVar.ref.type).size);
    const body = [this.unreachableMarker(), ...this.block(r.int(1, 4), depth + 1, [loopVar])];
    this.leaveLoop();
    fn.loops.pop();
    if (runtime) fn.runtimeLoops--;
    return { k: "for", variable, vt, start, end, body };
  }

  /**
   * `(x as T) % limit` where `x` is a variable the compiler cannot fold (a `var`, a
   * global or a parameter), so the loop's bound is known only at run time.
   */
  private runtimeBound(t: I.IntType, limit: number): Expr {
    const r = this.rng;
    const candidates = this.runtimeBases();
    let base: Expr = candidates.length > 0 ? { k: "var", ref: r.pick(candidates).ref } : { k: "packetLength" };
    if (!sameTy(exprType(base), intTy(t))) base = { k: "cast", e: base, to: intTy(t) };
    return { k: "arith", op: "%", l: base, r: { k: "int", t, v: BigInt(limit), typed: false }, t };
  }

  /**
   * Integer variables whose value the compiler cannot fold (mutable locals, globals,
   * parameters). A helper without any has no run-time bound to offer (the packet length
   * is the program's): a literal would make a constant, maybe empty, range (W0216).
   */
  private runtimeBases(): Visible[] {
    return [...this.globalsVisible(), ...this.fn.scopes.flat()].filter((v) => v.ref.type.k === "int" && (v.mutable || v.ref.global || this.fn.scopes[0]!.includes(v)));
  }

  private whileStatement(depth: number): Stmt[] {
    const r = this.rng;
    const fn = this.fn;
    const t = r.pick([I.u8, I.u16, I.u32, I.i32, I.i64, I.u64]);
    const start = BigInt(r.int(0, 4)) - (t.signed ? 2n : 0n);
    const step = BigInt(r.int(1, 3));
    const inclusive = r.chance(0.3);
    const bound = start + BigInt(r.int(0, 6));
    const name = this.name("w");
    const counter: VarRef = { name, type: intTy(t), global: false };
    // The counter is assigned only by the loop's own step.
    this.declare(counter, false);
    const decl: Stmt = { k: "decl", name, type: counter.type, init: { k: "int", t, v: start, typed: false }, annotate: true, constant: false };
    fn.loops.push("while");
    this.enterLoop();
    // The counter is the loop's own: its step reads and writes it.
    this.capture(counter);
    const body = [this.unreachableMarker(), ...this.block(r.int(1, 4), depth + 1)];
    this.leaveLoop();
    fn.loops.pop();
    const v = lastWhere(fn.scopes.flat(), (c) => c.ref === counter);
    if (v) v.reads++;
    return [decl, { k: "while", counter, bound, inclusive, step, body }];
  }

  private matchStatement(depth: number): Stmt {
    const r = this.rng;
    const st = r.pick(I.allIntTypes);
    const scrutinee = this.read(this.e.nonLiteral(this.scope(), st, 2));
    // The scrutinee is held in a C temporary.
    this.fn.stack += 8;
    const arms: { pattern: bigint | undefined; body: Stmt[] }[] = [];
    const seen = new Set<bigint>();
    for (let i = r.int(1, 3); i > 0; i--) {
      const p = r.chance(0.5) ? BigInt(r.int(0, 3)) : this.e.interestingValue(st);
      if (!I.fits(p, st) || seen.has(p)) continue;
      seen.add(p);
      arms.push({ pattern: p, body: [this.unreachableMarker(), ...this.block(r.int(1, 3), depth + 1)] });
    }
    if (r.chance(0.7)) arms.push({ pattern: undefined, body: [this.unreachableMarker(), ...this.block(r.int(1, 3), depth + 1)] });
    return { k: "match", scrutinee, arms };
  }

  private mapWrite(m: MapDef): Stmt {
    const r = this.rng;
    this.fn.writes.add(m);
    const scope = this.scope();
    const key = this.read(this.e.mapKey(scope, m, 2));
    // A write to an entry keeps its key and a zeroed new entry on the stack.
    this.fn.stack += slots(layoutOf(m.value).size) + slots(keyBytes(m.key));
    const hashLike = m.kind === "hash" || m.kind === "percpu_hash" || m.kind === "lru_hash";
    const choice = r.weighted<string>([
      ["set", 4],
      ["op", m.value.k === "int" ? 4 : 0],
      ["field", m.value.k === "struct" ? 4 : 0],
      ["delete", hashLike ? 2 : 0],
    ]);
    switch (choice) {
      case "set": return { k: "mapSet", map: m, key, value: this.read(this.e.fieldValue(scope, m.value, 2)) };
      case "op": {
        const t = (m.value as Ty & { k: "int" }).t;
        const op = this.mapCompoundOp(t, m);
        const value = op === "<<=" || op === ">>=" ? this.e.shiftCount(scope, t, 2) : this.e.int(scope, t, 2, true);
        return { k: "mapOp", map: m, key, op, value: this.read(op === "/=" || op === "%=" ? this.e.divisor(value, t) : value) };
      }
      case "field": {
        const def = (m.value as Ty & { k: "struct" }).def;
        const fields = def.fields.filter((f) => f.type.k === "int" || f.type.k === "bool" || f.type.k === "char");
        if (fields.length === 0) return { k: "mapSet", map: m, key, value: this.read(this.e.structLiteral(scope, def, 2)) };
        const f = r.pick(fields);
        if (f.type.k === "int" && r.chance(0.6)) {
          const op = this.mapCompoundOp(f.type.t, m);
          const value = op === "<<=" || op === ">>=" ? this.e.shiftCount(scope, f.type.t, 2) : this.e.int(scope, f.type.t, 2, true);
          return { k: "mapField", map: m, key, field: f.name, fieldType: f.type, op, value: this.read(op === "/=" || op === "%=" ? this.e.divisor(value, f.type.t) : value) };
        }
        return { k: "mapField", map: m, key, field: f.name, fieldType: f.type, op: "=", value: this.read(this.e.fieldValue(scope, f.type, 2)) };
      }
      default: return { k: "mapDelete", map: m, key };
    }
  }

  private mapCompoundOp(t: I.IntType, m: MapDef): AssignOp {
    const r = this.rng;
    const f = this.e.features;
    // `+=`/`-=` on an 8/16-bit value of a shared map cannot be atomic: the checker refuses it (E0470).
    const narrowAtomic = t.bits < 32 && m.kind !== "percpu_hash" && m.kind !== "percpu_array";
    const ops: AssignOp[] = narrowAtomic ? ["*=", "&=", "|=", "^=", "<<=", ">>="] : ["+=", "+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>="];
    if (f.division && (!t.signed || f.signedDivision)) ops.push("/=", "%=");
    return r.pick(ops);
  }

  private ifEntry(depth: number): Stmt {
    const r = this.rng;
    const fn = this.fn;
    const m = r.pick(this.maps);
    const key = this.read(this.e.mapKey(this.scope(), m, 2));
    // The key is kept on the stack (the lookup takes its address).
    fn.stack += slots(keyBytes(m.key));
    const binding: VarRef = { name: this.name("e"), type: m.value, global: false };
    const entry: Visible = { ref: binding, mutable: fn.effects, reads: 0 };
    fn.entries.set(binding, m);
    const wasLocked = fn.locked.has(m);
    fn.locked.add(m);
    const then = [this.unreachableMarker(), ...this.block(r.int(1, 3), depth + 1, [entry])];
    if (!wasLocked) fn.locked.delete(m);
    const otherwise = r.chance(0.5) ? [this.unreachableMarker(), ...this.block(r.int(1, 2), depth + 1)] : undefined;
    return { k: "ifEntry", binding, map: m, key, then, else: otherwise };
  }

  private callStatement(h: HelperDef, depth: number): Stmt[] {
    const call = this.read(this.e.call(this.scope(), h, 2)) as Expr & { k: "call" };
    this.called.add(h);
    void depth;
    if (!h.ret) return [{ k: "call", call }];
    if (h.effects && this.fn.stack < this.stackBudget()) {
      const name = this.name("v");
      this.declare({ name, type: h.ret, global: false }, true);
      return [{ k: "decl", name, type: h.ret, init: call, annotate: this.rng.chance(0.5), constant: false }];
    }
    return [this.check(scalarRead(call, h.ret).expr, `a call of ${h.name}`)];
  }
}

/** Bytes of a map key of type `t`. */
function keyBytes(t: I.IntType): number {
  return t.bits / 8;
}

/** The variable a place is part of. */
function placeRoot(p: Place): VarRef {
  return p.k === "var" ? p.ref : placeRoot(p.target);
}

/** Bytes of stack a variable of `size` bytes takes: 8-byte slots, as clang and the compiler count. */
function slots(size: number): number {
  return Math.ceil(size / 8) * 8;
}

function containsStr(t: Ty): boolean {
  if (t.k === "str") return true;
  if (t.k === "struct") return t.def.fields.some((f) => containsStr(f.type));
  if (t.k === "array") return containsStr(t.elem);
  return false;
}

function lastWhere<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return items[i];
  return undefined;
}
