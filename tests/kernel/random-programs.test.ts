// Random self-checking programs (tests/fuzz/random-programs) in the kernel: a fixed-seed
// batch, each program compiled without a diagnostic, built with clang -Wall -Werror (the
// first batch also through its generated Makefile, loader included), loaded by the
// verifier and run under BPF_PROG_TEST_RUN, where it returns XDP_PASS only when every
// value the kernel computed equals the one the generator's oracle computed.
// Any number more, with random seeds: `make fuzz N=…` (tests/fuzz/random-programs/fuzz.ts).
//
// The self-test: the same machinery must see a wrong value. One program's expected
// value is changed by one; it must return XDP_DROP and record that very check.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { generateProgram } from "../fuzz/random-programs/generate.js";
import { expectOneOff, firstLiveCheck } from "../fuzz/random-programs/resolve.js";
import { runBatch, runPrepared, type Failure } from "../fuzz/random-programs/run.js";
import { kernelTests, vmlinuxHeader } from "./helpers.js";

const kernelTest = kernelTests("random-programs.test", kernelSkipReason());

/** The fixed batch: seeds FIRST_SEED.., in batches of BATCH programs per object. */
const FIRST_SEED = 20_261_206;
const COUNT = 40;
const BATCH = 20;

function describe(failures: readonly Failure[]): string {
  return failures.map((f) => `seed ${f.seed} (${f.stage}): ${f.summary}\n${f.details.slice(0, 2000)}`).join("\n\n");
}

kernelTest(`${COUNT} random programs (seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}) build with -Werror, load and compute every value right`, async () => {
  const workDir = mkdtempSync(join(tmpdir(), "ks-random-"));
  try {
    const started = Date.now();
    const failures: Failure[] = [];
    let ran = 0;
    let makefileBuilds = 0;
    for (let first = 0; first < COUNT; first += BATCH) {
      const seeds = Array.from({ length: Math.min(BATCH, COUNT - first) }, (_, i) => FIRST_SEED + first + i);
      const result = await runBatch(seeds, { workDir, vmlinuxHeader: vmlinuxHeader(), makefile: first === 0 });
      ran += result.ran;
      makefileBuilds += result.makefileBuilds;
      failures.push(...result.failures);
    }
    console.log(`random programs: ${ran} run in the kernel, ${makefileBuilds} also through the Makefile, ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(ran, COUNT);
    assert.equal(makefileBuilds, BATCH, "the first batch was also built through its generated Makefile");
    assert.equal(failures.length, 0, describe(failures));
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});


kernelTest("a program whose expected value is wrong by one returns XDP_DROP and names that check", async () => {
  const workDir = mkdtempSync(join(tmpdir(), "ks-random-"));
  try {
    const program = generateProgram(FIRST_SEED, "p0_");
    const check = firstLiveCheck(program);
    assert.ok(check, "the program has a check that runs");
    const right = expectOneOff(check);
    const failures = await runPrepared([program], { workDir, vmlinuxHeader: vmlinuxHeader() });
    assert.equal(failures.length, 1, describe(failures));
    const failure = failures[0]!;
    assert.equal(failure.stage, "run", describe(failures));
    assert.match(failure.summary, /^returned 1 \(XDP_PASS is 2\); 1 check\(s\) failed/);
    assert.match(failure.summary, new RegExp(`check ${check.id} \\(`));
    assert.match(failure.summary, new RegExp(`got ${typeof right === "boolean" ? (right ? 1 : 0) : BigInt.asUintN(64, right as bigint)}\\b`), "the kernel's value is the oracle's, not the changed one");

    // Unchanged, the same program passes (the failure above came from the change alone).
    check.expected = right;
    assert.deepEqual(await runPrepared([program], { workDir, vmlinuxHeader: vmlinuxHeader() }), []);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
});
