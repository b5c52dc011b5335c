//! E03xx, continued: type errors of what a program shares with the kernel beyond maps:
//! struct_ops impl blocks, perf events, kernel-module (`@kfunc`) code. Re-exported by
//! types.ts.

import { defineError } from "../diagnostic.js";
import { signatureText, type Signature } from "./wording.js";

// --- lead: struct_ops ---

/**
 * How an impl block differs from its kernel struct (`check/struct-ops.ts`): types as
 * text; `signature` is the member's prototype as code (`fn ssthresh(sk: *sock) -> u32`).
 */
export type StructOpsProblem =
  | { readonly kind: "noMember"; readonly name: string; readonly suggestion: string | undefined }
  | { readonly kind: "methodAsField"; readonly name: string }
  | { readonly kind: "missingRequired"; readonly impl: string; readonly alternatives: readonly string[]; readonly method?: Signature; readonly field?: string }
  | { readonly kind: "fieldAsMethod"; readonly member: string; readonly type: string }
  | { readonly kind: "parameterCount"; readonly member: string; readonly expected: number; readonly count: number; readonly signature: Signature }
  | { readonly kind: "parameterType"; readonly member: string; readonly index: number; readonly name: string; readonly type: string; readonly passed: string; readonly signature: Signature }
  | { readonly kind: "returnType"; readonly member: string; readonly expected: string; readonly found: string; readonly signature: Signature }
  | { readonly kind: "fieldNeedsString"; readonly name: string; readonly type: string }
  | { readonly kind: "fieldTooLong"; readonly name: string; readonly max: number; readonly value: string; readonly length: number }
  | { readonly kind: "fieldNeedsInteger"; readonly name: string }
  | { readonly kind: "fieldNotSettable"; readonly name: string; readonly type: string };

function structOpsProblemText(problem: StructOpsProblem): { message: string; help?: string } {
  const writeAs = (signature: Signature) => `write it as \`${signatureText(signature)}\``;
  switch (problem.kind) {
    case "noMember":
      return { message: `it has no member \`${problem.name}\``, ...(problem.suggestion ? { help: `did you mean \`${problem.suggestion}\`?` } : {}) };
    case "methodAsField": return { message: `\`${problem.name}\` is a method; write it as \`fn ${problem.name}(…)\`` };
    case "missingRequired": {
      const help = problem.method !== undefined ? `add \`${signatureText(problem.method)} { … }\`` : problem.field !== undefined ? `add \`${problem.field}: …,\`` : undefined;
      return {
        message: `\`${problem.impl}\` must provide ${problem.alternatives.map((a) => `\`${a}\``).join(" or ")} (the kernel refuses to register it otherwise)`,
        ...(help ? { help } : {}),
      };
    }
    case "fieldAsMethod":
      return { message: `\`${problem.member}\` is a data member of type \`${problem.type}\`, not a method`, help: `write it as \`${problem.member}: value,\`` };
    case "parameterCount":
      return { message: `\`${problem.member}\` takes ${problem.expected} parameter${problem.expected === 1 ? "" : "s"}, not ${problem.count}`, help: writeAs(problem.signature) };
    case "parameterType":
      return {
        message: `parameter ${problem.index} \`${problem.name}\` of \`${problem.member}\` is \`${problem.type}\`, the kernel passes \`${problem.passed}\``,
        help: writeAs(problem.signature),
      };
    case "returnType": return { message: `\`${problem.member}\` returns \`${problem.expected}\`, not \`${problem.found}\``, help: writeAs(problem.signature) };
    case "fieldNeedsString": return { message: `\`${problem.name}\` is \`${problem.type}\` and takes a string literal` };
    case "fieldTooLong":
      return {
        message: `\`${problem.name}\` holds at most ${problem.max} bytes (plus the NUL), \`"${problem.value}"\` has ${problem.length}`,
        help: `shorten it to ${problem.max} bytes or fewer`,
      };
    case "fieldNeedsInteger": return { message: `\`${problem.name}\` takes an integer literal` };
    case "fieldNotSettable": return { message: `\`${problem.name}\` is \`${problem.type}\`, which an impl block cannot set` };
  }
}

