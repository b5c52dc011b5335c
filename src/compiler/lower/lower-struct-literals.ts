//! Struct literals: each field's value stored as the field's type holds it, the
//! omitted fields that have defaults, and the form C can write.

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { Span } from "../source.js";
import type { StructLayout, Type } from "../types.js";
import { headerFieldPath } from "../kernel/headers.js";
import { structFieldDefault } from "../kernel/perf.js";
import type { FunctionLowering } from "./lower.js";
import { coerce } from "./lower-strings.js";

export function lowerStructLiteral(l: FunctionLowering, expr: ast.StructLiteral): ir.IrExpr {
  const span = expr.span;
  const type = l.typeOf(expr);
  const struct = type.kind === "struct" ? type.name : expr.typeName.name;
  const layout = l.semantics.tables.structs.get(struct);
  const fieldType = (name: string): Type | undefined => layout?.fields.find((f) => f.name === name)?.type;
  const fields: { name: string; value: ir.IrExpr }[] = [];
  for (const f of expr.fields) {
    const value = l.expr(f.value);
    const to = fieldType(f.name.name);
    fields.push({ name: f.name.name, value: to ? coerce(value, to) : value });
  }
  addOmittedFieldDefaults(layout, expr.fields, span, fields);
  return structLiteralValue(l.temporary("literal"), struct, type, fields, span);
}

/**
 * A struct literal as C can write it. A C initializer sets an array member only from
 * braces or a string literal; a literal with another array value in a field (a `str`
 * variable stored in a `u8[16]`, a copied MAC address) becomes a value block that
 * builds the struct, then copies those fields in, in the order written.
 */
function structLiteralValue(result: string, struct: string, type: Type, fields: readonly { name: string; value: ir.IrExpr }[], span: Span): ir.IrExpr {
  const initializable = (value: ir.IrExpr): boolean =>
    value.type.kind !== "array" || value.kind === "arrayLiteral" || (value.kind === "strBytes" && value.value.kind === "string");
  if (fields.every((f) => initializable(f.value))) return { kind: "structLiteral", struct, type, fields, span };
  const target: ir.IrExpr = { kind: "local", name: result, type, span };
  const assign = (f: { name: string; value: ir.IrExpr }): ir.IrStmt => ({
    kind: "assign", target: { kind: "field", target, field: cField(type, f.name), viaPointer: false, type: f.value.type }, op: "=", value: f.value, atomic: false, span,
  });
  return { kind: "valueBlock", result, type, span, body: fields.map(assign) };
}

/** The fields a struct literal omitted that have defaults (`perf_options`), as constants, added to `into`. */
function addOmittedFieldDefaults(layout: StructLayout | undefined, given: readonly ast.FieldInit[], span: Span, into: { name: string; value: ir.IrExpr }[]): void {
  if (!layout) return;
  for (const f of layout.fields) {
    // The default first: few structs have any, and it is one lookup against a scan of the given fields.
    const fallback = structFieldDefault(layout.name, f.name);
    if (!fallback || given.some((g) => g.name.name === f.name)) continue;
    const value: ir.IrExpr = fallback.type.kind === "bool"
      ? { kind: "bool", value: fallback.value !== 0n, type: fallback.type, span }
      : { kind: "int", value: fallback.value, text: String(fallback.value), type: fallback.type, span };
    into.push({ name: f.name, value });
  }
}

/** The C member path of a field (built-in headers keep some fields inside unions). */
export function cField(base: Type, field: string): string {
  const struct = base.kind === "pointer" ? base.target : base;
  return struct.kind === "struct" ? headerFieldPath(struct.name, field) : field;
}
