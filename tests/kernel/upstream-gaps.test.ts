// The XDP and TC programs of two reference-example equivalents run in the kernel
// through BPF_PROG_TEST_RUN: examples/upstream/type_checking.ks (a classifier built on
// a helper returning a pointer or null, enum matches and map counters) and
// examples/upstream/map_operations_demo.ks (copies of map entries written back,
// `none` checks, per-CPU entries). Return codes and map contents are asserted.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms } from "../../src/runner/prog-run.js";
import { ETH_P_IP, IP_A, IP_B, ethernet, frame, icmp, ipv4, tcp, udp } from "./frames.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_DROP = 1;
const XDP_PASS = 2;
const TC_ACT_OK = 0;

const kernelTest = kernelTests("upstream-gaps.test", kernelSkipReason());

const upstream = (name: string): string => join(repoRoot, "examples", "upstream", name);
const hostOrder = (ip: readonly number[]): bigint => BigInt(((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) >>> 0);

kernelTest("type_checking.ks: decisions by protocol and length, counts by source and decision", () => {
  const build = compileAndBuild(upstream("type_checking.ks"));
  try {
    const ipFrame = (protocol: number, payload: number[], src: readonly number[]) =>
      frame(ethernet(ETH_P_IP, ipv4(protocol, payload, { src })));
    const result = runPrograms(build.bpfObject, [
      { prog: "packet_analyzer", data: ipFrame(17, udp(1000, 53), IP_A) },
      { prog: "packet_analyzer", data: ipFrame(6, tcp(1000, 80), IP_A) },
      // IPv4 total length 1640: TCP over 1500 bytes is blocked.
      { prog: "packet_analyzer", data: ipFrame(6, tcp(1000, 80, {}, new Array<number>(1600).fill(0)), IP_B) },
      { prog: "packet_analyzer", data: ipFrame(1, icmp(8, 0, 1, 1), IP_A) },
      // Too short for an IPv4 header: the helper returns null.
      { prog: "packet_analyzer", data: new Uint8Array(20) },
      // Unknown protocol (GRE): classified as TCP by the default arm, short, allowed.
      { prog: "packet_analyzer", data: ipFrame(47, new Array<number>(8).fill(0), IP_B) },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_DROP, XDP_PASS, XDP_DROP, XDP_PASS]);
    assert.deepEqual(integerEntries(findMap(result, "connection_stats")), new Map([[hostOrder(IP_A), 3n], [hostOrder(IP_B), 2n]]));
    // FilterDecision: Allow = 0, Block = 1, Log = 2.
    assert.deepEqual(integerEntries(findMap(result, "decision_counts")), new Map([[0n, 3n], [1n, 1n], [2n, 1n]]));
  } finally {
    build.cleanup();
  }
});

kernelTest("map_operations_demo.ks: XDP counters and per-CPU entries, TC statistics written back", () => {
  const build = compileAndBuild(upstream("map_operations_demo.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "traffic_monitor", size: 64, ifindex: 1 },
      { prog: "traffic_monitor", size: 64, ifindex: 1 },
      { prog: "traffic_monitor", size: 64, ifindex: 1 },
      { prog: "stats_updater", size: 64 },
      { prog: "stats_updater", size: 100 },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS, TC_ACT_OK, TC_ACT_OK]);

    // Created on the first run (absent → 1); later runs only look entries up.
    assert.deepEqual(integerEntries(findMap(result, "global_counter")), new Map([[1n, 1n]]));

    // percpu_data[0].local_counter: one increment per run, whichever CPU ran it.
    const percpu = findMap(result, "percpu_data");
    assert.equal(percpu.entries.length, 1);
    const entry = percpu.entries[0]!;
    assert.equal(readUint(entry.key), 0n);
    assert.equal(entry.values!.reduce((sum, v) => sum + readUint(v, 0, 8), 0n), 3n);

    // One Statistics entry, for the skb's ifindex. Each run counts the packet, then the
    // batch loop (i = 0 is the same key) counts it again: 2 runs → 4.
    const stats = findMap(result, "shared_stats");
    assert.equal(stats.entries.length, 1);
    const value = stats.entries[0]!.value;
    assert.equal(readUint(value, 0, 8), 4n, "packet_count");
    assert.equal(readUint(value, 8, 8), 164n, "byte_count: skb lengths 64 + 100");
    assert.equal(readUint(value, 16, 8), 123456n, "last_seen");
    assert.equal(readUint(value, 24, 4), 0n, "error_rate: the frames carry an EtherType");
  } finally {
    build.cleanup();
  }
});
