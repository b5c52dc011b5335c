//! What the analyses after stack-usage.ts ask about each function, gathered during the
//! stack-usage walk (which already visits every statement and expression of every
//! program and helper): one walk fewer per analysis for a large program.

import type * as ir from "../ir.js";
import { isLoop, visitStatements } from "../ir-walk.js";

export interface FunctionFacts {
  /** Names called, directly or as hoisted throwing calls, anywhere in the body. */
  readonly callees: Set<string>;
  /** Whether the body has a loop (a callback frame may start there: loop-frames.ts). */
  hasLoop: boolean;
  /** Whether the body makes or releases a reference (references.ts analyses only those). */
  touchesReferences: boolean;
}

/** Facts by function, filled in by `recordStatement`/`recordExpression` as a walk visits the function's body. */
export type FunctionFactsTable = Map<ir.IrFunction, FunctionFacts>;

export function factsOf(table: FunctionFactsTable, fn: ir.IrFunction): FunctionFacts {
  let facts = table.get(fn);
  if (!facts) {
    facts = { callees: new Set(), hasLoop: false, touchesReferences: false };
    table.set(fn, facts);
  }
  return facts;
}

export function recordStatement(facts: FunctionFacts, s: ir.IrStmt): void {
  if (s.kind === "tryCall") facts.callees.add(s.callee);
  else if (s.kind === "ringbufRelease" || s.kind === "objectDelete") facts.touchesReferences = true;
  else if (isLoop(s)) facts.hasLoop = true;
}

export function recordExpression(facts: FunctionFacts, e: ir.IrExpr): void {
  if (e.kind === "call") facts.callees.add(e.callee);
  else if (e.kind === "ringbufReserve" || e.kind === "objectNew" || (e.kind === "mapEntryPointer" && e.object === true)) facts.touchesReferences = true;
}

/** The facts of a function no earlier walk visited (user-space functions), in a walk of its own. */
export function walkedFacts(table: FunctionFactsTable, fn: ir.IrFunction): FunctionFacts {
  const known = table.get(fn);
  if (known) return known;
  const facts = factsOf(table, fn);
  visitStatements(fn.body, { statement: (s) => recordStatement(facts, s), expression: (e) => recordExpression(facts, e) });
  return facts;
}

/**
 * The helpers (by name) whose walk may reach a loop: those with one, and those calling
 * one of them, transitively (found from the loops back along the calls, so a recursive
 * chain ends).
 */
export function helpersReachingLoops(helpers: ReadonlyMap<string, ir.IrFunction>, table: FunctionFactsTable): Set<string> {
  const callers = new Map<string, string[]>();
  const reaching = new Set<string>();
  const pending: string[] = [];
  for (const [name, helper] of helpers) {
    const facts = walkedFacts(table, helper);
    for (const callee of facts.callees) {
      const list = callers.get(callee);
      if (list) list.push(name);
      else callers.set(callee, [name]);
    }
    if (facts.hasLoop) {
      reaching.add(name);
      pending.push(name);
    }
  }
  while (pending.length > 0) {
    for (const caller of callers.get(pending.pop()!) ?? []) {
      if (!reaching.has(caller)) {
        reaching.add(caller);
        pending.push(caller);
      }
    }
  }
  return reaching;
}
