//! Calls of the kernel's BPF helpers, checked against their real prototypes however the
//! helper was declared (an `extern`, or by name for the built-in scalar ones):
//! - an `extern` naming a helper must match libbpf's C prototype in the number of
//!   parameters and in which of them (and the result) are pointers (E0476);
//! - each argument must be of the kind the verifier requires (kernel/bpf-helper-args.ts):
//!   no `null` where the helper needs memory or the context, no zero for a size that must
//!   be positive, no size larger than the local it describes, no map (KernelScript code
//!   cannot pass one: map syntax calls the helpers), no address of a local where the
//!   kernel expects one of its objects (a socket, a ring buffer record) (E0475).

import type * as ast from "../ast.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { ExternHelperProblem, HelperArgumentProblem } from "../diagnostics/catalog/safety.js";
import type { Signature } from "../diagnostics/catalog/wording.js";
import { helperArgKinds, helperPrototype } from "../kernel/bpf-helpers.js";
import type { HelperPrototype } from "../kernel/bpf-helper-prototypes.js";
import { programTypes } from "../kernel/program-types.js";
import { checkHelperOfProgramType } from "./cgroup-programs.js";
import type { Type } from "../types.js";
import { sizeOf, typeToString } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import type { FunctionInfo } from "./semantics.js";

/** Externs already reported as not matching their helper (their calls are not re-checked). */
const mismatched = new WeakMap<CheckContext, Set<string>>();

/** A KernelScript type for a C type of libbpf's prototypes, for the suggested declaration. */
function ksTypeOf(cType: string): string {
  const pointer = cType.endsWith("*");
  const base = cType.replace(/\*$/, "").replace(/\bconst\b/g, "").trim();
  const scalar: Record<string, string> = {
    __u8: "u8", __u16: "u16", __u32: "u32", __u64: "u64", __s32: "i32", __s64: "i64", int: "i32", long: "i64",
    "unsigned long": "u64", __wsum: "u32", __be16: "be16", __be32: "be32", char: "u8",
  };
  if (pointer) return base === "void" ? "*void" : base.startsWith("struct ") ? `*${base.slice("struct ".length)}` : `*${scalar[base] ?? "void"}`;
  return scalar[base] ?? "u64";
}

/** `extern NAME(params) -> T` as the helper's C prototype reads in KernelScript. */
function declarationOf(proto: HelperPrototype): Signature {
  const params = proto.params.map((p) => ({ name: p.name, type: ksTypeOf(p.type) }));
  return { keyword: "extern", name: proto.name, params, returns: proto.returns === "void" ? undefined : ksTypeOf(proto.returns) };
}

/** `const char *fmt`, `__u32 size`: a C parameter as written. */
function cDeclarationText(param: { readonly name: string; readonly type: string }): string {
  return param.type.endsWith("*") ? `${param.type}${param.name}` : `${param.type} ${param.name}`;
}

type Shape = "pointer" | "scalar" | "other";

function cShape(cType: string): Shape {
  return cType.trim().endsWith("*") ? "pointer" : "scalar";
}

function ksShape(type: Type): Shape | undefined {
  switch (type.kind) {
    case "pointer": case "function": case "null": return "pointer";
    case "int": case "bool": case "char": case "enum": case "intLiteral": return "scalar";
    case "error": return undefined;
    default: return "other";
  }
}

/** An `extern` naming a helper: its parameters and result against libbpf's prototype. */
export function checkHelperExtern(ctx: CheckContext, info: FunctionInfo): void {
  const proto = helperPrototype(info.name);
  if (!proto || info.decl.kind !== "ExternDecl") return;
  const decl = info.decl;
  const report = (problem: ExternHelperProblem, span: ast.Expr["span"]): void => {
    ctx.diags.report(safetyErrors.externHelperMismatch, span, info.name, problem, declarationOf(proto));
    let set = mismatched.get(ctx);
    if (!set) mismatched.set(ctx, (set = new Set()));
    set.add(info.name);
  };
  const fixed = proto.params.length;
  const count = info.params.length;
  // A variadic helper (bpf_trace_printk) takes up to three more values.
  if (count < fixed || count > fixed + (proto.variadic ? 3 : 0)) {
    report({ kind: "argumentCount", fixed, variadic: proto.variadic === true, declared: count }, decl.name.span);
    return;
  }
  for (let i = 0; i < fixed; i++) {
    const cParam = proto.params[i]!;
    const shape = ksShape(info.params[i]!.type);
    if (shape === undefined || shape === cShape(cParam.type)) continue;
    const helperTakes = cShape(cParam.type) === "pointer" ? "pointer" : "integer";
    report({ kind: "parameter", index: i + 1, name: info.params[i]!.name, type: typeToString(info.params[i]!.type), helperTakes, cParameter: cDeclarationText(cParam) },
      decl.params[i]!.span);
    return;
  }
  const result = info.returnType;
  if (result.kind !== "void" && proto.returns !== "void") {
    const shape = ksShape(result);
    if (shape !== undefined && shape !== cShape(proto.returns)) {
      report({ kind: "result", type: typeToString(result), helperReturns: proto.returns }, decl.returnType?.span ?? decl.name.span);
    }
  }
}

