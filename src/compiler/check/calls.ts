//! Calls beyond plain direct calls: tail calls (`return other(ctx)` inside a program),
//! calls through function values, function values passed as arguments, the five-register
//! parameter limit of eBPF functions, and BPF helpers called without a declaration.
//!
//! eBPF has no indirect calls, so on the kernel side a call through a function value
//! must resolve at compile time. Two forms do: a call through a function-typed parameter
//! of a `@helper` (lowering makes one copy of the helper per function passed there), and
//! a call through a local variable initialised with one known function and never
//! reassigned (checked once the whole body is known, in `finishFunctionCalls`).

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { FunctionType, Type } from "../types.js";
import { errorType, sameType, typeToString } from "../types.js";
import { legacyHelpers } from "../kernel/bpf-helpers.js";
import { receivesUnpackedArguments } from "../kernel/program-types.js";
import { checkHelperArguments } from "./helper-calls.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo, Symbol } from "./semantics.js";
import { unparenthesize } from "../ast.js";

/** The kernel's MAX_TAIL_CALL_CNT: tail calls one program run may make. */
export const maxTailCalls = 33;

/** eBPF passes arguments in R1–R5. */
export const maxEbpfParameters = 5;

export function isFunctionTyped(symbol: Symbol): boolean {
  const type = symbol.kind === "global" ? symbol.info.type : symbol.kind === "local" ? symbol.type : undefined;
  return type?.kind === "function";
}


/** Per-check state of this file, kept beside the CheckContext. */
interface CallState {
  /** Function-typed locals with the function they were initialised with. */
  readonly knownValues: Map<number, string>;
  /** Ids of locals assigned after their declaration. */
  readonly reassigned: Set<number>;
  /** Kernel-side calls through locals, to confirm once the body is checked. */
  pending: { id: number; name: string; span: ast.Expr["span"] }[];
  readonly tailEdges: { caller: FunctionInfo; callee: FunctionInfo; span: ast.Expr["span"] }[];
}

const states = new WeakMap<CheckContext, CallState>();

function state(ctx: CheckContext): CallState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { knownValues: new Map(), reassigned: new Set(), pending: [], tailEdges: [] }));
  return s;
}

/** Records `var f = g` / `var f: Op = g` so calls through `f` can resolve to `g`. */
export function noteFunctionValueInit(c: ExprChecker, symbolId: number, init: ast.Expr): void {
  const value = staticFunction(c, init);
  if (value) state(c.ctx).knownValues.set(symbolId, value);
}

/** Records an assignment to a local (a reassigned function variable cannot be resolved). */
export function noteLocalAssigned(ctx: CheckContext, symbolId: number): void {
  state(ctx).reassigned.add(symbolId);
}

/** The declared function a function-valued expression denotes, when it is a name of one. */
function staticFunction(c: ExprChecker, expr: ast.Expr): string | undefined {
  const e = unparenthesize(expr);
  if (e.kind !== "NameExpr") return undefined;
  const symbol = c.ctx.references.get(e);
  if (symbol?.kind === "function") return symbol.info.name;
  if (symbol?.kind === "local") return state(c.ctx).knownValues.get(symbol.id);
  return undefined;
}

/** Whether `symbol` is a function-typed parameter of the `@helper` being checked. */
function isHelperFunctionParameter(c: ExprChecker, symbol: Symbol): boolean {
  if (symbol.kind !== "local" || symbol.type.kind !== "function" || c.fn.info.role.kind !== "helper") return false;
  const decl = c.fn.info.decl;
  return decl.kind === "FunctionDecl" && decl.params.some((p) => c.ctx.declarations.get(p.name) === symbol);
}

