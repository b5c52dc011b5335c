//! Lowering of the user-space hand-overs: `exec(…)`, `daemon()` and calls of Python
//! module functions become `builtin` nodes; the module-level facts (scripts and Python
//! files to copy, whether `daemon()` is used) become `IrModule.handover`.

import type * as ast from "../ast.js";
import type * as ir from "../ir.js";
import type { Semantics } from "../check/semantics.js";
import type { Type } from "../types.js";

/** `IrModule.handover`, or undefined when the program uses none of the hand-overs. */
export function lowerHandover(semantics: Semantics): ir.IrHandover | undefined {
  const h = semantics.handover;
  if (h.execScripts.length === 0 && h.pythonModules.length === 0 && !h.daemon) return undefined;
  return {
    execScripts: h.execScripts.map((s) => ({ fileName: s.fileName, text: s.text })),
    pythonModules: h.pythonModules.map((m) => ({ alias: m.alias, fileName: m.fileName, moduleName: m.moduleName, text: m.text })),
    daemon: h.daemon,
  };
}

/**
 * The builtin node for `exec`/`daemon`/a Python call, or undefined for other calls.
 * `lowerArg` lowers one argument expression.
 */
export function lowerHandoverCall(
  semantics: Semantics, expr: ast.CallExpr, type: Type, lowerArg: (e: ast.Expr) => ir.IrExpr,
): ir.IrExpr | undefined {
  const span = expr.span;
  const python = semantics.handover.pythonCalls.get(expr);
  if (python) {
    return {
      kind: "builtin", name: "python", args: expr.args.map(lowerArg), program: undefined, type, span,
      python: { alias: python.module.alias, module: python.module.moduleName, function: python.fn.name, argKinds: python.argKinds, returns: python.fn.returns ?? "untyped" },
    };
  }
  if (expr.callee.kind !== "NameExpr" || semantics.references.has(expr.callee)) return undefined;
  const name = expr.callee.name.name;
  if (name === "daemon") return { kind: "builtin", name: "daemon", args: [], program: undefined, type, span };
  if (name !== "exec") return undefined;
  const [path, ...rest] = expr.args;
  if (path?.kind !== "StringLiteral") return undefined;
  const fileName = path.value.slice(path.value.lastIndexOf("/") + 1);
  const script: ir.IrExpr = { kind: "string", value: fileName, type: { kind: "str", size: Math.max(1, fileName.length) }, span: path.span };
  return { kind: "builtin", name: "exec", args: [script, ...rest.map(lowerArg)], program: undefined, type, span };
}
