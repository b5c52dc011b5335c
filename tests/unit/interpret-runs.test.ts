// Program runs on the interpreter: packet bounds as the verifier enforces them (a header
// binding past the end takes the else branch), the packet builders' bytes and checksums
// (test-runtime.c's), what each program type sees (socket filters and cgroup_skb from
// the network header), tail calls and the kernel's limit of 33, `repeat`.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpretSource, runSource, statuses } from "../harness/interpret.js";

/** The 16-bit one's-complement sum of `hex` bytes (0xffff when a checksum inside is right). */
function onesSum(hex: string, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 2) sum += parseInt(hex.slice(2 * i, 2 * i + 4), 16);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

describe("interpreter: program runs", () => {
  it("a header binding past the packet's end takes the else branch", () => {
    const source = `
var seen: array<u32, u32>(2)
@xdp
fn parse(ctx: XdpContext) -> XdpAction {
    if (var ip: *iphdr = ctx.header(14)) {
        seen[0] = ip.ttl as u32
        return XDP_PASS
    }
    seen[1] = 1
    return XDP_DROP
}
`;
    const short = runSource(source, "parse", { packet: new Uint8Array(33) });
    assert.equal(short.retval, 1, "33 bytes cannot hold Ethernet + IPv4");
    const full = runSource(source, "parse", { packet: new Uint8Array(34) });
    assert.equal(full.retval, 2, "34 bytes can");
  });

  it("the default frame is Ethernet + IPv4 + UDP with the runtime's addresses, ports and checksums", () => {
    const run = runSource(`
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}
`, "pass");
    const hex = run.packet!;
    assert.equal(hex.length, 84, "42 bytes");
    assert.equal(hex.slice(0, 28), "020000000002020000000001" + "0800");
    assert.equal(hex.slice(28, 32), "4500", "version 4, ihl 5");
    assert.equal(hex.slice(44, 48), "4011", "ttl 64, protocol UDP");
    assert.equal(hex.slice(52, 68), "c6120001c6120002", "198.18.0.1 -> 198.18.0.2");
    assert.equal(hex.slice(68, 76), "9c400035", "40000 -> 53");
    assert.equal(onesSum(hex, 14, 34), 0xffff, "the IPv4 header checksum is right");
  });

  it("packet builders: TCP flags, ICMP checksum, payload bytes, pad_to", () => {
    const report = interpretSource(`
var verdicts: array<u32, u32>(1)
@xdp
fn look(ctx: XdpContext) -> XdpAction {
    if (var tcp: *tcphdr = ctx.header(34)) {
        if (tcp.syn == 1 && tcp.ack == 0 && tcp.doff == 5) { verdicts[0] = 1 }
    }
    return XDP_PASS
}
@test
fn builders() {
    var syn = eth_packet().ipv4().tcp(tcphdr { syn: 1 })
    assert(syn.len == 54)
    assert(syn.data[46] == 0x50 && syn.data[47] == 0x02, "doff 5, SYN")
    var r = test_run(look, TestRun { packet: syn })
    assert(r.retval == XDP_PASS && verdicts[0] == 1)
    var ping = eth_packet().ipv4().icmp(icmphdr { type: ICMP_ECHO }).payload(3)
    assert(ping.len == 45 && ping.data[42] == 42 && ping.data[44] == 44)
    var sum: u32 = 0
    for (i in 0..5) {
        sum = sum + ((ping.data[34 + i * 2] as u32) << 8) + (ping.data[35 + i * 2] as u32)
    }
    sum = sum + ((ping.data[44] as u32) << 8)
    sum = (sum & 0xffff) + (sum >> 16)
    assert(sum == 0xffff, "ICMP checksum over header and payload")
    assert(eth_packet().pad_to(60).len == 60)
}
`);
    assert.deepEqual(statuses(report), { builders: "pass" }, report.tests[0]?.message);
  });

  it("a builder step out of order fails the test with the runtime's words", () => {
    const report = interpretSource(`
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}
@test
fn too_short() {
    var p = eth_packet().ipv4()
    assert(test(pass, TestRun { packet: p.pad_to(10) }) == XDP_PASS)
}
`);
    assert.equal(report.tests[0]!.status, "fail");
    assert.equal(report.tests[0]!.message, ".pad_to(10): the packet is already 34 bytes long");
  });

  it("socket filters and cgroup_skb programs see the packet from its network header", () => {
    const report = interpretSource(`
var lens: array<u32, u32>(2)
@socket_filter
fn sf(ctx: *__sk_buff) -> u32 {
    lens[0] = ctx.len
    return 0
}
@cgroup_skb("egress")
fn cg(ctx: *__sk_buff) -> i32 {
    lens[1] = ctx.len
    return 1
}
@test
fn lengths() {
    assert(test(sf, TestRun { packet: eth_packet().ipv4().udp().pad_to(100) }) == 0)
    assert(test(cg, TestRun { packet: eth_packet().ipv4().udp().pad_to(100) }) == 1)
    assert(lens[0] == 86 && lens[1] == 86)
}
`);
    assert.deepEqual(statuses(report), { lengths: "pass" }, report.tests[0]?.message);
    const run = report.trace.tests[0]!.runs[0]!;
    assert.equal(run.packet!.slice(0, 28), "0".repeat(28), "the kernel gives the pulled Ethernet header back zeroed");
  });

  it("tail calls: a chain stops after 33 (the kernel's limit) and falls back", () => {
    const report = interpretSource(`
var runs: array<u32, u64>(1)
@xdp
fn again(ctx: XdpContext) -> XdpAction {
    runs[0] += 1
    return again(ctx)
}
@test
fn limit() {
    assert(test(again, TestRun {}) == XDP_PASS, "the compiler's fallback when the tail call fails")
    assert(runs[0] == 34, "the first run and 33 tail calls")
}
`);
    assert.deepEqual(statuses(report), { limit: "pass" }, report.tests[0]?.message);
  });

  it("repeat runs the program that many times on the same state", () => {
    const report = interpretSource(`
var n: array<u32, u64>(1)
@xdp
fn count(ctx: XdpContext) -> XdpAction {
    n[0] += 1
    return XDP_PASS
}
@test
fn thrice() {
    assert(test(count, TestRun { repeat: 3 }) == XDP_PASS)
    assert(n[0] == 3)
}
`);
    assert.deepEqual(statuses(report), { thrice: "pass" });
    assert.deepEqual(report.trace.tests[0]!.runs.map((r) => r.retval), [2], "one run recorded per test() call");
  });
});

