//! struct_ops `impl` blocks: `@struct_ops("tcp_congestion_ops") impl my_cc { fn … name: "x", }`.
//! Each method fills a function-pointer member of the kernel struct and is checked
//! against that member's prototype from the kernel's BTF (upstream checks only against
//! hand-written declarations); data members take literals of the member's type; the
//! members the kernel insists on (for `tcp_congestion_ops`: `ssthresh`, `undo_cwnd`,
//! `cong_avoid` or `cong_control`) must be there, or registration would fail with
//! EINVAL at run time. `name` defaults to the impl's name (cut to the kernel's array,
//! W0252), as in the reference implementation. Methods call each other by their member
//! names (`implScopeOf`). Without the type's BTF, members a reference-style header
//! leaves untyped (`*u8`/`u32` method slots, `name: u32`) take the impl's prototypes and
//! the kernel's name size (W0253).

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { StructOpsProblem } from "../diagnostics/catalog/types-kernel-interfaces.js";
import type { Signature } from "../diagnostics/catalog/wording.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import { checkDeclarationAgainstBtf, declaredOps } from "./struct-ops-compat.js";
import type { Type } from "../types.js";
import { charType, typeToString, voidType } from "../types.js";
import { opsNameSizes, requiredOpsMembers } from "../kernel/struct-ops.js";
import type { OpsMember } from "../kernel/kernel-types.js";
import type { CheckContext } from "./context.js";
import type { FunctionInfo, StructOpsInfo } from "./semantics.js";
import { resolveType } from "./resolve-types.js";
import { closestName } from "../suggest.js";
import { compatibleArgument } from "./probe-signature.js";
import { structOpsMethodBody } from "../names.js";
import type { Scope } from "./scope.js";

export function declareImpl(ctx: CheckContext, decl: ast.ImplDecl, declareName: (name: ast.Ident, info: StructOpsInfo) => void,
  declareMethod: (info: FunctionInfo) => void): void {
  const attribute = decl.attributes[0];
  const arg = attribute?.args?.[0];
  if (!attribute || attribute.name.name !== "struct_ops" || arg?.kind !== "StringLiteral") {
    ctx.diags.report(typeErrors.programAttributeArgument, attribute?.span ?? decl.name.span, "struct_ops",
      { kind: "implWithoutStruct" }, '@struct_ops("tcp_congestion_ops")');
    return;
  }
  const opsType = arg.value;
  const btfMembers = ctx.kernelTypes.opsMembers(opsType);
  const declared = declaredOps(ctx, opsType, arg.span);
  if (btfMembers && declared) checkDeclarationAgainstBtf(ctx, opsType, declared, btfMembers);
  const members = btfMembers ?? declared?.members;
  // Without any BTF (playground) a declared type is compat too: the guard keeps the C right either way.
  const compat = !btfMembers && declared !== undefined;
  if (ctx.kernelTypes.available && !members) {
    if (!ctx.structDecls.has(opsType)) {
      const known = [...ctx.structDecls.keys(), "tcp_congestion_ops", "sched_ext_ops"];
      ctx.diags.report(nameErrors.unknownStructOpsType, arg.span, opsType, closestName(opsType, known.filter((n) => n !== opsType)));
    }
    return;
  }
  const methods: { member: string; function: FunctionInfo }[] = [];
  const fields: { name: string; value: ast.Expr; type: Type }[] = [];
  const memberNames = members?.map((m) => m.name) ?? [];
  // Without BTF: members the declaration does not type, filled as written (W0253).
  const untyped: { member: string; declared: string }[] = [];
  for (const item of decl.items) {
    const name = item.name.name;
    const member = members?.find((m) => m.name === name);
    if (members && !member) {
      const suggestion = closestName(name, memberNames);
      ctx.diags.report(typeErrors.structOpsMember, item.name.span, opsType, { kind: "noMember", name, suggestion });
      continue;
    }
    if (item.kind === "FunctionDecl") {
      const info = checkMethod(ctx, decl, item, opsType, member, btfMembers === undefined);
      if (info && member?.kind === "field") untyped.push({ member: name, declared: typeToString(member.type) });
      if (info) {
        methods.push({ member: name, function: info });
        declareMethod(info);
      }
    } else {
      if (member?.kind === "method") {
        ctx.diags.report(typeErrors.structOpsMember, item.name.span, opsType, { kind: "methodAsField", name });
        continue;
      }
      let type = member?.type ?? voidType;
      const nameSize = opsNameSizes.get(opsType);
      if (!btfMembers && name === "name" && item.value.kind === "StringLiteral" && charArrayLength(type) === undefined && nameSize) {
        untyped.push({ member: name, declared: `${typeToString(type)}\`, taken as the kernel's \`char[${nameSize}]` });
        type = { kind: "array", element: charType, length: nameSize };
      }
      if (checkFieldValue(ctx, opsType, name, item.value, type)) fields.push({ name, value: item.value, type });
    }
  }
  // Counted by what is written, so a member with its own error is not reported missing too.
  const given = decl.items.map((item) => item.name.name);
  const defaultName = given.includes("name") ? undefined : implNameDefault(ctx, decl, opsType, members, btfMembers === undefined);
  if (defaultName) {
    fields.push(defaultName);
    given.push("name");
  }
  if (untyped.length > 0) {
    const byDeclared = new Map<string, string[]>();
    for (const u of untyped) byDeclared.set(u.declared, [...(byDeclared.get(u.declared) ?? []), `\`${u.member}\``]);
    const listed = [...byDeclared].map(([declared, names]) => `${names.join(", ")} (\`${declared}\`)`).join("; ");
    ctx.diags.report(nameErrors.declaredOpsUntypedMembers, decl.name.span, decl.name.name, opsType, listed);
  }
  for (const alternatives of requiredOpsMembers.get(opsType) ?? []) {
    if (!alternatives.some((a) => given.includes(a))) {
      const first = members?.find((m) => m.name === alternatives[0]);
      ctx.diags.report(typeErrors.structOpsMember, decl.name.span, opsType, {
        kind: "missingRequired", impl: decl.name.name, alternatives,
        ...(first?.kind === "method" ? { method: methodSignature(first, []) } : first ? { field: first.name } : {}),
      });
    }
  }
  declareName(decl.name, { name: decl.name.name, decl, opsType, methods, fields, compat });
}

