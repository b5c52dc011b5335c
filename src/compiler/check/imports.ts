//! KernelScript module imports: `import utils from "./lib/utils.ks"`.
//!
//! A module is a library file. Its structs, enums and type aliases join the importing
//! program's types (one namespace, so `utils.T` is not needed and a name clash is a
//! duplicate definition). Its user-space functions and `@helper`s are compiled with
//! the program under the C name `ALIAS_NAME` (`utils_f`) and are called as
//! `utils.f(args)`; inside the module they call each other by their plain names.
//! Modules may import other modules; the imports must form a tree (no cycles). A module
//! cannot declare `main`, eBPF programs, maps, globals, configs, externs, impl blocks or
//! includes: those belong to the importing file, which owns the eBPF object.
//!
//! Python modules (`.py`) of the main file are read by check/python.ts; their calls are
//! checked there (see docs/language/handover.md).

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { ModuleDeclaration } from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import { checkPythonCall, loadPythonModule, pythonModuleNamed } from "./python.js";
import { generatedPythonModuleFile } from "./exec.js";
import { resolveRelative } from "../host.js";
import { programTypeByAttribute } from "../kernel/program-types.js";
import { parse } from "../parse/parser.js";
import { makeSourceFile } from "../source.js";
import type { Type } from "../types.js";
import { errorType, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import { Scope } from "./scope.js";
import type { FunctionInfo, FunctionRole } from "./semantics.js";
import { closestName } from "../suggest.js";
import { checkParameterLimit } from "./calls.js";

export interface ModuleInfo {
  /** The name of the first import of this file; prefixes its C names. */
  readonly alias: string;
  readonly path: string;
  /** Functions by their name in the module. */
  readonly functions: Map<string, FunctionInfo>;
  /** The module's own imports, by the name it gives them. */
  readonly imports: Map<string, ModuleInfo>;
  /** The module's function names over the file scope; bodies are checked in it. */
  readonly scope: Scope;
  readonly functionDecls: ast.FunctionDecl[];
}

interface ImportState {
  readonly byPath: Map<string, ModuleInfo>;
  /** The importing (main) file's imports. */
  readonly mainImports: Map<string, ModuleInfo>;
  readonly moduleOf: Map<FunctionInfo, ModuleInfo>;
  /** Every `m.f(args)` call with the module function it calls. */
  readonly moduleCalls: Map<ast.CallExpr, FunctionInfo>;
  /** Names of imports already reported (missing file, Python, cycle): their uses stay quiet. */
  readonly failed: Set<string>;
}

const states = new WeakMap<CheckContext, ImportState>();

function state(ctx: CheckContext): ImportState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { byPath: new Map(), mainImports: new Map(), moduleOf: new Map(), moduleCalls: new Map(), failed: new Set() }));
  return s;
}

export function moduleCallsOf(ctx: CheckContext): ReadonlyMap<ast.CallExpr, FunctionInfo> {
  return state(ctx).moduleCalls;
}

/** The scope a function's body is checked in: its module's, or undefined for the main file. */
export function moduleScopeOf(ctx: CheckContext, info: FunctionInfo): Scope | undefined {
  return state(ctx).moduleOf.get(info)?.scope;
}

