//! The integer promotion and assignability rules.
//!
//! - Integer literals take the type their context asks for, if the value fits.
//! - Same signedness widens to the larger type; an unsigned operand joins a strictly
//!   wider signed one. Any other mix has no safe common type (E0303).
//! - Assignments widen implicitly. Narrowing is implicit too (KernelScript 0.1.1 does it)
//!   but warned about (W0260, with a help line suggesting `as`): the checker records the
//!   conversion (`implicitConversions`) and lowering writes it as a cast, so the C does
//!   exactly what the warning says. A literal stored into a type it does not fit is kept
//!   truncated (W0261 shows the stored value); in an operation or a pattern it stays an
//!   error (E0304), since truncating there would change what compares equal.
//! - Enums and integers convert freely (upstream rule: action enums are returned as ints).

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { IntBits, IntType, Type } from "../types.js";
import { i32, i64, intRange, sameType, truncateToType, typeToString, u32, u64, u8 } from "../types.js";
import * as compatibility from "../diagnostics/catalog/compatibility.js";
import type { CheckContext } from "./context.js";
import { networkOrderAssignable, networkOrderOperands } from "./byte-order.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import { checkStringAssignable } from "./strings.js";

const widths: readonly IntBits[] = [8, 16, 32, 64];
const limitsOf = (signed: boolean): ReadonlyMap<number, { readonly min: bigint; readonly max: bigint }> =>
  new Map(widths.map((bits) => [bits, intRange({ kind: "int", bits, signed })]));
// Made once: intRange makes several bigints each time, and most literals checked ask.
const unsignedLimits = limitsOf(false);
const signedLimits = limitsOf(true);

/** The smallest and largest value of integer type `t` (intRange, from a table). */
export function integerLimits(t: IntType): { readonly min: bigint; readonly max: bigint } {
  return (t.signed ? signedLimits : unsignedLimits).get(t.bits) ?? intRange(t);
}

/** Whether `value` is a value of integer type `t` (literalFits, from a table). */
export function fitsInteger(value: bigint, t: IntType): boolean {
  const { min, max } = integerLimits(t);
  return value >= min && value <= max;
}

/** The integer type an enum or char behaves as in arithmetic. */
export function asInteger(t: Type): IntType | undefined {
  if (t.kind === "int") return t;
  if (t.kind === "enum") return u32;
  if (t.kind === "char") return u8;
  return undefined;
}

/** Type of a literal nobody constrained: u32 if it fits (upstream), else wider. */
export function defaultLiteralType(value: bigint): IntType {
  if (value < 0n) return fitsInteger(value, i32) ? i32 : i64;
  if (fitsInteger(value, u32)) return u32;
  return u64;
}

/**
 * Records the final type of a literal sub-expression (through parentheses and unary
 * minus/complement and arithmetic of literals) once the context has decided it.
 */
export function settleLiteral(ctx: CheckContext, expr: ast.Expr, type: Type): void {
  const current = ctx.exprTypes.get(expr);
  if (current?.kind !== "intLiteral") return;
  ctx.exprTypes.set(expr, type);
  if (expr.kind === "ParenExpr") settleLiteral(ctx, expr.expr, type);
  else if (expr.kind === "UnaryExpr") settleLiteral(ctx, expr.operand, type);
  else if (expr.kind === "BinaryExpr") {
    settleLiteral(ctx, expr.left, type);
    settleLiteral(ctx, expr.right, type);
    // A shift of literals (`1 << 40`) is folded exactly like `+` of literals and is not
    // checked against the width of the type it settles to (E0474): the folded literal
    // must fit that type like any other (W0261, E0304; docs/language/integers.md).
  }
}

