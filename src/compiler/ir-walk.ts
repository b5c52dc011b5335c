//! The only code that knows every IR node's children (as `forEachChild` is for the
//! AST). Analyses that walk the IR build on these, so a new node kind is added here once
//! (the switches are exhaustive) instead of being silently skipped by each walker.

import type * as ir from "./ir.js";

/** A nested statement list, with the names it binds for its statements (loop variables, bindings). */
export interface IrBody {
  readonly statements: readonly ir.IrStmt[];
  readonly binds: readonly string[];
}

export interface IrStatementParts {
  /** Expressions evaluated by the statement itself (not inside its bodies). */
  readonly exprs: readonly ir.IrExpr[];
  /** Places it writes. */
  readonly places: readonly ir.IrPlace[];
  /** Nested statement lists. */
  readonly bodies: readonly IrBody[];
  /** Names it declares in the enclosing scope (visible to the statements after it). */
  readonly declares: readonly string[];
}

const body = (statements: readonly ir.IrStmt[] | undefined, binds: readonly string[] = []): IrBody[] =>
  statements ? [{ statements, binds }] : [];

export function statementParts(s: ir.IrStmt): IrStatementParts {
  const parts = (exprs: readonly (ir.IrExpr | undefined)[], bodies: IrBody[] = [], places: ir.IrPlace[] = [], declares: string[] = []): IrStatementParts =>
    ({ exprs: exprs.filter((e): e is ir.IrExpr => e !== undefined), places, bodies, declares });
  switch (s.kind) {
    case "declare": return parts([s.init], [], [], [s.name]);
    case "assign": return parts([s.value], [], [s.target]);
    case "mapUpdate": return parts([s.key, s.value]);
    case "mapCompound": return parts([s.key, s.value]);
    case "mapDelete": return parts([s.key]);
    case "expr": return parts([s.expr]);
    case "if": return parts([s.condition], [...body(s.then), ...body(s.else)]);
    case "ifMapEntry": return parts([s.key], [...body(s.then, [s.binding]), ...body(s.else)]);
    case "ifPacketHeader": return parts([s.context, s.offset], [...body(s.then, [s.binding]), ...body(s.else)]);
    case "while": return parts([s.condition], body(s.body));
    case "forRange": return parts([s.start, s.end], body(s.body, [s.variable]));
    case "forMap": return parts([], body(s.body, [s.key, ...(s.value ? [s.value] : [])]));
    case "break": case "continue": return parts([]);
    case "return": return parts([s.value]);
    case "print": return parts(s.args);
    case "block": return parts([], body(s.body));
    case "tailCall": return parts([s.context, s.fallback]);
    case "mapEntryAssign": return parts([s.key, s.value], [], [s.target]);
    case "declareAlias": return parts([s.key], [], [], [s.name, s.pointer, s.keyName]);
    case "aliasWriteBack": return parts([], [], [s.place]);
    case "throw": return parts([s.value]);
    case "try": return parts([], [...body(s.body), ...s.catches.flatMap((c) => body(c.body))]);
    case "tryCall": return parts(s.args, [], [], s.result ? [s.result] : []);
    case "defer": return parts(s.values);
    case "ringbufRelease": return parts([s.record]);
    case "objectDelete": return parts([s.pointer]);
    case "onEvent": return parts([]);
    case "ifPointer": return parts([s.value], [...body(s.then, [s.binding]), ...body(s.else)]);
  }
}

export function exprChildren(e: ir.IrExpr): readonly ir.IrExpr[] {
  switch (e.kind) {
    case "int": case "bool": case "string": case "null": case "constant": case "local": case "global": case "entry":
    case "functionRef": case "programRef": case "sizeof": case "ringbufReserve": case "objectNew": case "dispatch":
      return [];
    case "binary": return [e.left, e.right];
    case "unary": return [e.operand];
    case "cast": return [e.expr];
    case "field": return [e.target];
    case "contextField": return [e.context];
    case "index": return [e.target, e.index];
    case "mapLookup": case "mapContains": case "mapEntryPointer": return [e.key];
    case "call": case "builtin": case "mapMethod": case "testCall": return e.args;
    case "callValue": return [e.callee, ...e.args];
    case "structLiteral": return e.fields.map((f) => f.value);
    case "arrayLiteral": return e.elements;
    case "byteOrder": return [e.operand];
    case "strConcat": case "strEquals": return [e.left, e.right];
    case "strIndex": return [e.target, e.index];
    case "strConvert": case "strBytes": return [e.value];
    // Its statements are a body (exprBodies), not sub-expressions.
    case "valueBlock": return [];
  }
}

/** Statement lists inside an expression (a `match` used as a value), with what they bind. */
export function exprBodies(e: ir.IrExpr): readonly IrBody[] {
  return e.kind === "valueBlock" ? [{ statements: e.body, binds: [e.result] }] : [];
}

/** The expressions a place reads (its base, its index). */
export function placeChildren(p: ir.IrPlace): readonly ir.IrExpr[] {
  switch (p.kind) {
    case "local": case "global": case "entry": return [];
    case "field": return [p.target];
    case "index": return [p.target, p.index];
    case "deref": return [p.pointer];
  }
}

/** What `visitStatements` calls: each statement before its parts, each expression before its children. */
export interface IrVisitor {
  readonly statement?: (s: ir.IrStmt) => void;
  readonly expression?: (e: ir.IrExpr) => void;
}

/** Every statement and expression of `list`, nested bodies included (expression bodies too). */
export function visitStatements(list: readonly ir.IrStmt[], visitor: IrVisitor): void {
  const expr = (e: ir.IrExpr): void => {
    visitor.expression?.(e);
    exprChildren(e).forEach(expr);
    exprBodies(e).forEach((b) => statements(b.statements));
  };
  const statements = (stmts: readonly ir.IrStmt[]): void => {
    for (const s of stmts) {
      visitor.statement?.(s);
      const parts = statementParts(s);
      parts.exprs.forEach(expr);
      parts.places.forEach((p) => placeChildren(p).forEach(expr));
      parts.bodies.forEach((b) => statements(b.statements));
    }
  };
  statements(list);
}

/** Names called (directly, or as hoisted throwing calls) anywhere in `functions`. */
export function calledNames(functions: readonly ir.IrFunction[]): Set<string> {
  const names = new Set<string>();
  const visitor: IrVisitor = {
    statement: (s) => { if (s.kind === "tryCall") names.add(s.callee); },
    expression: (e) => { if (e.kind === "call") names.add(e.callee); },
  };
  for (const fn of functions) visitStatements(fn.body, visitor);
  return names;
}
