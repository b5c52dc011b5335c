//! Lowering of string operations to explicit IR nodes, and the conversions a string
//! value needs where it is stored: a `str(M)` stored in a `str(N)` (M < N) is widened
//! (`strConvert`; a literal is simply given the wider type), a string stored in a byte
//! array becomes `strBytes`. The checker has already rejected everything that does not
//! fit, except a literal longer than its `str(N)` (W0264), which is stored cut.

import type * as ir from "../ir.js";
import type { BinaryOp } from "../ast.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { boolType } from "../types.js";
import { truncateUtf8 } from "../check/strings.js";

/** `value` as it is stored where `to` is wanted. */
export function coerce(value: ir.IrExpr, to: Type): ir.IrExpr {
  if (value.type.kind !== "str") return value;
  if (to.kind === "str") {
    if (to.size === value.type.size) return value;
    // A literal longer than `to` was allowed with W0264: it is stored cut, as the warning showed.
    if (value.kind === "string") return { ...value, value: to.size < value.type.size ? truncateUtf8(value.value, to.size) : value.value, type: to };
    return { kind: "strConvert", value, type: to, span: value.span };
  }
  if (to.kind === "array") {
    const cut = value.kind === "string" && to.length < value.type.size ? { ...value, value: truncateUtf8(value.value, to.length) } : value;
    return { kind: "strBytes", value: cut, type: to, span: value.span };
  }
  return value;
}

/** A binary operator with string operands (the checker allowed only `+`, `==`, `!=`). */
export function lowerStringBinary(op: BinaryOp, left: ir.IrExpr, right: ir.IrExpr, type: Type, span: Span): ir.IrExpr {
  if (op === "+") return { kind: "strConcat", left, right, type, span };
  return { kind: "strEquals", left, right, negated: op === "!=", type: boolType, span };
}
