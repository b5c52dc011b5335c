//! Loops in the checker: constant range bounds, the proof that an eBPF `while` loop
//! ends, read-only loop variables, and `for (k, v) in m` over maps.
//!
//! What it finds is kept per loop statement in `LoopFacts` (part of `Semantics`);
//! lowering decides from them how each loop becomes C (see lower/lower-loops.ts).
//! `while` proofs (check/while-proof.ts) run after the whole function is checked,
//! because the starting value of the loop's counter depends on assignments anywhere in
//! the function.

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { sizeOf, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { MapInfo, Symbol } from "./semantics.js";
import { asInteger } from "./conversions.js";
import { foldConstant, type ConstantScope } from "./constants.js";
import { unparenthesize } from "../ast.js";
import { proveWhile, type WhileProofScope } from "./while-proof.js";
import { mapKinds, mapKindsWhere } from "../kernel/map-kinds.js";

/** `bpf_loop()` runs at most this many iterations (BPF_MAX_LOOPS in the kernel). */
export const maxLoopIterations = 1n << 23n;

export type LoopFacts =
  /** Bounds that are compile-time constants (literals, `const`, enum constants, `sizeof` …). */
  | { readonly kind: "range"; readonly start: bigint | undefined; readonly end: bigint | undefined }
  /** eBPF `while` loops: the proven largest number of iterations (user space: undefined). */
  | { readonly kind: "while"; readonly maxIterations: bigint | undefined }
  | { readonly kind: "map"; readonly map: MapInfo };

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
    ctx.diags.report(safetyErrors.loopTooLong, { ...stmt.start.span, end: stmt.end.span.end }, { iterations: end - start });
  }
}

// ---------------------------------------------------------------------------------------
// while
// ---------------------------------------------------------------------------------------

/** After the condition and body are checked. eBPF loops are proven at function end. */
export function checkWhileLoop(c: ExprChecker, stmt: ast.WhileStmt): void {
  const state = stateOf(c.ctx);
  if (c.fn.side !== "kernel") { // user space and kernel-module code: no verifier
    state.facts.set(stmt, { kind: "while", maxIterations: undefined });
    return;
  }
  state.pendingWhiles.push(stmt);
}

/** Proves the eBPF `while` loops of a function once its whole body is checked. */
export function finishFunctionLoops(ctx: CheckContext, body: ast.Block): void {
  const state = stateOf(ctx);
  const pending = state.pendingWhiles;
  state.pendingWhiles = [];
  const scope: WhileProofScope = {
    constant: (expr) => constantValue(ctx, expr),
    local: (expr) => {
      const symbol = ctx.references.get(expr);
      return symbol?.kind === "local" ? symbol : undefined;
    },
    initialiser: (symbol) => state.inits.get(symbol.id),
  };
  for (const loop of pending) {
    const proof = proveWhile(scope, loop, body);
    switch (proof.kind) {
      case "infinite":
        ctx.diags.report(safetyErrors.infiniteLoop, loop.condition.span);
        break;
      case "unproven":
        ctx.diags.report(safetyErrors.unprovenLoopBound, proof.span ?? loop.condition.span, proof.why);
        break;
      case "proven":
        if (proof.iterations > maxLoopIterations) {
          ctx.diags.report(safetyErrors.loopTooLong, loop.condition.span, { iterations: proof.iterations, upTo: true, ...(proof.unknownStart ? { unknownStart: proof.unknownStart } : {}) });
        } else {
          state.facts.set(loop, { kind: "while", maxIterations: proof.iterations });
        }
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------
// for (k, v) in m
// ---------------------------------------------------------------------------------------

/** The kinds `for (k, v) in m` walks on one side, for E0361's help. */
function iterableKinds(kernel: boolean): readonly string[] {
  return mapKindsWhere((row) => row.spellings.length > 0 && (kernel ? row.iterable.kernel : row.iterable.user));
}

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
    // eBPF walks maps with bpf_for_each_map_elem(), user space with get_next_key.
    const walkable = mapKinds[map.type.mapKind].iterable;
    if (!(c.fn.side === "kernel" ? walkable.kernel : walkable.user)) {
      ctx.diags.report(typeErrors.notIterable, stmt.iterable.span, { mapKind: map.type.mapKind, side: c.fn.side === "kernel" ? "kernel" : "user" }, iterableKinds(c.fn.side === "kernel"));
      map = undefined;
    }
  } else {
    const type = checkIterable(stmt.iterable);
    if (type.kind !== "error") ctx.diags.report(typeErrors.notIterable, stmt.iterable.span, { type: typeToString(type) }, iterableKinds(c.fn.side === "kernel"));
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
