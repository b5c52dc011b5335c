//! Kernel-module code: `@kfunc` functions (exported to eBPF through BTF) and `@private`
//! functions (static helpers of the module). Both are compiled into `NAME.mod.c`, not
//! into the eBPF object, so:
//! - their signatures are limited to what a kfunc can pass (scalars, pointers to scalars
//!   or file structs; at most 5 parameters; kfuncs return scalars);
//! - their bodies may call only module functions and `print` (→ `printk`); maps, ring
//!   buffers, globals, configs, BPF helpers, `extern`s, eBPF and user-space functions do
//!   not exist in the module (E0251, E0252);
//! - `new T(GFP_…)` becomes `kzalloc`; the flag is required (E0480) and must be a GFP flag
//!   (E0364); `GFP_KERNEL` is a warning (W0229): kfuncs run in their caller's atomic context;
//! - `@private` is callable from module code only (E0250; upstream did not enforce it).

import type * as ast from "../ast.js";
import { forEachChild } from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { ModuleCallee } from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { Type } from "../types.js";
import { errorType, typeToString } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo } from "./semantics.js";
import { isBuiltin } from "./builtin-calls.js";
import { legacyHelperNames } from "../kernel/bpf-helpers.js";

/** The allocation flags `new T(FLAG)` accepts in module code. */
export const gfpFlags: ReadonlySet<string> = new Set(["GFP_ATOMIC", "GFP_KERNEL"]);

/** Whether `info` is compiled into the kernel module. */
export function isModuleFunction(info: FunctionInfo): boolean {
  return info.role.kind === "kfunc" || info.role.kind === "private";
}

const maxKfuncParameters = 5;

/** A type a value crossing into or living in module code may have (scalars and pointers). */
function scalar(t: Type): boolean {
  return t.kind === "int" || t.kind === "bool" || t.kind === "char" || t.kind === "enum" || t.kind === "error";
}

function pointerTargetOk(t: Type): boolean {
  return scalar(t) || t.kind === "void" || (t.kind === "struct" && t.origin === "user");
}

/** Signature rules of `@kfunc`/`@private` functions, and the kernel-name clash of kfuncs. */
export function checkModuleSignature(ctx: CheckContext, info: FunctionInfo): void {
  const decl = info.decl;
  if (decl.kind !== "FunctionDecl") return;
  const kfunc = info.role.kind === "kfunc";
  if (kfunc && info.params.length > maxKfuncParameters) {
    ctx.diags.report(typeErrors.tooManyParameters, decl.name.span, info.name, info.params.length);
  }
  info.params.forEach((param, i) => {
    const t = param.type;
    const ok = scalar(t) || (t.kind === "pointer" && pointerTargetOk(t.target));
    if (ok) return;
    const why = t.kind === "struct" ? { kind: "structByValue" as const }
      : t.kind === "pointer" ? { kind: "pointerTo" as const, target: typeToString(t.target) } : { kind: "other" as const };
    ctx.diags.report(typeErrors.moduleParameterType, decl.params[i]!.type.span, info.name, typeToString(t), why);
  });
  const r = info.returnType;
  const returnOk = scalar(r) || r.kind === "void" || (!kfunc && r.kind === "pointer" && pointerTargetOk(r.target));
  if (!returnOk) ctx.diags.report(typeErrors.moduleReturnType, decl.returnType?.span ?? decl.name.span, info.name, typeToString(r));
  if (kfunc && ctx.kernelTypes.function(info.name)) ctx.diags.report(nameErrors.kfuncNameTaken, decl.name.span, info.name);
}

/**
 * A call inside module code: handles everything module code may not call (reported)
 * and returns its type; undefined for calls of module functions and `print`, which the
 * ordinary call checking handles.
 */
export function checkModuleCodeCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type | undefined {
  const { ctx } = c;
  const reject = (callee: ModuleCallee): Type => {
    ctx.diags.report(nameErrors.callNotInModuleCode, expr.callee.span, callee);
    checkEach(c, scope, expr.args);
    return errorType;
  };
  if (expr.callee.kind === "FieldExpr") {
    const target = expr.callee.target;
    const symbol = target.kind === "NameExpr" ? scope.lookup(target.name.name) : undefined;
    if (symbol?.kind === "map") {
      ctx.references.set(target as ast.NameExpr, symbol);
      return reject({ kind: "mapOperation", map: symbol.info.name, operation: expr.callee.field.name });
    }
    return reject({ kind: "method" });
  }
  if (expr.callee.kind !== "NameExpr") return reject({ kind: "functionValue" });
  const name = expr.callee.name.name;
  const symbol = scope.lookup(name);
  if (!symbol) {
    if (name === "print") return undefined;
    if (isBuiltin(name)) return reject({ kind: "builtin", name });
    if (legacyHelperNames.has(name)) return reject({ kind: "bpfHelper", name });
    return undefined;
  }
  if (symbol.kind !== "function") return undefined;
  const role = symbol.info.role.kind;
  if (role === "kfunc" || role === "private") return undefined;
  ctx.references.set(expr.callee, symbol);
  ctx.exprTypes.set(expr.callee, errorType);
  return reject({ kind: "function", role, name });
}

