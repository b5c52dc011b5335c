//! KernelScript's integer rules (docs/language/integers.md) on exact bigints: every result
//! is wrapped to its type's width and signedness; division and remainder by zero, shifts
//! by any count and `MIN / -1` have the one result the language defines.

import type { IntType, Type } from "../types.js";
import type { IrArithOp } from "../ir.js";

/** The integer type a value of `t` computes in: enums as `i32`, chars and bools as `u8`. */
export function integerView(t: Type): IntType | undefined {
  switch (t.kind) {
    case "int": return t;
    case "enum": return { kind: "int", bits: 32, signed: true };
    case "char": case "bool": return { kind: "int", bits: 8, signed: false };
    default: return undefined;
  }
}

export function wrap(value: bigint, t: IntType): bigint {
  return t.signed ? BigInt.asIntN(t.bits, value) : BigInt.asUintN(t.bits, value);
}

/** `a op b` in `t`; both operands are first converted to `t` (C's usual conversions). */
export function arithmetic(op: IrArithOp, t: IntType, left: bigint, right: bigint): bigint {
  if (op === "<<" || op === ">>") return shift(op, t, wrap(left, t), right);
  const a = wrap(left, t);
  const b = wrap(right, t);
  switch (op) {
    case "+": return wrap(a + b, t);
    case "-": return wrap(a - b, t);
    case "*": return wrap(a * b, t);
    case "/": return b === 0n ? 0n : wrap(a / b, t);
    case "%": return b === 0n ? a : wrap(a % b, t);
    case "&": return wrap(a & b, t);
    case "|": return wrap(a | b, t);
    case "^": return wrap(a ^ b, t);
  }
}

/** `x << n` / `x >> n` in `t`: a count outside 0..width-1 shifts every bit out. */
export function shift(op: "<<" | ">>", t: IntType, x: bigint, count: bigint): bigint {
  const out = count < 0n || count >= BigInt(t.bits);
  if (op === "<<") return out ? 0n : wrap(x << count, t);
  if (out) return x < 0n ? -1n : 0n;
  return wrap(x >> count, t);
}

/** Byte order swap of the low `bits` bits (ntohs, htonl, …). */
export function swapBytes(value: bigint, bits: 16 | 32): bigint {
  let v = BigInt.asUintN(bits, value);
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) {
    out = (out << 8n) | (v & 0xffn);
    v >>= 8n;
  }
  return out;
}
