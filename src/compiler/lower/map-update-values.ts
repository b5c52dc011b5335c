//! The value a map update leaves in its entry, where the program reads it:
//! `(m[k] += v)` used as a value (check/compound-values.ts), and the reads of the same
//! entry right after an update, combined with it.
//!
//! Combined reads: `counts[src] += 1; if (counts[src] > limit) { … }`
//! is two lookups as written (the update's, then the read's). In eBPF the update's
//! accessor can give the entry's value after it (`mapCompound.result`: a fetch-and-add
//! on a 64-bit shared entry, so the value this CPU's update made), and the reads of the
//! next statement use that value instead of looking the entry up again.
//!
//! Why that is the same program: with nothing between the update and the read that can
//! change which entry the key names or what it holds, the only other writers are other
//! CPUs (and user space), and a read right after the update is one of the outcomes the
//! program already had (those writers may as well come after the read). A deleted or
//! evicted entry reads as zero either way, and an entry that could not be created (a
//! full hash map) gives zero from the update as from the read.
//!
//! The rule is conservative, checked on the syntax before lowering:
//! - the update is `m[k] op= v` on a map of integers (eBPF side only);
//! - the key `k` is made of literals, constants, locals and parameters (not lookup
//!   aliases), their fields (by value, or through a packet-header binding or the
//!   program's context, which no other CPU writes), casts and operators: nothing that
//!   calls, reads a map, a global or other memory another CPU writes;
//! - the reads are in the very next statement, in its own expressions (an `if`
//!   condition, a `var` initializer, an assigned value, a returned value, an expression
//!   statement; not in nested blocks), with the same key written the same way (the same
//!   variables, literals, fields and operators);
//! - that statement's own expressions call nothing (byte-order conversions aside), make
//!   no object, update nothing as a value and hold no `match`, so nothing runs before the
//!   read that could write the map or the key's variables.
//!
//! Presence, then update: `if (m[k] != null) { m[k] += 1; … }` is two lookups as written
//! (the test's, then the update's). Lowered as `if (var e = m[k]) { e += 1; … }` it is
//! one, and the update is the same (atomic on a shared map, as through any binding). The
//! same argument holds: between the test and the update only other CPUs can change the
//! entry, and an entry deleted in between gets the update in the memory it had, the
//! outcome of the deletion coming right after the update. The rule (`presenceUpdate`):
//! - eBPF side; the condition is exactly `m[k] != null` on a map of integers;
//! - the key is stable (as above), and the then-block's first statement is `m[k] op= v`
//!   with the same key written the same way, whose `v` has no effects (as above);
//! - that update is not followed by reads it combines with (that pair shares a lookup
//!   already).
//! It does not apply to `if (m[k] != null) { k += 1; m[k] += 1 }` (the update is not
//! first: the key's variable moved), to `m[j] += 1` under `m[k] != null`, or to
//! `m[k] += f(x)` (a call runs between the test and the update and may write the map).

import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import { byteOrderBuiltins, fixedLayoutStructs } from "../kernel/headers.js";
import { objectMapValue } from "../check/object-maps.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { FunctionLowering } from "./lower.js";
import { InternalError } from "./lower.js";
import { coerce } from "./lower-strings.js";
import { atomicCapable } from "../kernel/builtins.js";

/**
 * `(m[k] += v)`: the update, hoisted before the rest of the statement (the checker made
 * sure nothing before it in the statement can tell), and the local holding the entry's
 * value after it. `used`: whether the value is read (not as `(m[k] += v)` alone).
 */
export function lowerUpdateValue(l: FunctionLowering, expr: ast.AssignExpr, used: boolean): ir.IrExpr {
  const target = unparenthesize(expr.target);
  const map = target.kind === "IndexExpr" ? l.mapName(unparenthesize(target.target)) : undefined;
  if (target.kind !== "IndexExpr" || !map || (expr.op !== "+=" && expr.op !== "-=")) throw new InternalError("unchecked update value");
  const type = l.mapType(map);
  const key = coerce(l.expr(target.index), type.key);
  const value = coerce(l.expr(expr.value), type.value);
  const result = { name: l.temporary("updated"), type: type.value };
  const op = expr.op === "+=" ? "+" : "-";
  l.pending.push(used ? { kind: "mapCompound", map, key, op, value, result, span: expr.span } : { kind: "mapCompound", map, key, op, value, span: expr.span });
  return { kind: "local", name: result.name, type: type.value, span: expr.span };
}

/** `(m[k] += v)` alone as a statement: the update, without keeping its value. */
export function lowerUpdateStatement(l: FunctionLowering, expr: ast.AssignExpr): ir.IrStmt[] {
  return l.withPrelude(() => lowerUpdateValue(l, expr, false)).prelude;
}

