//! The loader runtime's constant C lives in real C files (`runtime-c/NAME.c`), embedded
//! into the core at build time by `tools/embed-runtime-c.mjs` (`runtime-c.generated.ts`);
//! emitters write only what depends on the program (tables, names) and paste the rest
//! here. Each file says at its top what it needs declared before it.

import type { CWriter } from "../c-writer.js";
import { runtimeC } from "./runtime-c.generated.js";

/** The C files (not `makefile.mk`, the Makefiles' shared rules: emit/makefile.ts). */
export type RuntimeCFile = Exclude<keyof typeof runtimeC, "makefile.mk">;

/** Pastes `runtime-c/NAME.c` at the current position (a blank line after it). */
export function pasteRuntimeC(w: CWriter, name: RuntimeCFile): void {
  const text = runtimeC[name].replace(/\n+$/, "");
  for (const line of text.split("\n")) w.line(line);
  w.line();
}
