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
//!   so does a loop around such a call: the verifier checks the inner callback again
//!   for every iteration it walks, and beyond about ten the states it keeps explode
//!   (measured on 6.18: a walked 12-iteration loop around a `bpf_loop()` exceeds the
//!   1,000,000-instruction budget); unrolled copies are each checked once, and stay;
//!   map loops become `bpf_for_each_map_elem()` (5.13+). Outer variables reach the
//!   callback through a context struct (see emit/loops-c.ts).

import { exprBodies, exprChildren, isCallbackLoop, isLoop, skipBody, someStatement, statementParts, walkStatements } from "../ir-walk.js";
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
  if (iterations * cost <= walkBudget && !someStatement(body, isCallbackLoop)) return { kind: "bounded", iterations };
  return callback(body, [variable], iterations);
}

export function whileLowering(side: Side, facts: LoopFacts | undefined, body: readonly ir.IrStmt[]): ir.LoopLowering {
  if (side === "user" || facts?.kind !== "while" || facts.maxIterations === undefined) return { kind: "plain" };
  const iterations = Number(facts.maxIterations);
  if (iterations * bodyCost(body) <= walkBudget && !someStatement(body, isCallbackLoop)) return { kind: "bounded", iterations };
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
  let found = false;
  // Context: inside a nested loop, whose own break/continue stay inside it (a return
  // leaves this loop too).
  walkStatements<boolean>(body, {
    statement: (s, nested) => {
      if (s.kind === "return" || (!nested && (s.kind === "break" || s.kind === "continue"))) found = true;
    },
    body: (_b, owner, nested) => (found ? skipBody : nested || isLoop(owner)),
  }, false);
  return found;
}

// ---------------------------------------------------------------------------------------
// Verification cost
// ---------------------------------------------------------------------------------------

/** A rough count of the instructions the verifier processes for one pass over `body`. */
export function bodyCost(body: readonly ir.IrStmt[]): number {
  return body.reduce((sum, s) => sum + statementCost(s), 0);
}

function statementCost(s: ir.IrStmt): number {
  const parts = statementParts(s);
  const exprs = parts.exprs.reduce((sum, e) => sum + exprCost(e), 0);
  // Both branches of a conditional are walked; every nested body once.
  const bodies = parts.bodies.reduce((sum, b) => sum + bodyCost(b.statements), 0);
  switch (s.kind) {
    case "declare": return 2 + (s.init ? exprs : 2);
    case "assign": return 2 + exprs;
    case "mapUpdate": return 20 + exprs;
    case "mapCompound": case "mapEntryAssign": return 30 + exprs;
    case "mapDelete": return 10 + exprs;
    case "expr": return exprs;
    case "if": return exprs + 2 + bodies;
    case "ifMapEntry": return 15 + exprs + bodies;
    case "while": case "forRange": case "forMap": return nestedLoopCost(s.lowering, bodies);
    case "break": case "continue": case "return": return 2;
    case "print": return 10 + exprs;
    case "declareAlias": return 20 + exprs;
    case "tryCall": return 30 + exprs;
    case "ifPacketHeader": case "block": case "tailCall": case "aliasWriteBack": case "throw": case "try":
    case "defer": case "ringbufRelease": case "objectDelete": case "onEvent": case "ifPointer":
      return 4 + exprs + bodies;
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
  const children = exprChildren(e).reduce((sum, child) => sum + exprCost(child), 0);
  switch (e.kind) {
    case "contextField": return 2;
    case "index": return 2 + children;
    case "mapLookup": case "mapContains": case "mapEntryPointer": return 15 + children;
    case "call": case "callValue": return 30 + children;
    case "builtin": return 10;
    case "tracing": case "stringRead": return 10 + children;
    case "int": case "bool": case "string": case "null": case "constant": case "local": case "global": case "entry":
    case "binary": case "unary": case "cast": case "field": case "functionRef": case "programRef": case "structLiteral":
    case "arrayLiteral": case "sizeof": case "byteOrder": case "strConcat": case "strEquals": case "strIndex":
    case "strConvert": case "strBytes": case "valueBlock": case "ringbufReserve": case "objectNew": case "dispatch":
    case "mapMethod": case "testCall": case "escapeSlot":
      return 1 + children + exprBodies(e).reduce((sum, b) => sum + bodyCost(b.statements), 0);
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
  // The context is the set of names declared inside the body so far (each nested body
  // gets a copy with its own bindings; declarations count after their statement).
  walkStatements<Set<string>>(body, {
    // Names bound for a statement's own places (the entry of `m[k].f op= v`) are its own.
    statement: (s, scope) => {
      statementParts(s).scoped.forEach((name) => scope.add(name));
      // The write-back of a lookup alias declared outside goes through its hidden entry
      // pointer, which the callback needs as much as the alias itself.
      if (s.kind === "aliasWriteBack") {
        const p = s.place;
        const root = p.kind === "local" ? p : p.kind === "field" || p.kind === "index" ? rootLocal(p.target) : undefined;
        if (root) use(s.pointer, root.type, true, scope, false);
      }
    },
    place: (p, _owner, scope) => {
      if (p.kind === "local" || p.kind === "entry") use(p.name, p.type, p.kind === "entry", scope, true);
      if (p.kind === "field" || p.kind === "index") {
        // Writing into a struct or array variable changes the variable itself.
        const root = rootLocal(p.target);
        if (root) use(root.name, root.type, root.kind === "entry", scope, true);
      }
    },
    expression: (e, scope) => {
      if (e.kind === "local" || e.kind === "entry") use(e.name, e.type, e.kind === "entry", scope, false);
    },
    after: (s, scope) => statementParts(s).declares.forEach((name) => scope.add(name)),
    body: (b, _owner, scope) => new Set([...scope, ...b.binds]),
  }, new Set(bound));
  return [...found].map(([name, v]) => ({ name, type: v.type, written: v.written && !v.entry && v.type.kind !== "array", entry: v.entry }));
}

/** The variable a chain of struct fields and array elements is part of, if any. */
function rootLocal(e: ir.IrExpr): Extract<ir.IrExpr, { kind: "local" | "entry" }> | undefined {
  if (e.kind === "local" || e.kind === "entry") return e;
  if (e.kind === "field") return e.viaPointer ? undefined : rootLocal(e.target);
  if (e.kind === "index") return e.target.type.kind === "array" ? rootLocal(e.target) : undefined;
  return undefined;
}
