//! Type checking of expressions. Every checked expression gets an entry in
//! `ctx.exprTypes`; names get one in `ctx.references`. Poisoned sub-expressions have the
//! `error` type and cause no further diagnostics.

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as tracingErrors from "../diagnostics/catalog/types-tracing.js";
import { dataLocPrefix } from "../kernel/tracing.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import * as referenceErrors from "../diagnostics/catalog/reference-semantics.js";
import * as compatibility from "../diagnostics/catalog/compatibility.js";
import type { Type } from "../types.js";
import { boolType, charType, errorType, nullType, typeToString, u64 } from "../types.js";
import { asInteger, checkAssignable, commonIntegerType, concreteType } from "./conversions.js";
import type { CheckContext, FunctionContext } from "./context.js";
import type { Scope } from "./scope.js";
import type { Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { checkBuiltinCall, isBuiltin, builtinNames } from "./builtin-calls.js";
import { resolveType } from "./resolve-types.js";
import { narrow, provenNonNull, requireNonNull } from "./pointers.js";
import { checkCallThroughValue, checkFunctionArgument, checkLegacyHelperCall, checkTailCallAsCall, isFunctionTyped } from "./calls.js";
import { legacyHelpers } from "../kernel/bpf-helpers.js";
import { checkConstantOperand } from "./constant-operands.js";
import { checkHelperArguments } from "./helper-calls.js";
import { checkConfigField, checkGlobalSide, configOf, reportConfigAsValue } from "./globals.js";
import { checkNetworkOrderCast, isNetworkOrder, networkConversions } from "./byte-order.js";
import {
  checkHeaderFieldBase, checkMethodCall, isNetworkContext, contextFieldReadable, checkPacketIndex, checkUserspaceHeaderType, isPacketPlace, movedPacketPointer, reportUnprovenPacketAccess, acceptImplicitPacketRead,
} from "./packets.js";
import { checkStringBinary, checkStringIndex, utf8Length } from "./strings.js";
import { constantInteger } from "./constants.js";
import { checkMatch } from "./match.js";
import { checkModuleCall, reportModuleAsValue } from "./imports.js";
import { checkNew, checkRingbufCall, ringbufOfCallee } from "./ringbuf.js";
import { checkMapIndexable, checkMapMethodCall, mapMethodOfCallee } from "./map-kinds.js";
import { checkInnerMapIndex, mapOfMapsIndexed } from "./map-in-map.js";
import { checkPerfTypeSide } from "./perf-events.js";
import { structFieldDefault } from "../kernel/perf.js";
import { headerFieldsOverlap, packetHeaderByName } from "../kernel/headers.js";
import { checkHelperFromTest, checkTestCall, checkTestCallee, checkTestTypeSide, testFieldsOptional } from "./testing.js";
import { checkModuleCodeCall, checkPrivateCallSite } from "./kmod.js";
import { unparenthesize } from "../ast.js";

import { checkObjectMapIndex } from "./object-maps.js";
import { checkCompoundValue } from "./compound-values.js";
import { isTextArray } from "./runtime-builtins.js";

export interface ExprChecker {
  readonly ctx: CheckContext;
  readonly fn: FunctionContext;
}

export function checkExpr(c: ExprChecker, scope: Scope, expr: ast.Expr, expected?: Type): Type {
  const type = inferExpr(c, scope, expr, expected);
  c.ctx.exprTypes.set(expr, type);
  return type;
}

/**
 * Checks each of `exprs` (the arguments of a call in error, most often). A loop here, not
 * a closure in the caller: a closure over `c` and `scope` would make the caller allocate
 * their context on every call, error or not.
 */
export function checkEach(c: ExprChecker, scope: Scope, exprs: readonly ast.Expr[]): void {
  for (const e of exprs) checkExpr(c, scope, e);
}

/** Checks `expr` and that its value may be stored where `expected` is wanted. */
export function checkExprAs(c: ExprChecker, scope: Scope, expr: ast.Expr, expected: Type, context: ValueContext): Type {
  const found = checkExpr(c, scope, expr, expected);
  checkAssignable(c.ctx, expr, found, expected, context);
  return found;
}

/** Checks an expression used as a condition (bool, integer or pointer). */
export function checkCondition(c: ExprChecker, scope: Scope, expr: ast.Expr): void {
  const type = concreteType(c.ctx, expr, checkExpr(c, scope, expr));
  if (type.kind === "error" || type.kind === "bool" || type.kind === "pointer" || asInteger(type)) return;
  c.ctx.diags.report(typeErrors.invalidCondition, expr.span, typeToString(type));
}

export function lookupName(c: ExprChecker, scope: Scope, name: ast.Ident): Symbol | undefined {
  const symbol = scope.lookup(name.name);
  if (!symbol) {
    const candidates = [...scope.visibleNames(), ...builtinNames];
    c.ctx.diags.report(nameErrors.unknownName, name.span, name.name, closestName(name.name, candidates));
  }
  return symbol;
}

function inferExpr(c: ExprChecker, scope: Scope, expr: ast.Expr, expected: Type | undefined): Type {
  const { ctx } = c;
  switch (expr.kind) {
    case "IntLiteral": return expr.duration ? u64 : { kind: "intLiteral", value: expr.value };
    case "BoolLiteral": return boolType;
    case "CharLiteral": return charType;
    case "StringLiteral": return { kind: "str", size: Math.max(1, utf8Length(expr.value)) };
    case "NullLiteral": return nullType;
    case "ParenExpr": return checkExpr(c, scope, expr.expr, expected);
    case "NameExpr": return checkName(c, scope, expr);
    case "BinaryExpr": return checkBinary(c, scope, expr);
    case "UnaryExpr": return checkUnary(c, scope, expr, expected);
    case "CallExpr": {
      const type = checkCall(c, scope, expr);
      c.fn.flow.call(expr);
      return type;
    }
    case "IndexExpr": return checkIndex(c, scope, expr);
    case "FieldExpr": return checkField(c, scope, expr);
    case "CastExpr": {
      const target = resolveType(ctx, expr.type);
      ctx.typeOperands.set(expr.type, target);
      const source = concreteType(ctx, expr.expr, checkExpr(c, scope, expr.expr));
      if (source.kind === "error" || target.kind === "error") return errorType;
      if (target.kind === "str" && isTextArray(source)) return target;   // bytes as text (check/runtime-builtins.ts)
      if (!castable(source) || !castable(target)) {
        ctx.diags.report(typeErrors.invalidOperands, expr.span, "as", typeToString(source), typeToString(target));
        return errorType;
      }
      // Casting a packet pointer proves nothing about the bytes behind it.
      if (source.kind === "pointer" && (source.packet || source.header) && target.kind === "pointer") {
        reportUnprovenPacketAccess(ctx, expr.span);
        return errorType;
      }
      if (!checkNetworkOrderCast(ctx, expr, source, target)) return errorType;
      return target;
    }
    case "SizeofExpr": {
      const target = resolveType(ctx, expr.type);
      ctx.typeOperands.set(expr.type, target);
      checkUserspaceHeaderType(c, target, expr.type.span);
      return u64;
    }
    case "StructLiteral": return checkStructLiteral(c, scope, expr);
    case "ArrayLiteral": return checkArrayLiteral(c, scope, expr, expected);
    case "MatchExpr": return checkMatch(c, scope, expr, expected);
    case "NewExpr": return checkNew(c, expr);
    case "AssignExpr": return checkCompoundValue(c, scope, expr);
    case "ErrorExpr": return errorType;
  }
}

// The functions of the checker called for every node have no closures over their
// parameters: such a closure makes V8 allocate a context on each call.

function castable(t: Type): boolean {
  return asInteger(t) !== undefined || t.kind === "bool" || t.kind === "pointer";
}

function checkArrayLiteral(c: ExprChecker, scope: Scope, expr: ast.ArrayLiteral, expected: Type | undefined): Type {
  if (expected?.kind === "array") {
    const element = expected.element;
    expr.elements.forEach((e, i) => checkExprAs(c, scope, e, element, { kind: "arrayElement", index: i + 1 }));
    return expected;
  }
  const element = untypedArrayElement(c, scope, expr);
  if (!element) {
    c.ctx.diags.report(codegenErrors.notSupportedYet, expr.span, { kind: "untypedEmptyArray" });
    return errorType;
  }
  expr.elements.forEach((e, i) => checkExprAs(c, scope, e, element, { kind: "arrayElement", index: i + 1 }));
  return { kind: "array", element, length: expr.elements.length };
}

/** The field of `fields` called `name`. */
export function fieldNamed<F extends { readonly name: string }>(fields: readonly F[], name: string): F | undefined {
  for (const f of fields) if (f.name === name) return f;
  return undefined;
}

function checkName(c: ExprChecker, scope: Scope, expr: ast.NameExpr): Type {
  // A name in scope is never a module used as a value: one lookup answers both (most names).
  const found = scope.lookup(expr.name.name);
  if (!found && reportModuleAsValue(c, scope, expr.name)) return errorType;
  const symbol = found ?? lookupName(c, scope, expr.name);
  if (!symbol) return errorType;
  c.ctx.references.set(expr, symbol);
  switch (symbol.kind) {
    case "local": case "entry":
      c.ctx.readLocals.add(symbol.id);
      return symbol.type;
    case "constant": return symbol.type;
    case "global":
      checkGlobalSide(c, symbol.info, expr.span);
      return symbol.info.type;
    case "config":
      reportConfigAsValue(c, symbol.info, expr.span);
      return errorType;
    case "map":
      c.ctx.diags.report(nameErrors.mapUsedAsValue, expr.span, symbol.info.name);
      return errorType;
    case "function": {
      const info = symbol.info;
      if (info.role.kind === "program") return { kind: "programRef", programType: info.role.info.programType, name: info.name };
      return { kind: "function", params: info.params.map((p) => p.type), returnType: info.returnType };
    }
    case "structOps":
      c.ctx.diags.report(typeErrors.implNotAValue, expr.span, symbol.info.name);
      return errorType;
  }
}

const comparisonOps = new Set(["==", "!=", "<", "<=", ">", ">="]);

function checkBinary(c: ExprChecker, scope: Scope, expr: ast.BinaryExpr): Type {
  const { ctx } = c;
  // `m[k] == null` / `m[k] != null` test whether the entry exists.
  if ((expr.op === "==" || expr.op === "!=") && (expr.right.kind === "NullLiteral" || expr.left.kind === "NullLiteral")) {
    const other = expr.right.kind === "NullLiteral" ? expr.left : expr.right;
    const nullSide = other === expr.left ? expr.right : expr.left;
    ctx.exprTypes.set(nullSide, nullType);
    const otherType = checkExpr(c, scope, other);
    if (otherType.kind === "error") return boolType;
    // A program handle is null when `load()` failed (KernelScript 0.1.1's `if (prog == null)`).
    if (isMapIndex(c, other) || isMapAlias(c, other) || otherType.kind === "pointer" || otherType.kind === "function" || otherType.kind === "programHandle") return boolType;
    // KernelScript 0.1.1 emits `x != NULL`, which C compares with 0; so does this (W0273).
    const integer = concreteType(ctx, other, otherType);
    if (asInteger(integer) && integer.kind !== "char") {
      ctx.diags.report(referenceErrors.integerComparedWithNull, expr.span, typeToString(integer), expr.op);
      ctx.integerNullTests.add(expr);
      return boolType;
    }
    ctx.diags.report(typeErrors.invalidOperands, expr.opSpan, expr.op, typeToString(otherType), "null");
    return boolType;
  }
  if (expr.op === "&&" || expr.op === "||") {
    // `p != null && p.f > 0`: the right side sees what the left side proved.
    const rightScope = scope.child();
    for (const side of [expr.left, expr.right]) {
      if (side === expr.right) narrow(rightScope, provenNonNull(expr.left, expr.op === "&&"));
      const type = checkExpr(c, side === expr.left ? scope : rightScope, side);
      if (type.kind !== "bool" && type.kind !== "error") {
        ctx.diags.report(typeErrors.logicalNeedsBool, side.span, expr.op, typeToString(type));
      }
    }
    return boolType;
  }
  const leftType = requireValue(c, expr.left, checkExpr(c, scope, expr.left));
  const rightType = requireValue(c, expr.right, checkExpr(c, scope, expr.right));
  if (leftType.kind === "error" || rightType.kind === "error") return comparisonOps.has(expr.op) ? boolType : errorType;
  if (leftType.kind === "str" || rightType.kind === "str") return checkStringBinary(ctx, expr, leftType, rightType);
  // Pointer arithmetic: ptr - ptr is a byte distance, ptr ± int moves the pointer.
  if (leftType.kind === "pointer" || rightType.kind === "pointer") {
    if (expr.op === "-" && leftType.kind === "pointer" && rightType.kind === "pointer") return u64;
    if ((expr.op === "+" || expr.op === "-") && leftType.kind === "pointer" && (asInteger(rightType) || rightType.kind === "intLiteral")) {
      concreteType(ctx, expr.right, rightType);
      return movedPacketPointer(leftType);
    }
    if (comparisonOps.has(expr.op) && leftType.kind === "pointer" && rightType.kind === "pointer") return boolType;
    ctx.diags.report(typeErrors.invalidOperands, expr.opSpan, expr.op, typeToString(leftType), typeToString(rightType));
    return errorType;
  }
  if (comparisonOps.has(expr.op)) {
    if (leftType.kind === "bool" && rightType.kind === "bool" && (expr.op === "==" || expr.op === "!=")) return boolType;
    const common = commonIntegerType(ctx, expr.op, expr.left, leftType, expr.right, rightType, expr.opSpan);
    if (!common) {
      if (!asInteger(leftType) && leftType.kind !== "intLiteral" || !asInteger(rightType) && rightType.kind !== "intLiteral") {
        ctx.diags.report(typeErrors.invalidOperands, expr.opSpan, expr.op, typeToString(leftType), typeToString(rightType));
      }
      return boolType;
    }
    if (common.kind === "intLiteral") {
      concreteType(ctx, expr.left, leftType);
      concreteType(ctx, expr.right, rightType);
    }
    return boolType;
  }
  const integerOperands = (asInteger(leftType) || leftType.kind === "intLiteral") && (asInteger(rightType) || rightType.kind === "intLiteral");
  if (!integerOperands) {
    ctx.diags.report(typeErrors.invalidOperands, expr.opSpan, expr.op, typeToString(leftType), typeToString(rightType));
    return errorType;
  }
  checkConstantOperand(ctx, expr.op, expr.right, rightType, leftType);
  if ((expr.op === "<<" || expr.op === ">>")) {
    if (isNetworkOrder(leftType)) {
      ctx.diags.report(typeErrors.networkOrderArithmetic, expr.opSpan, expr.op, typeToString(leftType), networkConversions(leftType.bits)[0]);
      return errorType;
    }
    // A shift of literals is a literal, folded exactly like `+` (counts 0…63; any other
    // count gives the left literal its own type and the shift the integer rules).
    if (leftType.kind === "intLiteral" && rightType.kind === "intLiteral" && rightType.value >= 0n && rightType.value <= 63n) {
      return { kind: "intLiteral", value: expr.op === "<<" ? leftType.value << rightType.value : leftType.value >> rightType.value };
    }
    // A shift has the type of its left operand; the count is any integer.
    concreteType(ctx, expr.right, rightType);
    return leftType.kind === "intLiteral" ? concreteType(ctx, expr.left, leftType) : asInteger(leftType) ?? leftType;
  }
  const common = commonIntegerType(ctx, expr.op, expr.left, leftType, expr.right, rightType, expr.opSpan);
  if (!common) return errorType;
  if (common.kind === "intLiteral" && leftType.kind === "intLiteral" && rightType.kind === "intLiteral") {
    const folded = foldLiteral(expr.op, leftType.value, rightType.value);
    return folded === undefined ? concreteType(ctx, expr.left, leftType) : { kind: "intLiteral", value: folded };
  }
  return common.kind === "enum" || common.kind === "char" ? asInteger(common)! : common;
}

function foldLiteral(op: ast.BinaryOp, a: bigint, b: bigint): bigint | undefined {
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return b === 0n ? undefined : a / b;
    case "%": return b === 0n ? undefined : a % b;
    case "&": return a & b;
    case "|": return a | b;
    case "^": return a ^ b;
    default: return undefined;
  }
}

