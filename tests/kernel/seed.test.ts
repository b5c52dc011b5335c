// The seed sketch (DESIGN.md section 1) and its upstream-syntax equivalent, compiled
// through the compiler API, built with -Werror, loaded into the kernel (so the verifier
// accepted them) and run with BPF_PROG_TEST_RUN: frames over 1400 bytes are dropped and
// counted per ingress ifindex, others pass uncounted.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { inNamespace, loaderIfindex, withVethPair } from "../../src/runner/netns.js";
import { findMap, integerEntries, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_DROP = 1;
const XDP_PASS = 2;

const kernelTest = kernelTests("seed.test", kernelSkipReason());

const sources: readonly [string, string][] = [
  ["seed sketch (examples/seed_packet_filter.ks)", join(repoRoot, "examples", "seed_packet_filter.ks")],
  ["upstream-syntax equivalent (include \"xdp.kh\")", join(repoRoot, "tests", "kernel", "fixtures", "seed_upstream.ks")],
];

for (const [label, ksPath] of sources) {
  kernelTest(`${label}: large frames dropped and counted, small ones passed`, () => {
    const build = compileAndBuild(ksPath);
    try {
      const result = runPrograms(build.bpfObject, [
        { prog: "packet_filter", size: 1500, ifindex: 1 },
        { prog: "packet_filter", size: 100, ifindex: 1 },
        { prog: "packet_filter", size: 1500, ifindex: 1, repeat: 4 },
        // The boundary: `size > 1400` drops 1401 and passes 1400.
        { prog: "packet_filter", size: 1401, ifindex: 1 },
        { prog: "packet_filter", size: 1400, ifindex: 1 },
        { prog: "packet_filter", size: 60, zero: true, ifindex: 1, repeat: 3 },
      ]);
      assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_PASS, XDP_DROP, XDP_DROP, XDP_PASS, XDP_PASS]);
      const counts = integerEntries(findMap(result, "packet_counts"));
      // 1 + 4 + 1 large frames, all on ifindex 1; passed frames create no entry.
      assert.deepEqual([...counts], [[1n, 6n]]);
    } finally {
      build.cleanup();
    }
  });
}

kernelTest("seed sketch: counts are kept per ingress ifindex", async () => {
  const build = compileAndBuild(sources[0]![1]);
  try {
    await withVethPair((pair) => {
      // Inside the namespace, ifindex 1 is its lo and the veth end has its own index.
      const veth = loaderIfindex(pair);
      assert.notEqual(veth, 1);
      const result = runPrograms(build.bpfObject, [
        { prog: "packet_filter", size: 1500, ifindex: 1, repeat: 3 },
        { prog: "packet_filter", size: 1500, ifindex: veth, repeat: 2 },
        { prog: "packet_filter", size: 64, ifindex: veth, repeat: 7 },
      ], { argvPrefix: inNamespace(pair.loaderNamespace, []) });
      assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_DROP, XDP_PASS]);
      const counts = integerEntries(findMap(result, "packet_counts"));
      assert.deepEqual([...counts].sort((a, b) => Number(a[0] - b[0])), [[1n, 3n], [BigInt(veth), 2n]]);
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("prog-run: preset map entries, explicit input bytes and the packet out", () => {
  const build = compileAndBuild(sources[0]![1]);
  try {
    const frame = new Uint8Array(1450).map((_, i) => i & 0xff);
    const result = runPrograms(build.bpfObject, [
      { prog: "packet_filter", data: frame, ifindex: 1 },
      { prog: "packet_filter", data: frame.subarray(0, 90), ifindex: 1 },
    ], { presets: [{ map: "packet_counts", key: uintBytes(1, 4), value: uintBytes(100, 8) }] });
    assert.deepEqual(result.runs.map((r) => [r.size, r.retval]), [[1450, XDP_DROP], [90, XDP_PASS]]);
    // The preset entry was counted on, not replaced.
    assert.deepEqual([...integerEntries(findMap(result, "packet_counts"))], [[1n, 101n]]);
    // XDP leaves the passed frame as it was.
    assert.deepEqual(result.runs[1]!.dataOut, frame.subarray(0, 90));
  } finally {
    build.cleanup();
  }
});
