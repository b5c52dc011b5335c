//! Type checking of statements and function bodies, and the "every path returns" rule.

import { checkInnerMapStore } from "./map-in-map.js";
import type { NullOrigin } from "../diagnostics/catalog/safety.js";
import { neverReturningCall } from "./exec.js";
import { checkTestResultUse } from "./testing.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import * as referenceErrors from "../diagnostics/catalog/reference-semantics.js";
import type { CheckContext } from "./context.js";
import type { Type } from "../types.js";
import { errorType, sameType, typeToString } from "../types.js";
import { asInteger, checkAssignable, concreteType } from "./conversions.js";
import { symbolSpan } from "./declarations.js";
import type { ExprChecker } from "./expressions.js";
import { checkCondition, checkExpr, checkExprAs, isMapIndex, lookupName, requireValue } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import { allowObjectMapIndex, objectMapValue } from "./object-maps.js";
import type { Symbol } from "./semantics.js";
import { constantInteger } from "./constants.js";
import { checkEscapingPointer, narrow, nullOrigin, provenNonNull } from "./pointers.js";
import { checkTailCall, noteFunctionValueInit, noteLocalAssigned, tailCallTarget } from "./calls.js";
import { checkConfigWrite, checkGlobalSide, reportConfigAsValue } from "./globals.js";
import { checkHeaderBinding, checkUserspaceHeaderType, headerCall, noteAssigned, noteLocalInit, noteLoopVariable } from "./packets.js";
import { isNetworkOrder, networkConversions } from "./byte-order.js";
import { checkErrorStatement } from "./errors.js";
import { checkLoopBindingAssignment, checkMapLoopHeader, checkRangeLoop, checkWhileLoop, noteLocalDeclaration } from "./loops.js";
import { checkMatchStatement, checkReturnMatch } from "./match.js";
import { checkDeleteObject } from "./ringbuf.js";
import { checkAtomicUpdateWidth } from "./kernel-limits.js";
import { checkConstantOperand } from "./constant-operands.js";
import { checkPopBinding } from "./map-kinds.js";
import { unparenthesize } from "../ast.js";
import { checkCompoundValueOrder } from "./compound-values.js";

export function checkBlock(c: ExprChecker, scope: Scope, block: ast.Block): void {
  checkStatementsOf(c, scope.child(), block);
}

/**
 * A block's statements in `scope` (a child the caller made, holding what it binds for
 * them); the block is noted for the error flow first (error-facts.ts: its unreachable
 * statements).
 */
function checkStatementsOf(c: ExprChecker, scope: Scope, block: ast.Block): void {
  c.fn.flow.block(block);
  for (const statement of block.statements) checkStatement(c, scope, statement);
}

function declareLocal(c: ExprChecker, scope: Scope, name: ast.Ident, symbol: Symbol, node: ast.Node): void {
  const previous = scope.own(name.name);
  const previousSpan = previous ? symbolSpan(previous) : undefined;
  if (previousSpan) c.ctx.diags.report(nameErrors.duplicateDefinition, name.span, name.name, previousSpan);
  scope.declare(name.name, symbol);
  c.ctx.declarations.set(node, symbol);
}

export function checkStatement(c: ExprChecker, scope: Scope, stmt: ast.Stmt): void {
  const outer = c.ctx.compoundValues;
  c.ctx.compoundValues = undefined;
  checkStatementItself(c, scope, stmt);
  const updates = c.ctx.compoundValues;
  c.ctx.compoundValues = outer;
  if (updates) checkCompoundValueOrder(c.ctx, stmt, updates);
}

