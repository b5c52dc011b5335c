//! Globals and config blocks → IR: each global gets its storage (`.bss`, `.data`,
//! kernel-only, pinned), config blocks become structs of settings, and `cfg.field`
//! becomes a field of the config's struct value.

import type * as ast from "../ast.js";
import type { GlobalInfo, Semantics } from "../check/semantics.js";
import type * as ir from "../ir.js";
import { isZeroConst } from "../ir.js";
import type { StructField, StructLayout, Type } from "../types.js";
import { u32 } from "../types.js";
import { globalName, pinnedGlobalsMapName, pinnedGlobalsStructName } from "../names.js";

export function globalStorage(info: GlobalInfo): Exclude<ir.GlobalStorage, "config"> {
  if (info.decl.pin) return "pinned";
  if (info.decl.local) return "local";
  return isZeroConst(info.init) ? "bss" : "data";
}

export function lowerGlobals(semantics: Semantics): ir.IrGlobal[] {
  return semantics.globals.map((g) => ({
    name: g.name, type: g.type, init: g.init, storage: globalStorage(g), span: g.decl.span,
  }));
}

export function lowerConfigs(semantics: Semantics): ir.IrConfig[] {
  return semantics.configs.map((c) => ({
    name: c.name,
    fields: c.fields.map((f) => ({ name: f.name, type: f.type, default: f.default })),
    span: c.decl.span,
  }));
}

/** `cfg.field` as IR (a field of the config's struct), or undefined for other field accesses. */
export function configField(semantics: Semantics, expr: ast.FieldExpr, type: Type): Extract<ir.IrExpr, { kind: "field" }> | undefined {
  if (expr.target.kind !== "NameExpr") return undefined;
  const symbol = semantics.references.get(expr.target);
  if (symbol?.kind !== "config") return undefined;
  const config: ir.IrExpr = {
    kind: "global", name: symbol.info.name, storage: "config",
    type: { kind: "struct", name: symbol.info.name, origin: "user" }, span: expr.target.span,
  };
  return { kind: "field", target: config, field: expr.field.name, viaPointer: false, type, span: expr.span };
}

/**
 * Pinned globals live together in one struct, the value of a single-entry ARRAY map
 * that the loader pins (like a `pin var` map) and user space maps into memory
 * (`BPF_F_MMAPABLE`). No `BPF_F_NO_PREALLOC`: the kernel refuses it for array maps.
 */
export function pinnedGlobalsStorage(globals: readonly ir.IrGlobal[]): { struct: StructLayout; map: ir.IrMap } | undefined {
  const pinned = globals.filter((g) => g.storage === "pinned");
  const first = pinned[0];
  if (!first) return undefined;
  // Structs and arrays at offsets of 8: the map's value is 8-byte aligned, so they are
  // too, and `var l = g` copies them in words (emit/c-code.ts, the `declare` statement).
  const fields = pinned.map((g): StructField => ({ name: globalName(g.name), type: g.type, ...(g.type.kind === "struct" || g.type.kind === "array" ? { align: 8 } : {}) }));
  const struct: StructLayout = { name: pinnedGlobalsStructName, origin: "user", fields };
  const map: ir.IrMap = {
    name: pinnedGlobalsMapName,
    mapKind: "array",
    keyType: u32,
    valueType: { kind: "struct", name: pinnedGlobalsStructName, origin: "user" },
    maxEntries: 1,
    flags: mmapableFlag,
    pinned: true,
    span: first.span,
  };
  return { struct, map };
}

/** BPF_F_MMAPABLE (include/uapi/linux/bpf.h). */
const mmapableFlag = 1 << 10;
