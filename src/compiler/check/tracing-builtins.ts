//! The tracing built-ins (docs/language/tracing.md): the current task (`pid()`, `tid()`,
//! `uid()`, `gid()`, `ppid()`, `comm()`, `cgroup_id()`), strings read through an address
//! (`str(p)`, `str(p, N)`, `ustr`, `kstr`, a tracepoint record's `__data_loc` field) and
//! the bucket functions of histograms (`log2(v)`, `lin(v, min, max, step)`). What each
//! one is and where the kernel allows it are rows of `kernel/tracing.ts`; this file
//! checks calls against them and records how each string is read
//! (`CheckContext.stringReads`, lowered by lower/lower-tracing.ts).

import { isSyscallEntryRecord } from "./syscall-record.js";
import type * as ast from "../ast.js";
import { unparenthesize } from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as tracing from "../diagnostics/catalog/types-tracing.js";
import { programTypes } from "../kernel/program-types.js";
import {
  dataLocPrefix, defaultStringRead, stringReadBuiltins, tracingBuiltins, userPointerFields, type StringSource, type TracingPlace,
} from "../kernel/tracing.js";
import type { Type } from "../types.js";
import { errorType, typeToString, u64 } from "../types.js";
import { constantInteger } from "./constants.js";
import { checkRecord } from "./aggregations.js";
import { asInteger, checkAssignable } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";

/** How a `str(…)` call reads its string (Semantics.stringReads). */
export interface StringRead {
  readonly source: StringSource;
  /** The capacity N of the `str(N)` it gives. */
  readonly size: number;
  /** `dataLoc`: the record (the call's first argument's target) and the field's name. */
  readonly dataLocField?: string;
}

/**
 * The longest string a read may give: the read and the copy it gives both live on the
 * 512-byte eBPF stack (measured with clang 14: one `str(240)` read builds, `str(256)`
 * exceeds the stack; analyze/stack-usage.ts counts both copies).
 */
const maxStringRead = 240;
/** The most buckets `lin` may make of its range (bpftrace's lhist limit is the same order). */
const maxLinearBuckets = 1000;

export const tracingBuiltinNames: readonly string[] = [...tracingBuiltins.keys(), ...stringReadBuiltins.keys()];

export function isTracingBuiltin(name: string): boolean {
  return tracingBuiltins.has(name) || stringReadBuiltins.has(name);
}

