//! check(): Ast → Semantics.
//!
//! Consumes the parsed file, reads included headers through the Host, and produces the
//! side tables of `Semantics` (types of expressions, what names refer to, the program's
//! maps, functions and types). Reports every error it finds and keeps going; lowering
//! runs only if there were none. Never modifies the AST.

import type * as ast from "../ast.js";
import { reportUncheckedTargets } from "./kernel-targets.js";
import { isMissingKfunc, kernelCompat, reportMissingKfuncCalls } from "./struct-ops-compat.js";
import { implScopeOf } from "./struct-ops.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import { typeToString } from "../types.js";
import type { CheckInputs, FunctionContext } from "./context.js";
import { CheckContext } from "./context.js";
import { declareAll, declareBuiltins, roleOf, spliceIncludes } from "./declarations.js";
import { declareModuleFunctions, loadImports, moduleCallsOf, moduleScopeOf, pruneUnusedModuleFunctions } from "./imports.js";
import { alwaysReturns, checkStatement, reportUntypedNullLocals } from "./statements.js";
import { execScriptsOf, setMainFile, usesDaemon } from "./exec.js";
import { pythonCallsOf, pythonModulesOf } from "./python.js";
import { analyzeErrorFlow, declareNamedResult } from "./errors.js";
import { FlowRecorder } from "./error-facts.js";
import { finishFunctionLoops, loopFactsOf } from "./loops.js";
import type { FunctionInfo, Semantics, Symbol } from "./semantics.js";
import type { Span } from "../source.js";
import { finishFunctionCalls, reportTailCallGraph } from "./calls.js";
import { reportReassignedOffsets } from "./packets.js";
import { checkRingbufCallbacks } from "./ringbuf.js";
import { finishTestFunction } from "./testing.js";
import { checkModuleBody, isModuleFunction } from "./kmod.js";
import { checkLicense } from "./license.js";
import { checkReturnMatch } from "./match.js";
import { unparenthesize } from "../ast.js";

export type { Semantics } from "./semantics.js";

/**
 * A function with a result whose body ends in a bare `match (x) { … }`: the match is its
 * value, as in KernelScript 0.1.1 (types_demo's `protocol_from_u8`), checked and lowered
 * as `return match`. Only the body's last statement, and not with a named result (there
 * falling off the end returns the result).
 */
function matchValueTail(decl: ast.FunctionDecl, returnType: import("../types.js").Type): ast.ExprStmt | undefined {
  if (!decl.body || decl.returnName || returnType.kind === "void" || returnType.kind === "error") return undefined;
  const last = decl.body.statements[decl.body.statements.length - 1];
  return last?.kind === "ExprStmt" && unparenthesize(last.expr).kind === "MatchExpr" ? last : undefined;
}

export function check(file: ast.SourceFileAst, inputs: CheckInputs): Semantics {
  const ctx = new CheckContext(inputs);
  ctx.syntaxTrees.set(file.path, file);
  declareBuiltins(ctx);
  const decls = spliceIncludes(ctx, file);
  const headerDecls = new Set(decls.filter((d) => d.span.file !== file.path));
  const license = checkLicense(ctx.diags, decls, file.path);
  setMainFile(ctx, file.path);
  const moduleTypes = loadImports(ctx, file);
  declareAll(ctx, [...moduleTypes, ...decls], headerDecls);
  declareModuleFunctions(ctx, (decl) => roleOf(ctx, decl));
  checkRingbufCallbacks(ctx);

  for (const info of ctx.functions) {
    const decl = info.decl;
    if (decl.kind === "FunctionDecl" && decl.body) checkFunctionBody(ctx, info, decl, decl.body);
  }

  reportEbpfRecursion(ctx);
  pruneUnusedModuleFunctions(ctx);
  reportTailCallGraph(ctx);
  const errorFlow = analyzeErrorFlow(ctx);

  const unreadLocals = new Set<number>();
  const unusedVariables: Extract<Symbol, { kind: "local" }>[] = [];
  // (forEach: iterating the entries would make a [node, symbol] pair for each.)
  ctx.declarations.forEach((symbol, node) => {
    if (symbol.kind !== "local" || ctx.readLocals.has(symbol.id) || node.kind !== "VarStmt") return;
    unreadLocals.add(symbol.id);
    if (!symbol.name.startsWith("_")) unusedVariables.push(symbol);
  });
  // Unused-variable warnings only for programs without errors: next to an error they
  // are noise (the error often is why the variable looks unused).
  if (!ctx.diags.hasErrors()) {
    for (const symbol of unusedVariables) ctx.diags.report(nameErrors.unusedVariable, symbol.span, symbol.name);
  }

  reportMissingKfuncCalls(ctx);
  reportUncheckedTargets(ctx);
  const kernelCompatDecls = kernelCompat(ctx, ctx.headerEnums);

  const hasProgram = ctx.functions.some((f) => f.role.kind === "program");
  if (!hasProgram && !decls.some((d) => d.kind === "ImplDecl") && file.decls.every((d) => d.kind !== "ErrorDecl")) {
    const firstLine = { file: file.path, start: 0, end: 0 };
    ctx.diags.report(nameErrors.noPrograms, firstLine);
  }

  return {
    sourcePath: file.path,
    tables: ctx.tables,
    userStructs: ctx.userStructs,
    userEnums: ctx.userEnums,
    typedefs: ctx.typedefs,
    maps: ctx.maps,
    globals: ctx.globals,
    configs: ctx.configs,
    functions: ctx.functions,
    structOps: ctx.structOps,
    license,
    kernelCompat: kernelCompatDecls,
    missingKfuncs: new Set(ctx.functions.filter((f) => isMissingKfunc(ctx, f)).map((f) => f.name)),
    exprTypes: ctx.exprTypes,
    implicitConversions: ctx.implicitConversions,
    references: ctx.references,
    declarations: ctx.declarations,
    typeOperands: ctx.typeOperands,
    tailCalls: ctx.tailCalls,
    syscallProbes: ctx.syscallProbes,
    packetBindings: ctx.packets.bindings,
    ifBindings: ctx.ifBindings,
    implicitPacketReads: ctx.packets.implicitReads,
    patternConstants: ctx.patternConstants,
    testing: ctx.testing,
    escapingLocals: ctx.escapingLocals,
    matchValueTails: ctx.matchValueTails,
    syntaxTrees: ctx.syntaxTrees,
    integerNullTests: ctx.integerNullTests,
    stringReads: ctx.stringReads,
    unreadLocals,
    errorFlow,
    loops: loopFactsOf(ctx),
    moduleCalls: moduleCallsOf(ctx),
    handover: { pythonModules: pythonModulesOf(ctx), pythonCalls: pythonCallsOf(ctx), execScripts: execScriptsOf(ctx), daemon: usesDaemon(ctx) },
  };
}

