//! How the eBPF C includes `vmlinux.h`: with or without CO-RE field relocations.
//!
//! vmlinux.h wraps every struct in `#pragma clang attribute push(preserve_access_index)`,
//! so each field access becomes a CO-RE relocation that libbpf patches at load time.
//! That is what kernel-internal structs need (their layout changes between kernels), but
//! it also covers the UAPI contexts and packet headers, whose layout is fixed ABI, and
//! there it costs instructions: clang keeps relocated offsets in registers, reloads
//! `ctx->data`/`ctx->data_end` for every header binding and cannot merge accesses
//! (measured on the benchmarks of issue 14: a TC port filter 56 → 42 instructions).
//!
//! vmlinux.h skips the pragma when `BPF_NO_PRESERVE_ACCESS_INDEX` is defined. A file is
//! compiled that way when nothing in it needs a relocation: every program's context is
//! a fixed-layout struct (kernel/headers.ts `fixedLayoutStructs`), and every kernel
//! struct any type of the file names (locals, parameters, maps, globals, expressions,
//! user structs' fields, kfunc prototypes) is one of them too. Anything else (tracing
//! programs, struct_ops, a kernel struct read through a pointer) keeps CO-RE for the
//! whole file. Explicit CO-RE (`bpf_core_read`) works either way.

import { statementTypes, walkStatements } from "../ir-walk.js";
import type * as ir from "../ir.js";
import { fixedLayoutStructs } from "../kernel/headers.js";
import { programTypeInfo } from "../kernel/program-types.js";
import type { StructLayout, Type } from "../types.js";
import type { CWriter } from "./c-writer.js";

export function emitVmlinuxInclude(w: CWriter, module: ir.IrModule): void {
  if (!needsFieldRelocations(module)) {
    w.comment("only UAPI contexts and packet headers: their fields need no CO-RE relocation");
    w.line("#define BPF_NO_PRESERVE_ACCESS_INDEX");
  }
  w.line('#include "vmlinux.h"');
}

/** Whether some field access of the eBPF side may need a CO-RE relocation (see the file comment). */
export function needsFieldRelocations(module: ir.IrModule): boolean {
  if (module.structOps.length > 0 || module.kernelCompat) return true;
  for (const program of module.programs) {
    const context = programTypeInfo[program.programType].contextStruct;
    if (context === undefined || !fixedLayoutStructs.has(context)) return true;
  }
  const userStructs = new Map<string, StructLayout>(module.structs.map((s) => [s.name, s]));
  const seen = new Set<string>();
  // Every kernel struct reachable from `t` has a fixed layout. A worklist, not recursion:
  // user structs may chain through thousands of others (tests/unit/type-nesting).
  const fixed = (t: Type): boolean => {
    const work: Type[] = [t];
    for (let next = work.pop(); next !== undefined; next = work.pop()) {
      switch (next.kind) {
        case "struct":
          if (next.origin === "kernel") {
            if (!fixedLayoutStructs.has(next.name)) return false;
          } else if (!seen.has(next.name)) {
            seen.add(next.name);
            work.push(...(userStructs.get(next.name)?.fields ?? []).map((f) => f.type));
          }
          break;
        case "pointer": work.push(next.target); break;
        case "array": work.push(next.element); break;
        case "map": work.push(next.key, next.value); break;
        case "function": work.push(...next.params, next.returnType); break;
        default: break;
      }
    }
    return true;
  };
  const types: Type[] = [
    ...module.maps.flatMap((m) => [m.keyType, m.valueType]),
    ...module.globals.map((g) => g.type),
    ...module.configs.flatMap((c) => c.fields.map((f) => f.type)),
    ...module.structs.map((s): Type => ({ kind: "struct", name: s.name, origin: s.origin })),
    ...module.externs.flatMap((e) => [...e.params.map((p) => p.type), e.returnType]),
    ...(module.escapeSlots ?? []).map((s) => s.type),
  ];
  if (!types.every(fixed)) return true;
  let relocated = false;
  for (const fn of [...module.programs, ...module.helpers]) {
    if (![...fn.params.map((p) => p.type), fn.returnType].every(fixed)) return true;
    walkStatements<undefined>(fn.body, {
      statement: (s) => { relocated ||= !statementTypes(s).every(fixed); },
      place: (p) => { relocated ||= !fixed(p.type); },
      expression: (e) => { relocated ||= !fixed(e.type); },
    }, undefined);
    if (relocated) return true;
  }
  return false;
}
