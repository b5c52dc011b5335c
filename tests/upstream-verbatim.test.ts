// The reference implementation's 43 examples (KernelScript 0.1.1), checked *as
// written*: `kernelscript check ../shared/upstream/examples/NAME.ks` from the repository
// root, its stderr compared with `tests/cases/upstream/NAME.check.txt` (the exact CLI
// diagnostics; empty when the example checks clean). One golden per example, so work on
// different examples never touches the same file. Building and loading them is
// tests/kernel/upstream-verbatim.test.ts; the table is docs/upstream-examples.md.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { existsSync, readdirSync } from "node:fs";
import { expectGolden, repoRoot } from "./harness/golden.js";
import { hasStackTrace, runCliInProcess } from "./harness/cli.js";
import { verbatimDirFromRoot, verbatimExamples } from "../src/runner/verbatim.js";

const goldenDir = join(repoRoot, "tests", "cases", "upstream");
const examples = verbatimExamples();

describe("reference examples as written: check", { concurrency: Math.max(2, availableParallelism()) }, () => {
  it("finds the 43 examples of KernelScript 0.1.1", () => {
    assert.equal(examples.length, 43, `examples found: ${examples.join(", ")}`);
  });

  it("has no golden for an example that no longer exists", () => {
    const stale = (existsSync(goldenDir) ? readdirSync(goldenDir) : [])
      .filter((f) => f.endsWith(".check.txt"))
      .filter((f) => !examples.includes(f.slice(0, -".check.txt".length)));
    assert.deepEqual(stale, []);
  });

  for (const name of examples) {
    it(name, async () => {
      // The CLI's own command code, in-process (one process start per example was most of the time).
      const run = await runCliInProcess(["check", `${verbatimDirFromRoot}/${name}.ks`]);
      assert.ok(!hasStackTrace(run.stderr), `stack trace in the output:\n${run.stderr}`);
      assert.ok(run.code === 0 || run.code === 1, `check exited ${run.code}:\n${run.stderr}`);
      // Exit 1 exactly when an error was printed.
      assert.equal(run.code === 1, /^error\[E\d{4}\]/m.test(run.stderr), `exit ${run.code} does not match the diagnostics:\n${run.stderr}`);
      expectGolden(run.stderr, join(goldenDir, `${name}.check.txt`));
    });
  }
});