export const structOpsMember = defineError(
  "E0338",
  "struct_ops member mismatch",
  "An `impl` block fills in a kernel operations struct (`tcp_congestion_ops` …): each method must be one of its function-pointer members with the kernel's parameter and return types, each field one of its data members, and the members the kernel requires must be present.",
  (opsType: string, problem: StructOpsProblem) => {
    const { message, help } = structOpsProblemText(problem);
    return { message: `\`${opsType}\`: ${message}`, help: help ?? `see the members of \`struct ${opsType}\` in vmlinux.h` };
  },
);

export const implNotAValue = defineError(
  "E0339",
  "impl block used as a value",
  "A struct_ops `impl` block is registered with the kernel by `register(name)` from user space; it is not a value that can be stored or passed around otherwise.",
  (name: string) => ({
    message: `\`${name}\` is a struct_ops impl block, not a value`,
    help: `register it from user space with \`register(${name})\``,
  }),
);

// --- perf-events ---

export const perfTypeInKernel = defineError(
  "E0355",
  "perf type in eBPF code",
  "`perf_options` and `PerfAttachment` describe perf events opened by the loader with perf_event_open(2); they exist only in user space, where `attach`, `read` and `detach` use them.",
  (type: string) => ({
    message: `\`${type}\` is a user-space type; eBPF programs cannot use it`,
    label: "only the loader opens perf events",
    help: "move this code into a user-space function (one without a program attribute), e.g. `main`",
  }),
);

export const attachTargetKind = defineError(
  "E0356",
  "wrong attach target for the program type",
  "`@perf_event` programs attach to a perf event described by `perf_options { perf_type: …, perf_config: … }`; every other program type attaches to a named target (an interface, a tracepoint, a function).",
  (program: string, found: { readonly type: string } | "perfEvent") => ({
    message: `\`@${program}\` programs cannot be attached to ${found === "perfEvent" ? "a perf event" : `\`${found.type}\``}`,
    label: `expected ${program === "perf_event" ? "`perf_options { perf_type: …, perf_config: … }`" : "an interface, tracepoint or function name (a string)"}`,
    help: program === "perf_event"
      ? "describe the event: `attach(prog, perf_options { perf_type: perf_type_software, perf_config: cpu_clock }, 0)`"
      : "`perf_options` targets only `@perf_event` programs; pass the target name as a string",
  }),
);

export const readNeedsPerfAttachment = defineError(
  "E0357",
  "read needs a perf attachment",
  "`read(att)` returns the current count of the perf event behind a `PerfAttachment` (what `attach(prog, perf_options { … }, 0)` returns), or -1 when the attachment is no longer valid.",
  (found: string) => ({
    message: `\`read\` takes a \`PerfAttachment\`, found \`${found}\``,
    label: "not a perf attachment",
    help: "keep the result of `attach(prog, perf_options { … }, 0)` and pass it: `var att = attach(…)` then `read(att)`",
  }),
);

export const perfOptionsInvalid = defineError(
  "E0358",
  "invalid perf event options",
  "perf_event_open(2) needs a process or a CPU to count on: `pid: -1` (every process) works only with one CPU (`cpu` ≥ 0), and `cpu: -1` (every CPU) only with one process (`pid` ≥ 0, 0 is the loader itself). `attach` with `perf_options` takes no flags.",
  (problem: { readonly flags: bigint } | "everyProcessEveryCpu") => ({
    message: `these perf event options cannot be opened: ${problem === "everyProcessEveryCpu"
      ? "`pid: -1` with `cpu: -1` would count every process on every CPU, which perf_event_open(2) refuses" : `flags must be 0 for a perf event, found ${problem.flags}`}`,
    help: problem === "everyProcessEveryCpu"
      ? "count one process on every CPU (`pid: 0` is the loader itself, `cpu: -1`), or every process on one CPU (`pid: -1`, `cpu: 0`)"
      : "pass 0 as the third argument; what to count and how goes into `perf_options`",
  }),
);

