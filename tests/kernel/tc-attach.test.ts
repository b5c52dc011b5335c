// TC attach through the default loader on a veth pair inside a test namespace: the
// ingress program sees the frames the peer sends (counted by size), the egress program
// runs too, and SIGINT or SIGTERM removes what the loader added. With libbpf 1.1 that is a clsact
// qdisc and filters (not links), so the test also checks that none is left behind.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("tc-attach.test", networkSkipReason());

function tcState(pair: VethPair): string {
  const argv = inNamespace(pair.loaderNamespace, ["tc", "qdisc", "show", "dev", pair.loaderInterface]);
  const qdisc = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  const filterArgv = inNamespace(pair.loaderNamespace, ["tc", "filter", "show", "dev", pair.loaderInterface, "ingress"]);
  const filters = spawnSync(filterArgv[0]!, filterArgv.slice(1), { encoding: "utf8" });
  return `${qdisc.stdout}${filters.stdout}`;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  kernelTest(`TC ingress/egress programs count real frames; ${signal} removes the clsact filters`, async () => {
    const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "tc_sizes.ks"));
    try {
      await withVethPair(async (pair) => {
        const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.2"]));
        try {
          await loader.waitFor("printing maps");
          assert.match(loader.stderr(), /attached tc_ingress_sizes \(tc\)/);
          assert.match(tcState(pair), /clsact[\s\S]*tc_ingress_size/, "our filter is on the interface while the loader runs");
          sendFrames(pair, 1500, 3);
          sendFrames(pair, 100, 4);
          await loader.waitFor(/^tc_seen\[1\] = 3$/m);
          await loader.waitFor(/^tc_seen\[0\] = 4$/m);
          const exit = await loader.stop(signal);
          assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
          const final = parseSnapshots(loader.stdout()).at(-1)!.maps.get("tc_seen")!;
          assert.equal(final.entries.get("0"), "4");
          assert.equal(final.entries.get("1"), "3");
          const left = tcState(pair);
          assert.doesNotMatch(left, /clsact|tc_ingress_size|tc_egress_count/, `nothing left behind:\n${left}`);
        } finally {
          await loader.stop("SIGKILL");
        }
      });
    } finally {
      build.cleanup();
    }
  });
}