/** The length of a `char[N]`/`u8[N]` member type, else undefined. */
function charArrayLength(type: Type): number | undefined {
  return type.kind === "array" && (type.element.kind === "char" || (type.element.kind === "int" && type.element.bits === 8)) ? type.length : undefined;
}

/**
 * `name` not written: the impl's name, as the reference implementation registers it,
 * cut to what the kernel's `char` array holds (W0252 says so). The size comes from BTF,
 * a declaration typing `name` as a char array, or (declarations that do not)
 * the kernel table `opsNameSizes`. Undefined when the type has no `name`.
 */
function implNameDefault(ctx: CheckContext, impl: ast.ImplDecl, opsType: string, members: readonly OpsMember[] | undefined,
  fromDeclaration: boolean): { name: string; value: ast.Expr; type: Type } | undefined {
  const member = members?.find((m) => m.name === "name");
  if (member?.kind !== "field") return undefined;
  const size = charArrayLength(member.type) ?? (fromDeclaration ? opsNameSizes.get(opsType) : undefined);
  if (size === undefined || size < 2) return undefined;
  // Impl names are identifiers: ASCII, one byte per character.
  const registered = impl.name.name.slice(0, size - 1);
  if (registered !== impl.name.name) {
    ctx.diags.report(nameErrors.implNameTruncated, impl.name.span, impl.name.name, opsType, registered, size - 1);
  }
  const value: ast.StringLiteral = { kind: "StringLiteral", value: registered, span: impl.name.span };
  return { name: "name", value, type: { kind: "array", element: charType, length: size } };
}

