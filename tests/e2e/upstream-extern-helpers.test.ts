// Upstream's extern_kfunc_demo.ks, as written, calls bpf_trace_printk(null, 0) through an
// `extern`: the kernel's verifier refuses it (R1 type=scalar expected=fp). The compiler
// must say so on the line instead (E0475 twice: the null pointer and the zero size).
// The file lives with the reference implementation's examples beside this repository
// (KS_UPSTREAM_EXAMPLES, default /work/shared/upstream/examples); the same pattern in
// our own words is tests/cases/errors/helper-extern-printk-null.ks.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { hasStackTrace, runCli } from "../harness/cli.js";

const examples = process.env["KS_UPSTREAM_EXAMPLES"] ?? "/work/shared/upstream/examples";
const demo = join(examples, "extern_kfunc_demo.ks");

test("upstream extern_kfunc_demo.ks: bpf_trace_printk(null, 0) is two located E0475, not a verifier rejection", {
  skip: existsSync(demo) ? false : `no upstream examples at ${examples}`,
}, async () => {
  const run = await runCli(["check", "extern_kfunc_demo.ks", "--format", "json"], { cwd: examples, env: { KS_TRACEFS: "/nonexistent" } });
  assert.equal(run.code, 1, run.stderr);
  assert.ok(!hasStackTrace(run.stderr));
  const report = JSON.parse(run.stdout) as { diagnostics: { code: string; severity: string; line: number; column: number; message: string }[] };
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.map((d) => [d.code, d.line, d.column]), [["E0475", 18, 35], ["E0475", 18, 41]]);
  assert.match(errors[0]!.message, /argument 1 of `bpf_trace_printk` \(`fmt`\) must be a pointer to memory the helper reads/);
  assert.match(errors[1]!.message, /argument 2 of `bpf_trace_printk` \(`fmt_size`\) must be a size of at least one byte/);
});
