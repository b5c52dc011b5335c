// The benchmark programs (bench/programs/NAME: program.ks and its hand-written C,
// ref.bpf.c) must stay the same program as code generation changes: for every input of
// bench/suite.ts both return the same verdict — the one the input is named after — from
// a fresh start, after the run counts where state changes it (the rate limiter's limit)
// and after many runs; they leave the same output packet and the same map contents.
// `make bench` times them only when this holds (bench/ebpf.ts).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { buildReference, compareSides } from "../../bench/ebpf-runs.js";
import { programSource, suite } from "../../bench/suite.js";
import { compileAndBuild, kernelTests } from "./helpers.js";

const kernelTest = kernelTests("bench-programs.test", kernelSkipReason());

for (const program of suite) {
  kernelTest(`bench program ${program.name}: the KernelScript version and the hand-written C agree on every input`, () => {
    const dir = mkdtempSync(join(tmpdir(), `ks-bench-${program.name}-`));
    const build = compileAndBuild(programSource(program));
    try {
      const reference = buildReference(program, dir);
      assert.deepEqual(compareSides(program, reference, build.bpfObject), []);
    } finally {
      build.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
