// examples/tools/xdp_firewall.ks on a veth pair in namespaces this test creates
// (198.18.0.0/15 only inside them): pings from a denied /24, a denied /32 and an allowed
// address; the per-rule counters printed every interval and in the final report after
// SIGINT match the packets sent, the allowed pings are answered, the exit code is 0 and
// no XDP program is left on the interface.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { inNamespace, withVethPair, xdpAttached, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const networkTest = kernelTests("tools-xdp-firewall.test (veth)", networkSkipReason());

function run(argv: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function inPeer(pair: VethPair, command: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return run(inNamespace(pair.peerNamespace, command));
}

/** `count` echo requests from `source` (an address of the peer end) to the loader end; the replies received. */
function ping(pair: VethPair, source: string, count: number): number {
  const result = inPeer(pair, ["ping", "-n", "-q", "-c", String(count), "-i", "0.05", "-W", "1", "-I", source, pair.loaderAddress]);
  return Number(/(\d+) received/.exec(result.stdout)?.[1] ?? NaN);
}

/** The counters of the last report in `text` (rule → count), with "other" for the passed packets. */
function lastReport(text: string): Map<string, number> {
  const blocks = text.split(/^(?=\s*198\.18\.1\.0\/24 )/m);
  const counts = new Map<string, number>();
  for (const line of (blocks[blocks.length - 1] ?? "").split("\n")) {
    const m = /^\s*(\S+)\s+(\d+) (dropped|passed)$/.exec(line);
    if (m) counts.set(m[1]!, Number(m[2]));
  }
  return counts;
}

networkTest("xdp_firewall drops the denied prefixes, counts per rule, reports at Ctrl-C and detaches", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", "xdp_firewall.ks"));
  try {
    await withVethPair(async (pair) => {
      for (const address of ["198.18.1.2", "198.18.2.2", "198.18.3.2"]) {
        assert.equal(inPeer(pair, ["ip", "addr", "add", `${address}/32`, "dev", pair.peerInterface]).status, 0);
      }
      // Replies to the extra sources go back through the veth.
      assert.equal(run(["ip", "-n", pair.loaderNamespace, "route", "add", "198.18.0.0/16", "dev", pair.loaderInterface]).status, 0);
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "--iface", pair.loaderInterface,
        "--deny", "198.18.1.0/24", "--deny", "198.18.2.2/32", "--interval", "100ms"]));
      try {
        await loader.waitFor("passed");
        assert.ok(xdpAttached(pair), "attached while it runs");
        assert.equal(ping(pair, "198.18.1.2", 3), 0, "198.18.1.0/24 is denied");
        assert.equal(ping(pair, "198.18.2.2", 2), 0, "198.18.2.2/32 is denied");
        assert.equal(ping(pair, "198.18.3.2", 4), 4, "198.18.3.2 is allowed: every ping answered");
        // The periodic report catches up with the counters.
        assert.ok(await eventually(() => lastReport(loader.stdout()).get("198.18.1.0/24") === 3 &&
          lastReport(loader.stdout()).get("198.18.2.2/32") === 2, 3000), loader.stdout());
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        const [, final = ""] = loader.stdout().split("--- final ---\n");
        const report = lastReport(final);
        assert.equal(report.get("198.18.1.0/24"), 3, final);
        assert.equal(report.get("198.18.2.2/32"), 2, final);
        assert.ok((report.get("other") ?? 0) >= 4, `the 4 allowed echo requests (and ARP) passed: ${final}`);
        assert.match(final, /^198\.18\.1\.0\/24 {18}3 dropped$/m, "columns: the prefix in 19, the count in 12");
        assert.ok(!xdpAttached(pair), "no XDP program is left on the interface");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

networkTest("xdp_firewall: a bad --deny prefix is one error line and exit 2, before anything is loaded", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", "xdp_firewall.ks"));
  try {
    const result = run([build.binary, "--iface", "lo", "--deny", "198.18.0.0/33"]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^error: --deny expects an IPv4 prefix like 198\.18\.0\.0\/15 \(Ipv4Key\), got '198\.18\.0\.0\/33'$/m);
  } finally {
    build.cleanup();
  }
});
