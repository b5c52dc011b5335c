//! E02xx, continued: names in kernel-module code (`@kfunc`, `@private`): what module code
//! may name and call, and who may call it. Re-exported by names.ts.

import { defineError } from "../diagnostic.js";
import { sideText, type CodeSide } from "./wording.js";

// --- kmod ---

export const privateCalledOutsideModule = defineError(
  "E0250",
  "`@private` function called outside kernel-module code",
  "A `@private` function is a static function of the generated kernel module: only `@kfunc` and other `@private` functions (code in the same module) can call it. eBPF programs reach module code only through `@kfunc` functions, which the module registers with the kernel; user space cannot call module code at all.",
  (name: string, side: CodeSide) => ({
    message: `\`@private\` function \`${name}\` cannot be called from ${sideText(side)}`,
    label: "not visible here",
    help: side === "user"
      ? "module code runs in the kernel; expose what you need through a map or ring buffer that an eBPF program fills"
      : `call a \`@kfunc\` that calls \`${name}\`, or mark \`${name}\` \`@kfunc\` so eBPF programs may call it`,
  }),
);

const objectNames = { map: "map", ringbuf: "ring buffer", global: "global variable", config: "config", structOps: "struct_ops impl" } as const;

export const nameNotInModuleCode = defineError(
  "E0251",
  "eBPF or user-space name used in kernel-module code",
  "`@kfunc` and `@private` functions are compiled into a kernel module (`NAME.mod.c`), not into the eBPF object: the eBPF object's maps, ring buffers, global variables and configs do not exist there.",
  (name: string, what: "map" | "ringbuf" | "global" | "config" | "structOps") => ({
    message: `${objectNames[what]} \`${name}\` belongs to the eBPF object and cannot be used in kernel-module code`,
    label: "not available in the kernel module",
    help: "pass the value as a kfunc argument from the eBPF program, or do this part in the eBPF program that calls the kfunc",
  }),
);

/** What kernel-module code tried to call (`check/kmod.ts`). */
export type ModuleCallee =
  | { readonly kind: "mapOperation"; readonly map: string; readonly operation: string }
  | { readonly kind: "method" | "functionValue" }
  | { readonly kind: "builtin" | "bpfHelper"; readonly name: string }
  | { readonly kind: "function"; readonly role: "helper" | "program" | "extern" | "test" | "userspace"; readonly name: string };

function moduleCalleeText(callee: ModuleCallee): string {
  switch (callee.kind) {
    case "mapOperation": return `\`${callee.map}.${callee.operation}()\` (an operation of an eBPF map)`;
    case "method": return "a method";
    case "functionValue": return "a function value";
    case "builtin": return `the builtin \`${callee.name}()\``;
    case "bpfHelper": return `the BPF helper \`${callee.name}\``;
    case "function": {
      const what = callee.role === "helper" ? "the `@helper` function" : callee.role === "program" ? "the eBPF program"
        : callee.role === "extern" ? "the `extern` kernel function" : callee.role === "test" ? "the `@test` function" : "the user-space function";
      return `${what} \`${callee.name}\``;
    }
  }
}

export const callNotInModuleCode = defineError(
  "E0252",
  "call not available in kernel-module code",
  "Kernel-module code (`@kfunc`, `@private`) can call `@kfunc` and `@private` functions and `print` (which becomes `printk`). BPF helpers, `extern` kfuncs, `@helper` functions, eBPF programs, user-space functions and the user-space builtins do not exist inside a kernel module.",
  (callee: ModuleCallee) => ({
    message: `${moduleCalleeText(callee)} cannot be called from kernel-module code`,
    label: "not available in the kernel module",
    help: "call it from an eBPF program (which may then pass the result to the kfunc), or move the logic into a `@private` function",
  }),
);

export const kfuncNameTaken = defineError(
  "E0253",
  "`@kfunc` name already used by the kernel",
  "libbpf resolves an eBPF program's `__ksym` declarations against the kernel's own BTF before any module's, and a module cannot export a symbol the kernel already has: a `@kfunc` needs a name the running kernel does not use.",
  (name: string) => ({
    message: `the kernel already has a function named \`${name}\`; a \`@kfunc\` with that name would be shadowed by it`,
    label: "name used by the kernel",
    help: `rename it, e.g. \`ks_${name}\``,
  }),
);

export const moduleFunctionAsValue = defineError(
  "E0254",
  "kernel-module function used as a value",
  "`@kfunc` and `@private` functions live in the kernel module; eBPF code calls kfuncs by name (the verifier resolves each call to the kfunc's BTF id), so they cannot be stored in variables or passed as function values.",
  (name: string) => ({
    message: `kernel-module function \`${name}\` cannot be used as a value`,
    label: "used as a value",
    help: `call it directly: \`${name}(…)\``,
  }),
);

