//! Signatures of `@tp_btf("event")` programs (raw BTF tracepoints), checked against the
//! kernel's `btf_trace_<event>` prototype: the parameters are the tracepoint's
//! arguments in order (a program may take fewer), typed as the kernel passes them.
//! Without BTF (playground) only the return type and the argument limit are checked.
//! `@raw_tracepoint("event")` programs are checked against the same prototype, but take
//! every argument as an integer: without BTF typing the verifier sees scalars.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { ExpectedSignature, SignatureProblem } from "../diagnostics/catalog/types.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import type { ProgramTypeInfo } from "../kernel/program-types.js";
import type { CheckContext } from "./context.js";
import { compatibleArgument } from "./probe-signature.js";
import { closestName } from "../suggest.js";
import { noteUncheckedTarget, reportMissingTarget } from "./kernel-targets.js";

/** What BPF_PROG can unpack. */
const maxArguments = 12;

export function checkRawTracepointSignature(
  ctx: CheckContext,
  decl: ast.FunctionDecl,
  info: ProgramTypeInfo,
  params: readonly { readonly name: string; readonly type: Type }[],
  returnType: Type,
  event: string | undefined,
): void {
  if (event === undefined || !info.targetFormat?.pattern.test(event)) return;
  const kernel = ctx.kernelTypes.available ? ctx.kernelTypes.rawTracepoint(event) : undefined;
  const raw = info.arguments.kind === "traceEvent" && info.arguments.integers;
  const signature: ExpectedSignature = kernel
    ? {
      kind: "function", name: decl.name.name,
      params: kernel.params.map((p, i) => ({ name: p.name || `arg${i + 1}`, type: raw && p.type.kind !== "int" && p.type.kind !== "bool" ? "u64" : typeToString(p.type) })),
    }
    : { kind: "written", text: info.signature.replace("NAME", decl.name.name) };
  const report = (problem: SignatureProblem, span: Span): void =>
    ctx.diags.report(typeErrors.programSignature, span, info.attribute ?? info.programType, signature, problem);
  if (returnType.kind !== "error" && !(returnType.kind === "int" && returnType.bits === 32 && returnType.signed)) {
    report({ kind: "returnType", type: "i32", valueIgnoredBy: "tracepoint" }, decl.returnType?.span ?? decl.name.span);
  }
  const attribute = decl.attributes[0]!;
  const targetSpan = attribute.args?.[0]?.span ?? attribute.span;
  if (!ctx.kernelTypes.available) noteUncheckedTarget(ctx, targetSpan, `raw tracepoint \`${event}\``);
  else if (!kernel) {
    reportMissingTarget(ctx, "rawTracepoint", targetSpan, event, closestName(event, ctx.kernelTypes.rawTracepointNames()));
    return;
  }
  if (params.length > maxArguments) {
    report({ kind: "tooManyParameters", count: params.length, limit: maxArguments, reader: "rawTracepoint" }, decl.params[maxArguments]!.span);
    return;
  }
  if (raw) checkRawArguments(decl, params, kernel, report);
  if (!kernel) return;
  if (params.length > kernel.params.length) {
    report({ kind: "moreThanTheKernelPasses", target: event, passed: kernel.params.length, count: params.length, target_kind: "event" }, decl.params[kernel.params.length]!.span);
    return;
  }
  if (raw) return;
  params.forEach((param, i) => {
    const expected = kernel.params[i]!;
    if (param.type.kind !== "error" && !compatibleArgument(param.type, expected.type)) {
      report({ kind: "parameterType", index: i + 1, name: param.name, type: typeToString(param.type), passed: typeToString(expected.type), by: "tracepoint" },
        decl.params[i]!.type.span);
    }
  });
}

/** Raw tracepoint arguments: integers (a pointer arrives as its address); the verifier sees scalars. */
function checkRawArguments(
  decl: ast.FunctionDecl,
  params: readonly { readonly name: string; readonly type: Type }[],
  kernel: { readonly params: readonly { readonly type: Type }[] } | undefined,
  report: (problem: SignatureProblem, span: Span) => void,
): void {
  params.forEach((param, i) => {
    if (param.type.kind === "error" || param.type.kind === "int" || param.type.kind === "bool") return;
    const kernelType = kernel?.params[i] ? typeToString(kernel.params[i]!.type) : undefined;
    report({ kind: "rawTracepointParameter", index: i + 1, name: param.name, type: typeToString(param.type), kernelType }, decl.params[i]!.type.span);
  });
}