function checkStatementItself(c: ExprChecker, scope: Scope, stmt: ast.Stmt): void {
  const { ctx } = c;
  switch (stmt.kind) {
    case "VarStmt": return checkVar(c, scope, stmt);
    case "AssignStmt": return checkAssign(c, scope, stmt);
    case "ExprStmt": {
      const inner = unparenthesize(stmt.expr);
      if (inner.kind === "MatchExpr") checkMatchStatement(c, scope, inner);
      else checkExpr(c, scope, stmt.expr);
      checkTestResultUse(c, inner);
      return;
    }
    case "IfStmt": {
      const elseScope = scope.child();
      if (stmt.binding) {
        // `if (var h: *T = ctx.header(off))` binds a proven packet header pointer;
        // `if (var q = p)` a checked pointer; `if (var v = m[k])` a map entry.
        const header = headerCall(stmt.condition);
        const popped = header ? undefined : checkPopBinding(c, scope, stmt);
        const source = header ? { type: checkHeaderBinding(c, scope, stmt, header), pointer: false }
          : popped ? { type: popped, pointer: true } : checkBindingSource(c, scope, stmt);
        ctx.ifBindings.set(stmt, header ? "packetHeader" : popped ? "pop" : source.pointer ? "pointer" : "mapEntry");
        const thenScope = scope.child();
        const symbol: Symbol = header
          ? { kind: "local", name: stmt.binding.name, type: source.type, isConst: true, span: stmt.binding.span, id: ctx.freshLocalId() }
          : source.pointer
            ? { kind: "local", name: stmt.binding.name, type: source.type, isConst: false, span: stmt.binding.span, id: ctx.freshLocalId() }
            : { kind: "entry", name: stmt.binding.name, type: source.type, span: stmt.binding.span, id: ctx.freshLocalId(), map: bindingMap(c, stmt.condition) };
        declareLocal(c, thenScope, stmt.binding, symbol, stmt);
        checkStatementsOf(c, thenScope, stmt.then);
      } else {
        checkCondition(c, scope, stmt.condition);
        const thenScope = scope.child();
        narrow(thenScope, provenNonNull(stmt.condition, true));
        narrow(elseScope, provenNonNull(stmt.condition, false));
        checkStatementsOf(c, thenScope, stmt.then);
        // `if (p == null) { return … }`: after it, `p` is checked.
        if (!stmt.else && alwaysReturns(stmt.then.statements)) narrow(scope, provenNonNull(stmt.condition, false));
      }
      if (stmt.else?.kind === "Block") checkStatementsOf(c, elseScope, stmt.else);
      else if (stmt.else) checkStatement(c, elseScope, stmt.else);
      return;
    }
    case "WhileStmt":
      checkCondition(c, scope, stmt.condition);
      c.fn.loopDepth++;
      checkBlock(c, scope, stmt.body);
      c.fn.loopDepth--;
      checkWhileLoop(c, stmt);
      return;
    case "ForRangeStmt": {
      const startType = checkExpr(c, scope, stmt.start);
      const endType = checkExpr(c, scope, stmt.end);
      let variableType: Type = errorType;
      if (startType.kind === "intLiteral" && endType.kind === "intLiteral") {
        variableType = concreteType(ctx, stmt.end, endType);
        concreteType(ctx, stmt.start, startType);
        checkAssignable(ctx, stmt.start, startType, variableType, { kind: "loopStart" });
      } else {
        variableType = startType.kind === "intLiteral" ? concreteType(ctx, stmt.end, endType) : concreteType(ctx, stmt.start, startType);
        checkAssignable(ctx, stmt.start, startType, variableType, { kind: "loopStart" });
        checkAssignable(ctx, stmt.end, endType, variableType, { kind: "loopEnd" });
      }
      if (variableType.kind !== "error" && !asInteger(variableType)) {
        ctx.diags.report(typeErrors.typeMismatch, stmt.start.span, "integer", typeToString(variableType), { kind: "rangeBound" });
        variableType = errorType;
      }
      const bodyScope = scope.child();
      const loopId = ctx.freshLocalId();
      noteLoopVariable(ctx, loopId, stmt.start, stmt.end);
      const variable: Symbol = { kind: "local", name: stmt.variable.name, type: variableType, isConst: false, span: stmt.variable.span, id: loopId };
      declareLocal(c, bodyScope, stmt.variable, variable, stmt);
      checkRangeLoop(c, stmt, variable);
      c.fn.loopDepth++;
      checkStatementsOf(c, bodyScope, stmt.body);
      c.fn.loopDepth--;
      return;
    }
    case "ForInStmt": return checkForIn(c, scope, stmt);
    case "BreakStmt": case "ContinueStmt":
      if (c.fn.loopDepth === 0) ctx.diags.report(typeErrors.loopControlOutsideLoop, stmt.span, stmt.kind === "BreakStmt" ? "break" : "continue");
      return;
    case "ReturnStmt": return checkReturn(c, scope, stmt);
    case "DeleteStmt": {
      if (stmt.target.kind === "IndexExpr" && stmt.target.target.kind === "NameExpr" &&
          scope.lookup(stmt.target.target.name.name)?.kind === "map") {
        allowObjectMapIndex(c, stmt.target);
        checkExpr(c, scope, stmt.target);
        return;
      }
      if (checkDeleteObject(c, scope, stmt)) return;
      if (stmt.target.kind !== "ErrorExpr") ctx.diags.report(typeErrors.deleteNeedsMapEntry, stmt.target.span);
      return;
    }
    case "ThrowStmt": case "TryStmt": case "DeferStmt": return checkErrorStatement(c, scope, stmt);
    case "BlockStmt": return checkBlock(c, scope, stmt.block);
    case "ErrorStmt": return;
  }
}

