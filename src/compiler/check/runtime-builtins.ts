//! The user-space runtime's built-ins (docs/language/userspace-runtime.md):
//!   now() -> u64          CLOCK_MONOTONIC ns, both sides (eBPF: bpf_ktime_get_ns, the same clock)
//!   wall_time() -> u64    CLOCK_REALTIME ns, user space
//!   sleep(d: u64) -> bool sleeps d ns; false, at once, when shutdown was requested (SIGINT/SIGTERM)
//!   running() -> bool     false once shutdown was requested
//!   printf(fmt, …)        C formats with run-time `*` widths, no newline added, user space
//!   eprint(…), eprintf(fmt, …)   `print` / `printf` to stderr, user space
//!   sprintf(s, fmt, …) -> i32     `printf` into the `str(N)` place `s` (cut at N bytes; the
//!                                 length the whole text would have, like C's snprintf)
//!   ntop(addr) -> str(45)  an IPv4 (u32 in network order, u8[4]) or IPv6 (u8[16]) address as text;
//!                          of an LPM-key struct (a prefix), `ADDR/LEN` as a str(49)
//!   macaddr(m: u8[6]) -> str(17)  `aa:bb:cc:dd:ee:ff`
//!   strftime(fmt: str, wall_ns: u64) -> str(63)  C's strftime of the local time
//! and the optional timeout of `dispatch(rb…, timeout)` (`dispatchTimeout`). Duration
//! literals (`250ms`) are `u64` nanoseconds (parse/durations.ts).

import type * as ast from "../ast.js";
import * as runtimeErrors from "../diagnostics/catalog/types-runtime.js";
import type { RuntimeSignature } from "../diagnostics/catalog/types-runtime.js";
import type { Type } from "../types.js";
import { boolType, errorType, i32, typeToString, u64 } from "../types.js";
import { asInteger, concreteType } from "./conversions.js";
import { constantValue } from "./loops.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import { parseFormat, type FormatConversion } from "./format-string.js";
import { checkPrintArguments } from "./print-arguments.js";
import { argsValueKind } from "../kernel/args-options.js";

type RuntimeBuiltin = "now" | "wall_time" | "sleep" | "running" | "printf" | "eprint" | "eprintf" | "sprintf" | "ntop" | "macaddr" | "strftime";

/** `ntop(addr)` text: at most INET6_ADDRSTRLEN - 1 bytes; `macaddr(m)`: `aa:bb:cc:dd:ee:ff`. */
export const ntopType: Type = { kind: "str", size: 45 };
export const ntopPrefixType: Type = { kind: "str", size: 49 };
export const macaddrType: Type = { kind: "str", size: 17 };
/** `strftime(format, wall_ns)`: the local time as text, at most 63 bytes. */
export const strftimeType: Type = { kind: "str", size: 63 };

/** The print-like built-ins: how each writes (`print` itself is in builtin-calls.ts). */
export const printVariants = {
  printf: { stream: "stdout", newline: false, formatRequired: true },
  eprint: { stream: "stderr", newline: true, formatRequired: false },
  eprintf: { stream: "stderr", newline: false, formatRequired: true },
  sprintf: { stream: "string", newline: false, formatRequired: true },
} as const;
export type PrintVariant = keyof typeof printVariants;

const signatures: Readonly<Record<RuntimeBuiltin, RuntimeSignature & { readonly kernel: boolean; readonly type: Type }>> = {
  now: { name: "now", params: [], variadic: false, result: "u64", kernel: true, type: u64 },
  wall_time: { name: "wall_time", params: [], variadic: false, result: "u64", kernel: false, type: u64 },
  sleep: { name: "sleep", params: ["u64"], variadic: false, result: "bool", kernel: false, type: boolType },
  running: { name: "running", params: [], variadic: false, result: "bool", kernel: false, type: boolType },
  printf: { name: "printf", params: ["format"], variadic: true, result: "i32", kernel: false, type: i32 },
  eprint: { name: "eprint", params: [], variadic: true, result: "i32", kernel: false, type: i32 },
  eprintf: { name: "eprintf", params: ["format"], variadic: true, result: "i32", kernel: false, type: i32 },
  sprintf: { name: "sprintf", params: ["str(N)", "format"], variadic: true, result: "i32", kernel: false, type: i32 },
  ntop: { name: "ntop", params: ["u32 | u8[4] | u8[16] | prefix"], variadic: false, result: "str(45)", kernel: false, type: ntopType },
  macaddr: { name: "macaddr", params: ["u8[6]"], variadic: false, result: "str(17)", kernel: false, type: macaddrType },
  strftime: { name: "strftime", params: ["str", "u64"], variadic: false, result: "str(63)", kernel: false, type: strftimeType },
};

