//! C of the user-space runtime's calls (check/runtime-builtins.ts): `now`, `wall_time`,
//! `sleep`, `running` call the functions of `runtime-c/runtime-calls.c`, pasted into a
//! loader that uses one of them; the print variants choose the stream and the newline.

import type * as ir from "../../ir.js";
import { someExpression, someStatement } from "../../ir-walk.js";
import type { Type } from "../../types.js";
import type { CWriter } from "../c-writer.js";
import { cTypeName } from "../c-types.js";
import { pasteRuntimeC } from "./runtime-c.js";

const functions: Readonly<Record<ir.RuntimeCall, string>> = {
  now: "ks_now_ns",
  wall_time: "ks_wall_time_ns",
  sleep: "ks_sleep_ns",
  running: "ks_running",
  ntop: "ks_format_ntop",
  macaddr: "ks_format_mac",
  strftime: "ks_format_time",
};

export function runtimeCallExpression(e: Extract<ir.IrExpr, { kind: "builtin" }>, args: readonly string[]): string {
  const name = e.name as ir.RuntimeCall;
  if (name === "strftime") return `({ ${cTypeName(e.type)} __ks_text; ${functions[name]}(__ks_text.data, sizeof(__ks_text.data), ${args[0]}, ${args[1]}); __ks_text; })`;
  if (name !== "ntop" && name !== "macaddr") return `${functions[name]}(${args.join(", ")})`;
  // Text into a `str(N)` made here: a statement expression, so it is a value like any string.
  const arg = e.args[0]!;
  const source = arg.type.kind === "array" ? `(const void *)(${args[0]})` : `(const void *)&(__u32){ ${args[0]} }`;
  const family = name === "ntop" ? (arg.type.kind === "array" && arg.type.length === 16 ? "AF_INET6, " : "AF_INET, ") : "";
  // `ntop(prefix)` was lowered to its address and length: `ADDR/LEN`.
  const length = name === "ntop" && e.args.length === 2 ? `, (int)(${args[1]})` : name === "ntop" ? ", -1" : "";
  return `({ ${cTypeName(e.type)} __ks_text; ${functions[name]}(__ks_text.data, sizeof(__ks_text.data), ${family}${source}${length}); __ks_text; })`;
}

function isRuntimeCall(e: ir.IrExpr): boolean {
  return e.kind === "builtin" && Object.hasOwn(functions, e.name);
}

/** runtime-c/runtime-calls.c, when the user functions call one of its functions. */
export function emitRuntimeCalls(w: CWriter, module: ir.IrModule): void {
  if (!module.hasUserMain) return;
  if (module.userFunctions.some((fn) => someExpression(fn.body, isRuntimeCall))) pasteRuntimeC(w, "runtime-calls");
  if (module.userFunctions.some((fn) => someStatement(fn.body, (s) => s.kind === "print" && s.variant === "sprintf"))) {
    w.comment("sprintf cuts its text at the string's size by definition: gcc's warning that a constant text is cut is moot.");
    w.line("#if defined(__GNUC__) && !defined(__clang__)");
    w.line('#pragma GCC diagnostic ignored "-Wformat-truncation"');
    w.line("#endif");
    w.line();
  }
}

/** Whether a print statement ends its line: `print` and `eprint` do, `printf`/`eprintf` not. */
export function printNewline(s: Extract<ir.IrStmt, { kind: "print" }>): boolean {
  return s.variant === undefined || s.variant === "eprint";
}

/**
 * The C call of a user-space print statement: `printf(…)`, `fprintf(stderr, …)` for
 * `eprint`/`eprintf`, `snprintf(dest.data, sizeof(dest.data), …)` for `sprintf` (whose
 * `args` are the format, the destination, then the values).
 */
export function userPrintCall(s: Extract<ir.IrStmt, { kind: "print" }>, args: readonly string[]): string {
  if (s.variant === "sprintf") {
    const [format, destination, ...values] = args;
    return `snprintf(${[`${destination}.data`, `sizeof(${destination}.data)`, format, ...values].join(", ")})`;
  }
  return s.variant === "eprint" || s.variant === "eprintf" ? `fprintf(${["stderr", ...args].join(", ")})` : `printf(${args.join(", ")})`;
}

/**
 * A `char`/`u8` array printed with `%s`: its bytes copied into a zeroed compound literal
 * one byte longer, so the C string ends at the first NUL or after the whole array.
 */
export function textArrayArgument(text: string, type: Type, side: "kernel" | "user"): string | undefined {
  if (type.kind !== "array" || !(type.element.kind === "char" || (type.element.kind === "int" && type.element.bits === 8))) return undefined;
  // memcpy, not strncpy: gcc flags a strncpy that fills its bound (-Wstringop-truncation).
  // In eBPF the copy (on the stack) is what bounds bpf_printk's `%s`, which reads up to a
  // NUL and takes no precision.
  const copy = side === "kernel" ? "__builtin_memcpy" : "memcpy";
  return `(const char *)${copy}((char[${type.length + 1}]){ 0 }, (const void *)(${text}), ${type.length})`;
}

/**
 * `s[i] = c` on a `str(N)` with a run-time index (both sides): written only below N, so
 * the text's terminator and what follows the string are never overwritten. (A constant
 * index is checked below N by the checker and written as `s.data[k]`.)
 */
export function stringElementWrite(text: string, index: string, size: number, value: string): string {
  return `{ __u64 __ks_at = (__u64)(${index}); if (__ks_at < ${size}) ${text}.data[__ks_at] = ${value}; }`;
}
