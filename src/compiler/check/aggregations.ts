//! Aggregation maps (docs/language/tracing.md "Aggregations"): `@hist`, `@lhist(min,
//! max, step)` and `@top(N)` on a key/value map say how user space prints it — as a
//! log2 or linear histogram whose keys are bucket indexes (`m[log2(v)] += 1`,
//! `m[lin(v, min, max, step)] += 1`), or as its N largest values, sorted. The eBPF side
//! stays plain map updates (per-CPU maps need no atomics); the printing is
//! runtime-c/aggregations.c, called by the map's printer (the default main's and
//! `print_map(m)`'s).

import type * as ast from "../ast.js";
import * as tracing from "../diagnostics/catalog/types-tracing.js";
import type { MapDisplay } from "../ir.js";
import { mapKinds } from "../kernel/map-kinds.js";
import type { Type } from "../types.js";
import { sizeOf, typeToString } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import { asInteger } from "./conversions.js";

export const aggregationAttributes: readonly string[] = ["hist", "lhist", "top"];

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
  if (!asInteger(type.value)) {
    ctx.diags.report(tracing.badAggregationMap, span, { kind: "valueNotInteger", attribute: name, value: typeToString(type.value) });
    return undefined;
  }
  const padding = paddingOf(ctx, type.key);
  if (padding) ctx.diags.report(tracing.paddedAggregationKey, span, typeToString(type.key), padding.size, padding.used);
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

/** A struct key's size and the bytes its fields (nested ones included) fill, when they differ. */
function paddingOf(ctx: CheckContext, key: Type): { readonly size: number; readonly used: number } | undefined {
  const filled = (t: Type): number => {
    if (t.kind === "array") return t.length * filled(t.element);
    if (t.kind !== "struct") return sizeOf(t, ctx.tables);
    return (ctx.structs.get(t.name)?.fields ?? []).reduce((sum, f) => sum + filled(f.type), 0);
  };
  if (key.kind !== "struct") return undefined;
  const size = sizeOf(key, ctx.tables);
  const used = filled(key);
  return used < size ? { size, used } : undefined;
}

/** The field of a struct key that holds a histogram's bucket index. */
const bucketFieldName = "bucket";