function extensionOf(spec: string): string {
  const file = spec.slice(spec.lastIndexOf("/") + 1);
  const dot = file.lastIndexOf(".");
  return dot <= 0 ? "" : file.slice(dot);
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * Reads every module the main file imports (and theirs), reports what a module may not
 * contain, and returns the type declarations of all modules, to declare with the file's.
 */
export function loadImports(ctx: CheckContext, file: ast.SourceFileAst): ast.Decl[] {
  const s = state(ctx);
  const typeDecls: ast.Decl[] = [];
  for (const decl of file.decls) {
    if (decl.kind !== "ImportDecl" || !claimImportName(ctx, s.mainImports, decl)) continue;
    if (extensionOf(decl.path.value) === ".py") {
      const path = resolveRelative(file.path, decl.path.value);
      if (fileName(path) === generatedPythonModuleFile(file.path)) {
        ctx.diags.report(nameErrors.handoverFileClash, decl.path.span, fileName(path), "generatedModule", undefined);
        s.failed.add(decl.name.name);
      } else if (!loadPythonModule(ctx, decl, path)) s.failed.add(decl.name.name);
      continue;
    }
    const module = loadModule(ctx, decl, file.path, [file.path], typeDecls);
    if (module) s.mainImports.set(decl.name.name, module);
    else s.failed.add(decl.name.name);
  }
  return typeDecls;
}

/** Where each import name was declared, per import table, for duplicate reports. */
const importSpans = new WeakMap<Map<string, ModuleInfo>, Map<string, ast.Ident["span"]>>();

/** Records the import's name in `table`; false (reported) when the name is taken. */
function claimImportName(ctx: CheckContext, table: Map<string, ModuleInfo>, decl: ast.ImportDecl): boolean {
  const spans = importSpans.get(table) ?? new Map<string, ast.Ident["span"]>();
  importSpans.set(table, spans);
  const previous = spans.get(decl.name.name);
  if (previous) {
    ctx.diags.report(nameErrors.duplicateDefinition, decl.name.span, decl.name.name, previous);
    return false;
  }
  spans.set(decl.name.name, decl.name.span);
  return true;
}

function loadModule(
  ctx: CheckContext, decl: ast.ImportDecl, from: string, stack: readonly string[], typeDecls: ast.Decl[],
): ModuleInfo | undefined {
  const spec = decl.path.value;
  const extension = extensionOf(spec);
  if (extension === ".py") {
    // The main file's Python imports are read by loadImports; this is a module's.
    ctx.diags.report(codegenErrors.pythonImportInModule, decl.path.span, fileName(from));
    return undefined;
  }
  if (extension !== ".ks") {
    ctx.diags.report(nameErrors.importBadExtension, decl.path.span, spec, extension);
    return undefined;
  }
  const path = resolveRelative(from, spec);
  if (stack.includes(path)) {
    const cycle = [...stack.slice(stack.indexOf(path)), path].map(fileName).join(" → ");
    ctx.diags.report(typeErrors.importCycle, decl.path.span, cycle);
    return undefined;
  }
  const s = state(ctx);
  const cached = s.byPath.get(path);
  if (cached) return cached;
  const text = ctx.inputs.host.readFile(path);
  if (text === undefined) {
    ctx.diags.report(nameErrors.importNotFound, decl.path.span, spec, path);
    return undefined;
  }
  const source = makeSourceFile(path, text);
  ctx.inputs.sources.set(path, source);
  const moduleAst = parse(source, ctx.diags);
  ctx.syntaxTrees.set(path, moduleAst);
  const alias = decl.name.name;
  const module: ModuleInfo = {
    alias, path, functions: new Map(), imports: new Map(), scope: ctx.globalScope.child(), functionDecls: [],
  };
  s.byPath.set(path, module);
  const notAllowed = (span: ast.Decl["span"], what: ModuleDeclaration): void => {
    ctx.diags.report(nameErrors.moduleDeclarationNotAllowed, span, alias, what);
  };
  for (const d of moduleAst.decls) {
    switch (d.kind) {
      case "ImportDecl": {
        if (!claimImportName(ctx, module.imports, d)) break;
        const inner = loadModule(ctx, d, path, [...stack, path], typeDecls);
        if (inner) module.imports.set(d.name.name, inner);
        break;
      }
      case "FunctionDecl": {
        const attribute = d.attributes[0];
        if (d.name.name === "main") ctx.diags.report(nameErrors.moduleHasMain, d.name.span, alias);
        else if (attribute && programTypeByAttribute.has(attribute.name.name)) {
          notAllowed(attribute.span, { kind: "program", name: d.name.name, attribute: attribute.name.name });
        } else module.functionDecls.push(d);
        break;
      }
      case "StructDecl": case "EnumDecl": case "TypeAliasDecl": typeDecls.push(d); break;
      case "GlobalVarDecl":
        notAllowed(d.name.span, { kind: d.type?.kind === "GenericType" ? "map" : "global", name: d.name.name });
        break;
      case "ConfigDecl": notAllowed(d.name.span, { kind: "config", name: d.name.name }); break;
      case "ExternDecl": notAllowed(d.name.span, { kind: "extern", name: d.name.name }); break;
      case "ImplDecl": notAllowed(d.name.span, { kind: "impl", name: d.name.name }); break;
      case "IncludeDecl": notAllowed(d.span, { kind: "include" }); break;
      case "LicenseDecl": ctx.diags.report(nameErrors.licenseOutsideMainFile, d.span, { importedModule: alias }); break;
      case "ErrorDecl": break;
    }
  }
  return module;
}

/**
 * Declares the functions of every module, once the types are known. `roleOf` is the
 * file's attribute resolution (helpers, reported unsupported roles).
 */
export function declareModuleFunctions(ctx: CheckContext, roleOf: (decl: ast.FunctionDecl) => FunctionRole): void {
  const s = state(ctx);
  const cNames = new Map<string, FunctionInfo>();
  for (const module of s.byPath.values()) {
    for (const decl of module.functionDecls) {
      const role = roleOf(decl);
      const params = decl.params.map((p) => ({ name: p.name.name, type: resolveType(ctx, p.type) }));
      const returnType = decl.returnType ? resolveType(ctx, decl.returnType) : voidType;
      const name = `${module.alias}_${decl.name.name}`;
      const info: FunctionInfo = { name, decl, role, params, returnType, span: decl.span };
      const previous = module.functions.get(decl.name.name);
      if (previous) {
        ctx.diags.report(nameErrors.duplicateDefinition, decl.name.span, decl.name.name, previous.decl.name.span);
        continue;
      }
      // The C names share one namespace with the program's functions and other modules'.
      const clash = ctx.globalScope.own(name);
      const clashInfo = clash?.kind === "function" ? clash.info : cNames.get(name);
      if (clashInfo) {
        ctx.diags.report(nameErrors.duplicateDefinition, decl.name.span, name, clashInfo.decl.name.span);
        continue;
      }
      cNames.set(name, info);
      module.functions.set(decl.name.name, info);
      module.scope.declare(decl.name.name, { kind: "function", info });
      s.moduleOf.set(info, module);
      ctx.functions.push(info);
      checkParameterLimit(ctx, info);
    }
  }
}

/** The module `name` denotes where `fn` is being checked, unless a local hides it. */
function importedModule(c: ExprChecker, scope: Scope, name: string): ModuleInfo | undefined {
  const s = state(c.ctx);
  const table = s.moduleOf.get(c.fn.info)?.imports ?? s.mainImports;
  const module = table.get(name);
  if (!module) return undefined;
  const symbol = scope.lookup(name);
  return symbol && symbol.kind === "local" ? undefined : module;
}

/** Whether `name` is an import of the main file that was already reported as broken. */
function isFailedImport(c: ExprChecker, scope: Scope, name: string): boolean {
  const s = state(c.ctx);
  return !s.moduleOf.has(c.fn.info) && s.failed.has(name) && !scope.lookup(name);
}

/** Whether `name`, seen as a plain value, is a module: reports it and returns true. */
export function reportModuleAsValue(c: ExprChecker, scope: Scope, name: ast.Ident): boolean {
  if (isFailedImport(c, scope, name.name)) return true;
  if (scope.lookup(name.name) || (!importedModule(c, scope, name.name) && !pythonModuleNamed(c.ctx, scope, name.name))) return false;
  c.ctx.diags.report(typeErrors.moduleUsedAsValue, name.span, name.name);
  return true;
}

/** `m.f(args)` when `m` is an imported module; undefined for any other call. */
export function checkModuleCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type | undefined {
  const callee = expr.callee;
  if (callee.kind !== "FieldExpr" || callee.arrow || callee.target.kind !== "NameExpr") return undefined;
  const alias = callee.target.name.name;
  const { ctx } = c;
  if (isFailedImport(c, scope, alias)) {
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const python = state(ctx).failed.has(alias) ? undefined : pythonModuleNamed(ctx, scope, alias);
  if (python && !state(ctx).moduleOf.has(c.fn.info)) {
    ctx.exprTypes.set(callee, errorType);
    ctx.exprTypes.set(callee.target, errorType);
    return checkPythonCall(c, scope, expr, python, callee.field);
  }
  const module = importedModule(c, scope, alias);
  if (!module) return undefined;
  ctx.exprTypes.set(callee, errorType);
  ctx.exprTypes.set(callee.target, errorType);
  const fieldName = callee.field.name;
  const info = module.functions.get(fieldName);
  if (!info) {
    ctx.diags.report(nameErrors.unknownModuleFunction, callee.field.span, alias, fieldName, closestName(fieldName, module.functions.keys()), [...module.functions.keys()].sort());
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const display = `${alias}.${fieldName}`;
  const role = info.role.kind;
  if (c.fn.side === "user" && role !== "userspace") {
    ctx.diags.report(nameErrors.kernelFunctionFromUserspace, callee.span, display, role);
  }
  if (c.fn.side === "kernel" && role === "userspace") {
    ctx.diags.report(nameErrors.userspaceFunctionFromKernel, callee.span, display);
  }
  ctx.calls.push({ caller: c.fn.info, callee: info, span: callee.span });
  state(ctx).moduleCalls.set(expr, info);
  if (expr.args.length !== info.params.length) {
    ctx.diags.report(typeErrors.wrongArgumentCount, expr.span, display, info.params.length, expr.args.length, info.decl.name.span);
    checkEach(c, scope, expr.args);
  } else {
    // (A loop, not a closure over `c` and `scope`: that would cost an allocation on every call checked.)
    for (let i = 0; i < expr.args.length; i++) {
      const arg = expr.args[i]!;
      const param = info.params[i]!.type;
      if (param.kind === "function") {
        ctx.diags.report(codegenErrors.notSupportedYet, arg.span, { kind: "functionToModuleFunction" });
        checkExpr(c, scope, arg);
      } else checkExprAs(c, scope, arg, param, { kind: "argument", index: i + 1, callee: display });
    }
  }
  return info.returnType;
}

/**
 * Drops the module functions the program never calls (directly or through other module
 * functions): a library is checked whole but only what is used is compiled, so C never
 * sees an unused `static` function (`-Wunused-function` under `-Werror`).
 */
export function pruneUnusedModuleFunctions(ctx: CheckContext): void {
  const s = state(ctx);
  const used = new Set<FunctionInfo>();
  const edges = new Map<FunctionInfo, FunctionInfo[]>();
  for (const call of ctx.calls) {
    const list = edges.get(call.caller) ?? [];
    list.push(call.callee);
    edges.set(call.caller, list);
  }
  const visit = (info: FunctionInfo): void => {
    for (const callee of edges.get(info) ?? []) {
      if (!s.moduleOf.has(callee) || used.has(callee)) continue;
      used.add(callee);
      visit(callee);
    }
  };
  for (const info of ctx.functions) if (!s.moduleOf.has(info)) visit(info);
  for (let i = ctx.functions.length - 1; i >= 0; i--) {
    const info = ctx.functions[i]!;
    if (s.moduleOf.has(info) && !used.has(info)) ctx.functions.splice(i, 1);
  }
}
