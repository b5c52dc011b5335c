// Safe packet access in the kernel: the tour examples that parse and rewrite packets
// (examples/packet_parsing.ks, xdp_reflect.ks, tc_ttl_guard.ks) are compiled, built with
// -Werror, loaded (so the verifier accepted every header access) and run with
// BPF_PROG_TEST_RUN on frames built here: return codes, the counters in the maps and
// the rewritten packets are checked, and truncated frames must take the "too short"
// path.

import assert from "node:assert/strict";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms, uintBytes, type ProgRunResult } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";
import {
  ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, IP_A, IP_B, MAC_A, MAC_B,
  arp, ethernet, frame, icmp, internetChecksum, ipv4, ipv6, tcp, udp,
} from "./frames.js";

const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;
const LAYER_LINK = 2n;
const LAYER_NETWORK = 3n;
const LAYER_TRANSPORT = 4n;

const kernelTest = kernelTests("packets.test", kernelSkipReason());

function sorted(result: ProgRunResult, map: string): [bigint, bigint][] {
  return [...integerEntries(findMap(result, map))].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

kernelTest("packet_parsing: classifies Ethernet/VLAN → IPv4/IPv6 → TCP/UDP/ICMP and counts per protocol and port", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "packet_parsing.ks"));
  try {
    const frames: [string, Uint8Array, number][] = [
      ["IPv4 TCP SYN to 80", frame(ethernet(ETH_P_IP, ipv4(6, tcp(40000, 80, { syn: true })))), XDP_PASS],
      ["IPv4 TCP ACK to 80", frame(ethernet(ETH_P_IP, ipv4(6, tcp(40000, 80, { ack: true })))), XDP_PASS],
      ["IPv4 UDP to 53", frame(ethernet(ETH_P_IP, ipv4(17, udp(5353, 53, [1, 2, 3, 4])))), XDP_PASS],
      ["IPv4 with options, UDP to 443", frame(ethernet(ETH_P_IP, ipv4(17, udp(1, 443), { options: [1, 1, 1, 0, 1, 1, 1, 0] }))), XDP_PASS],
      ["IPv4 ICMP echo", frame(ethernet(ETH_P_IP, ipv4(1, icmp(8, 0, 7, 1)))), XDP_PASS],
      ["IPv6 TCP to 22", frame(ethernet(ETH_P_IPV6, ipv6(6, tcp(50000, 22)))), XDP_PASS],
      ["IPv6 ICMPv6 echo", frame(ethernet(ETH_P_IPV6, ipv6(58, icmp(128, 0, 1, 1)))), XDP_PASS],
      ["VLAN-tagged IPv4 UDP to 53", frame(ethernet(ETH_P_IP, ipv4(17, udp(1000, 53)), { vlan: 100 })), XDP_PASS],
      ["ARP", frame(ethernet(ETH_P_ARP, arp())), XDP_PASS],
      ["blocked port 23 (telnet)", frame(ethernet(ETH_P_IP, ipv4(6, tcp(40001, 23)))), XDP_DROP],
      ["blocked port 23 over IPv6 UDP", frame(ethernet(ETH_P_IPV6, ipv6(17, udp(1, 23)))), XDP_DROP],
    ];
    const result = runPrograms(build.bpfObject, frames.map(([, data]) => ({ prog: "classify", data })), {
      presets: [{ map: "blocked_ports", key: uintBytes(23, 2), value: uintBytes(1, 1) }],
    });
    assert.deepEqual(result.runs.map((r, i) => [frames[i]![0], r.retval]), frames.map(([name, , rc]) => [name, rc]));
    assert.deepEqual(sorted(result, "ethertype_counts"), [
      [BigInt(ETH_P_IP), 7n], [BigInt(ETH_P_ARP), 1n], [BigInt(ETH_P_IPV6), 3n],
    ]);
    assert.deepEqual(sorted(result, "protocol_counts"), [[1n, 1n], [6n, 4n], [17n, 4n], [58n, 1n]]);
    assert.deepEqual(sorted(result, "port_counts"), [[22n, 1n], [23n, 2n], [53n, 2n], [80n, 2n], [443n, 1n]]);
    assert.deepEqual(sorted(result, "syn_counts"), [[0n, 1n]]);
    assert.deepEqual(sorted(result, "icmp_types"), [[8n, 1n], [128n, 1n]]);
    assert.deepEqual(sorted(result, "truncated"), []);
  } finally {
    build.cleanup();
  }
});

