//! Where kernelscript keeps what it can reuse between runs (the V8 code cache of the
//! bundled CLI, `vmlinux.h` per kernel BTF, what the last build of each output directory
//! was made with): `$KS_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/kernelscript`, else `~/.cache/kernelscript`. Everything in it can be
//! deleted at any time; `KS_CACHE_DIR=` (empty) turns caching off. A directory that
//! cannot be created or written means no cache, never an error: the work is then done
//! again each time.

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** The cache directory this environment names (not created yet), or undefined for none. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const chosen = env["KS_CACHE_DIR"];
  if (chosen !== undefined) return chosen === "" ? undefined : chosen;
  const xdg = env["XDG_CACHE_HOME"];
  // The XDG base-directory rules ignore a relative path.
  if (xdg && isAbsolute(xdg)) return join(xdg, "kernelscript");
  const home = env["HOME"] || safeHomedir();
  return home ? join(home, ".cache", "kernelscript") : undefined;
}

function safeHomedir(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}

/**
 * Writes `bytes` to `dir/name` whole or not at all: into a temporary file beside it,
 * then renamed over it, so a concurrent reader sees the old file or the new one, never
 * half of one. Returns false (and leaves nothing behind) when it cannot.
 */
export function writeCacheFile(dir: string, name: string, bytes: string | Uint8Array): boolean {
  const target = join(dir, name);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, bytes, { mode: 0o600 });
    renameSync(temporary, target);
    return true;
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The directory itself was the problem: nothing was written.
    }
    return false;
  }
}
