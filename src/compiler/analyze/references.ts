//! Reference tracking: every ring-buffer record (`rb.reserve()`) and every object
//! (`new T()`) is a reference the verifier follows. Before anything is loaded this pass
//! proves, on every path of every function, that each one is
//!   - null-checked before use (E0423); `delete p` is no use: deleting null does nothing
//!     (as C's `free(NULL)`), so the emitted drop is guarded by `if (p)`,
//!   - released exactly once: submitted or discarded, or deleted (E0420 leak, E0422 twice),
//!   - never used after its release (E0421),
//!   - held in one local variable of the function that made it (E0424, E0425);
//!   - moved into a map of objects only when it is one (E0632; lower-object-maps.ts).
//!
//! The IR is structured, so this is a forward abstract interpretation over its tree:
//! the state of the program at a point is, per local variable, the set of states that
//! variable can be in on the paths reaching it. Branches join; loops iterate to a fixed
//! point; `return`, `break`, `continue` and the end of a scope are the exits where
//! anything still held is a leak.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as safety from "../diagnostics/catalog/safety.js";
import type { EscapePoint, LeakPoint, ReleaseKind } from "../diagnostics/catalog/safety.js";
import * as implicitMeanings from "../diagnostics/catalog/implicit-meanings.js";
import { exprChildren } from "../ir-walk.js";
import { walkedFacts, type FunctionFactsTable } from "./function-facts.js";
import type * as ir from "../ir.js";
import type { Span } from "../source.js";

/** Where a reference came from. */
interface Ref {
  /** `entry`: a pointer into an entry of a map of objects: null-checked, never released. */
  readonly kind: "record" | "object" | "entry";
  /** The ring buffer a record was reserved from. */
  readonly map: string | undefined;
  readonly origin: Span;
}

/** One possibility for a variable on some path. */
interface VarState {
  /** `unchecked`: may be null, not tested yet; `live`: non-null and held. */
  readonly state: "none" | "unchecked" | "live" | "null" | "released";
  readonly ref: Ref | undefined;
  /** Where and how it was released (for `released`): "submitted", "discarded", "deleted". */
  readonly at?: Span;
  readonly how?: ReleaseKind;
  /** A branch after which only some paths released it. */
  readonly branch?: Span;
}

/**
 * Per variable, the states it may be in; `undefined` flow: this point is unreachable.
 * A variable that holds no reference on any path (`none`) has no entry, so the maps copied
 * at every step grow with the references of a function, not with its variables.
 */
type Flow = Map<number, readonly VarState[]> | undefined;

interface Variable {
  readonly id: number;
  readonly name: string;
  /** Block nesting depth of its declaration. */
  readonly depth: number;
}

/**
 * Lexical scopes: name → variable, innermost last. The innermost scope belongs to the
 * block being analysed, which adds its declarations to it in place: copying it for each
 * one made a function of n `var`s cost n² (10,000 of them took 10 s).
 */
type Env = readonly Map<string, Variable>[];

interface LoopContext {
  readonly depth: number;
  readonly exits: Flow[];
  readonly continues: Flow[];
}

/**
 * Only functions that make a reference (a reserve, `new`, a pointer into a map of
 * objects) or release one are analysed: everything this pass reports starts at one of
 * them, and most functions have none (function-facts.ts).
 */
export function checkReferences(module: ir.IrModule, diags: Diagnostics, facts: FunctionFactsTable): void {
  for (const fn of [...module.programs, ...module.helpers, ...module.userFunctions]) {
    if (walkedFacts(facts, fn).touchesReferences) new FunctionAnalysis(diags, fn).run();
  }
}

const held = (s: VarState): boolean => (s.state === "live" || s.state === "unchecked") && s.ref?.kind !== "entry";
const stateKey = (s: VarState): string =>
  `${s.state}:${s.ref?.origin.start ?? ""}:${s.at?.start ?? ""}:${s.branch?.start ?? ""}`;

function addState(list: VarState[], s: VarState): void {
  if (!list.some((x) => stateKey(x) === stateKey(s))) list.push(s);
}

/** `flow` with `id` in `state` only (no entry for `none`). */
function withState(flow: Map<number, readonly VarState[]>, id: number, state: VarState): Map<number, readonly VarState[]> {
  const out = new Map(flow);
  if (state.state === "none" && !state.ref) out.delete(id);
  else out.set(id, [state]);
  return out;
}