function checkUnary(c: ExprChecker, scope: Scope, expr: ast.UnaryExpr, expected: Type | undefined): Type {
  const { ctx } = c;
  switch (expr.op) {
    case "-": {
      const type = checkExpr(c, scope, expr.operand, expected);
      if (type.kind === "intLiteral") return { kind: "intLiteral", value: -type.value };
      const int = asInteger(type);
      if (type.kind === "error") return type;
      if (!int) {
        ctx.diags.report(typeErrors.invalidOperands, expr.span, "-", typeToString(type), typeToString(type));
        return errorType;
      }
      if (!int.signed) {
        ctx.diags.report(typeErrors.negativeUnsigned, expr.span, typeToString(type));
        return errorType;
      }
      return int;
    }
    case "~": {
      const type = checkExpr(c, scope, expr.operand, expected);
      if (type.kind === "error") return type;
      if (type.kind === "intLiteral") return concreteType(ctx, expr.operand, type);
      const int = asInteger(type);
      if (!int) {
        ctx.diags.report(typeErrors.invalidOperands, expr.span, "~", typeToString(type), typeToString(type));
        return errorType;
      }
      return int;
    }
    case "!": {
      const type = checkExpr(c, scope, expr.operand);
      if (type.kind !== "bool" && type.kind !== "error") ctx.diags.report(typeErrors.logicalNeedsBool, expr.operand.span, "!", typeToString(type));
      return boolType;
    }
    case "*": {
      const type = checkExpr(c, scope, expr.operand);
      if (type.kind === "error") return type;
      if (type.kind !== "pointer") {
        ctx.diags.report(typeErrors.derefNonPointer, expr.operand.span, typeToString(type));
        return errorType;
      }
      if (type.packet) {
        if (acceptImplicitPacketRead(c, expr, expr.operand, undefined)) return type.target;
        reportUnprovenPacketAccess(ctx, expr.span);
        return errorType;
      }
      requireNonNull(c, expr.operand);
      return type.target;
    }
    case "&": {
      const type = checkExpr(c, scope, expr.operand);
      if (type.kind === "error") return type;
      if (expr.operand.kind !== "NameExpr" && expr.operand.kind !== "FieldExpr" && expr.operand.kind !== "IndexExpr") {
        ctx.diags.report(typeErrors.invalidOperands, expr.span, "&", typeToString(type), typeToString(type));
        return errorType;
      }
      if ((isMapIndex(c, expr.operand) || isMapAlias(c, expr.operand)) && c.fn.side === "user") {
        ctx.diags.report(codegenErrors.mapEntryPointerInUserspace, expr.span);
        return errorType;
      }
      return { kind: "pointer", target: concreteType(ctx, expr.operand, type) };
    }
  }
}

