// Tail calls, pointers, map-entry places and function values, run in the kernel with
// BPF_PROG_TEST_RUN: each test asserts return codes and map contents.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;

const kernelTest = kernelTests("functions-pointers.test", kernelSkipReason());
const example = (name: string): string => join(repoRoot, "examples", `${name}.ks`);

kernelTest("tail calls reach their target through the program array", () => {
  const build = compileAndBuild(example("tail_calls"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "tc_dispatch", size: 64 },
      { prog: "tc_dispatch", size: 1200, repeat: 2 },
      { prog: "tc_dispatch", size: 500 },
    ], {
      progArrays: [
        { map: "ks_tail_calls", index: 0, prog: "tc_drop_small" },
        { map: "ks_tail_calls", index: 1, prog: "tc_count_large" },
      ],
    });
    // small → tc_drop_small (XDP_DROP), large → tc_count_large (XDP_TX), medium passes.
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_TX, XDP_PASS]);
    const hits = integerEntries(findMap(result, "tc_hits"));
    assert.equal(hits.get(0n), 4n, "the dispatcher ran for every frame");
    assert.equal(hits.get(1n), 1n, "the small frame reached tc_drop_small");
    assert.equal(hits.get(2n), 2n, "both large frames reached tc_count_large");
  } finally {
    build.cleanup();
  }
});

kernelTest("a tail call into an empty slot falls back to XDP_PASS", () => {
  const build = compileAndBuild(example("tail_calls"));
  try {
    // Only slot 1 is filled: the small frame's tail call fails and falls through.
    const result = runPrograms(build.bpfObject, [
      { prog: "tc_dispatch", size: 64 },
      { prog: "tc_dispatch", size: 1200 },
    ], { progArrays: [{ map: "ks_tail_calls", index: 1, prog: "tc_count_large" }] });
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_TX]);
    const hits = integerEntries(findMap(result, "tc_hits"));
    assert.equal(hits.get(1n), undefined, "tc_drop_small never ran");
    assert.equal(hits.get(2n), 1n);
  } finally {
    build.cleanup();
  }
});

kernelTest("tail calls from match arms: an expression arm, a block arm's return, an if/else arm value", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "tail-call-match-arms.ks"));
  try {
    // Slots as the emit golden numbers them (tests/cases/emit/tail-call-match-arms.out.txt).
    const progArrays = [
      { map: "ks_tail_calls", index: 0, prog: "to_aborted" },
      { map: "ks_tail_calls", index: 1, prog: "to_tx" },
      { map: "ks_tail_calls", index: 2, prog: "to_drop" },
    ];
    const result = runPrograms(build.bpfObject, [
      { prog: "by_size", size: 64 },
      { prog: "by_size", size: 300 },
      { prog: "by_size", size: 1200 },
      { prog: "by_size", size: 700 },
    ], { progArrays });
    const XDP_ABORTED = 0;
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_TX, XDP_ABORTED, XDP_PASS]);
    const hits = integerEntries(findMap(result, "arm_hits"));
    assert.deepEqual([0n, 1n, 2n, 3n, 4n].map((k) => hits.get(k)), [4n, 1n, 1n, 1n, 1n], "each target ran once, the block arm's statement before its tail call");
  } finally {
    build.cleanup();
  }
});

kernelTest("load(p) == null is false for a program that loaded (the user main runs to its end)", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "program-handle-null.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.equal(run.stdout.trim(), "pass_all loaded");
  } finally {
    build.cleanup();
  }
});

kernelTest("pointers: writes through helper parameters, &m[k], m[k].f and the lookup alias", () => {
  const build = compileAndBuild(example("pointers"));
  try {
    const flow = (packets: number, bytes: number, lastLen: number): Uint8Array => {
      const v = new Uint8Array(24);
      v.set(uintBytes(packets, 8), 0);
      v.set(uintBytes(bytes, 8), 8);
      v.set(uintBytes(lastLen, 4), 16);
      return v;
    };
    const result = runPrograms(build.bpfObject, [{ prog: "ptr_demo", size: 100, repeat: 3 }], {
      presets: [
        { map: "ptr_flows", key: uintBytes(1, 4), value: flow(5, 50, 0) },
        { map: "ptr_flows", key: uintBytes(3, 4), value: flow(7, 0, 0) },
      ],
    });
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const results = integerEntries(findMap(result, "ptr_results"));
    assert.equal(results.get(0n), 110n, "two ptr_account calls on a stack struct: 100 + 10 bytes");
    assert.equal(results.get(1n), 21n, "swap through pointers (x=2, y=1), then *(&parts[2]) = 21");
    assert.equal(results.get(2n), 7n, "the alias read the present entry 3");
    const flows = new Map(findMap(result, "ptr_flows").entries.map((e) => [Number(readUint(e.key)), e.value]));
    const read = (key: number): [bigint, bigint, bigint] => {
      const v = flows.get(key)!;
      return [readUint(v, 0, 8), readUint(v, 8, 8), readUint(v, 16, 4)];
    };
    assert.deepEqual(read(1), [8n, 350n, 100n], "&ptr_flows[1] was updated in place three times");
    assert.deepEqual(read(2), [3n, 300n, 0n], "ptr_flows[2].f += … created the entry and added");
    assert.deepEqual(read(3), [7n, 0n, 100n], "seen.last_len = len wrote through the alias");
    assert.equal(flows.size, 3, "the alias of an absent entry creates nothing");
  } finally {
    build.cleanup();
  }
});

kernelTest("function values in eBPF are resolved at compile time", () => {
  const build = compileAndBuild(example("function_pointers"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "fnp_prog", size: 64, ifindex: 1 }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const results = integerEntries(findMap(result, "fnp_results"));
    assert.equal(results.get(0n), 6n, "fold3(add, 1, 2, 3)");
    assert.equal(results.get(1n), 42n, "fold3(max, 7, 42, 5)");
    assert.equal(results.get(2n), 100n, "pick = max: max(1, 100)");
  } finally {
    build.cleanup();
  }
});

kernelTest("array parameters are values: a callee writing into its parameter leaves the caller's array alone", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "functions-array-params.ks"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "fa_prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS); // `a` still [1, 2, 3, 4] after the call
    const out = integerEntries(findMap(result, "fa_out"));
    assert.equal(out.get(0n), 12n); // the copy: 0 + (2 + 10)
    assert.equal(out.get(1n), 10n); // a read-only parameter sees the caller's values
    assert.equal(out.get(2n), 7n); // through `*u8[4]` the caller's array is written
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`); // main: 1 when `v` changed
  } finally {
    build.cleanup();
  }
});
