// Every map kind on the interpreter, with the kernel's answers: a full hash map refuses a
// new key, an LRU map evicts its least recently used entry, an LPM trie answers the
// longest prefix, queues and stacks keep their order and refuse a push when full,
// per-CPU maps keep each CPU's value apart, arrays have every index.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpretSource, le, runSource, statuses } from "../harness/interpret.js";

describe("interpreter: maps", () => {
  it("a full hash map refuses a new key; updates of present keys still work", () => {
    const run = runSource(`
var h: hash<u32, u64>(2)
@xdp
fn fill(ctx: XdpContext) -> XdpAction {
    h[1] = 10
    h[2] = 20
    h[3] = 30
    h[1] += 5
    return XDP_PASS
}
`, "fill");
    assert.equal(run.status, "ok", run.message);
    assert.deepEqual(run.maps.h, [[le(1n, 4), le(15n, 8)], [le(2n, 4), le(20n, 8)]]);
  });

  it("an LRU map evicts the least recently used entry (a lookup counts as a use)", () => {
    const run = runSource(`
var l: lru_hash<u32, u64>(2)
var seen: array<u32, u64>(1)
@xdp
fn touch(ctx: XdpContext) -> XdpAction {
    l[1] = 10
    l[2] = 20
    seen[0] = l[1]
    l[3] = 30
    return XDP_PASS
}
`, "touch");
    assert.equal(run.status, "ok", run.message);
    assert.deepEqual(run.maps.l, [[le(1n, 4), le(10n, 8)], [le(3n, 4), le(30n, 8)]], "key 2 was the least recently used");
  });

  it("an LPM trie answers the longest matching prefix", () => {
    const report = interpretSource(`
struct Key { prefixlen: u32, addr: be32 }
var routes: lpm_trie<Key, u32>(16)
var hit: array<u32, u32>(1)
@xdp
fn route(ctx: XdpContext) -> XdpAction {
    if (var ip: *iphdr = ctx.header(14)) {
        if (var r = routes[Key { prefixlen: 32, addr: ip.saddr }]) {
            hit[0] = r
        }
    }
    return XDP_PASS
}
@test
fn longest() {
    routes[Key { prefixlen: 8, addr: htonl(0xc6000000) }] = 8
    routes[Key { prefixlen: 24, addr: htonl(0xc6120000) }] = 24
    routes[Key { prefixlen: 16, addr: htonl(0xc6120000) }] = 16
    assert(test(route, TestRun { packet: eth_packet().ipv4(iphdr { saddr: htonl(0xc6120005) }).udp() }) == XDP_PASS)
    assert(hit[0] == 24)
    assert(test(route, TestRun { packet: eth_packet().ipv4(iphdr { saddr: htonl(0xc6130005) }).udp() }) == XDP_PASS)
    assert(hit[0] == 8)
    assert(routes[Key { prefixlen: 32, addr: htonl(0x0a000001) }] == null)
}
`);
    assert.deepEqual(statuses(report), { longest: "pass" }, report.tests[0]?.message);
  });

  it("queues give the oldest value, stacks the newest; a full one refuses a push", () => {
    const report = interpretSource(`
var q: queue<u32>(2)
var s: stack<u32>(2)
var refused: array<u32, u32>(1)
@xdp
fn fill(ctx: XdpContext) -> XdpAction {
    for (i in 1..4) {
        if (!q.push(i)) { refused[0] += 1 }
        if (!s.push(i)) { refused[0] += 1 }
    }
    return XDP_PASS
}
@test
fn order() {
    assert(test(fill, TestRun {}) == XDP_PASS)
    assert(refused[0] == 2, "the third push into each was refused")
    if (var a = q.pop()) { assert(a == 1) } else { assert(false, "queue empty") }
    if (var b = s.pop()) { assert(b == 2) } else { assert(false, "stack empty") }
    if (var c = q.pop()) { assert(c == 2) } else { assert(false, "queue empty") }
    if (var d = q.pop()) { assert(false, "the queue held only two") }
}
`);
    assert.deepEqual(statuses(report), { order: "pass" }, report.tests[0]?.message);
  });

  it("per-CPU maps: a run changes only its CPU's value; user space reads the sum", () => {
    const source = `
var counts: percpu_array<u32, u64>(1)
@xdp
fn count(ctx: XdpContext) -> XdpAction {
    counts[0] += 1
    return XDP_PASS
}
@test
fn isolated() {
    counts[0] = 5
    assert(test(count, TestRun {}) == XDP_PASS)
    assert(counts.per_cpu(0, 1) == 6, "CPU 1 ran the program")
    assert(counts.per_cpu(0, 0) == 5, "CPU 0 kept the value user space wrote")
    assert(counts[0] == 11, "user space reads the sum over CPUs")
}
`;
    const report = interpretSource(source, { cpu: 1 });
    assert.deepEqual(statuses(report), { isolated: "pass" }, report.tests[0]?.message);
    assert.deepEqual(report.trace.tests[0]!.maps.counts, [[le(0n, 4), le(5n, 8)]], "the trace holds CPU 0's value");
  });

  it("arrays list every index; an index past the end is not an entry", () => {
    const run = runSource(`
var a: array<u32, u32>(3)
@xdp
fn put(ctx: XdpContext) -> XdpAction {
    a[1] = 7
    var i: u32 = 5
    a[i] = 9
    return XDP_PASS
}
`, "put");
    assert.equal(run.status, "ok", run.message);
    assert.deepEqual(run.maps.a, [[le(0n, 4), le(0n, 4)], [le(1n, 4), le(7n, 4)], [le(2n, 4), le(0n, 4)]]);
  });

  it("ring buffer records come back in order; discarded ones never", () => {
    const report = interpretSource(`
struct Ev { n: u32 }
var rb: ringbuf<Ev>(4096)
@xdp
fn emit(ctx: XdpContext) -> XdpAction {
    for (i in 0..3) {
        if (var e = rb.reserve()) {
            e.n = i
            if (i == 1) { rb.discard(e) } else { rb.submit(e) }
        }
    }
    return XDP_PASS
}
@test
fn records() {
    assert(test(emit, TestRun {}) == XDP_PASS)
    assert(rb.pending() == 2)
    var a = rb.next()
    var b = rb.next()
    assert(a.n == 0 && b.n == 2)
}
`);
    assert.deepEqual(statuses(report), { records: "pass" }, report.tests[0]?.message);
  });

  it("each test starts from the declared state", () => {
    const report = interpretSource(`
var h: hash<u32, u64>(8)
var g: u64 = 3
@xdp
fn bump(ctx: XdpContext) -> XdpAction {
    h[0] += 1
    g += 1
    return XDP_PASS
}
@test
fn first() {
    assert(test(bump, TestRun {}) == XDP_PASS)
    assert(h[0] == 1 && g == 4)
}
@test
fn second() {
    assert(h[0] == 0 && g == 3)
    assert(test(bump, TestRun {}) == XDP_PASS)
}
`);
    assert.deepEqual(statuses(report), { first: "pass", second: "pass" });
  });
});

