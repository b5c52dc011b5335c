// The differential check of the two test modes: every example with `@test` functions
// (examples/, examples/tools/, examples/upstream/) and every test-runner fixture
// (tests/kernel/fixtures/: failing tests, records, skips, a rejected object) runs in the
// kernel (the test binary with `--trace`) and in the interpreter (`kernelscript test
// FILE --interpret --trace`),
// and the two traces must be equal — every test's status, every run's program, retval
// and packet, every traced map's bytes at the end of each test (tests/harness/
// trace-compare.ts says where they differ). A disagreement is a bug in one of the two.
//
// Not compared: tests the kernel skipped (a program this machine could not load: the
// machine's limit, not a result), and tests the interpreter cannot run because they
// observe the machine — those must be listed below with the reason; any other skip by
// the interpreter fails this test, and so does a listed test the interpreter now runs.
//
// The kernel side builds each example's test binary once per clone (the build cache,
// outside the kernel lock) and runs it with `--trace` as `kernelscript test --trace`
// does (that the CLI passes the flag through is tests/kernel/test-trace.test.ts). The
// interpreter needs no kernel: it runs outside the lock too.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile, renderDiagnostic } from "../../src/compiler/index.js";
import { NodeHost } from "../../src/cli/node-host.js";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelBuildTree } from "../../src/runner/kernel-headers.js";
import { cliPath } from "../harness/cli.js";
import { compareTraces, formatDifferences, readTrace, type Trace } from "../harness/trace-compare.js";
import { buildForKernel, kernelTests, outsideKernelLock, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("interpret-differential.test", kernelSkipReason());

/**
 * Tests the interpreter may skip, by file and name, and why: each observes the machine
 * rather than a program run, so only the kernel can run it.
 */
const interpreterOnlyInKernel = new Map<string, ReadonlyMap<string, string>>([
  // attach() + run_command(): the system calls of a real process, counted by an attached program.
  ["examples/raw_tracepoint.ks", new Map([["sees_real_system_calls_when_attached", "attaches to sys_enter and counts a real command's system calls"]])],
  // attach() + run_command(): a real exec, seen by an attached tp_btf program reading task_struct (BTF).
  ["examples/tp_btf.ks", new Map([["reports_every_exec", "attaches to sched_process_exec and reads the exec'd task through BTF"]])],
  // attach() + run_command(): a real process's reads, seen by attached tracepoints.
  ["examples/tracing.ks", new Map([["records_who_ran_true", "attaches tracepoints and runs /bin/true"]])],
  // attach() + run_command(): a tracepoint triggered by a real command.
  ["tests/kernel/fixtures/testing_records.ks", new Map([["rec_attached_tracepoint", "attaches a tracepoint and triggers it with a command"]])],
  // The verifier's verdict: the kernel rejects the object (the test fails there), which only the kernel decides.
  ["tests/kernel/fixtures/testing_rejected.ks", new Map([["tr_passes", "the kernel's verifier rejects the object it runs"]])],
]);

/** The examples and fixtures with `@test` functions, as paths from the repository root. */
function examplesWithTests(): string[] {
  const files: string[] = [];
  for (const dir of ["examples", "examples/tools", "examples/upstream", "tests/kernel/fixtures"]) {
    for (const file of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith(".ks")).sort()) {
      const path = `${dir}/${file}`;
      if (/^@test\b/m.test(readFileSync(join(repoRoot, path), "utf8"))) files.push(path);
    }
  }
  return files;
}

// kfuncs.ks builds its kernel module when a kernel build tree is there (as tests/kernel/testing.test.ts).
const tree = kernelBuildTree();
const moduleArgs = "skip" in tree ? [] : [`KDIR=${tree.kdir}`];

/** NAME.test of `example`, built once per clone (outside the kernel lock); its directory. */
function buildTestBinary(example: string, dir: string): string {
  const result = compile(example, new NodeHost(repoRoot), { makefile: true, test: true });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || result.files.length === 0) {
    throw new Error(`${example} does not compile in test mode:\n${errors.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n")}`);
  }
  for (const file of result.files) writeFileSync(join(dir, file.path), file.text);
  const name = example.slice(example.lastIndexOf("/") + 1, -".ks".length);
  const build = buildForKernel(dir, { makeArgs: [`${name}.test`, ...moduleArgs] });
  assert.ok(build.ok, `make ${name}.test failed in ${dir}:\n${build.stdout}${build.stderr}`);
  return join(dir, `${name}.test`);
}

/** Runs a command that writes a trace; the trace, or a failure with the command's output. */
function runForTrace(what: string, argv: readonly string[], cwd: string, tracePath: string): Trace {
  const run = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 * 1024 * 1024 });
  assert.ok(
    (run.status === 0 || run.status === 1) && existsSync(tracePath),
    `${what} wrote no trace (exit ${run.status}${run.signal ? `, signal ${run.signal}` : ""}):\n${run.stdout}${run.stderr}`,
  );
  return readTrace(tracePath);
}

function withoutTests(trace: Trace, names: ReadonlySet<string>): Trace {
  return { version: trace.version, tests: trace.tests.filter((t) => !names.has(t.name)) };
}

const examples = examplesWithTests();

test("every example with @test functions is compared", () => {
  assert.ok(examples.length >= 20, `only ${examples.length} examples with tests found`);
  for (const file of interpreterOnlyInKernel.keys()) assert.ok(examples.includes(file), `${file} in the skip list has no @test functions`);
});

for (const example of examples) {
  kernelTest(`${example}: the kernel and the interpreter observe the same`, () => {
    const dir = mkdtempSync(join(tmpdir(), "difftest-differential-"));
    try {
      const binary = outsideKernelLock(() => buildTestBinary(example, dir));
      const kernelPath = join(dir, "kernel.json");
      const kernel = runForTrace(binary, [binary, "--quiet-rejection", "--trace", kernelPath], dir, kernelPath);
      const interpreterPath = join(dir, "interpreter.json");
      const interpreter = outsideKernelLock(() =>
        runForTrace("kernelscript test --interpret", [process.execPath, cliPath, "test", example, "--interpret", "--trace", interpreterPath], repoRoot, interpreterPath));

      const allowed = interpreterOnlyInKernel.get(example) ?? new Map<string, string>();
      const kernelSkipped = new Set(kernel.tests.filter((t) => t.status === "skip").map((t) => t.name));
      const interpreterSkipped = new Set(interpreter.tests.filter((t) => t.status === "skip").map((t) => t.name));
      const unexplained = [...interpreterSkipped].filter((n) => !allowed.has(n) && !kernelSkipped.has(n));
      assert.deepEqual(unexplained, [], `the interpreter skipped tests not in the list of kernel-only tests (${example})`);
      const nowRun = [...allowed.keys()].filter((n) => !interpreterSkipped.has(n));
      assert.deepEqual(nowRun, [], `listed as kernel-only but the interpreter ran them: remove them from the list (${example})`);

      const ignored = new Set([...kernelSkipped, ...interpreterSkipped]);
      if (kernelSkipped.size > 0) console.log(`${example}: not compared, skipped by the kernel: ${[...kernelSkipped].join(", ")}`);
      const differences = compareTraces(withoutTests(kernel, ignored), withoutTests(interpreter, ignored));
      assert.equal(differences.length, 0, `${example}: the kernel and the interpreter disagree:\n${formatDifferences(differences)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
