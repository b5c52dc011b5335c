//! Lowering for the kernel module: which `@kfunc`s the eBPF side calls (they become
//! `extern … __weak __ksym` declarations in NAME.bpf.c). The module functions' bodies
//! are lowered like any other function (user-space loop policy: plain C loops); the
//! kernel-C differences are emit/kmod-c.ts's. `moduleKfuncCallers` lists the programs
//! that cannot load without the module (the test binary leaves them unloaded when the
//! module is unavailable, and skips the tests that run them).

import type { FunctionInfo } from "../check/semantics.js";
import { calledNames, visitStatements, type IrVisitor } from "../ir-walk.js";
import type * as ir from "../ir.js";

/** The `@kfunc`s eBPF code calls, as `extern` declarations of the eBPF object. */
export function moduleKfuncExterns(functions: readonly FunctionInfo[], ebpf: readonly ir.IrFunction[]): ir.IrExtern[] {
  const kfuncs = functions.filter((f) => f.role.kind === "kfunc");
  // Most programs have no kernel module: no need to walk all of the eBPF code.
  if (kfuncs.length === 0) return [];
  const called = calledNames(ebpf);
  return kfuncs
    .filter((f) => called.has(f.name))
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
  if (!moduleFunctions.some((fn) => fn.exported)) return [...moduleFunctions];
  const helperByName = new Map(helpers.map((h) => [h.name, h]));
  const reach = (roots: readonly ir.IrFunction[]): Set<string> => reachedCalls(roots, helperByName);
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

/** Every name called from `roots`, following calls into helpers. */
function reachedCalls(roots: readonly ir.IrFunction[], helperByName: ReadonlyMap<string, ir.IrFunction>): Set<string> {
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
}

/** The programs `fn` (and the helpers it calls) tail-call. */
function tailCallTargetsOf(roots: readonly ir.IrFunction[], helperByName: ReadonlyMap<string, ir.IrFunction>): Set<string> {
  const targets = new Set<string>();
  const visitor: IrVisitor = { statement: (s) => { if (s.kind === "tailCall") targets.add(s.target); } };
  for (const name of [...roots.map((r) => r.name), ...reachedCalls(roots, helperByName)]) {
    const fn = roots.find((r) => r.name === name) ?? helperByName.get(name);
    if (fn) visitStatements(fn.body, visitor);
  }
  return targets;
}

/**
 * The programs that need the kernel module to load: those reaching a `@kfunc` through
 * calls and helpers, then (until nothing changes) those tail-calling one of them — a
 * tail call into a program left unloaded would silently fall through.
 */
export function moduleKfuncCallers(
  moduleFunctions: readonly ir.IrModuleFunction[],
  programs: readonly ir.IrProgram[],
  helpers: readonly ir.IrFunction[],
): ir.IrModuleKfuncCaller[] {
  const kfuncs = new Set(moduleFunctions.filter((f) => f.exported).map((f) => f.name));
  if (kfuncs.size === 0) return [];
  const helperByName = new Map(helpers.map((h) => [h.name, h]));
  const callers = new Map<string, ir.IrModuleKfuncCaller>();
  for (const program of programs) {
    const kfunc = [...reachedCalls([program], helperByName)].find((name) => kfuncs.has(name));
    if (kfunc !== undefined) callers.set(program.name, { program: program.name, kfunc });
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const program of programs) {
      if (callers.has(program.name)) continue;
      const via = [...tailCallTargetsOf([program], helperByName)].find((t) => callers.has(t));
      if (via === undefined) continue;
      callers.set(program.name, { program: program.name, kfunc: callers.get(via)!.kfunc, via });
      changed = true;
    }
  }
  return programs.flatMap((p) => callers.get(p.name) ?? []);
}
