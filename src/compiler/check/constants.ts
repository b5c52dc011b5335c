//! Compile-time integer constants: the one folder behind every place that needs a value
//! at compile time (sizes, capacities, enum values, `const` initialisers, string and
//! packet offsets, loop bounds and counters).
//!
//! The language's integer rules, as far as they hold without types: values are exact
//! integers, and every value the folder makes must fit one of the language's integer
//! types (`i64` … `u64`, so -2^63 … 2^64-1); a shift count is 0 … 63; `/ 0` and `% 0` have
//! no value; division truncates toward zero and `%` takes the sign of the dividend, as in
//! C. Whatever breaks a rule folds to `invalid`, with the reason and the operation's span,
//! instead of a value, so no input makes the folder build a huge number (`1 << 4000000000`
//! would need half a gigabyte). Casts (`as u8`) wrap to the target type when the caller
//! knows types (after checking). Whether a shift fits the width of its left operand's
//! type, or a value the type it is stored in, is the checker's business: it has the types.

import type * as ast from "../ast.js";
import type { Span } from "../source.js";
import type { IntType } from "../types.js";
import { maxNesting } from "../limits.js";
import type { CheckContext } from "./context.js";
import type { FoldProblem } from "../diagnostics/catalog/types.js";

export type Folded =
  | { readonly kind: "value"; readonly value: bigint }
  /** Not a compile-time constant (a variable, a call, a comparison …). */
  | { readonly kind: "unknown" }
  /** A constant operation without a value (a division by zero …; the catalogue words `why`). */
  | { readonly kind: "invalid"; readonly why: FoldProblem; readonly span: Span };

/** What the folder may know beyond literals; each part is optional. */
export interface ConstantScope {
  /** The value of a name (`unknown` when it is no constant). */
  readonly name: (expr: ast.NameExpr) => Folded;
  /** `sizeof(T)`, once `T` is resolved. */
  readonly sizeOf?: (expr: ast.SizeofExpr) => bigint | undefined;
  /** The integer type `as T` converts to, once `T` is resolved. */
  readonly castTarget?: (expr: ast.CastExpr) => IntType | undefined;
}

/** The smallest and largest values of the language's integer types together. */
export const minFoldable = -(1n << 63n);
export const maxFoldable = (1n << 64n) - 1n;
/** Shift counts a constant shift may have: any 64-bit operand allows 0 … 63. */
export const maxShiftCount = 63n;

const unknown: Folded = { kind: "unknown" };

export function foldConstant(expr: ast.Expr, scope: ConstantScope): Folded {
  return fold(expr, scope, 0);
}

function fold(expr: ast.Expr, scope: ConstantScope, depth: number): Folded {
  // The parser bounds expression depth; names add a little (a `const` refers to a global constant).
  if (depth > 2 * maxNesting) return unknown;
  switch (expr.kind) {
    case "IntLiteral": return value(expr.value);
    case "CharLiteral": return value(BigInt(expr.value));
    case "ParenExpr": return fold(expr.expr, scope, depth + 1);
    case "UnaryExpr": {
      if (expr.op !== "-" && expr.op !== "~") return unknown;
      const operand = fold(expr.operand, scope, depth + 1);
      if (operand.kind !== "value") return operand;
      return checked(expr.op === "-" ? -operand.value : ~operand.value, expr.span);
    }
    case "BinaryExpr": {
      const left = fold(expr.left, scope, depth + 1);
      if (left.kind === "invalid") return left;
      const right = fold(expr.right, scope, depth + 1);
      if (right.kind === "invalid") return right;
      if (left.kind !== "value" || right.kind !== "value") return unknown;
      const result = foldBinary(expr.op, left.value, right.value);
      if (result === undefined) return unknown;
      return typeof result === "bigint" ? checked(result, expr.span) : { kind: "invalid", why: result, span: expr.span };
    }
    case "NameExpr": return scope.name(expr);
    case "SizeofExpr": {
      const size = scope.sizeOf?.(expr);
      return size === undefined ? unknown : value(size);
    }
    case "CastExpr": {
      const target = scope.castTarget?.(expr);
      if (!target) return unknown;
      const operand = fold(expr.expr, scope, depth + 1);
      if (operand.kind !== "value") return operand;
      return value(target.signed ? BigInt.asIntN(target.bits, operand.value) : BigInt.asUintN(target.bits, operand.value));
    }
    default: return unknown;
  }
}

/**
 * One integer operation on constants: the exact result, why it has none (a division by
 * zero, a shift count out of range), or undefined for operators that are not
 * integer arithmetic (comparisons, `&&`). The result may still lie outside 64 bits; the
 * folder checks that. Shift counts are checked before shifting.
 */
export function foldBinary(op: ast.BinaryOp, left: bigint, right: bigint): bigint | FoldProblem | undefined {
  switch (op) {
    case "+": return left + right;
    case "-": return left - right;
    case "*": return left * right;
    case "/": return right === 0n ? { kind: "divisionByZero" } : left / right;
    case "%": return right === 0n ? { kind: "remainderByZero" } : left % right;
    case "<<": case ">>":
      if (right < 0n || right > maxShiftCount) return { kind: "shiftCount", count: right, max: maxShiftCount };
      return op === "<<" ? left << right : left >> right;
    case "&": return left & right;
    case "|": return left | right;
    case "^": return left ^ right;
    default: return undefined;
  }
}

function value(v: bigint): Folded {
  return { kind: "value", value: v };
}

function checked(v: bigint, span: Span): Folded {
  if (v < minFoldable || v > maxFoldable) return { kind: "invalid", why: { kind: "beyond64Bits" }, span };
  return value(v);
}

/** The value of `expr` before bodies are checked: literals, arithmetic, enum and built-in constants. */
export function constantInteger(ctx: CheckContext, expr: ast.Expr): bigint | undefined {
  const folded = foldConstant(expr, globalConstants(ctx));
  return folded.kind === "value" ? folded.value : undefined;
}

/** Names as constants before bodies are checked: through the file scope only. */
export function globalConstants(ctx: CheckContext): ConstantScope {
  return {
    name: (expr) => {
      const symbol = ctx.globalScope.lookup(expr.name.name);
      return symbol?.kind === "constant" ? value(symbol.value) : unknown;
    },
  };
}
