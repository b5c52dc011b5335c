//! Errors and exits: `throw`, `try`/`catch`, `defer`, named results, and the analysis
//! of where thrown errors go.
//!
//! Statement checks (`checkErrorStatement`) type the statements; `analyzeErrorFlow`
//! then follows every thrown error through the call graph after all bodies are checked:
//! a function "throws" when an error can leave it, i.e. a `throw` or a call to a
//! throwing function that no enclosing `try` of that function catches. It is a fixed
//! point over the call graph (user-space recursion allowed), keyed by throw site and
//! code, so it terminates. Constant codes are followed exactly (`catch 1` stops
//! `throw 1`, not `throw 2`); a computed code is only stopped by `catch _`.
//!
//! The results: which functions need the hidden error out-parameter (lowering), E0430
//! for an error that can leave an eBPF program (nobody there to hand it to), W0213 for
//! one that can leave user-space `main`, E0353 for deferred calls that may throw,
//! W0214 for a `try` that cannot catch anything, W0215 for statements after a jump.

import type * as ast from "../ast.js";
import { unparenthesize } from "../ast.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { ThrowPath } from "../diagnostics/catalog/wording.js";
import type { Span } from "../source.js";
import { typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import { asInteger, concreteType } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo, Symbol } from "./semantics.js";
import { checkBlock } from "./statements.js";
import { caughtBy, locationOf, walkFacts, type FunctionFacts, type Origin } from "./error-facts.js";

/** What lowering needs to know about errors. */
export interface ErrorFlow {
  /** Functions an error can leave: they get the hidden error out-parameter. */
  readonly throwing: ReadonlySet<FunctionInfo>;
  /** For each `throw`: `function at file.ks:LINE`, printed by user space when unhandled. */
  readonly throwOrigins: ReadonlyMap<ast.ThrowStmt, string>;
}

export function checkErrorStatement(c: ExprChecker, scope: Scope, stmt: ast.ThrowStmt | ast.TryStmt | ast.DeferStmt): void {
  const { ctx } = c;
  switch (stmt.kind) {
    case "ThrowStmt": {
      const type = concreteType(ctx, stmt.value, checkExpr(c, scope, stmt.value));
      if (type.kind !== "error" && !asInteger(type)) ctx.diags.report(typeErrors.throwNeedsInteger, stmt.value.span, typeToString(type));
      c.fn.flow.throwStatement(stmt);
      return;
    }
    case "TryStmt": {
      const outer = c.fn.flow.enterTry(stmt);
      checkBlock(c, scope, stmt.body);
      c.fn.flow.leaveTry(outer);
      const seen = new Map<bigint, Span>();
      let wildcard: Span | undefined;
      for (const clause of stmt.catches) {
        const text = clause.pattern ? clause.pattern.text : "_";
        const earlier = wildcard ?? (clause.pattern ? seen.get(clause.pattern.value) : undefined);
        if (earlier) ctx.diags.report(typeErrors.unreachableCatch, clausePatternSpan(clause), text, earlier);
        else if (clause.pattern) seen.set(clause.pattern.value, clausePatternSpan(clause));
        else wildcard = clausePatternSpan(clause);
        checkBlock(c, scope, clause.body);
      }
      if (stmt.catches.length === 0) ctx.diags.report(nameErrors.tryWithoutEffect, tryKeywordSpan(stmt), "noCatch");
      return;
    }
    case "DeferStmt": {
      const outer = c.fn.flow.enterDefer(stmt);
      checkDeferred(c, scope, stmt);
      c.fn.flow.leaveDefer(stmt, outer);
      return;
    }
  }
}

function checkDeferred(c: ExprChecker, scope: Scope, stmt: ast.DeferStmt): void {
  const { ctx } = c;
  const call = unparenthesize(stmt.expr);
  if (call.kind !== "CallExpr") {
    checkExpr(c, scope, stmt.expr);
    ctx.diags.report(typeErrors.deferNeedsCall, stmt.expr.span);
    return;
  }
  if (c.fn.loopDepth > 0) {
    ctx.diags.report(codegenErrors.notSupportedHere, stmt.span, "deferInLoop");
  }
  checkExpr(c, scope, stmt.expr);
}

/**
 * Declares the named result `r` of `fn f() -> r: T` in the function's scope: a local
 * starting at zero that a naked `return` returns.
 */
export function declareNamedResult(ctx: CheckContext, scope: Scope, decl: ast.FunctionDecl, info: FunctionInfo): void {
  const name = decl.returnName;
  if (!name) return;
  if (info.returnType.kind === "void") {
    ctx.diags.report(typeErrors.namedResultWithoutType, name.span, name.name);
    return;
  }
  const previous = scope.own(name.name);
  if (previous?.kind === "local") {
    ctx.diags.report(nameErrors.duplicateDefinition, name.span, name.name, previous.span);
    return;
  }
  const symbol: Symbol = { kind: "local", name: name.name, type: info.returnType, isConst: false, span: name.span, id: ctx.freshLocalId() };
  scope.declare(name.name, symbol);
  ctx.declarations.set(name, symbol);
  ctx.readLocals.add(symbol.id);
}


