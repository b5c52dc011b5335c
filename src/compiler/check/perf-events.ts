//! Checks of the perf-event builtins in user space: `attach(handle, perf_options { … },
//! 0)` → `PerfAttachment`, `read(att)` → `i64`, `detach(att)`; the constant checks of a
//! `perf_options` literal (a process or a CPU to count on, `perf_config` of the kind
//! `perf_type` names); and the rule that the perf types stay out of eBPF code.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { Type } from "../types.js";
import { errorType, i64, typeToString, u32 } from "../types.js";
import { checkAssignable } from "./conversions.js";
import { constantInteger } from "./constants.js";
import { programTypeNamed } from "../kernel/program-types.js";
import type { CheckContext } from "./context.js";
import { checkSocketMapAttach } from "./redirect-maps.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import { isPerfAttachment, isPerfOptions, isPerfUserspaceType, perfAttachmentStruct, perfConfigEnumOfType } from "../kernel/perf.js";

export { isPerfAttachment } from "../kernel/perf.js";

export const perfAttachmentType: Type = { kind: "struct", name: perfAttachmentStruct, origin: "kernel" };

/** E0355 when eBPF code names `perf_options` / `PerfAttachment`. */
export function checkPerfTypeSide(c: ExprChecker, name: ast.Ident): void {
  if (c.fn.side === "kernel" && isPerfUserspaceType(name.name)) {
    c.ctx.diags.report(typeErrors.perfTypeInKernel, name.span, name.name);
  }
}

/**
 * `attach(handle, target, flags)` once `handle` is checked: a `@perf_event` program takes
 * `perf_options` (and returns a `PerfAttachment`), every other type a string (→ i32).
 */
export function checkAttachTarget(c: ExprChecker, scope: Scope, handleType: Type, target: ast.Expr, flags: ast.Expr): Type {
  const { ctx } = c;
  // sk_msg/sk_skb attach to a socket map (check/redirect-maps.ts).
  if (checkSocketMapAttach(c, scope, handleType, target)) {
    checkAssignable(ctx, flags, checkExpr(c, scope, flags, u32), u32, { kind: "attachFlags" });
    return { kind: "int", bits: 32, signed: true };
  }
  const targetType = checkExpr(c, scope, target);
  const flagsType = checkExpr(c, scope, flags, u32);
  checkAssignable(ctx, flags, flagsType, u32, { kind: "attachFlags" });
  const program = handleType.kind === "programHandle" ? handleType.programType : undefined;
  // Programs attached to perf events (kernel/program-types.ts `attach`) take `perf_options`.
  const perfAttached = program !== undefined && programTypeNamed(program)?.attach.kind === "perfSampling";
  if (isPerfOptions(targetType)) {
    if (program !== undefined && !perfAttached) {
      ctx.diags.report(typeErrors.attachTargetKind, target.span, program, "perfEvent");
    }
    if (target.kind === "StructLiteral") checkPerfOptionsLiteral(ctx, target);
    const flagValue = constantInteger(ctx, flags);
    if (flagValue !== undefined && flagValue !== 0n) {
      ctx.diags.report(typeErrors.perfOptionsInvalid, flags.span, { flags: flagValue });
    }
    return perfAttachmentType;
  }
  if (targetType.kind === "error") return perfAttached ? perfAttachmentType : errorType;
  if (perfAttached) {
    ctx.diags.report(typeErrors.attachTargetKind, target.span, program ?? "", { type: typeToString(targetType) });
    return perfAttachmentType;
  }
  if (targetType.kind !== "str") {
    ctx.diags.report(typeErrors.typeMismatch, target.span, "str", typeToString(targetType), { kind: "attachTarget" });
  }
  return { kind: "int", bits: 32, signed: true };
}

/** `read(att)`: the current count of a perf attachment, -1 when it is no longer valid. */
export function checkRead(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const arg = expr.args[0];
  if (expr.args.length !== 1 || !arg) {
    c.ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "read", 1, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const type = checkExpr(c, scope, arg);
  if (type.kind !== "error" && !isPerfAttachment(type)) {
    c.ctx.diags.report(typeErrors.readNeedsPerfAttachment, arg.span, typeToString(type));
  }
  return i64;
}

function fieldOf(literal: ast.StructLiteral, name: string): ast.Expr | undefined {
  return literal.fields.find((f) => f.name.name === name)?.value;
}

/** Constant checks of a `perf_options { … }` literal (values known at compile time only). */
function checkPerfOptionsLiteral(ctx: CheckContext, literal: ast.StructLiteral): void {
  const pidExpr = fieldOf(literal, "pid");
  const cpuExpr = fieldOf(literal, "cpu");
  const pid = pidExpr ? constantInteger(ctx, pidExpr) : -1n;
  const cpu = cpuExpr ? constantInteger(ctx, cpuExpr) : 0n;
  if (pid === -1n && cpu === -1n) {
    ctx.diags.report(typeErrors.perfOptionsInvalid, (cpuExpr ?? pidExpr ?? literal.typeName).span, "everyProcessEveryCpu");
  }
  const typeExpr = fieldOf(literal, "perf_type");
  const configExpr = fieldOf(literal, "perf_config");
  if (!typeExpr || !configExpr || configExpr.kind !== "NameExpr" || typeExpr.kind !== "NameExpr") return;
  const typeValue = constantInteger(ctx, typeExpr);
  const expectedEnum = typeValue === undefined ? undefined : perfConfigEnumOfType.get(typeValue);
  const config = ctx.globalScope.lookup(configExpr.name.name);
  if (!expectedEnum || config?.kind !== "constant" || config.type.kind !== "enum") return;
  const configEnum = config.type.name;
  if ((configEnum === "perf_hw_config" || configEnum === "perf_sw_config") && configEnum !== expectedEnum) {
    ctx.diags.report(typeErrors.perfConfigMismatch, configExpr.span, configExpr.name.name, configEnum, typeExpr.name.name, expectedEnum);
  }
}
