// Shared set-up of the kernel tests: temp output dirs, one vmlinux.h per kernel, and the
// "N ran, M skipped" line each file prints at its end.

import { after, test } from "node:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type BuildOptions, type BuildResult } from "../../src/runner/build.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";

export { repoRoot };

/** vmlinux.h of the running kernel, dumped once into build/cache and reused. */
export const vmlinuxHeader = testVmlinuxHeader;

/**
 * Compiles `ksPath` with the compiler API and builds it with -Werror (once per distinct
 * program in a test run: tests/harness/build-cache.ts); asserts success. The build runs
 * outside the kernel lock, so another file's kernel test uses the kernel meanwhile.
 */
export function compileAndBuild(ksPath: string): BuildResult & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-kernel-"));
  compileToDirectory(ksPath, dir);
  const build = buildForKernel(dir);
  if (!build.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`make failed in ${dir}:\n${build.stdout}\n${build.stderr}`);
  }
  return { ...build, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Kernel tests attach programs, create network namespaces, pin maps and register
 * struct_ops: state of the whole machine. Test files run three at a time (`make test`),
 * so every kernel test holds this machine-wide lock while it runs, except while it
 * builds (`outsideKernelLock`); the other files meanwhile run tests that need no kernel.
 * A lock whose holder died is taken over.
 */
const kernelLock = join(tmpdir(), "kernelscript-kernel-tests.lock");
/** Whether this process holds the lock now (tests of one file run one after another). */
let holdingLock = false;

/** Takes the lock if it is free (or left over); false when another live process holds it. */
function tryTakeLock(): boolean {
  try {
    mkdirSync(kernelLock);
    writeFileSync(join(kernelLock, "owner"), String(process.pid));
    holdingLock = true;
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (lockHolderGone()) rmSync(kernelLock, { recursive: true, force: true });
    return false;
  }
}

function releaseLock(): void {
  holdingLock = false;
  rmSync(kernelLock, { recursive: true, force: true });
}

async function withKernelLock(body: () => Promise<void> | void): Promise<void> {
  while (!tryTakeLock()) await sleep(50);
  try {
    await body();
  } finally {
    if (holdingLock) releaseLock();
  }
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs `body` (a build: clang, bpftool, cc; no kernel state) with the kernel lock let go
 * when this test holds it, so another file's kernel test uses the kernel meanwhile, and
 * takes it back before returning. Only for work that neither touches nor depends on the
 * kernel: the other test runs in between.
 */
export function outsideKernelLock<T>(body: () => T): T {
  if (!holdingLock) return body();
  releaseLock();
  try {
    return body();
  } finally {
    // Synchronous like the builds it wraps: wait in 50 ms steps without an event loop turn.
    while (!tryTakeLock()) Atomics.wait(sleepCell, 0, 0, 50);
  }
}

/** `buildCached` with -Werror and this kernel's vmlinux.h, outside the kernel lock. */
export function buildForKernel(dir: string, options: Omit<BuildOptions, "werror" | "vmlinuxHeader"> = {}): BuildResult {
  return outsideKernelLock(() => buildCached(dir, { ...options, werror: true, vmlinuxHeader: vmlinuxHeader() }));
}

/**
 * Polls `check` every 20 ms until it holds (true) or `timeoutMs` passes (false): the
 * kernel may finish releasing a link or socket just after the process is reaped.
 */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** No kernel test holds the machine this long: a lock older than this is left over (its pid reused). */
const lockMaxAgeMs = 20 * 60_000;

function lockHolderGone(): boolean {
  try {
    if (Date.now() - statSync(kernelLock).mtimeMs > lockMaxAgeMs) return true;
    const owner = Number(readFileSync(join(kernelLock, "owner"), "utf8"));
    process.kill(owner, 0);
    return false;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
    // No owner file yet: being taken right now, unless it has been like that for long.
    try {
      return Date.now() - statSync(kernelLock).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}

/** Writes `source` to a temporary `NAME.ks`, builds it like `compileAndBuild` and hands the build to `body`; removes both afterwards. */
export function withBuiltSource(name: string, source: string, body: (build: ReturnType<typeof compileAndBuild>) => void): void {
  const dir = mkdtempSync(join(tmpdir(), `ks-${name}-`));
  try {
    const path = join(dir, `${name}.ks`);
    writeFileSync(path, source);
    const build = compileAndBuild(path);
    try {
      body(build);
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `test` for kernel tests: skipped with `skipReason` when the machine cannot run them;
 * the file prints how many ran and how many were skipped when it ends.
 */
export function kernelTests(file: string, skipReason: string | undefined): (name: string, body: () => Promise<void> | void) => void {
  let ran = 0;
  let skipped = 0;
  after(() => {
    const why = skipped > 0 && skipReason ? ` (skipped: ${skipReason})` : "";
    console.log(`kernel tests in ${file}: ${ran} ran, ${skipped} skipped${why}`);
  });
  return (name, body) => {
    if (skipReason) {
      skipped++;
      test(name, { skip: skipReason }, () => {});
      return;
    }
    test(name, async () => {
      ran++;
      await withKernelLock(body);
    });
  };
}
