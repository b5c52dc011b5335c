//! Signatures of `@probe` / `@kprobe` programs, checked against the kernel function's
//! prototype from BTF (upstream never checks them, so a wrong parameter type only
//! showed up as garbage at run time). The parameters are the traced function's
//! arguments, in order; a program may take fewer than the function has. A system call
//! (`sys_openat`) the kernel enters through an architecture wrapper becomes a ksyscall
//! program (kernel/syscalls.ts).

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { ExpectedSignature, SignatureProblem } from "../diagnostics/catalog/types.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import type { KernelFunction } from "../kernel/kernel-types.js";
import { programTypeInfo, type ProgramTypeInfo } from "../kernel/program-types.js";
import type { CheckContext } from "./context.js";
import { closestName } from "../suggest.js";
import { noteUncheckedTarget, reportMissingTarget } from "./kernel-targets.js";
import { maxSyscallArguments, syscallName, syscallWrapperPrefixes } from "../kernel/syscalls.js";


export function checkProbeSignature(
  ctx: CheckContext,
  decl: ast.FunctionDecl,
  info: ProgramTypeInfo,
  params: readonly { readonly name: string; readonly type: Type }[],
  returnType: Type,
  target: string | undefined,
): void {
  if (target === undefined || !info.targetFormat?.pattern.test(target)) return;
  const plus = target.indexOf("+");
  // fexit and LSM programs also receive the return value (LSM: of the hook's `bpf_lsm_`
  // function in BTF, whose prototype is the hook's).
  const returnValue = info.arguments.kind === "kernelFunction" && info.arguments.returnValue === true;
  const btfPrefix = info.arguments.kind === "kernelFunction" ? info.arguments.btfPrefix ?? "" : "";
  const functionName = btfPrefix + (plus < 0 ? target : target.slice(0, plus));
  const kernel = ctx.kernelTypes.available ? ctx.kernelTypes.function(functionName) : undefined;
  const signature: ExpectedSignature = plus >= 0 ? { kind: "function", name: decl.name.name, params: [] }
    : kernel ? kernelSignature(decl.name.name, kernel, returnValue) : { kind: "written", text: info.signature.replace("NAME", decl.name.name) };
  const report = (problem: SignatureProblem, span: Span): void =>
    ctx.diags.report(typeErrors.programSignature, span, `${info.attribute}`, signature, problem);

  if (returnType.kind !== "error" && !(returnType.kind === "int" && returnType.bits === 32 && returnType.signed)) {
    report({ kind: "returnType", type: "i32", valueIgnoredBy: "probe" }, decl.returnType?.span ?? decl.name.span);
  }
  const attribute = decl.attributes[0]!;
  const targetSpan = attribute.args?.[0]?.span ?? attribute.span;
  const syscall = plus < 0 && !kernel && !returnValue ? syscallName(functionName) : undefined;
  if (syscall !== undefined) {
    checkSyscallProbe(ctx, decl, params, syscall, targetSpan, (problem, span) =>
      ctx.diags.report(typeErrors.programSignature, span, info.attribute ?? info.programType, { kind: "syscall", name: decl.name.name, syscall }, problem));
    return;
  }
  if (!ctx.kernelTypes.available) noteUncheckedTarget(ctx, targetSpan, `function \`${functionName}\``);
  else if (!kernel) {
    // An LSM hook is suggested as it is written, without `bpf_lsm_`.
    const closest = closestName(functionName, ctx.kernelTypes.functionNames());
    reportMissingTarget(ctx, "function", targetSpan, functionName, closest?.startsWith(btfPrefix) ? closest.slice(btfPrefix.length) : closest);
    return;
  }
  if (plus >= 0 && params.length > 0) {
    report({ kind: "offsetProbeArguments" }, decl.params[0]!.span);
    return;
  }
  // At an offset the probe is a kprobe, which reads registers.
  const limit = plus >= 0 ? programTypeInfo.kprobe.arguments : info.arguments;
  const maxArguments = limit.kind === "kernelFunction" ? limit.maxArguments + (returnValue ? 1 : 0) : 0;
  if (params.length > maxArguments) {
    const reader = limit === programTypeInfo.kprobe.arguments ? "kprobe" : "probe";
    report({ kind: "tooManyParameters", count: params.length, limit: maxArguments, reader }, decl.params[maxArguments]!.span);
    return;
  }
  if (!kernel) return;
  const passed = returnValue ? [...kernel.params, { name: "ret", type: kernel.returnType }] : kernel.params;
  if (params.length > passed.length) {
    report({ kind: "moreThanTheKernelPasses", target: functionName, passed: passed.length, count: params.length, target_kind: "function" }, decl.params[passed.length]!.span);
    return;
  }
  params.forEach((param, i) => {
    const expected = passed[i]!;
    if (param.type.kind !== "error" && !compatibleArgument(param.type, expected.type)) {
      report({ kind: "parameterType", index: i + 1, name: param.name, type: typeToString(param.type), passed: typeToString(expected.type), passedName: expected.name, by: "kernel" },
        decl.params[i]!.type.span);
    }
  });
}

