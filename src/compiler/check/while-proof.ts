//! The proof that an eBPF `while` loop ends, and its largest number of iterations.
//!
//! The verifier accepts a loop only when walking it reaches the exit, so the checker
//! accepts the shapes whose end it can see, and lowering uses the iteration count it
//! finds (a walked loop, or the count given to `bpf_loop()`):
//!
//! - a body every path of which leaves the loop (`break`, `return`, `throw`) and that
//!   has no `continue`: one iteration, whatever the condition (`while (true)` too);
//! - a counter compared with a constant, moved by a constant step in one statement at
//!   the top level of the body and written nowhere else in it:
//!   counting up — `i < N`, `i <= N`, `N > i`, `N >= i` with a positive step;
//!   counting down — `i > N`, `i >= N`, `N < i`, `N <= i` with a negative step;
//!   exactly — `i != N` or a bare `i` (that is `i != 0`) with a step of ±1, when every
//!   value the counter can start from is on the side it moves away from.
//!
//! The counter's first value comes from its declaration and the assignments outside the
//! loop when all of them are constants; otherwise it may be anything its type holds.
//! A counter that would wrap around before the condition turns false, or whose address
//! is taken (it could change behind the proof's back), proves nothing.

import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import type { Span } from "../source.js";
import type { IntType } from "../types.js";
import { intRange, typeToString } from "../types.js";
import type { Symbol } from "./semantics.js";
import { asInteger } from "./conversions.js";
import type { LoopLength, UnprovenLoop } from "../diagnostics/catalog/safety.js";

export type LocalSymbol = Extract<Symbol, { kind: "local" }>;

export type WhileProof =
  | { readonly kind: "proven"; readonly iterations: bigint; readonly unknownStart?: LoopLength["unknownStart"] }
  /** `while (true)` whose body can go round again. */
  | { readonly kind: "infinite" }
  | { readonly kind: "unproven"; readonly why: UnprovenLoop; readonly span?: Span };

/** What the proof needs from the checker. */
export interface WhileProofScope {
  /** The value of an integer expression known at compile time. */
  constant(expr: ast.Expr): bigint | undefined;
  /** The local a name refers to. */
  local(expr: ast.NameExpr): LocalSymbol | undefined;
  /** The initialiser of a local (`null`: declared without one; undefined: a parameter). */
  initialiser(symbol: LocalSymbol): ast.Expr | null | undefined;
}

type Direction = "up" | "down" | "exact";

interface Candidate {
  readonly counter: LocalSymbol;
  readonly type: IntType;
  readonly direction: Direction;
  /**
   * up: the condition holds while the counter is below `limit`; down: while it is
   * above; exact: while it differs.
   */
  readonly limit: bigint;
  /** The condition as written, for messages (`<= 255`). */
  readonly test: string;
}

export function proveWhile(scope: WhileProofScope, loop: ast.WhileStmt, functionBody: ast.Block): WhileProof {
  if (leavesEveryIteration(loop.body.statements)) return { kind: "proven", iterations: 1n };
  const condition = unparenthesize(loop.condition);
  if (condition.kind === "BoolLiteral" && condition.value) return { kind: "infinite" };
  const candidates = conjuncts(loop.condition)
    .map((conjunct) => comparison(scope, conjunct))
    .filter((c): c is Candidate => c !== undefined);
  if (candidates.length === 0) {
    return { kind: "unproven", why: { kind: "noCounter" } };
  }
  let first: WhileProof | undefined;
  for (const candidate of candidates) {
    const proof = proveCandidate(scope, loop, functionBody, candidate);
    if (proof.kind === "proven") return proof;
    first ??= proof;
  }
  return first!;
}

