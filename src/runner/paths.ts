//! Where the runner finds the repository and keeps what it builds on demand.

import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

/** Repository root: this file runs from build/src/runner/ (or src/runner/ via a loader). */
export const repoRoot: string = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${"/"}build${"/"}`) ? "../../.." : "../..";
  return resolve(here, up);
})();

/** Native helper tools compiled on demand (build/native/). */
export const nativeBuildDir = join(repoRoot, "build", "native");
