//! Python modules: `import nu from "./network_utils.py"` and `nu.f(args…)` calls from
//! user space (the generated program embeds CPython; see emit/userspace/python-c.ts).
//!
//! The `.py` file is read through the Host and its top-level `def name(params) -> ann:`
//! lines are scanned (not executed): calls are checked against them for the name (with
//! "did you mean"), the number of arguments and the annotated types:
//!   `int` → any integer (passed as a Python int; result `i64`), `bool` → `bool`,
//!   `str` → a string (result `str(PYTHON_STR_CAPACITY)`), `-> None` → no value,
//!   no annotation → integers (result `u64`, upstream's choice); anything else (`float`,
//!   `list`, …) cannot cross the boundary (E0374).
//! `*args`, `**kwargs` and keyword-only parameters cannot be called from here (E0514).

import type { ValueContext } from "../diagnostics/catalog/wording.js";
import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import { makeSourceFile, type Span } from "../source.js";
import type { Type } from "../types.js";
import { boolType, errorType, i64, typeToString, u64, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import { asInteger, concreteType } from "./conversions.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import type { Scope } from "./scope.js";
import { closestName } from "../suggest.js";

/** Capacity of the `str(N)` a Python function annotated `-> str` returns (longer text is cut). */
export const PYTHON_STR_CAPACITY = 127;

/** How a value crosses into or out of Python. */
export type PythonKind = "int" | "bool" | "str" | "none" | "untyped";

export interface PythonParam {
  readonly name: string;
  readonly kind: PythonKind | undefined;
  /** The annotation as written (for messages), or undefined. */
  readonly annotation: string | undefined;
  readonly span: Span;
}

export interface PythonFunction {
  readonly name: string;
  readonly params: readonly PythonParam[];
  /** Undefined: an annotation no KernelScript type matches (`returnAnnotation` says which). */
  readonly returns: PythonKind | undefined;
  readonly returnAnnotation: string | undefined;
  /** `*args`, `**kwargs`, `*` or `/` in the parameter list: what makes it uncallable. */
  readonly unsupportedParam: string | undefined;
  readonly span: Span;
}

export interface PythonModule {
  readonly alias: string;
  /** Resolved path of the `.py` file. */
  readonly path: string;
  /** Base name: the copy in the output directory. */
  readonly fileName: string;
  /** Module name for `import` (the base name without `.py`). */
  readonly moduleName: string;
  readonly text: string;
  readonly functions: ReadonlyMap<string, PythonFunction>;
  readonly span: Span;
}

export interface PythonCall {
  readonly module: PythonModule;
  readonly fn: PythonFunction;
  /** The kind each argument is converted as (`int` arguments keep their own signedness). */
  readonly argKinds: readonly PythonKind[];
}

/** The KernelScript type of a Python annotation; undefined when none matches. */
function kindOfAnnotation(annotation: string | undefined, isReturn: boolean): PythonKind | undefined {
  if (annotation === undefined) return "untyped";
  switch (annotation.trim()) {
    case "int": return "int";
    case "bool": return "bool";
    case "str": return "str";
    case "None": return isReturn ? "none" : undefined;
    default: return undefined;
  }
}

export function returnTypeOf(kind: PythonKind): Type {
  switch (kind) {
    case "int": return i64;
    case "bool": return boolType;
    case "str": return { kind: "str", size: PYTHON_STR_CAPACITY };
    case "none": return voidType;
    case "untyped": return u64;
  }
}

/** Splits `text` at top-level commas (outside brackets and strings). */
function splitTopLevel(text: string): { part: string; offset: number }[] {
  const parts: { part: string; offset: number }[] = [];
  let depth = 0;
  let start = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === "," && depth === 0) {
      parts.push({ part: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  parts.push({ part: text.slice(start), offset: start });
  return parts.filter((p) => p.part.trim() !== "");
}

/** Top-level `def`s of a Python source (a scan of the text, not a Python parser). */
export function scanPythonFunctions(path: string, text: string): Map<string, PythonFunction> {
  const functions = new Map<string, PythonFunction>();
  const header = /^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(/gm;
  for (let match = header.exec(text); match; match = header.exec(text)) {
    const name = match[1]!;
    const open = match.index + match[0].length;
    let depth = 1;
    let close = open;
    for (; close < text.length && depth > 0; close++) {
      const ch = text[close]!;
      if (ch === "(" || ch === "[" || ch === "{") depth++;
      else if (ch === ")" || ch === "]" || ch === "}") depth--;
    }
    if (depth !== 0) break;
    const paramText = text.slice(open, close - 1);
    const colon = text.indexOf(":", close);
    const between = colon < 0 ? "" : text.slice(close, colon);
    const arrow = /^\s*->\s*(.+?)\s*$/s.exec(between);
    const returnAnnotation = arrow ? arrow[1]!.replace(/\s+/g, " ") : undefined;
    let unsupportedParam: string | undefined;
    const params: PythonParam[] = [];
    for (const { part, offset } of splitTopLevel(paramText)) {
      const trimmed = part.trim();
      const start = open + offset + part.indexOf(trimmed);
      if (trimmed.startsWith("*") || trimmed === "/") {
        unsupportedParam ??= trimmed.split(/[:=]/)[0]!.trim();
        continue;
      }
      const withoutDefault = splitAt(trimmed, "=");
      const [pname, annotation] = [splitAt(withoutDefault, ":"), afterFirst(withoutDefault, ":")];
      params.push({
        name: pname.trim(), annotation: annotation?.trim(), kind: kindOfAnnotation(annotation, false),
        span: { file: path, start, end: start + trimmed.length },
      });
    }
    if (!functions.has(name)) {
      functions.set(name, {
        name, params, returns: kindOfAnnotation(returnAnnotation, true), returnAnnotation, unsupportedParam,
        span: { file: path, start: match.index, end: colon < 0 ? close : colon + 1 },
      });
    }
  }
  return functions;
}

function splitAt(text: string, sep: string): string {
  const i = text.indexOf(sep);
  return i < 0 ? text : text.slice(0, i);
}

function afterFirst(text: string, sep: string): string | undefined {
  const i = text.indexOf(sep);
  return i < 0 ? undefined : text.slice(i + 1);
}

interface PythonState {
  readonly modules: Map<string, PythonModule>;
  readonly calls: Map<ast.CallExpr, PythonCall>;
}

const states = new WeakMap<CheckContext, PythonState>();

function state(ctx: CheckContext): PythonState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { modules: new Map(), calls: new Map() }));
  return s;
}

export function pythonModulesOf(ctx: CheckContext): readonly PythonModule[] {
  return [...state(ctx).modules.values()];
}

export function pythonCallsOf(ctx: CheckContext): ReadonlyMap<ast.CallExpr, PythonCall> {
  return state(ctx).calls;
}

/** Reads `import alias from "x.py"` (of the main file); false when it was reported. */
export function loadPythonModule(ctx: CheckContext, decl: ast.ImportDecl, path: string): boolean {
  const text = ctx.inputs.host.readFile(path);
  if (text === undefined) {
    ctx.diags.report(nameErrors.importNotFound, decl.path.span, decl.path.value, path);
    return false;
  }
  ctx.inputs.sources.set(path, makeSourceFile(path, text));
  const fileName = path.slice(path.lastIndexOf("/") + 1);
  const s = state(ctx);
  for (const other of s.modules.values()) {
    if (other.fileName === fileName && other.path !== path) {
      ctx.diags.report(nameErrors.handoverFileClash, decl.path.span, fileName, { pythonModule: other.alias }, other.span);
      return false;
    }
  }
  s.modules.set(decl.name.name, {
    alias: decl.name.name, path, fileName, moduleName: fileName.slice(0, -3), text,
    functions: scanPythonFunctions(path, text), span: decl.path.span,
  });
  return true;
}

/** Whether `name` (not hidden by a local) is a Python module of the main file. */
export function pythonModuleNamed(ctx: CheckContext, scope: Scope, name: string): PythonModule | undefined {
  const module = state(ctx).modules.get(name);
  return module && !scope.lookup(name) ? module : undefined;
}

/** `nu.f(args)` for a Python module `nu`. */
export function checkPythonCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, module: PythonModule, field: ast.Ident): Type {
  const { ctx } = c;
  const checkArgs = (): void => checkEach(c, scope, expr.args);
  if (c.fn.side === "kernel") {
    ctx.diags.report(nameErrors.userspaceFunctionFromKernel, expr.callee.span, `${module.alias}.${field.name}`);
    checkArgs();
    return errorType;
  }
  const fn = module.functions.get(field.name);
  if (!fn) {
    const names = [...module.functions.keys()];
    ctx.diags.report(nameErrors.unknownModuleFunction, field.span, module.alias, field.name, closestName(field.name, names), names.sort());
    checkArgs();
    return errorType;
  }
  const display = `${module.alias}.${fn.name}`;
  if (fn.unsupportedParam !== undefined) {
    ctx.diags.report(codegenErrors.pythonParamsUnsupported, expr.callee.span, display, fn.unsupportedParam, fn.span);
    checkArgs();
    return errorType;
  }
  let ok = true;
  const badAnnotation = fn.params.find((p) => p.kind === undefined);
  if (badAnnotation) {
    ctx.diags.report(typeErrors.pythonAnnotationUnsupported, expr.callee.span, display, { parameter: badAnnotation.name }, badAnnotation.annotation ?? "", badAnnotation.span);
    ok = false;
  } else if (fn.returns === undefined) {
    ctx.diags.report(typeErrors.pythonAnnotationUnsupported, expr.callee.span, display, "result", fn.returnAnnotation ?? "", fn.span);
    ok = false;
  }
  if (expr.args.length !== fn.params.length) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, display, fn.params.length, expr.args.length, fn.span);
    checkArgs();
    return errorType;
  }
  const argKinds: PythonKind[] = [];
  expr.args.forEach((arg, i) => {
    const param = fn.params[i]!;
    const kind = param.kind ?? "untyped";
    argKinds.push(kind);
    if (kind === "bool") {
      checkExprAs(c, scope, arg, boolType, { kind: "argument", index: i + 1, callee: display });
      return;
    }
    if (!checkPythonValue(c, scope, arg, kind === "str" ? "str" : "int", { kind: "pythonParameter", parameter: param.name, callee: display })) ok = false;
  });
  if (!ok) return errorType;
  state(ctx).calls.set(expr, { module, fn, argKinds });
  return returnTypeOf(fn.returns!);
}

/**
 * Checks a value passed to Python (`nu.f` arguments, `exec` arguments): `int` wants an
 * integer, `str` a string, `either` accepts both. Reports E0379 and returns false otherwise.
 */
export function checkPythonValue(c: ExprChecker, scope: Scope, arg: ast.Expr, wanted: "int" | "str" | "either", where: ValueContext): boolean {
  const type = concreteType(c.ctx, arg, checkExpr(c, scope, arg));
  if (type.kind === "error") return true;
  const isInt = asInteger(type) !== undefined;
  const isStr = type.kind === "str";
  if ((wanted !== "str" && isInt) || (wanted !== "int" && isStr)) return true;
  c.ctx.diags.report(typeErrors.pythonValueUnsupported, arg.span, where, wanted, typeToString(type));
  return false;
}
