//! Runs generated programs through the whole tool chain: the compiler API (no
//! diagnostics at all, warnings included), clang with -Werror, the kernel's verifier and
//! BPF_PROG_TEST_RUN. Many programs share one `.ks` and one object (clang's start-up and
//! vmlinux.h dominate otherwise); each is still its own XDP program with its own checks.
//! A batch that fails before the run is split in halves until each failure is one
//! program on its own, which is then the standalone reproducer (`prefix p0_`).

import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { compile, renderDiagnostic } from "../../../src/compiler/index.js";
import { NodeHost } from "../../../src/cli/node-host.js";
import { nativeTool } from "../../../src/runner/native-tools.js";
import { buildOutputDir } from "../../../src/runner/build.js";
import { verifyBuiltObject } from "../../../src/runner/verify.js";
import { generateProgram, type GenerateOptions } from "./generate.js";
import { printProgram, UNREACHABLE_RECORD } from "./print.js";
import type { Program, Stmt, Value } from "./model.js";
import { scaffoldNames } from "./model.js";
import { childBodies } from "./resolve.js";
import { exprType } from "./types-of.js";

export type Stage = "generate" | "compile" | "clang" | "verifier" | "run";

export interface Failure {
  readonly seed: number;
  readonly stage: Stage;
  /** One paragraph a person can act on (which check, what was expected, what came). */
  readonly summary: string;
  /** Everything the stage said (diagnostics, clang's errors, the verifier log, the run). */
  readonly details: string;
  /** The standalone program (prefix `p0_`), when one could be generated. */
  readonly source: string | undefined;
  /** Generated C of the standalone program, when the compiler produced it. */
  readonly bpfC: string | undefined;
}

export interface BatchResult {
  readonly ran: number;
  readonly failures: readonly Failure[];
  /** Programs built through the generated Makefile (loader and skeleton included). */
  readonly makefileBuilds: number;
}

export interface RunnerOptions {
  /** Scratch directory (one sub-directory per batch, removed after it). */
  readonly workDir: string;
  /** vmlinux.h of the running kernel. */
  readonly vmlinuxHeader: string;
  readonly generate?: GenerateOptions;
  /** Also build the batch with its generated Makefile (-Werror, loader included). */
  readonly makefile?: boolean;
  /** Keep the batch directory (debugging). */
  readonly keep?: boolean;
}

interface Generated {
  readonly seed: number;
  readonly program: Program | undefined;
  readonly error: string | undefined;
}

/** A program's source, printed with its parenthesisation chosen by its seed. */
export function programSource(program: Program): string {
  return printProgram(program, { allParens: program.seed % 3 === 0 });
}

