//! Lowering for the kernel module: which `@kfunc`s the eBPF side calls (they become
//! `extern … __weak __ksym` declarations in NAME.bpf.c). The module functions' bodies
//! are lowered like any other function (user-space loop policy: plain C loops); the
//! kernel-C differences are emit/kmod-c.ts's.

import type { FunctionInfo } from "../check/semantics.js";
import { calledNames } from "../ir-walk.js";
import type * as ir from "../ir.js";

/** The `@kfunc`s eBPF code calls, as `extern` declarations of the eBPF object. */
export function moduleKfuncExterns(functions: readonly FunctionInfo[], ebpf: readonly ir.IrFunction[]): ir.IrExtern[] {
  const called = calledNames(ebpf);
  return functions
    .filter((f) => f.role.kind === "kfunc" && called.has(f.name))
    .map((f) => ({ name: f.name, params: f.params.map((p) => ({ name: p.name, type: p.type })), returnType: f.returnType, kfunc: true, fromModule: true }));
}

/**
 * Each `@kfunc` with the program types that reach it: programs call helpers, helpers
 * call helpers and kfuncs; struct_ops method bodies are helpers run by struct_ops programs.
 */
export function withCallerTypes(
  moduleFunctions: readonly ir.IrModuleFunction[],
  programs: readonly ir.IrProgram[],
  helpers: readonly ir.IrFunction[],
  structOpsMethods: readonly string[],
): ir.IrModuleFunction[] {
  const helperByName = new Map(helpers.map((h) => [h.name, h]));
  const reach = (roots: readonly ir.IrFunction[]): Set<string> => {
    const seen = new Set<string>();
    const queue = [...roots];
    const out = new Set<string>();
    while (queue.length > 0) {
      const fn = queue.pop()!;
      if (seen.has(fn.name)) continue;
      seen.add(fn.name);
      for (const name of calledNames([fn])) {
        out.add(name);
        const helper = helperByName.get(name);
        if (helper) queue.push(helper);
      }
    }
    return out;
  };
  const callers: { type: ir.ProgramType; reaches: Set<string> }[] = [
    ...programs.map((p) => ({ type: p.programType, reaches: reach([p]) })),
    ...structOpsMethods.flatMap((m) => {
      const helper = helperByName.get(m);
      return helper ? [{ type: "struct_ops" as const, reaches: reach([helper]) }] : [];
    }),
  ];
  return moduleFunctions.map((fn) => {
    if (!fn.exported) return fn;
    const types = [...new Set(callers.filter((c) => c.reaches.has(fn.name)).map((c) => c.type))];
    return { ...fn, callerTypes: types };
  });
}
