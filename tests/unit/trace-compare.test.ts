// The trace comparison of the differential test (tests/harness/trace-compare.ts) on
// hand-made traces: equal traces agree, and each kind of difference is found and said
// where it is (test, run, field; a packet's first differing byte; a map's key and values).

import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkTrace, compareTraces, readTrace, type Trace, type TraceTest } from "../harness/trace-compare.js";

const counting: TraceTest = {
  name: "counts",
  status: "pass",
  runs: [
    { program: "filter", retval: 2, packet: "0200000000020200" },
    { program: "tp", retval: 4294967295, packet: null },
  ],
  maps: {
    hits: [["01000000", "0100000000000000"], ["07000000", "0200000000000000"]],
    slots: [["00000000", "00000000"], ["01000000", "05000000"]],
  },
};
const other: TraceTest = { name: "other", status: "fail", runs: [], maps: { hits: [] } };
const base: Trace = { version: 1, tests: [counting, other] };

/** `base` with the first test changed by `change`. */
function withFirst(change: (t: TraceTest) => TraceTest): Trace {
  return { version: 1, tests: [change(counting), other] };
}

function messages(left: Trace, right: Trace): string[] {
  return compareTraces(left, right).map((d) => d.message);
}

test("equal traces have no difference (also after a JSON round trip)", () => {
  assert.deepEqual(compareTraces(base, base), []);
  assert.deepEqual(compareTraces(base, checkTrace(JSON.parse(JSON.stringify(base)))), []);
});

test("a test's status", () => {
  const diffs = compareTraces(base, withFirst((t) => ({ ...t, status: "skip" })));
  assert.deepEqual(diffs, [{ test: "counts", field: "status", message: "test counts: status kernel pass, interpreter skip" }]);
});

test("a run's program, retval and a missing run, by index", () => {
  assert.deepEqual(compareTraces(base, withFirst((t) => ({ ...t, runs: [{ ...t.runs[0]!, retval: 1 }, { ...t.runs[1]!, program: "tp2" }] }))), [
    { test: "counts", run: 0, field: "retval", message: "test counts, run 0 (filter): retval kernel 2, interpreter 1" },
    { test: "counts", run: 1, field: "program", message: "test counts, run 1: program kernel tp, interpreter tp2" },
  ]);
  assert.deepEqual(messages(base, withFirst((t) => ({ ...t, runs: t.runs.slice(0, 1) }))), [
    "test counts: kernel ran 2 program(s), interpreter 1",
    "test counts, run 1: only the kernel ran it (tp, retval 4294967295)",
  ]);
  assert.deepEqual(messages(withFirst((t) => ({ ...t, runs: t.runs.slice(0, 1) })), base), [
    "test counts: kernel ran 1 program(s), interpreter 2",
    "test counts, run 1: only the interpreter ran it (tp, retval 4294967295)",
  ]);
});

test("a packet: the first differing byte offset, a length, null against bytes", () => {
  const packet = (p: string | null): Trace => withFirst((t) => ({ ...t, runs: [{ ...t.runs[0]!, packet: p }, t.runs[1]!] }));
  assert.deepEqual(compareTraces(base, packet("0200000000020300")), [
    { test: "counts", run: 0, field: "packet", message: "test counts, run 0 (filter): packet first differs at byte 6: kernel 0x02, interpreter 0x03" },
  ]);
  assert.deepEqual(messages(base, packet("02000000000202")), [
    "test counts, run 0 (filter): packet kernel and interpreter agree on the first 7 bytes; length kernel 8, interpreter 7",
  ]);
  assert.deepEqual(messages(base, packet("ff00")), [
    "test counts, run 0 (filter): packet first differs at byte 0: kernel 0x02, interpreter 0xff; length kernel 8, interpreter 2",
  ]);
  assert.deepEqual(messages(base, packet(null)), ["test counts, run 0 (filter): packet kernel 8 bytes, interpreter null"]);
  assert.deepEqual(messages(base, packet("")), ["test counts, run 0 (filter): packet kernel and interpreter agree on the first 0 bytes; length kernel 8, interpreter 0"]);
});

