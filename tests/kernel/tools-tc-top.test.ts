// examples/tools/tc_top.ks on a veth pair in namespaces this test creates (198.18.0.0/15
// only inside them): UDP datagrams of known sizes to three ports; the periodic reports and
// the final report after SIGINT rank the --top 2 ports by bytes with the exact packet and
// byte counts (a frame at TC ingress is 14 + 20 + 8 + payload bytes), the exit code is 0
// and the clsact filter is gone from the interface.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { inNamespace, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const networkTest = kernelTests("tools-tc-top.test (veth)", networkSkipReason());

function run(argv: readonly string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Sends `count` UDP datagrams of `payload` bytes from the peer end to `port` of the loader end. */
function sendUdp(pair: VethPair, port: number, payload: number, count: number): void {
  const script = [
    "import socket, sys",
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
    `for _ in range(${count}): s.sendto(b'x' * ${payload}, ('${pair.loaderAddress}', ${port}))`,
  ].join("\n");
  const result = run(inNamespace(pair.peerNamespace, ["python3", "-c", script]));
  assert.equal(result.status, 0, result.stderr);
}

/** What `tc` shows on the loader end: the clsact qdisc and ingress filters. */
function tcState(pair: VethPair): string {
  const qdisc = run(inNamespace(pair.loaderNamespace, ["tc", "qdisc", "show", "dev", pair.loaderInterface]));
  const filters = run(inNamespace(pair.loaderNamespace, ["tc", "filter", "show", "dev", pair.loaderInterface, "ingress"]));
  return `${qdisc.stdout}${filters.stdout}`;
}

/** The rows of the last report in `text`: [proto, port, packets, bytes]. */
function lastReport(text: string): string[][] {
  const reports = text.split(/^PROTO +PORT +PACKETS +BYTES$/m);
  const last = reports[reports.length - 1] ?? "";
  return [...last.matchAll(/^(tcp|udp) +(\d+) +(\d+) +(\d+)$/gm)].map((m) => m.slice(1, 5));
}

const expected = [["udp", "5001", "20", String(20 * (42 + 1000))], ["udp", "5003", "30", String(30 * (42 + 10))]];

networkTest("tc_top ranks destination ports by bytes with exact counts, reports at Ctrl-C and removes its filter", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", "tc_top.ks"));
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "--iface", pair.loaderInterface,
        "--top", "2", "--interval", "100ms"]));
      try {
        await loader.waitFor(/^PROTO +PORT +PACKETS +BYTES$/m);
        assert.match(tcState(pair), /clsact[\s\S]*tc_top/, "the filter is on the interface while the tool runs");
        sendUdp(pair, 5001, 1000, 20);      // 20,840 bytes: first
        sendUdp(pair, 5002, 100, 5);        //    710 bytes: third, left out by --top 2
        sendUdp(pair, 5003, 10, 30);        //  1,560 bytes: second
        assert.ok(await eventually(() => JSON.stringify(lastReport(loader.stdout())) === JSON.stringify(expected), 3000),
          loader.stdout());
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        const [, final = ""] = loader.stdout().split("--- final ---\n");
        assert.deepEqual(lastReport(final), expected, final);
        assert.match(final, /^udp {4}5001 {9}20 {8}20840$/m, "columns: proto in 6, port in 6, packets in 8, bytes in 12");
        const left = tcState(pair);
        assert.doesNotMatch(left, /clsact|tc_top/, `nothing left behind:\n${left}`);
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});