/** The structs programs receive as their context (`xdp_md`, `__sk_buff`, …). */
const contextStructs: ReadonlySet<string> = new Set(
  programTypes.flatMap((info) => (info.contextStruct ? [info.contextStruct] : [])),
);

function isContext(type: Type | undefined): boolean {
  return type?.kind === "pointer" && type.target.kind === "struct" && contextStructs.has(type.target.name);
}

function unwrapped(expr: ast.Expr): ast.Expr {
  let e = expr;
  while (e.kind === "ParenExpr" || e.kind === "CastExpr") e = e.expr;
  return e;
}

/** `&x`, `&x.f`, `&x[i]` of a local variable: its symbol's type, else undefined. */
function addressOfLocal(c: ExprChecker, expr: ast.Expr): { name: string; type: Type; whole: boolean } | undefined {
  const e = unwrapped(expr);
  if (e.kind !== "UnaryExpr" || e.op !== "&") return undefined;
  // `&x` and `&x.f` have the size of what they name; `&x.a[i]` reaches past its element.
  let target = e.operand;
  let whole = true;
  while (target.kind === "FieldExpr" || target.kind === "IndexExpr" || target.kind === "ParenExpr") {
    if (target.kind === "IndexExpr") whole = false;
    target = target.kind === "ParenExpr" ? target.expr : target.target;
  }
  if (target.kind !== "NameExpr") return undefined;
  const symbol = c.ctx.references.get(target);
  if (symbol?.kind !== "local") return undefined;
  // Through a pointer the address is not the stack's.
  if (e.operand !== target && c.ctx.exprTypes.get(target)?.kind === "pointer") return undefined;
  const type = c.ctx.exprTypes.get(e.operand);
  return type ? { name: symbol.name, type, whole } : undefined;
}

/** A call of helper `name` whose arguments were type-checked: their kinds, as the verifier sees them. */
export function checkHelperArguments(c: ExprChecker, expr: ast.CallExpr, name: string): void {
  const { ctx } = c;
  checkHelperOfProgramType(c, expr, name);
  const kinds = helperArgKinds(name);
  const proto = helperPrototype(name);
  if (!kinds || !proto || mismatched.get(ctx)?.has(name)) return;
  let previousLocal: { name: string; type: Type; whole: boolean } | undefined;
  expr.args.forEach((arg, i) => {
    const kind = kinds[i];
    const local = addressOfLocal(c, arg);
    const before = previousLocal;
    previousLocal = local;
    if (!kind) return;
    const param = proto.params[i]?.name ?? `arg${i + 1}`;
    const e = unwrapped(arg);
    const type = ctx.exprTypes.get(arg);
    if (type?.kind === "error") return;
    const isNull = e.kind === "NullLiteral" || type?.kind === "null";
    const report = (problem: HelperArgumentProblem): void =>
      ctx.diags.report(safetyErrors.helperArgumentKind, arg.span, name, i + 1, param, problem);
    switch (kind.kind) {
      case "anything": return;
      case "map":
        report({ kind: "map" });
        return;
      case "function":
        if (type?.kind !== "function") report({ kind: "notCallback" });
        return;
      case "size": {
        if (isNull || (type && ksShape(type) === "pointer")) {
          report({ kind: "sizeNotInteger" });
          return;
        }
        const value = constantInteger(ctx, e);
        if (value === undefined) return;
        if (value < 0n || (value === 0n && !kind.zeroAllowed)) {
          report({ kind: "sizeTooSmall", zeroAllowed: kind.zeroAllowed === true, value });
          return;
        }
        if (before?.whole && value > BigInt(sizeOf(before.type, ctx.tables))) {
          const bytes = sizeOf(before.type, ctx.tables);
          report({ kind: "sizeBeyondLocal", bytes, local: before.name, value });
        }
        return;
      }
      case "context":
        if (isNull && !kind.nullable) report({ kind: "contextNull" });
        else if (type && ksShape(type) === "scalar") report({ kind: "contextInteger" });
        else if (local) report({ kind: "contextLocal" });
        return;
      case "pointer":
        if (isNull && !kind.nullable) {
          report({ kind: "pointerNull", expected: kind.what, memory: kind.memory === true });
        } else if (!isNull && type && ksShape(type) === "scalar") {
          report({ kind: "pointerInteger", expected: kind.what });
        } else if (local && !kind.memory) {
          report({ kind: "pointerToLocal", expected: kind.what });
        } else if (kind.memory && isContext(ctx.exprTypes.get(e))) {
          report({ kind: "contextAsMemory", expected: kind.what });
        }
        return;
    }
  });
}