/**
 * `@probe("sys_openat")` where the kernel has no plain `sys_openat`: a ksyscall program
 * (kernel/syscalls.ts), attached to the architecture's wrapper (`__x64_sys_openat`).
 * The wrapper's BTF prototype is only `struct pt_regs *`, so the parameters are the
 * system call's arguments as written: at most five, each an integer or a pointer (a
 * register).
 */
export function checkSyscallProbe(ctx: CheckContext, decl: ast.FunctionDecl, params: readonly { readonly name: string; readonly type: Type }[],
  syscall: string, targetSpan: Span, report: (problem: SignatureProblem, span: Span) => void): void {
  const functionName = `sys_${syscall}`;
  ctx.syscallProbes.set(decl, syscall);
  if (!ctx.kernelTypes.available) noteUncheckedTarget(ctx, targetSpan, `system call \`${syscall}\``);
  else if (!syscallWrapperPrefixes.some((prefix) => ctx.kernelTypes.function(`${prefix}${functionName}`))) {
    reportMissingTarget(ctx, "function", targetSpan, functionName, closestName(functionName, ctx.kernelTypes.functionNames()));
  }
  if (params.length > maxSyscallArguments) {
    report({ kind: "tooManyParameters", count: params.length, limit: maxSyscallArguments, reader: "syscallProbe" }, decl.params[maxSyscallArguments]!.span);
    return;
  }
  params.forEach((param, i) => {
    const kind = param.type.kind;
    if (kind !== "error" && kind !== "int" && kind !== "pointer" && kind !== "enum" && kind !== "bool" && kind !== "char") {
      report({ kind: "syscallParameter", index: i + 1, name: param.name, type: typeToString(param.type) }, decl.params[i]!.type.span);
    }
  });
}

function kernelSignature(name: string, kernel: KernelFunction, returnValue = false): ExpectedSignature {
  const params = kernel.params.map((p, i) => ({ name: p.name || `arg${i}`, type: typeToString(p.type) }));
  if (returnValue) params.push({ name: "ret", type: typeToString(kernel.returnType) });
  return { kind: "function", name, params };
}

/**
 * Whether a parameter written as `written` can receive the kernel's `actual`: same
 * integer width (signedness is the writer's view of the bits), any pointer for an
 * opaque `*u8`/`*void`, otherwise the same pointee.
 */
export function compatibleArgument(written: Type, actual: Type): boolean {
  const width = (t: Type): number | undefined =>
    t.kind === "int" ? t.bits : t.kind === "enum" ? 32 : t.kind === "bool" || t.kind === "char" ? 8 : undefined;
  if (width(written) !== undefined && width(actual) !== undefined) return width(written) === width(actual);
  if (written.kind === "pointer" && actual.kind === "pointer") {
    const opaque = (t: Type): boolean => t.kind === "void" || (t.kind === "int" && t.bits === 8) || t.kind === "char";
    if (opaque(written.target) || opaque(actual.target)) return true;
    if (written.target.kind === "struct" && actual.target.kind === "struct") return written.target.name === actual.target.name;
    return compatibleArgument(written.target, actual.target);
  }
  if (written.kind === "struct" && actual.kind === "struct") return written.name === actual.name;
  return false;
}