// Its own function: a closure over `c` and `scope` in checkStatementItself would make
// V8 allocate their context for every statement.
function checkForIn(c: ExprChecker, scope: Scope, stmt: ast.ForInStmt): void {
  const bodyScope = scope.child();
  checkMapLoopHeader(c, scope, bodyScope, stmt, (e) => checkExpr(c, scope, e));
  c.fn.loopDepth++;
  checkStatementsOf(c, bodyScope, stmt.body);
  c.fn.loopDepth--;
}

function checkVar(c: ExprChecker, scope: Scope, stmt: ast.VarStmt): void {
  const { ctx } = c;
  if (stmt.type?.kind === "GenericType") {
    ctx.diags.report(typeErrors.mapNotGlobal, stmt.span, stmt.name.name);
    return;
  }
  const declared = stmt.type ? resolveType(ctx, stmt.type) : undefined;
  if (declared && stmt.type) checkUserspaceHeaderType(c, declared, stmt.type.span);
  let type: Type = declared ?? errorType;
  const id = ctx.freshLocalId();
  let mayBeNull: NullOrigin | undefined;
  let mapAlias: string | undefined;
  if (stmt.init) {
    allowObjectMapIndex(c, stmt.init);
    if (declared) checkExprAs(c, scope, stmt.init, declared, { kind: "declaration", name: stmt.name.name });
    else type = concreteType(ctx, stmt.init, requireValue(c, stmt.init, checkExpr(c, scope, stmt.init)));
    mayBeNull = stmt.init.kind === "NullLiteral" && type.kind === "pointer" ? { kind: "nullInitialiser" } : nullOrigin(c, stmt.init, type);
    // `var s = m[k]` aliases the entry: `s == none` tests presence, writes go through.
    const init = unparenthesize(stmt.init);
    // A map of objects (`hash<K, *T>`) gives a pointer into the entry instead (object-maps.ts).
    if (isMapIndex(c, init) && init.target.kind === "NameExpr" && stmt.keyword !== "const" && !objectMapValue(ctx.exprTypes.get(init) ?? errorType) &&
        (!declared || sameType(declared, ctx.exprTypes.get(init) ?? errorType))) {
      mapAlias = init.target.name.name;
    }
    if (type.kind === "function") noteFunctionValueInit(c, id, stmt.init);
    // `null` alone says nothing about the variable's type: the first assignment of a
    // pointer gives it one (nullLocals, KernelScript 0.1.1's `var x = null`).
    if (!declared && type.kind === "null") {
      if (stmt.keyword === "const") {
        ctx.diags.report(typeErrors.typeMismatch, stmt.init.span, "typedValue", typeToString(type), { kind: "declaration", name: stmt.name.name });
        type = errorType;
      } else {
        ctx.nullLocals.set(id, { stmt, typed: false });
        mayBeNull = { kind: "nullInitialiser" };
      }
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
  noteLocalInit(ctx, id, stmt.init);
  const symbol: Symbol = { kind: "local", name: stmt.name.name, type, isConst: stmt.keyword === "const", span: stmt.name.span, id, mayBeNull, mapAlias };
  declareLocal(c, scope, stmt.name, symbol, stmt);
  noteLocalDeclaration(ctx, symbol, stmt.init);
}

/** What a declaration-as-condition binds: the map's value (an entry), or a checked pointer. */
function checkBindingSource(c: ExprChecker, scope: Scope, stmt: ast.IfStmt): { type: Type; pointer: boolean } {
  const condition = stmt.condition;
  const type = checkExpr(c, scope, condition);
  if (type.kind === "error") return { type: errorType, pointer: false };
  if (isMapIndex(c, condition)) {
    if (stmt.bindingType) {
      const declared = resolveType(c.ctx, stmt.bindingType);
      c.ctx.typeOperands.set(stmt.bindingType, declared);
      if (declared.kind !== "error" && !sameType(declared, type)) {
        c.ctx.diags.report(typeErrors.typeMismatch, stmt.bindingType.span, typeToString(type), typeToString(declared), { kind: "mapEntryBinding" });
      }
    }
    return { type, pointer: false };
  }
  if (type.kind === "pointer" && !type.packet) return { type, pointer: true };
  c.ctx.diags.report(typeErrors.ifVarNeedsLookup, condition.span, typeToString(type));
  return { type: errorType, pointer: false };
}

const compoundOps = new Set(["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]);

/**
 * `x = value` where `x` was declared `var x = null` and has no type yet: a pointer value
 * gives `x` its type from here on, and its declaration too (the C declares it with that
 * type, initialised to NULL). Anything else is E0626. Returns the type `x` now has.
 */
function typeNullLocal(c: ExprChecker, scope: Scope, symbol: Extract<Symbol, { kind: "local" }>, value: ast.Expr): Type {
  const { ctx } = c;
  const valueType = concreteType(ctx, value, checkExpr(c, scope, value));
  const pending = ctx.nullLocals.get(symbol.id);
  if (valueType.kind === "null" || valueType.kind === "error" || !pending) return valueType.kind === "error" ? errorType : symbol.type;
  if (valueType.kind !== "pointer" || valueType.header) {
    ctx.diags.report(referenceErrors.nullLocalNotPointer, value.span, symbol.name, typeToString(valueType));
    pending.typed = true; // one report per variable
    return errorType;
  }
  const typed: Extract<Symbol, { kind: "local" }> = { ...symbol, type: valueType, mayBeNull: nullOrigin(c, value, valueType) };
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const own = s.own(symbol.name);
    if (own?.kind === "local" && own.id === symbol.id) s.declare(symbol.name, typed);
  }
  ctx.declarations.set(pending.stmt, { ...typed, mayBeNull: { kind: "nullInitialiser" } });
  pending.typed = true;
  return valueType;
}

/** After a function's body: each `var x = null` that no pointer assignment gave a type (E0626). */
export function reportUntypedNullLocals(ctx: CheckContext): void {
  for (const pending of ctx.nullLocals.values()) {
    if (!pending.typed) ctx.diags.report(referenceErrors.nullLocalUntyped, pending.stmt.name.span, pending.stmt.name.name);
  }
  ctx.nullLocals.clear();
}

export function checkAssign(c: ExprChecker, scope: Scope, stmt: ast.AssignStmt): void {
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
      } else if (checkLoopBindingAssignment(ctx, symbol, target.span)) {
        targetType = errorType;
      } else if (symbol.kind === "local" || symbol.kind === "entry") {
        noteAssigned(ctx, symbol.id, target.span);
        targetType = symbol.type;
        if (symbol.kind === "local") {
          noteLocalAssigned(ctx, symbol.id);
          if (symbol.type.kind === "null" && stmt.op === "=") {
            ctx.exprTypes.set(target, typeNullLocal(c, scope, symbol, stmt.value));
            return;
          }
          if (symbol.type.kind === "pointer" && stmt.op === "=") {
            allowObjectMapIndex(c, stmt.value);
            const valueType = checkExprAs(c, scope, stmt.value, targetType, { kind: "assignment" });
            const origin = stmt.value.kind === "NullLiteral" ? { kind: "nullAssigned" } as const : nullOrigin(c, stmt.value, valueType);
            if (origin) markMayBeNull(scope, symbol, origin);
            ctx.exprTypes.set(target, targetType);
            return;
          }
        }
      } else if (symbol.kind === "global") {
        checkGlobalSide(c, symbol.info, target.span);
        targetType = symbol.info.type;
      } else if (symbol.kind === "config") {
        reportConfigAsValue(c, symbol.info, target.span);
        targetType = errorType;
      } else {
        if (symbol.kind === "map") ctx.diags.report(nameErrors.mapUsedAsValue, target.span, symbol.info.name);
        else ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        targetType = errorType;
      }
      ctx.exprTypes.set(target, targetType);
      break;
    }
    case "IndexExpr": case "FieldExpr":
      // `outer[k] = m`: a map stored in a map of maps (check/map-in-map.ts).
      if (checkInnerMapStore(c, scope, stmt)) return;
      if (stmt.op === "=" && unparenthesize(stmt.value).kind === "NameExpr") allowObjectMapIndex(c, target);
      ctx.packets.writing = true;
      targetType = checkExpr(c, scope, target);
      ctx.packets.writing = false;
      checkConfigWrite(c, scope, target);
      if (target.kind === "FieldExpr") {
        const base = ctx.exprTypes.get(target.target);
        if (base?.kind === "pointer" && !base.header && base.target.kind === "struct" && base.target.origin === "kernel" && c.fn.side === "kernel") {
          ctx.diags.report(codegenErrors.notSupportedYet, target.span, { kind: "contextFieldWrite" });
          return;
        }
      }
      // `s[i] = c` builds a string (a write past its capacity is dropped); `s[i] += …` is not a string operation.
      if (target.kind === "IndexExpr" && ctx.exprTypes.get(target.target)?.kind === "str" && (stmt.op !== "=" || target.target.kind === "StringLiteral")) {
        ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        return;
      }
      break;
    case "UnaryExpr":
      if (target.op !== "*") {
        ctx.diags.report(typeErrors.invalidAssignTarget, target.span);
        return;
      }
      ctx.packets.writing = true;
      targetType = checkExpr(c, scope, target);
      ctx.packets.writing = false;
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
    // A shift count is any integer: the target's type is no expectation for it.
    const shift = stmt.op === "<<=" || stmt.op === ">>=";
    const valueType = checkExpr(c, scope, stmt.value, shift ? undefined : targetType);
    if (targetType.kind === "error" || valueType.kind === "error") return;
    if (c.fn.side === "kernel") checkAtomicUpdateWidth(ctx, target, stmt.op, targetType, stmt.opSpan);
    checkConstantOperand(ctx, stmt.op.slice(0, -1), stmt.value, valueType, targetType);
    if (!asInteger(targetType) || (!asInteger(valueType) && valueType.kind !== "intLiteral")) {
      ctx.diags.report(typeErrors.invalidOperands, stmt.opSpan, stmt.op, typeToString(targetType), typeToString(valueType));
      return;
    }
    if (isNetworkOrder(targetType) && stmt.op !== "&=" && stmt.op !== "|=" && stmt.op !== "^=") {
      ctx.diags.report(typeErrors.networkOrderArithmetic, stmt.opSpan, stmt.op, typeToString(targetType), networkConversions(targetType.bits)[0]);
      return;
    }
    if (stmt.op === "<<=" || stmt.op === ">>=") {
      concreteType(ctx, stmt.value, valueType);
      return;
    }
    checkAssignable(ctx, stmt.value, valueType, targetType, { kind: "compoundAssignment", operator: stmt.op });
    return;
  }
  checkExprAs(c, scope, stmt.value, targetType, { kind: "assignment" });
}

