// Shared set-up of the kernel tests: temp output dirs, one vmlinux.h per kernel, and the
// "N ran, M skipped" line each file prints at its end.

import { after, test } from "node:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, release } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { buildOutputDir, cachedVmlinuxHeader, projectNameIn, type BuildResult } from "../../src/runner/build.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";

export { repoRoot };

/** vmlinux.h of the running kernel, dumped once into build/cache and reused. */
export function vmlinuxHeader(): string {
  const btf = "/sys/kernel/btf/vmlinux";
  return cachedVmlinuxHeader(join(repoRoot, "build", "cache", `vmlinux-${release()}-${statSync(btf).size}`), btf);
}

/**
 * Compiles `ksPath` with the compiler API and builds it with -Werror; asserts success.
 * Many tests build the same program: a build is kept in build/cache/builds under the
 * hash of everything it is made from (the generated files, the kernel's BTF, the
 * flags), and a later build of the same files copies its outputs instead of running
 * clang, bpftool and cc again. Same inputs, same outputs: nothing a test sees differs.
 */
export function compileAndBuild(ksPath: string): BuildResult & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-kernel-"));
  compileToDirectory(ksPath, dir);
  const vmlinux = vmlinuxHeader();
  const sources = readdirSync(dir).sort();
  const hash = createHash("sha256").update(`werror\0${vmlinux}\0`);
  for (const file of sources) hash.update(`${file}\0`).update(readFileSync(join(dir, file))).update("\0");
  const cached = join(repoRoot, "build", "cache", "builds", hash.digest("hex").slice(0, 32));
  if (existsSync(join(cached, "ok"))) {
    copyFileSync(vmlinux, join(dir, "vmlinux.h"));
    for (const file of readdirSync(cached).filter((f) => f !== "ok")) copyFileSync(join(cached, file), join(dir, file));
    const name = projectNameIn(dir);
    return {
      ok: true, status: 0, stdout: "(outputs of an identical earlier build)", stderr: "", dir, name,
      bpfObject: join(dir, `${name}.bpf.o`), skeleton: join(dir, `${name}.skel.h`), binary: join(dir, name),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const build = buildOutputDir(dir, { werror: true, vmlinuxHeader: vmlinux });
  if (!build.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`make failed in ${dir}:\n${build.stdout}\n${build.stderr}`);
  }
  // Keep the outputs (not the sources, not vmlinux.h); written aside and renamed, so a
  // test file building the same program at the same time never sees half an entry.
  const staging = `${cached}.${process.pid}`;
  mkdirSync(staging, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => !sources.includes(f) && f !== "vmlinux.h" && statSync(join(dir, f)).isFile())) {
    copyFileSync(join(dir, file), join(staging, file));
  }
  writeFileSync(join(staging, "ok"), "");
  try {
    renameSync(staging, cached);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another process kept the same build first
  }
  return { ...build, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Kernel tests attach programs, create network namespaces, pin maps and register
 * struct_ops: state of the whole machine. Test files run two at a time (`make test`),
 * so every kernel test holds this machine-wide lock while it runs; the other file
 * meanwhile runs tests that need no kernel. A lock whose holder died is taken over.
 */
const kernelLock = join(tmpdir(), "kernelscript-kernel-tests.lock");

async function withKernelLock(body: () => Promise<void> | void): Promise<void> {
  for (;;) {
    try {
      mkdirSync(kernelLock);
      writeFileSync(join(kernelLock, "owner"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (lockHolderGone()) rmSync(kernelLock, { recursive: true, force: true });
      else await sleep(50);
    }
  }
  try {
    await body();
  } finally {
    rmSync(kernelLock, { recursive: true, force: true });
  }
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