/** `f(args)` where `f` is a function-typed variable, parameter, field or expression. */
export function checkCallThroughValue(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const calleeType = checkExpr(c, scope, expr.callee);
  if (calleeType.kind === "error") {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (calleeType.kind !== "function") {
    ctx.diags.report(typeErrors.notCallable, expr.callee.span, { type: typeToString(calleeType) });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (expr.args.length !== calleeType.params.length) {
    const name = expr.callee.kind === "NameExpr" ? expr.callee.name.name : undefined;
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, name, calleeType.params.length, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
  } else {
    expr.args.forEach((arg, i) => checkArgument(c, scope, arg, calleeType.params[i]!, { kind: "argument", index: i + 1, callee: undefined }));
  }
  if (c.fn.side === "kernel") requireStaticCallee(c, expr.callee);
  return calleeType.returnType;
}

function requireStaticCallee(c: ExprChecker, callee: ast.Expr): void {
  const e = unparenthesize(callee);
  if (e.kind !== "NameExpr") {
    c.ctx.diags.report(safetyErrors.unresolvedIndirectCall, e.span, "calleeNotAName");
    return;
  }
  const symbol = c.ctx.references.get(e);
  if (!symbol) return;
  if (isHelperFunctionParameter(c, symbol)) return;
  if (symbol.kind === "local" && state(c.ctx).knownValues.has(symbol.id)) {
    state(c.ctx).pending.push({ id: symbol.id, name: e.name.name, span: e.span });
    return;
  }
  const problem = symbol.kind === "local" && c.fn.info.params.some((p) => p.name === symbol.name) ? "parameterOfNonHelper" : "notInitialisedWithFunction";
  c.ctx.diags.report(safetyErrors.unresolvedIndirectCall, e.span, problem, e.name.name);
}

function checkArgument(c: ExprChecker, scope: Scope, arg: ast.Expr, param: Type, context: ValueContext): void {
  if (param.kind === "function") checkFunctionArgument(c, scope, arg, param, context);
  else checkExprAs(c, scope, arg, param, context);
}

/** An argument for a function-typed parameter: a matching function value. */
export function checkFunctionArgument(c: ExprChecker, scope: Scope, arg: ast.Expr, param: FunctionType, context: ValueContext): void {
  const { ctx } = c;
  const found = checkExpr(c, scope, arg);
  if (found.kind === "error") return;
  if (found.kind === "null") {
    if (c.fn.side === "kernel") ctx.diags.report(safetyErrors.unresolvedIndirectCall, arg.span, "nullArgument");
    return;
  }
  if (found.kind !== "function") {
    ctx.diags.report(typeErrors.typeMismatch, arg.span, typeToString(param), typeToString(found), context);
    return;
  }
  const name = unparenthesize(arg).kind === "NameExpr" ? (unparenthesize(arg) as ast.NameExpr).name.name : undefined;
  if (!sameType(found, param)) {
    ctx.diags.report(typeErrors.functionValueMismatch, arg.span, name, typeToString(found), typeToString(param));
    return;
  }
  if (c.fn.side !== "kernel") return;
  // The callee is specialised per function passed: the argument must be known here.
  const e = unparenthesize(arg);
  const symbol = e.kind === "NameExpr" ? ctx.references.get(e) : undefined;
  if (symbol?.kind === "function") {
    if (symbol.info.role.kind !== "helper") {
      ctx.diags.report(safetyErrors.unresolvedIndirectCall, arg.span, "notAHelper", name);
    }
    return;
  }
  if (symbol && (isHelperFunctionParameter(c, symbol))) return;
  if (symbol?.kind === "local" && state(ctx).knownValues.has(symbol.id)) {
    state(ctx).pending.push({ id: symbol.id, name: name ?? symbol.name, span: arg.span });
    return;
  }
  ctx.diags.report(safetyErrors.unresolvedIndirectCall, arg.span, "argumentNotAFunction");
}

/** A call to a program outside `return`: not allowed (only tail calls enter programs). */
export function checkTailCallAsCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, info: FunctionInfo): Type {
  c.ctx.diags.report(nameErrors.programCalledDirectly, expr.callee.span, info.name);
  checkEach(c, scope, expr.args);
  return errorType;
}

/**
 * The program `expr` enters when it is returned from a program (`return target(ctx)`, or
 * a `return match` arm giving `target(ctx)`): a tail call. Undefined for anything else.
 */
export function tailCallTarget(c: ExprChecker, scope: Scope, expr: ast.Expr): FunctionInfo | undefined {
  if (expr.kind !== "CallExpr" || expr.callee.kind !== "NameExpr" || c.fn.info.role.kind !== "program") return undefined;
  const callee = scope.lookup(expr.callee.name.name);
  return callee?.kind === "function" && callee.info.role.kind === "program" ? callee.info : undefined;
}

/** `return target(ctx)` inside a program: a tail call. */
export function checkTailCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, target: FunctionInfo): void {
  const { ctx } = c;
  const caller = c.fn.info;
  if (expr.callee.kind === "NameExpr") {
    ctx.references.set(expr.callee, { kind: "function", info: target });
    ctx.exprTypes.set(expr.callee, errorType);
  }
  checkEach(c, scope, expr.args);
  c.fn.flow.call(expr);
  if (caller.role.kind !== "program" || target.role.kind !== "program") return;
  const callerType = caller.role.info.programType;
  const targetType = target.role.info.programType;
  if (callerType !== targetType || caller.role.info.section(caller.role.target) !== target.role.info.section(target.role.target)) {
    const describe = (role: typeof caller.role & { kind: "program" }): string =>
      role.target ? `@${role.info.attribute}("${role.target}")` : `@${role.info.attribute}`;
    ctx.diags.report(typeErrors.tailCallProgramType, expr.callee.span, target.name,
      describe(target.role as never), describe(caller.role as never));
    return;
  }
  const contextName = caller.params[0]?.name ?? "ctx";
  const arg = expr.args.length === 1 ? unparenthesize(expr.args[0]!) : undefined;
  const passesContext = arg?.kind === "NameExpr" && ctx.references.get(arg)?.kind === "local" &&
    (ctx.references.get(arg) as Extract<Symbol, { kind: "local" }>).name === contextName &&
    sameType(ctx.exprTypes.get(arg) ?? errorType, caller.params[0]?.type ?? errorType);
  if (!passesContext) {
    ctx.diags.report(typeErrors.tailCallArguments, expr.span, target.name, contextName);
    return;
  }
  ctx.exprTypes.set(expr, caller.returnType);
  ctx.tailCalls.set(expr, target);
  state(ctx).tailEdges.push({ caller, callee: target, span: expr.span });
}

