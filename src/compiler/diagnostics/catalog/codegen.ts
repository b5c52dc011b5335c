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

// --- errors-returns ---

export const notSupportedHere = defineError(
  "E0503",
  "not supported in this position",
  "The construct is supported, but not where it is written: the compiler cannot generate code for it there.",
  (what: string, why: string, instead: string) => ({
    message: `${what} is not supported here: ${why}`,
    help: instead,
  }),
);