/** Whether `expr` names a map-lookup alias (`var s = m[k]`). */
export function isMapAlias(c: ExprChecker, expr: ast.Expr): boolean {
  const inner = unparenthesize(expr);
  if (inner.kind !== "NameExpr") return false;
  const symbol = c.ctx.references.get(inner);
  return symbol?.kind === "local" && symbol.mapAlias !== undefined;
}

/** Whether `expr` is `m[k]` on a map (as opposed to an array or string index). */
export function isMapIndex(c: ExprChecker, expr: ast.Expr): expr is ast.IndexExpr {
  if (expr.kind !== "IndexExpr" || expr.target.kind !== "NameExpr") return false;
  return c.ctx.references.get(expr.target)?.kind === "map" ||
    (!c.ctx.references.has(expr.target) && c.ctx.globalScope.lookup(expr.target.name.name)?.kind === "map");
}

function checkIndex(c: ExprChecker, scope: Scope, expr: ast.IndexExpr): Type {
  const { ctx } = c;
  // `outer[k][i]` through a map of maps (check/map-in-map.ts).
  const outer = mapOfMapsIndexed(scope, expr.target);
  if (outer) return checkInnerMapIndex(c, scope, expr, outer);
  if (expr.target.kind === "NameExpr") {
    const symbol = scope.lookup(expr.target.name.name);
    if (symbol?.kind === "map") {
      ctx.references.set(expr.target, symbol);
      ctx.exprTypes.set(expr.target, errorType);
      const map = symbol.info.type;
      if (!checkMapIndexable(ctx, symbol.info, expr.span)) {
        checkExpr(c, scope, expr.index);
        return errorType;
      }
      checkExprAs(c, scope, expr.index, map.key, { kind: "mapKey", map: symbol.info.name });
      checkObjectMapIndex(c, symbol.info, expr);
      return map.value;
    }
  }
  const targetType = checkExpr(c, scope, expr.target);
  const indexType = concreteType(ctx, expr.index, checkExpr(c, scope, expr.index));
  if (targetType.kind === "error") return targetType;
  if (indexType.kind !== "error" && !asInteger(indexType)) {
    ctx.diags.report(typeErrors.typeMismatch, expr.index.span, "integer", typeToString(indexType), { kind: "index" });
  }
  if (targetType.kind === "array") {
    checkPacketIndex(ctx, expr, targetType.length);
    // (A packet header's array has its own rule, E0408: only constants, checked above.)
    const index = isPacketPlace(ctx, expr.target) ? undefined : constantInteger(ctx, expr.index);
    if (index !== undefined && (index < 0n || index >= BigInt(targetType.length))) {
      ctx.diags.report(compatibility.arrayIndexOutOfRange, expr.index.span, index.toString(), typeToString(targetType), targetType.length);
    }
    return targetType.element;
  }
  if (targetType.kind === "str") return checkStringIndex(ctx, expr, targetType);
  if (targetType.kind === "pointer" && targetType.packet) {
    if (acceptImplicitPacketRead(c, expr, expr.target, expr.index)) return targetType.target;
    reportUnprovenPacketAccess(ctx, expr.span);
    return errorType;
  }
  ctx.diags.report(typeErrors.notIndexable, expr.target.span, typeToString(targetType));
  return errorType;
}

