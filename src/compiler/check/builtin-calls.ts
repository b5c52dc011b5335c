//! Built-in functions: `print` everywhere; the program lifecycle `load`, `attach`,
//! `detach` in user space. `attach`/`detach` take the handle `load` returns, which is how
//! the types guarantee that nothing is attached before it is loaded.

import type * as ast from "../ast.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { Type } from "../types.js";
import { errorType, i32, typeToString, voidType } from "../types.js";
import { asInteger, concreteType } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import { parseFormat } from "./format-string.js";
import { byteOrderBuiltins } from "../kernel/headers.js";
import { checkByteOrderCall } from "./byte-order.js";
import { checkPrintArguments } from "./print-arguments.js";
import { checkDispatch } from "./ringbuf.js";
import { checkAttachTarget, checkRead, isPerfAttachment } from "./perf-events.js";
import { checkDaemon, checkExec } from "./exec.js";
import { testBuiltinNames } from "../kernel/testing.js";
import { checkRuntimeBuiltin, isTextArray, runtimeBuiltinNames } from "./runtime-builtins.js";
import { checkTracingCall, isTracingBuiltin, tracingBuiltinNames } from "./tracing-builtins.js";

const userspaceOnly = new Set(["load", "attach", "detach", "register", "read"]);
// `daemon` and `exec` are the user-space hand-overs (check/exec.ts).
export const builtinNames: readonly string[] = ["print", "dispatch", ...userspaceOnly, "daemon", "exec", ...testBuiltinNames, ...byteOrderBuiltins.keys(), ...runtimeBuiltinNames, ...tracingBuiltinNames];

/** (A set: every call of a name that is not declared asks.) */
const builtinNameSet: ReadonlySet<string> = new Set(builtinNames);

export function isBuiltin(name: string): boolean {
  return builtinNameSet.has(name);
}

export function checkBuiltinCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, name: string): Type {
  const { ctx } = c;
  if (name === "exec") return checkExec(c, scope, expr);
  if (name === "daemon") return checkDaemon(c, scope, expr);
  if (userspaceOnly.has(name) && c.fn.side === "kernel") {
    ctx.diags.report(typeErrors.badBuiltinArguments, expr.callee.span, name, { kind: "userSpace", why: "managesPrograms" });
    return errorType;
  }
  if (byteOrderBuiltins.has(name)) return checkByteOrderCall(c, scope, expr, name);
  if (runtimeBuiltinNames.includes(name)) return checkRuntimeBuiltin(c, scope, expr, name);
  if (isTracingBuiltin(name)) return checkTracingCall(c, scope, expr, name);
  switch (name) {
    case "print": return checkPrint(c, scope, expr);
    case "dispatch": return checkDispatch(c, scope, expr);
    case "load": {
      if (expr.args.length !== 1) {
        ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "load", 1, expr.args.length, undefined);
        return errorType;
      }
      const type = checkExpr(c, scope, expr.args[0]!);
      if (type.kind === "error") return errorType;
      if (type.kind !== "programRef") {
        ctx.diags.report(typeErrors.loadNeedsProgram, expr.args[0]!.span, typeToString(type));
        return errorType;
      }
      return { kind: "programHandle", programType: type.programType };
    }
    case "attach": {
      if (expr.args.length !== 3) {
        ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "attach", 3, expr.args.length, undefined);
        checkEach(c, scope, expr.args);
        return errorType;
      }
      const [handle, target, flags] = expr.args as [ast.Expr, ast.Expr, ast.Expr];
      // A test that attaches a program and triggers its event exercises it in the kernel.
      if (c.fn.info.role.kind === "test") ctx.testing.running.add(c.fn.info);
      return checkAttachTarget(c, scope, checkHandle(c, scope, handle, "attach"), target, flags);
    }
    case "read": return checkRead(c, scope, expr);
    case "register":
      if (c.fn.info.role.kind === "test") ctx.testing.running.add(c.fn.info);
      return checkRegister(c, scope, expr);
    case "detach": {
      if (expr.args.length !== 1) {
        ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "detach", 1, expr.args.length, undefined);
        return errorType;
      }
      checkHandle(c, scope, expr.args[0]!, "detach", true);
      return voidType;
    }
    default: return errorType;
  }
}

/** `register(impl)`: registers a struct_ops impl block with the kernel; 0 or -1. */
function checkRegister(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const arg = expr.args[0];
  if (expr.args.length !== 1 || !arg) {
    c.ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, "register", 1, expr.args.length, undefined);
    return errorType;
  }
  const symbol = arg.kind === "NameExpr" ? scope.lookup(arg.name.name) : undefined;
  if (arg.kind === "NameExpr" && symbol?.kind === "structOps") {
    c.ctx.references.set(arg, symbol);
    c.ctx.exprTypes.set(arg, voidType);
    return i32;
  }
  const type = checkExpr(c, scope, arg);
  if (type.kind !== "error") c.ctx.diags.report(typeErrors.badBuiltinArguments, arg.span, "register", { kind: "implName" });
  return errorType;
}

/** The handle's type (a `PerfAttachment` is accepted where `perfAttachment` is set: `detach(att)`). */
function checkHandle(c: ExprChecker, scope: Scope, arg: ast.Expr, builtin: string, perfAttachment = false): Type {
  const type = checkExpr(c, scope, arg);
  if (type.kind !== "programHandle" && type.kind !== "error" && !(perfAttachment && isPerfAttachment(type))) {
    c.ctx.diags.report(typeErrors.attachNeedsLoadedProgram, arg.span, builtin, typeToString(type));
    return errorType;
  }
  return type;
}

/**
 * `print(format, args…)` or `print(a, b, …)`. Arguments are integers, bools, chars or
 * strings; their printf conversions are made to match their types when lowering.
 */
function checkPrint(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const format = expr.args[0];
  if (format?.kind === "StringLiteral") {
    const { conversions, invalidAt } = parseFormat(format.value);
    if (invalidAt !== undefined) {
      c.ctx.diags.report(typeErrors.badBuiltinArguments, format.span, "print", { kind: "printFormat" });
    } else if (conversions.length > expr.args.length - 1) {
      c.ctx.diags.report(typeErrors.badBuiltinArguments, format.span, "print", { kind: "printValues", conversions: conversions.length, given: expr.args.length - 1 });
    }
  }
  const types: Type[] = [];
  for (const arg of expr.args) {
    const type = concreteType(c.ctx, arg, checkExpr(c, scope, arg));
    const printable = type.kind === "error" || type.kind === "bool" || type.kind === "str" || asInteger(type) !== undefined || type.kind === "pointer" ||
      isTextArray(type);
    if (!printable) {
      c.ctx.diags.report(typeErrors.badBuiltinArguments, arg.span, "print", { kind: "printable", found: typeToString(type) });
    }
    types.push(printable ? type : errorType);
  }
  const literal = format?.kind === "StringLiteral" ? format : undefined;
  // A char/u8 array prints as text (`%s`), bounded by its length (check/runtime-builtins.ts).
  const values = expr.args.map((a, i) => ({ span: a.span, type: isTextArray(types[i]!) ? { kind: "str" as const, size: 1 } : types[i]! })).slice(literal ? 1 : 0);
  checkPrintArguments(c.ctx, c.fn.side, expr.span, literal, values);
  // Its value, when used, is what bpf_printk/printf/printk return: the bytes written.
  return i32;
}