kernelTest("packet_parsing: truncated frames take the too-short path at the layer that does not fit", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "packet_parsing.ks"));
  try {
    const full = ethernet(ETH_P_IP, ipv4(6, tcp(40000, 80)));
    const v6 = ethernet(ETH_P_IPV6, ipv6(17, udp(1, 53)));
    const tagged = ethernet(ETH_P_IP, ipv4(17, udp(1, 53)), { vlan: 7 });
    const withOptions = ethernet(ETH_P_IP, ipv4(17, udp(1, 53), { options: [1, 1, 1, 0] }));
    const runs: [string, Uint8Array, number][] = [
      // Exactly 14 bytes: Ethernet only, the IPv4 header announced does not fit.
      ["IPv4 EtherType, no IPv4 header", new Uint8Array(full.slice(0, 14)), XDP_DROP],
      ["IPv4 header cut at 19 of 20 bytes", new Uint8Array(full.slice(0, 14 + 19)), XDP_DROP],
      ["TCP header cut at 19 of 20 bytes", new Uint8Array(full.slice(0, 14 + 20 + 19)), XDP_DROP],
      ["IPv6 header cut at 39 of 40 bytes", new Uint8Array(v6.slice(0, 14 + 39)), XDP_DROP],
      ["UDP after IPv6 cut at 7 of 8 bytes", new Uint8Array(v6.slice(0, 14 + 40 + 7)), XDP_DROP],
      // The tag is there but the frame ends inside it.
      ["VLAN tag cut at 2 of 4 bytes", new Uint8Array(tagged.slice(0, 14 + 2)), XDP_DROP],
      // ihl = 6: UDP starts 4 bytes later than a 20-byte header would say.
      ["UDP after IPv4 options cut short", new Uint8Array(withOptions.slice(0, 14 + 24 + 7)), XDP_DROP],
      ["the same frame complete", new Uint8Array(withOptions), XDP_PASS],
    ];
    const result = runPrograms(build.bpfObject, runs.map(([, data]) => ({ prog: "classify", data })));
    assert.deepEqual(result.runs.map((r, i) => [runs[i]![0], r.retval]), runs.map(([name, , rc]) => [name, rc]));
    assert.deepEqual(sorted(result, "truncated"), [[LAYER_LINK, 1n], [LAYER_NETWORK, 3n], [LAYER_TRANSPORT, 3n]]);
    // Only the complete frame reached the port counter.
    assert.deepEqual(sorted(result, "port_counts"), [[53n, 1n]]);
  } finally {
    build.cleanup();
  }
});