function checkField(c: ExprChecker, scope: Scope, expr: ast.FieldExpr): Type {
  const { ctx } = c;
  const config = configOf(scope, expr);
  if (config) return checkConfigField(c, scope, expr, config);
  const targetType = checkExpr(c, scope, expr.target);
  if (targetType.kind === "error") return targetType;
  // `.` auto-dereferences a pointer to a struct (`ctx.data`); `->` requires a pointer.
  const structType = targetType.kind === "pointer" ? targetType.target : expr.arrow ? undefined : targetType;
  if (!structType || structType.kind !== "struct") {
    ctx.diags.report(typeErrors.fieldOnNonStruct, expr.target.span, typeToString(targetType));
    return errorType;
  }
  if (!checkHeaderFieldBase(ctx, targetType, expr.span)) return errorType;
  if (targetType.kind === "pointer") requireNonNull(c, expr.target);
  const layout = ctx.structs.get(structType.name);
  const field = layout && fieldNamed(layout.fields, expr.field.name);
  if (layout && !field && fieldNamed(layout.fields, dataLocPrefix + expr.field.name)) {
    ctx.diags.report(tracingErrors.dataLocFieldAsValue, expr.field.span, expr.field.name, structType.name);
    return errorType;
  }
  if (!layout || !field) {
    const names = layout?.fields.map((f) => f.name) ?? [];
    ctx.diags.report(typeErrors.unknownField, expr.field.span, structType.name, expr.field.name,
      closestName(expr.field.name, names), names.map((n) => `\`${n}\``).join(", ") || "none");
    return errorType;
  }
  if (!contextFieldReadable(c, expr.target, field.name, field.type, expr.span)) return errorType;
  return field.type;
}

