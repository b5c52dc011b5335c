//! The only code that knows every IR node's children (as `forEachChild` is for the
//! AST), and the one deep traversal every pass uses. A new node kind is added here once
//! (the switches are exhaustive) instead of being silently skipped by each pass's own
//! walker: the emitters, lowering and analyses walk through `walkStatements` (or the
//! helpers built on it), and tests/unit/tidy.test.ts refuses private walkers elsewhere.
//!
//! Order: a statement, then the places it writes (each before the expressions it
//! reads), then its own expressions, then its nested bodies in source order; an
//! expression before its children, then the statement lists it holds (a `valueBlock`).

import type * as ir from "./ir.js";
import type { Type } from "./types.js";

/** Where a nested statement list sits in its owner. */
export type IrBodyRole = "then" | "else" | "loop" | "block" | "try" | "catch" | "value";

/** A nested statement list, with the names it binds for its statements (loop variables, bindings). */
export interface IrBody {
  readonly statements: readonly ir.IrStmt[];
  readonly binds: readonly string[];
  readonly role: IrBodyRole;
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
  /** Names bound for its own places only (the entry of `m[k].f op= v`). */
  readonly scoped: readonly string[];
}

// The walks ask for the parts of every statement and the children of every expression
// (millions of times for a large program): the empty lists are shared, and nothing else
// is made that the answer does not hold.
// (Not frozen: a frozen array has elements of another kind, off the fast path of `for … of`.)
const none: readonly never[] = [];

const body = (statements: readonly ir.IrStmt[] | undefined, role: IrBodyRole, binds: readonly string[] = none): readonly IrBody[] =>
  statements ? [{ statements, binds, role }] : none;

/**
 * The `then` and `else` bodies of an `if`-like statement, made directly: spreading two
 * `body(…)` lists made three arrays and two iterators for every `if` of every walk.
 */
function branches(then: readonly ir.IrStmt[], thenBinds: readonly string[], otherwise: readonly ir.IrStmt[] | undefined): readonly IrBody[] {
  const first: IrBody = { statements: then, binds: thenBinds, role: "then" };
  return otherwise ? [first, { statements: otherwise, binds: none, role: "else" }] : [first];
}

function parts(
  exprs: readonly (ir.IrExpr | undefined)[], bodies: readonly IrBody[] = none, places: readonly ir.IrPlace[] = none,
  declares: readonly string[] = none, scoped: readonly string[] = none,
): IrStatementParts {
  const present = exprs.includes(undefined) ? exprs.filter((e): e is ir.IrExpr => e !== undefined) : exprs as readonly ir.IrExpr[];
  return { exprs: present, places, bodies, declares, scoped };
}

export function statementParts(s: ir.IrStmt): IrStatementParts {
  switch (s.kind) {
    case "declare": return parts(s.init ? [s.init] : none, none, none, [s.name]);
    case "assign": return parts([s.value], none, [s.target]);
    case "mapUpdate": return parts([s.key, s.value]);
    case "mapCompound": return parts([s.key, s.value], none, none, s.result ? [s.result.name] : none);
    case "mapDelete": return parts([s.key]);
    case "expr": return parts([s.expr]);
    case "if": return parts([s.condition], branches(s.then, none, s.else));
    case "ifMapEntry": return parts([s.key], branches(s.then, [s.binding], s.else));
    case "ifPacketHeader": return parts([s.context, s.offset], branches(s.then, [s.binding], s.else));
    case "while": return parts([s.condition], body(s.body, "loop"));
    case "forRange": return parts([s.start, s.end], body(s.body, "loop", [s.variable]));
    case "forMap": return parts(none, body(s.body, "loop", [s.key, ...(s.value ? [s.value] : [])]));
    case "break": case "continue": return parts(none);
    case "return": return parts([s.value]);
    case "print": return parts(s.args);
    case "block": return parts(none, body(s.body, "block"));
    case "tailCall": return parts([s.context, s.fallback]);
    case "mapEntryAssign": return parts([s.key, s.value], none, [s.target], none, [s.binding]);
    case "declareAlias": return parts([s.key], none, none, [s.name, s.pointer, s.keyName]);
    case "aliasWriteBack": return parts([s.update?.value], none, [s.place]);
    case "throw": return parts([s.value]);
    case "try": return parts(none, [...body(s.body, "try"), ...s.catches.flatMap((c) => body(c.body, "catch"))]);
    case "tryCall": return parts(s.args, none, none, s.result ? [s.result] : none);
    case "defer": return parts(s.values);
    case "ringbufRelease": return parts([s.record]);
    case "objectDelete": return parts([s.pointer]);
    case "onEvent": return parts(none);
    case "ifPointer": return parts([s.value], branches(s.then, [s.binding], s.else));
  }
}

