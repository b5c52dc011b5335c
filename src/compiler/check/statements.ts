//! Type checking of statements and function bodies, and the "every path returns" rule.

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { Type } from "../types.js";
import { errorType, typeToString } from "../types.js";
import { asInteger, checkAssignable, concreteType } from "./conversions.js";
import { symbolSpan } from "./declarations.js";
import type { ExprChecker } from "./expressions.js";
import { checkCondition, checkExpr, checkExprAs, isMapIndex, lookupName, requireValue } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import type { Symbol } from "./semantics.js";
import { constantInteger } from "./constants.js";
import { checkDeleteObject, checkPointerBinding } from "./ringbuf.js";

export function checkBlock(c: ExprChecker, scope: Scope, block: ast.Block): void {
  const inner = scope.child();
  for (const statement of block.statements) checkStatement(c, inner, statement);
}

function declareLocal(c: ExprChecker, scope: Scope, name: ast.Ident, symbol: Symbol, node: ast.Node): void {
  const previous = scope.own(name.name);
  const previousSpan = previous ? symbolSpan(previous) : undefined;
  if (previousSpan) c.ctx.diags.report(nameErrors.duplicateDefinition, name.span, name.name, previousSpan);
  scope.declare(name.name, symbol);
  c.ctx.declarations.set(node, symbol);
}

export function checkStatement(c: ExprChecker, scope: Scope, stmt: ast.Stmt): void {
  const { ctx } = c;
  switch (stmt.kind) {
    case "VarStmt": return checkVar(c, scope, stmt);
    case "AssignStmt": return checkAssign(c, scope, stmt);
    case "ExprStmt": {
      checkExpr(c, scope, stmt.expr);
      return;
    }
    case "IfStmt": {
      const pointerBinding = checkPointerBinding(c, scope, stmt, isMapIndex(c, stmt.condition.kind === "ParenExpr" ? stmt.condition.expr : stmt.condition));
      if (stmt.binding && pointerBinding) {
        const thenScope = scope.child();
        declareLocal(c, thenScope, stmt.binding, pointerBinding, stmt);
        for (const s of stmt.then.statements) checkStatement(c, thenScope, s);
      } else if (stmt.binding) {
        const bindingType = checkBindingSource(c, scope, stmt.condition);
        const thenScope = scope.child();
        const symbol: Symbol = { kind: "entry", name: stmt.binding.name, type: bindingType, span: stmt.binding.span, id: ctx.freshLocalId() };
        declareLocal(c, thenScope, stmt.binding, symbol, stmt);
        for (const s of stmt.then.statements) checkStatement(c, thenScope, s);
      } else {
        checkCondition(c, scope, stmt.condition);
        checkBlock(c, scope, stmt.then);
      }
      if (stmt.else?.kind === "Block") checkBlock(c, scope, stmt.else);
      else if (stmt.else) checkStatement(c, scope, stmt.else);
      return;
    }
    case "WhileStmt":
      checkCondition(c, scope, stmt.condition);
      c.fn.loopDepth++;
      checkBlock(c, scope, stmt.body);
      c.fn.loopDepth--;
      return;
    case "ForRangeStmt": {
      const startType = checkExpr(c, scope, stmt.start);
      const endType = checkExpr(c, scope, stmt.end);
      let variableType: Type = errorType;
      if (startType.kind === "intLiteral" && endType.kind === "intLiteral") {
        variableType = concreteType(ctx, stmt.end, endType);
        concreteType(ctx, stmt.start, startType);
        checkAssignable(ctx, stmt.start, startType, variableType, "the loop start");
      } else {
        variableType = startType.kind === "intLiteral" ? concreteType(ctx, stmt.end, endType) : concreteType(ctx, stmt.start, startType);
        checkAssignable(ctx, stmt.start, startType, variableType, "the loop start");
        checkAssignable(ctx, stmt.end, endType, variableType, "the loop end");
      }
      if (variableType.kind !== "error" && !asInteger(variableType)) {
        ctx.diags.report(typeErrors.typeMismatch, stmt.start.span, "integer", typeToString(variableType), "a range bound");
        variableType = errorType;
      }
      const bodyScope = scope.child();
      declareLocal(c, bodyScope, stmt.variable,
        { kind: "local", name: stmt.variable.name, type: variableType, isConst: false, span: stmt.variable.span, id: ctx.freshLocalId() }, stmt);
      c.fn.loopDepth++;
      for (const s of stmt.body.statements) checkStatement(c, bodyScope, s);
      c.fn.loopDepth--;
      return;
    }
    case "ForInStmt":
      ctx.diags.report(codegenErrors.notSupportedYet, stmt.span, "`for … in map` iteration");
      return;
    case "BreakStmt": case "ContinueStmt":
      if (c.fn.loopDepth === 0) ctx.diags.report(typeErrors.loopControlOutsideLoop, stmt.span, stmt.kind === "BreakStmt" ? "break" : "continue");
      return;
    case "ReturnStmt": return checkReturn(c, scope, stmt);
    case "DeleteStmt": {
      if (stmt.target.kind === "IndexExpr" && stmt.target.target.kind === "NameExpr" &&
          scope.lookup(stmt.target.target.name.name)?.kind === "map") {
        checkExpr(c, scope, stmt.target);
        return;
      }
      if (checkDeleteObject(c, scope, stmt)) return;
      if (stmt.target.kind !== "ErrorExpr") ctx.diags.report(typeErrors.deleteNeedsMapEntry, stmt.target.span);
      return;
    }
    case "ThrowStmt": case "TryStmt": case "DeferStmt":
      ctx.diags.report(codegenErrors.notSupportedYet, stmt.span,
        stmt.kind === "ThrowStmt" ? "`throw`" : stmt.kind === "TryStmt" ? "`try`/`catch`" : "`defer`");
      return;
    case "BlockStmt": return checkBlock(c, scope, stmt.block);
    case "ErrorStmt": return;
  }
}

