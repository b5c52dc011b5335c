//! Loops in the checker: constant range bounds, the proof that an eBPF `while` loop
//! ends, read-only loop variables, and `for (k, v) in m` over maps.
//!
//! What it finds is kept per loop statement in `LoopFacts` (part of `Semantics`);
//! lowering decides from them how each loop becomes C (see lower/lower-loops.ts).
//! `while` proofs run after the whole function is checked, because the starting value
//! of the loop's counter depends on assignments anywhere in the function.

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { Span } from "../source.js";
import type { IntType, Type } from "../types.js";
import { intRange, sizeOf, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { MapInfo, Symbol } from "./semantics.js";
import { asInteger } from "./conversions.js";
import { foldConstant, type ConstantScope } from "./constants.js";
import { unparenthesize } from "../ast.js";

/** `bpf_loop()` runs at most this many iterations (BPF_MAX_LOOPS in the kernel). */
export const maxLoopIterations = 1n << 23n;

export type LoopFacts =
  /** Bounds that are compile-time constants (literals, `const`, enum constants, `sizeof` …). */
  | { readonly kind: "range"; readonly start: bigint | undefined; readonly end: bigint | undefined }
  /** eBPF `while` loops: the proven largest number of iterations (user space: undefined). */
  | { readonly kind: "while"; readonly maxIterations: bigint | undefined }
  | { readonly kind: "map"; readonly map: MapInfo };

type LocalSymbol = Extract<Symbol, { kind: "local" }>;

interface LoopState {
  readonly facts: Map<ast.Stmt, LoopFacts>;
  /** Ids of read-only loop bindings → where they were bound. */
  readonly loopBindings: Map<number, Span>;
  /** Initialisers of locals by symbol id (`null`: declared without one, so zero). */
  readonly inits: Map<number, ast.Expr | null>;
  /** eBPF `while` loops of the function being checked, proven when it is done. */
  pendingWhiles: ast.WhileStmt[];
}

const states = new WeakMap<CheckContext, LoopState>();

function stateOf(ctx: CheckContext): LoopState {
  let state = states.get(ctx);
  if (!state) {
    state = { facts: new Map(), loopBindings: new Map(), inits: new Map(), pendingWhiles: [] };
    states.set(ctx, state);
  }
  return state;
}

export function loopFactsOf(ctx: CheckContext): ReadonlyMap<ast.Stmt, LoopFacts> {
  return stateOf(ctx).facts;
}

/** Called for every `var`/`const` declaration: remembers its initialiser. */
export function noteLocalDeclaration(ctx: CheckContext, symbol: Symbol, init: ast.Expr | undefined): void {
  if (symbol.kind === "local") stateOf(ctx).inits.set(symbol.id, init ?? null);
}

/** E0360 when `symbol` is a loop binding; returns whether it was one. */
export function checkLoopBindingAssignment(ctx: CheckContext, symbol: Symbol, span: Span): boolean {
  if (symbol.kind !== "local") return false;
  const bound = stateOf(ctx).loopBindings.get(symbol.id);
  if (!bound) return false;
  ctx.diags.report(typeErrors.assignToLoopVariable, span, symbol.name, bound);
  return true;
}

// ---------------------------------------------------------------------------------------
// Constant expressions
// ---------------------------------------------------------------------------------------

/**
 * The value of an integer expression known at compile time: literals, `const` locals,
 * enum and built-in constants, `sizeof`, casts and arithmetic on those, folded by the
 * one constant folder (check/constants.ts). Names are resolved through
 * `ctx.references`, so the expression must have been checked.
 */
export function constantValue(ctx: CheckContext, expr: ast.Expr): bigint | undefined {
  const folded = foldConstant(expr, checkedConstants(ctx));
  return folded.kind === "value" ? folded.value : undefined;
}

/** Names, `sizeof` and casts as the checker resolved them, for `foldConstant`. */
export function checkedConstants(ctx: CheckContext): ConstantScope {
  const scope: ConstantScope = {
    name: (expr) => {
      const symbol = ctx.references.get(expr);
      if (symbol?.kind === "constant") return { kind: "value", value: symbol.value };
      if (symbol?.kind === "local" && symbol.isConst) {
        // A `const` is initialised with a constant of literals and global constants (E0334).
        const init = stateOf(ctx).inits.get(symbol.id);
        if (init) return foldConstant(init, scope);
      }
      return { kind: "unknown" };
    },
    sizeOf: (expr) => {
      const type = ctx.typeOperands.get(expr.type);
      return type && type.kind !== "error" ? BigInt(sizeOf(type, ctx.tables)) : undefined;
    },
    castTarget: (expr) => {
      const target = ctx.typeOperands.get(expr.type);
      return target ? asInteger(target) : undefined;
    },
  };
  return scope;
}

// ---------------------------------------------------------------------------------------
// for (i in a..b)
// ---------------------------------------------------------------------------------------

/** After the loop variable is declared: facts, the empty-range warning, the eBPF limit. */
export function checkRangeLoop(c: ExprChecker, stmt: ast.ForRangeStmt, variable: Symbol): void {
  const { ctx } = c;
  const state = stateOf(ctx);
  if (variable.kind === "local") state.loopBindings.set(variable.id, variable.span);
  const start = constantValue(ctx, stmt.start);
  const end = constantValue(ctx, stmt.end);
  state.facts.set(stmt, { kind: "range", start, end });
  if (start === undefined || end === undefined) return;
  if (start >= end) {
    ctx.diags.report(nameErrors.emptyRange, { ...stmt.start.span, end: stmt.end.span.end }, start.toString(), end.toString());
  } else if (c.fn.side === "kernel" && end - start > maxLoopIterations) {
    ctx.diags.report(safetyErrors.loopTooLong, { ...stmt.start.span, end: stmt.end.span.end }, (end - start).toString());
  }
}

// ---------------------------------------------------------------------------------------
// while
// ---------------------------------------------------------------------------------------

/** After the condition and body are checked. eBPF loops are proven at function end. */
export function checkWhileLoop(c: ExprChecker, stmt: ast.WhileStmt): void {
  const { ctx } = c;
  const state = stateOf(ctx);
  if (c.fn.side !== "kernel") { // user space and kernel-module code: no verifier
    state.facts.set(stmt, { kind: "while", maxIterations: undefined });
    return;
  }
  const condition = unparenthesize(stmt.condition);
  if (condition.kind === "BoolLiteral" && condition.value) {
    ctx.diags.report(safetyErrors.infiniteLoop, stmt.condition.span);
    return;
  }
  state.pendingWhiles.push(stmt);
}

/** Proves the eBPF `while` loops of a function once its whole body is checked. */
export function finishFunctionLoops(ctx: CheckContext, body: ast.Block): void {
  const state = stateOf(ctx);
  const pending = state.pendingWhiles;
  state.pendingWhiles = [];
  for (const loop of pending) {
    const proof = proveWhile(ctx, loop, body);
    if (proof.kind === "unproven") {
      ctx.diags.report(safetyErrors.unprovenLoopBound, proof.span ?? loop.condition.span, proof.why);
    } else if (proof.iterations > maxLoopIterations) {
      ctx.diags.report(safetyErrors.loopTooLong, loop.condition.span, `up to ${proof.iterations}`);
    } else {
      state.facts.set(loop, { kind: "while", maxIterations: proof.iterations });
    }
  }
}

type Proof =
  | { readonly kind: "proven"; readonly iterations: bigint }
  | { readonly kind: "unproven"; readonly why: string; readonly span?: Span };

interface Candidate {
  readonly counter: LocalSymbol;
  readonly type: IntType;
  /** The first value for which the condition is false. */
  readonly limit: bigint;
  readonly inclusive: boolean;
  readonly bound: bigint;
}

function proveWhile(ctx: CheckContext, loop: ast.WhileStmt, functionBody: ast.Block): Proof {
  const candidates: Candidate[] = [];
  for (const conjunct of conjuncts(loop.condition)) {
    const candidate = comparison(ctx, conjunct);
    if (candidate) candidates.push(candidate);
  }
  if (candidates.length === 0) {
    return { kind: "unproven", why: "the condition does not compare an integer variable with a constant (`i < N` or `i <= N`)" };
  }
  let first: Proof | undefined;
  for (const candidate of candidates) {
    const proof = proveCandidate(ctx, loop, functionBody, candidate);
    if (proof.kind === "proven") return proof;
    first ??= proof;
  }
  return first!;
}

function proveCandidate(ctx: CheckContext, loop: ast.WhileStmt, functionBody: ast.Block, candidate: Candidate): Proof {
  const { counter, type } = candidate;
  const name = `\`${counter.name}\``;
  const writes = assignmentsTo(ctx, loop.body.statements, counter);
  const topLevel = loop.body.statements.findIndex((s) => s.kind === "AssignStmt" && writes.includes(s));
  if (topLevel < 0) {
    const nested = writes[0];
    return nested
      ? { kind: "unproven", why: `${name} is only changed inside a branch or nested block, so some iterations may not increase it`, span: nested.span }
      : { kind: "unproven", why: `${name} never changes in the loop body` };
  }
  const increment = loop.body.statements[topLevel] as ast.AssignStmt;
  const step = incrementOf(ctx, increment, counter);
  if (step === undefined || step <= 0n) {
    return { kind: "unproven", why: `${name} must increase by a positive constant (\`${counter.name} += 1\`) on every iteration`, span: increment.span };
  }
  const other = writes.find((w) => w !== increment);
  if (other) return { kind: "unproven", why: `${name} is also assigned here, so the loop may not make progress`, span: other.span };
  const skip = loop.body.statements.slice(0, topLevel).map(findContinue).find((s) => s !== undefined);
  if (skip) return { kind: "unproven", why: `this \`continue\` skips the increase of ${name}`, span: skip.span };
  // The counter must not wrap around before the condition turns false.
  const { min, max } = intRange(type);
  if (candidate.limit - 1n + step > max) {
    return {
      kind: "unproven",
      why: `${name} is \`${typeToString(type)}\` (at most ${max}) and would wrap around before \`${candidate.inclusive ? "<=" : "<"} ${candidate.bound}\` becomes false`,
    };
  }
  const known = startingValue(ctx, functionBody, loop, counter);
  if (known === undefined && type.signed) {
    return { kind: "unproven", why: `${name} is signed and its value before the loop is not a known constant, so it may start far below the bound` };
  }
  const start = known ?? min;
  const distance = candidate.limit - start;
  const iterations = distance <= 0n ? 0n : (distance + step - 1n) / step;
  return { kind: "proven", iterations };
}


function conjuncts(expr: ast.Expr): ast.Expr[] {
  const e = unparenthesize(expr);
  return e.kind === "BinaryExpr" && e.op === "&&" ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function counterOf(ctx: CheckContext, expr: ast.Expr): { symbol: LocalSymbol; type: IntType } | undefined {
  const e = unparenthesize(expr);
  if (e.kind !== "NameExpr") return undefined;
  const symbol = ctx.references.get(e);
  if (symbol?.kind !== "local" || symbol.isConst) return undefined;
  const type = asInteger(symbol.type);
  return type ? { symbol, type } : undefined;
}

/** `i < N`, `i <= N`, `N > i`, `N >= i` with N constant. */
function comparison(ctx: CheckContext, expr: ast.Expr): Candidate | undefined {
  if (expr.kind !== "BinaryExpr") return undefined;
  const forms: [ast.Expr, ast.Expr, boolean][] = [];
  if (expr.op === "<" || expr.op === "<=") forms.push([expr.left, expr.right, expr.op === "<="]);
  if (expr.op === ">" || expr.op === ">=") forms.push([expr.right, expr.left, expr.op === ">="]);
  for (const [variable, bound, inclusive] of forms) {
    const counter = counterOf(ctx, variable);
    const value = constantValue(ctx, bound);
    if (!counter || value === undefined) continue;
    return { counter: counter.symbol, type: counter.type, limit: inclusive ? value + 1n : value, inclusive, bound: value };
  }
  return undefined;
}

/** Every assignment to `symbol` in `statements` (nested ones too). */
function assignmentsTo(ctx: CheckContext, statements: readonly ast.Stmt[], symbol: LocalSymbol, skip?: ast.Stmt): ast.AssignStmt[] {
  const found: ast.AssignStmt[] = [];
  const visit = (s: ast.Stmt): void => {
    if (s === skip) return;
    switch (s.kind) {
      case "AssignStmt": {
        const target = unparenthesize(s.target);
        if (target.kind === "NameExpr" && ctx.references.get(target) === symbol) found.push(s);
        return;
      }
      case "IfStmt":
        s.then.statements.forEach(visit);
        if (s.else?.kind === "Block") s.else.statements.forEach(visit);
        else if (s.else) visit(s.else);
        return;
      case "WhileStmt": case "ForRangeStmt": case "ForInStmt": s.body.statements.forEach(visit); return;
      case "BlockStmt": s.block.statements.forEach(visit); return;
      case "TryStmt": s.body.statements.forEach(visit); s.catches.forEach((k) => k.body.statements.forEach(visit)); return;
      default: return;
    }
  };
  statements.forEach(visit);
  return found;
}

/** `i += c` or `i = i + c` / `i = c + i`: the constant c. */
function incrementOf(ctx: CheckContext, s: ast.AssignStmt, counter: LocalSymbol): bigint | undefined {
  if (s.op === "+=") return constantValue(ctx, s.value);
  if (s.op === "-=") {
    const value = constantValue(ctx, s.value);
    return value === undefined ? undefined : -value;
  }
  if (s.op !== "=") return undefined;
  const value = unparenthesize(s.value);
  if (value.kind !== "BinaryExpr" || value.op !== "+") return undefined;
  if (counterOf(ctx, value.left)?.symbol === counter) return constantValue(ctx, value.right);
  if (counterOf(ctx, value.right)?.symbol === counter) return constantValue(ctx, value.left);
  return undefined;
}

/** A `continue` of the enclosing loop inside `s` (not one of a nested loop). */
function findContinue(s: ast.Stmt): ast.Stmt | undefined {
  switch (s.kind) {
    case "ContinueStmt": return s;
    case "IfStmt": {
      const inThen = s.then.statements.map(findContinue).find((x) => x);
      if (inThen) return inThen;
      if (s.else?.kind === "Block") return s.else.statements.map(findContinue).find((x) => x);
      return s.else ? findContinue(s.else) : undefined;
    }
    case "BlockStmt": return s.block.statements.map(findContinue).find((x) => x);
    default: return undefined;
  }
}

/**
 * The smallest value the counter can have when the loop starts, when every write to
 * it outside the loop (and its declaration) stores a constant; undefined otherwise.
 */
function startingValue(ctx: CheckContext, functionBody: ast.Block, loop: ast.WhileStmt, counter: LocalSymbol): bigint | undefined {
  const init = stateOf(ctx).inits.get(counter.id);
  if (init === undefined) return undefined; // a parameter: any value
  const values: bigint[] = [];
  if (init === null) values.push(0n);
  else {
    const value = constantValue(ctx, init);
    if (value === undefined) return undefined;
    values.push(value);
  }
  for (const write of assignmentsTo(ctx, functionBody.statements, counter, loop)) {
    if (write.op !== "=") return undefined;
    const value = constantValue(ctx, write.value);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values.reduce((a, b) => (a < b ? a : b));
}

// ---------------------------------------------------------------------------------------
// for (k, v) in m
// ---------------------------------------------------------------------------------------

const iterableKinds = new Set(["hash", "array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash", "lpm_trie"]);
/** What `bpf_for_each_map_elem()` walks (not LPM tries). */
const kernelIterableKinds = new Set(["hash", "array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash"]);

/**
 * Checks the header of a map loop and declares its bindings in `bodyScope`; returns
 * the map, or undefined after reporting why it cannot be iterated.
 */
export function checkMapLoopHeader(
  c: ExprChecker,
  scope: Scope,
  bodyScope: Scope,
  stmt: ast.ForInStmt,
  checkIterable: (expr: ast.Expr) => Type,
): boolean {
  const { ctx } = c;
  const iterable = unparenthesize(stmt.iterable);
  const symbol = iterable.kind === "NameExpr" ? scope.lookup(iterable.name.name) : undefined;
  let map: MapInfo | undefined;
  if (symbol?.kind === "map" && iterable.kind === "NameExpr") {
    ctx.references.set(iterable, symbol);
    map = symbol.info;
    const kinds = c.fn.side === "kernel" ? kernelIterableKinds : iterableKinds;
    if (!kinds.has(map.type.mapKind)) {
      ctx.diags.report(typeErrors.notIterable, stmt.iterable.span, `a \`${map.type.mapKind}\` map`, c.fn.side === "kernel" ? " in eBPF code" : "");
      map = undefined;
    }
  } else {
    const type = checkIterable(stmt.iterable);
    if (type.kind !== "error") ctx.diags.report(typeErrors.notIterable, stmt.iterable.span, `a value of type \`${typeToString(type)}\``, "");
  }
  const state = stateOf(ctx);
  const bind = (ident: ast.Ident, type: Type): void => {
    const local: Symbol = { kind: "local", name: ident.name, type, isConst: false, span: ident.span, id: ctx.freshLocalId() };
    bodyScope.declare(ident.name, local);
    ctx.declarations.set(ident, local);
    state.loopBindings.set(local.id, ident.span);
  };
  const errorType: Type = { kind: "error" };
  bind(stmt.key, map ? map.type.key : errorType);
  if (stmt.value) {
    if (stmt.value.name === stmt.key.name) ctx.diags.report(nameErrors.duplicateLoopBinding, stmt.value.span, stmt.value.name);
    else bind(stmt.value, map ? map.type.value : errorType);
  }
  if (map) state.facts.set(stmt, { kind: "map", map });
  return map !== undefined;
}
