//! struct_ops types this kernel's BTF lacks (`sched_ext_ops` on a kernel built without
//! CONFIG_SCHED_CLASS_EXT). Their members then come from a `struct X { … }` declared in
//! an included `.kh` (as `kernelscript init X` writes on a kernel that has it), with
//! `fn(...) -> T` members for the methods. When BTF has the type too, BTF wins and the
//! declaration is checked against it.
//!
//! The kernel types such a program needs beyond what vmlinux.h has (the ops struct, the
//! header structs and enums BTF lacks) and the kfuncs BTF lacks are collected here into
//! `KernelCompat`; the emitter writes the types inside `#ifndef KS_HAVE_<OPS>`, which
//! the generated Makefile defines when the vmlinux.h it built has the ops struct.

import type * as ast from "../ast.js";
import type { KernelCompat } from "../ir.js";
import { forEachChild } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { OpsMember } from "../kernel/kernel-types.js";
import { legacyHelperNames } from "../kernel/bpf-helpers.js";
import type { EnumLayout, StructLayout, Type } from "../types.js";
import { sameType, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import type { FunctionInfo, StructOpsInfo } from "./semantics.js";
import { closestName } from "../suggest.js";


/** A declared struct_ops type: its members as the checker uses them, and its declaration. */
export interface DeclaredOps {
  readonly decl: ast.StructDecl;
  readonly members: readonly OpsMember[];
}

/**
 * The struct_ops type `opsType` as declared in the program's headers, or undefined.
 * A declaration in the `.ks` file itself is E0284 (it would be emitted as a program
 * type in the shared header, colliding with vmlinux.h on kernels that have it).
 */
export function declaredOps(ctx: CheckContext, opsType: string, useSpan: import("../source.js").Span): DeclaredOps | undefined {
  const decl = ctx.structDecls.get(opsType);
  const layout = ctx.structs.get(opsType);
  if (!decl || !layout) return undefined;
  if (layout.origin === "user") {
    ctx.diags.report(nameErrors.kernelTypeDeclaredInProgram, decl.name.span, opsType);
    void useSpan;
    return undefined;
  }
  const members = decl.fields.map((field): OpsMember => {
    const type = layout.fields.find((f) => f.name === field.name.name)?.type ?? { kind: "error" };
    if (type.kind === "function" && field.type.kind === "FunctionType") {
      const written = field.type.params;
      return {
        kind: "method",
        name: field.name.name,
        params: type.params.map((t, i) => ({ name: written[i]?.name?.name ?? "", type: t })),
        returnType: type.returnType,
      };
    }
    return { kind: "field", name: field.name.name, type };
  });
  return { decl, members };
}

/**
 * BTF wins: each member the declaration lists is compared with BTF's by name; one that
 * BTF lacks (W0250) or types differently (W0251) is reported, and BTF's layout is used.
 */
export function checkDeclarationAgainstBtf(ctx: CheckContext, opsType: string, declared: DeclaredOps, btf: readonly OpsMember[]): void {
  const names = btf.map((m) => m.name);
  for (const member of declared.members) {
    const field = declared.decl.fields.find((f) => f.name.name === member.name)!;
    const kernel = btf.find((m) => m.name === member.name);
    if (!kernel) {
      ctx.diags.report(nameErrors.declaredOpsMemberNotInKernel, field.name.span, opsType, member.name, closestName(member.name, names));
      continue;
    }
    const declaredType = memberType(member);
    const kernelType = memberType(kernel);
    if (declaredType.kind === "error") continue;
    // Upstream-style headers declare methods and kernel pointers as untyped `*u8`:
    // a pointer for a pointer (or a method's function pointer) has the same layout.
    const kernelIsPointer = kernel.kind === "method" || kernelType.kind === "pointer";
    const untypedPointer = kernelIsPointer && declaredType.kind === "pointer";
    if (!untypedPointer && !sameType(declaredType, kernelType)) {
      ctx.diags.report(nameErrors.declaredOpsMemberMismatch, field.type.span, opsType, member.name, typeToString(declaredType), typeToString(kernelType));
    }
  }
}

function memberType(member: OpsMember): Type {
  return member.kind === "method"
    ? { kind: "function", params: member.params.map((p) => p.type), returnType: member.returnType }
    : member.type;
}

/**
 * What the eBPF C must declare itself for impls of struct_ops types BTF lacks; undefined
 * when there are none. Reports E0525 (two such types) and E0526 (opaque struct by value).
 */
export function kernelCompat(ctx: CheckContext, headerEnums: readonly string[]): KernelCompat | undefined {
  const compatImpls = ctx.structOps.filter((impl) => impl.compat);
  const first = compatImpls[0];
  if (!first) return undefined;
  const other = compatImpls.find((impl) => impl.opsType !== first.opsType);
  if (other) {
    const attribute = other.decl.attributes[0];
    ctx.diags.report(codegenErrors.twoCompatOpsTypes, attribute?.span ?? other.decl.name.span, first.opsType, other.opsType);
    return undefined;
  }
  const structs: StructLayout[] = [];
  for (const [name, decl] of ctx.structDecls) {
    const layout = ctx.structs.get(name);
    if (!layout || layout.origin !== "kernel" || ctx.kernelTypes.struct(name)) continue;
    structs.push(name === first.opsType ? implTypedLayout(layout, first) : layout);
    for (const field of layout.fields) {
      const target = field.type.kind === "array" ? field.type.element : field.type;
      if (target.kind !== "struct") continue;
      const inner = ctx.structs.get(target.name);
      if (inner && inner.origin === "kernel" && inner.fields.length === 0 && !ctx.kernelTypes.struct(target.name)) {
        const span = decl.fields.find((f) => f.name.name === field.name)?.type.span ?? decl.name.span;
        ctx.diags.report(codegenErrors.opaqueKernelStructByValue, span, name, field.name, target.name);
      }
    }
  }
  const enums = headerEnums
    .map((name) => ctx.enums.get(name))
    .filter((layout): layout is EnumLayout => layout !== undefined && layout.origin === "kernel" && !ctx.kernelTypes.enum(layout.name));
  return { opsType: first.opsType, structs, enums };
}

/**
 * The ops struct as the C must declare it: members the declaration left untyped (W0253:
 * `*u8`/`u32` method slots, `name: u32`) take the impl's types — function pointers
 * with the method's prototype (libbpf accepts a program only in a function-pointer
 * member) and the kernel's `char` array for `name`.
 */
function implTypedLayout(layout: StructLayout, impl: StructOpsInfo): StructLayout {
  const fields = layout.fields.map((field) => {
    const method = impl.methods.find((m) => m.member === field.name);
    if (method && field.type.kind !== "function") {
      return { ...field, type: { kind: "function" as const, params: method.function.params.map((p) => p.type), returnType: method.function.returnType } };
    }
    const value = impl.fields.find((f) => f.name === field.name);
    return value && !sameType(value.type, field.type) ? { ...field, type: value.type } : field;
  });
  return { ...layout, fields };
}

/** Whether `fn` is an `extern` kfunc the kernel's BTF lacks (declared `__ksym __weak`). */
export function isMissingKfunc(ctx: CheckContext, fn: FunctionInfo): boolean {
  return fn.role.kind === "extern" && !legacyHelperNames.has(fn.name) && ctx.kernelTypes.available && !ctx.kernelTypes.function(fn.name);
}

/**
 * W0236: eBPF code outside the impl of a struct_ops type BTF lacks calls a kfunc BTF
 * lacks: that program will be refused on this kernel.
 */
export function reportMissingKfuncCalls(ctx: CheckContext): void {
  // Only a program declaring kfuncs makes the kernel's BTF be read here.
  const kfuncs = ctx.functions.some((fn) => fn.role.kind === "extern" && !legacyHelperNames.has(fn.name));
  if (!kfuncs || !ctx.kernelTypes.available) return;
  const expected = new Set(ctx.structOps.filter((impl) => impl.compat).flatMap((impl) => impl.methods.map((m) => m.function)));
  for (const fn of ctx.functions) {
    if (fn.role.kind === "extern" || fn.role.kind === "userspace" || expected.has(fn) || fn.decl.kind !== "FunctionDecl") continue;
    const visit = (node: ast.Node): void => {
      if (node.kind === "NameExpr") {
        const symbol = ctx.references.get(node);
        if (symbol?.kind === "function" && isMissingKfunc(ctx, symbol.info)) {
          ctx.diags.report(nameErrors.kfuncMissingFromKernel, node.span, symbol.info.name, fn.decl.name.name);
        }
      }
      forEachChild(node, visit);
    };
    visit(fn.decl);
  }
}