function checkVar(c: ExprChecker, scope: Scope, stmt: ast.VarStmt): void {
  const { ctx } = c;
  if (stmt.type?.kind === "GenericType") {
    ctx.diags.report(typeErrors.mapNotGlobal, stmt.span, stmt.name.name);
    return;
  }
  const declared = stmt.type ? resolveType(ctx, stmt.type) : undefined;
  let type: Type = declared ?? errorType;
  if (stmt.init) {
    if (declared) checkExprAs(c, scope, stmt.init, declared, `the declaration of \`${stmt.name.name}\``);
    else type = concreteType(ctx, stmt.init, requireValue(c, stmt.init, checkExpr(c, scope, stmt.init)));
    // `null` alone says nothing about the variable's type; function values come later.
    if (!declared && (type.kind === "null" || type.kind === "function")) {
      ctx.diags.report(typeErrors.typeMismatch, stmt.init.span, "a typed value", typeToString(type), `the declaration of \`${stmt.name.name}\``);
      type = errorType;
    }
  } else if (!declared) {
    ctx.diags.report(typeErrors.declarationNeedsTypeOrValue, stmt.name.span, stmt.name.name);
  }
  if (stmt.keyword === "const") {
    const isInteger = asInteger(type) !== undefined;
    if (!stmt.init || constantInteger(ctx, stmt.init) === undefined || (!isInteger && type.kind !== "error")) {
      ctx.diags.report(typeErrors.constNeedsLiteral, stmt.init?.span ?? stmt.name.span, stmt.name.name);
    }
  }
  declareLocal(c, scope, stmt.name,
    { kind: "local", name: stmt.name.name, type, isConst: stmt.keyword === "const", span: stmt.name.span, id: ctx.freshLocalId() }, stmt);
}

/** The value type a declaration-as-condition binds: the map's value type, or the pointee. */
function checkBindingSource(c: ExprChecker, scope: Scope, condition: ast.Expr): Type {
  const type = checkExpr(c, scope, condition);
  if (type.kind === "error") return errorType;
  if (isMapIndex(c, condition)) return type;
  c.ctx.diags.report(typeErrors.ifVarNeedsLookup, condition.span, typeToString(type));
  return errorType;
}

