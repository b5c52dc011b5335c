// The benchmark tables' arithmetic and layout (bench/stats.ts), and how the eBPF
// harness plans runs and compares the two sides' results (bench/ebpf-runs.ts), on
// results made up here: no kernel.

import assert from "node:assert/strict";
import { test } from "node:test";
import { differences, mapContents, nsPerRun, runsOf } from "../../bench/ebpf-runs.js";
import { formatPair, formatRatio, median, ratio, renderTable, roundOrder } from "../../bench/stats.js";
import type { BenchProgram } from "../../bench/suite.js";
import type { MapDump, ProgRunResult, RunResult } from "../../src/runner/prog-run.js";

test("median: the middle value, the mean of the middle two, NaN for none; the input is not reordered", () => {
  const values = [5, 1, 4];
  assert.equal(median(values), 4);
  assert.deepEqual(values, [5, 1, 4]);
  assert.equal(median([10, 2, 8, 4]), 6);
  assert.equal(median([7]), 7);
  assert.ok(Number.isNaN(median([])));
});

test("roundOrder: the sides as given in even rounds, swapped in odd ones", () => {
  const orders = [0, 1, 2, 3].map((round) => roundOrder(round, ["c", "ours"] as const).join(","));
  assert.deepEqual(orders, ["c,ours", "ours,c", "c,ours", "ours,c"]);
});

test("ratio and its text: ours over the reference; a reference of 0 has none", () => {
  assert.equal(ratio(35, 42), 1.2);
  assert.equal(formatRatio(ratio(35, 42)), "1.20×");
  assert.equal(formatRatio(ratio(0, 5)), "–");
  assert.equal(formatPair(35, 42), "35 → 42 (1.20×)");
  assert.equal(formatPair(9.04, 6.0, 1), "9.0 → 6.0 (0.66×)");
});

test("renderTable: a Markdown table padded by code points, right-aligned columns marked", () => {
  const table = renderTable(["name", "n"], [["a → b", "1"], ["long name", "123"]], ["left", "right"]);
  assert.equal(table, [
    "| name      |   n |",
    "|-----------|----:|",
    "| a → b     |   1 |",
    "| long name | 123 |",
  ].join("\n"));
});

const program: BenchProgram = {
  name: "p", what: "", kind: "xdp", function: "f", presets: [], maps: ["m"],
  inputs: [
    { name: "plain", packet: Uint8Array.of(1, 2, 3), verdict: 2 },
    { name: "rewritten", packet: Uint8Array.of(4, 5, 6), verdict: 1, firstVerdict: 2, fresh: true },
  ],
};

test("runsOf: repeated test runs, except timed fresh inputs and raw tracepoints, which run separately under statistics", () => {
  const plain = runsOf(program, { repeat: 1000, timed: false });
  assert.deepEqual(plain.map((r) => [r.repeat, r.stats]), [[1000, false], [1000, false]]);
  const timed = runsOf(program, { repeat: 1000, timed: true, separateRepeat: 10 });
  assert.deepEqual(timed.map((r) => [r.repeat, r.stats]), [[1000, false], [10, true]]);
  const tracepoint: BenchProgram = { ...program, kind: "raw_tp", inputs: [{ name: "t", args: [0n, 39n], verdict: 0 }] };
  assert.deepEqual(runsOf(tracepoint, { repeat: 1, timed: false }).map((r) => [r.repeat, r.stats, r.ctx?.length]), [[1, false, 16]]);
  assert.deepEqual(runsOf(tracepoint, { repeat: 200, timed: false }).map((r) => [r.repeat, r.stats]), [[200, true]]);
});

function run(retval: number, dataOut: readonly number[], extra: Partial<RunResult> = {}): RunResult {
  return {
    prog: "f", size: dataOut.length, repeat: 1, retval, durationNs: 0, cpuNs: 0, statsRuns: undefined, statsNs: undefined,
    dataSizeOut: dataOut.length, dataOut: Uint8Array.from(dataOut), ...extra,
  };
}

function map(entries: readonly [number, readonly number[]][], percpu = true): MapDump {
  return {
    name: "m", type: 6, keySize: 1, valueSize: 8, percpu,
    entries: entries.map(([key, values]) => {
      const bytes = values.map((v) => Uint8Array.of(v, 0, 0, 0, 0, 0, 0, 0));
      return { key: Uint8Array.of(key), value: bytes[0]!, values: percpu ? bytes : undefined };
    }),
  };
}

function result(runs: RunResult[], maps: MapDump[]): ProgRunResult {
  return { runs, programs: [], maps, ringbufs: [] };
}

test("mapContents: per-CPU integers summed over the CPUs, so runs on different CPUs compare equal", () => {
  assert.deepEqual([...mapContents(map([[1, [3, 0]]]))], [["01", "3"]]);
  assert.deepEqual([...mapContents(map([[1, [0, 3]]]))], [["01", "3"]]);
  assert.deepEqual([...mapContents(map([[1, [3]]], false))], [["01", "0300000000000000"]]);
});

test("differences: none when both sides agree with each other and with the expected verdicts", () => {
  const same = (): ProgRunResult => result([run(2, [1, 2, 3]), run(1, [4, 5, 6])], [map([[1, [2, 0]]])]);
  assert.deepEqual(differences(program, same(), same(), (input) => input.verdict, false), []);
});

test("differences: verdicts, expected verdicts, output packets, output checks and map entries are each reported", () => {
  const reference = result([run(2, [1, 2, 3]), run(1, [4, 5, 6])], [map([[1, [2, 0]], [2, [1, 0]]])]);
  const ours = result([run(1, [1, 2, 3]), run(1, [4, 9, 6])], [map([[1, [1, 1]], [2, [0, 0]]])]);
  const checked: BenchProgram = {
    ...program,
    inputs: program.inputs.map((input, i) => (i === 1 ? { ...input, checkOutput: (out: Uint8Array) => (out[1] === 5 ? undefined : "byte 1 is not 5") } : input)),
  };
  assert.deepEqual(differences(checked, reference, ours, (input) => input.firstVerdict ?? input.verdict, true), [
    "plain: C returned XDP_PASS, KernelScript XDP_DROP",
    "rewritten: both returned XDP_DROP, the input expects XDP_PASS",
    "rewritten: output packets differ (3 and 3 bytes; first at byte 1)",
    "rewritten: KernelScript's output packet: byte 1 is not 5",
    "map m[02]: C 1, KernelScript 0",
  ]);
  const noMap = result(ours.runs as RunResult[], []);
  assert.deepEqual(differences(program, reference, noMap, () => undefined, false).filter((p) => p.startsWith("map")), [
    "map m: missing in the KernelScript object",
  ]);
});

test("nsPerRun: the statistics' time per run when the runs were separate, else CPU time over the repeat", () => {
  assert.equal(nsPerRun(run(0, [], { repeat: 1_000_000, cpuNs: 6_400_000 })), 6.4);
  assert.equal(nsPerRun(run(0, [], { repeat: 1000, cpuNs: 9_999_999, statsRuns: 1000, statsNs: 120_000 })), 120);
});
