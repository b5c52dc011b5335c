//! Global variables (`var g`, `local var g`, `pin var g`), `config` blocks and the
//! command-line argument struct of `main`: their declarations, their constant initial
//! values, and the rules about where they may be used.
//!
//! - A global's initial value is a constant (`ConstValue`): it is written into the eBPF
//!   object (shared and local globals) or by the loader (pinned globals).
//! - Without a declared type the initializer decides it (D8): an integer literal is
//!   `u32` (`i32` when negative, wider when it does not fit), `true`/`false` `bool`, a
//!   char `char`, an array literal `T[n]` of its first element's type.
//! - `local var` is kernel-only: user-space code using it is an error (E0223).
//! - Config fields are read everywhere and written only in user space (E0366).

import { constantOwnerName, type ConstantOwner, type ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { boolType, charType, errorType, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import { checkAssignable, defaultLiteralType } from "./conversions.js";
import { constantInteger } from "./constants.js";
import type { ExprChecker } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import type { ConfigInfo, ConstValue, GlobalInfo, Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { truncateUtf8 } from "./strings.js";
import { argsOptionKind, argsPositionalField } from "../kernel/args-options.js";

interface Typed {
  readonly type: Type;
  readonly value: ConstValue;
}

/** Registers a non-map global: `[pin] [local] var name [: T] [= constant]`. */
export function declareGlobalValue(ctx: CheckContext, decl: ast.GlobalVarDecl, declare: (name: ast.Ident, symbol: Symbol) => void): void {
  const name = decl.name.name;
  for (const attribute of decl.attributes) {
    ctx.diags.report(nameErrors.unknownAttribute, attribute.name.span, attribute.name.name, undefined);
  }
  if (decl.pin && decl.local) ctx.diags.report(nameErrors.pinnedLocalGlobal, decl.name.span, name);
  const declared = decl.type ? resolveType(ctx, decl.type) : undefined;
  let type: Type = declared ?? errorType;
  let init: ConstValue | undefined;
  const what: ConstantOwner = { kind: "global", name, fields: [] };
  if (decl.init) {
    const typed = constValue(ctx, decl.init, declared, what);
    if (typed) {
      init = typed.value;
      if (!declared) type = typed.type;
    }
  } else if (!declared) {
    ctx.diags.report(typeErrors.declarationNeedsTypeOrValue, decl.name.span, name);
  }
  if (type.kind !== "error" && !checkStorable(ctx, type, decl.type?.span ?? decl.init?.span ?? decl.name.span, name)) type = errorType;
  const info: GlobalInfo = { name, decl, type, init };
  ctx.globals.push(info);
  declare(decl.name, { kind: "global", info });
}

/** Whether globals of `type` can live in a data section; reports E0368 / E0501 if not. */
function checkStorable(ctx: CheckContext, type: Type, span: Span, name: string): boolean {
  const problem = unstorable(ctx, type, new Set());
  if (!problem) return true;
  if (problem.kind === "str") ctx.diags.report(codegenErrors.notSupportedYet, span, { kind: "stringGlobal" });
  else ctx.diags.report(typeErrors.unsupportedGlobalType, span, name, typeToString(type));
  return false;
}

function unstorable(ctx: CheckContext, type: Type, seen: Set<string>): Type | undefined {
  switch (type.kind) {
    case "int": case "bool": case "char": case "enum": case "error": case "str": return undefined;
    case "array": return unstorable(ctx, type.element, seen);
    case "struct": {
      if (type.origin !== "user") return type;
      if (seen.has(type.name)) return undefined;
      seen.add(type.name);
      for (const field of ctx.structs.get(type.name)?.fields ?? []) {
        const problem = unstorable(ctx, field.type, seen);
        if (problem) return problem;
      }
      return undefined;
    }
    default: return type;
  }
}

/** Registers `config NAME { field: T [= constant], … }`. */
export function declareConfig(ctx: CheckContext, decl: ast.ConfigDecl, declare: (name: ast.Ident, symbol: Symbol) => void): void {
  const seen = new Map<string, Span>();
  const fields: ConfigInfo["fields"][number][] = [];
  for (const field of decl.fields) {
    const previous = seen.get(field.name.name);
    if (previous) ctx.diags.report(nameErrors.duplicateDefinition, field.name.span, field.name.name, previous);
    seen.set(field.name.name, field.name.span);
    let type = resolveType(ctx, field.type);
    if (type.kind !== "error" && !isConfigFieldType(type)) {
      ctx.diags.report(typeErrors.unsupportedConfigFieldType, field.type.span, field.name.name, typeToString(type));
      type = errorType;
    }
    const typed = field.default && type.kind !== "error"
      ? constValue(ctx, field.default, type, { kind: "configField", config: decl.name.name, field: field.name.name, fields: [] })
      : undefined;
    fields.push({ name: field.name.name, type, default: typed?.value, span: field.span });
  }
  const info: ConfigInfo = { name: decl.name.name, decl, fields };
  ctx.configs.push(info);
  declare(decl.name, { kind: "config", info });
}

function isConfigFieldType(type: Type): boolean {
  switch (type.kind) {
    case "int": case "bool": case "char": case "enum": return true;
    case "array": return type.element.kind !== "array" && isConfigFieldType(type.element);
    default: return false;
  }
}

/**
 * Checks a constant initializer against `expected` (or infers its type) and returns its
 * value; reports and returns undefined when it is not a constant or does not fit.
 */
export function constValue(ctx: CheckContext, expr: ast.Expr, expected: Type | undefined, what: ConstantOwner): Typed | undefined {
  const context: ValueContext = { kind: "initialValue", of: what };
  switch (expr.kind) {
    case "ParenExpr": return constValue(ctx, expr.expr, expected, what);
    case "BoolLiteral":
      if (expected && !checkAssignable(ctx, expr, boolType, expected, context)) return undefined;
      return { type: boolType, value: { kind: "bool", value: expr.value } };
    case "ArrayLiteral": return constArray(ctx, expr, expected, what);
    case "StructLiteral": return constStruct(ctx, expr, expected, what);
    case "StringLiteral": return constString(ctx, expr, expected, context);
    case "NullLiteral":
      ctx.diags.report(typeErrors.unsupportedGlobalType, expr.span, constantOwnerName(what), "null");
      return undefined;
    default: break;
  }
  const value = constantInteger(ctx, expr);
  if (value === undefined) {
    ctx.diags.report(typeErrors.globalInitNotConstant, expr.span, what);
    return undefined;
  }
  if (expr.kind === "CharLiteral" && (!expected || expected.kind === "char")) {
    return { type: charType, value: { kind: "int", value } };
  }
  if (expected) {
    if (!checkAssignable(ctx, expr, { kind: "intLiteral", value }, expected, context)) return undefined;
    return { type: expected, value: { kind: "int", value } };
  }
  return { type: defaultLiteralType(value), value: { kind: "int", value } };
}

/**
 * A string's initial value: the `str(N)` struct's bytes (`{ .data = { … } }`), cut to the
 * capacity at a UTF-8 boundary as any stored literal is (W0264); the rest is zero. In a
 * byte array (`u8[N]`, `char[N]`) the bytes themselves.
 */
function constString(ctx: CheckContext, expr: ast.StringLiteral, expected: Type | undefined, context: ValueContext): Typed | undefined {
  const found: Type = { kind: "str", size: Math.max(1, new TextEncoder().encode(expr.value).length) };
  if (expected?.kind === "array") {
    // A byte array holds the text's bytes and zeros after them (E0342 when it does not fit).
    if (!checkAssignable(ctx, expr, found, expected, context)) return undefined;
    const bytes = new TextEncoder().encode(truncateUtf8(expr.value, expected.length));
    return { type: expected, value: { kind: "array", elements: [...bytes].map((b) => ({ kind: "int", value: BigInt(b) })) } };
  }
  if (expected && expected.kind !== "str") {
    ctx.diags.report(typeErrors.typeMismatch, expr.span, typeToString(expected), typeToString(found), context);
    return undefined;
  }
  if (expected && !checkAssignable(ctx, expr, found, expected, context)) return undefined;
  const type = expected ?? found;
  const bytes = new TextEncoder().encode(truncateUtf8(expr.value, type.kind === "str" ? type.size : 0));
  const data: ConstValue = { kind: "array", elements: [...bytes].map((b) => ({ kind: "int", value: BigInt(b) })) };
  return { type, value: { kind: "struct", fields: bytes.length > 0 ? [{ name: "data", value: data }] : [] } };
}

/** `[]` is all zero, `[v]` fills every element with v, `[a, b]` sets the first ones. */
function constArray(ctx: CheckContext, expr: ast.ArrayLiteral, expected: Type | undefined, what: ConstantOwner): Typed | undefined {
  if (expected && expected.kind !== "array") {
    ctx.diags.report(typeErrors.typeMismatch, expr.span, typeToString(expected), "array", { kind: "initialValue", of: what });
    return undefined;
  }
  if (!expected && expr.elements.length === 0) {
    ctx.diags.report(typeErrors.declarationNeedsTypeOrValue, expr.span, constantOwnerName(what));
    return undefined;
  }
  let element = expected?.element;
  const elements: ConstValue[] = [];
  let ok = true;
  for (const item of expr.elements) {
    const typed = constValue(ctx, item, element, what);
    if (!typed) {
      ok = false;
      continue;
    }
    element ??= typed.type;
    elements.push(typed.value);
  }
  if (!ok || !element) return undefined;
  const type: Type = expected ?? { kind: "array", element, length: expr.elements.length };
  if (type.kind !== "array") return undefined;
  if (elements.length > type.length) {
    ctx.diags.report(typeErrors.arrayLiteralTooLong, expr.span, elements.length, typeToString(type));
    return undefined;
  }
  const filled = elements.length === 1 && type.length > 1 ? Array.from({ length: type.length }, () => elements[0]!) : elements;
  return { type, value: { kind: "array", elements: filled } };
}

function constStruct(ctx: CheckContext, expr: ast.StructLiteral, expected: Type | undefined, what: ConstantOwner): Typed | undefined {
  const layout = ctx.structs.get(expr.typeName.name);
  if (!layout) {
    ctx.diags.report(nameErrors.unknownType, expr.typeName.span, expr.typeName.name, closestName(expr.typeName.name, ctx.structs.keys()));
    return undefined;
  }
  const type: Type = { kind: "struct", name: layout.name, origin: layout.origin };
  if (expected && !checkAssignable(ctx, expr, type, expected, { kind: "initialValue", of: what })) return undefined;
  const fields: { name: string; value: ConstValue }[] = [];
  let ok = true;
  for (const init of expr.fields) {
    const field = layout.fields.find((f) => f.name === init.name.name);
    if (!field) {
      const names = layout.fields.map((f) => f.name);
      ctx.diags.report(typeErrors.unknownField, init.name.span, layout.name, init.name.name,
        closestName(init.name.name, names), names.map((n) => `\`${n}\``).join(", "));
      ok = false;
      continue;
    }
    const typed = constValue(ctx, init.value, field.type, { ...what, fields: [...what.fields, field.name] });
    if (typed) fields.push({ name: field.name, value: typed.value });
    else ok = false;
  }
  return ok ? { type, value: { kind: "struct", fields } } : undefined;
}

// ---------------------------------------------------------------------------------------
// Uses
// ---------------------------------------------------------------------------------------

/** Reports a `local var` global used from user space. */
export function checkGlobalSide(c: ExprChecker, info: GlobalInfo, span: Span): void {
  if (info.decl.local && c.fn.side === "user") {
    c.ctx.diags.report(nameErrors.localGlobalFromUserspace, span, info.name, info.decl.name.span);
  }
}

/** A config name used on its own (not `cfg.field`). */
export function reportConfigAsValue(c: ExprChecker, info: ConfigInfo, span: Span): void {
  c.ctx.diags.report(nameErrors.configUsedAsValue, span, info.name, info.fields[0]?.name);
}

/** The config `expr.target` names, if `expr` is `cfg.field`. */
export function configOf(scope: Scope, expr: ast.FieldExpr): ConfigInfo | undefined {
  if (expr.target.kind !== "NameExpr" || expr.arrow) return undefined;
  const symbol = scope.lookup(expr.target.name.name);
  return symbol?.kind === "config" ? symbol.info : undefined;
}

/** Checks `cfg.field`. */
export function checkConfigField(c: ExprChecker, scope: Scope, expr: ast.FieldExpr, info: ConfigInfo): Type {
  const { ctx } = c;
  const target = expr.target as ast.NameExpr;
  ctx.references.set(target, scope.lookup(target.name.name)!);
  ctx.exprTypes.set(target, errorType);
  const field = info.fields.find((f) => f.name === expr.field.name);
  if (!field) {
    const names = info.fields.map((f) => f.name);
    ctx.diags.report(nameErrors.unknownConfigField, expr.field.span, info.name, expr.field.name,
      closestName(expr.field.name, names), names.map((n) => `\`${n}\``).join(", ") || "none");
    return errorType;
  }
  return field.type;
}

/** Reports an assignment to a config field (`cfg.f = v`, `cfg.a[i] += v`) in eBPF code. */
export function checkConfigWrite(c: ExprChecker, scope: Scope, target: ast.Expr): void {
  let current = target;
  while (current.kind === "IndexExpr" || current.kind === "ParenExpr") current = current.kind === "IndexExpr" ? current.target : current.expr;
  const info = current.kind === "FieldExpr" ? configOf(scope, current) : undefined;
  if (!info || c.fn.side !== "kernel" || current.kind !== "FieldExpr") return;
  if (!info.fields.some((f) => f.name === current.field.name)) return;
  c.ctx.diags.report(typeErrors.configWriteInKernel, target.span, info.name, current.field.name);
}

// ---------------------------------------------------------------------------------------
// main(args: Args)
// ---------------------------------------------------------------------------------------

/** Checks that `main`'s parameter is a struct whose fields the generated parser handles. */
export function checkArgsParameter(ctx: CheckContext, decl: ast.FunctionDecl, params: readonly { type: Type }[]): boolean {
  if (params.length === 0) return true;
  const param = params[0]!;
  if (params.length > 1 || (param.type.kind !== "struct" && param.type.kind !== "error") ||
      (param.type.kind === "struct" && param.type.origin !== "user")) {
    ctx.diags.report(typeErrors.mainSignature, decl.params[params.length > 1 ? 1 : 0]!.span, "parameters");
    return false;
  }
  if (param.type.kind !== "struct") return false;
  const structDecl = ctx.structDecls.get(param.type.name);
  const layout = ctx.structs.get(param.type.name);
  let ok = true;
  for (const [i, field] of (layout?.fields ?? []).entries()) {
    const type = field.type;
    // What the generated parser reads, by type: kernel/args-options.ts.
    const option = type.kind === "error" ? undefined : argsOptionKind(type, (name) => ctx.structs.get(name));
    if (type.kind === "error" || (option && !(field.name === argsPositionalField && option.value.kind === "bool"))) continue;
    ok = false;
    ctx.diags.report(typeErrors.argsFieldType, structDecl?.fields[i]?.type.span ?? decl.params[0]!.type.span,
      param.type.name, field.name, typeToString(type));
  }
  return ok;
}