/**
 * The types a statement names itself, not through its expressions: its variables and
 * bindings (a binding's pointee for map entries and headers), and map keys and values.
 */
export function statementTypes(s: ir.IrStmt): readonly Type[] {
  switch (s.kind) {
    case "declare": return [s.type];
    case "ifMapEntry": case "mapEntryAssign": case "declareAlias": return [s.keyType, s.valueType];
    case "ifPacketHeader": return [s.header];
    case "forRange": return [s.variableType];
    case "forMap": return [s.keyType, s.valueType];
    case "tryCall": return [s.type];
    case "mapCompound": return s.result ? [s.result.type] : none;
    case "ifPointer": return [s.type];
    case "assign": case "mapUpdate": case "mapDelete": case "expr": case "if": case "while":
    case "break": case "continue": case "return": case "print": case "block": case "tailCall": case "aliasWriteBack":
    case "throw": case "try": case "defer": case "ringbufRelease": case "objectDelete": case "onEvent":
      return none;
  }
}

export function exprChildren(e: ir.IrExpr): readonly ir.IrExpr[] {
  switch (e.kind) {
    case "int": case "bool": case "string": case "null": case "constant": case "local": case "global": case "entry":
    case "functionRef": case "programRef": case "sizeof": case "ringbufReserve": case "objectNew":
    case "escapeSlot":
      return none;
    case "dispatch": return e.timeout ? [e.timeout] : none;
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
    case "tracing": return e.args;
    case "stringRead": return [e.address];
    // Its statements are a body (exprBodies), not sub-expressions.
    case "valueBlock": return none;
  }
}

/** Statement lists inside an expression (a `match` used as a value), with what they bind. */
export function exprBodies(e: ir.IrExpr): readonly IrBody[] {
  return e.kind === "valueBlock" ? [{ statements: e.body, binds: [e.result], role: "value" }] : none;
}

/** The expressions a place reads (its base, its index). */
export function placeChildren(p: ir.IrPlace): readonly ir.IrExpr[] {
  switch (p.kind) {
    case "local": case "global": case "entry": return none;
    case "field": return [p.target];
    case "index": return [p.target, p.index];
    case "deref": return [p.pointer];
  }
}

// ---------------------------------------------------------------------------------------
// The deep walk
// ---------------------------------------------------------------------------------------

/** Returned by `IrWalker.body` to leave a nested body out of the walk. */
export const skipBody: unique symbol = Symbol("skip this body");

/**
 * What `walkStatements` calls. Every hook receives the context of the statement list it
 * is in; `body` decides the context of each nested list (default: the same one).
 */
export interface IrWalker<C> {
  /** Each statement, before anything inside it. */
  readonly statement?: (s: ir.IrStmt, context: C) => void;
  /** Each statement after its places, expressions and bodies (where its declarations start to count). */
  readonly after?: (s: ir.IrStmt, context: C) => void;
  /** Each place a statement writes, before the expressions the place reads. */
  readonly place?: (p: ir.IrPlace, owner: ir.IrStmt, context: C) => void;
  /** Each expression, before its children. */
  readonly expression?: (e: ir.IrExpr, context: C) => void;
  /** The context of a nested statement list of `owner` (a statement, or a `valueBlock`), or `skipBody`. */
  readonly body?: (body: IrBody, owner: ir.IrStmt | ir.IrExpr, context: C) => C | typeof skipBody;
}

/** Every statement and expression of `list`, nested bodies included (expression bodies too). */
// Indexed loops in the walk: `for … of` makes an iterator per list wherever the engine
// has not (yet) optimised the loop away, and these run for every node of every pass.
export function walkStatements<C>(list: readonly ir.IrStmt[], walker: IrWalker<C>, context: C): void {
  for (let i = 0; i < list.length; i++) walkStatement(list[i]!, walker, context);
}

// `walkStatement` and `walkExpression` visit the parts `statementParts`, `placeChildren`,
// `exprChildren` and `exprBodies` list, in the same order, without making those lists:
// the walks run over every node of a program several times, cold (one `check`), where
// each list and parts object made per node was a large share of the time. Both switches
// are exhaustive, so a new kind is added to each (tests/unit/ir-walk.test.ts checks that
// the walk reaches every part of a sample of each kind).

