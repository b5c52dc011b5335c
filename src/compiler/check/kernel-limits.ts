//! Limits of the kernel's maps and instructions that are known from the declarations
//! alone, reported where they are written instead of when the loader creates the map or
//! clang fails:
//! - `+=`/`-=` on a shared map's entry or a global are atomic; eBPF's atomics are
//!   32/64-bit (E0470 for map entries, E0621 for globals);
//! - hash maps of more than 2^27 entries are refused with E2BIG (E0471);
//! - a map key or value of zero bytes is refused with EINVAL (E0472).

import type * as ast from "../ast.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as compatibility from "../diagnostics/catalog/compatibility.js";
import type { MapType, Type, TypeTables } from "../types.js";
import { typeToString } from "../types.js";
import { asInteger } from "./conversions.js";
import { mapKinds, maxHashMapEntries } from "../kernel/map-kinds.js";
import type { CheckContext } from "./context.js";
import type { MapInfo } from "./semantics.js";

/** A map declaration's capacity and entry sizes. */
export function checkMapLimits(ctx: CheckContext, decl: ast.GlobalVarDecl, type: MapType): void {
  const typeExpr = decl.type?.kind === "GenericType" ? decl.type : undefined;
  if (mapKinds[type.mapKind].hashTable && type.maxEntries > maxHashMapEntries) {
    ctx.diags.report(safetyErrors.mapTooManyEntries, typeExpr?.capacity?.span ?? decl.name.span, decl.name.name, type.mapKind, type.maxEntries, maxHashMapEntries);
  }
  // Ring buffers and perf event arrays have no key/value entries of the record type.
  const declaration = mapKinds[type.mapKind].declaration;
  if (declaration === "sizeOnly" || declaration === "fdSlots" || mapKinds[type.mapKind].typeArguments === "internal") return;
  const parts: [string, Type, ast.TypeExpr | undefined][] = type.key.kind === "void"
    ? [["value", type.value, typeExpr?.args[0]]]
    : [["key", type.key, typeExpr?.args[0]], ["value", type.value, typeExpr?.args[1]]];
  for (const [part, partType, written] of parts) {
    if (zeroSized(partType, ctx.tables, new Set())) {
      ctx.diags.report(safetyErrors.zeroSizedMapEntry, written?.span ?? decl.name.span, decl.name.name, part, typeToString(partType));
    }
  }
}

/** Whether a value of `type` has no bytes (a struct of no fields, or of zero-sized ones). */
function zeroSized(type: Type, tables: TypeTables, visiting: Set<string>): boolean {
  switch (type.kind) {
    case "array": return type.length === 0 || zeroSized(type.element, tables, visiting);
    case "struct": {
      // A struct that contains itself is reported where it is declared; never loop here.
      if (visiting.has(type.name)) return false;
      const layout = tables.structs.get(type.name);
      if (!layout) return false;
      if (layout.size !== undefined) return layout.size === 0;
      visiting.add(type.name);
      const empty = layout.fields.every((f) => zeroSized(f.type, tables, visiting));
      visiting.delete(type.name);
      return empty;
    }
    default: return false;
  }
}

/**
 * `m[k] op= v` / `m[k].f op= v` / `g op= v` in eBPF code: `+=`/`-=` on a shared map's
 * entry or on a global (every CPU runs the program on the same globals) are atomic,
 * which eBPF can do for 32- and 64-bit integers only.
 */
export function checkAtomicUpdateWidth(ctx: CheckContext, target: ast.Expr, op: string, targetType: Type, opSpan: ast.Expr["span"]): void {
  if (op !== "+=" && op !== "-=") return;
  const int = asInteger(targetType);
  if (!int || int.bits >= 32) return;
  const root = sharedRoot(ctx, target);
  if (root?.kind === "global") {
    ctx.diags.report(compatibility.narrowAtomicGlobalUpdate, opSpan, op, typeToString(targetType), root.name);
    return;
  }
  if (!root || mapKinds[root.type.mapKind].perCpu) return;
  ctx.diags.report(safetyErrors.narrowAtomicUpdate, opSpan, op, typeToString(targetType), root.info.name);
}

/**
 * The map whose entry `expr` is: `m[k]`, `m[k].f`, `m[k].a[i]`, and the same through an
 * entry binding (`if (var e = m[k]) { e.f += 1 }`) or a lookup alias (`var s = m[k]`),
 * which lowering updates in the entry as well (lower/shared-memory.ts). Pointers are
 * followed by lowering only, flow-insensitively; they are not judged here.
 */
function sharedRoot(ctx: CheckContext, expr: ast.Expr): { kind: "map"; info: MapInfo; type: MapType } | { kind: "global"; name: string } | undefined {
  let e = expr;
  for (let depth = 0; depth < 10_000; depth++) {
    switch (e.kind) {
      case "ParenExpr": e = e.expr; continue;
      case "FieldExpr":
        if (ctx.exprTypes.get(e.target)?.kind === "pointer") return undefined;
        e = e.target;
        continue;
      case "NameExpr": {
        const symbol = ctx.references.get(e);
        if (symbol?.kind === "global") return { kind: "global", name: symbol.info.name };
        const name = symbol?.kind === "entry" ? symbol.map : symbol?.kind === "local" ? symbol.mapAlias : undefined;
        const info = name === undefined ? undefined : ctx.maps.find((m) => m.name === name);
        return info ? { kind: "map", info, type: info.type } : undefined;
      }
      case "IndexExpr": {
        if (e.target.kind === "NameExpr") {
          const symbol = ctx.references.get(e.target);
          if (symbol?.kind === "map") return { kind: "map", info: symbol.info, type: symbol.info.type };
        }
        if (ctx.exprTypes.get(e.target)?.kind === "pointer") return undefined;
        e = e.target;
        continue;
      }
      default: return undefined;
    }
  }
  return undefined;
}