function clausePatternSpan(clause: ast.CatchClause): Span {
  if (clause.pattern) return clause.pattern.span;
  return { file: clause.span.file, start: clause.span.start, end: clause.body.span.start };
}

function tryKeywordSpan(stmt: ast.TryStmt): Span {
  return { file: stmt.span.file, start: stmt.span.start, end: stmt.span.start + 3 };
}

// ---------------------------------------------------------------------------------------
// Where errors go
// ---------------------------------------------------------------------------------------

export function analyzeErrorFlow(ctx: CheckContext): ErrorFlow {
  const facts = new Map<FunctionInfo, FunctionFacts>();
  const throwOrigins = new Map<ast.ThrowStmt, string>();
  // (Next to an error, the checker may have left an expression unchecked: the facts come
  // from a walk of the tree there, error-facts.ts.)
  const checkedWhole = !ctx.diags.hasErrors() && ctx.inputs.errorFactsFrom !== "walk";
  for (const info of ctx.functions) {
    if (info.decl.kind !== "FunctionDecl" || !info.decl.body) continue;
    const recorded = ctx.errorFacts.get(info);
    const found = checkedWhole && recorded ? recorded.finish() : walkFacts(ctx, info.decl.body);
    facts.set(info, found);
    for (const stmt of found.throws) throwOrigins.set(stmt, `${info.name} at ${locationOf(ctx, stmt.span)}`);
  }

  const escapes = new Map<FunctionInfo, Map<string, Origin>>();
  let thrown = 0;
  facts.forEach((f, info) => {
    escapes.set(info, new Map(f.own.map((o) => [originKey(o), o])));
    thrown += f.own.length;
  });
  // Where nothing is thrown uncaught, no error reaches any call: no round to make.
  for (let changed = thrown > 0; changed;) {
    changed = false;
    // (forEach: iterating the entries would make an [info, facts] pair for each, every round.)
    facts.forEach((f, info) => {
      const mine = escapes.get(info)!;
      for (const call of f.calls) {
        const from = escapes.get(call.callee);
        // Most callees throw nothing: no iterator is made for them.
        if (from === undefined || from.size === 0) continue;
        for (const origin of from.values()) {
          const key = originKey(origin);
          if (mine.has(key) || caughtBy(origin.code, call.handlers)) continue;
          mine.set(key, { ...origin, path: [{ callee: call.callee.name, span: call.span }, ...origin.path] });
          changed = true;
        }
      }
    });
  }

  const throwing = new Set<FunctionInfo>();
  escapes.forEach((origins, info) => {
    if (origins.size === 0) return;
    throwing.add(info);
    for (const origin of origins.values()) {
      if (info.role.kind === "program") {
        ctx.diags.report(safetyErrors.uncaughtThrowInProgram, origin.site, origin.code, info.name, throwPath(ctx, info, origin), origin.path[0]?.span);
      } else if (info.role.kind === "userspace" && info.name === "main") {
        ctx.diags.report(nameErrors.uncaughtThrowInMain, origin.site, origin.code, throwPath(ctx, info, origin));
      }
    }
  });
  for (const f of facts.values()) {
    for (const deferred of f.defers) {
      if (throwing.has(deferred.callee)) ctx.diags.report(typeErrors.deferredCallThrows, deferred.span, deferred.callee.name);
    }
    for (const t of f.tries) {
      if (t.stmt.catches.length > 0 && !t.hasThrow && !t.calls.some((callee) => throwing.has(callee))) {
        ctx.diags.report(nameErrors.tryWithoutEffect, tryKeywordSpan(t.stmt), "nothingThrows");
      }
    }
  }
  // Like unused variables: next to an error, an unreachable statement is mostly noise.
  if (!ctx.diags.hasErrors()) {
    for (const f of facts.values()) for (const found of f.unreachable) found.report();
  }
  return { throwing, throwOrigins };
}

function originKey(origin: Origin): string {
  return `${origin.site.file}:${origin.site.start}:${origin.code ?? "?"}`;
}

/** From `from` through each call to the `throw`, with the places as `file:line`. */
function throwPath(ctx: CheckContext, from: FunctionInfo, origin: Origin): ThrowPath {
  return {
    from: from.name,
    calls: origin.path.map((hop) => ({ callee: hop.callee, at: locationOf(ctx, hop.span) })),
    throwAt: locationOf(ctx, origin.site),
  };
}
