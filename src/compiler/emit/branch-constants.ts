//! A local that is one of two constants, chosen by a bool local, set in the branch that
//! tests the bool (eBPF side).
//!
//!     var tagged = eth.h_proto == htons(ETH_P_8021Q)
//!     var l3 = ETH_HLEN + (tagged as u32) * VLAN_HLEN
//!     …
//!     if (tagged) { … }
//!
//! BPF has no set-on-condition: written as it reads, `l3` is a select, which clang turns
//! into a branch of its own (`r1 = 18; if r8 == 0x81 goto +1; r1 = 14`) after the code
//! between, and `tagged` is kept alive in a register until then. Hand-written C assigns
//! the value inside the `if` that tests the tag. So the C declares `l3` with its value
//! when `tagged` is false and assigns the value when true first thing in that `if`'s
//! then-branch: `__u32 l3 = 14; … if (tagged) { l3 = 18; … }`. clang then keeps a phi of
//! two constants (no compare, and the offset folds into the pointer the branch computes).
//!
//! The same program, by these rules (checked on the IR of one statement list):
//! - the declaration's initializer folds to a constant for each value of the bool: it is
//!   made of integer literals, named constants, the bool local (through `as`) and the
//!   operators `+ - * & | ^ << >> ~ -` and `as` between integer types, folded with the
//!   language's rules (docs/language/integers.md: wrapped to the result type);
//! - the bool is a local declared earlier in the same list, whose address is not taken
//!   from there to the `if`;
//! - a later statement of the same list is `if (bool)`, and the statements between the
//!   declaration and it neither name the local in any way (read, write, address, a
//!   declaration or binding of the same name, nested bodies included) nor change the
//!   bool (reading it is fine): nothing between can see the local, and the bool still
//!   has the value the initializer read, so inside the then-branch the local has its
//!   "true" value and elsewhere its "false" value, as written.

import type * as ir from "../ir.js";
import type { IntType } from "../types.js";
import { statementParts, walkExpression, walkStatement } from "../ir-walk.js";
import { integerTypeOf } from "./integers-c.js";

/** A declaration's two values: `whenFalse` in the declaration, `whenTrue` assigned in the `if`. */
export interface BranchConstant {
  readonly name: string;
  /** The bool local the value follows. */
  readonly bool: string;
  readonly type: IntType;
  readonly whenFalse: bigint;
  readonly whenTrue: bigint;
  readonly declaration: Extract<ir.IrStmt, { kind: "declare" }>;
}

/** The statements of a list this rule rewrites: declarations, and the `if`s that set them. */
export interface BranchConstants {
  readonly declarations: ReadonlyMap<ir.IrStmt, BranchConstant>;
  readonly branches: ReadonlyMap<ir.IrStmt, readonly BranchConstant[]>;
}

/** The declarations of `list` (not nested ones) set in a later branch, if any. */
export function branchConstants(list: readonly ir.IrStmt[]): BranchConstants | undefined {
  let result: { declarations: Map<ir.IrStmt, BranchConstant>; branches: Map<ir.IrStmt, BranchConstant[]> } | undefined;
  list.forEach((s, i) => {
    const found = s.kind === "declare" ? candidate(s) : undefined;
    if (!found) return;
    const branch = testingBranch(list, i, found.name, found.bool);
    if (!branch) return;
    result ??= { declarations: new Map(), branches: new Map() };
    result.declarations.set(s, found.constant);
    const set = result.branches.get(branch) ?? [];
    set.push(found.constant);
    result.branches.set(branch, set);
  });
  return result;
}

function candidate(s: Extract<ir.IrStmt, { kind: "declare" }>): { name: string; bool: string; constant: BranchConstant } | undefined {
  const type = integerTypeOf(s.type);
  if (!s.init || s.unread || !type) return undefined;
  const bool = onlyBoolLocal(s.init);
  if (bool === undefined) return undefined;
  const whenFalse = fold(s.init, bool, false);
  const whenTrue = fold(s.init, bool, true);
  if (whenFalse === undefined || whenTrue === undefined) return undefined;
  return { name: s.name, bool, constant: { name: s.name, bool, type, whenFalse: wrap(whenFalse, type), whenTrue: wrap(whenTrue, type), declaration: s } };
}

/** The one bool local `e` reads, if it reads exactly one (and no other local). */
function onlyBoolLocal(e: ir.IrExpr): string | undefined {
  let name: string | undefined;
  let other = false;
  walkExpression<undefined>(e, {
    expression: (x) => {
      if (x.kind !== "local") return;
      if (x.type.kind !== "bool" || x.orAddressOf !== undefined || (name !== undefined && name !== x.name)) other = true;
      else name = x.name;
    },
  }, undefined);
  return other ? undefined : name;
}

