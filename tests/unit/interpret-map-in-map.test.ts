// Maps of maps on the interpreter, as emit/map-kinds-c.ts's `ks_inner_get_*` reads them:
// user space stores a declared map (`outer[k] = m`, the map's fd; reading the slot back
// gives its id), eBPF reads `outer[k][i]`, which is zero when the slot is empty or the
// stored map has no entry `i`; `delete outer[k]` empties the slot (an array's too), and an
// empty slot is absent for user space, as the kernel's lookup answers ENOENT for it.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { interpretSource, statuses } from "../harness/interpret.js";

describe("interpreter: maps of maps", () => {
  it("array_of_maps: the run reads the stored array; another store or a delete changes it", () => {
    const report = interpretSource(`
var first: array<u32, u32>(4)
var second: array<u32, u32>(4)
var tables: array_of_maps<u32, array<u32, u32>(4)>(2)
var seen: hash<u32, u32>(4)
@xdp fn read(ctx: *xdp_md) -> xdp_action {
    seen[0] = tables[0][2]
    seen[1] = tables[1][2]
    seen[2] = tables[0][9]
    return XDP_PASS
}
@test
fn inner() {
    first[2] = 20
    second[2] = 30
    assert(test(read, TestRun {}) == XDP_PASS)
    assert(seen[0] == 0 && seen[1] == 0, "empty slots read as 0")
    assert(tables[0] == 0, "user space reads an empty slot as 0")
    if (var t = tables[0]) { assert(false, "an empty slot of an array of maps is absent (the kernel's ENOENT)") }
    tables[0] = first
    tables[1] = second
    assert(test(read, TestRun {}) == XDP_PASS)
    assert(seen[0] == 20 && seen[1] == 30, "each slot's map")
    assert(seen[2] == 0, "an index the inner array does not have reads as 0")
    assert(tables[0] != 0 && tables[0] != tables[1], "user space reads back each stored map's id")
    tables[0] = second
    second[2] = 31
    assert(test(read, TestRun {}) == XDP_PASS)
    assert(seen[0] == 31, "the slot holds the map itself, not a copy")
    delete tables[0]
    assert(test(read, TestRun {}) == XDP_PASS)
    assert(seen[0] == 0 && seen[1] == 31, "delete empties the array's slot")
    assert(tables[0] == 0)
    var slots: u32 = 0
    for (k, v) in tables {
        slots += 1
        assert(k == 1, "only the filled slot is walked")
    }
    assert(slots == 1)
}
`);
    assert.deepEqual(statuses(report), { inner: "pass" }, report.tests[0]?.message);
    assert.equal(report.diagnostics.length, 0);
    assert.deepEqual(Object.keys(report.trace.tests[0]!.maps).sort(), ["first", "second", "seen"], "maps of maps are not traced");
  });

  it("hash_of_maps: a present key gives the stored hash's entry, an absent key or entry 0", () => {
    const report = interpretSource(`
var small: hash<u32, u64>(8)
var by_port: hash_of_maps<u16, hash<u32, u64>(8)>(4)
var seen: array<u32, u64>(2)
@xdp fn read(ctx: *xdp_md) -> xdp_action {
    var size = (ctx.data_end - ctx.data) as u32
    seen[0] = by_port[53][size]
    seen[1] = by_port[80][size]
    return XDP_PASS
}
@test
fn inner() {
    var frame = eth_packet().ipv4().udp()
    small[42] = 99
    by_port[53] = small
    assert(test(read, TestRun { packet: frame }) == XDP_PASS)
    assert(seen[0] == 99 && seen[1] == 0, "a 42-byte frame")
    assert(test(read, TestRun { packet: frame.pad_to(60) }) == XDP_PASS)
    assert(seen[0] == 0, "the stored hash has no entry 60")
    delete by_port[53]
    assert(test(read, TestRun { packet: frame }) == XDP_PASS)
    assert(seen[0] == 0, "deleted")
}
`);
    assert.deepEqual(statuses(report), { inner: "pass" }, report.tests[0]?.message);
    assert.equal(report.diagnostics.length, 0);
  });
});