function checkMethod(ctx: CheckContext, impl: ast.ImplDecl, fn: ast.FunctionDecl, opsType: string, member: OpsMember | undefined,
  fromDeclaration: boolean): FunctionInfo | undefined {
  const params = fn.params.map((p) => ({ name: p.name.name, type: resolveType(ctx, p.type) }));
  const returnType = fn.returnType ? resolveType(ctx, fn.returnType) : voidType;
  // A declaration without BTF that leaves the member untyped (`*u8`, or `u32` where the
  // reference's generator could not resolve it): the impl's prototype is the method's.
  if (member?.kind === "field" && !(fromDeclaration && (member.type.kind === "pointer" || member.type.kind === "int"))) {
    ctx.diags.report(typeErrors.structOpsMember, fn.name.span, opsType, { kind: "fieldAsMethod", member: member.name, type: typeToString(member.type) });
    return undefined;
  }
  if (member?.kind === "method") {
    const expected = methodSignature(member, params.map((p) => p.name));
    const report = (problem: StructOpsProblem, span: import("../source.js").Span): void =>
      ctx.diags.report(typeErrors.structOpsMember, span, opsType, problem);
    if (params.length !== member.params.length) {
      report({ kind: "parameterCount", member: member.name, expected: member.params.length, count: params.length, signature: expected }, fn.name.span);
      return undefined;
    }
    for (let i = 0; i < params.length; i++) {
      const param = params[i]!;
      if (param.type.kind !== "error" && !compatibleArgument(param.type, member.params[i]!.type)) {
        report({
          kind: "parameterType", member: member.name, index: i + 1, name: param.name, type: typeToString(param.type),
          passed: typeToString(member.params[i]!.type), signature: expected,
        }, fn.params[i]!.type.span);
        return undefined;
      }
    }
    const returnMatches = member.returnType.kind === "void" ? returnType.kind === "void" : compatibleArgument(returnType, member.returnType);
    if (returnType.kind !== "error" && !returnMatches) {
      report({ kind: "returnType", member: member.name, expected: typeToString(member.returnType), found: typeToString(returnType), signature: expected },
        fn.returnType?.span ?? fn.name.span);
      return undefined;
    }
  }
  return {
    name: structOpsMethodBody(impl.name.name, fn.name.name),
    decl: fn,
    role: { kind: "helper" },
    params,
    returnType,
    span: fn.span,
  };
}

/** `fn name(sk: *sock) -> u32`, naming parameters as the user did where BTF has no names. */
function methodSignature(member: Extract<OpsMember, { kind: "method" }>, userNames: readonly string[]): Signature {
  const fallback = (type: Type, i: number): string =>
    type.kind === "pointer" && type.target.kind === "struct" && type.target.name === "sock" ? "sk" : `arg${i}`;
  const params = member.params.map((p, i) => ({ name: p.name || userNames[i] || fallback(p.type, i), type: typeToString(p.type) }));
  return { keyword: "fn", name: member.name, params, returns: typeToString(member.returnType) };
}

/**
 * Data members are written into the `.struct_ops` section at compile time, so they
 * take literals: a string for a `char[N]` (with room for its NUL), an integer or bool
 * for an integer member.
 */
function checkFieldValue(ctx: CheckContext, opsType: string, name: string, value: ast.Expr, type: Type): boolean {
  const report = (problem: StructOpsProblem): false => {
    ctx.diags.report(typeErrors.structOpsMember, value.span, opsType, problem);
    return false;
  };
  if (type.kind === "array" && (type.element.kind === "char" || (type.element.kind === "int" && type.element.bits === 8))) {
    if (value.kind !== "StringLiteral") return report({ kind: "fieldNeedsString", name, type: typeToString(type) });
    const length = new TextEncoder().encode(value.value).length;
    if (length >= type.length) {
      return report({ kind: "fieldTooLong", name, max: type.length - 1, value: value.value, length });
    }
    return true;
  }
  if (type.kind === "int" || type.kind === "bool" || type.kind === "enum") {
    if (value.kind === "IntLiteral" || value.kind === "BoolLiteral") return true;
    return report({ kind: "fieldNeedsInteger", name });
  }
  return report({ kind: "fieldNotSettable", name, type: typeToString(type) });
}

/**
 * The scope a method body of an impl block sees: the file's globals plus the impl's own
 * methods by their member names, so `return ssthresh(sk)` inside the impl calls the
 * impl's `ssthresh` (the reference implementation allows it; the C is a call to the
 * method's body). Undefined for functions that are not impl methods.
 */
export function implScopeOf(ctx: CheckContext, info: FunctionInfo): Scope | undefined {
  const impl = ctx.structOps.find((i) => i.methods.some((m) => m.function === info));
  if (!impl) return undefined;
  const scope = ctx.globalScope.child();
  for (const method of impl.methods) scope.declare(method.member, { kind: "function", info: method.function });
  return scope;
}
