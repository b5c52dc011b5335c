//! How each loop becomes C: the lowering policy for eBPF (user space always gets plain
//! C loops).
//!
//! The verifier proves a loop ends by walking it: every iteration of a C loop is
//! verified again, and all of a program's walks share a budget of 1,000,000 processed
//! instructions. So, for eBPF code:
//!
//! - constant ranges of at most `unrollLimit` iterations are unrolled
//!   (`#pragma unroll`): straight-line code is the cheapest to verify and to run;
//! - constant ranges and proven `while` loops whose estimated verification cost
//!   (iterations × body cost) fits `walkBudget` stay C loops the verifier walks;
//! - everything else (runtime bounds, long or expensive loops) becomes a `bpf_loop()`
//!   call (5.17+), whose callback the verifier checks once instead of per iteration;
//!   map loops become `bpf_for_each_map_elem()` (5.13+). Outer variables reach the
//!   callback through a context struct (see emit/loops-c.ts).

import { exprBodies, exprChildren, statementParts } from "../ir-walk.js";
import type * as ir from "../ir.js";
import type { LoopFacts } from "../check/loops.js";

/** Constant ranges up to this many iterations are unrolled. */
export const unrollLimit = 16;
/** Estimated instructions the verifier may walk for one loop nest before it becomes a callback. */
export const walkBudget = 100_000;

export type Side = "kernel" | "user";

export function rangeLowering(side: Side, facts: LoopFacts | undefined, body: readonly ir.IrStmt[], variable: string): ir.LoopLowering {
  if (side === "user") return { kind: "plain" };
  const constant = facts?.kind === "range" && facts.start !== undefined && facts.end !== undefined;
  if (!constant) return callback(body, [variable], undefined);
  const iterations = Number(facts.end! > facts.start! ? facts.end! - facts.start! : 0n);
  const cost = bodyCost(body);
  // clang unrolls loops with a single exit reliably; early exits stay walked loops.
  if (iterations <= unrollLimit && iterations * cost <= walkBudget && !hasEarlyExit(body)) return { kind: "unrolled", iterations };
  if (iterations * cost <= walkBudget) return { kind: "bounded", iterations };
  return callback(body, [variable], iterations);
}

export function whileLowering(side: Side, facts: LoopFacts | undefined, body: readonly ir.IrStmt[]): ir.LoopLowering {
  if (side === "user" || facts?.kind !== "while" || facts.maxIterations === undefined) return { kind: "plain" };
  const iterations = Number(facts.maxIterations);
  if (iterations * bodyCost(body) <= walkBudget) return { kind: "bounded", iterations };
  return callback(body, [], iterations);
}

export function mapLowering(side: Side, body: readonly ir.IrStmt[], bindings: readonly string[]): ir.LoopLowering {
  return side === "user" ? { kind: "plain" } : callback(body, bindings, undefined);
}

function callback(body: readonly ir.IrStmt[], bound: readonly string[], iterations: number | undefined): ir.LoopLowering {
  return { kind: "callback", iterations, captures: capturesOf(body, bound) };
}

/** `break`, `continue` or `return` that leaves an iteration of this loop early. */
function hasEarlyExit(body: readonly ir.IrStmt[]): boolean {
  return body.some((s) => {
    switch (s.kind) {
      case "break": case "continue": case "return": return true;
      case "if": case "ifMapEntry": return hasEarlyExit(s.then) || hasEarlyExit(s.else ?? []);
      // Their own break/continue stay inside; a return leaves this loop too.
      case "while": case "forRange": case "forMap": return containsReturn(s.body);
      default: return false;
    }
  });
}

function containsReturn(body: readonly ir.IrStmt[]): boolean {
  return body.some((s) => {
    switch (s.kind) {
      case "return": return true;
      case "if": case "ifMapEntry": return containsReturn(s.then) || containsReturn(s.else ?? []);
      case "while": case "forRange": case "forMap": return containsReturn(s.body);
      default: return false;
    }
  });
}

// ---------------------------------------------------------------------------------------
// Verification cost
// ---------------------------------------------------------------------------------------

/** A rough count of the instructions the verifier processes for one pass over `body`. */
export function bodyCost(body: readonly ir.IrStmt[]): number {
  return body.reduce((sum, s) => sum + statementCost(s), 0);
}

function statementCost(s: ir.IrStmt): number {
  switch (s.kind) {
    case "declare": return 2 + (s.init ? exprCost(s.init) : 2);
    case "assign": return 2 + exprCost(s.value);
    case "mapUpdate": return 20 + exprCost(s.key) + exprCost(s.value);
    case "mapCompound": case "mapEntryAssign": return 30 + exprCost(s.key) + exprCost(s.value);
    case "mapDelete": return 10 + exprCost(s.key);
    case "expr": return exprCost(s.expr);
    // Both branches are walked.
    case "if": return exprCost(s.condition) + 2 + bodyCost(s.then) + bodyCost(s.else ?? []);
    case "ifMapEntry": return 15 + exprCost(s.key) + bodyCost(s.then) + bodyCost(s.else ?? []);
    case "while": case "forRange": case "forMap":
      return nestedLoopCost(s.lowering, bodyCost(s.body));
    case "break": case "continue": case "return": return 2;
    case "print": return 10 + s.args.reduce((sum, a) => sum + exprCost(a), 0);
    case "declareAlias": return 20 + exprCost(s.key);
    case "tryCall": return 30 + s.args.reduce((sum, a) => sum + exprCost(a), 0);
    // Everything else: its own expressions plus every nested body once.
    default: {
      const parts = statementParts(s);
      return 4 + parts.exprs.reduce((sum, e) => sum + exprCost(e), 0) + parts.bodies.reduce((sum, b) => sum + bodyCost(b.statements), 0);
    }
  }
}

