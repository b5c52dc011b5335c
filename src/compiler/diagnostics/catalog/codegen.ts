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

// --- loops ---

export const loopNestingTooDeep = defineError(
  "E0504",
  "too many nested loop callbacks",
  "Loops with a runtime bound (and very long constant ones) become `bpf_loop()` callbacks; each nested one is another eBPF call frame, and the kernel allows 8 frames in a call chain.",
  (depth: number) => ({
    message: `${depth} nested \`bpf_loop()\` callbacks exceed the kernel's 8 call frames`,
    label: "this loop would need another frame",
    help: "give inner loops constant bounds (`for (i in 0..16)`), or move work into a separate program run",
  }),
);