function checkStructLiteral(c: ExprChecker, scope: Scope, expr: ast.StructLiteral): Type {
  const { ctx } = c;
  const layout = ctx.structs.get(expr.typeName.name);
  if (!layout) {
    ctx.diags.report(nameErrors.unknownType, expr.typeName.span, expr.typeName.name, closestName(expr.typeName.name, ctx.structs.keys()));
    for (const f of expr.fields) checkExpr(c, scope, f.value);
    return errorType;
  }
  const given = new Set<string>();
  for (const init of expr.fields) {
    const field = fieldNamed(layout.fields, init.name.name);
    if (!field) {
      const names = layout.fields.map((f) => f.name);
      ctx.diags.report(typeErrors.unknownField, init.name.span, layout.name, init.name.name,
        closestName(init.name.name, names), names.map((n) => `\`${n}\``).join(", "));
      checkExpr(c, scope, init.value);
      continue;
    }
    if (given.has(field.name)) {
      ctx.diags.report(typeErrors.structLiteralFields, init.name.span, layout.name, { givenTwice: field.name });
    }
    const overlapped = layout.origin === "kernel" ? overlappingField(layout.name, given, field.name) : undefined;
    if (overlapped !== undefined) {
      ctx.diags.report(typeErrors.structLiteralFields, init.name.span, layout.name, { overlapping: [overlapped, field.name] });
    }
    given.add(field.name);
    checkExprAs(c, scope, init.value, field.type, { kind: "field", field: field.name });
  }
  checkPerfTypeSide(c, expr.typeName);
  checkTestTypeSide(c, expr.typeName);
  const optional = testFieldsOptional(c, layout.name);
  const missing: string[] = [];
  for (let i = 0; !optional && i < layout.fields.length; i++) {
    const name = layout.fields[i]!.name;
    if (given.has(name) || structFieldDefault(layout.name, name)) continue;
    // A header field given through another view of its bytes (`saddr32` for `saddr`) is not missing.
    if (layout.origin === "kernel" && overlappingField(layout.name, given, name) !== undefined) continue;
    missing.push(name);
  }
  if (missing.length > 0) {
    ctx.diags.report(typeErrors.structLiteralFields, expr.typeName.span, layout.name, { missing });
  }
  return { kind: "struct", name: layout.name, origin: layout.origin };
}

