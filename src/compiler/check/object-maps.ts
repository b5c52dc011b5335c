//! Maps of objects: `var m: hash<K, *T>(N)` with `T` a struct of the file (KernelScript
//! 0.1.1's object_allocation). The map stores `T` values; the language keeps pointer
//! semantics because a stored object is moved and can never be aliased:
//! - `var s = m[k]` / `s = m[k]`: `s` points into the entry, null when the key is absent
//!   (analyze/references.ts requires the null test before any use);
//! - `m[k] = s`, `s` holding an object made by `new`: the object's value is copied into
//!   the entry, the object is deleted, and `s` points at the entry from then on (at a
//!   copy on the stack if the map could not take it), so later `s->f` reads and writes
//!   go where they would with a stored pointer;
//! - `delete m[k]` removes the entry.
//! Other uses of `m[k]` (in an expression, a field through it, user space) are E0633.

import type * as ast from "../ast.js";
import * as implicitMeanings from "../diagnostics/catalog/implicit-meanings.js";
import type { Type } from "../types.js";
import { unparenthesize } from "../ast.js";
import type { ExprChecker } from "./expressions.js";
import type { MapInfo } from "./semantics.js";

/** `T` when a map value type is `*T` with `T` a struct of the program. */
export function objectMapValue(value: Type): Type | undefined {
  return value.kind === "pointer" && value.target.kind === "struct" && value.target.origin === "user" ? value.target : undefined;
}

/** Marks `expr` as one of the forms a map of objects supports (checked next). */
export function allowObjectMapIndex(c: ExprChecker, expr: ast.Expr | undefined): void {
  const inner = expr && unparenthesize(expr);
  if (inner?.kind === "IndexExpr") c.ctx.objectMapIndexes.add(inner);
}

/** E0633 for `m[k]` of a map of objects outside the supported forms. */
export function checkObjectMapIndex(c: ExprChecker, map: MapInfo, expr: ast.IndexExpr): void {
  if (!objectMapValue(map.type.value)) return;
  if (c.fn.side === "kernel" && c.ctx.objectMapIndexes.has(expr)) return;
  c.ctx.diags.report(implicitMeanings.objectMapUnsupported, expr.span, map.name, c.fn.side === "kernel" ? "kernel" : "user");
}
