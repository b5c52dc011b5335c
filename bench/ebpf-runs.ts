// Building a benchmark program both ways (the KernelScript CLI; clang for the hand-written
// C) and running both on the same inputs with BPF_PROG_TEST_RUN (src/runner/prog-run.ts),
// comparing what they did: return values, output packets, map contents. A difference is
// a finding, never a number: the harness (bench/ebpf.ts) refuses to time programs that
// differ, and tests/kernel/bench-programs.test.ts keeps them equal as code generation
// changes.

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runPrograms, type MapDump, type ProgRun, type ProgRunResult, type RunResult } from "../src/runner/prog-run.js";
import { repoRoot } from "../src/runner/paths.js";
import { argumentBytes, programSource, referenceSource, type BenchInput, type BenchProgram } from "./suite.js";

/** clang as the reference programs are meant to be built (bench/README.md). */
export const referenceCflags = ["-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-Wall", "-Werror"];

/** Builds `ref.bpf.c` into `dir/ref.bpf.o`; throws with clang's output when it fails. */
export function buildReference(program: BenchProgram, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const object = join(dir, "ref.bpf.o");
  const result = spawnSync("clang", [...referenceCflags, "-c", referenceSource(program), "-o", object], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`clang failed on ${referenceSource(program)}:\n${result.stderr}${result.error ?? ""}`);
  return object;
}

/**
 * `kernelscript build program.ks -o dir/ks` with the CLI of the checkout at `root` (this
 * one by default): the object a user gets. Returns `dir/ks/program.bpf.o`.
 */
