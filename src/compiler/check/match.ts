//! Type checking of `match`.
//!
//! A `match` is used in one of three ways, and the arms are checked accordingly:
//! - as a statement: arm values are discarded and block arms are ordinary blocks;
//! - as a value (`var x = match …`, an argument, an operand): every arm gives a value —
//!   an expression arm, or a block arm whose last statement is `e`, `return e` or an
//!   `if`/`else` whose branches both end with a value. The result type is the declared
//!   one when there is one, otherwise the arms' types unified (integers widen, strings
//!   take the longest). A `return` elsewhere in such an arm is ambiguous (E0346);
//! - as `return match (…) { … }`: like a value, but a `return` anywhere in an arm
//!   simply returns from the function, and in a program an arm value that calls
//!   another program is a tail call (as `return other(ctx)` is).
//!
//! Patterns are integer, char, bool and string literals, enum (or built-in) constants
//! and `default`. Warnings: enum constants no arm handles without `default` (W0210),
//! arms that can never run (W0211), a value match whose unmatched values silently give
//! zero (W0212).

import type * as ast from "../ast.js";
import { forEachChild } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { errorType, intRange, literalFits, sameType, typeToString, i32, i64, u32, u64, voidType } from "../types.js";
import { asInteger, checkAssignable, concreteType } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkCondition, checkExpr, checkExprAs, lookupName, requireValue } from "./expressions.js";
import type { Scope } from "./scope.js";
import { checkBlock, checkStatement } from "./statements.js";
import { checkTailCall, tailCallTarget } from "./calls.js";

type MatchUse = "statement" | "value" | "return";

/** A `match` whose value is used; `expected` is the declared type, when there is one. */
export function checkMatch(c: ExprChecker, scope: Scope, expr: ast.MatchExpr, expected: Type | undefined): Type {
  return checkMatchAs(c, scope, expr, "value", expected);
}

/** A `match` written as a statement: its arms' values are discarded. */
export function checkMatchStatement(c: ExprChecker, scope: Scope, expr: ast.MatchExpr): void {
  c.ctx.exprTypes.set(expr, checkMatchAs(c, scope, expr, "statement", undefined));
}

/** `return match (…) { … }`: each arm's value is returned. */
export function checkReturnMatch(c: ExprChecker, scope: Scope, expr: ast.MatchExpr, returnType: Type): void {
  c.ctx.exprTypes.set(expr, checkMatchAs(c, scope, expr, "return", returnType));
}

/** Where an arm gives its value: the expression and its type. */
interface ValueSite {
  readonly expr: ast.Expr;
  readonly type: Type;
}

function checkMatchAs(c: ExprChecker, scope: Scope, expr: ast.MatchExpr, use: MatchUse, expected: Type | undefined): Type {
  const { ctx } = c;
  const scrutinee = concreteType(ctx, expr.scrutinee, checkExpr(c, scope, expr.scrutinee));
  const matchable = scrutinee.kind === "error" || scrutinee.kind === "bool" || scrutinee.kind === "str" || asInteger(scrutinee) !== undefined;
  if (!matchable) ctx.diags.report(typeErrors.patternMismatch, expr.scrutinee.span, "", typeToString(scrutinee));
  if (expr.arms.length === 0) {
    ctx.diags.report(typeErrors.matchArmWithoutValue, expr.span, "noArms");
    return use === "statement" ? voidType : errorType;
  }
  const coverage = checkPatterns(c, scope, expr, matchable ? scrutinee : errorType);
  const sites: ValueSite[] = [];
  for (const arm of expr.arms) {
    if (use === "statement") {
      if (arm.body.kind === "Block") checkBlock(c, scope, arm.body);
      else checkExpr(c, scope, arm.body);
      continue;
    }
    if (arm.body.kind === "Block") {
      if (use === "value") reportInnerReturns(c, arm.body.statements);
      c.fn.flow.block(arm.body);
      armBlockValues(c, scope.child(), arm.body.statements, arm.body.span, expected, sites, use === "return");
    } else {
      sites.push(valueSite(c, scope, arm.body, expected, use === "return"));
    }
  }
  if (use === "statement") return voidType;
  const result = expected === undefined ? unify(c, sites) : armsIntegerType(sites, expected) ?? expected;
  if (!coverage.hasDefault && result.kind !== "error") {
    if (coverage.missingConstants.length > 0) {
      ctx.diags.report(typeErrors.matchMissingConstants, expr.scrutinee.span, typeToString(scrutinee), coverage.missingConstants);
    } else if (!coverage.exhaustive) {
      ctx.diags.report(typeErrors.valueMatchWithoutDefault, expr.span, typeToString(result));
    }
  }
  return result;
}

