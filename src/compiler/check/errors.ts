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

import { neverReturningCall } from "./exec.js";
import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { ThrowPath } from "../diagnostics/catalog/wording.js";
import type { Span } from "../source.js";
import { lineColumnOf } from "../source.js";
import { typeToString } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import { asInteger, concreteType } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo, Symbol } from "./semantics.js";
import { alwaysReturns, checkBlock } from "./statements.js";
import { moduleCallsOf } from "./imports.js";

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
      return;
    }
    case "TryStmt": {
      checkBlock(c, scope, stmt.body);
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
      return;
    }
  }
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

/** The codes one enclosing `try` catches. */
interface Handler {
  readonly codes: ReadonlySet<bigint>;
  readonly all: boolean;
}

/** An error that can leave a function: thrown at `site`, reached through `path`. */
interface Origin {
  readonly code: bigint | undefined;
  readonly site: Span;
  readonly path: readonly { readonly callee: string; readonly span: Span }[];
}

interface TryFacts {
  readonly stmt: ast.TryStmt;
  hasThrow: boolean;
  readonly calls: FunctionInfo[];
}

interface FunctionFacts {
  readonly own: Origin[];
  readonly calls: { readonly callee: FunctionInfo; readonly span: Span; readonly handlers: readonly Handler[] }[];
  readonly defers: { readonly callee: FunctionInfo; readonly span: Span }[];
  readonly tries: TryFacts[];
  /** W0215 findings, in the order of the source: reported only when the file has no errors. */
  readonly unreachable: (() => void)[];
}

const caughtBy = (code: bigint | undefined, handlers: readonly Handler[]): boolean =>
  handlers.some((h) => h.all || (code !== undefined && h.codes.has(code)));

export function analyzeErrorFlow(ctx: CheckContext): ErrorFlow {
  const facts = new Map<FunctionInfo, FunctionFacts>();
  const throwOrigins = new Map<ast.ThrowStmt, string>();
  const sites = new FlowSites(ctx.flowSiteStarts);
  for (const info of ctx.functions) {
    if (info.decl.kind !== "FunctionDecl" || !info.decl.body) continue;
    facts.set(info, collectFacts(ctx, info, info.decl.body, throwOrigins, sites));
  }

  const escapes = new Map<FunctionInfo, Map<string, Origin>>();
  facts.forEach((f, info) => escapes.set(info, new Map(f.own.map((o) => [originKey(o), o]))));
  for (let changed = true; changed;) {
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
    for (const f of facts.values()) for (const report of f.unreachable) report();
  }
  return { throwing, throwOrigins };
}

function originKey(origin: Origin): string {
  return `${origin.site.file}:${origin.site.start}:${origin.code ?? "?"}`;
}

/** The declared function `call` calls (once the checker has seen it), if any. */
function declaredCallee(ctx: CheckContext, call: ast.CallExpr): FunctionInfo | undefined {
  const moduleTarget = moduleCallsOf(ctx).get(call);
  if (moduleTarget) return moduleTarget;
  const callee = unparenthesize(call.callee);
  if (callee.kind !== "NameExpr") return undefined;
  const symbol = ctx.references.get(callee);
  return symbol?.kind === "function" && symbol.info.decl.kind === "FunctionDecl" ? symbol.info : undefined;
}

/** Called by the checker after checking `call`: notes it when errors may flow through it. */
export function noteFlowCall(ctx: CheckContext, call: ast.CallExpr): void {
  if (declaredCallee(ctx, call) !== undefined) ctx.noteFlowSite(call.span);
}

/**
 * Called by the checker for each statement: notes one that concerns errors (`throw`,
 * `try`, `defer`) or after which the rest of its block may be unreachable (a jump,
 * `exec()`, `while (true)`). A block holding none has no unreachable statement.
 */
export function noteFlowStatement(ctx: CheckContext, stmt: ast.Stmt): void {
  switch (stmt.kind) {
    case "ThrowStmt": case "TryStmt": case "DeferStmt": case "ReturnStmt": case "BreakStmt": case "ContinueStmt":
      ctx.noteFlowSite(stmt.span);
      return;
    case "ExprStmt":
      if (neverReturningCall(stmt) !== undefined) ctx.noteFlowSite(stmt.span);
      return;
    case "WhileStmt":
      if (stmt.condition.kind === "BoolLiteral" && stmt.condition.value) ctx.noteFlowSite(stmt.span);
      return;
    case "VarStmt": case "AssignStmt": case "IfStmt": case "ForRangeStmt": case "ForInStmt": case "DeleteStmt": case "BlockStmt": case "ErrorStmt":
      return;
  }
}

