//! Maps of maps (`array_of_maps<K, INNER>(N)`, `hash_of_maps<K, INNER>(N)`) in the
//! checker: the inline inner type (E1376), `outer[k] = m` in user space (a declared map of
//! exactly the inner type, E1376), `outer[k][i]` in eBPF code (E1377 elsewhere). The map's
//! `value` is `u32` (the stored map's id, as user space reads it) and its `inner` the
//! template; lowering: lower/lower-map-kinds.ts.

import type * as ast from "../ast.js";
import * as redirectErrors from "../diagnostics/catalog/types-redirect-maps.js";
import type { MapType, Type } from "../types.js";
import { errorType, typeToString, u32 } from "../types.js";
import { mapKinds } from "../kernel/map-kinds.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkExpr, checkExprAs } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { Symbol } from "./semantics.js";

type MapSymbol = Extract<Symbol, { kind: "map" }>;

/** The map of maps `expr` indexes (`outer[k]`), if it is one. */
export function mapOfMapsIndexed(scope: Scope, expr: ast.Expr): MapSymbol | undefined {
  if (expr.kind !== "IndexExpr" || expr.target.kind !== "NameExpr") return undefined;
  const symbol = scope.lookup(expr.target.name.name);
  return symbol?.kind === "map" && symbol.info.type.inner ? symbol : undefined;
}

/** The map type of a map of maps, from its inner type as resolved (`array<u32, u64>(16)`). */
export function mapOfMapsType(ctx: CheckContext, base: MapType, inner: Type, innerSpan: ast.TypeExpr["span"]): Type {
  if (inner.kind === "error") return errorType;
  if (inner.kind !== "map") {
    ctx.diags.report(redirectErrors.innerMapType, innerSpan, { kind: "notMap", written: typeToString(inner) });
    return errorType;
  }
  const row = mapKinds[inner.mapKind];
  // (A map of objects, `hash<K, *T>`, is lowered into its own struct storage: not as an inner map.)
  if (row.typeArguments !== "keyValue" || row.innerMaps || row.redirect !== undefined || row.key === "prefix" || inner.value.kind === "pointer") {
    ctx.diags.report(redirectErrors.innerMapType, innerSpan, { kind: "nested", innerKind: inner.value.kind === "pointer" ? `${inner.mapKind}-of-objects` : inner.mapKind });
    return errorType;
  }
  return { ...base, value: u32, inner };
}

const sameMapType = (a: MapType, b: MapType): boolean => typeToString(a) === typeToString(b) && a.maxEntries === b.maxEntries;


/** `outer[k][i]`: an entry of the map stored at `k`, read in eBPF code. */
export function checkInnerMapIndex(c: ExprChecker, scope: Scope, expr: ast.IndexExpr, outer: MapSymbol): Type {
  const { ctx } = c;
  const outerIndex = expr.target as ast.IndexExpr;
  const type = outer.info.type;
  const inner = type.inner!;
  ctx.references.set(outerIndex.target as ast.NameExpr, outer);
  ctx.exprTypes.set(outerIndex.target, errorType);
  ctx.exprTypes.set(outerIndex, errorType);
  checkExprAs(c, scope, outerIndex.index, type.key, { kind: "mapKey", map: outer.info.name });
  checkExprAs(c, scope, expr.index, inner.key, { kind: "mapKey", map: outer.info.name });
  if (c.fn.side !== "kernel") {
    ctx.diags.report(redirectErrors.innerMapUse, expr.span, "readInUserSpace");
    return errorType;
  }
  if (ctx.packets.writing) {
    ctx.diags.report(redirectErrors.innerMapUse, expr.span, "writeInEbpf");
    return errorType;
  }
  return inner.value;
}

/** `outer[k] = m` (user space): `m` is a declared map of the inner type. True when handled here. */
export function checkInnerMapStore(c: ExprChecker, scope: Scope, stmt: ast.AssignStmt): boolean {
  const outer = mapOfMapsIndexed(scope, stmt.target);
  if (!outer || stmt.target.kind !== "IndexExpr") return false;
  const { ctx } = c;
  const type = outer.info.type;
  ctx.references.set(stmt.target.target as ast.NameExpr, outer);
  ctx.exprTypes.set(stmt.target.target, errorType);
  ctx.exprTypes.set(stmt.target, u32);
  checkExprAs(c, scope, stmt.target.index, type.key, { kind: "mapKey", map: outer.info.name });
  if (c.fn.side === "kernel") {
    ctx.diags.report(redirectErrors.innerMapUse, stmt.span, "storeInEbpf");
    const named = stmt.value.kind === "NameExpr" ? scope.lookup(stmt.value.name.name) : undefined;
    if (named?.kind !== "map") checkExpr(c, scope, stmt.value);
    return true;
  }
  const value = stmt.value;
  const stored = value.kind === "NameExpr" && stmt.op === "=" ? scope.lookup(value.name.name) : undefined;
  if (stored?.kind !== "map" || value.kind !== "NameExpr") {
    ctx.diags.report(redirectErrors.innerMapType, value.span, { kind: "notMapName" });
    if (stored?.kind !== "map") checkExpr(c, scope, value);
    return true;
  }
  ctx.references.set(value, stored);
  ctx.exprTypes.set(value, u32);
  if (!sameMapType(stored.info.type, type.inner!)) {
    ctx.diags.report(redirectErrors.innerMapType, value.span, { kind: "mismatch", map: stored.info.name, stored: typeToString(stored.info.type), expected: typeToString(type.inner!) });
  }
  return true;
}
