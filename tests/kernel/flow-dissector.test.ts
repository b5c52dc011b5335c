// `@flow_dissector` attached for real (issue 16): the default loader of
// examples/flow_dissector.ks, run in the loader namespace of a veth pair, attaches the
// program to that namespace through a link; with receive packet steering on the
// interface (which hashes every received frame, so the kernel dissects it), the IPv4
// frames sent from the peer are dissected by the program, whose per-EtherType counts are
// checked; the link is gone after SIGINT. Its results on built packets are checked by the
// example's own `@test`s (tests/kernel/testing.test.ts).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair } from "../../src/runner/netns.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("flow-dissector.test", networkSkipReason());
const example = join(repoRoot, "examples", "flow_dissector.ks");

/** Flow dissector links (`bpftool link` lists every namespace's as `netns` links). */
function netnsLinks(): number {
  const show = spawnSync("bpftool", ["link", "show"], { encoding: "utf8" });
  return show.stdout.split("\n").filter((line) => /^\d+: netns /.test(line)).length;
}

kernelTest("flow dissector on a namespace: the frames it receives are dissected by the program; SIGINT removes the link", async () => {
  const build = compileAndBuild(example);
  try {
    await withVethPair(async (pair) => {
      // RPS on the loader end: every received frame gets a flow hash (`ip netns exec`
      // mounts the namespace's own /sys).
      const rps = spawnSync("ip", ["netns", "exec", pair.loaderNamespace, "sh", "-c", `echo 1 > /sys/class/net/${pair.loaderInterface}/queues/rx-0/rps_cpus`], { encoding: "utf8" });
      assert.equal(rps.status, 0, rps.stderr);
      const before = netnsLinks();
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "--interval", "0.2"]));
      try {
        await loader.waitFor("printing maps");
        assert.equal(netnsLinks(), before + 1, "one flow dissector link while the loader runs");
        sendFrames(pair, 100, 5);
        // ETH_P_IP (0x0800) = 2048: each IPv4/UDP frame is dissected once.
        await loader.waitFor(/^packets_by_ethertype\[2048\] = 5$/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const final = parseSnapshots(loader.stdout()).at(-1)!;
        assert.equal(new Map(final.maps.get("packets_by_ethertype")!.entries).get("2048"), "5");
        assert.equal(netnsLinks(), before, "the link is gone after SIGINT");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});
