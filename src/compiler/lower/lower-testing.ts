//! Test code → IR: `test()`/`test_run()` become `testCall` runs, packet builders
//! `testCall` packet steps, record reads and `run_command` their own `testCall`s, and `assert(a OP b, "m")` evaluates each side once into a
//! temporary, then `if (!(ta OP tb)) assertFailed(ta, tb)` so a failure can print both
//! values (named by their enum constants when a side is an enum).

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { EnumLayout, Type } from "../types.js";
import { boolType, voidType } from "../types.js";
import type { FunctionLowering } from "./lower.js";
import { InternalError } from "./lower.js";
import { packetMethodByName, testPacketStruct, testRunStruct } from "../kernel/testing.js";
import { unparenthesize } from "../ast.js";

const testRunType: Type = { kind: "struct", name: testRunStruct, origin: "kernel" };

const comparisons = new Set(["==", "!=", "<", "<=", ">", ">="]);


/** A `test`/`test_run`/`eth_packet` call or a packet method; undefined for other calls. */
export function lowerTestCall(l: FunctionLowering, expr: ast.CallExpr): ir.IrExpr | undefined {
  const facts = l.semantics.testing;
  const span = expr.span;
  const run = facts.runs.get(expr);
  if (run) {
    const result = expr.callee.kind === "NameExpr" && expr.callee.name.name === "test" ? "retval" : "result";
    const op: ir.TestOp = { kind: "run", program: run.program, programType: run.programType, target: run.target, result };
    const given = l.expr(expr.args[1]!);
    const runArg: ir.IrExpr = run.context
      ? { kind: "testCall", op: { kind: "context", struct: run.context.struct, fields: run.context.fields }, args: [given], type: testRunType, span: given.span }
      : given;
    return { kind: "testCall", op, args: [runArg], type: l.typeOf(expr), span };
  }
  const records = facts.records.get(expr);
  if (records) {
    const op: ir.TestOp = { kind: "records", map: records.map, method: records.method, location: records.location };
    return { kind: "testCall", op, args: [], type: l.typeOf(expr), span };
  }
  const command = facts.commands.get(expr);
  if (command) return { kind: "testCall", op: { kind: "command", ...command }, args: [], type: l.typeOf(expr), span };
  const callee = expr.callee;
  if (callee.kind === "NameExpr" && callee.name.name === "eth_packet" && !l.semantics.references.has(callee)) {
    return { kind: "testCall", op: { kind: "packet", method: "eth", header: "ethhdr" }, args: expr.args.map((a) => l.expr(a)), type: l.typeOf(expr), span };
  }
  if (callee.kind === "FieldExpr") {
    const method = packetMethodByName.get(callee.field.name);
    const target = l.semantics.exprTypes.get(callee.target);
    if (method && target?.kind === "struct" && target.name === testPacketStruct) {
      return {
        kind: "testCall", op: { kind: "packet", method: method.name, header: method.header },
        args: [l.expr(callee.target), ...expr.args.map((a) => l.expr(a))], type: l.typeOf(expr), span,
      };
    }
  }
  return undefined;
}

function comparable(t: Type): boolean {
  return (t.kind === "int" && t.byteOrder !== "big") || t.kind === "enum" || t.kind === "bool" || t.kind === "char";
}

/** `assert(…)` as a statement; undefined when `expr` is not one. */
export function lowerAssert(l: FunctionLowering, expr: ast.Expr): ir.IrStmt[] | undefined {
  if (expr.kind !== "CallExpr") return undefined;
  const facts = l.semantics.testing.asserts.get(expr);
  if (!facts) return undefined;
  const span = expr.span;
  const condition = unparenthesize(expr.args[0]!);
  const messageArg = expr.args[1];
  const message = messageArg?.kind === "StringLiteral" ? messageArg.value : undefined;
  type Labels = readonly { readonly name: string; readonly value: bigint }[] | undefined;
  const fail = (args: ir.IrExpr[], operator: string | undefined, labels: Labels): ir.IrStmt => ({
    kind: "expr",
    expr: { kind: "testCall", op: { kind: "assertFailed", location: facts.location, text: facts.text, message, operator, labels }, args, type: voidType, span },
    span,
  });
  if (condition.kind === "BinaryExpr" && comparisons.has(condition.op)) {
    const left = l.expr(condition.left);
    const right = l.expr(condition.right);
    if (comparable(left.type) && comparable(right.type)) {
      const leftName = l.temporary("lhs");
      const rightName = l.temporary("rhs");
      const leftRef: ir.IrExpr = { kind: "local", name: leftName, type: left.type, span: left.span };
      const rightRef: ir.IrExpr = { kind: "local", name: rightName, type: right.type, span: right.span };
      const compare: ir.IrExpr = { kind: "binary", op: condition.op, left: leftRef, right: rightRef, type: boolType, span: condition.span };
      return [
        { kind: "block", span, body: [
          { kind: "declare", name: leftName, type: left.type, init: left, unread: false, span },
          { kind: "declare", name: rightName, type: right.type, init: right, unread: false, span },
          { kind: "if", condition: { kind: "unary", op: "!", operand: compare, type: boolType, span }, then: [fail([leftRef, rightRef], condition.op, enumLabels(l, left.type, right.type))], else: undefined, span },
        ] },
      ];
    }
  }
  const lowered = l.expr(expr.args[0]!);
  return [{ kind: "if", condition: { kind: "unary", op: "!", operand: lowered, type: boolType, span }, then: [fail([], undefined, undefined)], else: undefined, span }];
}

type EnumLabels = readonly { readonly name: string; readonly value: bigint }[];

/** The labels of each enum, made once: a test file compares with the same few enums thousands of times. */
const labelsByLayout = new WeakMap<EnumLayout, EnumLabels>();

function enumLabels(l: FunctionLowering, left: Type, right: Type): EnumLabels | undefined {
  const named = left.kind === "enum" ? left : right.kind === "enum" ? right : undefined;
  if (!named || named.kind !== "enum") return undefined;
  const layout = l.semantics.tables.enums.get(named.name);
  if (!layout) throw new InternalError(`enum ${named.name} has no layout`);
  let labels = labelsByLayout.get(layout);
  if (!labels) {
    labels = layout.constants.map((c) => ({ name: c.name, value: c.value }));
    labelsByLayout.set(layout, labels);
  }
  return labels;
}
