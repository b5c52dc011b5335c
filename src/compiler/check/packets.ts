//! Safe packet access: `if (var h: *T = ctx.header(offset)) { … } else { … }`.
//!
//! The binding is the bounds check: inside the then-branch `h` points at `sizeof(T)`
//! bytes proven to lie before `data_end`, and reads and writes through it need nothing
//! else. Everything that would reach packet memory without such a proof is an error
//! here, never a verifier rejection at load time:
//! - raw packet pointers (`ctx.data`) cannot be dereferenced, indexed or cast (E0401,
//!   E0409 for writes);
//! - a header pointer cannot leave its binding (E0404) or be moved by arithmetic (the
//!   result is a raw packet pointer again);
//! - the offset must have a provable upper bound (E0405), derived from literals,
//!   `sizeof`, bitfield widths, masks, narrow types and unmodified locals (E0406);
//! - arrays inside headers take constant indexes below their length (E0408).

import type { RangeReason } from "../diagnostics/catalog/safety.js";
import type * as ast from "../ast.js";
import { unparenthesize } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import * as implicitMeanings from "../diagnostics/catalog/implicit-meanings.js";
import * as programTypeErrors from "../diagnostics/catalog/program-types.js";
import { programTypes } from "../kernel/program-types.js";
import { packetConstants, packetHeaderByName, packetHeaderLayouts } from "../kernel/headers.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { errorType, sizeOf, typeToString } from "../types.js";
import { concreteType, integerLimits } from "./conversions.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, fieldNamed } from "./expressions.js";
import type { ValueRange } from "./packet-facts.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import { closestName } from "../suggest.js";
import { constantInteger } from "./constants.js";
import { isNetworkOrder, networkConversions } from "./byte-order.js";

/** The verifier's MAX_PACKET_OFF: a packet pointer's offset plus access stays below it. */
const maxPacketOffset = 0xffffn;
/** The contexts that carry packet pointers: those of program types with direct packet access. */
const networkContexts: ReadonlySet<string> = new Set(
  programTypes.flatMap((info) => (info.packetAccess === "direct" && info.contextStruct ? [info.contextStruct] : [])),
);
const contextMethods = ["header"];

/** Registers the header structs and protocol constants. */
export function declarePacketBuiltins(ctx: CheckContext): void {
  for (const layout of packetHeaderLayouts) ctx.structs.set(layout.name, layout);
  for (const constant of packetConstants) {
    ctx.globalScope.declare(constant.name, {
      kind: "constant", name: constant.name, value: constant.value, type: constant.type, inC: false, span: undefined,
    });
  }
}

export function isBuiltinHeader(name: string): boolean {
  return packetHeaderByName.has(name);
}

export function reportHeaderRedefinition(ctx: CheckContext, name: ast.Ident): void {
  const fields = packetHeaderByName.get(name.name)?.fields.map((f) => `\`${f.name}\``).join(", ") ?? "";
  ctx.diags.report(nameErrors.builtinHeaderRedefined, name.span, name.name, fields);
}

/** `ctx.header(…)` (through parentheses), or undefined. */
export function headerCall(expr: ast.Expr): (ast.CallExpr & { readonly callee: ast.FieldExpr }) | undefined {
  const e = unparenthesize(expr);
  if (e.kind !== "CallExpr" || e.callee.kind !== "FieldExpr" || e.callee.field.name !== "header") return undefined;
  return e as ast.CallExpr & { readonly callee: ast.FieldExpr };
}

export function isNetworkContext(t: Type): boolean {
  return t.kind === "pointer" && t.target.kind === "struct" && networkContexts.has(t.target.name);
}