function join(...flows: Flow[]): Flow {
  const reachable = flows.filter((f): f is Map<number, readonly VarState[]> => f !== undefined);
  if (reachable.length === 0) return undefined;
  const out = new Map<number, readonly VarState[]>();
  const ids = new Set(reachable.flatMap((f) => [...f.keys()]));
  for (const id of ids) {
    const list: VarState[] = [];
    for (const f of reachable) for (const s of f.get(id) ?? [{ state: "none", ref: undefined }]) addState(list, s);
    out.set(id, list);
  }
  return out;
}

function sameFlow(a: Flow, b: Flow): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.size !== b.size) return false;
  for (const [id, list] of a) {
    const other = b.get(id);
    if (!other) return false;
    const keys = (l: readonly VarState[]): string => l.map(stateKey).sort().join("|");
    if (keys(list) !== keys(other)) return false;
  }
  return true;
}


class FunctionAnalysis {
  private nextId = 1;
  private depth = 0;
  private readonly loops: LoopContext[] = [];
  private readonly variables = new Map<number, Variable>();
  /** Stable variable ids per declaring node, so loop iterations see the same ones. */
  private readonly idsByNode = new Map<object, number>();
  private readonly nullReported = new Set<number>();

  constructor(private readonly diags: Diagnostics, private readonly fn: ir.IrFunction) {}

  run(): void {
    let env: Env = [new Map()];
    for (const p of this.fn.params) env = this.declare(env, p, p.name);
    const end = this.block(this.fn.body, new Map(), env);
    if (end) this.leaks(end, () => true, lastSpan(this.fn.body) ?? this.fn.span, "functionEnds");
  }

  private declare(env: Env, node: object, name: string): Env {
    let id = this.idsByNode.get(node);
    if (id === undefined) {
      id = this.nextId++;
      this.idsByNode.set(node, id);
    }
    const variable = { id, name, depth: this.depth };
    this.variables.set(id, variable);
    env[env.length - 1]!.set(name, variable);
    return env;
  }