export const runtimeBuiltinNames: readonly string[] = Object.keys(signatures);

/** The signature of a runtime built-in and whether eBPF code may call it too (hover's text). */
export function runtimeBuiltinSignature(name: string): (RuntimeSignature & { readonly kernel: boolean }) | undefined {
  return isRuntimeBuiltin(name) ? signatures[name] : undefined;
}

function isRuntimeBuiltin(name: string): name is RuntimeBuiltin {
  return Object.hasOwn(signatures, name);
}

export function checkRuntimeBuiltin(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  if (!isRuntimeBuiltin(name)) return errorType;
  const signature = signatures[name];
  if (c.fn.side !== "user" && !(signature.kernel && c.fn.side === "kernel")) {
    c.ctx.diags.report(runtimeErrors.runtimeBuiltinSide, expr.callee.span, name, c.fn.side);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (name === "printf" || name === "eprint" || name === "eprintf" || name === "sprintf") return checkPrintVariant(c, scope, expr, name);
  if (expr.args.length !== signature.params.length) {
    c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, expr.span, signature, { count: expr.args.length });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (name === "ntop" || name === "macaddr") {
    const arg = expr.args[0]!;
    const type = concreteType(c.ctx, arg, checkExpr(c, scope, arg));
    if (type.kind === "error") return errorType;
    // `ntop(prefix)` of an LPM-key struct (`{ prefixlen: u32, addr: … }`) adds `/LENGTH`.
    const prefix = name === "ntop" && argsValueKind(type, (s) => c.ctx.structs.get(s))?.kind === "prefix";
    const fits = name === "ntop" ? addressLength(type) !== undefined || prefix : isByteArray(type, 6);
    if (!fits) {
      c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, arg.span, signature, { index: 0, type: typeToString(type) });
      return errorType;
    }
    return prefix ? ntopPrefixType : signature.type;
  }
  if (name === "strftime") {
    const [format, time] = expr.args as [ast.Expr, ast.Expr];
    const formatType = checkExpr(c, scope, format);
    if (formatType.kind !== "str" && formatType.kind !== "error") {
      c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, format.span, signature, { index: 0, type: typeToString(formatType) });
    }
    const timeOk = checkDuration(c, scope, time, (found) =>
      c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, time.span, signature, { index: 1, type: found }));
    return formatType.kind === "str" && timeOk ? signature.type : errorType;
  }
  if (name === "sleep" && !checkDuration(c, scope, expr.args[0]!, (found) =>
    c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, expr.args[0]!.span, signature, { index: 0, type: found }))) {
    return errorType;
  }
  if (name === "sleep") refuseNegativeDuration(c, "sleep", expr.args[0]!);
  return signature.type;
}

/** An integer duration argument (nanoseconds); `bad` reports anything else. */
function checkDuration(c: ExprChecker, scope: Scope, arg: ast.Expr, bad: (found: string) => void): boolean {
  const type = concreteType(c.ctx, arg, checkExpr(c, scope, arg, u64));
  if (type.kind === "error") return false;
  if (type.kind === "int" || (asInteger(type) !== undefined && type.kind !== "char")) return true;
  bad(typeToString(type));
  return false;
}

/** The last argument of `dispatch(rb…, timeout)`, when it is not a ring buffer. */
export function checkDispatchTimeout(c: ExprChecker, scope: Scope, arg: ast.Expr): void {
  if (checkDuration(c, scope, arg, (found) => c.ctx.diags.report(runtimeErrors.dispatchTimeout, arg.span, found))) {
    refuseNegativeDuration(c, "dispatch", arg);
  }
}

/**
 * A constant duration below zero (E1318): the `u64` parameter would turn `sleep(-1)` into
 * a wait of 2^64 - 1 ns. A run-time value is converted the same way (documented).
 */
function refuseNegativeDuration(c: ExprChecker, name: "sleep" | "dispatch", arg: ast.Expr): void {
  const value = constantValue(c.ctx, arg);
  if (value !== undefined && value < 0n) c.ctx.diags.report(runtimeErrors.negativeDuration, arg.span, name, value);
}

function isByteArray(type: Type, length: number): boolean {
  return type.kind === "array" && type.length === length && type.element.kind === "int" && type.element.bits === 8;
}

/**
 * The address `ntop` formats: 4 (IPv4: a 32-bit integer holding the address as it is in
 * memory, i.e. in network byte order like bpftrace's `ntop(int)`, or `u8[4]`) or 16
 * (IPv6, `u8[16]`); undefined for anything else.
 */
