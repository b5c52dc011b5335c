// Redirect maps and socket maps in the kernel: an XDP program redirecting frames between
// two veth pairs through a devmap and a devmap_hash whose entries its user space set
// (the frame captured on the far pair, byte for byte); cpumap and xskmap redirects under
// BPF_PROG_TEST_RUN; an sk_msg program on a sockmap between TCP connections over
// loopback (what each receiver reads); an sk_skb verdict on a sockhash; maps of maps
// whose inner map user space stores and swaps between BPF_PROG_TEST_RUN runs. The far side of the first and the last is
// fixtures/redirect-peer.c, built here.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace } from "../../src/runner/netns.js";
import { findMap, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { runCli } from "../harness/cli.js";
import { compileAndBuild, kernelTests, outsideKernelLock, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("redirect-maps.test", networkSkipReason());
const fixtures = join(repoRoot, "tests", "kernel", "fixtures");

function run(argv: readonly string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed (${result.status}): ${result.stderr}${result.error ? String(result.error) : ""}`);
  return result.stdout;
}

/** fixtures/redirect-peer.c, compiled into a temporary directory. */
function buildPeer(): { binary: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-redirect-peer-"));
  const binary = join(dir, "redirect-peer");
  outsideKernelLock(() => run(["cc", "-Wall", "-Werror", "-O2", join(fixtures, "redirect-peer.c"), "-o", binary, "-lbpf"]));
  return { binary, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A throw-away namespace (IPv6 off, so nothing but the test's frames crosses it) with lo up. */
function withNamespace<T>(body: (ns: string) => Promise<T>): Promise<T> {
  const ns = `ksrd-${process.pid}`;
  spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  run(["ip", "netns", "add", ns]);
  const cleanup = (): void => void spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  try {
    run(inNamespace(ns, ["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]));
    run(["ip", "-n", ns, "link", "set", "lo", "up"]);
  } catch (error) {
    cleanup();
    throw error;
  }
  return body(ns).finally(cleanup);
}

/** An interface's index inside the namespace (nsenter keeps the host's /sys, so ask ip). */
function ifindex(ns: string, name: string): number {
  return Number(/^(\d+):/.exec(run(["ip", "-n", ns, "-o", "link", "show", "dev", name]))?.[1] ?? NaN);
}

/** The frame redirect-peer sends: broadcast, EtherType 0x88b5, "ks-redirect", zero padding to 60 bytes. */
const sentFrame = ((): string => {
  const bytes = new Uint8Array(60);
  bytes.fill(0xff, 0, 6);
  bytes.set([0x02, 0, 0, 0, 0, 0x01, 0x88, 0xb5], 6);
  bytes.set(new TextEncoder().encode("ks-redirect"), 14);
  return Buffer.from(bytes).toString("hex");
})();

for (const hash of [false, true]) {
  const via = hash ? "devmap_hash (keyed by the ingress ifindex)" : "devmap";
  kernelTest(`XDP redirect through a ${via}: a frame sent into pair A comes out of pair B unchanged`, async () => {
    const build = compileAndBuild(join(fixtures, "devmap_redirect.ks"));
    const peer = buildPeer();
    try {
      await withNamespace(async (ns) => {
        run(["ip", "-n", ns, "link", "add", "a0", "type", "veth", "peer", "name", "a1"]);
        run(["ip", "-n", ns, "link", "add", "b0", "type", "veth", "peer", "name", "b1"]);
        for (const name of ["a0", "a1", "b0", "b1"]) run(["ip", "-n", ns, "link", "set", name, "up"]);
        const capture = (): string => run(inNamespace(ns, [peer.binary, "frame", "a0", "b1"])).trim();
        assert.equal(capture(), "nothing", "without the program nothing crosses from pair A to pair B");
        const args = ["--input", "a1", "--peer", "b1", "--out", String(ifindex(ns, "b0")), "--in-index", String(ifindex(ns, "a1")), ...(hash ? ["--hash"] : [])];
        const loader = startLoader(inNamespace(ns, [build.binary, ...args]));
        try {
          await loader.waitFor(`redirecting a1 to ifindex ${ifindex(ns, "b0")}`);
          assert.equal(capture(), `received 60: ${sentFrame}`);
          assert.equal(capture(), `received 60: ${sentFrame}`);
          const exit = await loader.stop("SIGINT");
          assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
          assert.match(loader.stdout(), /^redirected 2$/m, "the program saw exactly the two frames");
        } finally {
          await loader.stop("SIGKILL");
        }
        assert.equal(capture(), "nothing", "detached: nothing crosses any more");
      });
    } finally {
      peer.cleanup();
      build.cleanup();
    }
  });
}

kernelTest("cpumap: a CPU with a queue gives XDP_REDIRECT under BPF_PROG_TEST_RUN, one without the fallback; xskmap loads and falls back", () => {
  const build = compileAndBuild(join(fixtures, "cpumap_xskmap.ks"));
  try {
    // User space gives CPU 0 a queue of 192 frames (a preset is a map update); CPU 1 has none.
    const presets = [{ map: "cpus", key: uintBytes(0, 4), value: uintBytes(192, 4) }];
    const result = runPrograms(build.bpfObject, [
      { prog: "to_cpu", size: 60 }, { prog: "to_cpu", size: 200 }, { prog: "to_xsk", size: 60 },
    ], { presets });
    assert.ok(result.programs.every((p) => p.loaded), JSON.stringify(result.programs));
    assert.deepEqual(result.runs.map((r) => r.retval), [4, 2, 2], "XDP_REDIRECT, then XDP_PASS twice");
    assert.ok(findMap(result, "cpus").entries.length >= 1, "the cpumap keeps CPU 0's queue");
  } finally {
    build.cleanup();
  }
});

/** BPF_MAP_TYPE_SOCKMAP and BPF_MAP_TYPE_SOCKHASH, as /proc/PID/fdinfo shows them. */
const mapTypeNumber = { sockmap: 15, sockhash: 18 } as const;

/** The id of the socket map of `kind` the process `pid` holds open (from its fdinfo). */
function socketMapIdOf(pid: number, kind: keyof typeof mapTypeNumber): number {
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let info = "";
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, "utf8");
    } catch {
      continue;
    }
    if (new RegExp(`^map_type:\\s+${mapTypeNumber[kind]}$`, "m").test(info)) return Number(/^map_id:\s+(\d+)$/m.exec(info)?.[1]);
  }
  throw new Error(`process ${pid} holds no ${kind}`);
}

kernelTest("sk_msg on a sockmap: a message is redirected out of another socket, a 4-byte one is dropped; the receivers read it", async () => {
  const build = compileAndBuild(join(fixtures, "sockmap_steer.ks"));
  const peer = buildPeer();
  try {
    await withNamespace(async (ns) => {
      const loader = startLoader(inNamespace(ns, [build.binary, "--interval", "0.2"]));
      try {
        await loader.waitFor("attached steer (sk_msg) to socks");
        const id = socketMapIdOf(loader.child.pid!, "sockmap");
        const seen = run(inNamespace(ns, [peer.binary, "sockets", String(id)]));
        assert.equal(seen, [
          "cookie at 0: yes",
          "send hello: 5",
          "p1 read: nothing",
          "p2 read: hello",
          "send drop: error Permission denied",
          "p1 read: nothing",
          "p2 read: nothing",
          "",
        ].join("\n"));
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const verdicts = parseSnapshots(loader.stdout()).at(-1)!.maps.get("verdicts");
        assert.deepEqual([...verdicts!.entries], [["0", "1"], ["1", "1"]], "one drop, one redirect");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    peer.cleanup();
    build.cleanup();
  }
});

kernelTest("sk_skb stream verdict on a sockhash: received data is moved to another socket's receive queue, 4 bytes are dropped", async () => {
  const build = compileAndBuild(join(fixtures, "sockhash_verdict.ks"));
  const peer = buildPeer();
  try {
    await withNamespace(async (ns) => {
      const loader = startLoader(inNamespace(ns, [build.binary, "--interval", "0.2"]));
      try {
        await loader.waitFor("attached verdict (sk_skb) to receivers");
        const id = socketMapIdOf(loader.child.pid!, "sockhash");
        const seen = run(inNamespace(ns, [peer.binary, "receivers", String(id)]));
        // The receiving ends are in the map: p1's data goes to p2's queue; the sends succeed.
        assert.equal(seen, [
          "cookie at 0: yes",
          "send hello: 5",
          "p1 read: nothing",
          "p2 read: hello",
          "send drop: 4",
          "p1 read: nothing",
          "p2 read: nothing",
          "",
        ].join("\n"));
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const verdicts = parseSnapshots(loader.stdout()).at(-1)!.maps.get("verdicts");
        assert.deepEqual([...verdicts!.entries], [["0", "1"], ["1", "1"]], "one drop, one redirect");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    peer.cleanup();
    build.cleanup();
  }
});

kernelTest("maps of maps: XDP reads the inner array/hash user space stored; storing another one (or deleting it) is seen by the next run", async () => {
  const run = await runCli(["test", "tests/kernel/fixtures/map_in_map.ks"], { env: { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" } });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.equal(run.stdout.replace(/ {2}\(\d+\.\d+ ms\)/g, ""), [
    "ok   swapping_the_inner_array_changes_the_verdict",
    "ok   hash_of_maps_reads_the_stored_hash",
    "",
    "2 passed, 0 failed",
    "",
  ].join("\n"));
});
