// Implicit narrowing (W0260) and truncated literals (W0261) compile with -Wall -Werror
// and store, in the kernel, exactly the value each warning names: the low bits.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_PASS = 2;
const kernelTest = kernelTests("implicit-narrowing.test", kernelSkipReason());

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