/**
 * An arm's value. In a `return match` of a program (`returned`), a value that enters
 * another program (`TCP: tcp_classifier(ctx)`) is a tail call, as `return
 * tcp_classifier(ctx)` would be.
 */
function valueSite(c: ExprChecker, scope: Scope, value: ast.Expr, expected: Type | undefined, returned: boolean): ValueSite {
  const target = returned ? tailCallTarget(c, scope, value) : undefined;
  if (target && value.kind === "CallExpr") {
    checkTailCall(c, scope, value, target);
    return { expr: value, type: c.ctx.exprTypes.get(value) ?? errorType };
  }
  const type = expected
    ? checkExprAs(c, scope, value, expected, { kind: "matchArm" })
    : requireValue(c, value, checkExpr(c, scope, value));
  return { expr: value, type };
}

/** Checks a block arm's statements and collects where it gives its value. */
function armBlockValues(c: ExprChecker, scope: Scope, statements: readonly ast.Stmt[], span: Span, expected: Type | undefined, sites: ValueSite[],
  returned: boolean): void {
  const last = statements[statements.length - 1];
  if (!last) {
    c.ctx.diags.report(typeErrors.matchArmWithoutValue, span, "emptyArm");
    return;
  }
  for (const s of statements.slice(0, -1)) checkStatement(c, scope, s);
  switch (last.kind) {
    case "ExprStmt":
      sites.push(valueSite(c, scope, last.expr, expected, returned));
      return;
    case "ReturnStmt":
      if (last.value) sites.push(valueSite(c, scope, last.value, expected, returned));
      else c.ctx.diags.report(typeErrors.matchArmWithoutValue, last.span, "returnWithoutValue");
      return;
    case "BlockStmt":
      c.fn.flow.block(last.block);
      armBlockValues(c, scope.child(), last.block.statements, last.block.span, expected, sites, returned);
      return;
    case "IfStmt":
      if (last.else && !last.binding) {
        checkIfValues(c, scope, last, expected, sites, returned);
        return;
      }
      checkStatement(c, scope, last);
      c.ctx.diags.report(typeErrors.matchArmWithoutValue, last.span,
        last.binding ? "ifVar" : "ifWithoutElse");
      return;
    default:
      checkStatement(c, scope, last);
      c.ctx.diags.report(typeErrors.matchArmWithoutValue, last.span, "statement");
  }
}

function checkIfValues(c: ExprChecker, scope: Scope, stmt: ast.IfStmt, expected: Type | undefined, sites: ValueSite[], returned: boolean): void {
  checkCondition(c, scope, stmt.condition);
  c.fn.flow.block(stmt.then);
  armBlockValues(c, scope.child(), stmt.then.statements, stmt.then.span, expected, sites, returned);
  const other = stmt.else!;
  if (other.kind === "Block") {
    c.fn.flow.block(other);
    armBlockValues(c, scope.child(), other.statements, other.span, expected, sites, returned);
  } else armBlockValues(c, scope.child(), [other], other.span, expected, sites, returned);
}

/**
 * E0346 for each `return` of a value arm that is not in a value position. Nested
 * `match` expressions are skipped: their own arms are checked when they are.
 */
function reportInnerReturns(c: ExprChecker, statements: readonly ast.Stmt[]): void {
  const visit = (node: ast.Node): void => {
    if (node.kind === "MatchExpr") return;
    if (node.kind === "ReturnStmt") c.ctx.diags.report(typeErrors.returnInsideValueArm, node.span);
    forEachChild(node, visit);
  };
  const tail = (list: readonly ast.Stmt[]): void => {
    const last = list[list.length - 1];
    list.slice(0, -1).forEach(visit);
    if (!last) return;
    if (last.kind === "ReturnStmt") {
      if (last.value) visit(last.value);
    } else if (last.kind === "IfStmt" && last.else && !last.binding) {
      visit(last.condition);
      tail(last.then.statements);
      tail(last.else.kind === "Block" ? last.else.statements : [last.else]);
    } else if (last.kind === "BlockStmt") {
      tail(last.block.statements);
    } else {
      visit(last);
    }
  };
  tail(statements);
}

