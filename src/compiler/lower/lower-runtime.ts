//! Lowering of the user-space runtime's built-ins (check/runtime-builtins.ts): `now()`
//! becomes `bpf_ktime_get_ns()` in eBPF (the same CLOCK_MONOTONIC as user space) and a
//! `builtin` call in user space, like `wall_time`, `sleep` and `running`. The print
//! variants (`printf`, `eprint`, `eprintf`) are `print` statements (print-format.ts).

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { printVariants, type PrintVariant } from "../check/runtime-builtins.js";

const runtimeCalls: ReadonlySet<string> = new Set<ir.RuntimeCall>(["now", "wall_time", "sleep", "running", "ntop", "macaddr", "strftime"]);

/** What these functions need from the per-function lowering in `lower.ts`. */
export interface RuntimeLowering {
  expr(expr: ast.Expr): ir.IrExpr;
  typeOf(expr: ast.Expr): Type;
  readonly kernel: boolean;
  readonly semantics: { readonly references: ReadonlyMap<ast.NameExpr, unknown> };
}

/** `expr` when it calls one of the runtime's calls (not a user function of that name); undefined otherwise. */
export function lowerRuntimeCall(l: RuntimeLowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  if (expr.callee.kind !== "NameExpr" || l.semantics.references.has(expr.callee)) return undefined;
  const name = expr.callee.name.name;
  if (!runtimeCalls.has(name)) return undefined;
  const type = l.typeOf(expr);
  if (name === "now" && l.kernel) return { kind: "call", callee: "bpf_ktime_get_ns", args: [], type, span: expr.span, helper: true };
  return { kind: "builtin", name: name as ir.RuntimeCall, args: expr.args.map((a) => l.expr(a)), program: undefined, type, span: expr.span };
}

export type { PrintVariant };

/** Which print built-in `expr` calls: "print" or a variant; undefined for anything else (a user function named so included). */
export function printVariantOf(references: ReadonlyMap<ast.NameExpr, unknown>, expr: ast.CallExpr): "print" | PrintVariant | undefined {
  if (expr.callee.kind !== "NameExpr" || references.has(expr.callee)) return undefined;
  const name = expr.callee.name.name;
  return name === "print" ? "print" : Object.hasOwn(printVariants, name) ? (name as PrintVariant) : undefined;
}
