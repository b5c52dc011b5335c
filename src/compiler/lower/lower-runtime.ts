//! Lowering of the user-space runtime's built-ins (check/runtime-builtins.ts): `now()`
//! becomes `bpf_ktime_get_ns()` in eBPF (the same CLOCK_MONOTONIC as user space) and a
//! `builtin` call in user space, like `wall_time`, `sleep` and `running`. The print
//! variants (`printf`, `eprint`, `eprintf`) are `print` statements (print-format.ts).

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { printVariants, type PrintVariant } from "../check/runtime-builtins.js";

const runtimeCalls: ReadonlySet<string> = new Set<ir.RuntimeCall>(["now", "wall_time", "sleep", "running"]);

/** `name(args)` when it is one of the runtime's calls; undefined otherwise. */
export function lowerRuntimeCall(name: string, args: readonly ir.IrExpr[], type: Type, span: ast.Expr["span"], kernel: boolean): ir.IrExpr | undefined {
  if (!runtimeCalls.has(name)) return undefined;
  if (name === "now" && kernel) return { kind: "call", callee: "bpf_ktime_get_ns", args: [], type, span, helper: true };
  return { kind: "builtin", name: name as ir.RuntimeCall, args, program: undefined, type, span };
}

/** Whether `name` is a print variant rather than `print`. */
export function isPrintVariant(name: string): name is PrintVariant {
  return Object.hasOwn(printVariants, name);
}