/** `private_fn(…)` outside module code. */
export function checkPrivateCallSite(c: ExprChecker, callee: ast.Expr, info: FunctionInfo): void {
  if (info.role.kind !== "private" || c.fn.side === "module") return;
  c.ctx.diags.report(nameErrors.privateCalledOutsideModule, callee.span, info.name, c.fn.side === "user" ? "user" : "kernel");
}

/** `new T(FLAG)` in module code: the flag is required and must be a GFP flag. */
export function checkModuleNew(c: ExprChecker, expr: ast.NewExpr, type: Type): void {
  const flag = expr.args[0];
  if (!flag) {
    c.ctx.diags.report(safetyErrors.moduleNewWithoutFlag, expr.span, typeToString(type));
    return;
  }
  if (flag.kind !== "NameExpr" || !gfpFlags.has(flag.name.name) || expr.args.length > 1) {
    const shown = flag.kind === "NameExpr" ? { name: flag.name.name } : flag.kind === "IntLiteral" ? (flag.text === undefined ? "number" : { name: flag.text }) : "expression";
    c.ctx.diags.report(typeErrors.allocationFlagNotGfp, flag.span, shown);
    return;
  }
  if (flag.name.name === "GFP_KERNEL") c.ctx.diags.report(safetyErrors.gfpKernelMaySleep, flag.span);
}

/** The GFP flag of a checked `new T(FLAG)` (lowering). */
export function gfpFlagOf(expr: ast.NewExpr): string | undefined {
  const flag = expr.args[0];
  return flag?.kind === "NameExpr" && gfpFlags.has(flag.name.name) ? flag.name.name : undefined;
}

/**
 * After a module function's body was checked: names of eBPF-object things (maps,
 * globals, configs), module functions used as values, and constructs whose runtime
 * lives elsewhere (strings, throw/try/defer, packet headers).
 */
export function checkModuleBody(ctx: CheckContext, info: FunctionInfo): void {
  const decl = info.decl;
  if (decl.kind !== "FunctionDecl" || !decl.body) return;
  const calleeNames = new Set<ast.Node>();
  const printFormats = new Set<ast.Node>();
  const visit = (node: ast.Node): void => {
    switch (node.kind) {
      case "CallExpr":
        calleeNames.add(node.callee);
        if (node.callee.kind === "NameExpr" && node.callee.name.name === "print" && !ctx.references.has(node.callee)) {
          const [first, ...rest] = node.args;
          if (first?.kind === "StringLiteral") printFormats.add(first);
          for (const arg of first?.kind === "StringLiteral" ? rest : node.args) {
            const t = ctx.exprTypes.get(arg);
            if (t?.kind === "str") printFormats.add(arg);
          }
        }
        break;
      case "NameExpr": {
        const symbol = ctx.references.get(node);
        if (!symbol) break;
        if (symbol.kind === "map") ctx.diags.report(nameErrors.nameNotInModuleCode, node.span, symbol.info.name, symbol.info.type.mapKind === "ringbuf" ? "ringbuf" : "map");
        else if (symbol.kind === "global") ctx.diags.report(nameErrors.nameNotInModuleCode, node.span, symbol.info.name, "global");
        else if (symbol.kind === "config") ctx.diags.report(nameErrors.nameNotInModuleCode, node.span, symbol.info.name, "config");
        else if (symbol.kind === "structOps") ctx.diags.report(nameErrors.nameNotInModuleCode, node.span, symbol.info.name, "structOps");
        else if (symbol.kind === "function" && !calleeNames.has(node) && isModuleFunction(symbol.info)) {
          ctx.diags.report(nameErrors.moduleFunctionAsValue, node.span, symbol.info.name);
        }
        break;
      }
      case "ThrowStmt": ctx.diags.report(safetyErrors.constructNotInModuleCode, node.span, { kind: "throw" }); return;
      case "TryStmt": ctx.diags.report(safetyErrors.constructNotInModuleCode, node.span, { kind: "try" }); return;
      case "DeferStmt": ctx.diags.report(safetyErrors.constructNotInModuleCode, node.span, { kind: "defer" }); return;
      case "StringLiteral": case "StrType":
        if (!printFormats.has(node)) {
          ctx.diags.report(safetyErrors.constructNotInModuleCode, node.span, { kind: node.kind === "StrType" ? "stringType" : "stringValue" });
        }
        return;
      default: break;
    }
    forEachChild(node, visit);
  };
  for (const statement of decl.body.statements) visit(statement);
  for (const [node, symbol] of ctx.declarations) {
    if (symbol.kind !== "local" || !containsNode(decl.body, node)) continue;
    const kernelStruct = kernelStructIn(symbol.type);
    if (kernelStruct) ctx.diags.report(safetyErrors.constructNotInModuleCode, symbol.span, { kind: "kernelType", name: kernelStruct });
  }
}

/** A non-scalar kernel type (`xdp_md`, `task_struct`) inside `t`: module code cannot spell them. */
function kernelStructIn(t: Type): string | undefined {
  if (t.kind === "struct" && t.origin === "kernel") return t.name;
  if (t.kind === "pointer" || t.kind === "array") return kernelStructIn(t.kind === "pointer" ? t.target : t.element);
  return undefined;
}

function containsNode(outer: ast.Node, inner: ast.Node): boolean {
  return inner.span.file === outer.span.file && inner.span.start >= outer.span.start && inner.span.end <= outer.span.end;
}