/** Checks `if (var h: *T = ctx.header(off))` and returns the binding's type. */
export function checkHeaderBinding(c: ExprChecker, scope: Scope, stmt: ast.IfStmt, call: ast.CallExpr & { readonly callee: ast.FieldExpr }): Type {
  const { ctx } = c;
  ctx.exprTypes.set(call.callee, errorType);
  const contextType = checkExpr(c, scope, call.callee.target);
  let ok = contextType.kind !== "error";
  if (ok && (c.fn.side !== "kernel" || !isNetworkContext(contextType))) {
    ctx.diags.report(safetyErrors.packetAccessOutsideNetworkProgram, call.callee.span, c.fn.side !== "kernel" ? "userSpace" : { type: typeToString(contextType) });
    ok = false;
  } else if (ok && !packetReadable(c, "`ctx.header()`", call.callee.span)) ok = false;
  if (call.args.length !== 1) {
    ctx.diags.report(typeErrors.wrongArgumentCount, call.span, "header", 1, call.args.length, undefined);
    checkEach(c, scope, call.args);
    return errorType;
  }
  const offset = call.args[0]!;
  const offsetType = concreteType(ctx, offset, checkExpr(c, scope, offset));
  if (offsetType.kind !== "error" && (offsetType.kind !== "int" || isNetworkOrder(offsetType))) {
    if (isNetworkOrder(offsetType)) {
      const [ntoh] = networkConversions(offsetType.bits);
      ctx.diags.report(typeErrors.byteOrderMix, offset.span, "headerOffset", { type: typeToString(offsetType) }, "hostInteger", { kind: "convert", fn: ntoh });
    } else {
      ctx.diags.report(typeErrors.typeMismatch, offset.span, "integer", typeToString(offsetType), { kind: "headerOffset" });
    }
    ok = false;
  }
  const header = bindingTarget(c, stmt);
  if (!header || !ok || offsetType.kind === "error") return errorType;

  const size = sizeOf(header, ctx.tables);
  const range = valueRange(c, offset, true);
  const unsafe = range.min < 0n || range.max === undefined || range.max + BigInt(size) > maxPacketOffset;
  if (unsafe) {
    const extent = range.min < 0n ? "negative" : range.max === undefined ? "unbounded" : { max: range.max };
    ctx.diags.report(safetyErrors.unboundedPacketOffset, offset.span, extent, size, range.why);
    return errorType;
  }
  ctx.packets.bindings.set(stmt, {
    header, size, maxOffset: range.max!, constantOffset: range.min === range.max ? range.min : undefined,
  });
  return { kind: "pointer", target: header, header: true };
}

/** The `T` of `var h: *T`, or undefined (reported) when it is missing or unusable. */
function bindingTarget(c: ExprChecker, stmt: ast.IfStmt): Type | undefined {
  const { ctx } = c;
  if (!stmt.bindingType) {
    ctx.diags.report(typeErrors.headerBindingType, stmt.binding!.span, "untyped");
    return undefined;
  }
  const declared = resolveType(ctx, stmt.bindingType);
  ctx.typeOperands.set(stmt.bindingType, declared);
  if (declared.kind === "error") return undefined;
  const target = declared.kind === "pointer" ? declared.target : undefined;
  const usable = target !== undefined && (
    (target.kind === "int") ||
    (target.kind === "struct" && !networkContexts.has(target.name) && (ctx.structs.get(target.name)?.fields.length ?? 0) > 0));
  if (!usable) {
    ctx.diags.report(typeErrors.headerBindingType, stmt.bindingType.span, { type: typeToString(declared) });
    return undefined;
  }
  return target;
}

/**
 * A call whose callee is `x.f(…)`: contexts have only `header`, and that only as an
 * `if (var …)` condition; other method-style calls are not part of the language yet.
 */
export function checkMethodCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr & { readonly callee: ast.FieldExpr }): Type {
  const { ctx } = c;
  ctx.exprTypes.set(expr.callee, errorType);
  const targetType = checkExpr(c, scope, expr.callee.target);
  checkEach(c, scope, expr.args);
  const name = expr.callee.field.name;
  if (name === "header") {
    ctx.diags.report(safetyErrors.headerOutsideCondition, expr.span);
  } else if (isNetworkContext(targetType)) {
    ctx.diags.report(nameErrors.unknownContextMethod, expr.callee.field.span, name, closestName(name, contextMethods));
  } else if (targetType.kind !== "error") {
    ctx.diags.report(codegenErrors.notSupportedYet, expr.callee.span, { kind: "callThroughExpression" });
  }
  return errorType;
}

