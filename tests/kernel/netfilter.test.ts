// `@netfilter` attached for real (issue 16): the default loader of
// fixtures/netfilter_drop.ks, run in the loader namespace of a veth pair, attaches its
// program to the IPv4 local-in hook through a netfilter link; UDP datagrams sent from the
// peer namespace to port 40011 never arrive while those to port 40012 do, the program's
// counts say the same, and no netfilter link is left after SIGINT or SIGKILL.
// `@test` runs of netfilter programs (BPF_PROG_TEST_RUN with the attribute's hook state):
// fixtures/netfilter_test_runs.ks at local_out (bare IP) and IPv6 pre_routing (a frame),
// and a packet of the other family refused with its reason; examples/netfilter.ks's
// tests run in tests/kernel/testing.test.ts.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";
import { runCli } from "../harness/cli.js";

const kernelTest = kernelTests("netfilter.test", networkSkipReason());
const fixture = join(repoRoot, "tests", "kernel", "fixtures", "netfilter_drop.ks");

/**
 * In the loader namespace: binds ports 40011 and 40012, has the peer namespace send four
 * datagrams to each, and prints how many arrived on each port.
 */
function exchange(pair: VethPair): { dropped: number; passed: number } {
  const sender = inNamespace(pair.peerNamespace, ["python3", "-c", `
import socket
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in (40011, 40012):
    for i in range(4):
        tx.sendto(b"d" * 64, ("${pair.loaderAddress}", port))
`]);
  const receiver = `
import json, socket, subprocess, sys
socks = {}
for port in (40011, 40012):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("${pair.loaderAddress}", port))
    s.settimeout(0.5)
    socks[port] = s
subprocess.run(json.loads(sys.argv[1]), check=True)
counts = {}
for port, s in socks.items():
    n = 0
    try:
        while True:
            s.recv(2048)
            n += 1
    except socket.timeout:
        pass
    counts[port] = n
print(json.dumps({"dropped": counts[40011], "passed": counts[40012]}))
`;
  const argv = inNamespace(pair.loaderNamespace, ["python3", "-c", receiver, JSON.stringify(sender)]);
  const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as { dropped: number; passed: number };
}

/**
 * Netfilter links the kernel has (`bpftool link` lists every namespace's; bpftool 7.1
 * predates the type's name and says `type 10`, BPF_LINK_TYPE_NETFILTER).
 */
function netfilterLinks(): number {
  const show = spawnSync("bpftool", ["link", "show"], { encoding: "utf8" });
  return show.stdout.split("\n").filter((line) => /^\d+: (netfilter|type 10) /.test(line)).length;
}

kernelTest("netfilter local_in: datagrams to the dropped port never arrive, another port works; the link goes at exit", async () => {
  const build = compileAndBuild(fixture);
  try {
    await withVethPair(async (pair) => {
      const before = netfilterLinks();
      assert.deepEqual(exchange(pair), { dropped: 4, passed: 4 }, "without the program both ports receive");
      const loader = startLoader(inNamespace(pair.loaderNamespace, [build.binary, "--interval", "0.2"]));
      try {
        await loader.waitFor("printing maps");
        assert.match(loader.stderr(), /attached drop_udp_port \(netfilter\) to ipv4:local_in:-100/);
        assert.equal(netfilterLinks(), before + 1, "one netfilter link while the loader runs");
        assert.deepEqual(exchange(pair), { dropped: 0, passed: 4 });
        await loader.waitFor(/^udp_verdicts\[1\] = 4$/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const final = parseSnapshots(loader.stdout()).at(-1)!;
        assert.deepEqual([...final.maps.get("udp_verdicts")!.entries], [["0", "4"], ["1", "4"]]);
        assert.equal(netfilterLinks(), before, "the link is gone after SIGINT");
        assert.deepEqual(exchange(pair), { dropped: 4, passed: 4 }, "both ports receive again");

        const killed = startLoader(inNamespace(pair.loaderNamespace, [build.binary]));
        await killed.waitFor("printing maps");
        assert.equal(netfilterLinks(), before + 1);
        assert.equal((await killed.stop("SIGKILL")).signal, "SIGKILL");
        assert.ok(await eventually(() => netfilterLinks() === before), "the kernel released the link with the process");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("netfilter @test runs: local_out gets the IP packet, pre_routing the frame, the hook state is the attribute's; the other family is refused", async () => {
  const fixture = join(repoRoot, "tests", "kernel", "fixtures", "netfilter_test_runs.ks");
  const run = await runCli(["test", fixture], { env: { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" } });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stdout.replace(/ {2}\(\d+\.\d+ ms\)/g, ""), [
    "ok   local_out_reads_the_ip_header",
    "ok   pre_routing_ipv6",
    "FAIL the_other_family_is_refused",
    "    running program 'nft_pre6': its hook is IPv6, the packet is IPv4 (build it with .ipv6())",
    "",
    "2 passed, 1 failed",
    "",
  ].join("\n"));
});
