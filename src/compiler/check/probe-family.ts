//! Signatures of the probes libbpf names by section prefix whose parameters are not a
//! BTF prototype's: `@ksyscall("NAME")` (a system call's arguments), `@uprobe` (a
//! user-space function's arguments as the program declares them), `@usdt` (a USDT
//! probe's arguments) and the return probes `@uretprobe`, `@kretprobe`, `@kretsyscall`
//! (one optional parameter, the return value). `@fexit` and `@lsm` are checked against
//! BTF with `@probe` (probe-signature.ts). Every program of the family returns `i32`.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as tracingErrors from "../diagnostics/catalog/types-tracing.js";
import type { RegisterSource } from "../diagnostics/catalog/types-tracing.js";
import type { SignatureProblem } from "../diagnostics/catalog/types.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import type { ProgramTypeInfo } from "../kernel/program-types.js";
import { closestName } from "../suggest.js";
import type { CheckContext } from "./context.js";
import { checkSyscallProbe, compatibleArgument } from "./probe-signature.js";
import { noteUncheckedTarget, reportMissingTarget } from "./kernel-targets.js";
import { syscallWrapperPrefixes } from "../kernel/syscalls.js";

type Params = readonly { readonly name: string; readonly type: Type }[];

export function checkProbeFamilySignature(ctx: CheckContext, decl: ast.FunctionDecl, info: ProgramTypeInfo, params: Params,
  returnType: Type, target: string | undefined): void {
  const attribute = info.attribute ?? info.programType;
  const signature = { kind: "written", text: info.signature.replace("NAME", decl.name.name) } as const;
  const report = (problem: SignatureProblem, span: Span): void => ctx.diags.report(typeErrors.programSignature, span, attribute, signature, problem);
  if (returnType.kind !== "error" && !(returnType.kind === "int" && returnType.bits === 32 && returnType.signed)) {
    report({ kind: "returnType", type: "i32", valueIgnoredBy: "probe" }, decl.returnType?.span ?? decl.name.span);
  }
  if (target === undefined || !info.targetFormat?.pattern.test(target)) return;
  const targetSpan = decl.attributes[0]!.args?.[0]?.span ?? decl.attributes[0]!.span;
  const args = info.arguments;
  switch (args.kind) {
    case "syscall":
      checkSyscallProbe(ctx, decl, params, target, targetSpan, (problem, span) =>
        ctx.diags.report(typeErrors.programSignature, span, attribute, { kind: "syscall", name: decl.name.name, syscall: target }, problem));
      return;
    case "userFunction": case "usdtArguments": {
      // An offset inside a function: the registers no longer hold its arguments.
      if (target.includes("+") && params.length > 0) {
        report({ kind: "offsetProbeArguments" }, decl.params[0]!.span);
        return;
      }
      if (params.length > args.maxArguments) {
        ctx.diags.report(tracingErrors.tooManyProbeArguments, decl.params[args.maxArguments]!.span, attribute, params.length, args.maxArguments);
        return;
      }
      checkRegisterParameters(ctx, decl, params, args.kind === "userFunction" ? "uprobe" : "usdt");
      return;
    }
    case "returnValue": {
      if (params.length > 1) {
        ctx.diags.report(tracingErrors.returnProbeParameters, decl.params[1]!.span, attribute, params.length);
        return;
      }
      checkRegisterParameters(ctx, decl, params, "returnValue");
      checkReturnTarget(ctx, decl, params, args.of, target, targetSpan, report);
      return;
    }
    case "context": case "traceEvent": case "kernelFunction": case "method":
      return;
  }
}

function checkRegisterParameters(ctx: CheckContext, decl: ast.FunctionDecl, params: Params, source: RegisterSource): void {
  params.forEach((param, i) => {
    const kind = param.type.kind;
    if (kind !== "error" && kind !== "int" && kind !== "pointer" && kind !== "enum" && kind !== "bool" && kind !== "char") {
      ctx.diags.report(tracingErrors.registerProbeParameter, decl.params[i]!.type.span, i + 1, param.name, typeToString(param.type), source);
    }
  });
}

/**
 * A kernel function's or system call's return: the target must exist (a warning, or an
 * error for this kernel: kernel-targets.ts), and the return value's width must be the
 * kernel function's.
 */
function checkReturnTarget(ctx: CheckContext, decl: ast.FunctionDecl, params: Params, of: "kernelFunction" | "syscall" | "userFunction",
  target: string, targetSpan: Span, report: (problem: SignatureProblem, span: Span) => void): void {
  if (of === "userFunction") return;
  if (!ctx.kernelTypes.available) {
    noteUncheckedTarget(ctx, targetSpan, of === "syscall" ? `system call \`${target}\`` : `function \`${target}\``);
    return;
  }
  if (of === "syscall") {
    const name = `sys_${target}`;
    if (!syscallWrapperPrefixes.some((prefix) => ctx.kernelTypes.function(`${prefix}${name}`))) {
      reportMissingTarget(ctx, "function", targetSpan, name, closestName(name, ctx.kernelTypes.functionNames()));
    }
    return;
  }
  const kernel = ctx.kernelTypes.function(target);
  if (!kernel) {
    reportMissingTarget(ctx, "function", targetSpan, target, closestName(target, ctx.kernelTypes.functionNames()));
    return;
  }
  const param = params[0];
  if (param && param.type.kind !== "error" && kernel.returnType.kind !== "void" && !compatibleArgument(param.type, kernel.returnType)) {
    report({ kind: "parameterType", index: 1, name: param.name, type: typeToString(param.type), passed: typeToString(kernel.returnType), by: "kernel" },
      decl.params[0]!.type.span);
  }
}