function nestedLoopCost(lowering: ir.LoopLowering, body: number): number {
  switch (lowering.kind) {
    case "plain": return body;
    case "unrolled": case "bounded": return 4 + lowering.iterations * (body + 4);
    // The callback is verified on its own; the call site costs a few instructions.
    case "callback": return 40 + body;
  }
}

function exprCost(e: ir.IrExpr): number {
  switch (e.kind) {
    case "contextField": return 2;
    case "index": return 2 + exprCost(e.target) + exprCost(e.index);
    case "mapLookup": case "mapContains": case "mapEntryPointer": return 15 + exprCost(e.key);
    case "call": case "callValue": return 30 + exprChildren(e).reduce((sum, a) => sum + exprCost(a), 0);
    case "builtin": return 10;
    default:
      return 1 + exprChildren(e).reduce((sum, child) => sum + exprCost(child), 0) +
        exprBodies(e).reduce((sum, b) => sum + bodyCost(b.statements), 0);
  }
}

// ---------------------------------------------------------------------------------------
// Captured variables
// ---------------------------------------------------------------------------------------

/**
 * The outer locals `body` uses: names read or written that are not declared inside it
 * (nor in `bound`, the loop's own bindings), in order of first use.
 */
export function capturesOf(body: readonly ir.IrStmt[], bound: readonly string[]): ir.IrCapture[] {
  const found = new Map<string, { type: ir.IrCapture["type"]; written: boolean; entry: boolean }>();
  const use = (name: string, type: ir.IrCapture["type"], entry: boolean, scope: ReadonlySet<string>, written: boolean): void => {
    if (scope.has(name)) return;
    const previous = found.get(name);
    if (previous) previous.written ||= written;
    else found.set(name, { type, written, entry });
  };
  const expr = (e: ir.IrExpr | undefined, scope: ReadonlySet<string>): void => {
    if (!e) return;
    switch (e.kind) {
      case "local": use(e.name, e.type, false, scope, false); return;
      case "entry": use(e.name, e.type, true, scope, false); return;
      case "binary": expr(e.left, scope); expr(e.right, scope); return;
      case "unary": expr(e.operand, scope); return;
      case "cast": expr(e.expr, scope); return;
      case "field": expr(e.target, scope); return;
      case "contextField": expr(e.context, scope); return;
      case "index": expr(e.target, scope); expr(e.index, scope); return;
      case "mapLookup": case "mapContains": expr(e.key, scope); return;
      case "call": case "builtin": e.args.forEach((a) => expr(a, scope)); return;
      default:
        exprChildren(e).forEach((child) => expr(child, scope));
        for (const b of exprBodies(e)) block(b.statements, new Set([...scope, ...b.binds]));
        return;
    }
  };
  const place = (p: ir.IrPlace, scope: ReadonlySet<string>): void => {
    switch (p.kind) {
      case "local": use(p.name, p.type, false, scope, true); return;
      case "entry": use(p.name, p.type, true, scope, true); return;
      case "global": return;
      case "field": case "index": {
        // Writing into a struct or array variable changes the variable itself.
        const root = rootLocal(p.target);
        if (root) use(root.name, root.type, root.kind === "entry", scope, true);
        expr(p.target, scope);
        if (p.kind === "index") expr(p.index, scope);
        return;
      }
      case "deref": expr(p.pointer, scope); return;
    }
  };
  const block = (statements: readonly ir.IrStmt[], outer: ReadonlySet<string>): void => {
    const scope = new Set(outer);
    for (const s of statements) {
      switch (s.kind) {
        case "declare": expr(s.init, scope); scope.add(s.name); break;
        case "assign": place(s.target, scope); expr(s.value, scope); break;
        case "mapUpdate": case "mapCompound": expr(s.key, scope); expr(s.value, scope); break;
        case "mapDelete": expr(s.key, scope); break;
        case "expr": expr(s.expr, scope); break;
        case "if": expr(s.condition, scope); block(s.then, scope); block(s.else ?? [], scope); break;
        case "ifMapEntry":
          expr(s.key, scope);
          block(s.then, new Set([...scope, s.binding]));
          block(s.else ?? [], scope);
          break;
        case "while": expr(s.condition, scope); block(s.body, scope); break;
        case "forRange": expr(s.start, scope); expr(s.end, scope); block(s.body, new Set([...scope, s.variable])); break;
        case "forMap": block(s.body, new Set([...scope, s.key, ...(s.value ? [s.value] : [])])); break;
        case "return": expr(s.value, scope); break;
        case "print": s.args.forEach((a) => expr(a, scope)); break;
        case "break": case "continue": break;
        default: {
          // Every other statement: its expressions, the places it writes, its bodies
          // (with their own bindings), then what it declares for the statements after it.
          const parts = statementParts(s);
          parts.exprs.forEach((e) => expr(e, scope));
          parts.places.forEach((p) => place(p, scope));
          for (const b of parts.bodies) block(b.statements, new Set([...scope, ...b.binds]));
          parts.declares.forEach((name) => scope.add(name));
        }
      }
    }
  };
  block(body, new Set(bound));
  return [...found].map(([name, v]) => ({ name, type: v.type, written: v.written && !v.entry && v.type.kind !== "array", entry: v.entry }));
}

function rootLocal(e: ir.IrExpr): Extract<ir.IrExpr, { kind: "local" | "entry" }> | undefined {
  switch (e.kind) {
    case "local": case "entry": return e;
    case "field": return e.viaPointer ? undefined : rootLocal(e.target);
    case "index": return e.target.type.kind === "array" ? rootLocal(e.target) : undefined;
    default: return undefined;
  }
}