/** Checks one function's body, then the rules that need all of it. */
function checkFunctionBody(ctx: CheckContext, info: FunctionInfo, decl: ast.FunctionDecl, body: ast.Block): void {
  const side = info.role.kind === "userspace" || info.role.kind === "test" ? "user" : isModuleFunction(info) ? "module" : "kernel";
  const flow = new FlowRecorder(ctx);
  ctx.errorFacts.set(info, flow);
  const fn: FunctionContext = { info, side, loopDepth: 0, hasNamedResult: decl.returnName !== undefined, flow };
  const scope = (moduleScopeOf(ctx, info) ?? implScopeOf(ctx, info) ?? ctx.globalScope).child();
  decl.params.forEach((param, i) => {
    const symbol = { kind: "local" as const, name: param.name.name, type: info.params[i]!.type, isConst: false, span: param.name.span, id: ctx.freshLocalId() };
    scope.declare(param.name.name, symbol);
    ctx.declarations.set(param.name, symbol);
  });
  declareNamedResult(ctx, scope, decl, info);
  const valueTail = matchValueTail(decl, info.returnType);
  const c = { ctx, fn };
  flow.block(body);
  for (const statement of body.statements) {
    if (statement === valueTail) checkReturnMatch(c, scope, unparenthesize(valueTail.expr) as ast.MatchExpr, info.returnType);
    else checkStatement(c, scope, statement);
  }
  if (valueTail) ctx.matchValueTails.add(valueTail);
  if (side === "module") checkModuleBody(ctx, info);
  finishFunctionCalls(ctx);
  reportReassignedOffsets(ctx);
  finishFunctionLoops(ctx, body);
  finishTestFunction(ctx, info);
  reportUntypedNullLocals(ctx);
  const returnType = info.returnType;
  // With a named result, falling off the end returns it, like a naked `return`.
  if (returnType.kind !== "void" && returnType.kind !== "error" && !decl.returnName && !valueTail && !alwaysReturns(body.statements)) {
    ctx.diags.report(typeErrors.missingReturnValue, decl.name.span, info.name, typeToString(returnType));
  }
}

/**
 * The verifier rejects call graphs with cycles. Reports each kernel-side function that
 * can reach itself, at the call that closes the cycle.
 */
function reportEbpfRecursion(ctx: CheckContext): void {
  const kernelSide = (info: FunctionInfo): boolean => info.role.kind === "program" || info.role.kind === "helper";
  const callees = new Map<FunctionInfo, { callee: FunctionInfo; span: Span }[]>();
  for (const call of ctx.calls) {
    if (!kernelSide(call.caller) || !kernelSide(call.callee)) continue;
    const list = callees.get(call.caller) ?? [];
    list.push({ callee: call.callee, span: call.span });
    callees.set(call.caller, list);
  }
  for (const start of callees.keys()) {
    const seen = new Set<FunctionInfo>();
    const stack = [...(callees.get(start) ?? [])];
    while (stack.length > 0) {
      const edge = stack.pop()!;
      if (edge.callee === start) {
        const closing = ctx.calls.find((c) => c.caller === start && (c.callee === start || reaches(callees, c.callee, start)));
        ctx.diags.report(nameErrors.recursiveEbpfCall, closing?.span ?? edge.span, start.name);
        break;
      }
      if (seen.has(edge.callee)) continue;
      seen.add(edge.callee);
      stack.push(...(callees.get(edge.callee) ?? []));
    }
  }
}

function reaches(callees: ReadonlyMap<FunctionInfo, readonly { callee: FunctionInfo }[]>, from: FunctionInfo, to: FunctionInfo): boolean {
  const seen = new Set<FunctionInfo>();
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (current === to) return true;
    if (seen.has(current)) continue;
    seen.add(current);
    for (const edge of callees.get(current) ?? []) stack.push(edge.callee);
  }
  return false;
}
