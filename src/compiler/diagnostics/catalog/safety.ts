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

// --- ringbuf-objects ---

/** The verifier tracks reserved records and `new` objects as references. */
const referenceExplanation = "The verifier rejects a program when a reserved ring-buffer record or an object from `new` can reach the end of the program without being released (\"Unreleased reference\"). KernelScript follows every path (returns, breaks, branches) before anything is loaded.";

export const referenceLeak = defineError(
  "E0420",
  "record or object not released on every path",
  `${referenceExplanation} Every reserved record must be submitted or discarded, and every object from \`new\` deleted, on every path.`,
  (name: string, what: string, release: string, path: string, origin: Span, branch: Span | undefined) => ({
    message: `${what} \`${name}\` is not ${release} on every path`,
    label: path,
    secondary: [
      { span: origin, message: `\`${name}\` is ${what.startsWith("object") ? "allocated" : "reserved"} here` },
      ...(branch ? [{ span: branch, message: `\`${name}\` is ${release} only on one side of this branch` }] : []),
    ],
    help: `${release === "deleted" ? `\`delete ${name}\`` : `submit or discard \`${name}\``} before this point on this path too`,
  }),
);

export const useAfterRelease = defineError(
  "E0421",
  "use after submit, discard or delete",
  `${referenceExplanation} After \`submit\`, \`discard\` or \`delete\` the memory belongs to someone else; touching it again is rejected.`,
  (name: string, release: string, releasedAt: Span) => ({
    message: `\`${name}\` is used after it was ${release}`,
    label: "used here",
    secondary: [{ span: releasedAt, message: `${release} here` }],
    help: "do every read and write before releasing it",
  }),
);

export const doubleRelease = defineError(
  "E0422",
  "released twice",
  `${referenceExplanation} A record is submitted or discarded exactly once; an object is deleted exactly once.`,
  (name: string, release: string, releasedAt: Span) => ({
    message: `\`${name}\` may already have been ${release}`,
    label: "released again here",
    secondary: [{ span: releasedAt, message: `${release} here` }],
    help: "release it once, on each path",
  }),
);

export const missingNullCheck = defineError(
  "E0423",
  "missing null check",
  "`reserve()` returns null when the ring buffer is full and `new` returns null when memory is short; the verifier rejects any use before the program has checked.",
  (name: string, origin: Span) => ({
    message: `\`${name}\` may be null here`,
    label: "used before checking for null",
    secondary: [{ span: origin, message: "may return null" }],
    help: `check it first: \`if (var ${name} = …) { … }\` or \`if (${name} != null) { … }\``,
  }),
);

export const referenceEscapes = defineError(
  "E0424",
  "record or object must stay in its variable",
  `${referenceExplanation} To follow a record or object, the compiler requires it to be held in exactly one local variable of the function that reserved or allocated it.`,
  (what: string, problem: string) => ({
    message: `${what} ${problem}`,
    help: "keep it in one local (`var e = events.reserve()`), use it through that variable, and release it in the same function",
  }),
);

export const releaseNotOwned = defineError(
  "E0425",
  "release of something not owned",
  "`submit`/`discard` take a record reserved from the same ring buffer in the same function; `delete` takes an object made by `new` in the same function.",
  (operation: string, found: string) => ({
    message: `\`${operation}\` needs ${found}`,
    help: "release exactly what was reserved or allocated, through the same ring buffer",
  }),
);