export function checkTracingCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  const read = stringReadBuiltins.get(name);
  if (read !== undefined) return checkStringRead(c, scope, expr, name, read);
  const builtin = tracingBuiltins.get(name)!;
  if (builtin.op === "recordStats") return checkRecord(c, scope, expr);
  if (expr.args.length !== builtin.arguments) {
    c.ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, name, builtin.arguments, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (!placeAllowed(c, expr, name, builtin.place)) {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  let ok = true;
  expr.args.forEach((arg, index) => {
    const wanted = builtin.argumentTypes?.[index] ?? u64;
    const type = checkExpr(c, scope, arg, wanted);
    if (type.kind === "error" || !checkAssignable(c.ctx, arg, type, wanted, { kind: "argument", index: index + 1, callee: name })) ok = false;
  });
  if (ok && builtin.constantArguments && !linearBoundsOk(c, expr)) return errorType;
  return ok ? builtin.result : errorType;
}

/** Whether `name` may be called where it is (kernel/tracing.ts `TracingPlace`); reports why not. */
function placeAllowed(c: ExprChecker, expr: ast.CallExpr, name: string, place: TracingPlace): boolean {
  switch (place) {
    case "anywhere": case "ebpf": return true;
    case "userSpace":
      if (c.fn.side === "user") return true;
      c.ctx.diags.report(tracing.stackPrintInEbpf, expr.callee.span, name);
      return false;
    case "currentTask": return currentTaskAllowed(c, expr, name);
    case "programContext":
      if (!currentTaskAllowed(c, expr, name)) return false;
      if (c.fn.info.role.kind === "program") return true;
      c.ctx.diags.report(tracing.stackOutsideProgram, expr.callee.span, name);
      return false;
  }
}

/** Current-task built-ins: eBPF only, and in a program only if its type runs for a task. */
function currentTaskAllowed(c: ExprChecker, expr: ast.CallExpr, name: string): boolean {
  if (c.fn.side !== "kernel") {
    c.ctx.diags.report(tracing.currentTaskInUserSpace, expr.callee.span, name);
    return false;
  }
  const role = c.fn.info.role;
  if (role.kind === "program" && !role.info.currentTask) {
    const allowed = programTypes.filter((t) => t.currentTask && t.attribute !== undefined).map((t) => `\`@${t.attribute}\``);
    c.ctx.diags.report(tracing.currentTaskWrongProgram, expr.callee.span, name, role.info.label, allowed);
    return false;
  }
  return true;
}

/** `lin(v, min, max, step)`: constant bounds making a non-empty, bounded set of buckets. */
function linearBoundsOk(c: ExprChecker, expr: ast.CallExpr): boolean {
  const values: bigint[] = [];
  for (let index = 1; index < expr.args.length; index++) {
    const value = constantInteger(c.ctx, expr.args[index]!);
    if (value === undefined) {
      c.ctx.diags.report(tracing.badBucketArguments, expr.args[index]!.span, { kind: "notConstant", index });
      return false;
    }
    values.push(value);
  }
  const [min, max, step] = values as [bigint, bigint, bigint];
  if (min >= max) {
    c.ctx.diags.report(tracing.badBucketArguments, expr.span, { kind: "emptyRange", min, max });
    return false;
  }
  if (step <= 0n) {
    c.ctx.diags.report(tracing.badBucketArguments, expr.args[3]!.span, { kind: "zeroStep" });
    return false;
  }
  const buckets = (max - min + step - 1n) / step;
  if (buckets > BigInt(maxLinearBuckets)) {
    c.ctx.diags.report(tracing.badBucketArguments, expr.span, { kind: "tooManyBuckets", buckets, limit: maxLinearBuckets });
    return false;
  }
  return true;
}

/** `str(p)`, `str(p, N)`, `ustr(p[, N])`, `kstr(p[, N])`: a `str(N)` read from `p`. */
function checkStringRead(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string, fixed: StringSource | "provenance"): Type {
  const { ctx } = c;
  if (expr.args.length < 1 || expr.args.length > 2) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, name, 1, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (c.fn.side !== "kernel") {
    ctx.diags.report(tracing.badStringRead, expr.callee.span, { kind: "userSpace" });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  let size = defaultStringRead;
  const sizeArg = expr.args[1];
  if (sizeArg) {
    const value = constantInteger(ctx, sizeArg);
    checkExpr(c, scope, sizeArg, u64);
    if (value === undefined || value < 1n || value > BigInt(maxStringRead)) {
      ctx.diags.report(tracing.badStringRead, sizeArg.span, { kind: "badSize", max: maxStringRead });
      return errorType;
    }
    ctx.exprTypes.set(sizeArg, u64);
    size = Number(value);
  }
  const address = expr.args[0]!;
  const dataLoc = dataLocField(c, scope, address);
  if (dataLoc !== undefined) {
    ctx.stringReads.set(expr, { source: "dataLoc", size, dataLocField: dataLoc });
    return { kind: "str", size };
  }
  const type = checkExpr(c, scope, address);
  if (type.kind === "error") return errorType;
  const integer = asInteger(type);
  const isAddress = type.kind === "pointer" || (integer !== undefined && integer.bits === 64) || type.kind === "intLiteral";
  if (!isAddress) {
    ctx.diags.report(tracing.badStringRead, address.span, { kind: "notAddress", found: typeToString(type) });
    return errorType;
  }
  if (type.kind === "intLiteral") ctx.exprTypes.set(address, u64);
  let source: StringSource;
  if (fixed !== "provenance") source = fixed;
  else {
    const origin = provenance(c, address);
    if (origin === undefined) ctx.diags.report(tracing.unknownStringProvenance, address.span);
    source = origin ?? "kernel";
  }
  ctx.stringReads.set(expr, { source, size });
  return { kind: "str", size };
}

/**
 * `record.NAME` where the record's struct has no field `NAME` but a `__data_loc_NAME`:
 * the field's name (the target is checked); otherwise undefined, and nothing checked.
 */
function dataLocField(c: ExprChecker, scope: Scope, address: ast.Expr): string | undefined {
  const field = unparenthesize(address);
  if (field.kind !== "FieldExpr") return undefined;
  const structName = pointedStruct(c, field.target);
  if (structName === undefined) return undefined;
  const layout = c.ctx.structs.get(structName);
  if (!layout || layout.fields.some((f) => f.name === field.field.name)) return undefined;
  if (!layout.fields.some((f) => f.name === dataLocPrefix + field.field.name)) return undefined;
  const targetType = checkExpr(c, scope, field.target);
  return targetType.kind === "error" ? undefined : field.field.name;
}

/** The struct a context-like name points to, without checking it (names only). */
function pointedStruct(c: ExprChecker, target: ast.Expr): string | undefined {
  const inner = unparenthesize(target);
  if (inner.kind !== "NameExpr") return undefined;
  const params = c.fn.info.params;
  const param = params.find((p) => p.name === inner.name.name);
  const type = param?.type;
  return type?.kind === "pointer" && type.target.kind === "struct" ? type.target.name : undefined;
}

/**
 * Where an address came from: `user` for a system call's argument (a field of
 * `userPointerFields`, indexed or not, through casts), `kernel` for a pointer field of
 * a kernel struct; undefined when the compiler cannot tell.
 */
function provenance(c: ExprChecker, address: ast.Expr): StringSource | undefined {
  let e = unparenthesize(address);
  while (e.kind === "CastExpr") e = unparenthesize(e.expr);
  if (e.kind === "IndexExpr") e = unparenthesize(e.target);
  if (e.kind !== "FieldExpr") return undefined;
  const targetType = c.ctx.exprTypes.get(e.target);
  const struct = targetType?.kind === "pointer" ? targetType.target : targetType;
  if (struct?.kind !== "struct") return undefined;
  if (userPointerFields.get(struct.name)?.includes(e.field.name)) return "user";
  const fieldType = c.ctx.exprTypes.get(e);
  if (fieldType?.kind === "pointer" && isSyscallEntryRecord(c.ctx, struct.name)) return "user";
  return struct.origin === "kernel" && fieldType?.kind === "pointer" ? "kernel" : undefined;
}
