//! The random self-checking programs on the reference interpreter (src/compiler/interpret/)
//! instead of the kernel: each program must compile without a diagnostic and, run once on
//! a 64-byte frame (what `prog-run` gives it in the kernel), return XDP_PASS with an empty
//! failure record (`<prefix>res`). Many programs share one `.ks` (compiling dominates);
//! each still runs alone, from its module's initial state.

import { lowerModule, runProgram, renderDiagnostic } from "../../../src/compiler/index.js";
import type { Host } from "../../../src/compiler/index.js";
import { generateOne } from "./run.js";
import { programSource } from "./run.js";
import { scaffoldNames } from "./model.js";
import { describeRecord } from "./run.js";
import type { GenerateOptions } from "./generate.js";
import type { Program } from "./model.js";

export interface InterpretFailure {
  readonly seed: number;
  readonly stage: "generate" | "compile" | "run";
  readonly summary: string;
  readonly source: string | undefined;
}

const XDP_PASS = 2;
const frame = new Uint8Array(64);

function memoryHost(files: ReadonlyMap<string, string>): Host {
  return { readFile: (path) => files.get(path) };
}

/** Runs the programs of `seeds` (one `.ks` per batch) on the interpreter; every failure names its seed. */
export function interpretBatch(seeds: readonly number[], generate: GenerateOptions = {}, stepLimit?: number): InterpretFailure[] {
  const failures: InterpretFailure[] = [];
  const programs: Program[] = [];
  for (const [i, seed] of seeds.entries()) {
    const g = generateOne(seed, `p${i}_`, generate);
    if (g.program) programs.push(g.program);
    else failures.push({ seed, stage: "generate", summary: `the generator failed: ${g.error?.split("\n")[0] ?? ""}`, source: undefined });
  }
  return [...failures, ...interpretPrograms(programs, stepLimit)];
}

/** Runs generated programs (each with its own prefix) as they are: the self-test changes one's expected value first. */
export function interpretPrograms(programs: readonly Program[], stepLimit?: number): InterpretFailure[] {
  if (programs.length === 0) return [];
  const path = "/fuzz/interpret.ks";
  const texts = programs.map(programSource);
  const { result, ir } = lowerModule(path, memoryHost(new Map([[path, texts.join("\n")]])), { makefile: false });
  if (!ir || result.diagnostics.length > 0) {
    if (programs.length === 1) {
      const rendered = result.diagnostics.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n");
      return [{ seed: programs[0]!.seed, stage: "compile", summary: `the compiler reported: ${rendered.split("\n")[0] ?? ""}`, source: texts[0] }];
    }
    // Split until each failure is one program.
    const half = Math.ceil(programs.length / 2);
    return [...interpretPrograms(programs.slice(0, half), stepLimit), ...interpretPrograms(programs.slice(half), stepLimit)];
  }
  const failures: InterpretFailure[] = [];
  for (const p of programs) {
    const names = scaffoldNames(p.prefix);
    const run = runProgram(ir, names.main, { packet: frame, ingressIfindex: 1 }, stepLimit === undefined ? {} : { stepLimit });
    const records = run.maps[names.results] ?? [];
    if (run.status === "ok" && run.retval === XDP_PASS && records.length === 0) continue;
    const lines = records.map(([key, value]) => describeRecord(p, Number(readLe(key)), readLe(value)));
    const what = run.status !== "ok" ? `the interpreter stopped: ${run.message ?? run.status}` : `returned ${run.retval} (XDP_PASS is 2); ${records.length} check(s) failed${lines[0] ? `: ${lines[0]}` : ""}`;
    failures.push({ seed: p.seed, stage: "run", summary: what, source: programSource(p) });
  }
  return failures;
}

function readLe(hex: string): bigint {
  let value = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) value = (value << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return value;
}
