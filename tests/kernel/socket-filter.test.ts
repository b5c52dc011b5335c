// `@socket_filter` attached for real: the default loader of examples/socket_filter.ks
// (`NAME -i veth0`) opens a packet socket on one end of a veth pair in a namespace this
// test creates, attaches the filter to it, and the filter sees the IPv4/UDP frames sent
// from the other end (198.18.0.0/15): the counts it keeps in its maps are checked, and
// that the socket (the attachment) is gone after SIGINT and after SIGKILL. Its results
// on built packets are checked by the example's own `@test`s (tests/kernel/testing.test.ts).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("socket-filter.test", networkSkipReason());
const example = join(repoRoot, "examples", "socket_filter.ks");

/** Packet sockets bound to the loader end of the pair (/proc/net/packet of its namespace: the Iface column). */
function packetSocketsOn(pair: VethPair): number {
  const argv = inNamespace(pair.loaderNamespace, ["cat", "/proc/net/packet"]);
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  const ifindex = String(loaderIfindex(pair));
  return result.stdout.trim().split("\n").slice(1).filter((line) => line.trim().split(/\s+/)[4] === ifindex).length;
}

kernelTest("default loader: the socket filter on a veth end counts the UDP frames it receives; SIGINT closes its socket", async () => {
  const build = compileAndBuild(example);
  try {
    await withVethPair(async (pair) => {
      assert.equal(packetSocketsOn(pair), 0, "no packet socket before the loader");
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--interval", "0.2"]));
      try {
        await loader.waitFor("printing maps");
        assert.match(loader.stderr(), new RegExp(`attached udp_headers \\(socket_filter\\) to ${pair.loaderInterface}`));
        assert.equal(packetSocketsOn(pair), 1, "the loader's packet socket is bound to the interface");
        sendFrames(pair, 100, 5);
        sendFrames(pair, 1500, 3);
        // 0x0800 (IPv4) = 2048: every frame is IPv4/UDP; frames over 1000 bytes from the IPv4 header on are large.
        await loader.waitFor(/^packets_by_protocol\[2048\] = 8$/m);
        await loader.waitFor(/^large_udp\[0\] = 3$/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const final = parseSnapshots(loader.stdout()).at(-1)!;
        assert.equal(final.label, "final");
        assert.equal(final.maps.get("packets_by_protocol")?.type, "hash<u16, u64>");
        assert.equal(new Map(final.maps.get("packets_by_protocol")!.entries).get("2048"), "8");
        assert.deepEqual([...final.maps.get("large_udp")!.entries], [["0", "3"]]);
        assert.match(loader.stderr(), /detached everything/);
        assert.equal(packetSocketsOn(pair), 0, "the socket (and with it the filter) is gone");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("socket filter: SIGKILL closes the socket, a missing interface is one line, --help says where it attaches", async () => {
  const build = compileAndBuild(example);
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface]));
      await loader.waitFor("printing maps");
      assert.equal(packetSocketsOn(pair), 1);
      assert.equal((await loader.stop("SIGKILL")).signal, "SIGKILL");
      assert.ok(await eventually(() => packetSocketsOn(pair) === 0), "the kernel closed the socket with the process");

      const missing = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "-i", "nosuch0"]));
      assert.equal((await missing.exited).code, 1);
      assert.match(missing.stderr(), /^error: no network interface named 'nosuch0'/m);

      const help = startLoader([build.binary, "--help"]);
      assert.equal((await help.exited).code, 0);
      assert.match(help.stdout(), /udp_headers \(socket_filter\) to every interface given with -i/);
    });
  } finally {
    build.cleanup();
  }
});