export function generateOne(seed: number, prefix: string, options: GenerateOptions = {}): Generated {
  try {
    return { seed, program: generateProgram(seed, prefix, options), error: undefined };
  } catch (error) {
    return { seed, program: undefined, error: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
}

let batchCounter = 0;

/** Generates, builds and runs the programs of `seeds`; every failure names its seed. */
export async function runBatch(seeds: readonly number[], options: RunnerOptions): Promise<BatchResult> {
  const failures: Failure[] = [];
  const generated = seeds.map((seed, i) => generateOne(seed, `p${i}_`, options.generate));
  for (const g of generated.filter((x) => !x.program)) {
    failures.push({ seed: g.seed, stage: "generate", summary: `the generator failed: ${g.error!.split("\n")[0]}`, details: g.error!, source: undefined, bpfC: undefined });
  }
  const good = generated.filter((g) => g.program).map((g) => g.seed);
  const result = await buildAndRun(good, options, options.makefile ?? false);
  return { ran: seeds.length, failures: [...failures, ...result.failures], makefileBuilds: result.makefileBuilds };
}

async function buildAndRun(seeds: readonly number[], options: RunnerOptions, makefile: boolean): Promise<{ failures: Failure[]; makefileBuilds: number }> {
  if (seeds.length === 0) return { failures: [], makefileBuilds: 0 };
  const programs = seeds.map((seed, i) => generateProgram(seed, `p${i}_`, options.generate));
  const dir = join(options.workDir, `batch-${process.pid}-${batchCounter++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const built = await build(programs, dir, options, makefile);
    const ran = built.ok ? await runAll(programs, dir, options.generate) : undefined;
    if (built.ok && ran && !ran.loadFailed) {
      const failures = programs.length === 1 ? ran.failures : await confirmAlone(ran.failures, options);
      return { failures, makefileBuilds: built.makefile ? programs.length : 0 };
    }
    if (programs.length === 1) {
      const failure = built.ok ? ran!.failures[0]! : failureOf(programs[0]!, built.stage, built.summary, built.details, dir, options.generate);
      return { failures: [failure], makefileBuilds: 0 };
    }
    // Programs the diagnostics or the verifier named: each alone (its reproducer), the
    // rest as one batch again. Otherwise split until each failure is one program.
    const named = built.ok ? loadRefused(programs, dir) : built.culprits;
    if (named.length > 0 && named.length < programs.length) {
      const rest = seeds.filter((_, i) => !named.includes(i));
      const results = await Promise.all([buildAndRun(rest, options, false), ...named.map((i) => buildAndRun([seeds[i]!], options, false))]);
      return { failures: results.flatMap((r) => r.failures), makefileBuilds: 0 };
    }
    const half = Math.ceil(seeds.length / 2);
    const [a, b] = await Promise.all([
      buildAndRun(seeds.slice(0, half), options, false),
      buildAndRun(seeds.slice(half), options, false),
    ]);
    return { failures: [...a.failures, ...b.failures], makefileBuilds: 0 };
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Builds and runs programs as they are (the self-test changes a program's expected
 * values before it runs): one object, no splitting; every failure of a stage is
 * reported against the first program when it cannot be told apart.
 */
export async function runPrepared(programs: readonly Program[], options: RunnerOptions): Promise<Failure[]> {
  const dir = join(options.workDir, `prepared-${process.pid}-${batchCounter++}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const built = await build(programs, dir, options, options.makefile ?? false);
    if (!built.ok) return [failureOf(programs[0]!, built.stage, built.summary, built.details, dir, options.generate)];
    const ran = await runAll(programs, dir, options.generate);
    return ran.failures.length > 0 || !ran.loadFailed ? ran.failures
      : [failureOf(programs[0]!, "verifier", "the kernel refused the object", "", dir, options.generate)];
  } finally {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A program that failed in a batch, run again on its own: the failure kept is the
 * standalone one (with its C), or, when it passes alone, the batch's with a note.
 */
async function confirmAlone(failures: readonly Failure[], options: RunnerOptions): Promise<Failure[]> {
  const confirmed: Failure[] = [];
  for (const f of failures) {
    const alone = await buildAndRun([f.seed], options, false);
    confirmed.push(alone.failures[0] ?? { ...f, summary: `${f.summary} (only together with the other programs of its batch; alone it passes)` });
  }
  return confirmed;
}

type BuildOutcome =
  | { readonly ok: true; readonly makefile: boolean }
  /** `culprits`: indexes of the programs the compiler's diagnostics point into. */
  | { readonly ok: false; readonly stage: Stage; readonly summary: string; readonly details: string; readonly culprits: readonly number[] };

/** Indexes of the programs of a built batch the verifier refuses (each loaded on its own). */
function loadRefused(programs: readonly Program[], dir: string): number[] {
  try {
    const verdict = verifyBuiltObject({ object: join(dir, "fuzz.bpf.o"), sourceDir: dir });
    const refused = new Set(verdict.programs.filter((p) => !p.loaded).map((p) => p.name));
    return programs.flatMap((p, i) => (refused.has(scaffoldNames(p.prefix).main) ? [i] : []));
  } catch {
    return [];
  }
}

async function build(programs: readonly Program[], dir: string, options: RunnerOptions, makefile: boolean): Promise<BuildOutcome> {
  const ksPath = join(dir, "fuzz.ks");
  const texts = programs.map(programSource);
  writeFileSync(ksPath, texts.join("\n"));
  const result = compile(ksPath, new NodeHost(dir));
  if (result.diagnostics.length > 0 || result.files.length === 0) {
    const rendered = result.diagnostics.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n");
    const first = result.diagnostics[0];
    // Which program each diagnostic points into, by the offset where each program starts.
    const starts = texts.map((_, i) => texts.slice(0, i).reduce((sum, t) => sum + t.length + 1, 0));
    const programAt = (offset: number): number => starts.filter((start) => start <= offset).length - 1;
    const culprits = [...new Set(result.diagnostics.map((d) => programAt(d.primary.span.start)))].filter((i) => i >= 0);
    return { ok: false, stage: "compile", summary: `the compiler reported ${first ? `${first.code ?? first.severity}: ${first.message}` : "no output"}`, details: rendered, culprits };
  }
  for (const file of result.files) writeFileSync(join(dir, file.path), file.text);
  const clang = await exec("clang", [
    "-O2", "-g", "-target", "bpf", `-D__TARGET_ARCH_${targetArch()}`, "-Wall", "-Werror",
    ...(await precompiledHeader(options.vmlinuxHeader, options.workDir)), "-I", dir, "-I", dirname(options.vmlinuxHeader), "-c", join(dir, "fuzz.bpf.c"), "-o", join(dir, "fuzz.bpf.o"),
  ], 300_000);
  if (clang.code !== 0) {
    return { ok: false, stage: "clang", summary: `clang -Werror failed: ${firstLine(clang.stderr, "error")}`, details: clang.stderr, culprits: [] };
  }
  if (makefile) {
    const made = buildOutputDir(dir, { werror: true, vmlinuxHeader: options.vmlinuxHeader });
    if (!made.ok) return { ok: false, stage: "clang", summary: `the generated Makefile failed: ${firstLine(made.stderr, "error")}`, details: `${made.stdout}\n${made.stderr}`, culprits: [] };
  }
  return { ok: true, makefile };
}

async function runAll(programs: readonly Program[], dir: string, generate: GenerateOptions | undefined): Promise<{ loadFailed: boolean; failures: Failure[] }> {
  const object = join(dir, "fuzz.bpf.o");
  const args = [object, ...programs.flatMap((p) => ["--prog", scaffoldNames(p.prefix).main])];
  const run = await exec(nativeTool("prog-run"), args, 600_000);
  if (run.code !== 0) {
    if (programs.length > 1) return { loadFailed: true, failures: [] };
    const verdict = verifierDetails(object, dir);
    return { loadFailed: true, failures: [failureOf(programs[0]!, "verifier", `the kernel refused the program: ${firstLine(run.stderr, "")}`, `${run.stderr}\n${verdict}`, dir, generate)] };
  }
  interface Raw { runs: { prog: string; retval: number }[]; maps: { name: string; entries: { key: string; value?: string }[] }[] }
  const raw = JSON.parse(run.stdout) as Raw;
  const failures: Failure[] = [];
  programs.forEach((p, i) => {
    const names = scaffoldNames(p.prefix);
    const retval = raw.runs[i]?.retval;
    const records = raw.maps.find((m) => m.name === names.results)?.entries ?? [];
    if (retval === 2 && records.length === 0) return;
    const lines = records.map((e) => describeRecord(p, Number(readLe(e.key)), readLe(e.value ?? "")));
    const summary = `returned ${retval} (XDP_PASS is 2); ${records.length} check(s) failed${lines.length > 0 ? `: ${lines[0]}` : ""}`;
    failures.push(failureOf(p, "run", summary, [`return value ${retval}`, ...lines].join("\n"), dir, generate));
  });
  return { loadFailed: false, failures };
}

/** A failure with the program's standalone source (prefix `p0_`) and the C it was built from. */
function failureOf(program: Program, stage: Stage, summary: string, details: string, dir: string, generate: GenerateOptions | undefined): Failure {
  const cPath = join(dir, "fuzz.bpf.c");
  const source = programSource(program.prefix === "p0_" ? program : generateProgram(program.seed, "p0_", generate));
  return { seed: program.seed, stage, summary, details, source, bpfC: existsSync(cPath) ? readFileSync(cPath, "utf8") : undefined };
}

function verifierDetails(object: string, dir: string): string {
  try {
    const verdict = verifyBuiltObject({ object, sourceDir: dir });
    return verdict.programs.filter((p) => !p.loaded).map((p) => {
      const log = p.logPath && existsSync(p.logPath) ? readFileSync(p.logPath, "utf8") : "";
      return `${p.name}: errno ${p.errno}\n${log.split("\n").slice(-60).join("\n")}`;
    }).join("\n");
  } catch (error) {
    return `verify-load failed: ${String(error)}`;
  }
}

/** What a record in a program's results map says: the check, its expression, expected vs got. */
export function describeRecord(p: Program, id: number, got: bigint): string {
  const s = findCheck(p, id);
  if (!s) return `record ${id}: no such check`;
  if (s.k === "unreachable") return `marker ${id}: reached code the oracle says never runs`;
  const source = programSource(p).split("\n");
  const line = source.findIndex((l) => l.includes(`${scaffoldNames(p.prefix).results}[${id}] =`));
  const condition = line > 0 ? source[line - 1]!.trim() : "?";
  const t = exprType(s.value);
  const expected = t.k === "str" ? JSON.stringify(s.expected) : showValue(s.expected);
  return `check ${id} (${s.note}${s.dead ? ", in code the oracle says never runs" : ""}) at line ${line}: ${condition} expected ${expected}, got ${t.k === "str" ? "a different string" : got.toString()}${got === UNREACHABLE_RECORD ? "" : ""}`;
}

function findCheck(p: Program, id: number): (Stmt & { k: "check" | "unreachable" }) | undefined {
  const search = (stmts: readonly Stmt[]): (Stmt & { k: "check" | "unreachable" }) | undefined => {
    for (const s of stmts) {
      if ((s.k === "check" || s.k === "unreachable") && s.id === id) return s;
      for (const body of childBodies(s)) {
        const found = search(body);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(p.body) ?? p.helpers.map((h) => search(h.body)).find((x) => x);
}

function showValue(v: Value | undefined): string {
  if (typeof v === "bigint") return v.toString();
  return String(v);
}

function readLe(hex: string): bigint {
  let value = 0n;
  for (let i = hex.length - 2; i >= 0; i -= 2) value = (value << 8n) | BigInt(parseInt(hex.slice(i, i + 2), 16));
  return value;
}

function firstLine(text: string, marker: string): string {
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  return (lines.find((l) => marker === "" || l.includes(marker)) ?? lines[0] ?? "").trim().slice(0, 300);
}

function targetArch(): string {
  return process.arch === "arm64" ? "arm64" : "x86";
}

const pchPromises = new Map<string, Promise<string[]>>();

/**
 * vmlinux.h precompiled once per run (it is most of clang's time for a small program).
 * The generated `.bpf.c` still includes it; its include guard makes that a no-op.
 */
function precompiledHeader(header: string, workDir: string): Promise<string[]> {
  const cacheKey = `${header}\0${workDir}`;
  let pending = pchPromises.get(cacheKey);
  if (!pending) {
    pending = (async () => {
      const pch = join(workDir, `vmlinux.h.${process.pid}.pch`);
      const made = await exec("clang", ["-O2", "-g", "-target", "bpf", `-D__TARGET_ARCH_${targetArch()}`, "-x", "c-header", header, "-o", `${pch}.tmp`], 300_000);
      if (made.code !== 0) return [];
      renameSync(`${pch}.tmp`, pch);
      return ["-include-pch", pch];
    })();
    pchPromises.set(cacheKey, pending);
  }
  return pending;
}

function exec(file: string, args: readonly string[], timeout: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout: stdout ?? "", stderr: `${stderr ?? ""}${error && typeof error.code !== "number" ? String(error) : ""}` });
    });
  });
}
