// cgroup_array(N) for real (issue 16): the loader of fixtures/cgroup_array.ks stores the
// cgroup v2 directory this test makes at slot 0 (`cgroups.set(0, args.cgroup)`), and a
// getppid tracepoint counts the calls of tasks under it (`current_task_under(0)`). A
// process moved into the cgroup is counted call for call; one outside is not; the loader
// keeps no fd of the directory. A TC egress program on the loopback of a namespace the
// test makes counts the datagrams whose socket is under the cgroup (`skb_under(ctx, 0)`):
// those of a process in the cgroup, not those of one outside. A path
// that is no cgroup v2 directory is one line on stderr and exit status 1.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import type { LoaderProcess } from "../../src/runner/loader.js";
import { withCgroup } from "./cgroups.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("cgroup-array.test", kernelSkipReason());
const fixture = join(repoRoot, "tests", "kernel", "fixtures", "cgroup_array.ks");
const skbFixture = join(repoRoot, "tests", "kernel", "fixtures", "cgroup_array_skb.ks");

/** Python calling getppid() `calls` times, in the cgroup when one is given. */
function runPython(cgroup: string | undefined, calls: number): void {
  const join_ = cgroup === undefined ? "" : `echo $$ > ${cgroup}/cgroup.procs && `;
  const script = `import os\nfor i in range(${calls}): os.getppid()\n`;
  const run = spawnSync("sh", ["-c", `${join_}exec python3 -c "$0"`, script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, `child failed: ${run.stderr}`);
}

/**
 * The loader's `under N errors M` line printed after the call: the output that piled up
 * while spawnSync blocked the event loop is read first (a pause), then two more lines.
 */
async function counts(loader: LoaderProcess): Promise<{ under: number; errors: number }> {
  const lines = () => [...loader.stdout().matchAll(/^under (\d+) errors (\d+)$/gm)];
  await new Promise((r) => setTimeout(r, 300));
  const seen = lines().length;
  for (let waited = 0; lines().length < seen + 2 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  const last = lines().at(-1);
  assert.ok(last, loader.stdout());
  return { under: Number(last[1]), errors: Number(last[2]) };
}

kernelTest("cgroup_array: tasks under the stored cgroup are counted call for call, others not", async () => {
  const build = compileAndBuild(fixture);
  try {
    await withCgroup("cgarray", async (cgroup) => {
      const loader = startLoader([build.binary, "--cgroup", cgroup]);
      try {
        await loader.waitFor(`watching ${cgroup}`);
        // The kernel holds the cgroup; the loader closed the directory it opened.
        const fdDir = `/proc/${loader.child.pid}/fd`;
        const open = readdirSync(fdDir).map((fd) => { try { return readlinkSync(join(fdDir, fd)); } catch { return ""; } });
        assert.ok(!open.includes(cgroup), `the loader keeps no fd of ${cgroup}: ${open.join(", ")}`);
        assert.deepEqual(await counts(loader), { under: 0, errors: 0 }, "nothing is in the new cgroup yet");
        // Python's start-up calls getppid itself: a run with no calls of its own measures it.
        runPython(cgroup, 0);
        const startUp = (await counts(loader)).under;
        assert.ok(startUp >= 0);
        runPython(cgroup, 7);
        const inside = await counts(loader);
        assert.deepEqual(inside, { under: 2 * startUp + 7, errors: 0 }, "the 7 calls inside the cgroup (and two start-ups) are counted");
        runPython(undefined, 9);
        assert.deepEqual(await counts(loader), inside, "calls from outside the cgroup are not counted");
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("cgroup_array: a path that is no cgroup v2 directory, or none at all, is one line and exit status 1", () => {
  const build = compileAndBuild(fixture);
  try {
    const notCgroup = spawnSync(build.binary, ["--cgroup", "/tmp"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(notCgroup.status, 1);
    assert.equal(notCgroup.stderr, "cgroups.set(0): /tmp is not a cgroup v2 directory (mount -t cgroup2 none DIR)\n");
    const missing = spawnSync(build.binary, ["--cgroup", "/nonexistent-ks-cgroup"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, "cgroups.set(0): cannot open /nonexistent-ks-cgroup: No such file or directory\n");
  } finally {
    build.cleanup();
  }
});

/** Python sending `datagrams` UDP datagrams to 127.0.0.1 in network namespace `ns`, in the cgroup when one is given. */
function sendInNamespace(ns: string, cgroup: string | undefined, datagrams: number): void {
  const join_ = cgroup === undefined ? "" : `echo $$ > ${cgroup}/cgroup.procs && `;
  const script = `import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor i in range(${datagrams}): s.sendto(b"x", ("127.0.0.1", 40001))\n`;
  // nsenter, not `ip netns exec`: that one mounts a sysfs of its own over /sys, hiding the cgroup.
  const run = spawnSync("nsenter", [`--net=/run/netns/${ns}`, "sh", "-c", `${join_}exec python3 -c "$0"`, script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, `child failed: ${run.stderr}`);
}

kernelTest("cgroup_array: a TC program counts the packets of sockets under the stored cgroup, not the others", async () => {
  const build = compileAndBuild(skbFixture);
  const ns = `ks-cgarray-${process.pid}`;
  try {
    assert.equal(spawnSync("ip", ["netns", "add", ns]).status, 0, "ip netns add");
    assert.equal(spawnSync("ip", ["-n", ns, "link", "set", "lo", "up"]).status, 0, "lo up");
    await withCgroup("cgarray", async (cgroup) => {
      const loader = startLoader(["nsenter", `--net=/run/netns/${ns}`, build.binary, "--cgroup", cgroup, "--iface", "lo"]);
      try {
        await loader.waitFor(`watching ${cgroup} on lo`);
        sendInNamespace(ns, cgroup, 4);
        const inside = await counts(loader);
        assert.deepEqual(inside, { under: 4, errors: 0 }, "the 4 datagrams of the process in the cgroup");
        sendInNamespace(ns, undefined, 6);
        assert.deepEqual(await counts(loader), inside, "datagrams from outside the cgroup are not counted");
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    spawnSync("ip", ["netns", "del", ns]);
    build.cleanup();
  }
});