// ---------------------------------------------------------------------------------------
// Value ranges of offsets
// ---------------------------------------------------------------------------------------

/** The values of type `t`, without the reason (made only for a range that may be reported). */
function typeLimits(t: Type | undefined): { readonly min: bigint; readonly max: bigint | undefined } {
  switch (t?.kind) {
    case "int": return integerLimits(t);
    case "enum": return { min: 0n, max: 0xffffffffn };
    case "char": return { min: 0n, max: 255n };
    case "bool": return { min: 0n, max: 1n };
    case "intLiteral": return { min: t.value, max: t.value };
    default: return { min: 0n, max: undefined };
  }
}

function typeRange(t: Type | undefined, why: RangeReason): ValueRange {
  if (!t) return { min: 0n, max: undefined, why };
  switch (t.kind) {
    case "int": return { ...integerLimits(t), why: { kind: "anyOfType", type: typeToString(t) } };
    case "enum": return { min: 0n, max: 0xffffffffn, why: { kind: "anyEnum" } };
    case "char": return { min: 0n, max: 255n, why: { kind: "anyChar" } };
    case "bool": return { min: 0n, max: 1n, why: { kind: "bool" } };
    case "intLiteral": return { min: t.value, max: t.value, why: { kind: "constant" } };
    default: return { min: 0n, max: undefined, why };
  }
}

function exact(value: bigint): ValueRange {
  return { min: value, max: value, why: { kind: "constant" } };
}

/**
 * The values `expr` can take (as C evaluates the emitted expression). `proof` records
 * the locals the range relies on, so assigning to them later is reported (E0406).
 */
export function valueRange(c: ExprChecker, expr: ast.Expr, proof: boolean): ValueRange {
  const { ctx } = c;
  const own = ctx.exprTypes.get(expr);
  const constant = constantInteger(ctx, expr);
  if (constant !== undefined) return exact(constant);
  switch (expr.kind) {
    case "ParenExpr": return valueRange(c, expr.expr, proof);
    case "SizeofExpr": {
      const of = ctx.typeOperands.get(expr.type);
      return of && of.kind !== "error" ? exact(BigInt(sizeOf(of, ctx.tables))) : typeRange(own, { kind: "unknownSize" });
    }
    case "NameExpr": {
      const symbol = ctx.references.get(expr);
      if (symbol?.kind === "constant") return exact(symbol.value);
      if (symbol?.kind !== "local") return typeRange(own, { kind: "unboundable" });
      const init = ctx.packets.localInits.get(symbol.id);
      const loop = ctx.packets.loopBounds.get(symbol.id);
      if (!init && !loop) return typeRange(own, { kind: "anyValueOf", name: symbol.name });
      if (proof) ctx.packets.offsetDependencies.push({ id: symbol.id, name: symbol.name, span: expr.span });
      if (loop) {
        const start = valueRange(c, loop.start, proof);
        const end = valueRange(c, loop.end, proof);
        return fit({ min: start.min, max: end.max === undefined ? undefined : end.max - 1n, why: { kind: "rangeOf", name: symbol.name } }, own);
      }
      return fit(valueRange(c, init!, proof), own);
    }
    case "FieldExpr": {
      const base = ctx.exprTypes.get(expr.target);
      const struct = base?.kind === "pointer" ? base.target : base;
      const field = struct?.kind === "struct" ? fieldNamed(ctx.structs.get(struct.name)?.fields ?? [], expr.field.name) : undefined;
      if (field?.bits !== undefined) return { min: 0n, max: (1n << BigInt(field.bits)) - 1n, why: { kind: "bitfield", bits: field.bits, field: field.name } };
      return typeRange(own, { kind: "field", field: expr.field.name });
    }
    case "CastExpr": {
      const inner = valueRange(c, expr.expr, proof);
      const target = typeRange(own, { kind: "cast" });
      if (inner.max !== undefined && target.max !== undefined && inner.min >= target.min && inner.max <= target.max) return inner;
      return target;
    }
    case "BinaryExpr": return fit(binaryRange(c, expr, proof), own);
    case "UnaryExpr": return expr.op === "!" ? { min: 0n, max: 1n, why: { kind: "bool" } } : typeRange(own, { kind: "unboundable" });
    default: return typeRange(own, { kind: "unboundable" });
  }
}

