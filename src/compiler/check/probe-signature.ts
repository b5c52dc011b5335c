//! Signatures of `@probe` / `@kprobe` programs, checked against the kernel function's
//! prototype from BTF (upstream never checks them, so a wrong parameter type only
//! showed up as garbage at run time). The parameters are the traced function's
//! arguments, in order; a program may take fewer than the function has. A system call
//! (`sys_openat`) the kernel enters through an architecture wrapper becomes a ksyscall
//! program (kernel/syscalls.ts).

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
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
  const functionName = plus < 0 ? target : target.slice(0, plus);
  const kernel = ctx.kernelTypes.available ? ctx.kernelTypes.function(functionName) : undefined;
  const signature = plus >= 0 ? `fn ${decl.name.name}() -> i32`
    : kernel ? kernelSignature(decl.name.name, kernel) : info.signature.replace("NAME", decl.name.name);
  const report = (problem: string, span: Span): void =>
    ctx.diags.report(typeErrors.programSignature, span, `${info.attribute}`, signature, problem);

  if (returnType.kind !== "error" && !(returnType.kind === "int" && returnType.bits === 32 && returnType.signed)) {
    report("it must return `i32` (the kernel ignores the value of a probe)", decl.returnType?.span ?? decl.name.span);
  }
  const attribute = decl.attributes[0]!;
  const targetSpan = attribute.args?.[0]?.span ?? attribute.span;
  const syscall = plus < 0 && !kernel ? syscallName(functionName) : undefined;
  if (syscall !== undefined) {
    checkSyscallProbe(ctx, decl, params, syscall, targetSpan, (problem, span) =>
      ctx.diags.report(typeErrors.programSignature, span, info.attribute ?? info.programType, `fn ${decl.name.name}(AT MOST 5 ARGUMENTS OF sys_${syscall}, INTEGERS OR POINTERS) -> i32`, problem));
    return;
  }
  if (!ctx.kernelTypes.available) noteUncheckedTarget(ctx, targetSpan, `function \`${functionName}\``);
  else if (!kernel) {
    reportMissingTarget(ctx, "function", targetSpan, functionName, closestName(functionName, ctx.kernelTypes.functionNames()));
    return;
  }
  if (plus >= 0 && params.length > 0) {
    report("a probe at an offset inside a function cannot name the function's arguments (the registers no longer hold them)", decl.params[0]!.span);
    return;
  }
  // At an offset the probe is a kprobe, which reads registers.
  const limit = plus >= 0 ? programTypeInfo.kprobe.arguments : info.arguments;
  const maxArguments = limit.kind === "kernelFunction" ? limit.maxArguments : 0;
  if (params.length > maxArguments) {
    report(`it takes ${params.length} parameters; a ${info.label} can read at most ${maxArguments} arguments`, decl.params[maxArguments]!.span);
    return;
  }
  if (!kernel) return;
  if (params.length > kernel.params.length) {
    report(`\`${functionName}\` takes ${kernel.params.length} argument${kernel.params.length === 1 ? "" : "s"}, not ${params.length}`, decl.params[kernel.params.length]!.span);
    return;
  }
  params.forEach((param, i) => {
    const expected = kernel.params[i]!;
    if (param.type.kind !== "error" && !compatibleArgument(param.type, expected.type)) {
      report(`parameter ${i + 1} \`${param.name}\` is \`${typeToString(param.type)}\`, but the kernel passes \`${typeToString(expected.type)}\` (\`${expected.name || "unnamed"}\`)`,
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
function checkSyscallProbe(ctx: CheckContext, decl: ast.FunctionDecl, params: readonly { readonly name: string; readonly type: Type }[],
  syscall: string, targetSpan: Span, report: (problem: string, span: Span) => void): void {
  const functionName = `sys_${syscall}`;
  ctx.syscallProbes.set(decl, syscall);
  if (!ctx.kernelTypes.available) noteUncheckedTarget(ctx, targetSpan, `system call \`${syscall}\``);
  else if (!syscallWrapperPrefixes.some((prefix) => ctx.kernelTypes.function(`${prefix}${functionName}`))) {
    reportMissingTarget(ctx, "function", targetSpan, functionName, closestName(functionName, ctx.kernelTypes.functionNames()));
  }
  if (params.length > maxSyscallArguments) {
    report(`it takes ${params.length} parameters; a system call probe can read at most ${maxSyscallArguments} arguments`, decl.params[maxSyscallArguments]!.span);
    return;
  }
  params.forEach((param, i) => {
    const kind = param.type.kind;
    if (kind !== "error" && kind !== "int" && kind !== "pointer" && kind !== "enum" && kind !== "bool" && kind !== "char") {
      report(`parameter ${i + 1} \`${param.name}\` is \`${typeToString(param.type)}\`; a system call's arguments are registers (integers or pointers)`, decl.params[i]!.type.span);
    }
  });
}

function kernelSignature(name: string, kernel: KernelFunction): string {
  const params = kernel.params.map((p, i) => `${p.name || `arg${i}`}: ${typeToString(p.type)}`).join(", ");
  return `fn ${name}(${params}) -> i32`;
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
