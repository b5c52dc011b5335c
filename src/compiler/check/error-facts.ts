//! What each function body says about errors, for `analyzeErrorFlow` (errors.ts): the
//! calls of declared functions and the `try`s around them, the `throw`s, `try`s and
//! deferred calls, and the statements no path reaches (W0215).
//!
//! The checker records them while it checks a body (`FlowRecorder`): a second walk of
//! every tree after checking would read each node again, long after the checker had it
//! at hand. What it records comes in the order it checks; `finish` puts it in the order
//! of the source, which the reports follow. In a file with errors the checker may leave
//! an expression unchecked (`var m: HashMap<…> = …`), so there the facts come from a
//! walk of the tree instead (`walkFacts`), as they always did.

import { neverReturningCall } from "./exec.js";
import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { Span } from "../source.js";
import { lineColumnOf } from "../source.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import type { FunctionInfo } from "./semantics.js";
import { neverFallsThrough } from "./statements.js";
import { moduleCallsOf } from "./imports.js";

/** The codes one enclosing `try` catches. */
export interface Handler {
  readonly codes: ReadonlySet<bigint>;
  readonly all: boolean;
}

/** An error that can leave a function: thrown at `site`, reached through `path`. */
export interface Origin {
  readonly code: bigint | undefined;
  readonly site: Span;
  readonly path: readonly { readonly callee: string; readonly span: Span }[];
}

export interface TryFacts {
  readonly stmt: ast.TryStmt;
  hasThrow: boolean;
  readonly calls: FunctionInfo[];
}

interface CallFact {
  readonly callee: FunctionInfo;
  readonly span: Span;
  readonly handlers: readonly Handler[];
}

interface DeferFact {
  readonly callee: FunctionInfo;
  readonly span: Span;
}

/** A block with a statement after one that never falls through, and its W0215 report. */
interface UnreachableFact {
  readonly block: ast.Block;
  readonly report: () => void;
}

export interface FunctionFacts {
  /** Every `throw`, in the order they finish (one in another's value first). */
  readonly throws: ast.ThrowStmt[];
  /** Errors thrown and not caught in the function, in the same order. */
  readonly own: Origin[];
  /** Calls of declared functions, in the order they finish (inner calls first). */
  readonly calls: CallFact[];
  readonly defers: DeferFact[];
  readonly tries: TryFacts[];
  /** W0215 findings, in the order of the source: reported only when the file has no errors. */
  readonly unreachable: UnreachableFact[];
}

export const caughtBy = (code: bigint | undefined, handlers: readonly Handler[]): boolean =>
  handlers.some((h) => h.all || (code !== undefined && h.codes.has(code)));

function handlerOf(stmt: ast.TryStmt): Handler {
  const codes = new Set(stmt.catches.flatMap((c) => (c.pattern ? [c.pattern.value] : [])));
  return { codes, all: stmt.catches.some((c) => !c.pattern) };
}

/** The declared function `call` calls (once the checker has seen it), if any. */
function declaredCallee(ctx: CheckContext, call: ast.CallExpr, moduleCalls = moduleCallsOf(ctx)): FunctionInfo | undefined {
  const moduleTarget = moduleCalls.size === 0 ? undefined : moduleCalls.get(call);
  if (moduleTarget) return moduleTarget;
  const callee = unparenthesize(call.callee);
  if (callee.kind !== "NameExpr") return undefined;
  const symbol = ctx.references.get(callee);
  return symbol?.kind === "function" && symbol.info.decl.kind === "FunctionDecl" ? symbol.info : undefined;
}

/** What a `try` being entered replaces, put back when it is left. */
interface OuterTries {
  readonly handlers: readonly Handler[];
  readonly tries: readonly TryFacts[];
}

function within(inner: Span, outer: Span): boolean {
  return inner.start >= outer.start && inner.end <= outer.end;
}

/**
 * The facts of one function body, recorded by the checker as it checks it. The checker
 * calls `call` after each call it checks, `block` for each block, and the statement
 * methods from errors.ts, around the checking of those statements.
 */
export class FlowRecorder {
  private readonly facts: FunctionFacts = { throws: [], own: [], calls: [], defers: [], tries: [], unreachable: [] };
  /** The `try`s around what is being checked, innermost last. */
  private handlers: readonly Handler[] = [];
  private tries: readonly TryFacts[] = [];
  /** A deferred call being checked: it runs at exit, so it is a fact of its own, not a call. */
  private deferredCall: ast.CallExpr | undefined;
  /**
   * The callees of the deferred calls being checked, or deferred expressions that are no
   * call: only the unreachable statements in them count, as in `walkFacts` (nothing in
   * them runs where the `defer` is).
   */
  private readonly deferredOnly: Span[] = [];

