// `extern` kernel functions are called by their own names, the kernel's symbols, even
// where a user function of that name would be escaped (`main` → `main_`): the emitted C
// builds with -Werror on both sides. (Such a program cannot load where the kernel lacks
// the function, so it is not an emit case: tests/e2e/emitted-c.test.ts loads those.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";

const skip = buildSkipReason();

test("extern main(): declared and called as `main` in the eBPF C, built with -Werror", { skip: skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-extern-names-"));
  try {
    compileToDirectory(join(repoRoot, "tests", "e2e", "fixtures", "extern-named-main.ks"), dir);
    const c = readFileSync(join(dir, "extern-named-main.bpf.c"), "utf8");
    assert.match(c, /^extern __s32 main\(void\) __ksym __weak;$/m);
    assert.match(c, /\(\(__u64\)main\(\)\)/, "called as main, not main_");
    const build = buildCached(dir, { werror: true, vmlinuxHeader: testVmlinuxHeader() });
    assert.ok(build.ok, `make failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
