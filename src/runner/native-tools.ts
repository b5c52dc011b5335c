//! Compiles the runner's small C tools (src/runner/native/*.c) on demand into
//! build/native/, once per source change. Parallel test processes may race to build the
//! same tool, so each writes a private file and renames it into place.

import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { cacheDirectory } from "./cache-dir.js";
import { nativeBuildDir, repoRoot } from "./paths.js";

export type NativeTool = "prog-run" | "send-frames" | "verify-load";

const libraries: Record<NativeTool, readonly string[]> = {
  "prog-run": ["-lbpf", "-lelf", "-lz"],
  "send-frames": [],
  "verify-load": ["-lbpf", "-lelf", "-lz"],
};

/** Path of the compiled tool; builds it first when missing or older than its source. */
export function nativeTool(tool: NativeTool): string {
  const source = join(repoRoot, "src", "runner", "native", `${tool}.c`);
  const outputDir = writableBuildDir();
  const binary = join(outputDir, tool);
  const nativeDir = join(repoRoot, "src", "runner", "native");
  // Every shared header counts: a tool is rebuilt when any of them changed.
  const headers = readdirSync(nativeDir).filter((f) => f.endsWith(".h")).map((f) => join(nativeDir, f));
  const newestInput = Math.max(statSync(source).mtimeMs, ...headers.map((h) => statSync(h).mtimeMs));
  if (existsSync(binary) && statSync(binary).mtimeMs >= newestInput) return binary;
  mkdirSync(outputDir, { recursive: true });
  const temporary = `${binary}.${process.pid}.tmp`;
  const cc = process.env["CC"] ?? "cc";
  const result = spawnSync(cc, ["-O2", "-g", "-Wall", "-Werror", source, "-o", temporary, ...libraries[tool]], {
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`building ${tool} failed (${cc}):\n${result.stderr}${result.error ? String(result.error) : ""}`);
  }
  renameSync(temporary, binary);
  return binary;
}

/**
 * build/native/ in a checkout; in an installed package whose directory this user cannot
 * write (`npm install -g` by another user, a read-only prefix), the cache's `native/`.
 */
function writableBuildDir(): string {
  try {
    mkdirSync(nativeBuildDir, { recursive: true });
    accessSync(nativeBuildDir, constants.W_OK);
    return nativeBuildDir;
  } catch {
    const cache = cacheDirectory(process.env);
    return cache === undefined ? nativeBuildDir : join(cache, "native");
  }
}