/** After `p = maybe_null()`: `p` needs a check again, up to the scope that declared it. */
function markMayBeNull(scope: Scope, symbol: Extract<Symbol, { kind: "local" }>, origin: NullOrigin): void {
  const marked: Symbol = { ...symbol, mayBeNull: origin };
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    const own = s.own(symbol.name);
    if (s === scope || (own?.kind === "local" && own.id === symbol.id)) s.declare(symbol.name, marked);
    if (own?.kind === "local" && own.id === symbol.id && own.mayBeNull === undefined && own.span === symbol.span && s !== scope) {
      // keep walking: narrowed copies may sit in several enclosing scopes
    }
  }
}

function checkReturn(c: ExprChecker, scope: Scope, stmt: ast.ReturnStmt): void {
  const { ctx } = c;
  const info = c.fn.info;
  const expected = info.returnType;
  if (!stmt.value) {
    // A naked `return` returns the named result (`-> r: T`), if there is one.
    if (expected.kind !== "void" && expected.kind !== "error" && !c.fn.hasNamedResult) {
      ctx.diags.report(typeErrors.missingReturnValue, stmt.span, info.name, typeToString(expected));
    }
    return;
  }
  if (expected.kind === "void") {
    checkExpr(c, scope, stmt.value);
    ctx.diags.report(typeErrors.returnValueFromVoid, stmt.value.span, info.name);
    return;
  }
  const returned = unparenthesize(stmt.value);
  if (returned.kind === "MatchExpr") {
    checkReturnMatch(c, scope, returned, expected);
    return;
  }
  const target = tailCallTarget(c, scope, stmt.value);
  if (target && stmt.value.kind === "CallExpr") {
    checkTailCall(c, scope, stmt.value, target);
    return;
  }
  checkExprAs(c, scope, stmt.value, expected, { kind: "returnValue", function: info.name });
  checkEscapingPointer(c, stmt.value);
}