/** The common type of two integer operands, or undefined (and a diagnostic) if none. */
export function commonIntegerType(
  ctx: CheckContext,
  op: string,
  left: ast.Expr,
  leftType: Type,
  right: ast.Expr,
  rightType: Type,
  span: import("../source.js").Span,
): Type | undefined {
  const network = networkOrderOperands(ctx, op, left, leftType, right, rightType, span);
  if (network !== undefined) return network ?? undefined;
  if (leftType.kind === "intLiteral" && rightType.kind === "intLiteral") return leftType;
  if (leftType.kind === "intLiteral") return literalJoins(ctx, left, leftType.value, rightType);
  if (rightType.kind === "intLiteral") return literalJoins(ctx, right, rightType.value, leftType);
  const a = asInteger(leftType);
  const b = asInteger(rightType);
  if (!a || !b) return undefined;
  if (a.signed === b.signed) return a.bits >= b.bits ? a : b;
  const signed = a.signed ? a : b;
  const unsigned = a.signed ? b : a;
  if (signed.bits > unsigned.bits) return signed;
  ctx.diags.report(typeErrors.mixedSignedness, span, op, typeToString(leftType), typeToString(rightType));
  return undefined;
}

function literalJoins(ctx: CheckContext, literal: ast.Expr, value: bigint, other: Type): Type | undefined {
  const target = asInteger(other);
  if (!target) return undefined;
  if (!fitsInteger(value, target)) {
    const { min, max } = intRange(target);
    ctx.diags.report(typeErrors.literalOutOfRange, literal.span, value.toString(), typeToString(target), min.toString(), max.toString());
    return target;
  }
  settleLiteral(ctx, literal, target);
  return other.kind === "enum" || other.kind === "char" ? target : other;
}

/**
 * Checks that a value of `found` (the type of `expr`) may be stored where `expected` is
 * wanted, reporting E0301 otherwise (W0260/W0261 when it is stored narrowed or truncated). `context` names the place for messages
 * ("the declaration of `x`", "argument 1 of `f`").
 */
export function checkAssignable(ctx: CheckContext, expr: ast.Expr, found: Type, expected: Type, context: ValueContext): boolean {
  if (found.kind === "error" || expected.kind === "error") return true;
  // A header pointer is proven in bounds only as its binding (or an unannotated copy).
  if (found.kind === "pointer" && found.header && !(expected.kind === "pointer" && expected.header)) {
    ctx.diags.report(safetyErrors.headerPointerEscapes, expr.span, context);
    return false;
  }
  const network = networkOrderAssignable(ctx, expr, found, expected, context);
  if (network !== undefined) return network;
  if (found.kind === "intLiteral") {
    const target = asInteger(expected);
    if (!target || expected.kind === "char" && found.value > 255n) {
      if (expected.kind === "pointer" && found.value === 0n) {
        settleLiteral(ctx, expr, u64);
        return true;
      }
      ctx.diags.report(typeErrors.typeMismatch, expr.span, typeToString(expected), "integer", context);
      return false;
    }
    if (!fitsInteger(found.value, target)) {
      const { min, max } = intRange(target);
      const stored = truncateToType(found.value, target).toString();
      ctx.diags.report(compatibility.literalTruncated, expr.span, found.value.toString(), typeToString(expected), min.toString(), max.toString(), stored);
    }
    settleLiteral(ctx, expr, expected.kind === "enum" || expected.kind === "char" ? target : expected);
    return true;
  }
  if (sameType(found, expected)) return true;
  const from = asInteger(found);
  const to = asInteger(expected);
  if (from && to) {
    if (found.kind === "enum" || expected.kind === "enum") return true;
    const widens = from.signed === to.signed ? to.bits >= from.bits : to.signed && to.bits > from.bits;
    if (widens) return true;
    ctx.diags.report(compatibility.implicitNarrowing, expr.span, typeToString(found), typeToString(expected));
    ctx.implicitConversions.set(expr, expected);
    return true;
  }
  if (found.kind === "null" && (expected.kind === "pointer" || expected.kind === "function")) return true;
  if (found.kind === "str") {
    const fits = checkStringAssignable(ctx, expr, found, expected, context);
    if (fits !== undefined) return fits;
  }
  if (found.kind === "pointer" && expected.kind === "pointer" &&
      (sameType(found.target, expected.target) || expected.target.kind === "void")) return true;
  ctx.diags.report(typeErrors.typeMismatch, expr.span, typeToString(expected), typeToString(found), context);
  return false;
}

/** The type a literal-typed expression ends up with when nothing constrains it. */
export function concreteType(ctx: CheckContext, expr: ast.Expr, type: Type): Type {
  if (type.kind !== "intLiteral") return type;
  const settled = defaultLiteralType(type.value);
  settleLiteral(ctx, expr, settled);
  return settled;
}

