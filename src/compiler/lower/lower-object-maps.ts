//! Writes to maps, and the move of an object into a map of objects (`hash<K, *T>`,
//! check/object-maps.ts). `m[k] = s` with `s` holding an object made by `new` becomes
//!
//!     %key = k
//!     %home = *s                // the value, on the stack (declared at function level)
//!     delete s                  // the object itself is not kept
//!     m[%key] = %home           // the map stores T values
//!     s = &m[%key]              // `s` now points at the entry …
//!     if (s == null) s = &%home // … or at the copy when the map could not take it
//!
//! so later reads and writes through `s` reach the entry, as they would with a stored
//! pointer; references.ts checks that `s` held a live object (E0632 otherwise).

import type * as ast from "../ast.js";
import { objectMapValue } from "../check/object-maps.js";
import type * as ir from "../ir.js";
import type { Semantics } from "../check/semantics.js";
import { boolType, type Type } from "../types.js";
import type { FunctionLowering } from "./lower.js";
import { coerce } from "./lower-strings.js";
import { storedMapFd } from "./lower-map-kinds.js";

export { objectMapValue };

/** `m[k] = v` / `m[k] op= v` on a map, or undefined when the target is something else. */
export function lowerMapAssignment(l: FunctionLowering, stmt: ast.AssignStmt, op: ir.IrAssignOp): ir.IrStmt[] | undefined {
  const target = stmt.target;
  if (target.kind !== "IndexExpr") return undefined;
  const map = l.mapName(target.target);
  if (!map) return undefined;
  const span = stmt.span;
  const type = l.mapType(map);
  const key = coerce(l.expr(target.index), type.key);
  const object = objectMapValue(type.value);
  if (object && op === "=") return lowerObjectStore(l, map, key, type.key, object, l.expr(stmt.value), span);
  const value = storedMapFd(l, stmt.value) ?? coerce(l.expr(stmt.value), type.value);
  return [op === "=" ? { kind: "mapUpdate", map, key, value, span } : { kind: "mapCompound", map, key, op, value, span }];
}

/** `m[k]` read from a map: a pointer into the entry for a map of objects, else the value. */
export function lowerMapRead(l: FunctionLowering, map: string, index: ast.Expr, type: Type, span: ast.Expr["span"]): ir.IrExpr {
  const mapType = l.mapType(map);
  const key = coerce(l.expr(index), mapType.key);
  if (objectMapValue(mapType.value)) return { kind: "mapEntryPointer", map, key, keyType: mapType.key, type, span, object: true };
  return { kind: "mapLookup", map, key, type, span };
}

function lowerObjectStore(l: FunctionLowering, map: string, key: ir.IrExpr, keyType: Type, object: Type, pointer: ir.IrExpr, span: ir.IrStmt["span"]): ir.IrStmt[] {
  const keyName = l.temporary("key");
  const home = l.temporary("home");
  l.objectHomes.push({ kind: "declare", name: home, type: object, init: undefined, unread: false, span });
  const keyRef: ir.IrExpr = { kind: "local", name: keyName, type: keyType, span };
  const homeRef: ir.IrExpr = { kind: "local", name: home, type: object, span };
  const pointerType: Type = { kind: "pointer", target: object };
  const moved: ir.IrStmt[] = [
    { kind: "declare", name: keyName, type: keyType, init: key, unread: false, span },
    { kind: "assign", target: { kind: "local", name: home, type: object }, op: "=", atomic: false, span,
      value: { kind: "unary", op: "*", operand: pointer, type: object, span } },
    { kind: "objectDelete", pointer, span, storedIn: map },
    { kind: "mapUpdate", map, key: keyRef, value: homeRef, span },
  ];
  if (pointer.kind !== "local") return moved; // references.ts reports it (E0632)
  const place: ir.IrPlace = { kind: "local", name: pointer.name, type: pointer.type };
  return [
    ...moved,
    { kind: "assign", target: place, op: "=", atomic: false, span,
      value: { kind: "mapEntryPointer", map, key: keyRef, keyType, type: pointer.type, span, object: true } },
    {
      kind: "if", span, else: undefined,
      condition: { kind: "binary", op: "==", left: pointer, right: { kind: "null", type: pointer.type, span }, type: boolType, span },
      then: [{ kind: "assign", target: place, op: "=", atomic: false, span,
        value: { kind: "unary", op: "&", operand: homeRef, type: pointerType, span } }],
    },
  ];
}

/** The file's maps as the IR declares them (a map of objects stores the objects' struct). */
export function lowerMaps(semantics: Semantics): ir.IrMap[] {
  return semantics.maps.map((m) => ({
    name: m.name,
    mapKind: m.type.mapKind,
    keyType: m.type.key,
    valueType: objectMapValue(m.type.value) ?? m.type.value,
    maxEntries: m.type.maxEntries,
    flags: m.flags,
    pinned: m.pinned,
    ...(m.extra !== undefined ? { extra: m.extra } : {}),
    ...(m.display !== undefined ? { display: m.display } : {}),
    ...(m.type.inner ? { inner: { mapKind: m.type.inner.mapKind, keyType: m.type.inner.key, valueType: m.type.inner.value, maxEntries: m.type.inner.maxEntries } } : {}),
    span: m.decl.span,
  }));
}
