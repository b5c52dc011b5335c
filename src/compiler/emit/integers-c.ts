//! Integer arithmetic in C with KernelScript's rules (docs/language/integers.md), on
//! both sides. C's own rules differ in ways that change results or make them undefined:
//!
//! - C computes `u8`/`u16`/`i8`/`i16` operations in `int`, so `a + b` of two `u8` can be
//!   300 where KernelScript's `u8` result is 44: the result is cast back to its type.
//! - Signed overflow, a negative value shifted left and a shift by the width or more
//!   are undefined in C (clang may fold them to anything): `+ - *` and `<<` run on the
//!   unsigned type of the same width and convert back; shifts by a count that is not a
//!   constant below the width go through `ks_shl`/`ks_shr`/`ks_sar`, which shift every
//!   bit out for counts of 64 or more (a narrower result is then cut to its width).
//! - Division by zero is undefined in C (and traps in user space); signed division
//!   does not compile at all for eBPF with clang 14 ("Unsupport signed division").
//!   `ks_udiv`/`ks_umod`/`ks_sdiv`/`ks_smod` give the eBPF instruction set's answers:
//!   `x / 0 == 0`, `x % 0 == x`, `MIN / -1 == MIN`, `MIN % -1 == 0`, and signed
//!   division on unsigned instructions.
//!
//! `& | ^` and `~` on 32/64-bit values, and shifts right by constants, need nothing.

import type * as ir from "../ir.js";
import type { IntType, Type } from "../types.js";
import type { CWriter } from "./c-writer.js";
import { cTypeName } from "./c-types.js";

export type IntegerHelper = "ks_udiv" | "ks_umod" | "ks_sdiv" | "ks_smod" | "ks_shl" | "ks_shr" | "ks_sar";

/** C text of an integer operation and the helpers it calls. */
export interface IntegerText {
  readonly text: string;
  readonly helpers: readonly IntegerHelper[];
}

type Op = ir.IrArithOp;

/** The integer type arithmetic on `t` follows (enums are `u32`, chars `u8`), if any. */
export function integerTypeOf(t: Type): IntType | undefined {
  if (t.kind === "int") return t.byteOrder === "big" ? undefined : t;
  return undefined;
}

function unsignedOfWidth(t: IntType): string {
  return t.bits === 64 ? "__u64" : "__u32";
}

/** Whether C's own `op` on `t` already means what KernelScript means. */
function plainInC(op: Op, t: IntType): boolean {
  if (op === "&" || op === "|" || op === "^") return true;
  return (op === "+" || op === "-" || op === "*") && !t.signed && t.bits >= 32;
}

/**
 * `left op right` with result type `t` (the operands' common type; for shifts the
 * left operand's type). `count` is the right operand's value when it is a constant.
 */
export function integerBinary(op: Op, t: IntType, left: string, right: string, count: bigint | undefined): IntegerText {
  const T = cTypeName(t);
  const U = unsignedOfWidth(t);
  if (plainInC(op, t)) return { text: `(${left} ${op} ${right})`, helpers: [] };
  switch (op) {
    case "+": case "-": case "*":
      return { text: `((${T})((${U})${left} ${op} (${U})${right}))`, helpers: [] };
    case "/": case "%": {
      if (count !== undefined && count > 0n && !t.signed) return { text: `(${left} ${op} ${right})`, helpers: [] };
      const helper: IntegerHelper = t.signed ? (op === "/" ? "ks_sdiv" : "ks_smod") : (op === "/" ? "ks_udiv" : "ks_umod");
      const wide = t.signed ? "__s64" : "__u64";
      return { text: `((${T})${helper}((${wide})${left}, (${wide})${right}))`, helpers: [helper] };
    }
    case "<<": {
      if (count !== undefined && count >= 0n && count < BigInt(t.bits)) {
        if (!t.signed && t.bits >= 32) return { text: `(${left} << ${right})`, helpers: [] };
        return { text: `((${T})((${U})${left} << ${right}))`, helpers: [] };
      }
      return { text: `((${T})ks_shl((__u64)${left}, (__u64)${right}))`, helpers: ["ks_shl"] };
    }
    case ">>": {
      if (count !== undefined && count >= 0n && count < BigInt(t.bits)) return { text: `(${left} >> ${right})`, helpers: [] };
      if (t.signed) return { text: `((${T})ks_sar((__s64)${left}, (__u64)${right}))`, helpers: ["ks_sar"] };
      return { text: `((${T})ks_shr((__u64)${left}, (__u64)${right}))`, helpers: ["ks_shr"] };
    }
    default:
      return { text: `(${left} ${op} ${right})`, helpers: [] };
  }
}