function proveCandidate(scope: WhileProofScope, loop: ast.WhileStmt, functionBody: ast.Block, candidate: Candidate): WhileProof {
  const { counter, type, direction, limit } = candidate;
  const name = counter.name;
  const addressTaken = addressOf(functionBody, scope, counter);
  if (addressTaken) return { kind: "unproven", why: { kind: "addressTaken", counter: name }, span: addressTaken.span };
  const writes = assignmentsTo(scope, loop.body.statements, counter);
  const topLevel = loop.body.statements.findIndex((s) => s.kind === "AssignStmt" && writes.includes(s));
  if (topLevel < 0) {
    const nested = writes[0];
    return nested
      ? { kind: "unproven", why: { kind: "changedOnlyInBranch", counter: name }, span: nested.span }
      : { kind: "unproven", why: { kind: "neverChanged", counter: name } };
  }
  const stepStatement = loop.body.statements[topLevel] as ast.AssignStmt;
  const step = stepOf(scope, stepStatement, counter);
  const stepFits = step !== undefined && (direction === "up" ? step > 0n : direction === "down" ? step < 0n : step === 1n || step === -1n);
  if (!stepFits) {
    return { kind: "unproven", why: { kind: "wrongStep", counter: name, direction, test: candidate.test }, span: stepStatement.span };
  }
  const other = writes.find((w) => w !== stepStatement);
  if (other) return { kind: "unproven", why: { kind: "assignedElsewhere", counter: name }, span: other.span };
  const skip = loop.body.statements.slice(0, topLevel).map(findContinue).find((s) => s !== undefined);
  if (skip) return { kind: "unproven", why: { kind: "continueSkipsStep", counter: name }, span: skip.span };

  const { min, max } = intRange(type);
  const starts = startingValues(scope, functionBody, loop, counter);
  switch (direction) {
    case "up": {
      // The counter must not wrap around before the condition turns false.
      if (limit - 1n + step > max) return wraps(name, type, "atMost", max, candidate.test);
      if (starts === undefined && type.signed) {
        return { kind: "unproven", why: { kind: "signedUnknownStart", counter: name } };
      }
      const start = starts ? minimum(starts) : min;
      return proven(limit - start, step, starts === undefined ? { counter: name, start } : undefined);
    }
    case "down": {
      if (limit + 1n + step < min) return wraps(name, type, "atLeast", min, candidate.test);
      const start = starts ? maximum(starts) : max;
      return proven(start - limit, -step, starts === undefined ? { counter: name, start } : undefined);
    }
    case "exact": {
      // Moving by one, the counter meets the bound from any start on the far side.
      const from = starts ?? (step < 0n && limit === min ? [max] : undefined);
      const onFarSide = from?.every((s) => (step > 0n ? s <= limit : s >= limit));
      if (!from || !onFarSide) {
        const side = step > 0n ? "above" : "below";
        const start = from?.find((s) => (step > 0n ? s > limit : s < limit));
        return { kind: "unproven", why: { kind: "startsPastBound", counter: name, start, side, limit, test: candidate.test } };
      }
      const distances = from.map((s) => (s > limit ? s - limit : limit - s));
      return proven(maximum(distances), 1n, starts === undefined ? { counter: name, start: max } : undefined);
    }
  }
}

function proven(distance: bigint, step: bigint, unknownStart: LoopLength["unknownStart"]): WhileProof {
  const iterations = distance <= 0n ? 0n : (distance + step - 1n) / step;
  return unknownStart === undefined ? { kind: "proven", iterations } : { kind: "proven", iterations, unknownStart };
}

function wraps(counter: string, type: IntType, bound: "atMost" | "atLeast", value: bigint, test: string): WhileProof {
  return { kind: "unproven", why: { kind: "wraps", counter, type: typeToString(type), bound, value, test } };
}

const minimum = (values: readonly bigint[]): bigint => values.reduce((a, b) => (a < b ? a : b));
const maximum = (values: readonly bigint[]): bigint => values.reduce((a, b) => (a > b ? a : b));

// ---------------------------------------------------------------------------------------
// The condition
// ---------------------------------------------------------------------------------------

