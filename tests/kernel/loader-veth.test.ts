// End to end: the generated default loader (`NAME -i veth0`) attached to one end of a
// veth pair in a namespace this test creates; real frames sent from the other end; the
// printed counts checked; then SIGINT / SIGTERM: exit 0 and no XDP program left on the
// interface. Also: SIGKILL leaves nothing attached (link-based attach), and bad
// interfaces / missing -i give one-line errors and non-zero exits.

import assert from "node:assert/strict";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, xdpAttached } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("loader-veth.test", networkSkipReason());
const seed = join(repoRoot, "examples", "seed_packet_filter.ks");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  kernelTest(`default loader on a veth pair counts large frames; ${signal} detaches and exits 0`, async () => {
    const build = compileAndBuild(seed);
    try {
      await withVethPair(async (pair) => {
        const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.2"]));
        try {
          await loader.waitFor("printing maps");
          assert.ok(xdpAttached(pair), "an XDP program is attached while the loader runs");
          const ifindex = String(loaderIfindex(pair));
          sendFrames(pair, 100, 6);
          sendFrames(pair, 1500, 4);
          sendFrames(pair, 1401, 1);
          sendFrames(pair, 1400, 2);
          await loader.waitFor(new RegExp(`^packet_counts\\[${ifindex}\\] = 5$`, "m"));
          const exit = await loader.stop(signal);
          assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
          const snapshots = parseSnapshots(loader.stdout());
          const final = snapshots.at(-1)!;
          assert.equal(final.label, "final");
          const counts = final.maps.get("packet_counts");
          assert.equal(counts?.type, "hash<u32, u64>");
          assert.equal(counts?.count, 1);
          assert.deepEqual([...counts!.entries], [[ifindex, "5"]]);
          assert.match(loader.stderr(), /detached everything/);
          assert.ok(!xdpAttached(pair), "no XDP program is left on the interface");
        } finally {
          await loader.stop("SIGKILL");
        }
      });
    } finally {
      build.cleanup();
    }
  });
}

kernelTest("SIGKILL: the kernel releases the XDP link, nothing stays attached", async () => {
  const build = compileAndBuild(seed);
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface]));
      await loader.waitFor("printing maps");
      assert.ok(xdpAttached(pair));
      const exit = await loader.stop("SIGKILL");
      assert.equal(exit.signal, "SIGKILL");
      assert.ok(await eventually(() => !xdpAttached(pair)), "the link died with the process");
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("--count stops by itself; bad interface and missing -i fail with one line", async () => {
  const build = compileAndBuild(seed);
  try {
    await withVethPair(async (pair) => {
      const counted = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.05", "--count", "2"]));
      assert.deepEqual(await counted.exited, { code: 0, signal: null }, counted.stderr());
      assert.deepEqual(parseSnapshots(counted.stdout()).map((s) => s.label), ["snapshot 1", "snapshot 2"]);
      assert.equal(parseSnapshots(counted.stdout())[0]!.maps.get("packet_counts")?.count, 0);
      assert.ok(!xdpAttached(pair));

      const missing = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", "nosuch0"]));
      const missingExit = await missing.exited;
      assert.equal(missingExit.code, 1);
      assert.match(missing.stderr(), /^error: no network interface named 'nosuch0'/m);

      const noInterface = startLoader(inNamespace(pair.loaderNamespace, [build.binary]));
      assert.equal((await noInterface.exited).code, 2);
      assert.match(noInterface.stderr(), /^error: no interface given: packet_filter must be attached to a network interface\nusage: /m);

      const help = startLoader([build.binary, "--help"]);
      assert.equal((await help.exited).code, 0);
      assert.match(help.stdout(), /packet_filter \(xdp\) to every interface given with -i/);
      assert.match(help.stdout(), /packet_counts: hash<u32, u64>/);
    });
  } finally {
    build.cleanup();
  }
});
