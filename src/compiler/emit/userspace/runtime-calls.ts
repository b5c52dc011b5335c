//! C of the user-space runtime's calls (check/runtime-builtins.ts): `now`, `wall_time`,
//! `sleep`, `running` call the functions of `runtime-c/runtime-calls.c`, pasted into a
//! loader that uses one of them; the print variants choose the stream and the newline.

import type * as ir from "../../ir.js";
import { someExpression } from "../../ir-walk.js";
import type { Type } from "../../types.js";
import type { CWriter } from "../c-writer.js";
import { pasteRuntimeC } from "./runtime-c.js";

const functions: Readonly<Record<ir.RuntimeCall, string>> = {
  now: "ks_now_ns",
  wall_time: "ks_wall_time_ns",
  sleep: "ks_sleep_ns",
  running: "ks_running",
};

export function runtimeCallExpression(name: ir.RuntimeCall, args: readonly string[]): string {
  return `${functions[name]}(${args.join(", ")})`;
}

function isRuntimeCall(e: ir.IrExpr): boolean {
  return e.kind === "builtin" && Object.hasOwn(functions, e.name);
}

/** runtime-c/runtime-calls.c, when the user functions call one of its functions. */
export function emitRuntimeCalls(w: CWriter, module: ir.IrModule): void {
  if (!module.hasUserMain) return;
  if (module.userFunctions.some((fn) => someExpression(fn.body, isRuntimeCall))) pasteRuntimeC(w, "runtime-calls");
}

/** Whether a print statement ends its line: `print` and `eprint` do, `printf`/`eprintf` not. */
export function printNewline(s: Extract<ir.IrStmt, { kind: "print" }>): boolean {
  return s.variant === undefined || s.variant === "eprint";
}

/** The C call of a user-space print statement: `printf(…)`, or `fprintf(stderr, …)` for `eprint`/`eprintf`. */
export function userPrintCall(s: Extract<ir.IrStmt, { kind: "print" }>, args: readonly string[]): string {
  return s.variant === "eprint" || s.variant === "eprintf" ? `fprintf(${["stderr", ...args].join(", ")})` : `printf(${args.join(", ")})`;
}

/**
 * A `char`/`u8` array printed with `%s`: at most its length, stopping at a NUL, copied
 * into a zeroed compound literal one byte longer so the C string always ends.
 */
export function textArrayArgument(text: string, type: Type): string | undefined {
  if (type.kind !== "array" || !(type.element.kind === "char" || (type.element.kind === "int" && type.element.bits === 8))) return undefined;
  return `strncpy((char[${type.length + 1}]){ 0 }, (const char *)(${text}), ${type.length})`;
}
