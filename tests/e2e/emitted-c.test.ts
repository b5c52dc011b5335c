// Every emit golden case (tests/cases/emit/*.ks) and every example (examples/*.ks) is
// compiled through the compiler API and the emitted C is built by the generated
// Makefile with -Werror on both sides: `clang -O2 -g -target bpf -Wall -Werror` for
// NAME.bpf.c, bpftool for the skeleton, `cc -Wall -Werror` for NAME.c. vmlinux.h is
// dumped once per kernel into build/cache and copied in. A golden only shows the output
// did not change; this shows it is valid C that links against this machine's libbpf.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { buildOutputDir, cachedVmlinuxHeader } from "../../src/runner/build.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";

function ksFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".ks")).sort().map((f) => join(dir, f));
}

const cases = [
  ...ksFilesIn(join(repoRoot, "tests", "cases", "emit")),
  ...ksFilesIn(join(repoRoot, "examples")),
  // Our own equivalents of the reference implementation's examples (same names).
  ...ksFilesIn(join(repoRoot, "examples", "upstream")),
];
const skip = buildSkipReason();
let built = 0;

after(() => {
  console.log(`emitted-C builds: ${built} of ${cases.length} built with -Werror${skip ? ` (skipped: ${skip})` : ""}`);
});

function vmlinuxHeader(): string {
  const btf = "/sys/kernel/btf/vmlinux";
  return cachedVmlinuxHeader(join(repoRoot, "build", "cache", `vmlinux-${release()}-${statSync(btf).size}`), btf);
}

for (const ksPath of cases) {
  const label = ksPath.slice(repoRoot.length + 1);
  test(`${label}: emitted C builds with -Werror (clang -target bpf, bpftool skeleton, cc)`, { skip: skip ?? false }, () => {
    const dir = mkdtempSync(join(tmpdir(), `ks-emit-${basename(ksPath, ".ks")}-`));
    try {
      compileToDirectory(ksPath, dir);
      const build = buildOutputDir(dir, { werror: true, vmlinuxHeader: vmlinuxHeader() });
      assert.ok(build.ok, `make failed for ${label}:\n${build.stdout}\n${build.stderr}`);
      for (const output of [build.bpfObject, build.skeleton, build.binary]) {
        assert.ok(existsSync(output) && statSync(output).size > 0, `${output} was produced`);
      }
      built++;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
