//! The user-space hand-overs: `exec("./analysis.py", args…)` replaces the program with
//! a Python script that inherits the maps (and the attachments), and `daemon()` turns
//! the program into a background process that keeps the programs attached until
//! SIGTERM/SIGINT. Neither returns: `alwaysReturns` treats them like `return`, and a
//! statement after one in the same block is W0230.
//!
//! The script path is a string literal read through the Host relative to the `.ks` file
//! (it must exist: E0255); it is copied into the output directory under its base name,
//! next to the generated `NAME.py` module, and run from the binary's directory.
//! See docs/language/handover.md.

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { OutputFileOwner } from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import { resolveRelative } from "../host.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { errorType, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import { checkPythonValue, pythonModulesOf } from "./python.js";
import type { Scope } from "./scope.js";

export interface ExecScript {
  /** Base name of the script: its name in the output directory. */
  readonly fileName: string;
  readonly path: string;
  readonly text: string;
  readonly span: Span;
}

interface HandoverState {
  readonly scripts: Map<string, ExecScript>;
  daemon: boolean;
  mainFile: string;
}

const states = new WeakMap<CheckContext, HandoverState>();

function state(ctx: CheckContext): HandoverState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { scripts: new Map(), daemon: false, mainFile: "" }));
  return s;
}

export function execScriptsOf(ctx: CheckContext): readonly ExecScript[] {
  return [...state(ctx).scripts.values()];
}

/** Records the program's main file (its name gives the generated `NAME.py`). */
export function setMainFile(ctx: CheckContext, path: string): void {
  state(ctx).mainFile = path;
}

export function usesDaemon(ctx: CheckContext): boolean {
  return state(ctx).daemon;
}

/** The name of the generated Python module (`NAME.py`) for a project file. */
export function generatedPythonModuleFile(sourcePath: string): string {
  const base = sourcePath.slice(sourcePath.lastIndexOf("/") + 1);
  return `${base.endsWith(".ks") ? base.slice(0, -3) : base}.py`;
}

function userSpaceOnly(c: ExprChecker, expr: ast.CallExpr, name: string, why: "replacesProgram" | "backgroundProcess"): boolean {
  if (c.fn.side !== "kernel") return true;
  c.ctx.diags.report(typeErrors.badBuiltinArguments, expr.callee.span, name, { kind: "userSpace", why });
  return false;
}

export function checkExec(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  if (!userSpaceOnly(c, expr, "exec", "replacesProgram")) {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const [path, ...rest] = expr.args;
  let ok = true;
  rest.forEach((arg, i) => {
    if (!checkPythonValue(c, scope, arg, "either", { kind: "execArgument", index: i + 2 })) ok = false;
  });
  if (path?.kind !== "StringLiteral") {
    if (path) checkExpr(c, scope, path);
    ctx.diags.report(typeErrors.badBuiltinArguments, path?.span ?? expr.span, "exec", { kind: "execArguments" });
    return errorType;
  }
  ctx.exprTypes.set(path, { kind: "str", size: Math.max(1, path.value.length) });
  if (!path.value.endsWith(".py")) {
    ctx.diags.report(typeErrors.execNotPython, path.span, path.value);
    return errorType;
  }
  const resolved = resolveRelative(path.span.file, path.value);
  const s = state(ctx);
  if (!s.scripts.has(resolved)) {
    const text = ctx.inputs.host.readFile(resolved);
    if (text === undefined) {
      ctx.diags.report(nameErrors.execScriptNotFound, path.span, path.value, resolved);
      return errorType;
    }
    const fileName = resolved.slice(resolved.lastIndexOf("/") + 1);
    const clash = clashOf(ctx, fileName, resolved);
    if (clash) {
      ctx.diags.report(nameErrors.handoverFileClash, path.span, fileName, clash.what, clash.span);
      return errorType;
    }
    s.scripts.set(resolved, { fileName, path: resolved, text, span: path.span });
  }
  return ok ? voidType : errorType;
}

/** What else would be written as `fileName` into the output directory. */
function clashOf(ctx: CheckContext, fileName: string, path: string): { what: OutputFileOwner; span: Span | undefined } | undefined {
  if (fileName === generatedPythonModuleFile(state(ctx).mainFile)) return { what: "generatedModule", span: undefined };
  for (const script of state(ctx).scripts.values()) {
    if (script.fileName === fileName && script.path !== path) return { what: "execScript", span: script.span };
  }
  const module = pythonModulesOf(ctx).find((m) => m.fileName === fileName && m.path !== path);
  return module ? { what: { pythonModule: module.alias }, span: module.span } : undefined;
}

export function checkDaemon(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  checkEach(c, scope, expr.args);
  if (!userSpaceOnly(c, expr, "daemon", "backgroundProcess")) return errorType;
  if (expr.args.length !== 0) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "daemon", 0, expr.args.length, undefined);
    return errorType;
  }
  state(ctx).daemon = true;
  return voidType;
}

/** `exec(…)` / `daemon()` as a statement: the call that never returns, by name. */
export function neverReturningCall(stmt: ast.Stmt): string | undefined {
  if (stmt.kind !== "ExprStmt") return undefined;
  const e = stmt.expr;
  if (e.kind !== "CallExpr" || e.callee.kind !== "NameExpr") return undefined;
  const name = e.callee.name.name;
  return name === "exec" || name === "daemon" ? `${name}()` : undefined;
}
