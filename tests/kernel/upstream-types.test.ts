// KernelScript 0.1.1's type rules in the kernel. Implicit narrowing (W0260) and
// truncated literals (W0261) compile with -Wall -Werror and store exactly the value each
// warning names: the low bits. Array maps indexed by an enum use the enum's value.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_PASS = 2;
const kernelTest = kernelTests("upstream-types.test", kernelSkipReason());

kernelTest("narrowed values and truncated literals keep their low bits", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "implicit_narrowing.ks"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "narrowing", size: 64 }]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS]);
    assert.deepEqual(integerEntries(findMap(result, "narrowed")), new Map([
      [1n, 64n], // (64 + 2^32) as u32
      [2n, 2n ** 32n - 64n], // -64 as u32
      [3n, 64n], // (64 + 2^32 + 2^16) as u16
      [4n, 3189439977n], // 192168001001 mod 2^32, the value W0261 shows
    ]));
    const signed = new Map([...integerEntries(findMap(result, "signed_results"))].map(([k, v]) => [k, BigInt.asIntN(64, v)]));
    assert.deepEqual(signed, new Map([
      [5n, -56n], // 200 as i8
      [6n, -1n], // 0x1FFFFFFFF as i32
    ]));
  } finally {
    build.cleanup();
  }
});

kernelTest("array maps indexed by an enum: the key is the enum's value", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "enum_array_keys.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "count_protocols", size: 64 },
      { prog: "count_protocols", size: 200 },
      { prog: "count_protocols", size: 64 },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS]);
    // Per-CPU counters summed over the CPUs: UDP (17) twice, TCP (6) once.
    const perCpu = new Map(findMap(result, "per_protocol").entries
      .map((e) => [readUint(e.key), e.values!.reduce((sum, v) => sum + readUint(v), 0n)] as const)
      .filter(([, total]) => total !== 0n));
    assert.deepEqual(perCpu, new Map([[6n, 1n], [17n, 2n]]));
    const last = new Map([...integerEntries(findMap(result, "last_seen"))].filter(([, v]) => v !== 0n));
    assert.deepEqual(last, new Map([[1n, 7n], [6n, 200n], [17n, 64n]]));
  } finally {
    build.cleanup();
  }
});