/** `range` if the expression's type holds it; otherwise no bound (C may wrap). */
function fit(range: ValueRange, type: Type | undefined): ValueRange {
  const limits = typeLimits(type);
  if (range.max === undefined || limits.max === undefined) return range;
  if (range.min < limits.min || range.max > limits.max) {
    return { min: limits.min, max: undefined, why: { kind: "mayOverflow", type: type ? typeToString(type) : "?" } };
  }
  return range;
}

const booleanOps = new Set(["==", "!=", "<", "<=", ">", ">=", "&&", "||"]);

function binaryRange(c: ExprChecker, expr: ast.BinaryExpr, proof: boolean): ValueRange {
  if (booleanOps.has(expr.op)) return { min: 0n, max: 1n, why: { kind: "bool" } };
  const l = valueRange(c, expr.left, proof);
  const r = valueRange(c, expr.right, proof);
  const why = l.max === undefined ? l.why : r.why;
  const rightConstant = r.max !== undefined && r.min === r.max ? r.min : undefined;
  switch (expr.op) {
    case "+":
      return { min: l.min + r.min, max: l.max === undefined || r.max === undefined ? undefined : l.max + r.max, why };
    case "-":
      if (r.max === undefined) return { min: -1n, max: l.max, why: r.why };
      return { min: l.min - r.max, max: l.max === undefined ? undefined : l.max - r.min, why };
    case "*":
      if (l.min < 0n || r.min < 0n) return unbounded({ kind: "signedProduct" });
      return { min: l.min * r.min, max: l.max === undefined || r.max === undefined ? undefined : l.max * r.max, why };
    case "<<":
      if (rightConstant === undefined || l.min < 0n) return unbounded({ kind: "variableShift" });
      return { min: l.min << rightConstant, max: l.max === undefined ? undefined : l.max << rightConstant, why };
    case ">>":
      if (rightConstant === undefined || l.min < 0n) return l.min < 0n ? unbounded({ kind: "signedShift" }) : { min: 0n, max: l.max, why };
      return { min: l.min >> rightConstant, max: l.max === undefined ? undefined : l.max >> rightConstant, why };
    case "&": {
      const masks = [l, r].filter((x) => x.min >= 0n && x.max !== undefined).map((x) => x.max!);
      if (masks.length === 0) return unbounded(why);
      return { min: 0n, max: masks.reduce((a, b) => (a < b ? a : b)), why: { kind: "mask" } };
    }
    case "%":
      if (rightConstant === undefined || rightConstant <= 0n || l.min < 0n) return unbounded({ kind: "variableRemainder" });
      return { min: 0n, max: l.max === undefined || l.max >= rightConstant ? rightConstant - 1n : l.max, why: { kind: "remainder" } };
    case "/":
      if (rightConstant === undefined || rightConstant <= 0n || l.min < 0n) return unbounded({ kind: "variableDivision" });
      return { min: l.min / rightConstant, max: l.max === undefined ? undefined : l.max / rightConstant, why };
    case "|": case "^": {
      if (l.min < 0n || r.min < 0n || l.max === undefined || r.max === undefined) return unbounded(why);
      const top = l.max > r.max ? l.max : r.max;
      return { min: 0n, max: (1n << BigInt(top.toString(2).length)) - 1n, why };
    }
    default: return unbounded({ kind: "notInteger" });
  }
}