  /** (Asked for once per body, not once per call.) */
  private readonly moduleCalls: ReadonlyMap<ast.CallExpr, FunctionInfo>;

  constructor(private readonly ctx: CheckContext) {
    this.moduleCalls = moduleCallsOf(ctx);
  }

  private ignored(span: Span): boolean {
    return this.deferredOnly.length > 0 && this.deferredOnly.some((region) => within(span, region));
  }

  call(call: ast.CallExpr): void {
    if (call === this.deferredCall || this.ignored(call.span)) return;
    recordCall(declaredCallee(this.ctx, call, this.moduleCalls), call, this.handlers, this.tries, this.facts);
  }

  block(block: ast.Block): void {
    unreachableIn(this.ctx, block, this.facts.unreachable);
  }

  /** After its value is checked. */
  throwStatement(stmt: ast.ThrowStmt): void {
    if (this.ignored(stmt.span)) return;
    recordThrow(this.ctx, stmt, this.handlers, this.tries, this.facts);
  }

  /** Before its body is checked; `leaveTry` with what this returns after. */
  enterTry(stmt: ast.TryStmt): OuterTries {
    const outer = { handlers: this.handlers, tries: this.tries };
    if (this.ignored(stmt.span)) return outer;
    const t: TryFacts = { stmt, hasThrow: false, calls: [] };
    this.facts.tries.push(t);
    this.handlers = [...this.handlers, handlerOf(stmt)];
    this.tries = [...this.tries, t];
    return outer;
  }

  leaveTry(outer: OuterTries): void {
    this.handlers = outer.handlers;
    this.tries = outer.tries;
  }

  /** Before the deferred expression is checked; `leaveDefer` with what this returns after. */
  enterDefer(stmt: ast.DeferStmt): ast.CallExpr | undefined {
    const outerCall = this.deferredCall;
    const call = unparenthesize(stmt.expr);
    // The call runs at exit (outside every try); its arguments run here.
    if (call.kind === "CallExpr") {
      this.deferredCall = call;
      this.deferredOnly.push(call.callee.span);
    } else {
      this.deferredOnly.push(stmt.expr.span);
    }
    return outerCall;
  }

  leaveDefer(stmt: ast.DeferStmt, outerCall: ast.CallExpr | undefined): void {
    this.deferredCall = outerCall;
    this.deferredOnly.pop();
    const call = unparenthesize(stmt.expr);
    if (this.ignored(stmt.span) || call.kind !== "CallExpr") return;
    recordDefer(declaredCallee(this.ctx, call, this.moduleCalls), call, this.facts);
  }

  /** The facts in the order of the source, as a walk of the tree would find them. */
  finish(): FunctionFacts {
    const { throws, own, calls, defers, tries, unreachable } = this.facts;
    // A call finishes after the calls inside it and before the ones after it; a `throw`
    // counts after the ones in its value. Sorts are stable; a node the checker saw twice
    // is kept once.
    return {
      throws: inOrder(throws, byEnd, itself),
      own: inOrder(own, bySiteEnd, siteOf),
      calls: inOrder(calls, byEnd, spanOf),
      defers: inOrder(defers, byStart, spanOf),
      tries: inOrder(tries, byStatementStart, statementOf),
      unreachable: inOrder(unreachable, byBlockStart, blockOf),
    };
  }
}

// The orders and identities `finish` uses, made once rather than on each call.
const byEnd = (a: { readonly span: Span }, b: { readonly span: Span }): number => a.span.end - b.span.end;
const byStart = (a: { readonly span: Span }, b: { readonly span: Span }): number => a.span.start - b.span.start;
const bySiteEnd = (a: Origin, b: Origin): number => a.site.end - b.site.end;
const byStatementStart = (a: TryFacts, b: TryFacts): number => a.stmt.span.start - b.stmt.span.start;
const byBlockStart = (a: UnreachableFact, b: UnreachableFact): number => a.block.span.start - b.block.span.start;
const itself = <T>(item: T): T => item;
const siteOf = (origin: Origin): Span => origin.site;
const spanOf = (fact: { readonly span: Span }): Span => fact.span;
const statementOf = (fact: TryFacts): ast.TryStmt => fact.stmt;
const blockOf = (fact: UnreachableFact): ast.Block => fact.block;

/** `items` sorted by `order`, without an entry whose `identity` is the one before's (most lists have none or one). */
function inOrder<T>(items: T[], order: (a: T, b: T) => number, identity: (item: T) => unknown): T[] {
  if (items.length < 2) return items;
  const sorted = items.sort(order);
  return sorted.filter((item, i) => i === 0 || identity(item) !== identity(sorted[i - 1]!));
}