export function addressLength(type: Type): 4 | 16 | undefined {
  if (type.kind === "int" && type.bits === 32) return 4;
  if (isByteArray(type, 4)) return 4;
  if (isByteArray(type, 16)) return 16;
  return undefined;
}

/** Whether a value prints with `%s` as text: `str(N)`, or a `char`/`u8`/`i8` array (bounded by its length). */
export function isTextArray(type: Type): boolean {
  return type.kind === "array" && (type.element.kind === "char" || (type.element.kind === "int" && type.element.bits === 8));
}

/**
 * `printf(fmt, …)`, `eprintf(fmt, …)`: a literal format whose conversions and `*`
 * widths/precisions take the arguments in order; `eprint(…)` is `print` to stderr.
 */
function checkPrintVariant(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: PrintVariant): Type {
  const { ctx } = c;
  // `sprintf(dest, format, …)`: a `str(N)` variable, field or element to write into.
  const destination = name === "sprintf" ? expr.args[0] : undefined;
  if (name === "sprintf" && !checkDestination(c, scope, destination, signatures[name], expr.span)) {
    checkEach(c, scope, expr.args.slice(1));
    return errorType;
  }
  const given = destination ? expr.args.slice(1) : expr.args;
  const format = given[0];
  const literal = format?.kind === "StringLiteral" ? format : undefined;
  const formatRequired = printVariants[name].formatRequired;
  if (formatRequired && !literal) {
    if (format) checkExpr(c, scope, format);
    ctx.diags.report(runtimeErrors.formatNeedsLiteral, format?.span ?? expr.span, name);
    checkEach(c, scope, given.slice(1));
    return errorType;
  }
  const types: Type[] = [];
  for (const arg of given) {
    const type = concreteType(ctx, arg, checkExpr(c, scope, arg));
    const printable = type.kind === "error" || type.kind === "bool" || type.kind === "str" || asInteger(type) !== undefined ||
      type.kind === "pointer" || isTextArray(type);
    if (!printable) {
      ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, arg.span, signatures[name], { index: expr.args.indexOf(arg), type: typeToString(type) });
    }
    types.push(printable ? type : errorType);
  }
  const values = given.map((a, i) => ({ span: a.span, type: types[i]! })).slice(literal ? 1 : 0);
  if (!literal) return i32;
  const { conversions, invalidAt } = parseFormat(literal.value, { runtimeWidths: true });
  if (invalidAt !== undefined) {
    checkPrintArguments(ctx, "user", expr.span, literal, values);
    return i32;
  }
  const wanted = conversions.reduce((n, conv) => n + 1 + starCount(conv), 0);
  if (formatRequired && wanted !== values.length) {
    ctx.diags.report(runtimeErrors.formatTooFewValues, literal.span, name, wanted, values.length);
    return i32;
  }
  // Each `*` takes an integer; what is left is checked against its conversion like `print`.
  let next = 0;
  const converted: typeof values = [];
  for (const conv of conversions) {
    for (let star = 0; star < starCount(conv); star++) {
      const width = values[next++];
      if (width && width.type.kind !== "error" && (asInteger(width.type) === undefined || width.type.kind === "char")) {
        ctx.diags.report(runtimeErrors.runtimeWidthNotInteger, width.span, `%${conv.flags}${conv.conversion}`, typeToString(width.type));
      }
    }
    const value = values[next++];
    if (value) converted.push(value);
  }
  converted.push(...values.slice(next));
  const stripped = conversions.map((conv) => conv.flags.replace(/\*/g, "")).map((flags, i) => `%${flags}${conversions[i]!.conversion}`).join(" ");
  checkPrintArguments(ctx, "user", expr.span, { value: stripped, span: literal.span }, converted.map((v) => (isTextArray(v.type) ? { span: v.span, type: { kind: "str", size: 1 } } : v)));
  return i32;
}

/** `sprintf`'s first argument: a place (variable, field, element) of a `str(N)` type. */
function checkDestination(c: ExprChecker, scope: Scope, destination: ast.Expr | undefined, signature: RuntimeSignature, call: ast.Expr["span"]): boolean {
  if (!destination) {
    c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, call, signature, { count: 0 });
    return false;
  }
  const type = checkExpr(c, scope, destination);
  if (type.kind === "error") return false;
  const place = destination.kind === "NameExpr" || destination.kind === "FieldExpr" || destination.kind === "IndexExpr";
  if (type.kind !== "str" || !place) {
    c.ctx.diags.report(runtimeErrors.runtimeBuiltinArguments, destination.span, signature, { index: 0, type: typeToString(type) });
    return false;
  }
  return true;
}

/** How many `*` a conversion has (width, precision). */
export function starCount(conv: FormatConversion): number {
  return [...conv.flags].filter((ch) => ch === "*").length;
}
