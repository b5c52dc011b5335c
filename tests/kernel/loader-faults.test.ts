// Generated loaders where issue 11 (item 12) found them failing, checked in the kernel on
// veth pairs inside network namespaces the test creates:
// - TC through clsact filters (the system's libbpf 1.1 has no TCX): a loader killed with
//   SIGKILL leaves its filter, and the next start removes it (exactly one filter per
//   direction); two loaders on one interface each have their own filter, and stopping
//   the first leaves the second's attached and counting; a closed stdout stops a loader
//   cleanly;
// - a pin made by an earlier build with another layout (value size, max_entries, fields
//   swapped or renamed at the same size) is refused naming the map, the pin, what
//   differs and the fix;
// - with bpffs not mounted in the loader's own mount namespace, pins land in the
//   machine's bpffs (and without one anywhere the loader says so);
// - an interface whose XDP slot is taken: the message says who holds it and how to free
//   it, for a link held by a process, by the loader itself (a second XDP program of the
//   same loader) and for a netlink-attached program.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mapPinPath, pinDirectory } from "../../src/compiler/names.js";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader, type LoaderProcess } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("loader-faults.test", networkSkipReason());

function run(argv: readonly string[]): { status: number | null; out: string } {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

/** The filters on one clsact hook of the loader end, one line each (chain heads left out). */
function filters(pair: VethPair, direction: "ingress" | "egress"): string[] {
  const shown = run(inNamespace(pair.loaderNamespace, ["tc", "filter", "show", "dev", pair.loaderInterface, direction])).out;
  return shown.split("\n").filter((line) => /\bhandle 0x[0-9a-f]+\b/.test(line));
}

function qdiscs(pair: VethPair): string {
  return run(inNamespace(pair.loaderNamespace, ["tc", "qdisc", "show", "dev", pair.loaderInterface])).out;
}

/** The program id a filter line names (`… id 42 name …`). */
function programIdOf(filter: string): string {
  return /\bid (\d+)\b/.exec(filter)?.[1] ?? "?";
}

const tcFixture = join(repoRoot, "tests", "kernel", "fixtures", "tc_sizes.ks");

function startTc(binary: string, pair: VethPair): LoaderProcess {
  return startLoader(inNamespace(pair.loaderNamespace, [binary, "-i", pair.loaderInterface, "--interval", "0.1"]));
}

kernelTest("TC (clsact): SIGKILL leaves the filter; the next start removes it, so exactly one filter per direction", async () => {
  const build = compileAndBuild(tcFixture);
  try {
    await withVethPair(async (pair) => {
      const killed = startTc(build.binary, pair);
      let restarted: LoaderProcess | undefined;
      try {
        await killed.waitFor("printing maps");
        const orphan = filters(pair, "ingress");
        assert.equal(orphan.length, 1, orphan.join("\n"));
        assert.deepEqual(await killed.stop("SIGKILL"), { code: null, signal: "SIGKILL" });
        assert.deepEqual(filters(pair, "ingress"), orphan, "SIGKILL cannot be caught: the filter is still there");

        restarted = startTc(build.binary, pair);
        await restarted.waitFor("printing maps");
        assert.match(restarted.stderr(), new RegExp(`removed the TC filter of 'tc_ingress_sizes' \\(program id ${programIdOf(orphan[0]!)}\\) that a killed instance left on ${pair.loaderInterface} \\(ingress\\)`));
        assert.match(restarted.stderr(), /removed the TC filter of 'tc_egress_count' .* \(egress\)/);
        const ingress = filters(pair, "ingress");
        assert.equal(ingress.length, 1, `exactly one ingress filter:\n${ingress.join("\n")}`);
        assert.equal(filters(pair, "egress").length, 1, "exactly one egress filter");
        assert.notEqual(programIdOf(ingress[0]!), programIdOf(orphan[0]!), "the new instance's program");
        sendFrames(pair, 1500, 2);
        await restarted.waitFor(/^tc_seen\[1\] = 2$/m);
        assert.deepEqual(await restarted.stop("SIGTERM"), { code: 0, signal: null }, restarted.stderr());
        assert.deepEqual([...filters(pair, "ingress"), ...filters(pair, "egress")], []);
        assert.doesNotMatch(qdiscs(pair), /clsact/, "the qdisc a kernelscript loader created goes with the last filter");
      } finally {
        await killed.stop("SIGKILL");
        await restarted?.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("TC (clsact): two loaders on one interface; stopping the first leaves the second attached and counting", async () => {
  const build = compileAndBuild(tcFixture);
  try {
    await withVethPair(async (pair) => {
      const first = startTc(build.binary, pair);
      let second: LoaderProcess | undefined;
      try {
        await first.waitFor("printing maps");
        const firstFilter = filters(pair, "ingress");
        second = startTc(build.binary, pair);
        await second.waitFor("printing maps");
        const both = filters(pair, "ingress");
        assert.equal(both.length, 2, `each loader has its own filter:\n${both.join("\n")}`);
        const handles = both.map((line) => /handle (0x[0-9a-f]+)/.exec(line)![1]);
        assert.notEqual(handles[0], handles[1], "distinct handles");

        assert.deepEqual(await first.stop("SIGINT"), { code: 0, signal: null }, first.stderr());
        const left = filters(pair, "ingress");
        assert.equal(left.length, 1, `the second loader's filter stays:\n${left.join("\n")}`);
        assert.notEqual(programIdOf(left[0]!), programIdOf(firstFilter[0]!), "and it is the second's, not the first's");
        assert.equal(filters(pair, "egress").length, 1);
        assert.match(qdiscs(pair), /clsact/, "the qdisc the first created stays while the second uses it");
        sendFrames(pair, 1500, 3);
        sendFrames(pair, 100, 2);
        await second.waitFor(/^tc_seen\[1\] = 3$/m);
        await second.waitFor(/^tc_seen\[0\] = 2$/m);

        assert.deepEqual(await second.stop("SIGINT"), { code: 0, signal: null }, second.stderr());
        assert.deepEqual([...filters(pair, "ingress"), ...filters(pair, "egress")], []);
        assert.doesNotMatch(qdiscs(pair), /clsact/, "the last kernelscript loader removes the qdisc a kernelscript loader created");
      } finally {
        await first.stop("SIGKILL");
        await second?.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("TC (clsact): a qdisc someone else created is never deleted, even empty", async () => {
  const build = compileAndBuild(tcFixture);
  try {
    await withVethPair(async (pair) => {
      assert.equal(run(inNamespace(pair.loaderNamespace, ["tc", "qdisc", "add", "dev", pair.loaderInterface, "clsact"])).status, 0);
      const loader = startTc(build.binary, pair);
      try {
        await loader.waitFor("printing maps");
        assert.equal(filters(pair, "ingress").length, 1);
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        assert.deepEqual(filters(pair, "ingress"), []);
        assert.match(qdiscs(pair), /clsact/, "not ours: kept");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("a loader whose stdout is closed (`loader | head -1`) stops and detaches: no clsact filter left", async () => {
  const build = compileAndBuild(tcFixture);
  try {
    await withVethPair(async (pair) => {
      const command = inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.1"]).map((a) => `'${a}'`).join(" ");
      const result = spawnSync("bash", ["-c", `${command} | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: "utf8", timeout: 30_000 });
      assert.match(result.stderr, /attached tc_ingress_sizes/);
      assert.match(result.stderr, /detached everything, exiting/, result.stderr);
      assert.match(result.stderr, /status=0$/m);
      assert.deepEqual([...filters(pair, "ingress"), ...filters(pair, "egress")], []);
      assert.doesNotMatch(qdiscs(pair), /clsact/);
    });
  } finally {
    build.cleanup();
  }
});

// --- pinned maps of an earlier build ---

const pinnedProgram = (fields: string, capacity = 16): string => `struct Stats {
${fields}
}
pin var pinlay_stats: hash<u32, Stats>(${capacity})

@xdp
fn pinlay_xdp(ctx: *xdp_md) -> xdp_action {
    var key: u32 = 1
    if (var s = pinlay_stats[key]) {
        s.drops += 1
    }
    return XDP_PASS
}
`;

/** Builds `text` as NAME.ks (the pin directory is /sys/fs/bpf/NAME). */
function buildNamed(name: string, text: string): ReturnType<typeof compileAndBuild> & { source: string } {
  const source = mkdtempSync(join(tmpdir(), "ks-pin-src-"));
  writeFileSync(join(source, `${name}.ks`), text);
  try {
    return { ...compileAndBuild(join(source, `${name}.ks`)), source };
  } catch (error) {
    rmSync(source, { recursive: true, force: true });
    throw error;
  }
}

async function runOnce(binary: string, pair: VethPair): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const loader = startLoader(inNamespace(pair.loaderNamespace, [binary, "-i", pair.loaderInterface, "--interval", "0.1", "--count", "1"]));
  const exit = await loader.exited;
  return { code: exit.code, stderr: loader.stderr(), stdout: loader.stdout() };
}

kernelTest("a pin of an earlier build with another layout is refused, naming the map, the pin, the difference and the fix", async () => {
  const name = `pinlay_${process.pid}`;
  const pin = mapPinPath(name, "pinlay_stats");
  const original = buildNamed(name, pinnedProgram("    drops: u32,\n    passes: u32,"));
  const changes: readonly (readonly [string, string, RegExp])[] = [
    ["fields swapped (same size)", pinnedProgram("    passes: u32,\n    drops: u32,"), /field 1 of the value is `drops` in the pinned map but `passes` in this program/],
    ["a field renamed (same size)", pinnedProgram("    drops: u32,\n    accepted: u32,"), /field 2 of the value is `passes` in the pinned map but `accepted` in this program/],
    ["a field's signedness", pinnedProgram("    drops: u32,\n    passes: i32,"), /the value\.passes is unsigned in the pinned map but signed in this program/],
    ["value size", pinnedProgram("    drops: u32,\n    passes: u64,"), /its value is 8 bytes there but 16 in this program/],
    ["max_entries", pinnedProgram("    drops: u32,\n    passes: u32,", 32), /it holds 16 entries there but 32 in this program/],
  ];
  const builds = changes.map(([, text]) => buildNamed(name, text));
  try {
    await withVethPair(async (pair) => {
      const first = await runOnce(original.binary, pair);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(existsSync(pin), "the first run pins the map");
      for (const [i, [what, , difference]] of changes.entries()) {
        const refused = await runOnce(builds[i]!.binary, pair);
        assert.equal(refused.code, 1, `${what}: ${refused.stderr}`);
        const lines = refused.stderr.trim().split("\n");
        assert.equal(lines.length, 1, `${what}: one line: ${refused.stderr}`);
        assert.ok(lines[0]!.startsWith(`error: the pin of map 'pinlay_stats' at ${pin} does not fit this program`), `${what}: ${lines[0]}`);
        assert.match(lines[0]!, difference, what);
        assert.ok(lines[0]!.endsWith(`remove the pin, losing its entries: rm ${pin}`), what);
        assert.doesNotMatch(refused.stderr, /-22|Invalid argument/);
        assert.doesNotMatch(run(inNamespace(pair.loaderNamespace, ["ip", "-d", "link", "show", "dev", pair.loaderInterface])).out, /prog\/xdp/, `${what}: nothing attached`);
      }
      const again = await runOnce(original.binary, pair);
      assert.equal(again.code, 0, `the build that made the pin still uses it: ${again.stderr}`);
      // The fix the message gives works.
      rmSync(pin);
      const fixed = await runOnce(builds[0]!.binary, pair);
      assert.equal(fixed.code, 0, fixed.stderr);
    });
  } finally {
    rmSync(pinDirectory(name), { recursive: true, force: true });
    for (const b of [original, ...builds]) {
      b.cleanup();
      rmSync(b.source, { recursive: true, force: true });
    }
  }
});

kernelTest("pinned globals (`pin var`) of an earlier build with other globals are refused the same way", () => {
  const name = `pinglob_${process.pid}`;
  const program = (globals: string): string => `${globals}
@xdp fn pinglob_count(ctx: XdpContext) -> XdpAction {
    pinglob_frames += 1
    return XDP_PASS
}

fn main() -> i32 {
    pinglob_runs += 1
    print("runs=%u", pinglob_runs)
    return 0
}
`;
  const original = buildNamed(name, program("pin var pinglob_runs: u64 = 41\npin var pinglob_frames: u64"));
  const added = buildNamed(name, program("pin var pinglob_runs: u64 = 41\npin var pinglob_frames: u64\npin var pinglob_extra: u64"));
  const swapped = buildNamed(name, program("pin var pinglob_frames: u64\npin var pinglob_runs: u64 = 41"));
  const pin = mapPinPath(name, "ks_pinned_globals");
  try {
    const first = run([original.binary]);
    assert.equal(first.status, 0, first.out);
    assert.match(first.out, /runs=42/);
    for (const [build, difference] of [[added, /its value is 16 bytes there but 24 in this program/], [swapped, /field 1 of the value is `pinglob_runs` in the pinned map but `pinglob_frames` in this program/]] as const) {
      const refused = run([build.binary]);
      assert.equal(refused.status, 1, refused.out);
      assert.match(refused.out, new RegExp(`^error: the pin of the \`pin var\` globals \\(map 'ks_pinned_globals'\\) at ${pin} does not fit this program`, "m"));
      assert.match(refused.out, difference);
    }
    assert.match(run([original.binary]).out, /runs=43/, "the original build keeps its pinned globals");
  } finally {
    rmSync(pinDirectory(name), { recursive: true, force: true });
    for (const b of [original, added, swapped]) {
      b.cleanup();
      rmSync(b.source, { recursive: true, force: true });
    }
  }
});

// --- bpffs not mounted in the loader's mount namespace ---

kernelTest("bpffs not mounted in a private mount namespace (unshare -m, ip netns exec): pins land in the machine's bpffs", async () => {
  const name = `pinns_${process.pid}`;
  const build = buildNamed(name, pinnedProgram("    drops: u32,\n    passes: u32,"));
  const pin = mapPinPath(name, "pinlay_stats");
  try {
    await withVethPair(async (pair) => {
      const loader = inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.1", "--count", "1"]).map((a) => `'${a}'`).join(" ");
      // A private mount namespace of the test's own: the machine's bpffs stays mounted.
      const unshared = run(["unshare", "-m", "--propagation", "private", "sh", "-c", `umount /sys/fs/bpf && ! stat -f -c %T /sys/fs/bpf | grep -q bpf && ${loader}`]);
      assert.equal(unshared.status, 0, unshared.out);
      assert.match(unshared.out, /note: \/sys\/fs\/bpf was not mounted in this mount namespace .*pinning in the bpffs of the namespace this loader was started from/);
      assert.ok(existsSync(pin), `the pin is in the machine's /sys/fs/bpf:\n${unshared.out}`);
      const id = run(["bpftool", "map", "show", "pinned", pin]).out;
      assert.match(id, /name pinlay_stats/);

      // `ip netns exec` remounts /sys, hiding /sys/fs/bpf: the same map is found and reused.
      const viaIp = run(["ip", "netns", "exec", pair.loaderNamespace, build.binary, "-i", pair.loaderInterface, "--interval", "0.1", "--count", "1"]);
      assert.equal(viaIp.status, 0, viaIp.out);
      assert.match(viaIp.out, /pinning in the bpffs of the namespace this loader was started from/);
      assert.equal(run(["bpftool", "map", "show", "pinned", pin]).out, id, "the same map, reused");

      // No bpffs in the namespace it was started from either (a pid namespace hides the
      // machine's): refused with the fix, instead of pins that vanish.
      const nowhere = run(["unshare", "-m", "-p", "-f", "--mount-proc", "--propagation", "private", "sh", "-c", `umount /sys/fs/bpf && unshare -m ${loader}`]);
      assert.equal(nowhere.status, 1, nowhere.out);
      assert.match(nowhere.out, /^error: \/sys\/fs\/bpf is not mounted, here or in the mount namespace this loader was started from; .*\(mount -t bpf bpf \/sys\/fs\/bpf\)$/m);
    });
  } finally {
    rmSync(pinDirectory(name), { recursive: true, force: true });
    build.cleanup();
    rmSync(build.source, { recursive: true, force: true });
  }
});

// --- XDP slot taken ---

kernelTest("XDP already attached: the message names the process holding the link, or the ip command that works", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "seed_packet_filter.ks"));
  try {
    await withVethPair(async (pair) => {
      const argv = inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.1"]);
      const holder = startLoader(argv);
      try {
        await holder.waitFor("printing maps");
        const second = run(argv);
        assert.equal(second.status, 1, second.out);
        const pid = holder.child.pid!;
        assert.match(second.out, new RegExp(`^error: cannot attach XDP program 'packet_filter' to ${pair.loaderInterface}: XDP program 'packet_filter' \\(id \\d+\\) is attached there through BPF link \\d+, held by process ${pid} \\(seed_packet_fil\\): stop that process \\(kill ${pid}\\) to detach it$`, "m"));
        assert.doesNotMatch(second.out, /xdp off/);
      } finally {
        await holder.stop("SIGINT");
      }
      // Attached without a link (netlink, generic mode): `ip link set … xdpgeneric off` works.
      const attach = run(["ip", "-n", pair.loaderNamespace, "link", "set", "dev", pair.loaderInterface, "xdpgeneric", "obj", build.bpfObject, "sec", "xdp"]);
      assert.equal(attach.status, 0, attach.out);
      const refused = run(argv);
      assert.equal(refused.status, 1, refused.out);
      const hint = /remove it with `(ip link set dev \S+ xdpgeneric off)`$/m.exec(refused.out);
      assert.ok(hint, refused.out);
      const off = run(["ip", "-n", pair.loaderNamespace, ...hint[1]!.split(" ").slice(1)]);
      assert.equal(off.status, 0, `the hinted command works: ${off.out}`);
      const loader = startLoader(argv);
      try {
        await loader.waitFor("printing maps");
      } finally {
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null });
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("XDP: two programs of one loader on one interface: the message says the loader took the slot itself", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "loops-while-termination.ks"));
  try {
    await withVethPair(async (pair) => {
      const second = run(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.1", "--count", "1"]));
      assert.equal(second.status, 1, second.out);
      // It was "… through BPF link N, which no process holds (it is pinned in bpffs)": the loader skipped itself.
      assert.match(second.out, new RegExp(`^error: cannot attach XDP program 'wt_unknown_start' to ${pair.loaderInterface}: this loader attached XDP program 'wt_down' there already, and an interface runs one XDP program at a time`, "m"));
      assert.doesNotMatch(second.out, /pinned in bpffs/);
    });
  } finally {
    build.cleanup();
  }
});

// Leftover guard: every test above removes its pins; make sure of it across the file.
kernelTest("no pin directory of these tests is left", () => {
  for (const name of [`pinlay_${process.pid}`, `pinns_${process.pid}`, `pinglob_${process.pid}`]) assert.ok(!existsSync(pinDirectory(name)), name);
  assert.ok(readFileSync("/proc/self/mounts", "utf8").includes(" /sys/fs/bpf bpf "), "the machine's bpffs is still mounted");
});