/** A call of `callee` (none: not a declared function), under `handlers`, inside `tries`. */
function recordCall(callee: FunctionInfo | undefined, call: ast.CallExpr, handlers: readonly Handler[], tries: readonly TryFacts[], facts: FunctionFacts): void {
  if (!callee) return;
  facts.calls.push({ callee, span: call.span, handlers });
  for (const t of tries) t.calls.push(callee);
}

/** `defer call(…)` of `callee` (none: not a declared function): it runs when the function exits. */
function recordDefer(callee: FunctionInfo | undefined, call: ast.CallExpr, facts: FunctionFacts): void {
  if (callee) facts.defers.push({ callee, span: call.span });
}

function recordThrow(ctx: CheckContext, stmt: ast.ThrowStmt, handlers: readonly Handler[], tries: readonly TryFacts[], facts: FunctionFacts): void {
  const code = constantInteger(ctx, stmt.value);
  facts.throws.push(stmt);
  for (const t of tries) t.hasThrow = true;
  if (!caughtBy(code, handlers)) facts.own.push({ code, site: stmt.span, path: [] });
}

/** The facts of a function body from a walk of its tree (in a file with errors). */
export function walkFacts(ctx: CheckContext, body: ast.Block): FunctionFacts {
  const facts: FunctionFacts = { throws: [], own: [], calls: [], defers: [], tries: [], unreachable: [] };
  // The same walk finds unreachable statements (one whole-tree walk less per function).
  const findUnreachable = (node: ast.Node): void => {
    if (node.kind === "Block") unreachableIn(ctx, node, facts.unreachable);
    forEachChild(node, findUnreachable);
  };
  // What a node is walked under; `visit` is made once per context, not once per node.
  interface Context {
    readonly handlers: readonly Handler[];
    readonly tries: readonly TryFacts[];
    readonly visit: (child: ast.Node) => void;
  }
  const context = (handlers: readonly Handler[], tries: readonly TryFacts[]): Context => {
    const made: Context = { handlers, tries, visit: (child) => walk(child, made) };
    return made;
  };
  const walk = (node: ast.Node, at: Context): void => {
    const { handlers, tries } = at;
    switch (node.kind) {
      case "TryStmt": {
        const t: TryFacts = { stmt: node, hasThrow: false, calls: [] };
        facts.tries.push(t);
        walk(node.body, context([...handlers, handlerOf(node)], [...tries, t]));
        for (const clause of node.catches) walk(clause.body, at);
        return;
      }
      case "ThrowStmt":
        walk(node.value, at);
        recordThrow(ctx, node, handlers, tries, facts);
        return;
      case "DeferStmt": {
        const call = unparenthesize(node.expr);
        if (call.kind !== "CallExpr") {
          findUnreachable(node.expr);
          return;
        }
        // The call runs at exit (outside every try); its arguments run here.
        recordDefer(declaredCallee(ctx, call), call, facts);
        findUnreachable(call.callee);
        for (const arg of call.args) walk(arg, at);
        return;
      }
      case "CallExpr": {
        forEachChild(node, at.visit);
        recordCall(declaredCallee(ctx, node), node, handlers, tries, facts);
        return;
      }
      // Nothing below these concerns errors: not descended into (they are most of a tree's
      // nodes). Types hold no statements, and a call in a size is never checked as a call.
      case "Ident": case "NameExpr":
      case "IntLiteral": case "BoolLiteral": case "StringLiteral": case "CharLiteral": case "NullLiteral":
      case "NamedType": case "GenericType": case "PointerType": case "ArrayType": case "StrType": case "FunctionType": case "ErrorType":
        return;
      default:
        if (node.kind === "Block") unreachableIn(ctx, node, facts.unreachable);
        forEachChild(node, at.visit);
    }
  };
  walk(body, context([], []));
  return facts;
}

export function locationOf(ctx: CheckContext, span: Span): string {
  const source = ctx.inputs.sources.get(span.file);
  const line = source ? lineColumnOf(source, span.start).line : 0;
  return `${span.file.slice(span.file.lastIndexOf("/") + 1)}:${line}`;
}

/** W0215: a statement after one that never falls through, in the same block (at most one per block). */
function unreachableIn(ctx: CheckContext, block: ast.Block, found: UnreachableFact[]): void {
  const statements = block.statements;
  for (let i = 0; i + 1 < statements.length; i++) {
    const handover = neverReturningCall(statements[i]!);
    if (handover) {
      found.push({ block, report: () => ctx.diags.report(nameErrors.unreachableAfterHandover, statements[i + 1]!.span, handover) });
      return;
    }
    const jump = jumpName(statements[i]!);
    if (jump) {
      found.push({ block, report: () => ctx.diags.report(nameErrors.unreachableStatement, statements[i + 1]!.span, jump) });
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
      return neverFallsThrough(stmt) ? (stmt.kind === "TryStmt" ? "leavingTry" : "leavingBlock") : undefined;
    default: return undefined;
  }
}