describe("interpreter: agreement with the kernel (disagreements found and fixed)", () => {
  it("a TC run's ingress_ifindex is the run's (0 by default, as the kernel's skb_iif), its ifindex the loopback device", () => {
    const source = `
var seen: array<u32, u32>(2)
@tc("ingress")
fn t(ctx: TcContext) -> TcAction {
    seen[0] = ctx.ingress_ifindex
    seen[1] = ctx.ifindex
    return TC_ACT_OK
}
@test
fn defaults() {
    assert(test(t, TestRun {}) == TC_ACT_OK)
    assert(seen[0] == 0 && seen[1] == 1)
    assert(test(t, TestRun { ingress_ifindex: 7 }) == TC_ACT_OK)
    assert(seen[0] == 7, "copied as given: it names no device")
}
`;
    const report = interpretSource(source);
    assert.deepEqual(statuses(report), { defaults: "pass" }, report.tests[0]?.message);
  });
});

describe("interpreter: strings", () => {
  it("s[i] = c with a run-time index at or past N writes nothing (found by sweeping the emit cases)", () => {
    const report = interpretSource(`
struct Named { name: str(16) }
var names: ringbuf<Named>(4096)
@xdp
fn name_packet(ctx: *xdp_md) -> xdp_action {
    var tag: u8[4] = [120, 100, 112, 0]
    if (var n = names.reserve()) {
        n.name = tag as str(16)
        n.name[3] = '!'
        n.name[(ctx.data_end - ctx.data) as u32] = '?'
        names.submit(n)
    }
    return XDP_PASS
}
@test
fn bounded() {
    assert(test(name_packet, TestRun {}) == XDP_PASS)
    var n = names.next()
    assert(n.name == "xdp!")
}
`);
    assert.deepEqual(statuses(report), { bounded: "pass" }, report.tests[0]?.message);
  });
});

describe("interpreter: packet helpers", () => {
  it("bpf_xdp_adjust_head/tail move the frame's ends as the kernel does (checked against it)", () => {
    const report = interpretSource(`
extern bpf_xdp_adjust_head(ctx: *xdp_md, delta: i32) -> i64
extern bpf_xdp_adjust_tail(ctx: *xdp_md, delta: i32) -> i64
var res: array<u32, u64>(4)

@xdp
fn strip(ctx: *xdp_md) -> xdp_action {
    res[0] = bpf_xdp_adjust_head(ctx, 14) as u64
    res[1] = bpf_xdp_adjust_tail(ctx, -10) as u64
    res[2] = (ctx.data_end - ctx.data) as u64
    res[3] = bpf_xdp_adjust_head(ctx, 80) as u64
    return XDP_PASS
}

@xdp
fn grow(ctx: *xdp_md) -> xdp_action {
    res[0] = bpf_xdp_adjust_head(ctx, -8) as u64
    res[1] = bpf_xdp_adjust_tail(ctx, 6) as u64
    return XDP_PASS
}

@test
fn strips() {
    var r = test_run(strip, TestRun { packet: eth_packet().ipv4().udp().pad_to(100) })
    assert(r.retval == XDP_PASS)
    assert(res[0] == 0 && res[1] == 0 && res[2] == 76)
    assert(res[3] != 0, "the frame cannot shrink below an Ethernet header")
    assert(r.packet.len == 76 && r.packet.data[0] == 0x45)
}

@test
fn grows() {
    var r = test_run(grow, TestRun { packet: eth_packet().ipv4().udp().pad_to(100) })
    assert(res[0] == 0 && res[1] == 0)
    assert(r.packet.len == 114 && r.packet.data[0] == 0 && r.packet.data[8] == 2 && r.packet.data[113] == 0)
}
`);
    assert.deepEqual(statuses(report), { strips: "pass", grows: "pass" }, report.tests.map((t) => t.message).join("\n"));
  });
});