/** `-x` (signed `t` only: wraps at MIN) and `~x` (narrow types cut back to their width). */
export function integerUnary(op: "-" | "~", t: IntType, operand: string): string {
  const T = cTypeName(t);
  if (op === "-") return `((${T})-(${unsignedOfWidth(t)})${operand})`;
  return t.bits >= 32 ? `(~${operand})` : `((${T})~${operand})`;
}

/**
 * `target op= value` as a C statement (without `;`). `simpleTarget`: the place has no
 * side effects and is cheap, so it may be written twice (`t = f(t, v)`); otherwise a
 * pointer to it is taken once.
 */
export function integerCompound(op: Op, t: IntType, target: string, value: string, count: bigint | undefined, simpleTarget: boolean): IntegerText {
  if (plainInC(op, t) || plainWithConstant(op, t, count)) return { text: `${target} ${op}= ${value}`, helpers: [] };
  if (op === "+" || op === "-" || op === "*") {
    // The arithmetic runs in the unsigned type (int + unsigned int is unsigned); storing
    // the result back converts it modulo the target's width.
    return { text: `${target} ${op}= (${unsignedOfWidth(t)})${value}`, helpers: [] };
  }
  if (simpleTarget) {
    const result = integerBinary(op, t, target, value, count);
    return { text: `${target} = ${result.text}`, helpers: result.helpers };
  }
  const result = integerBinary(op, t, "(*__ks_place)", value, count);
  return { text: `{ ${cTypeName(t)} *__ks_place = &${target}; *__ks_place = ${result.text}; }`, helpers: result.helpers };
}

/** `x op= c` with this constant `c` is already defined in C with KernelScript's meaning. */
function plainWithConstant(op: Op, t: IntType, count: bigint | undefined): boolean {
  if (count === undefined) return false;
  const inRange = count >= 0n && count < BigInt(t.bits);
  if (op === ">>") return inRange;
  // A narrow unsigned value shifted in `int` by less than its width cannot overflow.
  if (op === "<<") return inRange && !t.signed;
  return (op === "/" || op === "%") && count > 0n && !t.signed;
}

/** The value of an expression made only of integer literals, folded exactly (as the checker does). */
export function literalValue(e: ir.IrExpr): bigint | undefined {
  // A question about three kinds, not a walk: every other kind has no literal value.
  if (e.kind === "int") return e.type.kind === "int" ? e.value : undefined;
  if (e.kind === "unary") {
    // `-literal` is a literal; `~literal` is not (the checker gives it a type first).
    const v = e.op === "-" ? literalValue(e.operand) : undefined;
    return v === undefined ? undefined : -v;
  }
  if (e.kind !== "binary") return undefined;
  const a = literalValue(e.left);
  const b = literalValue(e.right);
  if (a === undefined || b === undefined) return undefined;
  const inRange = b >= 0n && b < 64n;
  const folded: Readonly<Record<string, () => bigint | undefined>> = {
    "+": () => a + b, "-": () => a - b, "*": () => a * b,
    "/": () => (b === 0n ? undefined : a / b), "%": () => (b === 0n ? undefined : a % b),
    "&": () => a & b, "|": () => a | b, "^": () => a ^ b,
    "<<": () => (inRange ? a << b : undefined), ">>": () => (inRange ? a >> b : undefined),
  };
  return folded[e.op]?.();
}

