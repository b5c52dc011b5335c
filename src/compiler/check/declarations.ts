//! Top-level declarations: splices includes in, then registers types (structs, enums,
//! aliases), maps, globals and functions in the file scope, so that bodies can be
//! checked afterwards in any order.

import { isSyscallTracepoint } from "../kernel/tracepoint-format.js";
import { checkSyscallRecord } from "./syscall-record.js";
import { testStructs } from "../kernel/testing.js";
import { checkTestSignature } from "./testing.js";
import { declareImpl } from "./struct-ops.js";
import { checkProbeFamilySignature } from "./probe-family.js";
import { checkProbeSignature } from "./probe-signature.js";
import { mapExtraOf, mapKindFlags } from "./map-kinds.js";
import { aggregationAttributes, aggregationOf } from "./aggregations.js";
import type { MapDisplay } from "../ir.js";
import { checkTracepointTarget } from "./kernel-targets.js";
import { checkMapLimits } from "./kernel-limits.js";
import { checkHelperExtern } from "./helper-calls.js";
import { checkRawTracepointSignature } from "./tp-btf.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { SignatureProblem } from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import { resolveRelative } from "../host.js";
import { builtinContextStructs, builtinEnums } from "../kernel/builtins.js";
import { mapExtraAttributes, mapFlagBits } from "../kernel/map-kinds.js";
import { perfEnums, perfStructs } from "../kernel/perf.js";
import { programTypeByAttribute, functionRoleAttributes } from "../kernel/program-types.js";
import { declarePacketBuiltins, isBuiltinHeader, reportHeaderRedefinition } from "./packets.js";
import { parse } from "../parse/parser.js";
import { makeSourceFile } from "../source.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { i32, typeToString, u32, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import { constantInteger } from "./constants.js";
import { resolveType } from "./resolve-types.js";
import { checkAliasNesting, checkStructNesting } from "./type-nesting.js";
import type { FunctionInfo, FunctionRole, Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { checkParameterLimit } from "./calls.js";
import { checkModuleSignature, isModuleFunction } from "./kmod.js";
import { checkArgsParameter, declareConfig, declareGlobalValue } from "./globals.js";

/** The declarations of `file` with every `include` replaced by the header's declarations. */
export function spliceIncludes(ctx: CheckContext, file: ast.SourceFileAst, seen = new Set<string>()): ast.Decl[] {
  seen.add(file.path);
  const out: ast.Decl[] = [];
  for (const decl of file.decls) {
    if (decl.kind !== "IncludeDecl") {
      out.push(decl);
      continue;
    }
    const spec = decl.path.value;
    if (!spec.endsWith(".kh")) {
      ctx.diags.report(nameErrors.includeNotHeader, decl.path.span, spec);
      continue;
    }
    const path = resolveRelative(file.path, spec);
    if (seen.has(path)) continue;
    const text = ctx.inputs.host.readFile(path);
    if (text === undefined) {
      ctx.diags.report(nameErrors.includeNotFound, decl.path.span, spec);
      continue;
    }
    const source = makeSourceFile(path, text);
    ctx.inputs.sources.set(path, source);
    const header = parse(source, ctx.diags);
    ctx.syntaxTrees.set(path, header);
    for (const headerDecl of spliceIncludes(ctx, header, seen)) {
      if (headerDecl.kind === "FunctionDecl" && headerDecl.body) {
        ctx.diags.report(nameErrors.headerHasFunctionBody, headerDecl.name.span, headerDecl.name.name);
        continue;
      }
      out.push(headerDecl);
    }
  }
  return out;
}

function declareGlobal(ctx: CheckContext, name: ast.Ident, symbol: Symbol): void {
  const previous = ctx.globalScope.own(name.name);
  if (previous) {
    const previousSpan = symbolSpan(previous);
    if (previousSpan) {
      ctx.diags.report(nameErrors.duplicateDefinition, name.span, name.name, previousSpan);
      return;
    }
  }
  ctx.globalScope.declare(name.name, symbol);
}

export function symbolSpan(symbol: Symbol): Span | undefined {
  switch (symbol.kind) {
    case "local": case "entry": return symbol.span;
    case "global": return symbol.info.decl.name.span;
    case "config": return symbol.info.decl.name.span;
    case "map": return symbol.info.decl.name.span;
    case "function": return symbol.info.decl.name.span;
    case "constant": return symbol.span;
  }
}

/** Registers the built-in kernel structs, enums and constants. */
export function declareBuiltins(ctx: CheckContext): void {
  for (const layout of builtinContextStructs) ctx.structs.set(layout.name, layout);
  for (const layout of perfStructs) ctx.structs.set(layout.name, layout);
  for (const layout of testStructs) ctx.structs.set(layout.name, layout);
  for (const layout of [...builtinEnums, ...perfEnums]) {
    ctx.enums.set(layout.name, layout);
    const type: Type = { kind: "enum", name: layout.name, origin: "kernel" };
    for (const constant of layout.constants) {
      ctx.globalScope.declare(constant.name, {
        kind: "constant", name: constant.name, value: constant.value, type, inC: layout.inVmlinux, span: undefined,
      });
    }
  }
  declarePacketBuiltins(ctx);
}

/** Registers every top-level declaration. Types first, so anything may refer to them. */
export function declareAll(ctx: CheckContext, decls: readonly ast.Decl[], headerDecls: ReadonlySet<ast.Decl>): void {
  // Pass 1: type names, so structs may refer to each other regardless of order.
  for (const decl of decls) {
    if (decl.kind === "StructDecl") {
      const fromHeader = headerDecls.has(decl);
      // Built-in context structs keep their layout (their packet pointers are special).
      if (fromHeader && builtinContextStructs.some((s) => s.name === decl.name.name)) continue;
      // So do the built-in packet headers (vmlinux.h defines them).
      if (isBuiltinHeader(decl.name.name)) {
        if (!fromHeader) reportHeaderRedefinition(ctx, decl.name);
        continue;
      }
      ctx.structs.set(decl.name.name, { name: decl.name.name, origin: fromHeader ? "kernel" : "user", fields: [] });
    } else if (decl.kind === "EnumDecl") {
      if (headerDecls.has(decl) && builtinEnums.some((e) => e.name === decl.name.name)) continue;
      ctx.enums.set(decl.name.name, { name: decl.name.name, origin: headerDecls.has(decl) ? "kernel" : "user", constants: [] });
    }
  }
  // Pass 2: layouts and aliases, in source order.
  for (const decl of decls) {
    switch (decl.kind) {
      case "StructDecl": declareStruct(ctx, decl); break;
      case "EnumDecl": declareEnum(ctx, decl, headerDecls.has(decl)); break;
      case "TypeAliasDecl": {
        const type = checkAliasNesting(ctx, decl, resolveType(ctx, decl.type));
        ctx.aliases.set(decl.name.name, type);
        if (!headerDecls.has(decl) && type.kind !== "error") ctx.typedefs.push({ name: decl.name.name, type });
        break;
      }
      default: break;
    }
  }
  // Struct cycles and depth; struct sizes, before anything asks for one.
  checkStructNesting(ctx);
  // Pass 3: maps, globals, functions.
  for (const decl of decls) {
    switch (decl.kind) {
      case "GlobalVarDecl": declareGlobalVar(ctx, decl); break;
      case "FunctionDecl": declareFunction(ctx, decl); break;
      case "ExternDecl": declareExtern(ctx, decl); break;
      case "ImportDecl": break; // check/imports.ts
      case "ConfigDecl": declareConfig(ctx, decl, (name, symbol) => declareGlobal(ctx, name, symbol)); break;
      case "ImplDecl":
        declareImpl(ctx, decl, (name, info) => {
          ctx.structOps.push(info);
          declareGlobal(ctx, name, { kind: "structOps", info });
        }, (info) => ctx.functions.push(info));
        break;
      case "IncludeDecl": case "LicenseDecl": case "StructDecl": case "EnumDecl": case "TypeAliasDecl": case "ErrorDecl": break;
    }
  }
}

function declareStruct(ctx: CheckContext, decl: ast.StructDecl): void {
  const existing = ctx.structs.get(decl.name.name);
  if (!existing || existing.fields.length > 0 || builtinContextStructs.includes(existing) || isBuiltinHeader(decl.name.name)) return;
  const seen = new Map<string, Span>();
  const fields: { name: string; type: Type }[] = [];
  for (const field of decl.fields) {
    const previous = seen.get(field.name.name);
    if (previous) ctx.diags.report(nameErrors.duplicateDefinition, field.name.span, field.name.name, previous);
    seen.set(field.name.name, field.name.span);
    fields.push({ name: field.name.name, type: resolveType(ctx, field.type) });
  }
  const layout = { name: decl.name.name, origin: existing.origin, fields };
  ctx.structDecls.set(decl.name.name, decl);
  ctx.structs.set(decl.name.name, layout);
  if (layout.origin === "user") ctx.userStructs.push(layout);
}

function declareEnum(ctx: CheckContext, decl: ast.EnumDecl, fromHeader: boolean): void {
  const layout = ctx.enums.get(decl.name.name);
  if (!layout || layout.constants.length > 0) return;
  const type: Type = { kind: "enum", name: decl.name.name, origin: layout.origin };
  const constants: { name: string; value: bigint }[] = [];
  let next = 0n;
  for (const variant of decl.variants) {
    const value = variant.value ? constantInteger(ctx, variant.value) : next;
    if (value === undefined) {
      ctx.diags.report(typeErrors.constNeedsLiteral, variant.value?.span ?? variant.span, variant.name.name);
      continue;
    }
    constants.push({ name: variant.name.name, value });
    declareGlobal(ctx, variant.name, {
      kind: "constant", name: variant.name.name, value, type, inC: true, span: variant.name.span,
    });
    next = value + 1n;
  }
  const full = { name: decl.name.name, origin: layout.origin, constants };
  ctx.enums.set(decl.name.name, full);
  if (!fromHeader) ctx.userEnums.push(full);
  else ctx.headerEnums.push(full.name);
}

function declareGlobalVar(ctx: CheckContext, decl: ast.GlobalVarDecl): void {
  const isMap = decl.type?.kind === "GenericType";
  if (!isMap) {
    declareGlobalValue(ctx, decl, (name, symbol) => declareGlobal(ctx, name, symbol));
    return;
  }
  const type = resolveType(ctx, decl.type!, true);
  let flags = 0;
  let extra: number | undefined;
  let display: MapDisplay | undefined;
  const flagIdents: ast.Ident[] = [];
  for (const attribute of decl.attributes) {
    if (mapExtraAttributes.includes(attribute.name.name)) {
      extra = mapExtraOf(ctx, type, attribute) ?? extra;
      continue;
    }
    if (aggregationAttributes.includes(attribute.name.name)) {
      display = aggregationOf(ctx, type, attribute, display);
      continue;
    }
    if (attribute.name.name !== "flags") {
      ctx.diags.report(nameErrors.unknownAttribute, attribute.name.span, attribute.name.name, closestName(attribute.name.name, ["flags", ...mapExtraAttributes, ...aggregationAttributes]));
      continue;
    }
    for (const flagName of flagNames(attribute.args ?? [])) {
      flagIdents.push(flagName);
      const bit = mapFlagBits.get(flagName.name);
      if (bit === undefined) {
        ctx.diags.report(typeErrors.unknownMapFlag, flagName.span, flagName.name, closestName(flagName.name, mapFlagBits.keys()));
      } else flags |= bit;
    }
  }
  if (decl.local) ctx.diags.report(codegenErrors.notSupportedYet, decl.span, { kind: "localMap" });
  if (type.kind !== "map") {
    if (type.kind !== "error") ctx.diags.report(nameErrors.mapUsedAsValue, decl.span, decl.name.name);
    return;
  }
  // C cannot name an array type without a declarator, and every map accessor returns
  // or takes its key/value by type name.
  if (type.key.kind === "array" || type.value.kind === "array") {
    ctx.diags.report(codegenErrors.notSupportedYet, decl.type!.span, { kind: "arrayInMap" });
  }
  flags = mapKindFlags(ctx, type, flags, flagIdents);
  checkMapLimits(ctx, decl, type);
  const info = { name: decl.name.name, decl, type, flags, pinned: decl.pin, ...(extra !== undefined ? { extra } : {}), ...(display !== undefined ? { display } : {}) };
  ctx.maps.push(info);
  declareGlobal(ctx, decl.name, { kind: "map", info });
}

/** The identifiers of `@flags(a | b)`. */
function flagNames(args: readonly ast.Expr[]): ast.Ident[] {
  const out: ast.Ident[] = [];
  const walk = (expr: ast.Expr): void => {
    if (expr.kind === "NameExpr") out.push(expr.name);
    else if (expr.kind === "BinaryExpr" && expr.op === "|") { walk(expr.left); walk(expr.right); }
    else if (expr.kind === "ParenExpr") walk(expr.expr);
    else if (expr.kind === "CallExpr" && expr.callee.kind === "NameExpr") out.push(expr.callee.name);
  };
  args.forEach(walk);
  return out;
}

export function roleOf(ctx: CheckContext, decl: ast.FunctionDecl): FunctionRole {
  const attribute = decl.attributes[0];
  if (!attribute) return { kind: "userspace" };
  const name = attribute.name.name;
  const info = programTypeByAttribute.get(name);
  if (info) {
    const arg = attribute.args?.[0];
    const target = arg?.kind === "StringLiteral" ? arg.value : undefined;
    if (info.argument === "required" && target === undefined) {
      ctx.diags.report(typeErrors.programAttributeArgument, attribute.span, name, { kind: "missing" }, info.argumentExample ?? `@${name}("target")`);
    } else if (info.targetChoices && !info.targetChoices.includes(target ?? "")) {
      ctx.diags.report(typeErrors.programAttributeArgument, arg?.span ?? attribute.span, name,
        { kind: "choices", choices: info.targetChoices }, info.argumentExample ?? `@${name}("${info.targetChoices[0]}")`);
    } else if (target !== undefined && info.targetFormat && !info.targetFormat.pattern.test(target)) {
      ctx.diags.report(typeErrors.programAttributeArgument, arg?.span ?? attribute.span, name,
        { kind: "targetFormat", target, shape: info.targetFormat.shape }, info.targetFormat.example);
    }
    return { kind: "program", info, target };
  }
  if (functionRoleAttributes.has(name)) {
    return name === "helper" ? { kind: "helper" } : name === "kfunc" ? { kind: "kfunc" } : name === "private" ? { kind: "private" } : { kind: "test" };
  }
  const known = [...programTypeByAttribute.keys(), ...functionRoleAttributes];
  ctx.diags.report(nameErrors.unknownAttribute, attribute.name.span, name, closestName(name, known));
  return { kind: "helper" };
}

function declareFunction(ctx: CheckContext, decl: ast.FunctionDecl): void {
  const role = roleOf(ctx, decl);
  if (decl.name.name === "main" && role.kind !== "userspace") {
    ctx.diags.report(nameErrors.mainWithAttribute, decl.attributes[0]!.span);
  }
  const params = decl.params.map((p) => ({ name: p.name.name, type: resolveType(ctx, p.type) }));
  // Without `->` a function returns nothing (a program without one is caught by the
  // signature check).
  const returnType = decl.returnType ? resolveType(ctx, decl.returnType) : voidType;
  if (returnType.kind === "array") {
    // A C function cannot return an array (only a pointer to one, which would dangle).
    ctx.diags.report(codegenErrors.notSupportedYet, decl.returnType!.span, { kind: "arrayResult" });
  }
  const info: FunctionInfo = { name: decl.name.name, decl, role, params, returnType, span: decl.span };
  if (decl.name.name === "main" && role.kind === "userspace") {
    const previous = ctx.functions.find((f) => f.name === "main");
    if (previous) {
      ctx.diags.report(nameErrors.duplicateMain, decl.name.span, previous.decl.name.span);
      return;
    }
  }
  ctx.functions.push(info);
  declareGlobal(ctx, decl.name, { kind: "function", info });
  if (role.kind === "program") checkProgramSignature(ctx, decl, role.info, params, returnType, role.target);
  checkParameterLimit(ctx, info);
  checkTestSignature(ctx, info);
  if (isModuleFunction(info)) checkModuleSignature(ctx, info);
  if (decl.name.name === "main" && role.kind === "userspace") checkMainSignature(ctx, decl, params, returnType);
}

function declareExtern(ctx: CheckContext, decl: ast.ExternDecl): void {
  const params = decl.params.map((p) => ({ name: p.name.name, type: resolveType(ctx, p.type) }));
  const returnType = decl.returnType ? resolveType(ctx, decl.returnType) : voidType;
  const info: FunctionInfo = { name: decl.name.name, decl, role: { kind: "extern" }, params, returnType, span: decl.span };
  ctx.functions.push(info);
  checkParameterLimit(ctx, info);
  checkHelperExtern(ctx, info);
  declareGlobal(ctx, decl.name, { kind: "function", info });
}

function checkProgramSignature(
  ctx: CheckContext,
  decl: ast.FunctionDecl,
  info: import("../kernel/program-types.js").ProgramTypeInfo,
  params: readonly { name: string; type: Type }[],
  returnType: Type,
  target: string | undefined,
): void {
  switch (info.arguments.kind) {
    case "traceEvent": checkRawTracepointSignature(ctx, decl, info, params, returnType, target); return;
    case "kernelFunction": checkProbeSignature(ctx, decl, info, params, returnType, target); return;
    case "method": return;
    case "syscall": case "userFunction": case "usdtArguments": case "returnValue":
      checkProbeFamilySignature(ctx, decl, info, params, returnType, target); return;
    case "context": break;
  }
  // A target-dependent context is an event the kernel must have (tracepoints).
  if (info.contextForTarget && target !== undefined && info.targetFormat?.pattern.test(target)) {
    const attribute = decl.attributes[0]!;
    checkTracepointTarget(ctx, attribute.args?.[0]?.span ?? attribute.span, target);
  }
  const contextStruct = info.contextStruct ?? contextForTarget(ctx, info, target);
  if (!contextStruct && !info.contextForTarget) return;
  // The signature to show is only written out for a report (most programs have none).
  const report = (problem: SignatureProblem, span: Span): void => {
    // The context struct the target has (`syscalls/sys_enter_*` share `trace_event_raw_sys_enter`).
    const signature = info.signature.replace("NAME", decl.name.name)
      .replace(/\w*EVENT\w*/, (word) => contextStruct ?? word.replace("EVENT", target?.slice(target.indexOf("/") + 1) ?? "EVENT"));
    ctx.diags.report(typeErrors.programSignature, span, info.attribute ?? info.programType, { kind: "written", text: signature }, problem);
  };
  const param = params[0];
  if (params.length !== 1 || !param) {
    report({ kind: "contextCount", count: params.length }, decl.name.span);
  } else if (target !== undefined && isSyscallTracepoint(target) && param.type.kind === "pointer" &&
    param.type.target.kind === "struct" && param.type.target.origin === "user") {
    // A struct of the program's own, laid out like the record, names the real arguments.
    const layout = ctx.structs.get(param.type.target.name);
    if (layout) checkSyscallRecord(ctx, layout, target, decl.params[0]!.type.span);
  } else if (param.type.kind !== "error" && !(param.type.kind === "pointer" && param.type.target.kind === "struct" &&
    (contextStruct === undefined || param.type.target.name === contextStruct))) {
    report({ kind: "contextType", struct: contextStruct }, decl.params[0]!.type.span);
  }
  // An enum result may also be written as its integer; an integer result as `i32`, as
  // the row's integer type, or as the enum naming its values (`tc_action`).
  const expected = info.returnType;
  const returnOk = returnType.kind === "error" ||
    (expected.kind === "enum" ? (returnType.kind === "enum" && returnType.name === expected.name) || sameInt(returnType, u32) || sameInt(returnType, i32)
      : sameInt(returnType, i32) || sameInt(returnType, expected) || (returnType.kind === "enum" && returnType.name === info.resultEnum));
  if (!returnOk) report({ kind: "returnType", type: expected.kind === "enum" ? expected.name : typeToString(expected) }, decl.returnType?.span ?? decl.name.span);
}

/**
 * The context struct a target-dependent program type expects, when the kernel's BTF
 * confirms it exists (without BTF, or for an event the kernel does not describe, any
 * struct pointer is accepted and clang checks the field names against vmlinux.h).
 */
function contextForTarget(ctx: CheckContext, info: import("../kernel/program-types.js").ProgramTypeInfo, target: string | undefined): string | undefined {
  if (!info.contextForTarget || target === undefined || !info.targetFormat?.pattern.test(target)) return undefined;
  const expected = info.contextForTarget(target);
  return ctx.kernelTypes.struct(expected) ? expected : undefined;
}

function sameInt(a: Type, b: Type): boolean {
  return a.kind === "int" && b.kind === "int" && a.bits === b.bits && a.signed === b.signed;
}

function checkMainSignature(ctx: CheckContext, decl: ast.FunctionDecl, params: readonly { type: Type }[], returnType: Type): void {
  if (!sameInt(returnType, i32) && returnType.kind !== "error") {
    ctx.diags.report(typeErrors.mainSignature, decl.returnType?.span ?? decl.name.span, "returnType");
  }
  checkArgsParameter(ctx, decl, params);
}