kernelTest("xdp_reflect: an ICMP echo request comes back as a valid echo reply (XDP_TX)", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "xdp_reflect.ks"));
  try {
    const payload = Array.from({ length: 24 }, (_, i) => i);
    const request = frame(ethernet(ETH_P_IP, ipv4(1, icmp(8, 0, 0x1234, 9, payload))));
    const udpFrame = frame(ethernet(ETH_P_IP, ipv4(17, udp(1, 2))));
    const result = runPrograms(build.bpfObject, [
      { prog: "reflect", data: request },
      { prog: "reflect", data: udpFrame },
      { prog: "reflect", data: frame(ethernet(ETH_P_IP, ipv4(1, icmp(0, 0, 1, 1)))) },
      { prog: "reflect", data: new Uint8Array(request.slice(0, 14 + 20 + 5)) },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_TX, XDP_PASS, XDP_PASS, XDP_PASS]);
    const out = result.runs[0]!.dataOut;
    assert.equal(out.length, request.length);
    // MACs and IPv4 addresses swapped.
    assert.deepEqual([...out.slice(0, 6)], MAC_A);
    assert.deepEqual([...out.slice(6, 12)], MAC_B);
    assert.deepEqual([...out.slice(14 + 12, 14 + 16)], IP_B);
    assert.deepEqual([...out.slice(14 + 16, 14 + 20)], IP_A);
    // IPv4 header checksum still valid, ICMP type 0 (echo reply) with a valid checksum.
    assert.equal(internetChecksum(out.slice(14, 34)), 0);
    const message = out.slice(34, 34 + 8 + payload.length);
    assert.equal(message[0], 0);
    assert.equal(internetChecksum(message), 0);
    // Identifier, sequence and payload untouched.
    assert.deepEqual([...out.slice(38)], [...request.slice(38)]);
    // Frames not reflected are left as they were.
    assert.deepEqual(result.runs[1]!.dataOut, udpFrame);
    assert.deepEqual(sorted(result, "replies"), [[0n, 1n]]);
  } finally {
    build.cleanup();
  }
});

kernelTest("tc_ttl_guard: decrements the TTL with a valid checksum, drops expiring and malformed packets", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tc_ttl_guard.ks"));
  try {
    const packet = frame(ethernet(ETH_P_IP, ipv4(17, udp(1, 53), { ttl: 64, tos: 46 << 2 })));
    const result = runPrograms(build.bpfObject, [
      { prog: "ttl_guard", data: packet },
      { prog: "ttl_guard", data: frame(ethernet(ETH_P_IP, ipv4(6, tcp(1, 2), { ttl: 1 }))) },
      { prog: "ttl_guard", data: frame(ethernet(ETH_P_IPV6, ipv6(17, udp(1, 2)))) },
      // (A truncated IPv4 packet cannot be tested here: BPF_PROG_TEST_RUN refuses to build
      // an skb whose IPv4 header is incomplete, so the kernel never runs the program.)
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [TC_ACT_OK, TC_ACT_SHOT, TC_ACT_OK]);
    const out = result.runs[0]!.dataOut;
    assert.equal(out[14 + 8], 63);
    assert.equal(internetChecksum(out.slice(14, 34)), 0, "IPv4 header checksum after the TTL change");
    // Only the TTL (byte 22) and the checksum (bytes 24-25) change.
    const changed = [...out].flatMap((b, i) => (b !== packet[i] ? [i] : []));
    assert.deepEqual(changed.filter((i) => i !== 24 && i !== 25), [22]);
    assert.deepEqual(sorted(result, "dscp_counts"), [[0n, 1n], [46n, 1n]]);
    assert.deepEqual(sorted(result, "expired"), [[0n, 1n]]);
  } finally {
    build.cleanup();
  }
});

kernelTest("upstream dynptr equivalent: the first packet byte is read through a proven binding and loads", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "upstream", "dynptr.ks"));
  try {
    const value = new Uint8Array(36);
    value.set(uintBytes(5, 4), 32);
    const firstByteZero = new Uint8Array(60);
    const result = runPrograms(build.bpfObject, [
      { prog: "test", data: frame(ethernet(ETH_P_IP, ipv4(17, udp(1, 2)))) },
      { prog: "test", data: firstByteZero },
    ], { presets: [{ map: "buffer_map", key: uintBytes(1, 4), value }] });
    assert.ok(result.programs.every((p) => p.loaded));
    // Entry 1 has size 5: passes whatever the first byte is.
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS]);
    const empty = runPrograms(build.bpfObject, [
      { prog: "test", data: frame(ethernet(ETH_P_IP, ipv4(17, udp(1, 2)))) },
    ]);
    // No entry: the copy reads as zero, so the program drops.
    assert.deepEqual(empty.runs.map((r) => r.retval), [XDP_DROP]);
  } finally {
    build.cleanup();
  }
});