/** After a function body: calls through locals resolve only if the local never changed. */
export function finishFunctionCalls(ctx: CheckContext): void {
  const s = state(ctx);
  for (const call of s.pending) {
    if (s.reassigned.has(call.id)) {
      ctx.diags.report(safetyErrors.unresolvedIndirectCall, call.span, "reassigned", call.name);
    }
  }
  s.pending = [];
}

/** Programs and helpers take at most five parameters. */
export function checkParameterLimit(ctx: CheckContext, info: FunctionInfo): void {
  // Probe programs receive the probed function's arguments (up to 6, from pt_regs/BTF);
  // their own limit belongs to the probe signature check.
  const probe = info.role.kind === "program" && receivesUnpackedArguments(info.role.info);
  const kernelSide = info.role.kind === "program" || info.role.kind === "helper" || info.role.kind === "extern";
  if (kernelSide && !probe && info.params.length > maxEbpfParameters) {
    ctx.diags.report(typeErrors.tooManyParameters, info.decl.name.span, info.name, info.params.length);
  }
}

/** A BPF helper of the kernel called by name without an `extern` declaration. */
export function checkLegacyHelperCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  const { ctx } = c;
  const helper = legacyHelpers.get(name)!;
  if (c.fn.side === "user") {
    ctx.diags.report(nameErrors.kernelFunctionFromUserspace, expr.callee.span, name, "bpfHelper");
  }
  if (expr.args.length !== helper.params.length) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, name, helper.params.length, expr.args.length, undefined);
    checkEach(c, scope, expr.args);
  } else {
    expr.args.forEach((arg, i) => checkExprAs(c, scope, arg, helper.params[i]!, { kind: "argument", index: i + 1, callee: name }));
    checkHelperArguments(c, expr, name);
  }
  return helper.returnType;
}

/** Cycles (a warning: the kernel ends them after 33 calls) and chains deeper than 33. */
export function reportTailCallGraph(ctx: CheckContext): void {
  const edges = state(ctx).tailEdges;
  const out = new Map<FunctionInfo, { callee: FunctionInfo; span: ast.Expr["span"] }[]>();
  for (const e of edges) {
    const list = out.get(e.caller) ?? [];
    if (!list.some((x) => x.callee === e.callee)) list.push(e);
    out.set(e.caller, list);
  }
  const depth = new Map<FunctionInfo, { depth: number; next: FunctionInfo | undefined }>();
  const onPath: FunctionInfo[] = [];
  const reportedCycles = new Set<string>();
  const visit = (fn: FunctionInfo): number => {
    const known = depth.get(fn);
    if (known) return known.depth;
    if (onPath.includes(fn)) return 0;
    onPath.push(fn);
    let best = 0;
    let next: FunctionInfo | undefined;
    for (const edge of out.get(fn) ?? []) {
      const at = onPath.indexOf(edge.callee);
      if (at >= 0) {
        const cycle = [...onPath.slice(at), edge.callee].map((f) => f.name);
        const key = [...cycle].sort().join(",");
        if (!reportedCycles.has(key)) {
          reportedCycles.add(key);
          ctx.diags.report(nameErrors.tailCallCycle, edge.span, cycle.join(" → "));
        }
        continue;
      }
      const d = 1 + visit(edge.callee);
      if (d > best) {
        best = d;
        next = edge.callee;
      }
    }
    onPath.pop();
    depth.set(fn, { depth: best, next });
    return best;
  };
  for (const fn of out.keys()) visit(fn);
  const incoming = new Set(edges.map((e) => e.callee));
  for (const fn of out.keys()) {
    const d = depth.get(fn)!;
    if (d.depth <= maxTailCalls || incoming.has(fn)) continue;
    const chain: string[] = [fn.name];
    for (let at = d.next; at; at = depth.get(at)?.next) chain.push(at.name);
    const shown = chain.length > 8 ? [...chain.slice(0, 4), "…", ...chain.slice(-3)] : chain;
    const first = out.get(fn)!.find((e) => e.callee === d.next)!;
    ctx.diags.report(safetyErrors.tailCallChainTooDeep, first.span, d.depth, shown.join(" → "));
  }
}
