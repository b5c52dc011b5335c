//! `exec("./analysis.py")`: hands the user-space program over to a Python script that
//! inherits the maps. The call is checked (one string literal naming a `.py` file, in
//! user space); generating the hand-over (map file descriptors kept open across
//! `execvp`, a generated Python accessor module) is not implemented, so a well-formed
//! call is reported as E0501 naming it rather than compiled into something that does
//! not work. See docs/language/imports-exec.md.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { Type } from "../types.js";
import { errorType } from "../types.js";
import type { ExprChecker } from "./expressions.js";
import { checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";

export function checkExec(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  expr.args.forEach((a) => checkExpr(c, scope, a));
  if (c.fn.side === "kernel") {
    ctx.diags.report(typeErrors.badBuiltinArguments, expr.callee.span, "exec", "to be called from user space (it replaces the user-space program)");
    return errorType;
  }
  const path = expr.args[0];
  if (expr.args.length !== 1 || path?.kind !== "StringLiteral") {
    ctx.diags.report(typeErrors.badBuiltinArguments, expr.span, "exec", "exactly one argument, the path of a Python script as a string literal");
    return errorType;
  }
  if (!path.value.endsWith(".py")) {
    ctx.diags.report(typeErrors.execNotPython, path.span, path.value);
    return errorType;
  }
  ctx.diags.report(codegenErrors.notSupportedYet, expr.callee.span, "`exec()` (handing the maps over to a Python script)");
  return errorType;
}
