//! `(m[k] += v)` / `(m[k] -= v)` used as a value: the entry's value after the update.
//!
//! KernelScript 0.1.1 has compound assignments as statements only, and the natural
//! `counts[k] += 1; if (counts[k] > limit)` is two lookups and no atomic read of what the
//! update made. Written in parentheses, the update is also an expression: in eBPF one
//! lookup and, on a shared map, one `__sync_fetch_and_add` (the value before, plus the
//! operand), so each CPU sees the value its own update produced, e.g. a unique sequence
//! number or an exact "this packet crossed the limit" test.
//!
//! Lowering hoists the update before the rest of its statement (`FunctionLowering.pending`,
//! which keeps `&&`/`||` right operands and loop conditions conditional). That is the
//! order the statement is written in as long as nothing evaluated before the update in
//! the statement could notice it: no call and no use of the same map may come before
//! it (E1300), and it may not sit in a `match`, whose arms run only when chosen. Only
//! map entries have the form: a variable is read after a statement updating it.

import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types-features.js";
import { atomicCapable } from "../kernel/builtins.js";
import { byteOrderBuiltins } from "../kernel/headers.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { errorType, typeToString, type Type } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import type { Scope } from "./scope.js";
import { checkAssign } from "./statements.js";

export function checkCompoundValue(c: ExprChecker, scope: Scope, expr: ast.AssignExpr): Type {
  const { ctx } = c;
  // Checked as the update it also is: target, operand types, atomic width (E0470).
  checkAssign(c, scope, { kind: "AssignStmt", target: expr.target, op: expr.op, value: expr.value, opSpan: expr.opSpan, span: expr.span });
  if (expr.op !== "+=" && expr.op !== "-=") {
    ctx.diags.report(typeErrors.compoundValue, expr.opSpan, { kind: "operator", op: expr.op });
    return errorType;
  }
  const target = unparenthesize(expr.target);
  const symbol = target.kind === "IndexExpr" ? mapOf(ctx, target) : undefined;
  if (target.kind !== "IndexExpr" || symbol?.kind !== "map") {
    ctx.diags.report(typeErrors.compoundValue, expr.target.span, { kind: "target" });
    return errorType;
  }
  const type = ctx.exprTypes.get(target);
  if (!type || type.kind === "error") return errorType;
  const kind = mapKinds[symbol.info.type.mapKind];
  if (c.fn.side === "kernel" && !kind.perCpu && atomicCapable("+", type) && type.kind === "int" && type.bits < 64) {
    ctx.diags.report(typeErrors.compoundValue, expr.span, { kind: "narrowAtomic", map: symbol.info.name, type: typeToString(type) });
    return errorType;
  }
  (ctx.compoundValues ??= []).push(expr);
  return type;
}

/**
 * After a statement: each update used as a value in its own expressions comes before
 * anything in the statement that could notice it moved first (see the file comment).
 */
export function checkCompoundValueOrder(ctx: CheckContext, stmt: ast.Stmt, updates: readonly ast.AssignExpr[]): void {
  const pending = new Set(updates);
  // Nodes in evaluation order, each once all of it is evaluated; `ordered`: ranges of it
  // that stay before the update (the left operand of the `&&`/`||` whose right operand
  // holds it: lowering evaluates that right operand, hoisted updates first, after it).
  const finished: ast.Node[] = [];
  const ordered: (readonly [number, number])[] = [];
  let matches = 0;
  const visit = (node: ast.Node): void => {
    // Nested statements were checked on their own.
    if (node.kind === "Block" || isStatement(node)) return;
    if (node.kind === "AssignExpr" && pending.has(node)) {
      pending.delete(node);
      if (matches > 0) ctx.diags.report(typeErrors.compoundValue, node.span, { kind: "inMatch" });
      else reportEarlier(ctx, node, finished.filter((_, i) => !ordered.some(([from, to]) => i >= from && i < to)));
    }
    if (node.kind === "BinaryExpr" && (node.op === "&&" || node.op === "||")) {
      const from = finished.length;
      visit(node.left);
      ordered.push([from, finished.length]);
      visit(node.right);
      ordered.pop();
    } else {
      if (node.kind === "MatchExpr") matches++;
      forEachChild(node, visit);
      if (node.kind === "MatchExpr") matches--;
    }
    finished.push(node);
  };
  forEachChild(stmt, visit);
}

/** The first call or use of the update's map among what lowering would evaluate after it. */
function reportEarlier(ctx: CheckContext, update: ast.AssignExpr, before: readonly ast.Node[]): void {
  const target = unparenthesize(update.target);
  if (target.kind !== "IndexExpr") return;
  const map = mapOf(ctx, target);
  for (const node of before) {
    if (node.kind === "CallExpr" && !isByteOrderCall(ctx, node)) {
      ctx.diags.report(typeErrors.compoundValue, update.span, { kind: "evaluatedBefore", what: "call", map: "", span: node.span });
      return;
    }
    if (node.kind === "NameExpr" && map?.kind === "map" && ctx.references.get(node) === map) {
      ctx.diags.report(typeErrors.compoundValue, update.span, { kind: "evaluatedBefore", what: "sameMap", map: map.info.name, span: node.span });
      return;
    }
  }
}

/** The symbol an index's base names (a map, for `m[k]`). */
function mapOf(ctx: CheckContext, index: ast.IndexExpr): ReturnType<CheckContext["references"]["get"]> {
  const base = unparenthesize(index.target);
  return base.kind === "NameExpr" ? ctx.references.get(base) : undefined;
}

function isByteOrderCall(ctx: CheckContext, call: ast.CallExpr): boolean {
  const callee = unparenthesize(call.callee);
  return callee.kind === "NameExpr" && byteOrderBuiltins.has(callee.name.name) && !ctx.references.has(callee);
}

function isStatement(node: ast.Node): node is ast.Stmt {
  return node.kind.endsWith("Stmt");
}
