// What private IR walkers got wrong, in the kernel (issue 11, "Found" item 1): the emit
// cases tests/cases/emit/nested-walkers-*.ks and match-arm-effects.ks, built with
// -Werror, loaded and run. Before one traversal served every pass, the loops in
// nested-walkers-loops.ks were plain C loops the verifier rejected, the objects case did
// not compile, and the match arms' queue pushes were dropped.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("walker-regressions.test", kernelSkipReason());
const emitCase = (name: string): string => join(repoRoot, "tests", "cases", "emit", `${name}.ks`);

kernelTest("runtime-bounded loops in header bindings, pointer bindings, try and plain blocks are bpf_loop() callbacks that run", () => {
  const build = compileAndBuild(emitCase("nested-walkers-loops"));
  try {
    const limit = 100;
    const result = runPrograms(build.bpfObject, [{ prog: "nw_loop_in_header" }, { prog: "nw_loop_in_blocks" }], {
      presets: [{ map: "nw_limits", key: uintBytes(0, 4), value: uintBytes(limit, 4) }],
    });
    assert.ok(result.programs.every((p) => p.loaded));
    const out = integerEntries(findMap(result, "nw_out"));
    assert.equal(out.get(0n), BigInt(limit)); // 1 per iteration inside the header binding
    assert.equal(out.get(1n), BigInt(limit * (1 + 2 + 4))); // pointer binding, try, plain block
  } finally {
    build.cleanup();
  }
});

kernelTest("`new` only inside a header binding builds, loads and runs", () => {
  const build = compileAndBuild(emitCase("nested-walkers-objects"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "nw_new_in_header" }]);
    assert.equal(integerEntries(findMap(result, "nw_out")).get(2n), 7n);
  } finally {
    build.cleanup();
  }
});

kernelTest("a match statement's arm pushing to a queue pushes", () => {
  const build = compileAndBuild(emitCase("match-arm-effects"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "mae_push" }]);
    const queue = findMap(result, "mae_queue");
    assert.deepEqual(queue.entries.map((e) => readUint(e.value)), [5n]);
  } finally {
    build.cleanup();
  }
});
