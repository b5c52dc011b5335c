// Shared set-up of the kernel tests: temp output dirs, one vmlinux.h per kernel, and the
// "N ran, M skipped" line each file prints at its end.

import { after, test } from "node:test";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir, release } from "node:os";
import { join } from "node:path";
import { buildOutputDir, cachedVmlinuxHeader, type BuildResult } from "../../src/runner/build.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";

export { repoRoot };

/** vmlinux.h of the running kernel, dumped once into build/cache and reused. */
export function vmlinuxHeader(): string {
  const btf = "/sys/kernel/btf/vmlinux";
  return cachedVmlinuxHeader(join(repoRoot, "build", "cache", `vmlinux-${release()}-${statSync(btf).size}`), btf);
}

/** Compiles `ksPath` with the compiler API and builds it with -Werror; asserts success. */
export function compileAndBuild(ksPath: string): BuildResult & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-kernel-"));
  compileToDirectory(ksPath, dir);
  const build = buildOutputDir(dir, { werror: true, vmlinuxHeader: vmlinuxHeader() });
  if (!build.ok) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`make failed in ${dir}:\n${build.stdout}\n${build.stderr}`);
  }
  return { ...build, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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
      await body();
    });
  };
}
