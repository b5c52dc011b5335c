//! Lowering of the user-space runtime's built-ins (check/runtime-builtins.ts): `now()`
//! becomes `bpf_ktime_get_ns()` in eBPF (the same CLOCK_MONOTONIC as user space) and a
//! `builtin` call in user space, like `wall_time`, `sleep` and `running`. The print
//! variants (`printf`, `eprint`, `eprintf`) are `print` statements (print-format.ts);
//! `bytes as str(N)` is a `strConvert` of the array.

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { StructLayout, Type } from "../types.js";
import { argsValueKind } from "../kernel/args-options.js";
import { lowerPrint } from "./print-format.js";
import { printVariants, type PrintVariant } from "../check/runtime-builtins.js";

const runtimeCalls: ReadonlySet<string> = new Set<ir.RuntimeCall>(["now", "wall_time", "sleep", "running", "ntop", "macaddr", "strftime"]);

/** What these functions need from the per-function lowering in `lower.ts`. */
export interface RuntimeLowering {
  expr(expr: ast.Expr): ir.IrExpr;
  typeOf(expr: ast.Expr): Type;
  readonly kernel: boolean;
  readonly semantics: { readonly references: ReadonlyMap<ast.NameExpr, unknown>; readonly userStructs: readonly StructLayout[] };
}

/** `expr` when it calls one of the runtime's calls (not a user function of that name); undefined otherwise. */
export function lowerRuntimeCall(l: RuntimeLowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  if (expr.callee.kind !== "NameExpr" || l.semantics.references.has(expr.callee)) return undefined;
  const name = expr.callee.name.name;
  if (!runtimeCalls.has(name)) return undefined;
  const type = l.typeOf(expr);
  if (name === "now" && l.kernel) return { kind: "call", callee: "bpf_ktime_get_ns", args: [], type, span: expr.span, helper: true };
  const args = expr.args.map((a) => l.expr(a));
  // `ntop(prefix)`: the address field and the length (emit/userspace/runtime-calls.ts).
  const prefix = name === "ntop" && args[0] ? prefixFields(l, args[0]) : undefined;
  return { kind: "builtin", name: name as ir.RuntimeCall, args: prefix ?? args, program: undefined, type, span: expr.span };
}

/** `[p.addr, p.prefixlen]` of an LPM-key struct value `p` (kernel/args-options.ts), or undefined. */
function prefixFields(l: RuntimeLowering, value: ir.IrExpr): ir.IrExpr[] | undefined {
  const structOf = (name: string) => l.semantics.userStructs.find((s) => s.name === name);
  const kind = argsValueKind(value.type, structOf);
  const layout = value.type.kind === "struct" ? structOf(value.type.name) : undefined;
  if (kind?.kind !== "prefix" || !layout) return undefined;
  const field = (name: string): ir.IrExpr => ({
    kind: "field", target: value, field: name, viaPointer: false, type: layout.fields.find((f) => f.name === name)!.type, span: value.span,
  });
  return [field(kind.addressField), field("prefixlen")];
}

export type { PrintVariant };

/** Which print built-in `expr` calls: "print" or a variant; undefined for anything else (a user function named so included). */
export function printVariantOf(references: ReadonlyMap<ast.NameExpr, unknown>, expr: ast.CallExpr): "print" | PrintVariant | undefined {
  if (expr.callee.kind !== "NameExpr" || references.has(expr.callee)) return undefined;
  const name = expr.callee.name.name;
  return name === "print" ? "print" : Object.hasOwn(printVariants, name) ? (name as PrintVariant) : undefined;
}

/** `value as T`; a `char`/`u8` array as `str(N)` is its text (a bounded copy up to a NUL). */
export function lowerCast(value: ir.IrExpr, type: Type, span: ast.Expr["span"]): ir.IrExpr {
  if (type.kind === "str" && value.type.kind === "array") return { kind: "strConvert", value, type, span };
  return { kind: "cast", expr: value, type, span };
}

/**
 * A `print`/`printf`/`eprint`/`eprintf`/`sprintf` call as a `print` statement: its format
 * literal (when the format is one) and its values, each lowered by `lowerArg`; `sprintf`'s
 * destination stays the first argument. `result`: the local taking the call's value.
 */
export function lowerPrintCall(references: ReadonlyMap<ast.NameExpr, unknown>, call: ast.CallExpr, span: ast.Expr["span"], lowerArg: (a: ast.Expr) => ir.IrExpr, result?: string): ir.IrStmt {
  const variant = printVariantOf(references, call);
  const formatAt = variant === "sprintf" ? 1 : 0;
  const format = call.args[formatAt];
  const literal = format?.kind === "StringLiteral" ? format.value : undefined;
  const args = call.args.filter((_, i) => i !== formatAt || literal === undefined).map(lowerArg);
  return lowerPrint(literal, args, span, result, variant);
}
