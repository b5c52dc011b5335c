// A signed local tested against both ends of a range from zero is one unsigned
// comparison in the eBPF C (emit/range-checks.ts): tests/cases/emit/codegen-range-checks.ks
// runs its program on values around every bound, in the kernel and in the interpreter,
// and compares each result with the two comparisons made one at a time.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runCli } from "../harness/cli.js";
import { kernelTests } from "./helpers.js";

const kernelTest = kernelTests("range-checks.test", kernelSkipReason());
const source = "tests/cases/emit/codegen-range-checks.ks";
const strictBuild = { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };

kernelTest("one unsigned comparison gives what the two comparisons give, in the kernel and in the interpreter", async () => {
  const out = mkdtempSync(join(tmpdir(), "ks-range-checks-"));
  try {
    const compiled = await runCli(["compile", source, "-o", out]);
    assert.equal(compiled.code, 0, compiled.stderr);
    const c = readFileSync(join(out, "codegen-range-checks.bpf.c"), "utf8");
    for (const test of ["(__u64)x >= 512", "(__u64)x < 512", "(__u64)x <= 511", "(__u8)n > 100", "(__u8)n <= 127", "(__u64)x > 9223372036854775806ULL"]) {
      assert.ok(c.includes(test), `${test} in the C`);
    }
    assert.match(c, /\(rc_wide < 0\) \|\| \(rc_wide >= 512\)/, "a global is read twice, as written");
    assert.match(c, /\(x < 0\) \|\| \(\(\(__s64\)n\) >= 5\)/, "two variables stay two tests");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  for (const mode of [[], ["--interpret"]]) {
    const run = await runCli(["test", source, ...mode], { env: strictBuild });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^ok {3}one_unsigned_comparison_means_the_two /m, `${mode.join(" ") || "kernel"}: ${run.stdout}`);
    assert.match(run.stdout, /1 passed, 0 failed/);
  }
});
