//! Network byte order as a type: `be16`, `be32`, `be64` are integers whose bytes are
//! big-endian. They mix with host-order integers only through `ntohs`/`ntohl`/`htons`/
//! `htonl` (E0376, E0377); operators that depend on byte order (arithmetic, ordering,
//! shifts) are rejected on them (E0378). Equality and bitwise `& | ^` are byte-order
//! neutral and allowed between values of the same network type, and with the literal 0.

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as compatibility from "../diagnostics/catalog/compatibility.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { ByteOrderFix } from "../diagnostics/catalog/types-features.js";
import { byteOrderBuiltins } from "../kernel/headers.js";
import type { Span } from "../source.js";
import type { IntType, Type } from "../types.js";
import { be16, be32, sameType, typeToString, u16, u32 } from "../types.js";
import { checkAssignable, settleLiteral } from "./conversions.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";

export function isNetworkOrder(t: Type): t is IntType {
  return t.kind === "int" && t.byteOrder === "big";
}

/** `[to host, to network]` conversion names for a width. */
export function networkConversions(bits: number): readonly [string, string] {
  return bits === 16 ? ["ntohs", "htons"] : bits === 32 ? ["ntohl", "htonl"] : ["bpf_be64_to_cpu", "bpf_cpu_to_be64"];
}

const orderNeutral = new Set(["==", "!=", "&", "|", "^"]);

/**
 * A binary operator with a network-order operand: the result type, `null` when an
 * error was reported, `undefined` when neither operand is network order.
 */
export function networkOrderOperands(
  ctx: CheckContext, op: string, left: ast.Expr, leftType: Type, right: ast.Expr, rightType: Type, span: Span,
): Type | null | undefined {
  const leftNet = isNetworkOrder(leftType);
  const rightNet = isNetworkOrder(rightType);
  if (!leftNet && !rightNet) return undefined;
  const net = (leftNet ? leftType : rightType) as IntType;
  const [ntoh, hton] = networkConversions(net.bits);
  if (!orderNeutral.has(op)) {
    ctx.diags.report(typeErrors.networkOrderArithmetic, span, op, typeToString(net), ntoh);
    return null;
  }
  if (leftNet && rightNet) {
    if (sameType(leftType, rightType)) return net;
    ctx.diags.report(typeErrors.byteOrderMix, right.span, { operator: op }, { type: typeToString(rightType) }, { type: typeToString(leftType) }, { kind: "bothToHost" });
    return null;
  }
  const other = leftNet ? right : left;
  const otherType = leftNet ? rightType : leftType;
  if (otherType.kind === "intLiteral") {
    if (otherType.value === 0n) {
      settleLiteral(ctx, other, net);
      return net;
    }
    ctx.diags.report(typeErrors.byteOrderMix, other.span, { operator: op }, "literal", { type: typeToString(net) }, { kind: "literalToNetwork", hton, value: otherType.value });
    return null;
  }
  ctx.diags.report(typeErrors.byteOrderMix, other.span, { operator: op }, { type: typeToString(otherType) }, { type: typeToString(net) }, { kind: "eitherSide", ntoh, hton });
  return null;
}

/**
 * Storing `found` where `expected` is wanted when either is network order: the answer
 * of `checkAssignable`, or `undefined` when byte order is not involved.
 */
export function networkOrderAssignable(ctx: CheckContext, expr: ast.Expr, found: Type, expected: Type, context: ValueContext): boolean | undefined {
  if (!isNetworkOrder(found) && !isNetworkOrder(expected)) return undefined;
  if (sameType(found, expected)) return true;
  if (found.kind === "intLiteral" && isNetworkOrder(expected)) {
    if (found.value === 0n) {
      settleLiteral(ctx, expr, expected);
      return true;
    }
    const [, hton] = networkConversions(expected.bits);
    ctx.diags.report(typeErrors.byteOrderMix, expr.span, { context }, "literal", { type: typeToString(expected) }, { kind: "literalToNetwork", hton, value: found.value });
    return false;
  }
  // KernelScript 0.1.1 stores a network-order value into a host integer as its raw
  // bytes (zero-extended): defined, so a warning naming the conversion, not an error.
  if (isNetworkOrder(found) && found.kind === "int" && expected.kind === "int" && expected.bits >= found.bits) {
    ctx.diags.report(compatibility.networkOrderStoredRaw, expr.span, typeToString(found), typeToString(expected), networkConversions(found.bits)[0]);
    return true;
  }
  const fix: ByteOrderFix = isNetworkOrder(found) ? { kind: "toHost", fn: networkConversions(found.bits)[0] }
    : isNetworkOrder(expected) ? { kind: "toNetwork", fn: networkConversions(expected.bits)[1] } : { kind: "expectedType" };
  ctx.diags.report(typeErrors.byteOrderMix, expr.span, { context }, { type: typeToString(found) }, { type: typeToString(expected) }, fix);
  return false;
}

/** `x as T` between byte orders reinterprets bytes; only the conversions convert. */
export function checkNetworkOrderCast(ctx: CheckContext, expr: ast.CastExpr, source: Type, target: Type): boolean {
  if (!isNetworkOrder(source) && !isNetworkOrder(target)) return true;
  if (sameType(source, target)) return true;
  const net = (isNetworkOrder(source) ? source : target) as IntType;
  const [ntoh, hton] = networkConversions(net.bits);
  ctx.diags.report(typeErrors.byteOrderMix, expr.span, "cast", { type: typeToString(source) }, { type: typeToString(target) },
    { kind: "castConverts", fn: isNetworkOrder(source) ? ntoh : hton });
  return false;
}

/** `ntohs(x)`, `ntohl(x)`, `htons(x)`, `htonl(x)`. */
export function checkByteOrderCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  const { ctx } = c;
  const spec = byteOrderBuiltins.get(name)!;
  const host = spec.bits === 16 ? u16 : u32;
  const net = spec.bits === 16 ? be16 : be32;
  const [argType, result] = spec.toNetwork ? [host, net] : [net, host];
  if (expr.args.length !== 1) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, name, 1, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
    return result;
  }
  const arg = expr.args[0]!;
  const found = checkExpr(c, scope, arg, argType);
  if (found.kind === "error") return result;
  if (found.kind === "intLiteral" && !spec.toNetwork) {
    ctx.diags.report(typeErrors.byteOrderArgument, arg.span, name, typeToString(argType), "literal",
      { kind: "literalIsHost", hton: networkConversions(spec.bits)[1], value: found.value });
    return result;
  }
  if (found.kind !== "intLiteral" && isNetworkOrder(found) === spec.toNetwork) {
    const [ntoh, hton] = networkConversions(spec.bits);
    ctx.diags.report(typeErrors.byteOrderArgument, arg.span, name, typeToString(argType), { type: typeToString(found) },
      spec.toNetwork ? { kind: "alreadyInOrder", order: "network", other: ntoh } : { kind: "alreadyInOrder", order: "host", other: hton });
    return result;
  }
  if (isNetworkOrder(found) && !sameType(found, argType)) {
    const [ntoh] = networkConversions(found.bits);
    ctx.diags.report(typeErrors.byteOrderArgument, arg.span, name, typeToString(argType), { type: typeToString(found) },
      { kind: "useConversion", fn: ntoh, type: typeToString(found) });
    return result;
  }
  checkAssignable(ctx, arg, found, argType, { kind: "builtinArgument", callee: name });
  return result;
}
