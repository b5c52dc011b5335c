// Generated eBPF against hand-written C: every program of bench/suite.ts built both ways,
// checked to behave the same, then measured in the same run — instructions after the
// verifier (xlated), JIT bytes, and ns per run of every input under BPF_PROG_TEST_RUN,
// in interleaved rounds (C, ours, then ours, C, …), medians over the rounds. Prints a
// table of ratios and writes build/bench/ebpf.json. Needs root. See bench/README.md.
//
//   node build/bench/ebpf.js [--rounds 7] [--repeat 1000000] [--separate-repeat 100000]
//                            [--only NAME,NAME] [--compiler DIR] [--json PATH]
//
// --compiler DIR builds the KernelScript side with the CLI of another checkout (after
// its `make build`), e.g. a branch to compare with this one.

import { mkdirSync, writeFileSync } from "node:fs";
import { release } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import { kernelSkipReason } from "../src/runner/capabilities.js";
import { repoRoot } from "../src/runner/paths.js";
import type { ProgRunResult } from "../src/runner/prog-run.js";
import { buildKernelScript, buildReference, compareSides, differences, nsPerRun, programSize, runInputs, type RunPlan } from "./ebpf-runs.js";
import { formatPair, formatRatio, median, ratio, renderTable, roundOrder } from "./stats.js";
import { suite, type BenchProgram } from "./suite.js";
import { count } from "./common.js";

const { values: options } = parseArgs({
  options: {
    rounds: { type: "string", default: "7" },
    repeat: { type: "string", default: "1000000" },
    "separate-repeat": { type: "string", default: "100000" },
    only: { type: "string" },
    compiler: { type: "string" },
    json: { type: "string", default: join(repoRoot, "build", "bench", "ebpf.json") },
  },
});

const rounds = count("rounds", options.rounds, 1);
const plan: RunPlan = { repeat: count("repeat", options.repeat, 1), timed: true, separateRepeat: count("separate-repeat", options["separate-repeat"], 1) };
const only = options.only?.split(",");
const programs = suite.filter((p) => !only || only.includes(p.name));
if (only && programs.length !== only.length) {
  console.error(`bench: --only names programs of bench/suite.ts: ${suite.map((p) => p.name).join(", ")}`);
  process.exit(2);
}
const compilerRoot = options.compiler ? resolve(options.compiler) : repoRoot;

const cannot = kernelSkipReason();
if (cannot) {
  console.error(`bench: cannot measure eBPF programs here: ${cannot}`);
  process.exit(3);
}

type Side = "c" | "ours";

interface Built {
  readonly program: BenchProgram;
  readonly objects: Record<Side, string>;
}

console.log(`building ${programs.length} programs: C with clang -O2, KernelScript with ${compilerRoot === repoRoot ? "this checkout's" : `${compilerRoot}'s`} kernelscript build`);
const built: Built[] = programs.map((program) => {
  const dir = join(repoRoot, "build", "bench", "objects", program.name);
  return { program, objects: { c: buildReference(program, dir), ours: buildKernelScript(program, dir, compilerRoot) } };
});

// Behaviour first: a program whose two sides differ is not measured at all.
let failed = false;
for (const { program, objects } of built) {
  const problems = compareSides(program, objects.c, objects.ours);
  for (const problem of problems) console.error(`bench: ${program.name}: ${problem}`);
  failed ||= problems.length > 0;
}
if (failed) {
  console.error("bench: the KernelScript and C versions above behave differently; fix that before timing them");
  process.exit(1);
}

interface Measured {
  size: Record<Side, { insns: number; jited: number }> | undefined;
  /** [input][round] → ns per run. */
  ns: Record<Side, number[][]>;
}

const measured = new Map<string, Measured>(built.map(({ program }) => [
  program.name,
  { size: undefined, ns: { c: program.inputs.map(() => []), ours: program.inputs.map(() => []) } },
]));

const started = Date.now();
for (let round = 0; round < rounds; round++) {
  process.stdout.write(`round ${round + 1}/${rounds} `);
  for (const { program, objects } of built) {
    const results = {} as Record<Side, ProgRunResult>;
    for (const side of roundOrder(round, ["c", "ours"] as const)) results[side] = runInputs(program, objects[side], plan);
    // The timed runs too must agree (verdicts, packets, maps after the same runs).
    const problems = differences(program, results.c, results.ours, (input) => input.verdict, false);
    if (problems.length > 0) {
      console.error(`\nbench: ${program.name}, round ${round + 1}: ${problems.join("; ")}`);
      process.exit(1);
    }
    const entry = measured.get(program.name)!;
    entry.size ??= { c: programSize(program, results.c), ours: programSize(program, results.ours) };
    for (const side of ["c", "ours"] as const) results[side].runs.forEach((run, i) => entry.ns[side][i]!.push(nsPerRun(run)));
    process.stdout.write(".");
  }
  process.stdout.write("\n");
}

const rows: string[][] = [];
const report = built.map(({ program }) => {
  const entry = measured.get(program.name)!;
  const size = entry.size!;
  const inputs = program.inputs.map((input, i) => {
    const c = median(entry.ns.c[i]!);
    const ours = median(entry.ns.ours[i]!);
    const method = input.fresh ? `${plan.separateRepeat} runs, stats` : `repeat ${plan.repeat}`;
    rows.push([
      i === 0 ? program.name : "", input.name,
      i === 0 ? formatPair(size.c.insns, size.ours.insns) : "",
      i === 0 ? formatPair(size.c.jited, size.ours.jited) : "",
      formatPair(c, ours, 1), method,
    ]);
    return { name: input.name, method, nsPerRun: { c: entry.ns.c[i], ours: entry.ns.ours[i] }, median: { c, ours }, ratio: ratio(c, ours) };
  });
  return {
    name: program.name, what: program.what, kind: program.kind,
    xlatedInsns: { c: size.c.insns, ours: size.ours.insns, ratio: ratio(size.c.insns, size.ours.insns) },
    jitedBytes: { c: size.c.jited, ours: size.ours.jited, ratio: ratio(size.c.jited, size.ours.jited) },
    inputs,
  };
});

console.log();
console.log(renderTable(
  ["program", "input", "xlated insns C → ours", "jited bytes C → ours", "ns/run C → ours (median)", "timed as"],
  rows,
  ["left", "left", "right", "right", "right", "left"],
));
const insnRatios = report.map((p) => p.xlatedInsns.ratio);
const nsRatios = report.flatMap((p) => p.inputs.map((i) => i.ratio));
console.log();
console.log(`worst: insns ${formatRatio(Math.max(...insnRatios))} (${report[insnRatios.indexOf(Math.max(...insnRatios))]!.name}), ` +
  `ns/run ${formatRatio(Math.max(...nsRatios))}; ${rounds} interleaved rounds in ${((Date.now() - started) / 1000).toFixed(0)} s`);

const clang = spawnSync("clang", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "";
const json = {
  kernel: release(), clang, rounds, repeat: plan.repeat, separateRepeat: plan.separateRepeat,
  compiler: compilerRoot, programs: report,
};
mkdirSync(dirname(options.json!), { recursive: true });
writeFileSync(options.json!, `${JSON.stringify(json, null, 2)}\n`);
console.log(`wrote ${options.json}`);
