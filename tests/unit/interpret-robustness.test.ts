// No input makes the interpreter hang or throw: an endless loop stops at the step budget
// (E0701), runaway recursion at the call-depth limit (E0702), and a construct it cannot
// compute exactly without a kernel skips the test with E0700 instead of guessing. The
// diagnostics' cases (tests/cases/interpret/*.ks, markers as in tests/cases/errors) are
// checked here: every marked code is reported on its line, and nothing else.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";
import { parseMarkers } from "../harness/errors.js";
import { interpretSource } from "../harness/interpret.js";
import { lineColumnOf, makeSourceFile } from "../../src/compiler/index.js";

const spin = `
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}
fn spin() -> u32 {
    var x: u32 = 0
    while (true) {
        x += 1
    }
    return x
}
@test
fn endless() {
    assert(test(pass, TestRun {}) == XDP_PASS)
    assert(spin() == 0)
}
`;

describe("interpreter: robustness", () => {
  it("an endless loop stops at the step budget with E0701 and fails the test", () => {
    const report = interpretSource(spin, { stepLimit: 10_000 });
    assert.equal(report.tests[0]!.status, "fail");
    assert.match(report.tests[0]!.message!, /did not finish within 10000 interpreter steps/);
    assert.deepEqual(report.diagnostics.map((d) => d.code), ["E0701"]);
  });

  it("runaway recursion stops at the call-depth limit with E0702", () => {
    const report = interpretSource(`
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}
fn down(n: u64) -> u64 {
    return down(n + 1) + 1
}
@test
fn deep() {
    assert(test(pass, TestRun {}) == XDP_PASS)
    assert(down(0) == 0)
}
`);
    assert.equal(report.tests[0]!.status, "fail");
    assert.deepEqual(report.diagnostics.map((d) => d.code), ["E0702"]);
  });

  it("a construct without an exact answer skips the test with E0700 (never a guessed value)", () => {
    const report = interpretSource(`
var count: array<u32, u64>(1)
@raw_tracepoint("sys_enter")
fn seen(regs: u64, id: i64) -> i32 {
    count[0] += 1
    return 0
}
@test
fn attaches() {
    var prog = load(seen)
    assert(attach(prog, "sys_enter", 0) == 0)
}
`);
    assert.equal(report.tests[0]!.status, "skip");
    assert.match(report.tests[0]!.message!, /`load\(\)` cannot be computed exactly without a kernel/);
    assert.deepEqual(report.diagnostics.map((d) => d.code), ["E0700"]);
    assert.equal(report.trace.tests[0]!.status, "skip");
  });

  it("a failure before the construct that needs the kernel is a failure, not a skip", () => {
    const report = interpretSource(`
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}
@test
fn fails_first() {
    assert(test(pass, TestRun {}) == XDP_DROP)
    assert(run_command("/bin/true") == 0)
}
`);
    assert.equal(report.tests[0]!.status, "fail");
  });

  it("reports each case's marked codes on their lines (tests/cases/interpret)", () => {
    const dir = join(repoRoot, "tests", "cases", "interpret");
    const cases = casesIn(dir, ".ks");
    assert.ok(cases.length >= 4, "a case per interpreter code");
    for (const path of cases) {
      const text = readFileSync(path, "utf8");
      const expected = parseMarkers(path, text).map((m) => `${m.line} ${m.code}`).sort();
      const report = interpretSource(text, { stepLimit: 100_000 }, path);
      const source = makeSourceFile(path, text);
      const reported = report.diagnostics.map((d) => `${lineColumnOf(source, d.primary.span.start).line} ${d.code}`).sort();
      assert.deepEqual(reported, expected, path);
    }
  });
});
