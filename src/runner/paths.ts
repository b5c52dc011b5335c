//! Where the runner finds the repository and keeps what it builds on demand.

import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Repository root (the package's root): the nearest directory above this module holding
 * `package.json`.
 * This module runs from build/src/runner/, from src/runner/ through a loader, or bundled
 * into build/bundle/ (where `import.meta.url` is the bundle's), so no fixed depth is right.
 */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
})();

/** Native helper tools compiled on demand (build/native/). */
export const nativeBuildDir = join(repoRoot, "build", "native");
