//! Lowering of the operations of queues, stacks, perf event arrays, per-CPU maps and
//! the ring-buffer drop count (check/map-kinds.ts) into `mapMethod` expressions.
//! `if (var v = q.pop())` becomes a block declaring `v` and an `if` on
//! `mapMethod(pop, [v])`, so every IR walker already knows its shape.

import type * as ast from "../ast.js";
import type { Symbol } from "../check/semantics.js";
import type * as ir from "../ir.js";
import type { MapType, Type } from "../types.js";
import { boolType, i32, i64, u32, u64, voidType } from "../types.js";
import { coerce } from "./lower-strings.js";
import { unparenthesize } from "../ast.js";
import { mapOperationOf, mapOperations, type MapOperand } from "../kernel/map-kinds.js";

/** What these functions need from the per-function lowering in `lower.ts`. */
export interface MapKindLowering {
  expr(expr: ast.Expr): ir.IrExpr;
  typeOf(expr: ast.Expr): Type;
  readonly semantics: { readonly references: ReadonlyMap<ast.NameExpr, Symbol>; readonly maps: readonly { readonly name: string; readonly type: MapType }[] };
}

function mapOf(l: MapKindLowering, callee: ast.Expr): { name: string; type: MapType; method: string } | undefined {
  if (callee.kind !== "FieldExpr" || callee.target.kind !== "NameExpr") return undefined;
  const symbol = l.semantics.references.get(callee.target);
  if (symbol?.kind !== "map") return undefined;
  return { name: symbol.info.name, type: symbol.info.type, method: callee.field.name };
}

/** `q.push(v)`, `events.output(ctx, r)`, `rb.dropped()`, `m.per_cpu(k, cpu)`, `m.cpus()`: by the operation the kind's row names. */
export function lowerMapMethodCall(l: MapKindLowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  const found = mapOf(l, expr.callee);
  if (!found) return undefined;
  const { name, type, method } = found;
  const operation = mapOperationOf(type.mapKind, method);
  if (!operation || operation === "on_event") return undefined;
  const base = { kind: "mapMethod" as const, map: name, mapKind: type.mapKind, method: operation, valueType: type.value, keyType: type.key, span: expr.span };
  const args = expr.args;
  const shape = mapOperations[operation].shape;
  switch (shape.form) {
    case "plain": {
      const operandType = { value: type.value, key: type.key, cpu: u32, stackId: i64, pid: u32, object: voidType } as const;
      const result = shape.result === "value" ? type.value : { bool: boolType, u32, u64, void: voidType }[shape.result];
      // A kernel object is passed as the pointer it is (the verifier checks its BTF type).
      const operandExpr = (operand: MapOperand, i: number): ir.IrExpr => operand === "object" ? l.expr(args[i]!) : coerce(l.expr(args[i]!), operandType[operand]);
      return { ...base, args: shape.operands.map(operandExpr), type: result };
    }
    case "record":
      if (args.length === 1) {
        // tp_btf/probe programs: BPF_PROG's (BPF_KPROBE's) own `ctx`, which the source cannot name.
        const context: ir.IrExpr = { kind: "constant", name: "ctx", value: 0n, type: { kind: "pointer", target: voidType }, span: expr.span };
        return { ...base, args: [context, l.expr(args[0]!)], type: i32 };
      }
      return { ...base, args: [l.expr(args[0]!), l.expr(args[1]!)], type: i32 };
    case "drain":
      // The handler's reference: the emitter writes the callback that calls it per record.
      return { ...base, args: [l.expr(args[0]!)], type: i64 };
    case "stackId": {
      // Probes: the entry macro's own `ctx`; otherwise the context the program passed.
      const context: ir.IrExpr = args.length === 0
        ? { kind: "constant", name: "ctx", value: 0n, type: { kind: "pointer", target: voidType }, span: expr.span }
        : l.expr(args[0]!);
      return { ...base, args: [context], type: i64 };
    }
    case "binding": case "handler":
      return undefined;
  }
}

/** `if (var v = q.pop()) {…} else {…}` (or `.peek()`); undefined when the condition is something else. */
export function lowerPopBinding(
  l: MapKindLowering,
  stmt: ast.IfStmt,
  symbol: Symbol | undefined,
  then: () => ir.IrStmt[],
  elseBranch: () => ir.IrStmt[] | undefined,
): ir.IrStmt | undefined {
  const condition = unparenthesize(stmt.condition);
  if (!stmt.binding || condition.kind !== "CallExpr" || symbol?.kind !== "local") return undefined;
  const found = mapOf(l, condition.callee);
  const operation = found && mapOperationOf(found.type.mapKind, found.method);
  if (!found || (operation !== "pop" && operation !== "peek")) return undefined;
  const span = stmt.span;
  const valueType = found.type.value;
  const binding: ir.IrExpr = { kind: "local", name: symbol.name, type: valueType, span: stmt.binding.span };
  const taken: ir.IrExpr = {
    kind: "mapMethod", map: found.name, mapKind: found.type.mapKind, method: operation, args: [binding], valueType, keyType: found.type.key, type: boolType, span: condition.span,
  };
  return {
    kind: "block",
    body: [
      { kind: "declare", name: symbol.name, type: valueType, init: undefined, unread: false, span: stmt.binding.span },
      { kind: "if", condition: taken, then: then(), else: elseBranch(), span },
    ],
    span,
  };
}
