// throw/try/catch/defer and named results, in the kernel (BPF_PROG_TEST_RUN on
// tests/kernel/fixtures/errors_returns.ks) and in user space (the generated binary of
// tests/kernel/fixtures/errors_user.ks, run as a process). Return codes and map
// contents prove which catch clause ran and in which order deferred calls ran.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms, type ProgRun } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;

const kernelTest = kernelTests("errors-returns.test", kernelSkipReason());
const fixture = join(repoRoot, "tests", "kernel", "fixtures", "errors_returns.ks");

/** Each scenario in a fresh load, so map contents belong to that scenario alone. */
function run(obj: string, runs: readonly ProgRun[]) {
  const result = runPrograms(obj, runs);
  const entries = (map: string): [bigint, bigint][] => [...integerEntries(findMap(result, map))].sort((a, b) => Number(a[0] - b[0]));
  const trail = entries("er_trail").map(([, tag]) => tag);
  return { retvals: result.runs.map((r) => r.retval), caught: entries("er_caught"), trail, calls: entries("er_calls") };
}

kernelTest("a throw in a helper reaches the program's try through a helper that does not catch", () => {
  const build = compileAndBuild(fixture);
  try {
    const runt = run(build.bpfObject, [{ prog: "er_propagate", size: 60 }]);
    assert.deepEqual(runt.retvals, [XDP_DROP], "catch 1 ran");
    assert.deepEqual(runt.caught, [[1n, 1n]]);
    const long = run(build.bpfObject, [{ prog: "er_propagate", size: 1200 }]);
    assert.deepEqual(long.retvals, [XDP_ABORTED], "catch _ ran for error 2");
    assert.deepEqual(long.caught, [[9n, 1n]]);
    const fine = run(build.bpfObject, [{ prog: "er_propagate", size: 100 }]);
    assert.deepEqual(fine.retvals, [XDP_PASS]);
    assert.deepEqual(fine.caught, [[100n, 200n]], "no catch ran; the try body stored 2 * 100");
  } finally {
    build.cleanup();
  }
});

kernelTest("nested try: unmatched errors go outward, a throw in a catch body too", () => {
  const build = compileAndBuild(fixture);
  try {
    const cases: [number, number, [bigint, bigint][]][] = [
      [69, XDP_PASS, [[10n, 1n]]], // nothing thrown
      [70, XDP_PASS, [[10n, 1n], [11n, 1n]]], // inner catch 1, then on after the inner try
      [71, XDP_DROP, [[20n, 1n]]], // 2: not caught inside, outer catch 2
      [72, XDP_TX, [[30n, 1n]]], // a computed code (73): only catch _ takes it
      [73, XDP_TX, [[11n, 1n], [30n, 1n]]], // inner catch 1 throws 3: outer catch _
    ];
    for (const [size, retval, caught] of cases) {
      const r = run(build.bpfObject, [{ prog: "er_nested", size }]);
      assert.deepEqual([r.retvals, r.caught], [[retval], caught], `frame of ${size} bytes`);
    }
  } finally {
    build.cleanup();
  }
});

kernelTest("deferred calls run in LIFO order on early return, on throw and at the end", () => {
  const build = compileAndBuild(fixture);
  try {
    // mode = size - 80. 1: early return; 2: throw 5, caught by the program; 0: all three.
    const early = run(build.bpfObject, [{ prog: "er_defer", size: 81 }]);
    assert.deepEqual([early.retvals, early.trail], [[XDP_DROP], [2n, 1n, 100n]]);
    const thrown = run(build.bpfObject, [{ prog: "er_defer", size: 82 }]);
    assert.deepEqual([thrown.retvals, thrown.trail, thrown.caught], [[XDP_ABORTED], [2n, 1n, 100n], [[5n, 1n]]],
      "the helper's defers ran before the program's catch; the program's own at its return");
    const normal = run(build.bpfObject, [{ prog: "er_defer", size: 80 }]);
    assert.deepEqual([normal.retvals, normal.trail], [[XDP_PASS], [3n, 2n, 1n, 100n]]);
    const args = run(build.bpfObject, [{ prog: "er_defer_args", size: 64 }]);
    assert.deepEqual(args.trail, [8n, 7n], "arguments are evaluated at the defer statement");
  } finally {
    build.cleanup();
  }
});