test("a map: a value with both sides and the first differing byte, missing and extra keys, a missing map", () => {
  const maps = (m: TraceTest["maps"]): Trace => withFirst((t) => ({ ...t, maps: m }));
  assert.deepEqual(compareTraces(base, maps({ ...counting.maps, slots: [["00000000", "00000000"], ["01000000", "05000001"]] })), [
    { test: "counts", field: "maps.slots", message: "test counts, map slots: key 01000000: value kernel 05000000, interpreter 05000001 (first differing byte 3)" },
  ]);
  assert.deepEqual(messages(base, maps({ ...counting.maps, hits: [["01000000", "0100000000000000"], ["08000000", "0200000000000000"]] })), [
    "test counts, map hits: key 07000000: only the kernel has it (value 0200000000000000)",
    "test counts, map hits: key 08000000: only the interpreter has it (value 0200000000000000)",
  ]);
  assert.deepEqual(messages(base, maps({ hits: counting.maps.hits! })), ["test counts, map slots: only in the kernel's trace"]);
  assert.deepEqual(messages(base, maps({ ...counting.maps, extra: [] })), ["test counts, map extra: only in the interpreter's trace"]);
  assert.deepEqual(messages(base, maps({ ...counting.maps, slots: [["00000000", "00000000"], ["01000000", "0500"]] })), [
    "test counts, map slots: key 01000000: value kernel 05000000, interpreter 0500 (first differing byte 2; 4 and 2 bytes)",
  ]);
});

test("tests only one side has, and tests in another order", () => {
  assert.deepEqual(messages(base, { version: 1, tests: [counting] }), ["test other: only in the kernel's trace"]);
  assert.deepEqual(messages({ version: 1, tests: [counting] }, base), ["test other: only in the interpreter's trace"]);
  assert.deepEqual(messages(base, { version: 1, tests: [other, counting] }), [
    "the tests ran in another order: kernel counts, other; interpreter other, counts",
  ]);
});

test("the sides' names are the caller's", () => {
  const diffs = compareTraces(base, withFirst((t) => ({ ...t, status: "fail" })), { left: "first run", right: "second run" });
  assert.equal(diffs[0]!.message, "test counts: status first run pass, second run fail");
});

test("a malformed trace is refused with where and what", () => {
  const refuse = (value: unknown, pattern: RegExp): void => assert.throws(() => checkTrace(value, "t.json"), pattern);
  refuse({ tests: [], version: 1 }, /t\.json: the trace: keys are \["tests","version"\], the format has \["version","tests"\] in that order/);
  refuse({ version: 2, tests: [] }, /version: is 2, not 1/);
  refuse({ version: 1, tests: [{ ...counting, extra: 1 }] }, /tests\[0\]: keys are/);
  refuse({ version: 1, tests: [{ ...counting, status: "ok" }] }, /status is "ok"/);
  refuse({ version: 1, tests: [withFirst((t) => ({ ...t, runs: [{ program: "p", retval: -1, packet: null }] })).tests[0]] }, /retval -1 is not an unsigned 32-bit number/);
  refuse({ version: 1, tests: [withFirst((t) => ({ ...t, runs: [{ program: "p", retval: 1, packet: "0A" }] })).tests[0]] }, /runs\[0\]\.packet: not lowercase hex of whole bytes: "0A"/);
  refuse({ version: 1, tests: [withFirst((t) => ({ ...t, runs: [{ program: "p", retval: 1, packet: "abc" }] })).tests[0]] }, /not lowercase hex/);
  refuse({ version: 1, tests: [withFirst((t) => ({ ...t, maps: { m: [["02", "00"], ["01", "00"]] } })).tests[0]] }, /maps\.m\[1\]: key 01 is not after 02/);
  refuse({ version: 1, tests: [withFirst((t) => ({ ...t, maps: { m: [["01", "00"], ["01", "00"]] } })).tests[0]] }, /key 01 is not after 01/);
  refuse({ version: 1, tests: [{ ...counting, maps: { m: [["01"]] } }] }, /not a \[key, value\] pair/);
});

test("readTrace reads a file and says which one is not JSON", () => {
  const dir = mkdtempSync(join(tmpdir(), "difftest-trace-compare-"));
  try {
    writeFileSync(join(dir, "good.json"), JSON.stringify(base));
    assert.deepEqual(compareTraces(readTrace(join(dir, "good.json")), base), []);
    writeFileSync(join(dir, "bad.json"), "{\"version\": 1, \"tests\": [");
    assert.throws(() => readTrace(join(dir, "bad.json")), /bad\.json: not a JSON trace/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
