//! Type expressions as written (`ast.TypeExpr`) → semantic types (`Type`).
//! Aliases are resolved transparently; map types are only valid where the caller allows.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import { builtinAliases } from "../kernel/builtins.js";
import { mapKinds, mapKindSpellings, mapKindsWhere } from "../kernel/map-kinds.js";
import type { Type } from "../types.js";
import { errorType, primitiveTypes, typeToString, u32 } from "../types.js";
import type { CheckContext } from "./context.js";
import { closestName } from "../suggest.js";
import { foldConstant, globalConstants } from "./constants.js";
import { resolveRingbufType } from "./ringbuf.js";
import { resolveKeylessMapType } from "./map-kinds.js";
import { checkFixedMapValue } from "./redirect-maps.js";
import { mapOfMapsType } from "./map-in-map.js";

export function resolveType(ctx: CheckContext, typeExpr: ast.TypeExpr, allowMap = false): Type {
  switch (typeExpr.kind) {
    case "NamedType": return resolveNamedType(ctx, typeExpr.name);
    case "PointerType": {
      const target = resolveType(ctx, typeExpr.target);
      return target.kind === "error" ? target : { kind: "pointer", target };
    }
    case "ArrayType": {
      const element = resolveType(ctx, typeExpr.element);
      const length = positiveSize(ctx, typeExpr.size);
      if (element.kind === "error" || length === undefined) return errorType;
      return { kind: "array", element, length };
    }
    case "StrType": {
      const size = positiveSize(ctx, typeExpr.size);
      return size === undefined ? errorType : { kind: "str", size };
    }
    case "FunctionType": {
      const params = typeExpr.params.map((p) => resolveType(ctx, p.type));
      const returnType = resolveType(ctx, typeExpr.returnType);
      return { kind: "function", params, returnType };
    }
    case "GenericType": return resolveGenericType(ctx, typeExpr, allowMap);
    case "ErrorType": return errorType;
  }
}

function resolveNamedType(ctx: CheckContext, name: ast.Ident): Type {
  const primitive = primitiveTypes.get(name.name);
  if (primitive) return primitive;
  const alias = ctx.aliases.get(name.name) ?? builtinAliases.get(name.name);
  if (alias) return alias;
  // The file's own types first, so a program naming only those never reads the kernel's BTF.
  const struct = ctx.structs.declared(name.name) ?? (ctx.enums.declared(name.name) ? undefined : ctx.structs.get(name.name));
  if (struct) return { kind: "struct", name: struct.name, origin: struct.origin };
  const enumLayout = ctx.enums.get(name.name);
  if (enumLayout) return { kind: "enum", name: enumLayout.name, origin: enumLayout.origin };
  const known = [
    ...primitiveTypes.keys(), ...ctx.aliases.keys(), ...builtinAliases.keys(),
    ...ctx.structs.keys(), ...ctx.enums.keys(),
  ];
  ctx.diags.report(nameErrors.unknownType, name.span, name.name, closestName(name.name, known));
  return errorType;
}

function resolveGenericType(ctx: CheckContext, typeExpr: ast.GenericType, allowMap: boolean): Type {
  const spelled = typeExpr.name.name;
  const mapKind = mapKindSpellings.get(spelled);
  if (!mapKind) {
    ctx.diags.report(typeErrors.unknownMapKind, typeExpr.name.span, spelled, closestName(spelled, [...mapKindSpellings.keys()]), mapKindsWhere((row) => row.spellings.length > 0));
    return errorType;
  }
  const row = mapKinds[mapKind];
  if (row.typeArguments === "ringbuf") return resolveRingbufType(ctx, typeExpr, allowMap);
  if (!allowMap) {
    ctx.diags.report(nameErrors.mapUsedAsValue, typeExpr.span, spelled);
    return errorType;
  }
  if (row.typeArguments !== "keyValue" || row.key === "prefix") return resolveKeylessMapType(ctx, typeExpr, mapKind);
  if (typeExpr.args.length !== 2) {
    ctx.diags.report(typeErrors.mapTypeArguments, typeExpr.span, spelled, typeExpr.args.length);
    return errorType;
  }
  const key = resolveType(ctx, typeExpr.args[0]!);
  // A map of maps' value is a map type written inline (check/map-in-map.ts).
  const value = resolveType(ctx, typeExpr.args[1]!, row.innerMaps === true);
  let maxEntries = row.defaultEntries;
  if (typeExpr.capacity) {
    const size = positiveSize(ctx, typeExpr.capacity);
    if (size === undefined) return errorType;
    maxEntries = size;
  }
  if (key.kind === "error" || value.kind === "error") return errorType;
  // An enum indexes an array map by its value (KernelScript 0.1.1 allows it): the map's
  // key is `u32`, which the kernel requires of array keys (also in BTF), and enum
  // values convert to it wherever the map is indexed.
  if (row.key === "index" && key.kind === "enum") {
    return { kind: "map", mapKind, key: u32, value, maxEntries };
  }
  if (!checkFixedMapValue(ctx, { kind: "map", mapKind, key, value, maxEntries }, typeExpr.args[1]!.span)) return errorType;
  if (row.innerMaps) {
    if (row.key === "index" && !(key.kind === "int" && key.bits === 32 && !key.signed)) {
      ctx.diags.report(typeErrors.arrayMapKey, typeExpr.args[0]!.span, spelled, typeToString(key));
      return errorType;
    }
    return mapOfMapsType(ctx, { kind: "map", mapKind, key, value, maxEntries }, value, typeExpr.args[1]!.span);
  }
  if (row.key === "index" && !(key.kind === "int" && key.bits === 32 && !key.signed)) {
    ctx.diags.report(typeErrors.arrayMapKey, typeExpr.args[0]!.span, spelled, typeToString(key));
    return errorType;
  }
  return { kind: "map", mapKind, key, value, maxEntries };
}

/** A positive integer size from a literal (or constant) expression. */
function positiveSize(ctx: CheckContext, expr: ast.Expr): number | undefined {
  const folded = foldConstant(expr, globalConstants(ctx));
  const value = folded.kind === "value" ? folded.value : undefined;
  if (value === undefined || value <= 0n || value > 0xffffffffn) {
    ctx.diags.report(typeErrors.invalidSize, expr.span,
      folded.kind === "invalid" ? { kind: "invalid", why: folded.why } : value === undefined ? { kind: "notConstant" } : { kind: "value", value });
    return undefined;
  }
  return Number(value);
}
