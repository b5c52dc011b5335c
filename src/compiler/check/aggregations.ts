//! Aggregation maps (docs/language/tracing.md "Aggregations"): `@hist`, `@lhist(min,
//! max, step)` and `@top(N)` on a key/value map say how user space prints it — as a
//! log2 or linear histogram whose keys are bucket indexes (`m[log2(v)] += 1`,
//! `m[lin(v, min, max, step)] += 1`), or as its N largest values, sorted. The eBPF side
//! stays plain map updates (per-CPU maps need no atomics); the printing is
//! runtime-c/aggregations.c, called by the map's printer (the default main's and
//! `print_map(m)`'s).

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import { statsFields } from "../kernel/tracing.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import type { Scope } from "./scope.js";
import * as tracing from "../diagnostics/catalog/types-tracing.js";
import type { MapDisplay } from "../ir.js";
import { mapKinds } from "../kernel/map-kinds.js";
import type { Type } from "../types.js";
import { errorType, typeToString, u64, voidType } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import { asInteger } from "./conversions.js";

export const aggregationAttributes: readonly string[] = ["hist", "lhist", "top", "stats"];

/** The most lines `@top(N)` prints. */
const maxTop = 10000;

/** How `attribute` makes the map print, or undefined after a diagnostic. */
export function aggregationOf(ctx: CheckContext, type: Type, attribute: ast.Attribute, earlier: MapDisplay | undefined): MapDisplay | undefined {
  const name = attribute.name.name;
  const span = attribute.span;
  if (earlier) {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "twice" });
    return earlier;
  }
  if (type.kind !== "map") return undefined;
  if (mapKinds[type.mapKind].userView !== "keyValue") {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "notKeyValue", attribute: name });
    return undefined;
  }
  if (name === "stats") {
    if ((attribute.args ?? []).length !== 0) {
      ctx.diags.report(tracing.badAggregationMap, span, { kind: "arguments", attribute: "stats", maxTop });
      return undefined;
    }
    if (!isStatsValue(ctx, type.value)) {
      ctx.diags.report(tracing.badAggregationMap, span, { kind: "statsValue", value: typeToString(type.value) });
      return undefined;
    }
    return { kind: "stats" };
  }
  if (!asInteger(type.value)) {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "valueNotInteger", attribute: name, value: typeToString(type.value) });
    return undefined;
  }
  const args = (attribute.args ?? []).map((a) => constantInteger(ctx, a));
  const constants = args.every((a) => a !== undefined) ? (args as bigint[]) : undefined;
  if (name === "top") {
    const count = constants?.length === 1 ? constants[0]! : undefined;
    if (count === undefined || count < 1n || count > BigInt(maxTop)) {
      ctx.diags.report(tracing.badAggregationMap, span, { kind: "arguments", attribute: "top", maxTop });
      return undefined;
    }
    return { kind: "top", count: Number(count) };
  }
  const bucket = bucketOf(ctx, type.key);
  if (bucket === null) {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "keyNotInteger", attribute: name, key: typeToString(type.key) });
    return undefined;
  }
  if (name === "hist") {
    if ((attribute.args ?? []).length !== 0) {
      ctx.diags.report(tracing.badAggregationMap, span, { kind: "arguments", attribute: "hist", maxTop });
      return undefined;
    }
    return { kind: "hist", bucketField: bucket };
  }
  const [min, max, step] = constants ?? [];
  if (constants?.length !== 3 || min === undefined || max === undefined || step === undefined || min < 0n || min >= max || step <= 0n) {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "arguments", attribute: "lhist", maxTop });
    return undefined;
  }
  return { kind: "lhist", min, max, step, bucketField: bucket };
}

/**
 * Where a histogram's key holds the bucket: the whole key (undefined) when it is an
 * integer, the integer field `bucket` of a struct key (one histogram per value of the
 * other fields), or nowhere (null).
 */
function bucketOf(ctx: CheckContext, key: Type): string | undefined | null {
  if (asInteger(key)) return undefined;
  if (key.kind !== "struct") return null;
  const field = ctx.structs.get(key.name)?.fields.find((f) => f.name === bucketFieldName);
  return field && asInteger(field.type) ? bucketFieldName : null;
}

/** A user struct whose fields include `count`, `sum`, `min` and `max`, each `u64`. */
function isStatsValue(ctx: CheckContext, value: Type): boolean {
  if (value.kind !== "struct" || value.origin !== "user") return false;
  const fields = ctx.structs.get(value.name)?.fields ?? [];
  return statsFields.every((name) => fields.some((f) => f.name === name && f.type.kind === "int" && f.type.bits === 64 && !f.type.signed && !f.type.byteOrder));
}

/** `record(m, k, v)` in eBPF code: a sample `v` (u64) for key `k` of the `@stats` map `m`. */
export function checkRecord(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  if (expr.args.length !== 3) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "record", 3, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const [target, key, sample] = expr.args as [ast.Expr, ast.Expr, ast.Expr];
  if (c.fn.side !== "kernel") {
    ctx.diags.report(tracing.recordNeedsStatsMap, expr.callee.span, { kind: "userSpace" });
    return errorType;
  }
  const symbol = target.kind === "NameExpr" ? scope.lookup(target.name.name) : undefined;
  if (symbol?.kind !== "map" || symbol.info.display?.kind !== "stats") {
    if (symbol?.kind !== "map") checkExpr(c, scope, target);
    ctx.diags.report(tracing.recordNeedsStatsMap, target.span, { kind: "notStatsMap", map: symbol?.kind === "map" ? symbol.info.name : undefined });
    return errorType;
  }
  ctx.references.set(target as ast.NameExpr, symbol);
  ctx.exprTypes.set(target, errorType);
  checkExprAs(c, scope, key, symbol.info.type.key, { kind: "mapKey", map: symbol.info.name });
  checkExprAs(c, scope, sample, u64, { kind: "builtinArgument", callee: "record" });
  return voidType;
}

/** The field of a struct key that holds a histogram's bucket index. */
const bucketFieldName = "bucket";