export function buildKernelScript(program: BenchProgram, dir: string, root = repoRoot): string {
  const out = join(dir, "ks");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const cli = join(root, "bin", "kernelscript");
  const result = spawnSync(process.execPath, [cli, "build", programSource(program), "-o", out, "--no-kernel-check"], { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`kernelscript build ${programSource(program)} failed (${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return join(out, "program.bpf.o");
}

export interface RunPlan {
  /** Runs per input: one test run repeated this often. */
  readonly repeat: number;
  /** Timing: `fresh` inputs are run as separate test runs of one, timed by the kernel's statistics. */
  readonly timed: boolean;
  /** How many separate test runs (timed `fresh` inputs, raw tracepoints); default `repeat`. */
  readonly separateRepeat?: number;
}

/** The runs of every input of `program`, in order. */
export function runsOf(program: BenchProgram, plan: RunPlan): ProgRun[] {
  return program.inputs.map((input) => {
    // A raw tracepoint's test run has no repeat: more than one run means separate test runs.
    const separate = input.args !== undefined ? plan.repeat > 1 : plan.timed && input.fresh === true;
    const repeat = separate ? plan.separateRepeat ?? plan.repeat : plan.repeat;
    const run: ProgRun = { prog: program.function, repeat, stats: separate };
    return input.args !== undefined ? { ...run, ctx: argumentBytes(input.args) } : { ...run, data: input.packet! };
  });
}

/** Loads `object` afresh, presets its maps and runs every input of `program` as `plan` says. */
export function runInputs(program: BenchProgram, object: string, plan: RunPlan): ProgRunResult {
  return runPrograms(object, runsOf(program, plan), { presets: program.presets });
}

/**
 * Nanoseconds per run of a timed run: the kernel's run-time statistics for separate
 * runs; otherwise this thread's CPU time in the repeated test run over the repeat count
 * (sub-nanosecond resolution, where the test run's own duration is whole nanoseconds;
 * the one-time set-up of the test run is spread over the repeat).
 */
export function nsPerRun(run: RunResult): number {
  if (run.statsRuns !== undefined && run.statsNs !== undefined) return run.statsRuns > 0 ? run.statsNs / run.statsRuns : NaN;
  return run.cpuNs / run.repeat;
}

/** `program`'s instruction count after the verifier and its JIT size, as loaded in `result`. */
export function programSize(program: BenchProgram, result: ProgRunResult): { insns: number; jited: number } {
  const loaded = result.programs.find((p) => p.name === program.function);
  if (!loaded?.loaded || loaded.xlatedInsns === undefined || loaded.jitedBytes === undefined) {
    throw new Error(`${program.name}: program ${program.function} is not loaded or has no size (${JSON.stringify(loaded)})`);
  }
  return { insns: loaded.xlatedInsns, jited: loaded.jitedBytes };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Little-endian unsigned value of up to 8 bytes. */
function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

/**
 * A map's entries as key (hex) → value text. Per-CPU integer values are summed over the
 * CPUs (the two sides' runs may have run on different CPUs); other values are compared
 * byte for byte.
 */
export function mapContents(map: MapDump): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of map.entries) {
    const value = entry.values && map.valueSize <= 8
      ? String(entry.values.reduce((sum, v) => sum + littleEndian(v), 0n))
      : entry.values ? entry.values.map(hex).join("/") : hex(entry.value);
    out.set(hex(entry.key), value);
  }
  return out;
}

const verdictNames: Record<BenchProgram["kind"], Record<number, string>> = {
  xdp: { 0: "XDP_ABORTED", 1: "XDP_DROP", 2: "XDP_PASS", 3: "XDP_TX", 4: "XDP_REDIRECT" },
  tc: { [-1]: "TC_ACT_UNSPEC", 0: "TC_ACT_OK", 1: "TC_ACT_RECLASSIFY", 2: "TC_ACT_SHOT", 7: "TC_ACT_REDIRECT" },
  raw_tp: {},
};

export function verdictName(program: BenchProgram, retval: number): string {
  return verdictNames[program.kind][retval] ?? String(retval);
}

/** Up to this many differing entries are named per map. */
const entriesShown = 3;

/**
 * What differs between the two sides' runs of `program` (the same runs, in the same
 * order, on fresh objects): return values (and each against `expected`, so that the
 * inputs keep exercising the path they are named after), output packets, the contents
 * of `program.maps`; with `checkOutputs`, each input's own check of its output packet.
 * Empty when they agree.
 */
export function differences(
  program: BenchProgram,
  reference: ProgRunResult,
  ours: ProgRunResult,
  expected: (input: BenchInput) => number | undefined,
  checkOutputs: boolean,
): string[] {
  const problems: string[] = [];
  program.inputs.forEach((input, i) => {
    const c = reference.runs[i];
    const k = ours.runs[i];
    if (!c || !k) {
      problems.push(`${input.name}: a run is missing (C ${reference.runs.length}, KernelScript ${ours.runs.length} runs)`);
      return;
    }
    const want = expected(input);
    if (c.retval !== k.retval) {
      problems.push(`${input.name}: C returned ${verdictName(program, c.retval)}, KernelScript ${verdictName(program, k.retval)}`);
    } else if (want !== undefined && c.retval !== want) {
      problems.push(`${input.name}: both returned ${verdictName(program, c.retval)}, the input expects ${verdictName(program, want)}`);
    }
    if (input.packet && hex(c.dataOut) !== hex(k.dataOut)) {
      const at = c.dataOut.findIndex((byte, j) => byte !== k.dataOut[j]);
      problems.push(`${input.name}: output packets differ (${c.dataOut.length} and ${k.dataOut.length} bytes; first at byte ${at < 0 ? Math.min(c.dataOut.length, k.dataOut.length) : at})`);
    }
    if (checkOutputs && input.checkOutput) {
      for (const [side, run] of [["C", c], ["KernelScript", k]] as const) {
        const wrong = input.checkOutput(run.dataOut);
        if (wrong) problems.push(`${input.name}: ${side}'s output packet: ${wrong}`);
      }
    }
  });
  for (const name of program.maps) {
    const c = reference.maps.find((m) => m.name === name);
    const k = ours.maps.find((m) => m.name === name);
    if (!c || !k) {
      problems.push(`map ${name}: missing in ${!c ? "the C object" : "the KernelScript object"}`);
      continue;
    }
    const cEntries = mapContents(c);
    const kEntries = mapContents(k);
    const keys = [...new Set([...cEntries.keys(), ...kEntries.keys()])].sort();
    const differing = keys.filter((key) => cEntries.get(key) !== kEntries.get(key));
    for (const key of differing.slice(0, entriesShown)) {
      problems.push(`map ${name}[${key}]: C ${cEntries.get(key) ?? "absent"}, KernelScript ${kEntries.get(key) ?? "absent"}`);
    }
    if (differing.length > entriesShown) problems.push(`map ${name}: ${differing.length - entriesShown} more entries differ`);
  }
  return problems;
}

/** Runs per input in the steady-state check: enough to cross the rate limiter's limit of 100. */
export const steadyRepeat = 200;

/**
 * Whether `program`'s two objects behave the same on every input: once from a fresh
 * start (first-run verdicts, output packets and their checks, maps), after each run
 * count an input names in `verdictsAt`, and `steadyRepeat` times each (steady-state
 * verdicts, maps). Returns the differences.
 */
export function compareSides(program: BenchProgram, reference: string, ours: string): string[] {
  const compare = (repeat: number, expected: (input: BenchInput) => number | undefined): string[] => {
    const plan = { repeat, timed: false };
    const found = differences(program, runInputs(program, reference, plan), runInputs(program, ours, plan), expected, repeat === 1);
    return found.map((problem) => `${repeat === 1 ? "first run" : `${repeat} runs`}: ${problem}`);
  };
  const counts = [...new Set(program.inputs.flatMap((input) => (input.verdictsAt ?? []).map(([runs]) => runs)))].sort((a, b) => a - b);
  return [
    ...compare(1, (input) => input.firstVerdict ?? input.verdict),
    ...counts.flatMap((runs) => compare(runs, (input) => input.verdictsAt?.find(([at]) => at === runs)?.[1])),
    ...compare(steadyRepeat, (input) => input.verdict),
  ];
}
