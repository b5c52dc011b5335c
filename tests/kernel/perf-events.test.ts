// perf_event programs in the kernel: the generated loader opens a software counter on
// its own process, links the program to it, and reads the counter back; the program's
// runs (a map) must match the counter divided by the sampling period. The default loader
// samples cpu-clock on every online CPU. Hardware counters need a PMU this machine may
// lack: then the loader must say so in one line and exit 1.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("perf-events.test", kernelSkipReason());

function numberAfter(output: string, label: string): number {
  const match = new RegExp(`^${label}: (-?\\d+)$`, "m").exec(output);
  assert.ok(match, `no "${label}: N" line in:\n${output}`);
  return Number(match[1]);
}

kernelTest("cpu-clock on this process: read() counts CPU time and the program runs once per period", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "perf_cpu_clock.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const count = numberAfter(run.stdout, "count");
    const runs = numberAfter(run.stdout, "runs");
    assert.ok(count > 1_000_000, `cpu-clock counted ${count} ns for 50M iterations`);
    const expected = Math.floor(count / 100_000);
    assert.ok(Math.abs(runs - expected) <= Math.max(5, expected * 0.05), `program ran ${runs} times, counter says ${expected} periods`);
    assert.equal(numberAfter(run.stdout, "after detach"), -1);
  } finally {
    build.cleanup();
  }
});

kernelTest("software page faults (examples/upstream/perf_page_fault.ks): the touched pages fault and the program sees each fault", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "perf_page_fault.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const count = numberAfter(run.stdout, "Page-fault count");
    const runs = numberAfter(run.stdout, "Program runs");
    assert.match(run.stdout, /^Pages touched: 256$/m);
    // 256 stack pages were touched while attached. A page or two next to the current
    // stack top may already be resident (measured: 255 now and then), so not all 256
    // need fault; far more than the few faults of an idle process must.
    assert.ok(count >= 240, `page-fault counter ${count}`);
    // Period 1: one run per fault; the map is read after the counter, so it has seen at least as many.
    assert.ok(runs >= count, `program ran ${runs} times for ${count} faults`);
    assert.match(run.stdout, /demo detached/);
  } finally {
    build.cleanup();
  }
});

kernelTest("hardware cache misses (examples/upstream/perf_cache_miss.ks): counts with a PMU, one-line cause without", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "perf_cache_miss.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    if (run.status === 0) {
      assert.ok(numberAfter(run.stdout, "instructions") > 0, run.stdout);
    } else {
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /no PMU for hardware events/);
    }
  } finally {
    build.cleanup();
  }
});

kernelTest("default loader: cpu-clock sampling at 99 Hz on every online CPU, detached on SIGINT", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "perf_default_sampling.ks"));
  const loader = startLoader([build.binary, "--interval", "0.5"]);
  try {
    await loader.waitFor(/attached perf_sample_cpu \(perf_event\) to cpu-clock at 99 Hz on \d+ CPUs/);
    await loader.waitFor(/--- snapshot 2 ---/);
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    const samples = Number(parseSnapshots(loader.stdout()).at(-1)!.maps.get("perf_sampled_cpus")!.entries.get("0"));
    // ≥ 1 s of sampling on at least one CPU at 99 Hz; far below what a runaway period would give.
    assert.ok(samples >= 50 && samples < 99 * 1.5 * 64, `${samples} samples`);
    assert.match(loader.stderr(), /detached everything/);
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});