/** Whether control cannot fall off the end of these statements. */
export function alwaysReturns(statements: readonly ast.Stmt[]): boolean {
  const last = statements[statements.length - 1];
  return last !== undefined && neverFallsThrough(last);
}

/** Whether no path through `stmt` goes on to the statement after it (`alwaysReturns([stmt])`, without the array). */
export function neverFallsThrough(stmt: ast.Stmt): boolean {
  switch (stmt.kind) {
    case "ReturnStmt": case "ThrowStmt": return true;
    case "ExprStmt": return neverReturningCall(stmt) !== undefined;
    case "TryStmt":
      // Errors the catches do not match leave the function, so they do not fall through.
      return alwaysReturns(stmt.body.statements) && stmt.catches.every((c) => alwaysReturns(c.body.statements));
    case "IfStmt":
      return alwaysReturns(stmt.then.statements) && stmt.else !== undefined &&
        (stmt.else.kind === "Block" ? alwaysReturns(stmt.else.statements) : neverFallsThrough(stmt.else));
    case "BlockStmt": return alwaysReturns(stmt.block.statements);
    case "WhileStmt":
      // `while (true)` without `break` never falls through.
      return stmt.condition.kind === "BoolLiteral" && stmt.condition.value && !containsBreak(stmt.body.statements);
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

/** The map named by the condition of `if (var v = m[k])`, if it is written that way. */
function bindingMap(c: ExprChecker, condition: ast.Expr): string | undefined {
  const e = unparenthesize(condition);
  return isMapIndex(c, e) && e.target.kind === "NameExpr" ? e.target.name.name : undefined;
}
