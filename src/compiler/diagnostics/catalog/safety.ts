//! E04xx: rules the kernel verifier enforces, checked before anything is loaded.

import { defineError } from "../diagnostic.js";
import type { Span } from "../../source.js";

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

// --- errors-returns ---

export const uncaughtThrowInProgram = defineError(
  "E0430",
  "error not caught in an eBPF program",
  "An eBPF program returns an action code to the kernel and has no caller to hand an error to, so every error thrown in it (or in a helper it calls) must be caught by a `try`/`catch` in the program.",
  (what: string, pattern: string, program: string, path: string, callSite: Span | undefined) => ({
    message: `${what} thrown here is not caught in eBPF program \`${program}\``,
    label: "thrown here",
    notes: [`call path: ${path}`],
    secondary: callSite ? [{ span: callSite, message: "reaches the program through this call" }] : [],
    help: `wrap the code in \`try { … } catch ${pattern} { … }\` in \`${program}\`, or add \`catch _\` to the enclosing \`try\``,
  }),
);
