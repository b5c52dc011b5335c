//! struct_ops impl blocks → IrStructOps. Method bodies were lowered as helpers (the
//! checker gave them that role); this pairs each with its member and turns the data
//! members' literals (already checked against the member types) into IR values.

import type { Semantics } from "../check/semantics.js";
import type * as ir from "../ir.js";
import { InternalError } from "./lower.js";

export function lowerStructOps(semantics: Semantics, helpers: readonly ir.IrFunction[]): ir.IrStructOps[] {
  return semantics.structOps.map((impl) => ({
    name: impl.name,
    opsType: impl.opsType,
    span: impl.decl.span,
    methods: impl.methods.map((method) => {
      const helper = helpers.find((h) => h.name === method.function.name);
      if (!helper) throw new InternalError(`struct_ops method ${method.function.name} was not lowered`);
      return { member: method.member, helper };
    }),
    fields: impl.fields.map((field): { name: string; value: ir.IrExpr } => {
      const value = field.value;
      const span = value.span;
      switch (value.kind) {
        case "StringLiteral": return { name: field.name, value: { kind: "string", value: value.value, type: field.type, span } };
        case "IntLiteral": return { name: field.name, value: { kind: "int", value: value.value, text: value.text, type: field.type, span } };
        case "BoolLiteral": return { name: field.name, value: { kind: "bool", value: value.value, type: field.type, span } };
        default: throw new InternalError(`struct_ops field ${field.name} is not a literal`);
      }
    }),
  }));
}
