// `kernelscript test` in the kernel: every tour example's @test functions pass (with the
// counts), a deliberately broken program makes the right tests fail with readable
// messages (golden text), and the situations that cannot run say so clearly.

import assert from "node:assert/strict";
import { test } from "node:test";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { main } from "../../src/cli/main.js";
import { runCli } from "../harness/cli.js";
import { kernelTests, repoRoot } from "./helpers.js";
import { kernelBuildTree } from "../../src/runner/kernel-headers.js";

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

/** Tour examples without `@test` functions, and why (none left: kfuncs.ks's module test is skipped where the module cannot load). */
const untestable = new Map<string, string>([
]);

/**
 * Examples whose tests may be skipped here, by test name, with the reason's pattern:
 * kfuncs.ks's XDP program calls a kfunc of its kernel module. The module is built for
 * the test binary (against the cached Debian headers when they are available: KDIR);
 * a kernel without module support (no /proc/modules, like this machine's) refuses it
 * with ENOSYS, so the test is skipped with that reason and the TC tests pass.
 */
const tree = kernelBuildTree();
const moduleEnv = "skip" in tree ? {} : { KDIR: tree.kdir };
const kfuncSkip = "skip" in tree
  ? /kfuncs_kfuncs\.ko: No such file or directory \(build it with 'make module'/
  : /finit_module: Function not implemented \(this kernel has no module support: CONFIG_MODULES is off\)/;
const skippable = new Map([
  ["examples/kfuncs.ks", new Map([[
    "kfunc_tour_classifies_with_the_module",
    new RegExp(`^skip kfunc_tour_classifies_with_the_module {2}\\(kfunc_tour_xdp calls ks_tour_classify of module kfuncs_kfuncs, which could not be loaded: .*${kfuncSkip.source}.*\\)$`),
  ]])],
]);
const canLoadModules = existsSync("/proc/modules");

const examples = [
  ...readdirSync(join(repoRoot, "examples")).filter((f) => f.endsWith(".ks")).sort().map((f) => `examples/${f}`),
];
// The reference's test_functions.ks runs as written: tests/kernel/upstream-verbatim-tests-types.test.ts.

for (const example of examples) {
  const names = testNames(join(repoRoot, example));
  const reason = untestable.get(example);
  if (reason !== undefined) {
    test(`${example}: no @test functions (${reason})`, () => {
      assert.equal(names.length, 0, `${example} has tests now: remove it from the untestable list`);
    });
    continue;
  }
  const skips = skippable.get(example) ?? new Map<string, RegExp>();
  kernelTest(`${example}: every @test passes in the kernel${skips.size > 0 ? " (or is skipped with the machine's reason)" : ""}`, async () => {
    assert.ok(names.length > 0, `${example} has @test functions`);
    const run = await runCli(["test", example], { env: { ...env, ...(skips.size > 0 ? moduleEnv : {}) } });
    assert.equal(run.code, 0, `kernelscript test ${example} exited ${run.code}:\n${run.stdout}${run.stderr}`);
    const lines = withoutTimes(run.stdout).trim().split("\n");
    let skipped = 0;
    names.forEach((n, i) => {
      const skip = skips.get(n);
      // Where modules cannot load at all, the test must be skipped; elsewhere it may pass.
      if (skip && (!canLoadModules || lines[i]!.startsWith("skip "))) {
        assert.match(lines[i]!, skip, "skipped with the machine's reason");
        skipped++;
      } else assert.equal(lines[i], `ok   ${n}`, "one ok line per test, in source order");
    });
    assert.equal(lines.at(-1), `${names.length - skipped} passed, 0 failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
  });
}

const broken = "tests/kernel/fixtures/testing_broken.ks";

/** What `kernelscript test` prints for the broken fixture, in the kernel and in the interpreter alike. */
const brokenReport = [
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
].join("\n");

kernelTest("a broken program fails the right tests with readable messages", async () => {
  const run = await runCli(["test", broken], { env });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(withoutTimes(run.stdout), brokenReport);
});

// A shared struct holding packet headers by value: user space has its own definitions
// (runtime-c/packet-headers.c, in NAME.h and the test binary); every field the eBPF side
// copied from the packet must read back the same (before, NAME.h did not compile).
kernelTest("packet headers held in a shared struct read back field by field in user space", async () => {
  const run = await runCli(["test", "tests/kernel/fixtures/shared_packet_headers.ks"], { env });
  assert.equal(run.code, 0, `${run.stdout}${run.stderr}`);
  assert.equal(withoutTimes(run.stdout), [
    "ok   ipv4_and_udp_fields_read_back_in_user_space",
    "ok   ipv6_tcp_and_vlan_fields_read_back_in_user_space",
    "",
    "2 passed, 0 failed",
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

kernelTest("without root: the tests run in the interpreter, with a notice, and report as in the kernel", async () => {
  let stdout = "";
  let stderr = "";
  const code = await main(["test", broken], {
    writeStdout: (text) => void (stdout += text),
    writeStderr: (text) => void (stderr += text),
    env: process.env,
    cwd: repoRoot,
    color: false,
    isRoot: false,
  });
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^note: running the tests in the interpreter: .*root.*; `sudo kernelscript test tests\/kernel\/fixtures\/testing_broken\.ks` runs them in the kernel$/m);
  assert.equal(withoutTimes(stdout), brokenReport);
});

kernelTest("a program the kernel rejects is explained once, on its .ks line, from the test binary's log", async () => {
  const run = await runCli(["test", "tests/kernel/fixtures/testing_rejected.ks"], { env });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.equal(withoutTimes(run.stdout), [
    "FAIL tr_passes",
    "    the kernel rejected the eBPF object (verifier log: testing_rejected.verifier.log)",
    "",
    "0 passed, 1 failed",
    "",
  ].join("\n"));
  // The whole of stderr: the diagnostic once (a second copy, from the test binary or from
  // loading the object again, would make it longer), with the kept log's path.
  const stderr = run.stderr.replace(/\/tmp\/kernelscript-test-testing_rejected-\w+\//g, "DIR/");
  // The generated C line of the access, from the compiler's line map (kept with the log):
  // the C line mapped to the `.ks` line 8 that holds the comparison.
  const logPath = /full verifier log: (\S+)/.exec(run.stderr)![1]!;
  const cText = readFileSync(join(dirname(logPath), "testing_rejected.bpf.c"), "utf8").split("\n");
  const lineMap = JSON.parse(readFileSync(join(dirname(logPath), "testing_rejected.bpf.map.json"), "utf8")) as { mappings: { cLine: number; line: number }[] };
  const access = lineMap.mappings.find((m) => m.line === 8 && cText[m.cLine - 1]!.includes("(*p) == 3"));
  assert.ok(access, "the line map maps .ks line 8 to the C comparison");
  assert.equal(stderr, [
    "error[E0451]: the kernel verifier rejected program `tr_reject`: a packet byte is accessed without a bounds check the verifier can see",
    "  --> tests/kernel/fixtures/testing_rejected.ks:8:5",
    "   |",
    " 8 |     if (*p == 3) { return XDP_DROP }",
    "   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ this access may lie outside the packet",
    "   |",
    "   = note: the verifier said: invalid access to packet, off=0 size=1, R1(id=0,off=0,r=0)",
    `   = note: at instruction 1: (71) r1 = *(u8 *)(r1 +0) (generated C: testing_rejected.bpf.c:${access.cLine}: ${cText[access.cLine - 1]!.trim()})`,
    "   = note: full verifier log: DIR/testing_rejected.verifier.log",
    "   = help: read packet data through a header binding, `if (var h: *T = ctx.header(OFFSET)) { … }`, which checks `data + OFFSET + sizeof(T) <= data_end` where the verifier sees it",
    "",
  ].join("\n"));
  const log = readFileSync(logPath, "utf8");
  assert.match(log, /-- BEGIN PROG LOAD LOG --[\s\S]*processed \d+ insns[\s\S]*-- END PROG LOAD LOG --/, "the whole verifier log, statistics included");
  rmSync(dirname(logPath), { recursive: true, force: true });
});

const skips = "tests/kernel/fixtures/testing_kfunc_skips.ks";

kernelTest("tests of programs needing an unavailable kernel module are skipped with the reason; failures still fail", async () => {
  // KDIR names no build tree: the module is never built, whatever this machine has.
  const run = await runCli(["test", skips], { env: { ...env, KDIR: "/nonexistent-kernelscript-kdir" } });
  assert.equal(run.code, 1, run.stdout + run.stderr);
  const missing = "testing_kfunc_skips_kfuncs, which could not be loaded: PATH: No such file or directory (build it with 'make module'; it needs this kernel's build tree, KDIR=...)";
  assert.equal(withoutTimes(run.stdout).replace(/\/tmp\/\S+\/testing_kfunc_skips_kfuncs\.ko/g, "PATH"), [
    "ok   tks_plain_runs",
    `skip tks_module_program_skipped  (tks_module_xdp calls tks_double of module ${missing})`,
    "FAIL tks_failure_before_the_skip_fails",
    "    tests/kernel/fixtures/testing_kfunc_skips.ks:46: assertion failed: test(tks_plain_xdp, TestRun {}) == XDP_DROP",
    "      fails before the module program runs",
    "      expected XDP_DROP (1), got XDP_PASS (2)",
    `skip tks_passes_then_skips  (tks_dispatch_xdp tail-calls tks_module_xdp, which calls tks_double of module ${missing})`,
    "",
    "1 passed, 1 failed, 2 skipped",
    "",
  ].join("\n"));
});

kernelTest("only skips and passes: exit 0, and --filter still counts what it left out", async () => {
  const run = await runCli(["test", skips, "--filter", "tks_module"], { env: { ...env, KDIR: "/nonexistent-kernelscript-kdir" } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(withoutTimes(run.stdout), /^skip tks_module_program_skipped {2}\(tks_module_xdp calls tks_double .*\)\n\n0 passed, 0 failed, 1 skipped, 3 filtered out\n$/);
});