/** Called by the checker for each `match`: notes it when an arm is a block (it may throw, try, defer). */
export function noteFlowMatch(ctx: CheckContext, match: ast.MatchExpr): void {
  for (const arm of match.arms) {
    if (arm.body.kind === "Block") {
      ctx.noteFlowSite(match.span);
      return;
    }
  }
}

/**
 * Where the calls and `match`es the walk must see start (CheckContext.flowSiteStarts):
 * an expression holding none of them holds nothing that concerns errors.
 */
class FlowSites {
  private readonly startsByFile = new Map<string, Int32Array>();

  constructor(byFile: ReadonlyMap<string, readonly number[]>) {
    // (A typed array sorts numbers as numbers, without a comparison callback.)
    byFile.forEach((starts, file) => this.startsByFile.set(file, Int32Array.from(starts).sort()));
  }

  /** Whether one of them starts inside `span`. */
  within(span: Span): boolean {
    const starts = this.startsByFile.get(span.file);
    if (starts === undefined) return false;
    // Binary search for the first start at or after the span's.
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (starts[middle]! < span.start) low = middle + 1;
      else high = middle;
    }
    return low < starts.length && starts[low]! < span.end;
  }
}

function collectFacts(ctx: CheckContext, info: FunctionInfo, body: ast.Block, throwOrigins: Map<ast.ThrowStmt, string>, sites: FlowSites): FunctionFacts {
  const facts: FunctionFacts = { own: [], calls: [], defers: [], tries: [], unreachable: [] };
  // The same walk finds unreachable statements (one whole-tree walk less per function).
  const findUnreachable = (node: ast.Node): void => {
    if (node.kind === "Block") unreachableIn(ctx, node, facts.unreachable);
    forEachChild(node, findUnreachable);
  };
  // What a node is walked under; `visit` is made once per context, not once per node.
  interface Context {
    readonly handlers: readonly Handler[];
    readonly tries: readonly TryFacts[];
    /** Inside an expression the checker never saw (next to an error): nothing in it was noted. */
    readonly unchecked: boolean;
    readonly visit: (child: ast.Node) => void;
  }
  const context = (handlers: readonly Handler[], tries: readonly TryFacts[], unchecked: boolean): Context => {
    const made: Context = { handlers, tries, unchecked, visit: (child) => walk(child, made) };
    return made;
  };
  // A node holding no site the checker noted (FlowSites) holds nothing that concerns
  // errors: no call of a declared function, no `throw`, `try` or `defer`, no statement
  // after which another is unreachable. It is passed over: most statements and
  // expressions are, for a search in a sorted array instead of a walk of their nodes.
  const holdsSite = (node: ast.Node, at: Context): boolean => at.unchecked || sites.within(node.span);
  // Next to an error the checker may leave an expression unchecked (`var m: HashMap<…> =
  // …`), with nothing in it noted: a statement, whose expressions are not looked at before
  // it is passed over, is only passed over in a file without errors.
  const statementsChecked = !ctx.diags.hasErrors();
  const statementHoldsSite = (node: ast.Stmt | ast.Block, at: Context): boolean => !statementsChecked || holdsSite(node, at);
  /** The context for the children of expression `node`; undefined to pass over it. */
  const expressionContext = (node: ast.Expr, at: Context): Context | undefined => {
    if (holdsSite(node, at)) return at;
    // Nothing in an expression the checker never typed was noted: all of it is walked.
    return ctx.exprTypes.has(node) ? undefined : context(at.handlers, at.tries, true);
  };
  const walk = (node: ast.Node, at: Context): void => {
    const { handlers, tries } = at;
    switch (node.kind) {
      case "TryStmt": {
        const codes = new Set(node.catches.flatMap((c) => (c.pattern ? [c.pattern.value] : [])));
        const handler: Handler = { codes, all: node.catches.some((c) => !c.pattern) };
        const t: TryFacts = { stmt: node, hasThrow: false, calls: [] };
        facts.tries.push(t);
        walk(node.body, context([...handlers, handler], [...tries, t], at.unchecked));
        for (const clause of node.catches) walk(clause.body, at);
        return;
      }
      case "ThrowStmt": {
        walk(node.value, at);
        const code = constantInteger(ctx, node.value);
        throwOrigins.set(node, `${info.name} at ${locationOf(ctx, node.span)}`);
        for (const t of tries) t.hasThrow = true;
        if (!caughtBy(code, handlers)) facts.own.push({ code, site: node.span, path: [] });
        return;
      }
      case "DeferStmt": {
        const call = unparenthesize(node.expr);
        if (call.kind !== "CallExpr") {
          findUnreachable(node.expr);
          return;
        }
        // The call runs at exit (outside every try); its arguments run here.
        const callee = declaredCallee(ctx, call);
        if (callee) facts.defers.push({ callee, span: call.span });
        findUnreachable(call.callee);
        for (const arg of call.args) walk(arg, at);
        return;
      }
      case "CallExpr": {
        const inner = expressionContext(node, at);
        if (inner === undefined) return;
        forEachChild(node, inner.visit);
        const callee = declaredCallee(ctx, node);
        if (!callee) return;
        facts.calls.push({ callee, span: node.span, handlers });
        for (const t of tries) t.calls.push(callee);
        return;
      }
      case "MatchExpr": case "BinaryExpr": case "UnaryExpr": case "IndexExpr": case "FieldExpr": case "StructLiteral":
      case "ArrayLiteral": case "NewExpr": case "CastExpr": case "SizeofExpr": case "ParenExpr": case "AssignExpr": {
        const inner = expressionContext(node, at);
        if (inner !== undefined) forEachChild(node, inner.visit);
        return;
      }
      case "Block":
        if (!statementHoldsSite(node, at)) return;
        unreachableIn(ctx, node, facts.unreachable);
        forEachChild(node, at.visit);
        return;
      case "VarStmt": case "AssignStmt": case "ExprStmt": case "IfStmt": case "WhileStmt": case "ForRangeStmt": case "ForInStmt":
      case "ReturnStmt": case "DeleteStmt": case "BlockStmt":
        if (statementHoldsSite(node, at)) forEachChild(node, at.visit);
        return;
      // Nothing below these concerns errors: not descended into (they are most of a tree's
      // nodes). Types hold no statements, and a call in a size is never checked as a call.
      case "Ident": case "NameExpr": case "ErrorExpr": case "BreakStmt": case "ContinueStmt": case "ErrorStmt":
      case "IntLiteral": case "BoolLiteral": case "StringLiteral": case "CharLiteral": case "NullLiteral":
      case "NamedType": case "GenericType": case "PointerType": case "ArrayType": case "StrType": case "FunctionType": case "ErrorType":
        return;
      default:
        forEachChild(node, at.visit);
    }
  };
  walk(body, context([], [], false));
  return facts;
}