describe("interpreter: a full ring buffer", () => {
  it("refuses reserve() when full and counts it in dropped()", () => {
    const report = interpretSource(`
struct Big { payload: u64[60] }
var rb: ringbuf<Big>(4096)
@xdp
fn flood(ctx: XdpContext) -> XdpAction {
    for (i in 0..12) {
        if (var e = rb.reserve()) {
            e.payload[0] = i
            rb.submit(e)
        }
    }
    return XDP_PASS
}
@test
fn fills() {
    assert(test(flood, TestRun {}) == XDP_PASS)
    assert(rb.pending() == 8, "4096 bytes hold 8 records of 480 + 8 bytes")
    assert(rb.dropped() == 4)
}
`);
    assert.deepEqual(statuses(report), { fills: "pass" }, report.tests[0]?.message);
  });
});

describe("interpreter: @stats maps", () => {
  it("record() creates the entry with the first sample, then counts, sums and keeps min and max", () => {
    const run = runSource(`
struct Stats { count: u64, sum: u64, min: u64, max: u64 }
@stats var sizes: hash<u32, Stats>(4)
@xdp
fn sample(ctx: XdpContext) -> XdpAction {
    record(sizes, 1, 30)
    record(sizes, 1, 10)
    record(sizes, 1, 20)
    return XDP_PASS
}
`, "sample");
    assert.equal(run.status, "ok", run.message);
    assert.deepEqual(run.maps.sizes, [[le(1n, 4), le(3n, 8) + le(60n, 8) + le(10n, 8) + le(30n, 8)]]);
  });
});
