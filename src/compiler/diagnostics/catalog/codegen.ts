//! E05xx: things the compiler cannot generate (yet, or on principle).

import { defineError } from "../diagnostic.js";

export const notSupportedYet = defineError(
  "E0501",
  "not supported yet",
  "The language has this construct but this compiler version cannot generate code for it yet. The diagnostic names the construct; nothing is emitted rather than emitting wrong code.",
  (what: string) => ({
    message: `${what} is not supported by this version of the compiler yet`,
    help: "see ARCHITECTURE.md for what is implemented; rewrite without it for now",
  }),
);

// --- strings-match ---

export const tooManyPrintArguments = defineError(
  "E0502",
  "too many print arguments in eBPF",
  "eBPF programs print through bpf_trace_printk (up to 3 values) or bpf_trace_vprintk (up to 12 values, kernel 5.16+); the kernel rejects more.",
  (count: number) => ({
    message: `this print has ${count} values, but eBPF prints at most 12`,
    help: "split it into several prints",
  }),
);