function locationOf(ctx: CheckContext, span: Span): string {
  const source = ctx.inputs.sources.get(span.file);
  const line = source ? lineColumnOf(source, span.start).line : 0;
  return `${span.file.slice(span.file.lastIndexOf("/") + 1)}:${line}`;
}

/** From `from` through each call to the `throw`, with the places as `file:line`. */
function throwPath(ctx: CheckContext, from: FunctionInfo, origin: Origin): ThrowPath {
  return {
    from: from.name,
    calls: origin.path.map((hop) => ({ callee: hop.callee, at: locationOf(ctx, hop.span) })),
    throwAt: locationOf(ctx, origin.site),
  };
}

/** W0215: a statement after one that never falls through, in the same block (at most one per block). */
function unreachableIn(ctx: CheckContext, block: ast.Block, found: (() => void)[]): void {
  const statements = block.statements;
  for (let i = 0; i + 1 < statements.length; i++) {
    const handover = neverReturningCall(statements[i]!);
    if (handover) {
      found.push(() => ctx.diags.report(nameErrors.unreachableAfterHandover, statements[i + 1]!.span, handover));
      return;
    }
    const jump = jumpName(statements[i]!);
    if (jump) {
      found.push(() => ctx.diags.report(nameErrors.unreachableStatement, statements[i + 1]!.span, jump));
      return;
    }
  }
}

function jumpName(stmt: ast.Stmt): nameErrors.Jump | undefined {
  switch (stmt.kind) {
    case "ReturnStmt": return "return";
    case "ThrowStmt": return "throw";
    case "BreakStmt": return "break";
    case "ContinueStmt": return "continue";
    case "IfStmt": case "TryStmt": case "BlockStmt":
      return alwaysReturns([stmt]) ? (stmt.kind === "TryStmt" ? "leavingTry" : "leavingBlock") : undefined;
    default: return undefined;
  }
}
