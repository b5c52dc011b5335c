//! The type of a generated expression, as the KernelScript checker will see it.

import * as I from "./integers.js";
import type { Expr, Ty } from "./model.js";
import { boolTy, charTy, intTy } from "./model.js";
import { strCapacity } from "./generate-expr.js";

export function exprType(e: Expr): Ty {
  switch (e.k) {
    case "int": return intTy(e.typed ? e.t : I.defaultLiteralType(e.v));
    case "bool": return boolTy;
    case "char": return charTy;
    case "str": return { k: "str", n: Math.max(1, e.v.length) };
    case "var": return e.ref.type;
    case "field": case "index": return e.type;
    case "arith": case "shift": case "neg": case "compl": return intTy(e.t);
    case "compare": case "logic": case "not": case "strEq": case "mapHas": return boolTy;
    case "cast": return e.to;
    case "call": return e.fn.ret!;
    case "mapGet": return e.map.value;
    case "match": return e.type;
    case "concat": return { k: "str", n: strCapacity(e) };
    case "structLit": return { k: "struct", def: e.def };
    case "arrayLit": return e.type;
    case "packetLength": return intTy(I.u64);
  }
}

/** A scalar expression that reads `e` (a struct's first field, an array's first element). */
export function scalarRead(e: Expr, t: Ty): { expr: Expr; type: Ty } {
  if (t.k === "struct") {
    const f = t.def.fields[0]!;
    return scalarRead({ k: "field", target: e, field: f.name, type: f.type }, f.type);
  }
  if (t.k === "array") {
    return scalarRead({ k: "index", target: e, index: { k: "int", t: I.u32, v: 0n, typed: false }, type: t.elem }, t.elem);
  }
  return { expr: e, type: t };
}
