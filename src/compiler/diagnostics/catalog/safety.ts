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

// --- loops ---

export const unprovenLoopBound = defineError(
  "E0410",
  "loop bound not provable",
  "The verifier only accepts loops it can prove to end. A `while` loop in eBPF code is accepted when its condition is `i < N` or `i <= N` (N a constant) on an integer local that the body increases by a positive constant on every iteration, in one statement at the top of the body, and writes nowhere else. Anything else is rejected here rather than by the verifier at load time.",
  (what: string) => ({
    message: `cannot prove that this \`while\` loop ends: ${what}`,
    label: "the verifier would reject this loop",
    help: "use `for (i in 0..N) { … }` (with `break` to stop early), or write the loop as `while (i < N) { …; i += 1 }`",
  }),
);

export const loopTooLong = defineError(
  "E0411",
  "loop too long for eBPF",
  "eBPF loops run at most 8,388,608 (1 << 23) iterations: that is the kernel's limit for `bpf_loop()`, the longest loop the verifier accepts. A loop that is known to need more cannot run in a program.",
  (iterations: string) => ({
    message: `this loop needs ${iterations} iterations; eBPF allows at most 8388608 (1 << 23)`,
    label: "too many iterations",
    help: "split the work across several program runs (keep the position in a map), or do it in user space",
  }),
);

export const infiniteLoop = defineError(
  "E0412",
  "infinite loop in eBPF",
  "`while (true)` has no bound the verifier can see, even with a `break` inside; the kernel would reject the program. (In user space it is fine.)",
  () => ({
    message: "`while (true)` in eBPF code: the verifier rejects loops it cannot prove to end",
    label: "no bound",
    help: "use `for (i in 0..N) { … }` with a `break` where the loop should stop",
  }),
);
