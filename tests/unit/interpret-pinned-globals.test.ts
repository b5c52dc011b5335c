// `pin var` globals on the interpreter: they live where the generated C keeps them, in
// the single entry of the compiler's pinned-globals map (`ks_pinned()->g` for the program,
// the map's mapping for user space), so a run's writes are what the test reads and the
// map holds both; that compiler-made map is not in the trace (the kernel's trace leaves it
// out too).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { lowerForTests } from "../../src/compiler/index.js";
import { Machine } from "../../src/compiler/interpret/machine.js";
import { Interpreter } from "../../src/compiler/interpret/statements.js";
import { globalName, pinnedGlobalsMapName, pinnedGlobalsStructName } from "../../src/compiler/names.js";
import { interpretSource, le, memoryHost, statuses } from "../harness/interpret.js";

const counting = `
pin var hits: u64 = 0
pin var budget: u32 = 3
var plain: u32 = 7
@xdp fn count(ctx: *xdp_md) -> xdp_action {
    hits += 1
    budget -= 1
    return XDP_PASS
}
@test
fn counts_one_hit() {
    assert(test(count, TestRun { packet: eth_packet().ipv4().udp() }) == XDP_PASS)
    assert(hits == 1, "the program's increment")
    assert(budget == 2)
}
@test
fn user_writes_reach_the_program() {
    hits = 40
    assert(test(count, TestRun {}) == XDP_PASS)
    assert(hits == 41)
}
`;

describe("interpreter: pinned globals", () => {
  it("the program and the test share a pinned global; the trace leaves the compiler's map out", () => {
    const report = interpretSource(counting);
    assert.deepEqual(statuses(report), { counts_one_hit: "pass", user_writes_reach_the_program: "pass" }, report.tests.map((t) => t.message).join("; "));
    for (const t of report.trace.tests) {
      assert.deepEqual(Object.keys(t.maps), [], `${t.name}: no ${pinnedGlobalsMapName} (nor any map) in the trace`);
    }
  });

  it("a pinned global's bytes are its field of the pinned-globals map's entry, initial value included", () => {
    const path = "/t/pinned.ks";
    const { ir } = lowerForTests(path, memoryHost(path, counting));
    assert.ok(ir);
    const machine = new Machine(ir, { cpu: 0, cpus: 1, seed: 1, stepLimit: 1_000_000, depthLimit: 100 });
    const entry = machine.maps.get(pinnedGlobalsMapName)?.lookup(new Uint8Array(4), 0);
    assert.ok(entry, "the pinned-globals map has its entry");
    const hitsAt = machine.layouts.field(pinnedGlobalsStructName, globalName("hits")).offset;
    const budgetAt = machine.layouts.field(pinnedGlobalsStructName, globalName("budget")).offset;
    const hex = (at: number, size: number): string => Buffer.from(entry.bytes.subarray(at, at + size)).toString("hex");
    assert.equal(hex(budgetAt, 4), le(3n, 4), "the initial value is in the map");
    const test = ir.testFunctions?.find((f) => f.name === "counts_one_hit");
    assert.ok(test);
    new Interpreter(machine).callFunction(test, [], "user", undefined, test.span);
    assert.equal(hex(hitsAt, 8), le(1n, 8), "the map holds what the program wrote");
    assert.equal(hex(budgetAt, 4), le(2n, 4));
    assert.equal(machine.global("hits").mem, entry, "the global is the map's entry, not a copy");
    assert.notEqual(machine.global("plain").mem, entry, "a shared (not pinned) global has its own storage");
  });

  it("a pinned struct sits at an offset of 8, as in the kernel's map (tests/kernel/struct-values.test.ts)", () => {
    const text = `
struct Rec { tag: u8, name: u8[299] }
pin var count: u32
pin var rec: Rec
pin var bytes: u8[3]
pin var after: u8
@xdp fn touch(ctx: *xdp_md) -> xdp_action {
    rec.name[2] = 6
    var r = rec
    count = r.name[2] as u32
    return XDP_PASS
}
@test
fn copies() {
    assert(test(touch, TestRun {}) == XDP_PASS)
    assert(count == 6)
}
`;
    const path = "/t/aligned.ks";
    const { ir } = lowerForTests(path, memoryHost(path, text));
    assert.ok(ir);
    const machine = new Machine(ir, { cpu: 0, cpus: 1, seed: 1, stepLimit: 1_000_000, depthLimit: 100 });
    const at = (name: string): number => machine.layouts.field(pinnedGlobalsStructName, globalName(name)).offset;
    // u32 at 0, the struct (alignment 1) at 8, the array after it at the next 8, then a byte.
    assert.deepEqual([at("count"), at("rec"), at("bytes"), at("after")], [0, 8, 312, 315]);
    assert.equal(machine.maps.get(pinnedGlobalsMapName)?.lookup(new Uint8Array(4), 0)?.bytes.length, 320, "rounded up to the struct's alignment, 8");
    assert.deepEqual(statuses(interpretSource(text)), { copies: "pass" });
  });
});
