//! E04xx: rules the kernel verifier enforces, checked before anything is loaded.

import { defineError } from "../diagnostic.js";

export const uncheckedPacketAccess = defineError(
  "E0401",
  "packet read without a bounds check",
  "The verifier rejects any read of packet data that is not proven to lie before `data_end`. KernelScript requires the proof in the source, so the error is reported here instead of at load time.",
  () => ({
    message: "packet data is read without a bounds check",
    label: "not proven to lie within the packet",
    help: "check the length first (e.g. `if (ctx.data + N <= ctx.data_end) { … }`) and read inside that branch",
  }),
);

export const stackLimitExceeded = defineError(
  "E0402",
  "stack limit exceeded",
  "An eBPF program has 512 bytes of stack, shared by the whole call chain. Large buffers belong in a per-CPU array map.",
  (fn: string, bytes: number, breakdown: string) => ({
    message: `\`${fn}\` needs ${bytes} bytes of stack; eBPF allows 512`,
    notes: [`largest variables: ${breakdown}`],
    help: "move large buffers into a `percpu_array<u32, T>(1)` map and work on the entry",
  }),
);

// --- functions-pointers ---

export const maybeNullDeref = defineError(
  "E0415",
  "pointer may be null",
  "A pointer returned by a function, taken from a map entry (`&m[k]`), or bound from a map lookup may be null. The verifier rejects any access through it that is not preceded by a null check, so the compiler asks for the check.",
  (name: string, origin: string) => ({
    message: `\`${name}\` may be null here (it ${origin})`,
    label: "used without a null check",
    help: `check it first: \`if (${name} != null) { … }\`, or bind it with \`if (var v = ${name}) { … }\``,
  }),
);

export const tailCallChainTooDeep = defineError(
  "E0416",
  "tail-call chain deeper than the kernel allows",
  "The kernel stops a chain of tail calls after 33 jumps (MAX_TAIL_CALL_CNT) and the next `bpf_tail_call` falls through. A chain written longer than that can never run to its end.",
  (depth: number, chain: string) => ({
    message: `this chain of tail calls is ${depth} calls deep; the kernel allows 33`,
    notes: [`chain: ${chain}`],
    help: "merge some of the programs, or move their logic into `@helper` functions",
  }),
);

export const unresolvedIndirectCall = defineError(
  "E0417",
  "call through a function value that eBPF cannot resolve",
  "eBPF has no indirect calls: every call must name its target when the program is compiled. The compiler resolves calls through function-typed parameters of `@helper` functions (one copy of the helper per function passed) and through local variables that hold one known function; any other call through a function value is rejected.",
  (what: string, why: string) => ({
    message: `cannot tell at compile time which function ${what} calls: ${why}`,
    help: "pass the function directly to a `@helper` parameter, or keep one known function in a local variable that is never reassigned",
  }),
);

export const pointerToLocalEscapes = defineError(
  "E0418",
  "pointer to a local variable escapes its function",
  "A local variable lives on the function's stack and is gone when the function returns; a pointer to it would dangle.",
  (name: string) => ({
    message: `returning a pointer to the local variable \`${name}\`, which does not outlive this function`,
    help: "return the value itself, or let the caller pass a pointer to fill in",
  }),
);