/** The result type of a value match without a declared type. */
function unify(c: ExprChecker, sites: readonly ValueSite[]): Type {
  const concrete = sites.filter((s) => s.type.kind !== "error");
  if (concrete.length !== sites.length) return errorType;
  let result: Type | undefined;
  let first: ValueSite | undefined;
  for (const site of concrete) {
    if (!result || !first) {
      result = site.type;
      first = site;
      continue;
    }
    const joined = join(result, site.type);
    if (!joined) {
      c.ctx.diags.report(typeErrors.incompatibleMatchArms, site.expr.span, typeToString(result), typeToString(site.type), first.expr.span);
      return errorType;
    }
    result = joined;
  }
  if (!result) return errorType;
  if (result.kind === "intLiteral") result = literalsType(concrete);
  for (const site of concrete) checkAssignable(c.ctx, site.expr, site.type, result, { kind: "matchArm" });
  return result;
}

/**
 * A value `match` with an expected integer type whose arms are typed integers has the
 * arms' own (joined) type, as any other operation keeps its operands' type: the expected
 * type only settles literals (`~(match (k) { 0: a as u16, default: b })` complements 16
 * bits, then widens). Literal arms go along when they fit that type; otherwise, and for
 * every other kind of arm, the expected type is the match's type.
 */
function armsIntegerType(sites: readonly ValueSite[], expected: Type): Type | undefined {
  if (expected.kind !== "int") return undefined;
  let result: Type | undefined;
  for (const site of sites) {
    if (site.type.kind === "intLiteral") continue;
    if (site.type.kind !== "int") return undefined;
    result = result ? join(result, site.type) : site.type;
    if (!result) return undefined;
  }
  if (!result) return undefined;
  const joined = result;
  const literalsFit = sites.every((site) => site.type.kind !== "intLiteral" || (joined.kind === "int" && literalFits(site.type.value, joined)));
  return literalsFit ? joined : undefined;
}

/** The common type of two arm types, or undefined when they have none. */
function join(a: Type, b: Type): Type | undefined {
  if (sameType(a, b)) return a;
  if (a.kind === "str" && b.kind === "str") return a.size >= b.size ? a : b;
  if (a.kind === "intLiteral" && b.kind === "intLiteral") return a;
  if (a.kind === "intLiteral" && asInteger(b)) return b;
  if (b.kind === "intLiteral" && asInteger(a)) return a;
  if (a.kind === "null" && b.kind === "pointer") return b;
  if (b.kind === "null" && a.kind === "pointer") return a;
  if (a.kind === "enum" && b.kind === "enum") return undefined;
  const x = a.kind === "int" ? a : undefined;
  const y = b.kind === "int" ? b : undefined;
  if (!x || !y) {
    // An enum (or char) with a plain integer: the integer type, if it holds the other.
    const int = x ?? y;
    const other = x ? b : a;
    const otherInt = asInteger(other);
    if (int && otherInt && (other.kind === "enum" || other.kind === "char")) return join(int, otherInt);
    return undefined;
  }
  if (x.signed === y.signed) return x.bits >= y.bits ? x : y;
  const signed = x.signed ? x : y;
  const unsigned = x.signed ? y : x;
  return signed.bits > unsigned.bits ? signed : undefined;
}

/** Arms that are all integer literals: the smallest default type that holds them all. */
function literalsType(sites: readonly ValueSite[]): Type {
  const values = sites.map((s) => (s.type.kind === "intLiteral" ? s.type.value : 0n));
  const fitsAll = (t: typeof u32): boolean => values.every((v) => literalFits(v, t));
  if (values.some((v) => v < 0n)) return fitsAll(i32) ? i32 : i64;
  return fitsAll(u32) ? u32 : u64;
}

interface Coverage {
  readonly hasDefault: boolean;
  /** Every value of the scrutinee's type is named (bool: both; enum: every constant). */
  readonly exhaustive: boolean;
  /** Enum constants no arm names (only for an enum scrutinee). */
  readonly missingConstants: readonly string[];
}