export function walkStatement<C>(s: ir.IrStmt, walker: IrWalker<C>, context: C): void {
  walker.statement?.(s, context);
  switch (s.kind) {
    case "declare": walkOptional(s.init, walker, context); break;
    case "assign":
      walkPlace(s.target, s, walker, context);
      walkExpression(s.value, walker, context);
      break;
    case "mapUpdate": case "mapCompound": case "mapEntryAssign":
      if (s.kind === "mapEntryAssign") walkPlace(s.target, s, walker, context);
      walkExpression(s.key, walker, context);
      walkExpression(s.value, walker, context);
      break;
    case "mapDelete": case "declareAlias": walkExpression(s.key, walker, context); break;
    case "expr": walkExpression(s.expr, walker, context); break;
    case "if":
      walkExpression(s.condition, walker, context);
      walkBranches(s, none, walker, context);
      break;
    case "ifMapEntry":
      walkExpression(s.key, walker, context);
      walkBranches(s, [s.binding], walker, context);
      break;
    case "ifPacketHeader":
      walkExpression(s.context, walker, context);
      walkExpression(s.offset, walker, context);
      walkBranches(s, [s.binding], walker, context);
      break;
    case "ifPointer":
      walkExpression(s.value, walker, context);
      walkBranches(s, [s.binding], walker, context);
      break;
    case "while":
      walkExpression(s.condition, walker, context);
      walkNested(s.body, "loop", none, s, walker, context);
      break;
    case "forRange":
      walkExpression(s.start, walker, context);
      walkExpression(s.end, walker, context);
      walkNested(s.body, "loop", [s.variable], s, walker, context);
      break;
    case "forMap": walkNested(s.body, "loop", s.value ? [s.key, s.value] : [s.key], s, walker, context); break;
    case "break": case "continue": case "onEvent": break;
    case "return": case "throw": walkOptional(s.value, walker, context); break;
    case "print": case "tryCall": walkExpressions(s.args, walker, context); break;
    case "block": walkNested(s.body, "block", none, s, walker, context); break;
    case "tailCall":
      walkExpression(s.context, walker, context);
      walkExpression(s.fallback, walker, context);
      break;
    case "aliasWriteBack":
      walkPlace(s.place, s, walker, context);
      walkOptional(s.update?.value, walker, context);
      break;
    case "try":
      walkNested(s.body, "try", none, s, walker, context);
      for (let i = 0; i < s.catches.length; i++) walkNested(s.catches[i]!.body, "catch", none, s, walker, context);
      break;
    case "defer": walkExpressions(s.values, walker, context); break;
    case "ringbufRelease": walkExpression(s.record, walker, context); break;
    case "objectDelete": walkExpression(s.pointer, walker, context); break;
  }
  walker.after?.(s, context);
}

function walkOptional<C>(e: ir.IrExpr | undefined, walker: IrWalker<C>, context: C): void {
  if (e) walkExpression(e, walker, context);
}

function walkExpressions<C>(list: readonly ir.IrExpr[], walker: IrWalker<C>, context: C): void {
  for (let i = 0; i < list.length; i++) walkExpression(list[i]!, walker, context);
}

/** A place the statement writes, then what the place reads. */
function walkPlace<C>(p: ir.IrPlace, owner: ir.IrStmt, walker: IrWalker<C>, context: C): void {
  walker.place?.(p, owner, context);
  switch (p.kind) {
    case "local": case "global": case "entry": break;
    case "field": walkExpression(p.target, walker, context); break;
    case "index":
      walkExpression(p.target, walker, context);
      walkExpression(p.index, walker, context);
      break;
    case "deref": walkExpression(p.pointer, walker, context); break;
  }
}

function walkBranches<C>(
  s: Extract<ir.IrStmt, { kind: "if" | "ifMapEntry" | "ifPacketHeader" | "ifPointer" }>, thenBinds: readonly string[], walker: IrWalker<C>, context: C,
): void {
  walkNested(s.then, "then", thenBinds, s, walker, context);
  if (s.else) walkNested(s.else, "else", none, s, walker, context);
}

/** A nested statement list, in the context `walker.body` gives it (the `IrBody` is made only for that hook). */
function walkNested<C>(
  statements: readonly ir.IrStmt[], role: IrBodyRole, binds: readonly string[], owner: ir.IrStmt | ir.IrExpr, walker: IrWalker<C>, context: C,
): void {
  const inner = walker.body ? walker.body({ statements, binds, role }, owner, context) : context;
  if (inner !== skipBody) walkStatements(statements, walker, inner);
}

