//! Type rules of fixed strings (`str(N)`) and chars.
//!
//! - A string literal has type `str(L)`, L its length in bytes; `str(M)` is stored in a
//!   `str(N)` only when M ≤ N (E0341), except a literal, which is stored cut to N bytes
//!   with warning W0264 (KernelScript 0.1.1 does it and its string_test relies on it),
//!   and in a byte array `u8[M]` / `char[M]` when M ≥ N (E0342; a literal is cut the
//!   same way), anywhere a value is stored: declarations, assignments, struct-literal
//!   fields, arguments, global initial values.
//! - `a + b` concatenates: `str(N1 + N2)`. `==`/`!=` compare text; ordering operators
//!   are rejected (E0343).
//! - `s[i]` is a `char`; `s[i] = c` writes one (a run-time index at or past N writes
//!   nothing: emit/userspace/runtime-calls.ts), compound assignments are E0317; a
//!   constant index must be below N (E0344).

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as compatibility from "../diagnostics/catalog/compatibility.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { Type } from "../types.js";
import { boolType, charType, errorType, typeToString } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import { unparenthesize } from "../ast.js";

/**
 * The length of `text` in UTF-8, as `TextEncoder` encodes it (a lone surrogate is
 * U+FFFD, 3 bytes), without encoding it: every string literal's type needs it.
 */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}


/** A binary operator with at least one string operand. */
export function checkStringBinary(ctx: CheckContext, expr: ast.BinaryExpr, left: Type, right: Type): Type {
  const ordering = expr.op === "<" || expr.op === "<=" || expr.op === ">" || expr.op === ">=";
  if (left.kind === "str" && right.kind === "str") {
    if (expr.op === "+") return { kind: "str", size: left.size + right.size };
    if (expr.op === "==" || expr.op === "!=") return boolType;
    if (ordering) {
      ctx.diags.report(typeErrors.stringOrdering, expr.opSpan, expr.op);
      return boolType;
    }
  } else if (ordering) {
    ctx.diags.report(typeErrors.stringOrdering, expr.opSpan, expr.op);
    return boolType;
  }
  ctx.diags.report(typeErrors.invalidOperands, expr.opSpan, expr.op, typeToString(left), typeToString(right));
  return expr.op === "==" || expr.op === "!=" ? boolType : errorType;
}

/** `s[i]` on a `str(N)`: a char; a constant index must be in range. */
export function checkStringIndex(ctx: CheckContext, expr: ast.IndexExpr, target: Extract<Type, { kind: "str" }>): Type {
  const index = constantInteger(ctx, expr.index);
  if (index !== undefined && (index < 0n || index >= BigInt(target.size))) {
    ctx.diags.report(typeErrors.stringIndexOutOfRange, expr.index.span, index.toString(), typeToString(target), target.size);
  }
  return charType;
}

/**
 * Whether a string of type `found` may be stored where `expected` is wanted. Reports
 * E0341/E0342 and returns false when it does not fit (W0264 and true for a too-long literal); returns undefined when
 * `expected` is not a string or byte array (the caller reports the mismatch).
 */
export function checkStringAssignable(
  ctx: CheckContext,
  expr: ast.Expr,
  found: Extract<Type, { kind: "str" }>,
  expected: Type,
  context: ValueContext,
): boolean | undefined {
  const capacity = expected.kind === "str" ? expected.size : expected.kind === "array" && isByte(expected.element) ? expected.length : undefined;
  if (capacity === undefined) return undefined;
  if (found.size <= capacity) return true;
  const inner = unparenthesize(expr);
  if (inner.kind === "StringLiteral") {
    // KernelScript 0.1.1 stores the literal cut to the capacity (its string_test
    // relies on it): defined, so a warning showing what is stored; lowering cuts it.
    const stored = truncateUtf8(inner.value, capacity);
    const wider = expected.kind === "array" ? typeToString({ ...expected, length: found.size }) : `str(${found.size})`;
    ctx.diags.report(compatibility.stringLiteralTruncated, expr.span, found.size, typeToString(expected), capacity, JSON.stringify(stored), wider);
    return true;
  }
  if (expected.kind === "str") ctx.diags.report(typeErrors.stringNarrowing, expr.span, typeToString(found), typeToString(expected), context);
  else ctx.diags.report(typeErrors.stringIntoSmallArray, expr.span, typeToString(found), typeToString(expected));
  return false;
}

/** Element types a string's bytes can be stored in. */
export function isByte(t: Type): boolean {
  return t.kind === "char" || (t.kind === "int" && t.bits === 8);
}

/**
 * The longest prefix of `text` that fits `maxBytes` bytes of UTF-8 without splitting a
 * character: what a too-long literal stores in a `str(maxBytes)` (W0264).
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = new TextEncoder().encode(ch).length;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
