//! C for struct values in eBPF that avoids copies clang cannot fit in the 512-byte stack:
//! clang 14 copies a struct of bytes byte by byte, holding many of them in registers at
//! once, and from about 150 bytes on spills past the limit ("Looks like the BPF stack
//! limit of 512 bytes is exceeded"); a by-value accessor parameter is a second copy.
//! So a struct written to a map is handed over by address, a map-to-map write goes
//! from the entry's pointer, and a scalar read out of a map's value goes through the
//! entry's pointer. (Lookup aliases copy in 8-byte words: pointers-c.ts.)
//! `analyze/stack-usage.ts` counts what is still a temporary here.

import type * as ir from "../ir.js";
import { isAddressableValue } from "../ir.js";
import { exprChildren } from "../ir-walk.js";
import type { Type } from "../types.js";
import { temporaryName } from "../names.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CCodeEmitter } from "./c-code.js";
import type { CWriter } from "./c-writer.js";

/** `&value` when C has the value as an object of its own: a variable, or a struct literal (a compound literal). */
export function valueAddress(code: CCodeEmitter, value: ir.IrExpr): string | undefined {
  return value.kind === "structLiteral" || isAddressableValue(value) ? `&${code.expr(value)}` : undefined;
}

/**
 * `m[k] = n[j]` of a struct in eBPF: the entry of `n` is written straight from its
 * pointer; only an absent one needs a zeroed struct on the stack (the by-value way held
 * `get`'s zero and its result at once). The key is evaluated first, as before.
 */
export function copyEntry(code: CCodeEmitter, w: CWriter, s: Extract<ir.IrStmt, { kind: "mapUpdate" }>, from: Extract<ir.IrExpr, { kind: "mapLookup" }>): void {
  const id = code.nextTemporary();
  const key = temporaryName("key", id);
  const source = temporaryName("from", id);
  const zero = temporaryName("zero", id);
  const setFrom = code.accessors.note(s.map, "set_from");
  w.block("", () => {
    w.line(`${cDeclaration(s.key.type, key)} = ${code.expr(s.key)};`);
    w.line(`const ${cTypeName(from.type)} *${source} = ${code.accessors.note(from.map, "entry")}(${code.expr(from.key)});`);
    w.line(`if (${source})`);
    w.line(`    ${setFrom}(${key}, ${source});`);
    w.block("else", () => {
      w.line(`${cDeclaration(from.type, zero)};`);
      w.line(`__builtin_memset(&${zero}, 0, sizeof(${zero}));`);
      w.line(`${setFrom}(${key}, &${zero});`);
    });
  });
}

/**
 * `m[k].f` / `m[k].a[i]` (a scalar inside a map's struct or array value) in eBPF, read
 * through the entry's pointer (zero when absent) instead of out of a copy of the whole
 * value. Undefined when the read is not of that shape, or an index could have an effect
 * (it is evaluated only when the entry exists).
 */
export function entryRead(code: CCodeEmitter, e: Extract<ir.IrExpr, { kind: "field" | "index" }>): string | undefined {
  if (code.side !== "kernel" || !isScalarType(e.type)) return undefined;
  let root: ir.IrExpr = e;
  while ((root.kind === "field" && !root.viaPointer) || (root.kind === "index" && root.target.type.kind === "array")) {
    if (root.kind === "index" && !isEffectFree(root.index)) return undefined;
    root = root.target;
  }
  if (root.kind !== "mapLookup") return undefined;
  const lookup = root;
  const pointer = temporaryName("entry", code.nextTemporary());
  const path = (x: ir.IrExpr): string => {
    if (x === lookup) return `(*${pointer})`;
    if (x.kind === "field") return `${path(x.target)}.${x.field}`;
    if (x.kind === "index") return `${path(x.target)}[${code.arrayIndex(x.index, x.target)}]`;
    throw new Error("internal: an entry read's path left its map value");
  };
  const entry = code.accessors.note(lookup.map, "entry");
  return `({ ${cTypeName(lookup.type)} *${pointer} = ${entry}(${code.expr(lookup.key)}); ` +
    `${pointer} ? (${cTypeName(e.type)})${path(e)} : (${cTypeName(e.type)})0; })`;
}

function isScalarType(t: Type): boolean {
  return t.kind === "int" || t.kind === "enum" || t.kind === "bool" || t.kind === "char";
}

/** An expression whose evaluation has no effect (no call, no map access, no packet or helper work). */
function isEffectFree(e: ir.IrExpr): boolean {
  const plain = e.kind === "int" || e.kind === "constant" || e.kind === "local" || e.kind === "global" || e.kind === "binary" ||
    e.kind === "unary" || e.kind === "cast" || e.kind === "field" || e.kind === "contextField" || e.kind === "index" ||
    e.kind === "byteOrder" || e.kind === "sizeof" || e.kind === "bool";
  return plain && exprChildren(e).every(isEffectFree);
}