/** Checks each arm's pattern against the scrutinee; reports unreachable arms. */
function checkPatterns(c: ExprChecker, scope: Scope, expr: ast.MatchExpr, scrutinee: Type): Coverage {
  const { ctx } = c;
  const seen = new Map<string, Span>();
  let defaultSpan: Span | undefined;
  for (const arm of expr.arms) {
    const pattern = arm.pattern;
    if (defaultSpan) {
      ctx.diags.report(typeErrors.unreachableArm, pattern.span, { kind: "afterDefault" }, defaultSpan);
    }
    if (pattern.kind === "DefaultPattern") {
      defaultSpan ??= pattern.span;
      continue;
    }
    const key = patternKey(c, scope, pattern, scrutinee);
    if (key === undefined) continue;
    const earlier = seen.get(key);
    if (earlier && !defaultSpan) ctx.diags.report(typeErrors.unreachableArm, pattern.span, { kind: "sameValue" }, earlier);
    else if (!earlier) seen.set(key, pattern.span);
  }
  let missingConstants: string[] = [];
  let exhaustive = false;
  if (scrutinee.kind === "enum") {
    const layout = ctx.enums.get(scrutinee.name);
    missingConstants = (layout?.constants ?? []).filter((k) => !seen.has(`i:${k.value}`)).map((k) => k.name);
    exhaustive = layout !== undefined && missingConstants.length === 0;
  } else if (scrutinee.kind === "bool") {
    exhaustive = seen.has("b:true") && seen.has("b:false");
  } else if (scrutinee.kind === "error") {
    exhaustive = true;
  }
  return { hasDefault: defaultSpan !== undefined, exhaustive, missingConstants };
}

/** Checks one literal or name pattern; returns a key identifying its value. */
function patternKey(c: ExprChecker, scope: Scope, pattern: Exclude<ast.Pattern, { kind: "DefaultPattern" }>, scrutinee: Type): string | undefined {
  const { ctx } = c;
  if (pattern.kind === "NamePattern") {
    if (pattern.name.name === "") return undefined; // a syntax error was reported
    const symbol = lookupName(c, scope, pattern.name);
    if (!symbol) return undefined;
    if (symbol.kind !== "constant") {
      const kind = symbol.kind === "local" || symbol.kind === "entry" ? "local" : symbol.kind === "global" ? "global"
        : symbol.kind === "map" ? "map" : "function";
      ctx.diags.report(nameErrors.patternNotConstant, pattern.name.span, pattern.name.name, kind);
      return undefined;
    }
    ctx.patternConstants.set(pattern.name, symbol);
    if (scrutinee.kind === "error") return `i:${symbol.value}`;
    const otherEnum = scrutinee.kind === "enum" && symbol.type.kind === "enum" && symbol.type.name !== scrutinee.name;
    if (!asInteger(scrutinee) || otherEnum) {
      ctx.diags.report(typeErrors.patternMismatch, pattern.name.span, `${pattern.name.name}: ${typeToString(symbol.type)}`, typeToString(scrutinee));
      return undefined;
    }
    return `i:${symbol.value}`;
  }
  const literal = pattern.literal;
  const type = checkExpr(c, scope, literal);
  const spelled = literal.kind === "StringLiteral" ? JSON.stringify(literal.value)
    : literal.kind === "BoolLiteral" ? String(literal.value)
    : literal.kind === "IntLiteral" ? literal.text
    : literal.kind === "CharLiteral" ? `'${String.fromCharCode(literal.value)}'`
    : literal.operand.kind === "IntLiteral" ? `-${literal.operand.text}` : typeToString(type);
  if (scrutinee.kind === "error" || type.kind === "error") return undefined;
  switch (literal.kind) {
    case "BoolLiteral":
      if (scrutinee.kind !== "bool") break;
      return `b:${literal.value}`;
    case "StringLiteral":
      if (scrutinee.kind !== "str") break;
      if (type.kind === "str" && type.size > scrutinee.size) {
        ctx.diags.report(typeErrors.unreachableArm, pattern.span, { kind: "textTooLong", type: typeToString(scrutinee) }, undefined);
      }
      return `s:${literal.value}`;
    case "IntLiteral": case "UnaryExpr": case "CharLiteral": {
      const target = asInteger(scrutinee);
      if (!target) break;
      // A pattern the scrutinee cannot hold never matches; truncating it (as a stored
      // literal is, W0261) would make it match something else: E0304.
      if (type.kind === "intLiteral" && !literalFits(type.value, target)) {
        const { min, max } = intRange(target);
        ctx.diags.report(typeErrors.literalOutOfRange, literal.span, type.value.toString(), typeToString(target), min.toString(), max.toString());
        return undefined;
      }
      // Patterns of an enum scrutinee are compared as its integer values.
      if (!checkAssignable(ctx, literal, type, scrutinee.kind === "enum" ? target : scrutinee, { kind: "matchPattern" })) return undefined;
      const value = literal.kind === "CharLiteral" ? BigInt(literal.value)
        : literal.kind === "IntLiteral" ? literal.value
        : literal.operand.kind === "IntLiteral" ? -literal.operand.value : undefined;
      return value === undefined ? undefined : `i:${value}`;
    }
  }
  ctx.diags.report(typeErrors.patternMismatch, pattern.span, spelled, typeToString(scrutinee));
  return undefined;
}
