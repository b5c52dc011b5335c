//! The reference interpreter of KernelScript: runs a module's test-mode IR without a
//! kernel — the `@test` functions (user-space semantics) and the eBPF programs they run
//! (the language's semantics: integer widths, map kinds, packet bounds, tail calls,
//! errors) — and reports what each test observed in the same terms as the kernel mode:
//! pass/fail/skip with the test binary's texts, and the run trace (TRACE.md).
//! `kernelscript test --interpret` and the playground call `interpretTests`; the random
//! program runner calls `runProgram`. Nothing here touches the host: no clock but a
//! virtual one, no randomness but a seeded one.
//!
//! Where an answer cannot be exact off-kernel (kernel structs read through BTF, kernel
//! kfuncs, attaching to kernel events) the test is skipped with an E07xx diagnostic
//! (diagnostics/catalog/interpreter.ts); no input makes it hang (a step budget, a call
//! depth limit) or throw (internal faults become E0703).

import type { IrModule } from "../ir.js";
import type { Span, SourceSet } from "../source.js";
import { Diagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { callDepthExceeded, interpreterFault, notExactWithoutKernel, stepBudgetExceeded } from "../diagnostics/catalog/interpreter.js";
import { BudgetExceeded, InternalFault, NotExact, TestFailure, Thrown } from "./faults.js";
import { Machine, type MachineOptions } from "./machine.js";
import { Interpreter } from "./statements.js";
import { runProgram as runProgramOn } from "./runs.js";
import { type TestTrace, type TraceTest, traceMaps } from "./trace.js";
import { asInt, toHex, writeUint } from "./memory.js";
import { packetOf } from "./packets.js";
import { testPacketCapacity } from "../kernel/testing.js";

export { traceToJson, type TestTrace, type TraceTest } from "./trace.js";

export interface InterpretOptions {
  /** Run only the tests whose name contains this. */
  readonly filter?: string;
  /** The CPU programs run on (per-CPU maps); default 0. */
  readonly cpu?: number;
  /** How many CPUs per-CPU maps have; default `cpu + 1`. */
  readonly cpus?: number;
  /** Seed of `bpf_get_prandom_u32`; default 1. */
  readonly seed?: number;
  /** Steps (statements, loop iterations, calls) one test may take; default 20,000,000. */
  readonly stepLimit?: number;
}

export interface InterpretedTest {
  readonly name: string;
  readonly status: "pass" | "fail" | "skip";
  /** The failure (as the test binary words it) or the reason for a skip. */
  readonly message?: string;
  /** The `@test` function. */
  readonly location?: Span;
  readonly durationMs: number;
  /** What the test printed (user-space `print`). */
  readonly output: string;
  /** What the eBPF programs printed (`print` in eBPF: the kernel's trace_pipe), one line each. */
  readonly tracePipe: readonly string[];
}

export interface InterpretReport {
  readonly tests: readonly InterpretedTest[];
  /** Why tests were skipped or could not run (E07xx). */
  readonly diagnostics: readonly Diagnostic[];
  readonly trace: TestTrace;
  /** Tests left out by the filter. */
  readonly filteredOut: number;
}

export const defaultStepLimit = 20_000_000;
/** Interpreted call depth (user-space recursion); deep enough for any test, shallow enough for the JS stack. */
export const defaultDepthLimit = 200;

function machineOptions(options: InterpretOptions): MachineOptions {
  const cpu = Math.max(0, Math.floor(options.cpu ?? 0));
  return {
    cpu,
    cpus: Math.max(cpu + 1, Math.floor(options.cpus ?? 1)),
    seed: options.seed ?? 1,
    stepLimit: options.stepLimit ?? defaultStepLimit,
    depthLimit: defaultDepthLimit,
  };
}

function clock(): number {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf ? perf.now() : 0;
}

/** Which catalogue entry says why a test stopped, with its data. */
type StopDiagnostic =
  | { readonly kind: "notExact"; readonly span: Span; readonly what: string; readonly why: string }
  | { readonly kind: "steps" | "depth"; readonly span: Span; readonly limit: number }
  | { readonly kind: "fault"; readonly span: Span; readonly detail: string };

type Outcome =
  | { readonly status: "pass" }
  | { readonly status: "fail" | "skip"; readonly message: string };

function reportStop(diags: Diagnostics, stop: StopDiagnostic | undefined): void {
  if (!stop) return;
  switch (stop.kind) {
    case "notExact": diags.report(notExactWithoutKernel, stop.span, stop.what, stop.why); return;
    case "steps": diags.report(stepBudgetExceeded, stop.span, stop.limit); return;
    case "depth": diags.report(callDepthExceeded, stop.span, stop.limit); return;
    case "fault": diags.report(interpreterFault, stop.span, stop.detail); return;
  }
}

function faultDetail(error: unknown): string {
  return error instanceof InternalFault ? error.message : error instanceof Error ? error.message : String(error);
}

/** The diagnostic saying why a test (or a run) stopped, when one does (a failed assert says it itself). */
function stopOf(error: unknown, fallback: Span): StopDiagnostic | undefined {
  if (error instanceof TestFailure || error instanceof Thrown) return undefined;
  if (error instanceof NotExact) return { kind: "notExact", span: error.span ?? fallback, what: error.what, why: error.why };
  if (error instanceof BudgetExceeded) return { kind: error.kind, span: error.span ?? fallback, limit: error.limit };
  // The host's own stack ran out first (a very deep expression): the depth limit's answer.
  if (error instanceof RangeError) return { kind: "depth", span: fallback, limit: defaultDepthLimit };
  return { kind: "fault", span: error instanceof InternalFault && error.span ? error.span : fallback, detail: faultDetail(error) };
}

/** What stopped a test (or a run), as an outcome with the test binary's kind of message: never an exception. */
function outcomeOf(error: unknown): Outcome {
  if (error instanceof TestFailure) return { status: "fail", message: error.message };
  if (error instanceof NotExact) return { status: "skip", message: `${error.what} cannot be computed exactly without a kernel: ${error.why}` };
  if (error instanceof BudgetExceeded) {
    return {
      status: "fail",
      message: error.kind === "steps" ? `the test did not finish within ${error.limit} interpreter steps (an endless loop?)` : `calls nested deeper than ${error.limit} levels`,
    };
  }
  if (error instanceof Thrown) return { status: "fail", message: `unhandled error ${error.code} (thrown in ${error.origin})` };
  if (error instanceof RangeError) return { status: "fail", message: "calls nested deeper than the interpreter can follow" };
  return { status: "fail", message: `internal interpreter error: ${faultDetail(error)}` };
}

/** Runs every `@test` function of `ir` (a test-mode module), each from a fresh state. */
export function interpretTests(ir: IrModule, _sources: SourceSet, options: InterpretOptions = {}): InterpretReport {
  const tests: InterpretedTest[] = [];
  const traced: TraceTest[] = [];
  const diags = new Diagnostics();
  let filteredOut = 0;
  for (const fn of ir.testFunctions ?? []) {
    if (options.filter !== undefined && !fn.name.includes(options.filter)) {
      filteredOut++;
      continue;
    }
    const started = clock();
    let outcome: Outcome;
    let machine: Machine | undefined;
    let stop: StopDiagnostic | undefined;
    try {
      machine = new Machine(ir, machineOptions(options));
      const it = new Interpreter(machine);
      const result = it.callFunction(fn, [], "user", undefined, fn.span);
      if (fn.returnType.kind !== "void" && asInt(result) !== 0n) outcome = { status: "fail", message: `the test returned ${BigInt.asIntN(64, asInt(result))} (0 means passed)` };
      else if (machine.ran === 0) outcome = { status: "fail", message: "the test ran no eBPF program (call test() or test_run(), or attach() one and trigger it)" };
      else outcome = { status: "pass" };
    } catch (error) {
      outcome = outcomeOf(error);
      stop = stopOf(error, fn.span);
    }
    const durationMs = clock() - started;
    reportStop(diags, stop);
    tests.push({
      name: fn.name, status: outcome.status, ...(outcome.status === "pass" ? {} : { message: outcome.message }), location: fn.span, durationMs,
      output: machine?.output ?? "", tracePipe: machine?.tracePipe ?? [],
    });
    let maps = {};
    try {
      maps = machine ? traceMaps(machine.maps) : {};
    } catch {
      maps = {};
    }
    traced.push({ name: fn.name, status: outcome.status, runs: machine?.runs ?? [], maps });
  }
  return { tests, diagnostics: diags.all, trace: { version: 1, tests: traced }, filteredOut };
}

/** What one program run is given (the `TestRun` fields; zero means the default). */
export interface ProgramRunInput {
  /** The frame (default: Ethernet + IPv4 + UDP, 42 bytes). */
  readonly packet?: Uint8Array;
  readonly ingressIfindex?: number;
  readonly repeat?: number;
  /** A raw tracepoint's arguments. */
  readonly args?: readonly bigint[];
}

export interface ProgramRunResult {
  readonly status: "ok" | "fail" | "skip";
  readonly retval: number;
  /** The packet after the run (lowercase hex), or null when the program type gives none back. */
  readonly packet: string | null;
  /** The traced maps after the run (TRACE.md's `maps`). */
  readonly maps: Readonly<Record<string, readonly (readonly [string, string])[]>>;
  readonly message?: string;
  readonly diagnostics: readonly Diagnostic[];
  readonly tracePipe: readonly string[];
}

/** Runs one program of `ir` once on `run`, from the module's initial state. */
export function runProgram(ir: IrModule, program: string, run: ProgramRunInput = {}, options: InterpretOptions = {}): ProgramRunResult {
  const diags = new Diagnostics();
  const target = ir.programs.find((p) => p.name === program);
  const span = target?.span ?? { file: ir.sourcePath, start: 0, end: 0 };
  let machine: Machine | undefined;
  try {
    if (!target) throw new InternalFault(`no program named ${program}`, span);
    machine = new Machine(ir, machineOptions(options));
    const it = new Interpreter(machine);
    const layouts = machine.layouts;
    const runMem = new Uint8Array(layouts.layout("TestRun").size);
    if (run.packet) {
      if (run.packet.length > testPacketCapacity) throw new TestFailure(`the packet is larger than the ${testPacketCapacity} bytes a test run can take`);
      runMem.set(packetOf(run.packet).bytes, layouts.field("TestRun", "packet").offset);
    }
    writeUint(runMem, layouts.field("TestRun", "ingress_ifindex").offset, 4, BigInt(run.ingressIfindex ?? 0));
    writeUint(runMem, layouts.field("TestRun", "repeat").offset, 4, BigInt(run.repeat ?? 0));
    (run.args ?? []).slice(0, 12).forEach((a, i) => writeUint(runMem, layouts.field("TestRun", "args").offset + 8 * i, 8, a));
    const op = { kind: "run" as const, program, programType: target.programType, target: target.target, result: "retval" as const };
    const result = runProgramOn(it, op, { kind: "agg", bytes: runMem, refs: new Map() }, span);
    return {
      status: "ok", retval: Number(result.retval), packet: result.dataOut ? toHex(result.dataOut) : null,
      maps: traceMaps(machine.maps), diagnostics: [], tracePipe: machine.tracePipe,
    };
  } catch (error) {
    const outcome = outcomeOf(error);
    reportStop(diags, stopOf(error, span));
    return {
      status: outcome.status === "skip" ? "skip" : "fail", retval: 0, packet: null, maps: machine ? safeMaps(machine) : {},
      ...(outcome.status === "pass" ? {} : { message: outcome.message }), diagnostics: diags.all, tracePipe: machine?.tracePipe ?? [],
    };
  }
}

function safeMaps(machine: Machine): Record<string, (readonly [string, string])[]> {
  try {
    return traceMaps(machine.maps);
  } catch {
    return {};
  }
}