function conjuncts(expr: ast.Expr): ast.Expr[] {
  const e = unparenthesize(expr);
  return e.kind === "BinaryExpr" && e.op === "&&" ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

function counterOf(scope: WhileProofScope, expr: ast.Expr): { symbol: LocalSymbol; type: IntType } | undefined {
  const e = unparenthesize(expr);
  if (e.kind !== "NameExpr") return undefined;
  const symbol = scope.local(e);
  if (!symbol || symbol.isConst) return undefined;
  const type = asInteger(symbol.type);
  return type ? { symbol, type } : undefined;
}

/** Comparison operators with the counter on the left, and their mirror images. */
const flipped: Readonly<Record<string, string>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=", "!=": "!=" };

/** A conjunct comparing a counter with a constant, normalised to `counter op N`. */
function comparison(scope: WhileProofScope, expr: ast.Expr): Candidate | undefined {
  const bare = counterOf(scope, expr);
  if (bare) return { counter: bare.symbol, type: bare.type, direction: "exact", limit: 0n, test: bare.symbol.name };
  if (expr.kind !== "BinaryExpr" || !(expr.op in flipped)) return undefined;
  const forms: [ast.Expr, ast.Expr, string][] = [[expr.left, expr.right, expr.op], [expr.right, expr.left, flipped[expr.op]!]];
  for (const [variable, bound, op] of forms) {
    const counter = counterOf(scope, variable);
    const value = scope.constant(bound);
    if (!counter || value === undefined) continue;
    const test = `${counter.symbol.name} ${op} ${value}`;
    const base = { counter: counter.symbol, type: counter.type, test };
    switch (op) {
      case "<": return { ...base, direction: "up", limit: value };
      case "<=": return { ...base, direction: "up", limit: value + 1n };
      case ">": return { ...base, direction: "down", limit: value };
      case ">=": return { ...base, direction: "down", limit: value - 1n };
      default: return { ...base, direction: "exact", limit: value };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The body
// ---------------------------------------------------------------------------------------

/** Every node under `roots`, depth first (the parser bounds the depth). */
function forEachNode(roots: readonly ast.Node[], visit: (node: ast.Node) => boolean | void): void {
  const walk = (node: ast.Node): void => {
    if (visit(node) === false) return;
    forEachChild(node, walk);
  };
  roots.forEach(walk);
}

/** Every assignment to `symbol` under `statements`, in match arms too; `skip` left out. */
function assignmentsTo(scope: WhileProofScope, statements: readonly ast.Stmt[], symbol: LocalSymbol, skip?: ast.Stmt): ast.AssignStmt[] {
  const found: ast.AssignStmt[] = [];
  forEachNode(statements, (node) => {
    if (node === skip) return false;
    if (node.kind === "AssignStmt") {
      const target = unparenthesize(node.target);
      if (target.kind === "NameExpr" && scope.local(target) === symbol) found.push(node);
    }
    return true;
  });
  return found;
}

/** `&counter` anywhere in the function. */
function addressOf(body: ast.Block, scope: WhileProofScope, symbol: LocalSymbol): ast.UnaryExpr | undefined {
  let found: ast.UnaryExpr | undefined;
  forEachNode([body], (node) => {
    if (found) return false;
    if (node.kind === "UnaryExpr" && node.op === "&") {
      const operand = unparenthesize(node.operand);
      if (operand.kind === "NameExpr" && scope.local(operand) === symbol) found = node;
    }
    return true;
  });
  return found;
}

/** `i += c`, `i -= c`, `i = i + c`, `i = c + i`, `i = i - c`: the signed step. */
function stepOf(scope: WhileProofScope, s: ast.AssignStmt, counter: LocalSymbol): bigint | undefined {
  const negate = (v: bigint | undefined): bigint | undefined => (v === undefined ? undefined : -v);
  if (s.op === "+=") return scope.constant(s.value);
  if (s.op === "-=") return negate(scope.constant(s.value));
  if (s.op !== "=") return undefined;
  const value = unparenthesize(s.value);
  if (value.kind !== "BinaryExpr") return undefined;
  const isCounter = (e: ast.Expr): boolean => counterOf(scope, e)?.symbol === counter;
  if (value.op === "+" && isCounter(value.left)) return scope.constant(value.right);
  if (value.op === "+" && isCounter(value.right)) return scope.constant(value.left);
  if (value.op === "-" && isCounter(value.left)) return negate(scope.constant(value.right));
  return undefined;
}

/** A `continue` of the enclosing loop under `s` (not one of a nested loop), in match arms too. */
function findContinue(s: ast.Stmt): ast.Stmt | undefined {
  let found: ast.Stmt | undefined;
  forEachNode([s], (node) => {
    if (found || node.kind === "WhileStmt" || node.kind === "ForRangeStmt" || node.kind === "ForInStmt") return false;
    if (node.kind === "ContinueStmt") found = node;
    return true;
  });
  return found;
}

/**
 * Whether every path through `statements` leaves the loop (`break`, `return`, `throw`)
 * before the end of the body, with no `continue` on the way: the loop runs at most once.
 */
function leavesEveryIteration(statements: readonly ast.Stmt[]): boolean {
  for (const s of statements) {
    if (findContinue(s)) return false;
    if (leaves(s)) return true;
  }
  return false;
}

function leaves(s: ast.Stmt): boolean {
  switch (s.kind) {
    case "BreakStmt": case "ReturnStmt": case "ThrowStmt": return true;
    case "IfStmt":
      if (!s.else || !leavesEveryIteration(s.then.statements)) return false;
      return s.else.kind === "Block" ? leavesEveryIteration(s.else.statements) : leaves(s.else);
    case "BlockStmt": return leavesEveryIteration(s.block.statements);
    // A `throw` in a `try` body may be caught and the loop go on: not followed.
    default: return false;
  }
}

/**
 * Every value the counter can have when the loop starts, when its declaration and
 * every write to it outside the loop store constants; undefined otherwise.
 */
function startingValues(scope: WhileProofScope, functionBody: ast.Block, loop: ast.WhileStmt, counter: LocalSymbol): bigint[] | undefined {
  const init = scope.initialiser(counter);
  if (init === undefined) return undefined; // a parameter: any value
  const values: bigint[] = [];
  if (init === null) values.push(0n);
  else {
    const value = scope.constant(init);
    if (value === undefined) return undefined;
    values.push(value);
  }
  for (const write of assignmentsTo(scope, functionBody.statements, counter, loop)) {
    if (write.op !== "=") return undefined;
    const value = scope.constant(write.value);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values;
}