function unbounded(why: RangeReason): ValueRange {
  return { min: 0n, max: undefined, why };
}

/** Records what bounds a local: its initialiser (used while it is never assigned). */
export function noteLocalInit(ctx: CheckContext, id: number, init: ast.Expr | undefined): void {
  if (init) ctx.packets.localInits.set(id, init);
}

export function noteLoopVariable(ctx: CheckContext, id: number, start: ast.Expr, end: ast.Expr): void {
  ctx.packets.loopBounds.set(id, { start, end });
}

export function noteAssigned(ctx: CheckContext, id: number, span: Span): void {
  if (!ctx.packets.assigned.has(id)) ctx.packets.assigned.set(id, span);
}

/** At the end of a function: offsets whose locals turned out to be assigned (E0406). */
export function reportReassignedOffsets(ctx: CheckContext): void {
  const reported = new Set<string>();
  for (const dep of ctx.packets.offsetDependencies) {
    const assigned = ctx.packets.assigned.get(dep.id);
    const key = `${dep.id}:${dep.span.start}`;
    if (!assigned || reported.has(key)) continue;
    reported.add(key);
    ctx.diags.report(safetyErrors.packetOffsetReassigned, dep.span, dep.name, assigned);
  }
  ctx.packets.offsetDependencies.length = 0;
}

// ---------------------------------------------------------------------------------------
// Accesses through pointers
// ---------------------------------------------------------------------------------------


/**
 * Whether the program being checked may read the packet directly; E0622 if its type's
 * context has packet fields the kernel does not give it (`__sk_buff` in a socket filter).
 */
export function packetReadable(c: ExprChecker, what: string, span: Span): boolean {
  const role = c.fn.info.role;
  if (role.kind !== "program" || role.info.packetAccess === "direct") return true;
  c.ctx.diags.report(programTypeErrors.noDirectPacketAccess, span, what, `@${role.info.attribute ?? role.info.programType}`, role.info.label);
  return false;
}

/**
 * A read of `ctx.field` (the program's own context) that the kernel allows this program
 * type: packet pointers only with direct packet access (E0622), other fields unless the
 * type's row lists them as unreadable (E0623).
 */
export function contextFieldReadable(c: ExprChecker, target: ast.Expr, field: string, fieldType: Type, span: Span): boolean {
  const role = c.fn.info.role;
  if (role.kind !== "program") return true;
  const context = c.fn.info.params[0];
  const inner = unparenthesize(target);
  const what = inner.kind === "NameExpr" ? `\`${inner.name.name}.${field}\`` : `\`.${field}\``;
  if (fieldType.kind === "pointer" && fieldType.packet) return packetReadable(c, what, span);
  if (!context || inner.kind !== "NameExpr" || inner.name.name !== context.name || !role.info.unreadableContextFields?.includes(field)) return true;
  // Where the help can send the reader: the types with the same context that may read the field.
  const readers = programTypes
    .filter((t) => t !== role.info && t.attribute !== undefined && t.contextStruct === role.info.contextStruct && !t.unreadableContextFields?.includes(field))
    .map((t) => `@${t.attribute}`);
  const instead = { directPacketAccess: role.info.packetAccess === "direct", readers };
  c.ctx.diags.report(programTypeErrors.unreadableContextField, span, what, `@${role.info.attribute ?? role.info.programType}`, role.info.label, instead);
  return false;
}

/**
 * A read through a raw packet pointer that gets a generated bounds check (W0276): one
 * byte at a constant offset from the context's `data` (`*ctx.data`, `*(ctx.data + k)`,
 * `ctx.data[k]`), read (not written) in the body of an XDP or TC program, where ending
 * the program has a defined result. `index` is the constant added by `ctx.data[k]`.
 * Returns whether the read was accepted; otherwise the caller reports E0401.
 */