  private lookup(env: Env, name: string): Variable | undefined {
    for (let i = env.length - 1; i >= 0; i--) {
      const v = env[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  }

  /** Reports every variable selected by `which` that is still held in `flow`. */
  private leaks(flow: Map<number, readonly VarState[]>, which: (v: Variable) => boolean, at: Span, point: LeakPoint): void {
    for (const [id, states] of flow) {
      const variable = this.variables.get(id);
      if (!variable || !which(variable)) continue;
      const leaking = states.find(held);
      if (!leaking?.ref) continue;
      this.diags.report(safety.referenceLeak, at, variable.name, leaking.ref.kind, point, leaking.ref.origin, states.find((s) => held(s) && s.branch)?.branch);
    }
  }

  private block(statements: readonly ir.IrStmt[], flow: Flow, outer: Env): Flow {
    this.depth++;
    let env: Env = [...outer, new Map()];
    let current = flow;
    for (const s of statements) {
      if (!current) break;
      const result = this.statement(s, current, env);
      current = result.flow;
      env = result.env;
    }
    if (current) {
      const depth = this.depth;
      const inner = (v: Variable): boolean => v.depth === depth;
      this.leaks(current, inner, lastSpan(statements) ?? this.fn.span, "scopeEnds");
      current = new Map([...current].filter(([id]) => !inner(this.variables.get(id)!)));
    }
    this.depth--;
    return current;
  }

  private statement(s: ir.IrStmt, flow: Map<number, readonly VarState[]>, env: Env): { flow: Flow; env: Env } {
    switch (s.kind) {
      case "declare": {
        const state = s.init ? this.initialState(s.init, flow, env) : { state: "none" as const, ref: undefined };
        const next = this.declare(env, s, s.name);
        const variable = this.lookup(next, s.name)!;
        return { flow: withState(flow, variable.id, state), env: next };
      }
      case "assign": {
        if (s.target.kind === "local") {
          const variable = this.lookup(env, s.target.name);
          const state = this.initialState(s.value, flow, env);
          if (variable) {
            this.leaks(flow, (v) => v === variable, s.span, { overwritten: variable.name });
            return { flow: withState(flow, variable.id, state), env };
          }
          return { flow, env };
        }
        this.place(s.target, flow, env);
        this.value(s.value, flow, env, "stored");
        return { flow, env };
      }
      case "mapUpdate":
        // Objects reach maps only by a move (lower-object-maps.ts stores their copy).
        this.use(s.key, flow, env);
        this.value(s.value, flow, env, "storedInMap");
        return { flow, env };
      case "mapCompound":
        this.use(s.key, flow, env);
        this.use(s.value, flow, env);
        return { flow, env };
      case "mapDelete":
        this.use(s.key, flow, env);
        return { flow, env };
      case "expr":
        this.use(s.expr, flow, env);
        return { flow, env };
      case "print":
        s.args.forEach((a) => this.use(a, flow, env));
        return { flow, env };
      case "if": {
        this.condition(s.condition, flow, env);
        const thenFlow = this.block(s.then, this.refine(s.condition, true, flow, env), env);
        const elseFlow = s.else ? this.block(s.else, this.refine(s.condition, false, flow, env), env) : this.refine(s.condition, false, flow, env);
        return { flow: this.merge(thenFlow, elseFlow, s.span), env };
      }
      case "ifPointer": {
        const made = this.madeRef(s.value);
        if (!made) this.value(s.value, flow, env, "copied");
        this.depth++;
        const bound = this.declare([...env, new Map()], s, s.binding);
        this.depth--;
        const variable = this.lookup(bound, s.binding)!;
        const thenIn = withState(flow, variable.id, made ? { state: "live", ref: made } : { state: "none", ref: undefined });
        // The binding belongs to the then-branch's scope: that block's end releases or leaks it.
        const thenFlow = this.block(s.then, thenIn, bound);
        const elseFlow = s.else ? this.block(s.else, flow, env) : flow;
        return { flow: this.merge(thenFlow, elseFlow, s.span), env };
      }
      case "ifMapEntry": case "ifPacketHeader": {
        // The binding points into a map value or the packet: no reference of its own.
        this.use(s.kind === "ifMapEntry" ? s.key : s.offset, flow, env);
        this.depth++;
        const bound = this.declare([...env, new Map()], s, s.binding);
        this.depth--;
        const thenFlow = this.block(s.then, flow, bound);
        const elseFlow = s.else ? this.block(s.else, flow, env) : flow;
        return { flow: this.merge(thenFlow, elseFlow, s.span), env };
      }
      case "while":
        return { flow: this.loop(s.body, flow, env, s.condition, undefined, s), env };
      case "forRange":
        this.use(s.start, flow, env);
        this.use(s.end, flow, env);
        return { flow: this.loop(s.body, flow, env, undefined, s.variable, s), env };
      case "break": case "continue": {
        const loop = this.loops[this.loops.length - 1];
        if (loop) {
          this.leaks(flow, (v) => v.depth > loop.depth, s.span, s.kind === "break" ? "loopLeft" : "nextIteration");
          const kept = new Map([...flow].filter(([id]) => this.variables.get(id)!.depth <= loop.depth));
          (s.kind === "break" ? loop.exits : loop.continues).push(kept);
        }
        return { flow: undefined, env };
      }
      case "return":
        if (s.value) this.value(s.value, flow, env, "returned");
        this.leaks(flow, () => true, s.span, "returns");
        return { flow: undefined, env };
      case "ringbufRelease": return { flow: this.release(s, s.record, `${s.map}.${s.op}(…)`, flow, env), env };
      case "objectDelete": return { flow: this.release(s, s.pointer, "delete", flow, env), env };
      case "onEvent": case "aliasWriteBack": return { flow, env };
      case "block": return { flow: this.block(s.body, flow, env), env };
      case "forMap": return { flow: this.loop(s.body, flow, env, undefined, s.key, s), env };
      case "mapEntryAssign":
        this.use(s.key, flow, env);
        this.use(s.value, flow, env);
        return { flow, env };
      case "declareAlias": {
        this.use(s.key, flow, env);
        return { flow, env: this.declare(env, s, s.name) };
      }
      case "defer":
        s.values.forEach((v) => this.use(v, flow, env));
        return { flow, env };
      case "tryCall": {
        s.args.forEach((a) => this.use(a, flow, env));
        return { flow, env: s.result ? this.declare(env, s, s.result) : env };
      }
      // Control leaves the function (or jumps to a catch, conservatively the same):
      // every reference still held leaks here.
      case "throw": case "tailCall": {
        this.use(s.kind === "throw" ? s.value : s.context, flow, env);
        this.leaks(flow, () => true, s.span, s.kind === "throw" ? "throws" : "tailCalls");
        return { flow: undefined, env };
      }
      case "try": {
        const bodyFlow = this.block(s.body, flow, env);
        const catchFlows = s.catches.map((c) => this.block(c.body, flow, env));
        return { flow: join(bodyFlow, ...catchFlows), env };
      }
    }
  }

  /** A loop: iterate the body until the states at its head stop changing. */
  private loop(body: readonly ir.IrStmt[], entry: Map<number, readonly VarState[]>, env: Env, condition: ir.IrExpr | undefined,
    variable: string | undefined, node: object): Flow {
    let head: Flow = entry;
    let exits: Flow[] = [];
    for (let iteration = 0; iteration < 8 && head; iteration++) {
      if (condition) this.condition(condition, head, env);
      const context: LoopContext = { depth: this.depth, exits: [], continues: [] };
      this.loops.push(context);
      let bodyEnv = env;
      if (variable) {
        this.depth++;
        bodyEnv = this.declare([...env, new Map()], node, variable);
        this.depth--;
      }
      const end = this.block(body, condition ? this.refine(condition, true, head, env) : head, bodyEnv);
      this.loops.pop();
      exits = context.exits;
      const next = join(entry, end, ...context.continues);
      if (sameFlow(next, head)) break;
      head = next;
    }
    const infinite = condition?.kind === "bool" && condition.value;
    const falseExit = head && condition ? this.refine(condition, false, head, env) : head;
    return join(...(infinite ? [] : [falseExit]), ...exits);
  }

  /** Joins two branches; a reference released on one side only remembers the branch. */
  private merge(a: Flow, b: Flow, branch: Span): Flow {
    if (!a || !b) return join(a, b);
    const left = new Map(a);
    const right = new Map(b);
    for (const [id, states] of a) {
      const other = b.get(id) ?? [];
      const released = (l: readonly VarState[]): boolean => l.some((s) => s.state === "released" || s.state === "null");
      if (released(states) !== released(other)) {
        const tag = (l: readonly VarState[]): VarState[] => l.map((s) => held(s) && !s.branch ? { ...s, branch } : s);
        left.set(id, tag(states));
        right.set(id, tag(other));
      }
    }
    return join(left, right);
  }

  /** A branch condition: testing a reference itself (`e`, `!e`, `e != null`) needs no check. */
  private condition(e: ir.IrExpr, flow: Map<number, readonly VarState[]>, env: Env): void {
    if (e.kind === "local") return;
    if (e.kind === "unary" && e.op === "!") return this.condition(e.operand, flow, env);
    if (e.kind === "binary" && (e.op === "&&" || e.op === "||")) {
      this.condition(e.left, flow, env);
      this.condition(e.right, this.refine(e.left, e.op === "&&", flow, env), env);
      return;
    }
    this.use(e, flow, env);
  }

  /** The state a variable starts in when initialised with `value`. */
  private initialState(value: ir.IrExpr, flow: Map<number, readonly VarState[]>, env: Env): VarState {
    const made = this.madeRef(value);
    if (made) return { state: "unchecked", ref: made };
    this.value(value, flow, env, "copied");
    return { state: "none", ref: undefined };
  }

  private madeRef(value: ir.IrExpr): Ref | undefined {
    if (value.kind === "ringbufReserve") return { kind: "record", map: value.map, origin: value.span };
    if (value.kind === "objectNew") return { kind: "object", map: undefined, origin: value.span };
    if (value.kind === "mapEntryPointer" && value.object) return { kind: "entry", map: value.map, origin: value.span };
    return undefined;
  }

  /** A local variable holding a reference on some path, when `e` is one. */
  private refVariable(e: ir.IrExpr, env: Env): Variable | undefined {
    return e.kind === "local" ? this.lookup(env, e.name) : undefined;
  }

  private release(s: Extract<ir.IrStmt, { kind: "ringbufRelease" | "objectDelete" }>, target: ir.IrExpr, operation: string,
    flow: Map<number, readonly VarState[]>, env: Env): Flow {
    const variable = this.refVariable(target, env);
    const states = variable ? flow.get(variable.id) ?? [] : [];
    const refs = states.filter((st) => st.ref);
    const wanted = s.kind === "objectDelete" ? "object" : { record: s.map };
    const moved = s.kind === "objectDelete" ? s.storedIn : undefined;
    const entry = refs.find((st) => st.ref!.kind === "entry")?.ref;
    if (variable && entry && s.kind === "objectDelete" && !moved) {
      this.diags.report(safety.releaseNotOwned, target.span, operation, wanted, { name: variable.name, entryOf: entry.map });
      return flow;
    }
    if (!variable || refs.length === 0 || states.some((st) => st.state === "none")) {
      if (!variable) this.use(target, flow, env);
      if (moved) this.diags.report(implicitMeanings.objectMoveNeedsObject, target.span, variable?.name, moved, "notAnObject");
      else this.diags.report(safety.releaseNotOwned, target.span, operation, wanted);
      return flow;
    }
    const wrong = refs.find((st) => s.kind === "objectDelete" ? st.ref!.kind !== "object" : st.ref!.kind !== "record" || st.ref!.map !== s.map);
    if (wrong && moved) {
      this.diags.report(implicitMeanings.objectMoveNeedsObject, target.span, variable.name, moved,
        wrong.ref!.kind === "entry" ? { entryOf: wrong.ref!.map } : "ringbufRecord");
      return flow;
    }
    if (wrong) {
      this.diags.report(safety.releaseNotOwned, target.span, operation, wanted, { name: variable.name, holds: wrong.ref!.kind, map: wrong.ref!.map });
      return flow;
    }
    const released = states.find((st) => st.state === "released");
    if (released?.at && moved) {
      this.diags.report(implicitMeanings.objectMoveNeedsObject, target.span, variable.name, moved, { released: released.how ?? "deleted" });
    } else if (released?.at) {
      this.diags.report(safety.doubleRelease, s.span, variable.name, released.how ?? released.ref!.kind, released.at);
    } else if (s.kind === "ringbufRelease" && states.some((st) => st.state === "unchecked" || st.state === "null") && !this.nullReported.has(variable.id)) {
      this.nullReported.add(variable.id);
      // A `var e = rb.reserve()` record is released only when it is not null (C guard).
      if (s.ifReserved) this.diags.report(safety.releaseOfUncheckedRecord, target.span, variable.name, operation, refs[0]!.ref!.origin);
      else this.diags.report(safety.missingNullCheck, target.span, variable.name, refs[0]!.ref!.origin);
    }
    const how = s.kind === "objectDelete" ? "deleted" : s.op === "submit" ? "submitted" : "discarded";
    return new Map(flow).set(variable.id, [{ state: "released", ref: refs[0]!.ref, at: s.span, how }]);
  }

  /** Narrows the states after `condition` evaluated to `truth`. */
  private refine(condition: ir.IrExpr, truth: boolean, flow: Map<number, readonly VarState[]>, env: Env): Map<number, readonly VarState[]> {
    const out = new Map(flow);
    const apply = (e: ir.IrExpr, t: boolean): void => {
      if (e.kind === "local") {
        const variable = this.lookup(env, e.name);
        const states = variable && out.get(variable.id);
        if (!variable || !states) return;
        out.set(variable.id, states.map((s) => s.state === "unchecked" ? { ...s, state: t ? "live" : "null" } : s));
      } else if (e.kind === "unary" && e.op === "!") {
        apply(e.operand, !t);
      } else if (e.kind === "binary" && (e.op === "==" || e.op === "!=")) {
        const other = e.right.kind === "null" ? e.left : e.left.kind === "null" ? e.right : undefined;
        if (other) apply(other, e.op === "!=" ? t : !t);
      } else if (e.kind === "binary" && e.op === "&&" && t) {
        apply(e.left, true);
        apply(e.right, true);
      } else if (e.kind === "binary" && e.op === "||" && !t) {
        apply(e.left, false);
        apply(e.right, false);
      }
    };
    apply(condition, truth);
    return out;
  }

  /** An expression whose value is copied somewhere: a reference may not be. */
  private value(e: ir.IrExpr, flow: Map<number, readonly VarState[]>, env: Env, where: EscapePoint): void {
    const variable = this.refVariable(e, env);
    const states = variable ? flow.get(variable.id) ?? [] : [];
    const ref = states.find((s) => s.ref)?.ref;
    // An entry pointer may be copied once it is checked (`use` reports it otherwise).
    if (variable && ref && ref.kind !== "entry") {
      this.diags.report(safety.referenceEscapes, e.span, { name: variable.name, held: ref.kind, at: where });
      return;
    }
    this.use(e, flow, env);
  }

  private place(p: ir.IrPlace, flow: Map<number, readonly VarState[]>, env: Env): void {
    switch (p.kind) {
      case "field": this.use(p.target, flow, env); return;
      case "index": this.use(p.target, flow, env); this.use(p.index, flow, env); return;
      case "deref": this.use(p.pointer, flow, env); return;
      case "local": case "global": case "entry": return;
    }
  }

  /** Reads of `e`: every reference touched must be non-null and not yet released. */
  private use(e: ir.IrExpr, flow: Map<number, readonly VarState[]>, env: Env): void {
    switch (e.kind) {
      case "local": {
        const variable = this.lookup(env, e.name);
        const states = variable ? flow.get(variable.id) ?? [] : [];
        const released = states.find((s) => s.state === "released");
        const unchecked = states.find((s) => s.state === "unchecked" || s.state === "null");
        if (variable && released?.at) {
          this.diags.report(safety.useAfterRelease, e.span, variable.name, released.how ?? released.ref!.kind, released.at);
        } else if (variable && unchecked?.ref && !this.nullReported.has(variable.id)) {
          // One report per variable: later uses would only repeat it.
          this.nullReported.add(variable.id);
          this.diags.report(safety.missingNullCheck, e.span, variable.name, unchecked.ref.origin);
        }
        return;
      }
      case "binary": {
        const nullTest = (e.op === "==" || e.op === "!=") && (e.left.kind === "null" || e.right.kind === "null");
        if (nullTest) {
          const other = e.left.kind === "null" ? e.right : e.left;
          if (other.kind !== "local") this.use(other, flow, env);
          return;
        }
        this.use(e.left, flow, env);
        const rightFlow = e.op === "&&" ? this.refine(e.left, true, flow, env) : e.op === "||" ? this.refine(e.left, false, flow, env) : flow;
        this.use(e.right, rightFlow, env);
        return;
      }
      case "unary":
        if (e.op === "!" && e.operand.kind === "local") return;
        if (e.op === "&") this.value(e.operand, flow, env, "addressTaken");
        else this.use(e.operand, flow, env);
        return;
      case "cast": this.value(e.expr, flow, env, "converted"); return;
      case "field": this.use(e.target, flow, env); return;
      case "contextField": this.use(e.context, flow, env); return;
      case "index": this.use(e.target, flow, env); this.use(e.index, flow, env); return;
      case "mapLookup": case "mapContains": this.use(e.key, flow, env); return;
      case "call": case "builtin": case "testCall": e.args.forEach((a) => this.use(a, flow, env)); return;
      case "structLiteral": e.fields.forEach((f) => this.value(f.value, flow, env, "storedInStruct")); return;
      case "arrayLiteral": e.elements.forEach((x) => this.value(x, flow, env, "storedInArray")); return;
      case "ringbufReserve": case "objectNew":
        this.diags.report(safety.referenceEscapes, e.span, { unkept: e.kind === "ringbufReserve" ? "record" : "object" });
        return;
      case "mapEntryPointer": case "callValue": case "byteOrder": case "strConcat": case "strEquals": case "strIndex":
      case "strConvert": case "strBytes": case "mapMethod": case "tracing": case "stringRead":
        exprChildren(e).forEach((x) => this.use(x, flow, env));
        return;
      // The statements of a match value are checked as a block of their own (references
      // they take must be released inside it); what they do to outer ones is not followed.
      case "valueBlock":
        this.block(e.body, flow, env);
        return;
      case "int": case "bool": case "string": case "null": case "constant": case "global": case "entry":
      case "programRef": case "sizeof": case "functionRef": case "escapeSlot":
        return;
      case "dispatch":
        if (e.timeout) this.use(e.timeout, flow, env);
        return;
    }
  }
}

function lastSpan(statements: readonly ir.IrStmt[]): Span | undefined {
  return statements[statements.length - 1]?.span;
}