export const perfConfigMismatch = defineError(
  "E0359",
  "perf_config does not match perf_type",
  "`perf_config` names an event within the kind given by `perf_type`: `perf_hw_config` constants (cpu_cycles, cache_misses, …) go with `perf_type_hardware`, `perf_sw_config` constants (cpu_clock, page_faults, …) with `perf_type_software`.",
  (config: string, configEnum: string, type: string, expectedEnum: string) => ({
    message: `\`${config}\` is a \`${configEnum}\` event, but \`perf_type\` is \`${type}\``,
    label: `expected a \`${expectedEnum}\` constant`,
    help: configEnum === "perf_hw_config" ? "use `perf_type: perf_type_hardware` for hardware counters" : "use `perf_type: perf_type_software` for software events",
  }),
);

// --- kmod ---

export const moduleParameterType = defineError(
  "E0362",
  "parameter type not allowed in kernel-module functions",
  "A `@kfunc` is called by eBPF programs through BTF: the verifier accepts scalars (integers, `bool`, `char`, enums) and pointers to scalars or to structs of the file as arguments. `@private` functions follow the same rule, so every value that reaches module code has a kernel C type. At most 5 parameters: eBPF passes arguments in R1–R5.",
  (fn: string, found: string, why: { readonly kind: "structByValue" | "other" } | { readonly kind: "pointerTo"; readonly target: string }) => ({
    message: `parameter of \`${fn}\` has type \`${found}\`, ${why.kind === "structByValue" ? "a struct passed by value (pass a pointer to it)"
      : why.kind === "pointerTo" ? `a pointer to \`${why.target}\`, which module code cannot describe to the verifier` : "which kernel-module functions cannot take"}`,
    label: "not allowed here",
    help: "use an integer, `bool`, `char`, an enum or a pointer to one of those or to a struct of this file (group more than 5 values in a struct and pass a pointer)",
  }),
);

export const moduleReturnType = defineError(
  "E0363",
  "return type not allowed in kernel-module functions",
  "A `@kfunc` returns a scalar to the calling eBPF program: an integer, `bool`, `char`, an enum or nothing. Returning a pointer needs acquire/release flags (`KF_ACQUIRE`, `KF_RET_NULL`) and a matching destructor kfunc, which this compiler does not generate. `@private` functions may also return pointers.",
  (fn: string, found: string) => ({
    message: `\`${fn}\` returns \`${found}\`, which a kfunc cannot return to eBPF`,
    label: "not allowed here",
    help: "return an integer status and write results through a pointer parameter (`out: *u64`)",
  }),
);

export const allocationFlagNotGfp = defineError(
  "E0364",
  "allocation flag is not a GFP flag",
  "In kernel-module code `new T(FLAG)` becomes `kmalloc(sizeof(T), FLAG)`; FLAG must be `GFP_ATOMIC` (never sleeps: safe in the atomic context eBPF programs run in) or `GFP_KERNEL` (may sleep).",
  (found: { readonly name: string } | "number" | "expression") => ({
    message: `${found === "number" ? "`this number`" : found === "expression" ? "this expression" : `\`${found.name}\``} is not an allocation flag`,
    label: "expected `GFP_ATOMIC` or `GFP_KERNEL`",
    help: "write `new T(GFP_ATOMIC)`",
  }),
);

// --- lead: kernel structs inside shared structs ---

export const kernelStructInSharedStruct = defineError(
  "E1301",
  "kernel struct held by value in a shared struct",
  "Structs declared in the program go into the header `NAME.h` that the eBPF object and the user-space loader both include. The eBPF side knows every kernel struct from vmlinux.h, but user space has no definition of kernel-internal structs (their layout is the running kernel's), so a struct may hold one by value only if it is a packet header (`ethhdr`, `iphdr`, `tcphdr`, …) or a UAPI context (`xdp_md`, `__sk_buff`), which the loader defines too.",
  (struct: string, field: string, kernelStruct: string) => ({
    message: `\`${struct}.${field}\` holds kernel struct \`${kernelStruct}\` by value, which user space has no definition of`,
    label: "kernel-internal layout",
    help: `copy the fields you need into fields of \`${struct}\` (or keep a pointer in a local variable of the eBPF code)`,
  }),
);
