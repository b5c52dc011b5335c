// The generated loader's map printing and pinning, against the kernel: per-CPU struct
// values are summed over CPUs and printed field by field; a `pin var` map is pinned
// under /sys/fs/bpf/NAME/ and its contents survive a restart of the loader, while an
// unpinned map starts empty again.

import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapPinPath, pinDirectory } from "../../src/compiler/names.js";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("loader-maps.test", networkSkipReason());

/** Runs the loader, sends frames, waits until `until` is printed, stops it with SIGINT. */
async function session(binary: string, pair: VethPair, frames: readonly [number, number][], until: RegExp) {
  const loader = startLoader(inNamespace(pair.loaderNamespace, [binary, "-i", pair.loaderInterface, "--interval", "0.1"]));
  try {
    await loader.waitFor("printing maps");
    for (const [size, count] of frames) sendFrames(pair, size, count);
    await loader.waitFor(until);
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    return parseSnapshots(loader.stdout()).at(-1)!;
  } finally {
    await loader.stop("SIGKILL");
  }
}

kernelTest("per-CPU struct values are summed; a pinned map keeps its contents across restarts", async () => {
  // A project name unique to this process: the pin directory is /sys/fs/bpf/NAME.
  const name = `pinned_stats_${process.pid}`;
  const sourceDir = mkdtempSync(join(tmpdir(), "ks-pin-src-"));
  const ksPath = join(sourceDir, `${name}.ks`);
  copyFileSync(join(repoRoot, "tests", "kernel", "fixtures", "pinned_stats.ks"), ksPath);
  const build = compileAndBuild(ksPath);
  try {
    await withVethPair(async (pair) => {
      const ifindex = loaderIfindex(pair);
      const first = await session(build.binary, pair, [[1500, 3], [100, 2]], new RegExp(`^large_frames\\[${ifindex}\\] = 3$`, "m"));
      assert.equal(first.label, "final");
      assert.deepEqual([...first.maps.get("large_frames")!.entries], [[String(ifindex), "3"]]);
      const stats = first.maps.get("stats")!;
      assert.equal(stats.type, "percpu_array<u32, Stats>");
      assert.equal(stats.count, 1, "only index 0 is non-zero");
      assert.equal(stats.entries.get("0"), `{packets: 5, bytes: ${3 * 1500 + 2 * 100}}`);
      assert.ok(existsSync(mapPinPath(name, "large_frames")), "large_frames is pinned");

      const second = await session(build.binary, pair, [[1500, 2]], new RegExp(`^large_frames\\[${ifindex}\\] = 5$`, "m"));
      assert.deepEqual([...second.maps.get("large_frames")!.entries], [[String(ifindex), "5"]], "3 from the first run + 2");
      assert.equal(second.maps.get("stats")!.entries.get("0"), "{packets: 2, bytes: 3000}", "unpinned map starts afresh");
    });
  } finally {
    rmSync(pinDirectory(name), { recursive: true, force: true });
    rmSync(sourceDir, { recursive: true, force: true });
    build.cleanup();
  }
});
