//! The tracing built-ins (check/tracing-builtins.ts) as IR: `tracing` expressions for the
//! current task and the bucket functions, `stringRead` for `str(p)` with the helper the
//! checker chose (Semantics.stringReads). emit/tracing-c.ts writes their C.

import type * as ast from "../ast.js";
import { unparenthesize } from "../ast.js";
import type * as ir from "../ir.js";
import { tracingBuiltins } from "../kernel/tracing.js";
import { u64, voidType } from "../types.js";
import { receivesUnpackedArguments } from "../kernel/program-types.js";
import type { FunctionLowering } from "./lower.js";
import { InternalError } from "./lower.js";
import { coerce } from "./lower-strings.js";

/** The IR of a tracing built-in's call, or undefined when `expr` calls something else. */
export function lowerTracingCall(l: FunctionLowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  const callee = unparenthesize(expr.callee);
  if (callee.kind !== "NameExpr" || l.semantics.references.has(callee)) return undefined;
  const span = expr.span;
  const read = l.semantics.stringReads.get(expr);
  if (read) {
    const first = unparenthesize(expr.args[0]!);
    if (read.source === "dataLoc") {
      if (first.kind !== "FieldExpr") throw new InternalError("__data_loc read without a field");
      return { kind: "stringRead", source: read.source, address: l.expr(first.target), field: read.dataLocField, type: l.typeOf(expr), span };
    }
    return { kind: "stringRead", source: read.source, address: l.expr(expr.args[0]!), field: undefined, type: l.typeOf(expr), span };
  }
  const builtin = tracingBuiltins.get(callee.name.name);
  if (!builtin) return undefined;
  if (builtin.op === "recordStats") {
    const target = unparenthesize(expr.args[0]!);
    const symbol = target.kind === "NameExpr" ? l.semantics.references.get(target) : undefined;
    if (symbol?.kind !== "map") throw new InternalError("record() without its @stats map");
    const args = [coerce(l.expr(expr.args[1]!), symbol.info.type.key), coerce(l.expr(expr.args[2]!), u64)];
    return { kind: "tracing", op: builtin.op, args, type: l.typeOf(expr), span, map: symbol.info.name };
  }
  if (builtin.place === "programContext") return { kind: "tracing", op: builtin.op, args: [programContext(l, expr)], type: l.typeOf(expr), span };
  const args = expr.args.map((a, i) => coerce(l.expr(a), builtin.argumentTypes?.[i] ?? u64));
  return { kind: "tracing", op: builtin.op, args, type: l.typeOf(expr), span };
}

/**
 * The context pointer of the program being lowered: its first parameter, or, where the
 * entry macro unpacks the arguments (BPF_PROG, BPF_KPROBE), the macro's own `ctx`.
 */
function programContext(l: FunctionLowering, expr: ast.CallExpr): ir.IrExpr {
  const role = l.info.role;
  if (role.kind !== "program") throw new InternalError("a stack id outside a program reached lowering");
  const first = l.info.params[0];
  if (receivesUnpackedArguments(role.info) || !first) {
    return { kind: "constant", name: "ctx", value: 0n, type: { kind: "pointer", target: voidType }, span: expr.span };
  }
  return { kind: "local", name: first.name, type: first.type, span: expr.span };
}