export function acceptImplicitPacketRead(c: ExprChecker, read: ast.Expr, pointer: ast.Expr, index: ast.Expr | undefined): boolean {
  const { ctx } = c;
  const role = c.fn.info.role;
  const action = role.kind === "program" ? role.info.shortPacketResult : undefined;
  if (!action || ctx.packets.writing) return false;
  let base = unparenthesize(pointer);
  let offset = 0n;
  if (base.kind === "BinaryExpr" && base.op === "+") {
    const added = constantInteger(ctx, base.right);
    if (added === undefined) return false;
    offset = added;
    base = unparenthesize(base.left);
  }
  if (index) {
    const added = constantInteger(ctx, index);
    if (added === undefined) return false;
    offset += added;
  }
  if (base.kind !== "FieldExpr" || base.field.name !== "data") return false;
  const context = unparenthesize(base.target);
  const contextType = ctx.exprTypes.get(context);
  if (context.kind !== "NameExpr" || contextType?.kind !== "pointer" || contextType.target.kind !== "struct" ||
    !networkContexts.has(contextType.target.name)) return false;
  if (offset < 0n || offset >= maxPacketOffset) return false;
  ctx.packets.implicitReads.set(read, { context, offset, action: action.name, actionValue: action.value });
  ctx.diags.report(implicitMeanings.implicitPacketBoundsCheck, read.span, offset, action.name);
  return true;
}

/** E0401 or, inside an assignment target, E0409. */
export function reportUnprovenPacketAccess(ctx: CheckContext, span: Span): void {
  ctx.diags.report(ctx.packets.writing ? safetyErrors.uncheckedPacketWrite : safetyErrors.uncheckedPacketAccess, span);
}

/**
 * A field access through a pointer to a built-in header is only in bounds through a
 * header binding; reports otherwise. Returns whether the access may proceed.
 */
export function checkHeaderFieldBase(ctx: CheckContext, targetType: Type, span: Span): boolean {
  if (targetType.kind !== "pointer" || targetType.header || targetType.target.kind !== "struct") return true;
  if (!isBuiltinHeader(targetType.target.name)) return true;
  reportUnprovenPacketAccess(ctx, span);
  return false;
}

/** Whether `expr` denotes memory inside the packet (through a header binding). */
export function isPacketPlace(ctx: CheckContext, expr: ast.Expr): boolean {
  const e = unparenthesize(expr);
  const base = e.kind === "FieldExpr" || e.kind === "IndexExpr" ? e.target : e.kind === "UnaryExpr" && e.op === "*" ? e.operand : undefined;
  if (!base) return false;
  const type = ctx.exprTypes.get(base);
  if (type?.kind === "pointer" && type.header) return true;
  return e.kind !== "UnaryExpr" && isPacketPlace(ctx, base);
}

/** `eth.h_dest[i]`: the index of an array in packet memory must be a constant in range. */
export function checkPacketIndex(ctx: CheckContext, expr: ast.IndexExpr, length: number): void {
  if (!isPacketPlace(ctx, expr.target)) return;
  const index = constantInteger(ctx, expr.index);
  if (index !== undefined && index >= 0n && index < BigInt(length)) return;
  ctx.diags.report(safetyErrors.packetIndexUnproven, expr.index.span, index, length);
}

/** Pointer arithmetic on a header pointer yields a raw (unproven) packet pointer. */
export function movedPacketPointer(t: Type): Type {
  return t.kind === "pointer" && t.header ? { kind: "pointer", target: { kind: "int", bits: 8, signed: false }, packet: true } : t;
}

/** Header types exist only on the eBPF side (vmlinux.h); user space gets E0506. */
export function checkUserspaceHeaderType(c: ExprChecker, type: Type, span: Span): void {
  if (c.fn.side !== "user") return;
  let t: Type = type;
  while (t.kind === "pointer" || t.kind === "array") t = t.kind === "pointer" ? t.target : t.element;
  if (t.kind === "struct" && isBuiltinHeader(t.name)) c.ctx.diags.report(codegenErrors.packetHeaderInUserspace, span, t.name);
}