kernelTest("a throwing call on the right of && runs only when the left side holds", () => {
  const build = compileAndBuild(fixture);
  try {
    const short = run(build.bpfObject, [{ prog: "er_short_circuit", size: 80, repeat: 3 }]);
    assert.deepEqual([short.retvals, short.calls], [[XDP_PASS], []], "never called for 80-byte frames");
    const called = run(build.bpfObject, [{ prog: "er_short_circuit", size: 200 }, { prog: "er_short_circuit", size: 95 }]);
    assert.deepEqual([called.retvals, called.calls], [[XDP_DROP, XDP_PASS], [[0n, 2n]]]);
    const thrown = run(build.bpfObject, [{ prog: "er_short_circuit", size: 1100 }]);
    assert.deepEqual(thrown.retvals, [XDP_ABORTED]);
  } finally {
    build.cleanup();
  }
});

kernelTest("named results: naked return, explicit return, and the end of the body", () => {
  const build = compileAndBuild(fixture);
  try {
    const cases: [number, number, bigint][] = [[64, XDP_PASS, 65n], [400, XDP_TX, 100n], [600, XDP_DROP, 100n]];
    for (const [size, retval, clamped] of cases) {
      const r = run(build.bpfObject, [{ prog: "er_named", size }]);
      assert.deepEqual([r.retvals, r.caught], [[retval], [[200n, clamped]]], `frame of ${size} bytes`);
    }
  } finally {
    build.cleanup();
  }
});

kernelTest("user space: an uncaught error prints its code and origin and exits 1, after the defers ran", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "errors_user.ks"));
  try {
    const result = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(result.status, 1, result.stderr);
    const parseDefers = ["parse: deferred 2", "parse: deferred 1"];
    assert.equal(result.stdout, [
      "fib(20) = 6765",
      ...parseDefers, "nested: deferred", "named: 42",
      ...parseDefers, "caught 7 from parse(0)",
      ...parseDefers, "nested: deferred", "caught 9 via catch _",
      // nested(500): parse throws 9, nobody catches it; every defer on the way still runs.
      ...parseDefers, "nested: deferred", "main: deferred", "",
    ].join("\n"));
    assert.match(result.stderr, /^unhandled error 9 \(thrown in parse at errors_user\.ks:\d+\)$/m);
  } finally {
    build.cleanup();
  }
});

kernelTest("examples/error_handling.ks: errors from helpers pick the drop reason; the deferred count runs on every path", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "error_handling.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "filter_errors", size: 50 }, // runt: error 1
      { prog: "filter_errors", size: 1450 }, // payload 1436 > 1400: error 3
      { prog: "filter_errors", size: 3000 }, // jumbo: error 2, caught by catch _
      { prog: "filter_errors", size: 500, repeat: 2 },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_DROP, XDP_ABORTED, XDP_PASS]);
    assert.deepEqual([...integerEntries(findMap(result, "drops"))].sort((a, b) => Number(a[0] - b[0])), [[0n, 1n], [1n, 1n], [3n, 1n]]);
    assert.deepEqual([...integerEntries(findMap(result, "inspected"))], [[0n, 5n]]);
    const user = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(user.status, 0, user.stderr);
    assert.equal(user.stdout, "limit 100 accepted\na limit of 0 is refused\nchecked the limits\n");
  } finally {
    build.cleanup();
  }
});

kernelTest("examples/named_returns.ks: named results in a helper and a program", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "named_returns.ks"));
  try {
    const sizes = [50, 800, 3000];
    const result = runPrograms(build.bpfObject, sizes.map((size) => ({ prog: "classify_size", size })));
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_PASS, XDP_ABORTED]);
    assert.deepEqual([...integerEntries(findMap(result, "sizes"))], [[0n, 1500n]], "the last frame, clamped");
    const user = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.deepEqual([user.status, user.stdout], [0, "gcd(1071, 462) = 21\n"]);
  } finally {
    build.cleanup();
  }
});
