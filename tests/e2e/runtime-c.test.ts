// C unit tests of the loader runtime (src/compiler/emit/userspace/runtime-c/*.c): each
// tests/runtime-c/NAME.test.c includes the runtime files it tests (with stubs for what a
// loader provides around them), is built with cc -Wall -Werror and run; every line it
// prints is a check ("ok …" or "FAIL …"), and it exits non-zero when one failed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/golden.js";

const testsDir = join(repoRoot, "tests", "runtime-c");
const runtimeDir = join(repoRoot, "src", "compiler", "emit", "userspace", "runtime-c");

for (const file of readdirSync(testsDir).filter((f) => f.endsWith(".test.c")).sort()) {
  test(`runtime C: ${file}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "ks-runtime-c-"));
    try {
      const binary = join(dir, "test");
      const built = spawnSync("cc", ["-O2", "-Wall", "-Werror", "-I", runtimeDir, join(testsDir, file), "-o", binary, "-lbpf", "-lelf", "-lz"], { encoding: "utf8" });
      assert.equal(built.status, 0, built.stderr);
      const run = spawnSync(binary, [], { encoding: "utf8", timeout: 20_000 });
      const lines = run.stdout.trim().split("\n");
      assert.ok(lines.length >= 5, `only ${lines.length} checks ran:\n${run.stdout}${run.stderr}`);
      assert.deepEqual(lines.filter((l) => !l.startsWith("ok ")), [], run.stderr);
      assert.equal(run.status, 0, run.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
