//! Module-wide lowering state for calls: the tail-call program array's slots, `extern`
//! declarations, and the copies of `@helper` functions specialised per function value
//! passed to their function-typed parameters (eBPF has no indirect calls).

import type { FunctionInfo } from "../check/semantics.js";
import type * as ir from "../ir.js";
import { legacyHelperNames } from "../kernel/bpf-helpers.js";
import { specializedFunctionName } from "../names.js";

export interface Specialization {
  readonly name: string;
  readonly info: FunctionInfo;
  /** For each parameter: the function bound to it, or undefined for a value parameter. */
  readonly bindings: readonly (string | undefined)[];
}

export class CallLowering {
  readonly tailCallTargets: string[] = [];
  private readonly specializations = new Map<string, Specialization>();
  private readonly queue: Specialization[] = [];

  /** The program-array slot of a tail-call target (one slot per distinct target). */
  tailCallSlot(target: string): number {
    let index = this.tailCallTargets.indexOf(target);
    if (index < 0) index = this.tailCallTargets.push(target) - 1;
    return index;
  }

  /** The name of `info` specialised for `bindings`; queued for lowering on first use. */
  specialize(info: FunctionInfo, bindings: readonly (string | undefined)[]): string {
    const name = specializedFunctionName(info.name, bindings.filter((b): b is string => b !== undefined));
    if (!this.specializations.has(name)) {
      const s = { name, info, bindings };
      this.specializations.set(name, s);
      this.queue.push(s);
    }
    return name;
  }

  nextSpecialization(): Specialization | undefined {
    return this.queue.shift();
  }
}

/** Whether a kernel-side function has function-typed parameters (lowered per use). */
export function hasFunctionParameters(info: FunctionInfo): boolean {
  return info.params.some((p) => p.type.kind === "function");
}

/** The `extern` functions of the module, kfuncs marked for an `__ksym` declaration. */
export function lowerExterns(functions: readonly FunctionInfo[], missingKfuncs: ReadonlySet<string>): ir.IrExtern[] {
  return functions
    .filter((f) => f.role.kind === "extern")
    .map((f) => ({
      name: f.name,
      params: f.params.map((p) => ({ name: p.name, type: p.type })),
      returnType: f.returnType,
      kfunc: !legacyHelperNames.has(f.name),
      weak: missingKfuncs.has(f.name),
    }));
}

export function isLegacyHelper(name: string): boolean {
  return legacyHelperNames.has(name);
}