/** `e` with the local `bool` taken as `value`, folded; undefined when it is not made of constants. */
function fold(e: ir.IrExpr, bool: string, value: boolean): bigint | undefined {
  // A question about the few kinds a constant is made of, not a walk: any other kind
  // (a call, a field, a map) makes the initializer something this rule leaves alone.
  const t = integerTypeOf(e.type);
  if (e.kind === "local") return e.name === bool && e.type.kind === "bool" ? (value ? 1n : 0n) : undefined;
  if (e.kind === "bool") return e.value ? 1n : 0n;
  if (!t) return undefined;
  if (e.kind === "int" || e.kind === "constant") return wrap(e.value, t);
  if (e.kind === "cast") {
    const inner = fold(e.expr, bool, value);
    return inner !== undefined && (e.expr.type.kind === "bool" || integerTypeOf(e.expr.type)) ? wrap(inner, t) : undefined;
  }
  if (e.kind === "unary") {
    const operand = integerTypeOf(e.operand.type) ? fold(e.operand, bool, value) : undefined;
    if (operand === undefined) return undefined;
    return e.op === "~" ? wrap(~operand, t) : e.op === "-" ? wrap(-operand, t) : undefined;
  }
  if (e.kind !== "binary" || !integerTypeOf(e.left.type) || !integerTypeOf(e.right.type)) return undefined;
  const a = fold(e.left, bool, value);
  const b = fold(e.right, bool, value);
  if (a === undefined || b === undefined) return undefined;
  switch (e.op) {
    case "+": return wrap(a + b, t);
    case "-": return wrap(a - b, t);
    case "*": return wrap(a * b, t);
    case "&": return wrap(a & b, t);
    case "|": return wrap(a | b, t);
    case "^": return wrap(a ^ b, t);
    // Counts inside the width only (the rules for the others are left to the C).
    case "<<": return b >= 0n && b < BigInt(t.bits) ? wrap(a << b, t) : undefined;
    case ">>": return b >= 0n && b < BigInt(t.bits) ? wrap(a >> b, t) : undefined;
    default: return undefined;
  }
}

/** `v` wrapped to `t` (two's complement for signed types). */
function wrap(v: bigint, t: IntType): bigint {
  const bits = BigInt(t.bits);
  const low = v & ((1n << bits) - 1n);
  return t.signed && low >= 1n << (bits - 1n) ? low - (1n << bits) : low;
}

/**
 * The `if (bool)` of `list` after `declaration` (the index of `name`'s), when no statement
 * between names `name` and none changes `bool` (a write, a declaration or binding of the
 * name, its address). `bool` must be declared earlier in the same list, and its address
 * not taken since: no pointer made before can change it in between either.
 */
function testingBranch(list: readonly ir.IrStmt[], declaration: number, name: string, bool: string): ir.IrStmt | undefined {
  const boolDeclaration = list.findIndex((s, i) => i < declaration && s.kind === "declare" && s.name === bool);
  if (boolDeclaration < 0) return undefined;
  for (let j = boolDeclaration + 1; j < list.length; j++) {
    const s = list[j]!;
    if (j > declaration && s.kind === "if" && s.condition.kind === "local" && s.condition.name === bool) return s;
    if (j <= declaration ? addressTaken(s, bool) : changes(s, bool, false) || changes(s, name, true)) return undefined;
  }
  return undefined;
}

/** Whether `s` takes the address of the local `name`. */
function addressTaken(s: ir.IrStmt, name: string): boolean {
  let found = false;
  walkStatement<undefined>(s, { expression: (e) => { if (isAddressOf(e, name)) found = true; } }, undefined);
  return found;
}

function isAddressOf(e: ir.IrExpr, name: string): boolean {
  return (e.kind === "local" && e.orAddressOf === name) || (e.kind === "escapeSlot" && e.local === name) ||
    (e.kind === "unary" && e.op === "&" && e.operand.kind === "local" && e.operand.name === name);
}

/**
 * Whether `s` may change the local `name` (writes it, declares or binds the same name,
 * takes its address) or, when `reads`, also whether it reads it.
 */
function changes(s: ir.IrStmt, name: string, reads: boolean): boolean {
  let found = false;
  walkStatement<undefined>(s, {
    statement: (t) => {
      const parts = statementParts(t);
      if (parts.declares.includes(name) || parts.scoped.includes(name) || (t.kind === "print" && t.result === name)) found = true;
    },
    place: (p) => { if (p.kind === "local" && p.name === name) found = true; },
    expression: (e) => {
      if (isAddressOf(e, name) || (reads && e.kind === "local" && e.name === name)) found = true;
    },
    body: (body) => { if (body.binds.includes(name)) found = true; return undefined; },
  }, undefined);
  return found;
}
