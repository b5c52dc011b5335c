//! KernelScript's integer rules, written independently of the compiler: the oracle the
//! random programs are checked against (docs/language/integers.md states the same rules
//! for users). Values are exact bigints held in their type's range.
//!
//! - `+ - *` wrap around to the result type (two's complement for signed types).
//! - `/` truncates toward zero and `%` has the dividend's sign; `x / 0` is 0 and
//!   `x % 0` is `x`; `MIN / -1` wraps to MIN and `MIN % -1` is 0 (the eBPF instruction
//!   set's own definitions).
//! - `x << n` is `x * 2^n` wrapped; `x >> n` is `floor(x / 2^n)` (arithmetic for signed
//!   `x`); a count that is negative or at least the width of `x`'s type shifts every
//!   bit out (0, or -1 for a negative signed `x >> n`).
//! - `as` keeps the low bits (two's complement), from any integer type to any other.
//! - The common type of two operands: same signedness → the wider; unsigned with a
//!   strictly wider signed → that signed type; other mixes are rejected (E0303).

export type Bits = 8 | 16 | 32 | 64;

export interface IntType {
  readonly bits: Bits;
  readonly signed: boolean;
}

export const u8: IntType = { bits: 8, signed: false };
export const u16: IntType = { bits: 16, signed: false };
export const u32: IntType = { bits: 32, signed: false };
export const u64: IntType = { bits: 64, signed: false };
export const i8: IntType = { bits: 8, signed: true };
export const i16: IntType = { bits: 16, signed: true };
export const i32: IntType = { bits: 32, signed: true };
export const i64: IntType = { bits: 64, signed: true };
export const allIntTypes: readonly IntType[] = [u8, u16, u32, u64, i8, i16, i32, i64];

export type ArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^";
export type ShiftOp = "<<" | ">>";
export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

export function intName(t: IntType): string {
  return `${t.signed ? "i" : "u"}${t.bits}`;
}

export function sameInt(a: IntType, b: IntType): boolean {
  return a.bits === b.bits && a.signed === b.signed;
}

export function minOf(t: IntType): bigint {
  return t.signed ? -(1n << BigInt(t.bits - 1)) : 0n;
}

export function maxOf(t: IntType): bigint {
  return t.signed ? (1n << BigInt(t.bits - 1)) - 1n : (1n << BigInt(t.bits)) - 1n;
}

export function fits(value: bigint, t: IntType): boolean {
  return value >= minOf(t) && value <= maxOf(t);
}

/** `value` reduced into `t`'s range, keeping its low `t.bits` bits. */
export function wrap(value: bigint, t: IntType): bigint {
  return t.signed ? BigInt.asIntN(t.bits, value) : BigInt.asUintN(t.bits, value);
}

/** The common type of two integer operands, or undefined when the language rejects the mix. */
export function commonType(a: IntType, b: IntType): IntType | undefined {
  if (a.signed === b.signed) return a.bits >= b.bits ? a : b;
  const signed = a.signed ? a : b;
  const unsigned = a.signed ? b : a;
  return signed.bits > unsigned.bits ? signed : undefined;
}

/** Whether a value of `from` may be stored in `to` without `as` (widening only). */
export function widens(from: IntType, to: IntType): boolean {
  return from.signed === to.signed ? to.bits >= from.bits : to.signed && to.bits > from.bits;
}

/** Type of a literal nothing constrains: u32 if it fits, else u64; negatives i32, else i64. */
export function defaultLiteralType(value: bigint): IntType {
  if (value < 0n) return fits(value, i32) ? i32 : i64;
  return fits(value, u32) ? u32 : u64;
}

/** `a op b` in type `t` (both operands already converted to `t`). */
export function arith(op: ArithOp, t: IntType, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+": return wrap(a + b, t);
    case "-": return wrap(a - b, t);
    case "*": return wrap(a * b, t);
    // BigInt division truncates toward zero and `%` takes the dividend's sign, as C does.
    case "/": return b === 0n ? 0n : wrap(a / b, t);
    case "%": return b === 0n ? a : wrap(a % b, t);
    case "&": return wrap(a & b, t);
    case "|": return wrap(a | b, t);
    case "^": return wrap(a ^ b, t);
  }
}

/** `x op count` where `x` has type `t`; `count` is any integer value. */
export function shift(op: ShiftOp, t: IntType, x: bigint, count: bigint): bigint {
  const outOfRange = count < 0n || count >= BigInt(t.bits);
  if (op === "<<") return outOfRange ? 0n : wrap(x << count, t);
  if (outOfRange) return x < 0n ? -1n : 0n;
  // BigInt `>>` is an arithmetic shift (floor division by 2^count).
  return wrap(x >> count, t);
}

export function negate(t: IntType, x: bigint): bigint {
  return wrap(-x, t);
}

export function complement(t: IntType, x: bigint): bigint {
  return wrap(~x, t);
}

export function compare(op: CompareOp, a: bigint, b: bigint): boolean {
  switch (op) {
    case "==": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
  }
}

/** `value as to` for an integer value. */
export function castInt(value: bigint, to: IntType): bigint {
  return wrap(value, to);
}
