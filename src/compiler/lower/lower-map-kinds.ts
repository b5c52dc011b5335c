//! Lowering of the operations of queues, stacks, perf event arrays, per-CPU maps and
//! the ring-buffer drop count (check/map-kinds.ts) into `mapMethod` expressions.
//! `if (var v = q.pop())` becomes a block declaring `v` and an `if` on
//! `mapMethod(pop, [v])`, so every IR walker already knows its shape.

import type * as ast from "../ast.js";
import type { FunctionRole, Symbol } from "../check/semantics.js";
import type * as ir from "../ir.js";
import type { MapType, Type } from "../types.js";
import { boolType, i32, i64, u32, u64, voidType } from "../types.js";
import { coerce } from "./lower-strings.js";
import { unparenthesize } from "../ast.js";
import { mapKinds, mapOperationOf, mapOperations, type MapOperand } from "../kernel/map-kinds.js";
import { mapName, storedMapFdExpression } from "../names.js";
import { plainResultType } from "../check/map-kinds.js";

/** What these functions need from the per-function lowering in `lower.ts`. */
export interface MapKindLowering {
  expr(expr: ast.Expr): ir.IrExpr;
  typeOf(expr: ast.Expr): Type;
  readonly info: { readonly role: FunctionRole };
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
      // A local-storage owner and a kernel object are passed as they are (the checker typed
      // the owner as the kind's; the verifier checks an object's BTF type).
      const operandType = { value: type.value, key: type.key, cpu: u32, stackId: i64, pid: u32 } as const;
      const operandExpr = (operand: MapOperand, i: number): ir.IrExpr =>
        operand === "owner" || operand === "object" || operand === "path" || operand === "context" ? l.expr(args[i]!) : coerce(l.expr(args[i]!), operandType[operand]);
      const result = plainResultType(shape.result, type);
      return { ...base, args: shape.operands.map(operandExpr), type: result };
    }
    case "record":
      if (args.length === 1) {
        // tp_btf/probe programs: BPF_PROG's (BPF_KPROBE's) own `ctx`, which the source cannot name.
        const context: ir.IrExpr = { kind: "constant", name: "ctx", value: 0n, type: { kind: "pointer", target: voidType }, span: expr.span };
        return { ...base, args: [context, l.expr(args[0]!)], type: i32 };
      }
      return { ...base, args: [l.expr(args[0]!), l.expr(args[1]!)], type: i32 };
    case "redirect": {
      // check/redirect-maps.ts: only in a program whose row has a helper for this map's kind.
      const target = mapKinds[type.mapKind].redirect;
      const helper = l.info.role.kind === "program" && target !== undefined ? l.info.role.info.mapRedirect?.[target] : undefined;
      if (helper === undefined) return undefined;
      const noFlags: ir.IrExpr = { kind: "int", value: 0n, text: "0", type: u64, span: expr.span };
      const flags = (arg: ast.Expr | undefined): ir.IrExpr => (arg ? coerce(l.expr(arg), u64) : noFlags);
      const operands = target === "device"
        ? [coerce(l.expr(args[0]!), type.key), flags(args[1])]
        : [l.expr(args[0]!), coerce(l.expr(args[1]!), type.key), flags(args[2])];
      return { ...base, args: operands, type: l.typeOf(expr), redirectHelper: helper };
    }
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
    case "binding": case "handler": case "inner":
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

/**
 * A map named as `attach`'s target (`attach(prog, socks, 0)`, check/redirect-maps.ts):
 * the map's name in the object, which the loader finds it by (runtime-c/attach-sockmap.c).
 */
export function socketMapTarget(l: MapKindLowering, arg: ast.Expr): ir.IrExpr | undefined {
  if (arg.kind !== "NameExpr") return undefined;
  const symbol = l.semantics.references.get(arg);
  if (symbol?.kind !== "map") return undefined;
  const name = mapName(symbol.info.name);
  return { kind: "string", value: name, type: { kind: "str", size: name.length }, span: arg.span };
}

/**
 * `outer[k] = m` in user space (check/map-in-map.ts): the stored value is `m`'s fd, from
 * the loader's `ks_map_fd` (emit/map-kinds-c.ts), which loads the object first.
 */
export function storedMapFd(l: MapKindLowering, value: ast.Expr): ir.IrExpr | undefined {
  if (value.kind !== "NameExpr") return undefined;
  const symbol = l.semantics.references.get(value);
  if (symbol?.kind !== "map") return undefined;
  return { kind: "constant", name: storedMapFdExpression(symbol.info.name), value: 0n, type: u32, span: value.span };
}

/** `outer[k][i]` in eBPF (check/map-in-map.ts): the inner map's entry, or 0. */
export function lowerInnerMapRead(l: MapKindLowering, expr: ast.IndexExpr): ir.IrExpr | undefined {
  const outerIndex = expr.target;
  if (outerIndex.kind !== "IndexExpr" || outerIndex.target.kind !== "NameExpr") return undefined;
  const symbol = l.semantics.references.get(outerIndex.target);
  if (symbol?.kind !== "map" || !symbol.info.type.inner) return undefined;
  const { name, type } = symbol.info;
  const inner = type.inner!;
  return {
    kind: "mapMethod", map: name, mapKind: type.mapKind, method: "inner_get",
    args: [coerce(l.expr(outerIndex.index), type.key), coerce(l.expr(expr.index), inner.key)],
    valueType: inner.value, keyType: type.key, type: inner.value, span: expr.span,
  };
}
