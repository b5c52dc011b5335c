// Loops in the kernel (examples/loops.ks and examples/upstream/break_continue_unbound.ks):
// every program passes the verifier and computes what the source says, checked through
// BPF_PROG_TEST_RUN return values and map contents.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_DROP = 1;
const XDP_PASS = 2;

const kernelTest = kernelTests("loops.test", kernelSkipReason());
const example = join(repoRoot, "examples", "loops.ks");

function config(limit: number, stop: number) {
  return [
    { map: "loop_config", key: uintBytes(0, 4), value: uintBytes(limit, 4) },
    { map: "loop_config", key: uintBytes(1, 4), value: uintBytes(stop, 4) },
  ];
}

kernelTest("fixed bounds: 1,000-iteration sum, loops nested three deep, break/continue, a proven while", () => {
  const build = compileAndBuild(example);
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "loop_fixed" }]);
    assert.ok(result.programs.every((p) => p.loaded));
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const r = integerEntries(findMap(result, "loop_results"));
    assert.equal(r.get(0n), 499500n); // 0 + 1 + … + 999
    assert.equal(r.get(1n), 1000n); // 10 × 10 × 10
    assert.equal(r.get(2n), 25n); // odd numbers 1..49: continue on evens, break above 50
    assert.equal(r.get(3n), 34n); // k = 0, 3, …, 99
  } finally {
    build.cleanup();
  }
});

kernelTest("runtime bound from the packet length: nested bpf_loop callbacks update an outer counter", () => {
  const build = compileAndBuild(example);
  try {
    const sizes = [60, 160, 700, 1500];
    const result = runPrograms(build.bpfObject, sizes.map((size) => ({ prog: "loop_packet", size })));
    const triangle = (size: number): number => { const rows = Math.floor(size / 16); return (rows * (rows - 1)) / 2; };
    // The last run's count stays in the map; each run's verdict follows its count.
    assert.deepEqual(result.runs.map((r) => r.retval), sizes.map((s) => (triangle(s) > 1000 ? XDP_DROP : XDP_PASS)));
    assert.equal(integerEntries(findMap(result, "loop_results")).get(4n), BigInt(triangle(1500)));
  } finally {
    build.cleanup();
  }
});

kernelTest("runtime bound from a map: the bpf_loop body writes outer variables and maps, and returns early", () => {
  const build = compileAndBuild(example);
  try {
    // Stop value 60 inside the range: the body returns XDP_DROP after 60 iterations.
    const early = runPrograms(build.bpfObject, [{ prog: "loop_budget" }], { presets: config(100, 60) });
    assert.equal(early.runs[0]!.retval, XDP_DROP);
    const r1 = integerEntries(findMap(early, "loop_results"));
    assert.equal(r1.get(5n), 1770n); // 0 + … + 59, written from inside the callback
    assert.equal(r1.get(6n), 0n); // the code after the loop never ran
    assert.deepEqual([...integerEntries(findMap(early, "loop_flows"))].sort((a, b) => Number(a[0] - b[0])),
      [[0n, 15n], [1n, 15n], [2n, 15n], [3n, 15n]]);

    // Stop value outside the range: the loop runs to the end and the outer variables
    // hold the last values the body gave them.
    const full = runPrograms(build.bpfObject, [{ prog: "loop_budget" }], { presets: config(25, 1000) });
    assert.equal(full.runs[0]!.retval, XDP_PASS);
    const r2 = integerEntries(findMap(full, "loop_results"));
    assert.equal(r2.get(5n), 300n); // 0 + … + 24
    assert.equal(r2.get(6n), 24n);

    // An empty range (limit 0) runs zero times.
    const none = runPrograms(build.bpfObject, [{ prog: "loop_budget" }], { presets: config(0, 0) });
    assert.equal(none.runs[0]!.retval, XDP_PASS);
    assert.equal(integerEntries(findMap(none, "loop_results")).get(5n), 0n);
  } finally {
    build.cleanup();
  }
});

kernelTest("for (k, v) in map in eBPF: bpf_for_each_map_elem sums every entry", () => {
  const build = compileAndBuild(example);
  try {
    const presets = [3, 5, 7].map((v, i) => ({ map: "loop_flows", key: uintBytes(i + 10, 4), value: uintBytes(v, 8) }));
    const result = runPrograms(build.bpfObject, [{ prog: "loop_walk" }], { presets });
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    assert.equal(integerEntries(findMap(result, "loop_results")).get(7n), 3n * 1000000n + 15n);
  } finally {
    build.cleanup();
  }
});

kernelTest("break_continue_unbound equivalent: runtime-bounded loop with break and continue counts odd numbers to 51", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "break_continue_unbound.ks"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "packet_filter" }, { prog: "packet_filter", repeat: 3 }]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS]);
    // Odd i from 1 to 49 (25 of them) per run; i = 51 breaks; four runs in all.
    assert.deepEqual([...integerEntries(findMap(result, "counter_map"))], [[0n, 100n]]);
  } finally {
    build.cleanup();
  }
});

kernelTest("while loops the checker proves beyond `i < N`: counting down, `!=`, a bare counter, bodies that always leave", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "loops-while-termination.ks"));
  try {
    const run = (inputs: [number, number, number]) => runPrograms(
      build.bpfObject,
      [{ prog: "wt_down" }, { prog: "wt_unknown_start" }, { prog: "wt_leaves" }],
      { presets: inputs.map((v, k) => ({ map: "wt_in", key: uintBytes(k, 4), value: uintBytes(v, 4) })) },
    );
    const first = run([200, 1234, 5]);
    assert.ok(first.programs.every((p) => p.loaded));
    assert.deepEqual(first.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS]);
    const out = integerEntries(findMap(first, "wt_out"));
    assert.equal(out.get(0n), 55n); // 10 + 9 + … + 1
    assert.equal(out.get(1n), 9n); // 20 → 2 by twos
    assert.equal(out.get(2n), 5n); // 3 → 8 by ones
    assert.equal(out.get(3n), 200n); // counted down from the map's 200
    assert.equal(out.get(4n), 2468n); // 1,234 rounds of the bpf_loop() callback
    assert.equal(out.get(5n), 1n); // `while (true) { …; break }` runs once
    assert.equal(out.get(6n), 1n); // flag 5: the else branch breaks
    // The other exits: the u8 start wraps 300 to 44, the count is capped at 100,000,
    // flag 7 skips the loop, flag 200 returns XDP_DROP from inside it.
    const capped = run([300, 5_000_000, 7]);
    assert.deepEqual(capped.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS]);
    const out2 = integerEntries(findMap(capped, "wt_out"));
    assert.equal(out2.get(3n), 44n);
    assert.equal(out2.get(4n), 200000n);
    assert.equal(out2.get(6n), 0n);
    const dropped = run([0, 0, 200]);
    assert.deepEqual(dropped.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_DROP]);
    assert.equal(integerEntries(findMap(dropped, "wt_out")).get(3n), 0n);
  } finally {
    build.cleanup();
  }
});