export function walkExpression<C>(e: ir.IrExpr, walker: IrWalker<C>, context: C): void {
  walker.expression?.(e, context);
  switch (e.kind) {
    case "int": case "bool": case "string": case "null": case "constant": case "local": case "global": case "entry":
    case "functionRef": case "programRef": case "sizeof": case "ringbufReserve": case "objectNew":
    case "escapeSlot":
      return;
    case "dispatch": walkOptional(e.timeout, walker, context); return;
    case "binary": case "strConcat": case "strEquals":
      walkExpression(e.left, walker, context);
      walkExpression(e.right, walker, context);
      return;
    case "unary": walkExpression(e.operand, walker, context); return;
    case "cast": walkExpression(e.expr, walker, context); return;
    case "field": walkExpression(e.target, walker, context); return;
    case "contextField": walkExpression(e.context, walker, context); return;
    case "index": case "strIndex":
      walkExpression(e.target, walker, context);
      walkExpression(e.index, walker, context);
      return;
    case "mapLookup": case "mapContains": case "mapEntryPointer": walkExpression(e.key, walker, context); return;
    case "call": case "builtin": case "mapMethod": case "testCall": case "tracing": walkExpressions(e.args, walker, context); return;
    case "callValue":
      walkExpression(e.callee, walker, context);
      walkExpressions(e.args, walker, context);
      return;
    case "structLiteral":
      for (let i = 0; i < e.fields.length; i++) walkExpression(e.fields[i]!.value, walker, context);
      return;
    case "arrayLiteral": walkExpressions(e.elements, walker, context); return;
    case "byteOrder": walkExpression(e.operand, walker, context); return;
    case "strConvert": case "strBytes": walkExpression(e.value, walker, context); return;
    case "stringRead": walkExpression(e.address, walker, context); return;
    case "valueBlock": walkNested(e.body, "value", [e.result], e, walker, context); return;
  }
}

/** What `visitStatements` calls: each statement before its parts, each expression before its children. */
export interface IrVisitor {
  readonly statement?: (s: ir.IrStmt) => void;
  readonly expression?: (e: ir.IrExpr) => void;
}

/** Every statement and expression of `list`, nested bodies included (expression bodies too). */
export function visitStatements(list: readonly ir.IrStmt[], visitor: IrVisitor): void {
  walkStatements<undefined>(list, {
    ...(visitor.statement ? { statement: (s: ir.IrStmt) => visitor.statement!(s) } : {}),
    ...(visitor.expression ? { expression: (e: ir.IrExpr) => visitor.expression!(e) } : {}),
  }, undefined);
}

/** Whether some statement of `list` (nested ones included) satisfies `test`. */
export function someStatement(list: readonly ir.IrStmt[], test: (s: ir.IrStmt) => boolean): boolean {
  let found = false;
  walkStatements<undefined>(list, {
    statement: (s) => { found ||= test(s); },
    body: () => (found ? skipBody : undefined),
  }, undefined);
  return found;
}

/** Whether some expression of `list` (nested ones included) satisfies `test`. */
export function someExpression(list: readonly ir.IrStmt[], test: (e: ir.IrExpr) => boolean): boolean {
  let found = false;
  walkStatements<undefined>(list, {
    expression: (e) => { found ||= test(e); },
    body: () => (found ? skipBody : undefined),
  }, undefined);
  return found;
}

/** Whether `e` or an expression inside it (statement lists of value blocks included) satisfies `test`. */
export function expressionContains(e: ir.IrExpr, test: (x: ir.IrExpr) => boolean): boolean {
  let found = false;
  walkExpression<undefined>(e, { expression: (x) => { found ||= test(x); } }, undefined);
  return found;
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

/** Loop statements. */
export type IrLoop = Extract<ir.IrStmt, { kind: "while" | "forRange" | "forMap" }>;

export function isLoop(s: ir.IrStmt | ir.IrExpr): s is IrLoop {
  return s.kind === "while" || s.kind === "forRange" || s.kind === "forMap";
}

/** A loop whose body becomes a `bpf_loop()`/`bpf_for_each_map_elem()` callback (a function of its own). */
export function isCallbackLoop(s: ir.IrStmt | ir.IrExpr): s is IrLoop {
  return isLoop(s) && s.lowering.kind === "callback";
}