const compoundOps = new Set(["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]);

function checkAssign(c: ExprChecker, scope: Scope, stmt: ast.AssignStmt): void {
  const { ctx } = c;
  const target = stmt.target;
  let targetType: Type;
  switch (target.kind) {
    case "NameExpr": {
      const symbol = lookupName(c, scope, target.name);
      if (!symbol) {
        checkExpr(c, scope, stmt.value);
        return;
      }
      ctx.references.set(target, symbol);
      if (symbol.kind === "local" && symbol.isConst) {
        ctx.diags.report(typeErrors.assignToConst, target.span, symbol.name, symbol.span);
        targetType = errorType;
      } else if (symbol.kind === "local" || symbol.kind === "entry") {
        targetType = symbol.type;
      } else if (symbol.kind === "global") {
        targetType = symbol.info.type;
      } else {
        if (symbol.kind === "map") ctx.diags.report(nameErrors.mapUsedAsValue, target.span, symbol.info.name);
        else ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        targetType = errorType;
      }
      ctx.exprTypes.set(target, targetType);
      break;
    }
    case "IndexExpr": case "FieldExpr":
      if (target.kind === "FieldExpr" && target.target.kind === "IndexExpr" && isMapIndexIn(scope, target.target)) {
        ctx.diags.report(codegenErrors.notSupportedYet, target.span, "assigning to a field of a map entry (`m[k].f = v`)");
        return;
      }
      targetType = checkExpr(c, scope, target);
      if (target.kind === "FieldExpr") {
        const base = ctx.exprTypes.get(target.target);
        if (base?.kind === "pointer" && base.target.kind === "struct" && base.target.origin === "kernel" && c.fn.side === "kernel") {
          ctx.diags.report(codegenErrors.notSupportedYet, target.span, "writing to kernel context fields");
          return;
        }
      }
      if (target.kind === "IndexExpr" && ctx.exprTypes.get(target.target)?.kind === "str") {
        ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        return;
      }
      break;
    case "UnaryExpr":
      if (target.op !== "*") {
        ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        return;
      }
      targetType = checkExpr(c, scope, target);
      break;
    case "ParenExpr":
      ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
      return;
    default:
      if (target.kind !== "ErrorExpr") ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
      checkExpr(c, scope, stmt.value);
      return;
  }
  if (compoundOps.has(stmt.op)) {
    const valueType = checkExpr(c, scope, stmt.value, targetType);
    if (targetType.kind === "error" || valueType.kind === "error") return;
    if (!asInteger(targetType) || (!asInteger(valueType) && valueType.kind !== "intLiteral")) {
      ctx.diags.report(typeErrors.invalidOperands, stmt.opSpan, stmt.op, typeToString(targetType), typeToString(valueType));
      return;
    }
    if (stmt.op === "<<=" || stmt.op === ">>=") {
      concreteType(ctx, stmt.value, valueType);
      return;
    }
    checkAssignable(ctx, stmt.value, valueType, targetType, `\`${stmt.op}\``);
    return;
  }
  checkExprAs(c, scope, stmt.value, targetType, "this assignment");
}

function isMapIndexIn(scope: Scope, expr: ast.IndexExpr): boolean {
  return expr.target.kind === "NameExpr" && scope.lookup(expr.target.name.name)?.kind === "map";
}

function checkReturn(c: ExprChecker, scope: Scope, stmt: ast.ReturnStmt): void {
  const { ctx } = c;
  const info = c.fn.info;
  const expected = info.returnType;
  if (!stmt.value) {
    if (expected.kind !== "void" && expected.kind !== "error") {
      ctx.diags.report(typeErrors.missingReturnValue, stmt.span, info.name, typeToString(expected));
    }
    return;
  }
  if (expected.kind === "void") {
    checkExpr(c, scope, stmt.value);
    ctx.diags.report(typeErrors.returnValueFromVoid, stmt.value.span, info.name);
    return;
  }
  if (stmt.value.kind === "CallExpr" && stmt.value.callee.kind === "NameExpr" &&
      scope.lookup(stmt.value.callee.name.name)?.kind === "function") {
    const callee = scope.lookup(stmt.value.callee.name.name);
    if (callee?.kind === "function" && callee.info.role.kind === "program" && info.role.kind === "program") {
      ctx.diags.report(codegenErrors.notSupportedYet, stmt.value.span, "tail calls");
      return;
    }
  }
  checkExprAs(c, scope, stmt.value, expected, `the return value of \`${info.name}\``);
}

/** Whether control cannot fall off the end of these statements. */
export function alwaysReturns(statements: readonly ast.Stmt[]): boolean {
  const last = statements[statements.length - 1];
  if (!last) return false;
  switch (last.kind) {
    case "ReturnStmt": return true;
    case "IfStmt":
      return alwaysReturns(last.then.statements) && last.else !== undefined &&
        (last.else.kind === "Block" ? alwaysReturns(last.else.statements) : alwaysReturns([last.else]));
    case "BlockStmt": return alwaysReturns(last.block.statements);
    case "WhileStmt":
      // `while (true)` without `break` never falls through.
      return last.condition.kind === "BoolLiteral" && last.condition.value && !containsBreak(last.body.statements);
    default: return false;
  }
}

function containsBreak(statements: readonly ast.Stmt[]): boolean {
  return statements.some((s) => {
    switch (s.kind) {
      case "BreakStmt": return true;
      case "IfStmt": return containsBreak(s.then.statements) || (s.else ? containsBreak(s.else.kind === "Block" ? s.else.statements : [s.else]) : false);
      case "BlockStmt": return containsBreak(s.block.statements);
      default: return false;
    }
  });
}