/** Statements in order, each update followed by reads it can serve lowered as one. */
export function lowerStatements(l: FunctionLowering, statements: readonly ast.Stmt[]): ir.IrStmt[] {
  const out: ir.IrStmt[] = [];
  for (let i = 0; i < statements.length; i++) {
    const stmt = statements[i]!;
    const next = statements[i + 1];
    const reads = next ? combinableReads(l, stmt, next) : noReads;
    const lowered = l.statement(stmt);
    const update = lowered[lowered.length - 1];
    if (!next || reads.length === 0 || update?.kind !== "mapCompound") {
      for (let j = 0; j < lowered.length; j++) out.push(lowered[j]!);
      continue;
    }
    // The update keeps its value for `reads`, then the statement holding them is lowered.
    // If lowering took another path for those reads after all (none used the value), the
    // update keeps its plain form.
    const result = { name: l.temporary("updated"), type: l.mapType(update.map).value };
    const following = l.combinedReads.serving(reads, result, () => l.statement(next));
    out.push(...lowered.slice(0, -1), following.used ? { ...update, result } : update, ...following.value);
    i++;
  }
  return out;
}

/**
 * `if (m[k] != null) { m[k] op= v; rest }` as `if (var e = m[k]) { e op= v; rest }`
 * (the file comment: "Presence, then update"); undefined when the rule does not apply.
 */
export function presenceUpdate(l: FunctionLowering, stmt: ast.IfStmt, lowerElse: () => ir.IrStmt[] | undefined): ir.IrStmt | undefined {
  if (l.side !== "kernel" || stmt.binding) return undefined;
  const condition = unparenthesize(stmt.condition);
  if (condition.kind !== "BinaryExpr" || condition.op !== "!=") return undefined;
  const tested = condition.right.kind === "NullLiteral" ? unparenthesize(condition.left) : condition.left.kind === "NullLiteral" ? unparenthesize(condition.right) : undefined;
  if (tested?.kind !== "IndexExpr") return undefined;
  const map = l.mapName(tested.target);
  if (!map) return undefined;
  const type = l.mapType(map);
  if (objectMapValue(type.value) || !isIntegerLike(type.value) || !stableKey(l, tested.index)) return undefined;
  const [first, second] = stmt.then.statements;
  if (first?.kind !== "AssignStmt" || first.op === "=") return undefined;
  const target = unparenthesize(first.target);
  if (target.kind !== "IndexExpr" || l.mapName(target.target) !== map || !sameKey(l, target.index, tested.index)) return undefined;
  if (!withoutEffects(l, first.value) || (second && combinableReads(l, first, second).length > 0)) return undefined;
  const binding = l.temporary("entry");
  const op = first.op.slice(0, -1) as ir.IrArithOp;
  const update: ir.IrStmt = {
    kind: "assign", target: { kind: "entry", name: binding, type: type.value }, op, value: coerce(l.expr(first.value), type.value),
    atomic: atomicCapable(op, type.value) && l.sharedMemory.isSharedMap(map), span: first.span,
  };
  return {
    kind: "ifMapEntry", binding, map, key: coerce(l.expr(tested.index), type.key), keyType: type.key, valueType: type.value,
    then: [update, ...l.block(stmt.then.statements.slice(1))], else: lowerElse(), span: stmt.span,
  };
}

/** The reads (syntax nodes) currently served by an update's value, and which were used. */
export class CombinedReads {
  private readonly served = new Map<ast.IndexExpr, { readonly name: string; readonly type: Type }>();
  private readonly used = new Set<ast.IndexExpr>();

  serving<T>(reads: readonly ast.IndexExpr[], result: { readonly name: string; readonly type: Type }, lower: () => T): { value: T; used: boolean } {
    for (const read of reads) this.served.set(read, result);
    const value = lower();
    for (const read of reads) this.served.delete(read);
    return { value, used: reads.some((read) => this.used.has(read)) };
  }

  /** The local holding the value `read` would read, if an update serves it. */
  use(read: ast.IndexExpr): ir.IrExpr | undefined {
    const result = this.served.get(read);
    if (!result) return undefined;
    this.used.add(read);
    return { kind: "local", name: result.name, type: result.type, span: read.span };
  }
}

/** The reads of `next` that can take the value `update` leaves in the entry (empty: none). */
/** The answer for most statement pairs, shared: this is asked for every statement that has a next one. */
const noReads: readonly ast.IndexExpr[] = [];

function combinableReads(l: FunctionLowering, update: ast.Stmt, next: ast.Stmt): readonly ast.IndexExpr[] {
  // The statement's kind first: it is the cheapest test, and rules out most statements.
  if (update.kind !== "AssignStmt" || update.op === "=" || l.side !== "kernel") return noReads;
  const target = unparenthesize(update.target);
  if (target.kind !== "IndexExpr") return noReads;
  const map = l.mapName(target.target);
  if (!map) return noReads;
  const value = l.mapType(map).value;
  if (objectMapValue(value) || !isIntegerLike(value) || !stableKey(l, target.index)) return noReads;
  const expressions = ownExpressions(next);
  if (!expressions.every((e) => withoutEffects(l, e))) return noReads;
  const reads: ast.IndexExpr[] = [];
  const collect = (node: ast.Node): void => {
    if (node.kind === "IndexExpr" && l.mapName(node.target) === map && sameKey(l, node.index, target.index)) {
      reads.push(node);
      return;
    }
    // `m[k] != null` and `&m[k]` ask about the entry itself, not its value.
    if (node.kind === "BinaryExpr" && (node.left.kind === "NullLiteral" || node.right.kind === "NullLiteral")) return;
    if (node.kind === "UnaryExpr" && node.op === "&") return;
    forEachChild(node, collect);
  };
  expressions.forEach(collect);
  return reads;
}

