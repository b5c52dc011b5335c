//! A signed variable tested against both ends of a range starting at zero, written as one
//! unsigned comparison:
//!
//!   x < 0 || x >= N      →  (__u64)x >= N       (and `x > M`, and either order)
//!   x >= 0 && x < N      →  (__u64)x < N        (and `x <= M`, and either order)
//!
//! Exact for a non-negative constant bound up to 2^(bits-1): a negative `x` seen as
//! unsigned is at least 2^(bits-1), so it lands on the out-of-range side. clang 14 keeps the two tests (with `-mcpu=v2`
//! it even tests the upper end first), so the usual "out of range" path of a table index
//! or a syscall number ran two branches where one does. Only a plain local or parameter
//! is rewritten: its two reads are one value, and reading it once changes nothing.

import type * as ir from "../ir.js";
import type { IntType } from "../types.js";
import { integerTypeOf, literalValue } from "./integers-c.js";

/** The unsigned form of `e` when it is such a range test: the operand, the comparison and the bound. */
export interface UnsignedRangeTest {
  readonly operand: ir.IrExpr;
  /** The unsigned type of the operand's width, the operand is compared in. */
  readonly unsignedType: IntType;
  readonly op: ">=" | ">" | "<" | "<=";
  readonly bound: bigint;
}

export function unsignedRangeTest(e: Extract<ir.IrExpr, { kind: "binary" }>): UnsignedRangeTest | undefined {
  if (e.op !== "||" && e.op !== "&&") return undefined;
  const left = comparisonWithConstant(e.left);
  const right = comparisonWithConstant(e.right);
  if (!left || !right || left.local !== right.local) return undefined;
  const t = integerTypeOf(left.operand.type);
  if (!t || !t.signed || left.bound < 0n || right.bound < 0n) return undefined;
  // Negative values seen as unsigned are 2^(bits-1) and up: the upper test must put all of
  // them on the out-of-range side (`>= N` with N at most 2^(bits-1), `> M` below it).
  const half = 1n << BigInt(t.bits - 1);
  // One side is the test against zero, the other the upper end.
  const wanted = e.op === "||" ? { zero: "<", upper: [">=", ">"] } : { zero: ">=", upper: ["<", "<="] };
  for (const [zero, upper] of [[left, right], [right, left]] as const) {
    if (zero.op !== wanted.zero || zero.bound !== 0n || !wanted.upper.includes(upper.op)) continue;
    const inclusive = upper.op === ">" || upper.op === "<=";
    if (inclusive ? upper.bound >= half : upper.bound > half) return undefined;
    return { operand: upper.operand, unsignedType: { kind: "int", bits: t.bits, signed: false }, op: upper.op as UnsignedRangeTest["op"], bound: upper.bound };
  }
  return undefined;
}

/** Each ordering with its operands swapped: `c < x` is `x > c`. */
const mirrored: Readonly<Record<string, string>> = { "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** `local OP constant` (or `constant OP local`, turned around), with the local's name. */
function comparisonWithConstant(e: ir.IrExpr): { local: string; operand: ir.IrExpr; op: string; bound: bigint } | undefined {
  if (e.kind !== "binary") return undefined;
  const op = e.op;
  if (mirrored[op] === undefined) return undefined;
  if (e.left.kind === "local" && e.left.orAddressOf === undefined) {
    const bound = literalValue(e.right);
    return bound === undefined ? undefined : { local: e.left.name, operand: e.left, op, bound };
  }
  if (e.right.kind === "local" && e.right.orAddressOf === undefined) {
    const bound = literalValue(e.left);
    return bound === undefined ? undefined : { local: e.right.name, operand: e.right, op: mirrored[op]!, bound };
  }
  return undefined;
}