/** The helpers the compound-operator accessors (`ks_<map>_<op>`) of `maps` call. */
export function accessorHelpers(maps: readonly ir.IrMap[], used: ReadonlyMap<string, ReadonlySet<string>>, accessorOps: Readonly<Record<Op, string>>): Set<IntegerHelper> {
  const helpers = new Set<IntegerHelper>();
  for (const map of maps) {
    const t = integerTypeOf(map.valueType);
    const accessors = used.get(map.name);
    if (!t || !accessors) continue;
    for (const [op, name] of Object.entries(accessorOps) as [Op, string][]) {
      if (accessors.has(name)) integerBinary(op, t, "x", "y", undefined).helpers.forEach((h) => helpers.add(h));
    }
  }
  return helpers;
}

/** Whether writing `p` twice (`p = f(p, v)`) evaluates nothing twice that matters. */
export function isSimplePlace(p: ir.IrPlace): boolean {
  switch (p.kind) {
    case "local": case "global": case "entry": return true;
    case "field": return isSimpleExpr(p.target);
    case "index": return isSimpleExpr(p.target) && isSimpleExpr(p.index);
    case "deref": return isSimpleExpr(p.pointer);
  }
}

function isSimpleExpr(e: ir.IrExpr): boolean {
  // Names, constants and operations on them; every other kind may have effects or cost.
  if (e.kind === "local" || e.kind === "global" || e.kind === "entry" || e.kind === "int" || e.kind === "constant" || e.kind === "bool") return true;
  if (e.kind === "field") return isSimpleExpr(e.target);
  if (e.kind === "index") return isSimpleExpr(e.target) && isSimpleExpr(e.index);
  if (e.kind === "cast") return isSimpleExpr(e.expr);
  if (e.kind === "unary") return isSimpleExpr(e.operand);
  if (e.kind === "binary") return isSimpleExpr(e.left) && isSimpleExpr(e.right);
  return false;
}

/** The helper functions used, for one side's C file (eBPF: always inline; user space and modules: static inline). */
export function emitIntegerHelpers(w: CWriter, side: "kernel" | "user" | "module", used: ReadonlySet<IntegerHelper>): void {
  if (used.size === 0) return;
  const fn = side === "kernel" ? "static __always_inline __attribute__((unused))" : side === "user" ? "static inline KS_UNUSED" : "static inline __maybe_unused";
  w.comment("integer rules (docs/language/integers.md): x / 0 is 0, x % 0 is x, MIN / -1 is MIN;");
  w.comment("shifts by 64 or more shift every bit out; signed division on unsigned instructions");
  const magnitude = (x: string): string => `(${x} < 0 ? -(__u64)${x} : (__u64)${x})`;
  if (used.has("ks_udiv")) w.line(`${fn} __u64 ks_udiv(__u64 a, __u64 b) { return b ? a / b : 0; }`);
  if (used.has("ks_umod")) w.line(`${fn} __u64 ks_umod(__u64 a, __u64 b) { return b ? a % b : a; }`);
  if (used.has("ks_sdiv")) {
    w.block(`${fn} __s64 ks_sdiv(__s64 a, __s64 b)`, () => {
      w.line(`__u64 ua = ${magnitude("a")}, ub = ${magnitude("b")};`);
      w.line("__u64 q = ub ? ua / ub : 0;");
      w.line("return (__s64)((a < 0) != (b < 0) ? -q : q);");
    });
  }
  if (used.has("ks_smod")) {
    w.block(`${fn} __s64 ks_smod(__s64 a, __s64 b)`, () => {
      w.line(`__u64 ua = ${magnitude("a")}, ub = ${magnitude("b")};`);
      w.line("__u64 r = ub ? ua % ub : ua;");
      w.line("return (__s64)(a < 0 ? -r : r);");
    });
  }
  if (used.has("ks_shl")) w.line(`${fn} __u64 ks_shl(__u64 x, __u64 n) { return n < 64 ? x << n : 0; }`);
  if (used.has("ks_shr")) w.line(`${fn} __u64 ks_shr(__u64 x, __u64 n) { return n < 64 ? x >> n : 0; }`);
  if (used.has("ks_sar")) w.line(`${fn} __s64 ks_sar(__s64 x, __u64 n) { return x >> (n < 64 ? n : 63); }`);
  w.line();
}