/** The first of the `given` fields of header `struct` whose bytes overlap `field`'s. */
function overlappingField(struct: string, given: ReadonlySet<string>, field: string): string | undefined {
  if (given.size === 0 || !packetHeaderByName.has(struct)) return undefined;
  for (const g of given) if (headerFieldsOverlap(struct, g, field)) return g;
  return undefined;
}

/** `ctx.something(…)` on an XDP/TC context: the context's methods (`header`) or an error. */
function isContextMethodCall(scope: Scope, callee: ast.FieldExpr): boolean {
  if (callee.target.kind !== "NameExpr") return false;
  const symbol = scope.lookup(callee.target.name.name);
  return (symbol?.kind === "local" || symbol?.kind === "entry") && isNetworkContext(symbol.type);
}

function checkCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const moduleCall = checkModuleCall(c, scope, expr);
  if (moduleCall) return moduleCall;
  const testCall = checkTestCall(c, scope, expr);
  if (testCall) return testCall;
  if (c.fn.side === "module") {
    const kernelModuleCall = checkModuleCodeCall(c, scope, expr);
    if (kernelModuleCall) return kernelModuleCall;
  }
  if (ringbufOfCallee(scope, expr.callee)) return checkRingbufCall(c, scope, expr);
  if (mapMethodOfCallee(scope, expr.callee)) return checkMapMethodCall(c, scope, expr);
  // A called name is looked up once here: a builtin, a kernel helper, or a declared function.
  const named = expr.callee.kind === "NameExpr" ? scope.lookup(expr.callee.name.name) : undefined;
  if (expr.callee.kind === "NameExpr" && !named && isBuiltin(expr.callee.name.name)) {
    ctx.exprTypes.set(expr.callee, errorType);
    return checkBuiltinCall(c, scope, expr, expr.callee.name.name);
  }
  if (expr.callee.kind === "FieldExpr" && (expr.callee.field.name === "header" || isContextMethodCall(scope, expr.callee))) {
    return checkMethodCall(c, scope, expr as ast.CallExpr & { readonly callee: ast.FieldExpr });
  }
  if (expr.callee.kind !== "NameExpr") return checkCallThroughValue(c, scope, expr);
  if (!named && legacyHelpers.has(expr.callee.name.name)) {
    ctx.exprTypes.set(expr.callee, errorType);
    return checkLegacyHelperCall(c, scope, expr, expr.callee.name.name);
  }
  const symbol = named ?? lookupName(c, scope, expr.callee.name);
  if (!symbol) {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  ctx.references.set(expr.callee, symbol);
  ctx.exprTypes.set(expr.callee, errorType);
  if ((symbol.kind === "local" || symbol.kind === "global") && isFunctionTyped(symbol)) {
    return checkCallThroughValue(c, scope, expr);
  }
  if (symbol.kind !== "function") {
    if (symbol.kind === "map") ctx.diags.report(nameErrors.mapUsedAsValue, expr.callee.span, symbol.info.name);
    else {
      ctx.diags.report(typeErrors.notCallable, expr.callee.span, symbol.kind === "structOps" ? "structOps" : symbol.kind === "config" ? { config: symbol.info.name }
        : { type: symbol.kind === "global" ? typeToString(symbol.info.type) : typeToString(symbol.type) });
    }
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const info = symbol.info;
  const role = info.role.kind;
  if (role === "program") return checkTailCallAsCall(c, scope, expr, info);
  checkTestCallee(ctx, info, expr.callee.span);
  if (c.fn.side === "user" && (role === "helper" || role === "kfunc" || role === "extern") && !checkHelperFromTest(c, info, expr.callee.span)) {
    ctx.diags.report(nameErrors.kernelFunctionFromUserspace, expr.callee.span, info.name, role);
  }
  if (c.fn.side === "kernel" && role === "userspace") {
    ctx.diags.report(nameErrors.userspaceFunctionFromKernel, expr.callee.span, info.name);
  }
  checkPrivateCallSite(c, expr.callee, info);
  ctx.calls.push({ caller: c.fn.info, callee: info, span: expr.callee.span });
  if (expr.args.length !== info.params.length) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, info.name, info.params.length, expr.args.length, info.decl.name.span);
    checkEach(c, scope, expr.args);
  } else {
    for (let i = 0; i < expr.args.length; i++) {
      const arg = expr.args[i]!;
      const param = info.params[i]!.type;
      if (param.kind === "function") checkFunctionArgument(c, scope, arg, param, { kind: "argument", index: i + 1, callee: info.name });
      else checkExprAs(c, scope, arg, param, { kind: "argument", index: i + 1, callee: info.name });
    }
    if (role === "extern") checkHelperArguments(c, expr, info.name);
  }
  return info.returnType;
}

/** Reports a void call whose value is used. */
export function requireValue(c: ExprChecker, expr: ast.Expr, type: Type): Type {
  if (type.kind === "void") {
    const name = expr.kind === "CallExpr" && expr.callee.kind === "NameExpr" ? expr.callee.name.name : undefined;
    c.ctx.diags.report(typeErrors.voidInExpression, expr.span, name);
    return errorType;
  }
  return type;
}


/**
 * The element type of `[a, b, …]` without a declared array type (KernelScript 0.1.1's
 * `var a = [1, 2, 3]`): the first element's type, as for globals (`u32` for a small
 * literal, docs/language/globals-config.md); every element is then checked against it.
 * Undefined when empty.
 */
function untypedArrayElement(c: ExprChecker, scope: Scope, expr: ast.ArrayLiteral): Type | undefined {
  const first = expr.elements[0];
  return first && concreteType(c.ctx, first, checkExpr(c, scope, first));
}
