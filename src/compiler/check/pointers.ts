//! Pointer rules of the checker: which pointers may be null, how null checks narrow
//! them, dereferences that need a check first, pointers to locals that would escape,
//! and the map-lookup alias (`var s = m[k]`).
//!
//! Narrowing works on scopes: inside the branch where `p != null` holds, `p` is
//! re-declared in the branch's scope as the same symbol (same id) without `mayBeNull`,
//! so every later lookup in that branch sees the checked pointer.

import type { NullOrigin } from "../diagnostics/catalog/safety.js";
import type * as ast from "../ast.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as referenceErrors from "../diagnostics/catalog/reference-semantics.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import type { ExprChecker } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { Symbol } from "./semantics.js";
import { unparenthesize } from "../ast.js";
import { socketNullOrigin } from "./cgroup-programs.js";

type LocalSymbol = Extract<Symbol, { kind: "local" }>;


function isNull(expr: ast.Expr): boolean {
  const inner = unparenthesize(expr);
  return inner.kind === "NullLiteral";
}

/**
 * Why a value of pointer type produced by `init` may be null, or undefined when it is
 * known not to be (`&x` of a local, a parameter, arithmetic on a checked pointer).
 */
export function nullOrigin(c: ExprChecker, init: ast.Expr, type: Type): NullOrigin | undefined {
  if (type.kind !== "pointer") return undefined;
  const expr = unparenthesize(init);
  if (expr.kind === "CallExpr" && expr.callee.kind === "NameExpr") {
    return { kind: "call", callee: expr.callee.name.name };
  }
  if (expr.kind === "UnaryExpr" && expr.op === "&") {
    const operand = unparenthesize(expr.operand);
    if (operand.kind === "IndexExpr" && operand.target.kind === "NameExpr" &&
        c.ctx.references.get(operand.target)?.kind === "map") {
      return { kind: "mapEntry" };
    }
    if (operand.kind === "NameExpr") {
      const symbol = c.ctx.references.get(operand);
      if (symbol?.kind === "local" && symbol.mapAlias) return { kind: "mapAlias", map: symbol.mapAlias };
    }
  }
  if (expr.kind === "NameExpr") {
    const symbol = c.ctx.references.get(expr);
    if (symbol?.kind === "local") return symbol.mayBeNull;
  }
  return socketNullOrigin(c, expr);
}

/** Reports an access through `pointer` when it may be null at this point. */
export function requireNonNull(c: ExprChecker, pointer: ast.Expr): void {
  const expr = unparenthesize(pointer);
  if (expr.kind === "NameExpr") {
    const symbol = c.ctx.references.get(expr);
    if (symbol?.kind === "local" && symbol.mayBeNull) {
      c.ctx.diags.report(safetyErrors.maybeNullDeref, expr.span, symbol.name, symbol.mayBeNull);
    }
    return;
  }
  if (expr.kind === "CallExpr" && expr.callee.kind === "NameExpr" && c.ctx.exprTypes.get(expr)?.kind === "pointer" &&
      c.ctx.references.get(expr.callee)?.kind === "function") {
    c.ctx.diags.report(safetyErrors.maybeNullDeref, expr.span, `${expr.callee.name.name}(…)`,
      { kind: "callResult", callee: expr.callee.name.name });
  }
}

/** The local pointer a condition tests against null, and whether it is `!= null`. */
function nullTest(expr: ast.Expr): { name: string; nonNullWhen: boolean } | undefined {
  const e = unparenthesize(expr);
  if (e.kind === "BinaryExpr" && (e.op === "==" || e.op === "!=")) {
    const other = isNull(e.right) ? e.left : isNull(e.left) ? e.right : undefined;
    const inner = other ? unparenthesize(other) : undefined;
    if (inner?.kind === "NameExpr") return { name: inner.name.name, nonNullWhen: e.op === "!=" };
    return undefined;
  }
  if (e.kind === "NameExpr") return { name: e.name.name, nonNullWhen: true };
  if (e.kind === "UnaryExpr" && e.op === "!") {
    const inner = nullTest(e.operand);
    return inner && { name: inner.name, nonNullWhen: !inner.nonNullWhen };
  }
  return undefined;
}

/** Names of pointers known non-null when `condition` evaluates to `outcome`. */
export function provenNonNull(condition: ast.Expr, outcome: boolean): string[] {
  const e = unparenthesize(condition);
  if (e.kind === "BinaryExpr" && e.op === "&&" && outcome) {
    return [...provenNonNull(e.left, true), ...provenNonNull(e.right, true)];
  }
  if (e.kind === "BinaryExpr" && e.op === "||" && !outcome) {
    return [...provenNonNull(e.left, false), ...provenNonNull(e.right, false)];
  }
  const test = nullTest(e);
  return test && test.nonNullWhen === outcome ? [test.name] : [];
}

/** Re-declares each of `names` that is a maybe-null local as checked, in `scope`. */
export function narrow(scope: Scope, names: readonly string[]): void {
  for (const name of names) {
    const symbol = scope.lookup(name);
    if (symbol?.kind !== "local" || !symbol.mayBeNull) continue;
    const checked: LocalSymbol = { ...symbol, mayBeNull: undefined };
    scope.declare(name, checked);
  }
}

/** `return &local`: a pointer into this function's stack frame. */
export function checkEscapingPointer(c: ExprChecker, value: ast.Expr): void {
  const e = unparenthesize(value);
  if (e.kind !== "UnaryExpr" || e.op !== "&") return;
  let base = unparenthesize(e.operand);
  while (base.kind === "FieldExpr" || base.kind === "IndexExpr") {
    if (base.kind === "FieldExpr") {
      const targetType = c.ctx.exprTypes.get(base.target);
      if (targetType?.kind === "pointer") return; // through a pointer: not this frame's memory
      base = unparenthesize(base.target);
    } else {
      base = unparenthesize(base.target);
    }
  }
  if (base.kind !== "NameExpr") return;
  const symbol = c.ctx.references.get(base);
  if (symbol?.kind === "local" && !symbol.mapAlias) {
    // An eBPF @helper's local can live in per-CPU storage instead (lower: `escapeSlot`).
    const info = c.fn.info;
    const structOpsMethod = c.ctx.structOps.some((ops) => ops.methods.some((m) => m.function === info));
    if (c.fn.side === "kernel" && info.role.kind === "helper" && !structOpsMethod) {
      c.ctx.diags.report(referenceErrors.localKeptPerCpu, e.span, info.name, symbol.name);
      c.ctx.escapingLocals.set(e, { helper: info.name, local: symbol.name, type: symbol.type });
      return;
    }
    c.ctx.diags.report(safetyErrors.pointerToLocalEscapes, e.span, symbol.name, typeToString(symbol.type));
  }
}
