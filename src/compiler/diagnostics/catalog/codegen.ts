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

// --- ringbuf-objects ---

export const objectInMap = defineError(
  "E0508",
  "allocated object stored in a map",
  "Keeping an object from `new` in a map needs a `__kptr` field and `bpf_kptr_xchg`, which this compiler does not generate; a plain pointer stored in a map is rejected by the verifier (it would leak a kernel address).",
  (name: string) => ({
    message: `object \`${name}\` cannot be stored in a map`,
    label: "pointer stored here",
    help: `store a copy of its value instead (\`m[k] = *${name}\`, with a map of the struct type) and \`delete ${name}\``,
  }),
);
