// One build of each generated program per test run. Many test files build the same
// program (every example is built by the emitted-C net and again by the kernel tests
// that run it; the reference examples by three kernel files): a finished build is kept
// in build/cache/builds under the hash of everything it is made from (the generated
// files, vmlinux.h, the make arguments), and a later build of the same inputs copies its
// outputs, stdout and stderr instead of running clang, bpftool and cc again. Same inputs,
// same outputs: nothing a test sees differs, except that the second one is fast.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { join } from "node:path";
import { buildOutputDir, buildOutputDirAsync, cachedVmlinuxHeader, projectNameIn, type BuildOptions, type BuildResult } from "../../src/runner/build.js";
import { repoRoot } from "../../src/runner/paths.js";

let vmlinuxHeader: string | undefined;

/** vmlinux.h of the running kernel, dumped once per kernel into build/cache and reused (looked up once per process). */
export function testVmlinuxHeader(): string {
  const btf = "/sys/kernel/btf/vmlinux";
  vmlinuxHeader ??= cachedVmlinuxHeader(join(repoRoot, "build", "cache", `vmlinux-${release()}-${statSync(btf).size}`), btf);
  return vmlinuxHeader;
}

const cacheRoot = join(repoRoot, "build", "cache", "builds");
const stdoutFile = "make.stdout";
const stderrFile = "make.stderr";
const completeFile = "ok";

interface CacheEntry {
  readonly path: string;
  /** The files the build started from: not outputs. */
  readonly sources: readonly string[];
}

function entryFor(dir: string, options: BuildOptions): CacheEntry {
  const sources = readdirSync(dir).sort();
  const hash = createHash("sha256")
    .update(`werror=${options.werror === true}\0vmlinux=${options.vmlinuxHeader ?? ""}\0make=${(options.makeArgs ?? []).join("\0")}\0`);
  for (const file of sources) hash.update(`${file}\0`).update(readFileSync(join(dir, file))).update("\0");
  return { path: join(cacheRoot, hash.digest("hex").slice(0, 32)), sources };
}

/** The cached result of an identical earlier build, copied into `dir`; undefined when there is none. */
function restore(dir: string, options: BuildOptions, entry: CacheEntry): BuildResult | undefined {
  if (!existsSync(join(entry.path, completeFile))) return undefined;
  if (options.vmlinuxHeader && !existsSync(join(dir, "vmlinux.h"))) copyFileSync(options.vmlinuxHeader, join(dir, "vmlinux.h"));
  const kept = new Set([completeFile, stdoutFile, stderrFile]);
  for (const file of readdirSync(entry.path).filter((f) => !kept.has(f))) copyFileSync(join(entry.path, file), join(dir, file));
  const name = projectNameIn(dir);
  return {
    ok: true, status: 0, dir, name,
    stdout: readFileSync(join(entry.path, stdoutFile), "utf8"),
    stderr: readFileSync(join(entry.path, stderrFile), "utf8"),
    bpfObject: join(dir, `${name}.bpf.o`), skeleton: join(dir, `${name}.skel.h`), binary: join(dir, name),
  };
}

/**
 * Keeps a successful build's outputs (not its sources, not vmlinux.h). Written aside and
 * renamed, so another test file building the same program at the same time never sees
 * half an entry. Failed builds are not kept: each test sees its own failure.
 */
function store(build: BuildResult, entry: CacheEntry): void {
  if (!build.ok) return;
  const staging = `${entry.path}.${process.pid}.${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  for (const file of readdirSync(build.dir)) {
    if (entry.sources.includes(file) || file === "vmlinux.h" || !statSync(join(build.dir, file)).isFile()) continue;
    copyFileSync(join(build.dir, file), join(staging, file));
  }
  writeFileSync(join(staging, stdoutFile), build.stdout);
  writeFileSync(join(staging, stderrFile), build.stderr);
  writeFileSync(join(staging, completeFile), "");
  try {
    renameSync(staging, entry.path);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process kept the same build first
  }
}

/** `buildOutputDir`, made once per distinct input across the whole test run. */
export function buildCached(dir: string, options: BuildOptions = {}): BuildResult {
  const entry = entryFor(dir, options);
  const cached = restore(dir, options, entry);
  if (cached) return cached;
  const build = buildOutputDir(dir, options);
  store(build, entry);
  return build;
}

/** `buildOutputDirAsync`, made once per distinct input across the whole test run. */
export async function buildCachedAsync(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const entry = entryFor(dir, options);
  const cached = restore(dir, options, entry);
  if (cached) return cached;
  const build = await buildOutputDirAsync(dir, options);
  store(build, entry);
  return build;
}