function isIntegerLike(t: Type): boolean {
  return t.kind === "int" || t.kind === "enum" || t.kind === "char" || t.kind === "bool";
}

/** The expressions a statement evaluates itself, before any nested block (none: it is not a candidate). */
function ownExpressions(s: ast.Stmt): readonly ast.Expr[] {
  switch (s.kind) {
    case "IfStmt": return s.binding ? [] : [s.condition];
    case "VarStmt": return s.init ? [s.init] : [];
    case "AssignStmt": return [s.value];
    case "ReturnStmt": return s.value ? [s.value] : [];
    case "ExprStmt": return [s.expr];
    default: return [];
  }
}

/** Nothing in `e` runs code or writes memory: no calls (byte-order conversions aside), no `new`, no `match`. */
function withoutEffects(l: FunctionLowering, e: ast.Node): boolean {
  if (e.kind === "MatchExpr" || e.kind === "NewExpr" || e.kind === "AssignExpr" || e.kind === "ErrorExpr") return false;
  if (e.kind === "CallExpr") {
    const callee = unparenthesize(e.callee);
    const builtin = callee.kind === "NameExpr" && byteOrderBuiltins.has(callee.name.name) && !l.semantics.references.has(callee);
    if (!builtin) return false;
  }
  if (l.semantics.implicitPacketReads.has(e as ast.Expr)) return false;
  let ok = true;
  forEachChild(e, (child) => { ok &&= withoutEffects(l, child); });
  return ok;
}

/** A key whose value nothing but this function's own statements can change. */
function stableKey(l: FunctionLowering, e: ast.Expr): boolean {
  if (l.semantics.implicitPacketReads.has(e)) return false;
  switch (e.kind) {
    case "IntLiteral": case "CharLiteral": case "BoolLiteral": case "SizeofExpr": return true;
    case "ParenExpr": return stableKey(l, e.expr);
    case "CastExpr": return stableKey(l, e.expr);
    case "UnaryExpr": return e.op !== "*" && e.op !== "&" && stableKey(l, e.operand);
    case "BinaryExpr": return stableKey(l, e.left) && stableKey(l, e.right);
    case "NameExpr": {
      const symbol = l.semantics.references.get(e);
      return symbol?.kind === "constant" || (symbol?.kind === "local" && !symbol.mapAlias && symbol.type.kind !== "function");
    }
    case "FieldExpr": {
      const base = unparenthesize(e.target);
      if (base.kind !== "NameExpr" || !stableKey(l, base)) return false;
      const t = l.typeOf(base);
      if (t.kind === "struct") return true;
      return t.kind === "pointer" && t.target.kind === "struct" && (t.header === true || (t.target.origin === "kernel" && fixedLayoutStructs.has(t.target.name)));
    }
    default: return false;
  }
}

/** The same key written the same way: the same variables, constants, literals, fields and operators. */
function sameKey(l: FunctionLowering, a: ast.Expr, b: ast.Expr): boolean {
  const x = unparenthesize(a);
  const y = unparenthesize(b);
  if (x.kind === "IntLiteral" && y.kind === "IntLiteral") return x.value === y.value;
  if (x.kind === "CharLiteral" && y.kind === "CharLiteral") return x.value === y.value;
  if (x.kind === "BoolLiteral" && y.kind === "BoolLiteral") return x.value === y.value;
  if (x.kind === "NameExpr" && y.kind === "NameExpr") {
    const sx = l.semantics.references.get(x);
    return sx !== undefined && sx === l.semantics.references.get(y);
  }
  if (x.kind === "FieldExpr" && y.kind === "FieldExpr") return x.field.name === y.field.name && x.arrow === y.arrow && sameKey(l, x.target, y.target);
  if (x.kind === "UnaryExpr" && y.kind === "UnaryExpr") return x.op === y.op && sameKey(l, x.operand, y.operand);
  if (x.kind === "BinaryExpr" && y.kind === "BinaryExpr") return x.op === y.op && sameKey(l, x.left, y.left) && sameKey(l, x.right, y.right);
  if (x.kind === "CastExpr" && y.kind === "CastExpr") return sameType(l.typeOf(x), l.typeOf(y)) && sameKey(l, x.expr, y.expr);
  if (x.kind === "SizeofExpr" && y.kind === "SizeofExpr") {
    const tx = l.semantics.typeOperands.get(x.type);
    const ty = l.semantics.typeOperands.get(y.type);
    return tx !== undefined && ty !== undefined && sameType(tx, ty);
  }
  return false;
}

function sameType(a: Type, b: Type): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
