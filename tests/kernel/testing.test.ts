// `kernelscript test` in the kernel: every tour example's @test functions pass (with the
// counts), a deliberately broken program makes the right tests fail with readable
// messages (golden text), and the situations that cannot run say so clearly.

import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { main } from "../../src/cli/main.js";
import { runCli } from "../harness/cli.js";
import { kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("testing.test", kernelSkipReason());
// The test binaries are built with -Werror like every other emitted program.
const env = { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };

/** The output without timings, which vary from run to run. */
function withoutTimes(text: string): string {
  return text.replace(/ {2}\(\d+\.\d+ ms\)/g, "");
}

function testNames(path: string): string[] {
  return [...readFileSync(path, "utf8").matchAll(/^@test\s*\nfn (\w+)/gm)].map((m) => m[1]!);
}

/**
 * Tour examples without `@test` functions, and why: nothing in them can be test-run on
 * this machine (the object needs a kernel module loaded first).
 */
const untestable = new Map([
  ["examples/kfuncs.ks", "its XDP program calls a kfunc of the generated kernel module, which this machine cannot load (ENOSYS)"],
]);

const examples = [
  ...readdirSync(join(repoRoot, "examples")).filter((f) => f.endsWith(".ks")).sort().map((f) => `examples/${f}`),
  "examples/upstream/test_functions.ks",
];

for (const example of examples) {
  const names = testNames(join(repoRoot, example));
  const reason = untestable.get(example);
  if (reason !== undefined) {
    test(`${example}: no @test functions (${reason})`, () => {
      assert.equal(names.length, 0, `${example} has tests now: remove it from the untestable list`);
    });
    continue;
  }
  kernelTest(`${example}: every @test passes in the kernel`, async () => {
    assert.ok(names.length > 0, `${example} has @test functions`);
    const run = await runCli(["test", example], { env });
    assert.equal(run.code, 0, `kernelscript test ${example} exited ${run.code}:\n${run.stdout}${run.stderr}`);
    const lines = withoutTimes(run.stdout).trim().split("\n");
    assert.deepEqual(lines.slice(0, names.length), names.map((n) => `ok   ${n}`), "one ok line per test, in source order");
    assert.equal(lines.at(-1), `${names.length} passed, 0 failed`);
  });
}

const broken = "tests/kernel/fixtures/testing_broken.ks";

kernelTest("a broken program fails the right tests with readable messages", async () => {
  const run = await runCli(["test", broken], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(withoutTimes(run.stdout), [
    "FAIL tb_drops_large_frames",
    "    tests/kernel/fixtures/testing_broken.ks:17: assertion failed: test(tb_filter, TestRun { packet: big }) == XDP_DROP",
    "      frames over 1000 bytes are dropped",
    "      expected XDP_DROP (1), got XDP_PASS (2)",
    "FAIL tb_counts_drops",
    "    tests/kernel/fixtures/testing_broken.ks:23: assertion failed: tb_drops[0] == 2",
    "      expected 2, got 1",
    "FAIL tb_bad_packet",
    "    .udp(): the packet already has a transport header",
    "FAIL tb_runs_nothing",
    "    the test ran no eBPF program (call test() or test_run(), or attach() one and trigger it)",
    "",
    "0 passed, 4 failed",
    "",
  ].join("\n"));
});

kernelTest("tests read ring-buffer records in order and attach a tracepoint they trigger", async () => {
  const run = await runCli(["test", "tests/kernel/fixtures/testing_records.ks"], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(withoutTimes(run.stdout), [
    "ok   rec_reads_in_order",
    "FAIL rec_reads_past_the_end",
    "    tests/kernel/fixtures/testing_records.ks:56: rec_events.next(): no unread record in ring buffer 'rec_events' (1 submitted during this test, all read)",
    "ok   rec_starts_empty",
    "ok   rec_attached_tracepoint",
    "",
    "3 passed, 1 failed",
    "",
  ].join("\n"));
});

kernelTest("--filter runs only the matching tests; maps start fresh in each", async () => {
  const run = await runCli(["test", broken, "--filter", "counts"], { env });
  assert.equal(run.code, 1);
  // tb_drops is 1 after this test's own run: nothing leaked from the other tests.
  assert.match(withoutTimes(run.stdout), /^FAIL tb_counts_drops\n.*\n {6}expected 2, got 1\n\n0 passed, 1 failed, 3 filtered out\n$/);
});

kernelTest("a file without @test functions is a compile error (exit 1)", async () => {
  const run = await runCli(["test", "examples/upstream/packet_filter.ks"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /error\[E0261\]: `examples\/upstream\/packet_filter\.ks` has no `@test` functions to run/);
});

kernelTest("a program type the kernel cannot test-run is a compile error (exit 1)", async () => {
  const run = await runCli(["test", "tests/cases/errors/testing-not-test-runnable.ks"]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /error\[E0384\]: `tst_switch` is a `@tracepoint` program, which cannot be test-run/);
});

kernelTest("without root: exit 3 with the fix, nothing built", async () => {
  let stderr = "";
  const code = await main(["test", broken], {
    writeStdout: () => {},
    writeStderr: (text) => void (stderr += text),
    env: process.env,
    cwd: repoRoot,
    color: false,
    isRoot: false,
  });
  assert.equal(code, 3);
  assert.match(stderr, /error: running @test functions loads eBPF programs into the kernel \(BPF_PROG_TEST_RUN\), which needs root\n {2}= fix: sudo kernelscript test tests\/kernel\/fixtures\/testing_broken\.ks/);
});

kernelTest("a program the kernel rejects is explained on its .ks line", async () => {
  const run = await runCli(["test", "tests/kernel/fixtures/testing_rejected.ks"], { env });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /error\[E0451\]: the kernel verifier rejected program `tr_reject`/);
  assert.match(run.stderr, /--> tests\/kernel\/fixtures\/testing_rejected\.ks:8:5/);
  assert.match(run.stderr, /= help: read packet data through a header binding/);
});
