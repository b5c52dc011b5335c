// Running `.ks` text on the reference interpreter from tests: an in-memory host, the
// test-mode IR, and either every @test function (`interpretSource`) or one program run
// (`runSource`).

import assert from "node:assert/strict";
import { interpretTests, lowerForTests, lowerModule, renderDiagnostic, runProgram } from "../../src/compiler/index.js";
import type { Host, InterpretOptions, InterpretReport, ProgramRunInput, ProgramRunResult } from "../../src/compiler/index.js";

export function memoryHost(path: string, text: string): Host {
  return { readFile: (p) => (p === path ? text : undefined) };
}

export function interpretSource(text: string, options: InterpretOptions = {}, path = "/t/test.ks"): InterpretReport {
  const { result, ir } = lowerForTests(path, memoryHost(path, text));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 0, errors.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n"));
  assert.ok(ir, "the program lowers");
  return interpretTests(ir, result.sources, options);
}

export function runSource(text: string, program: string, run: ProgramRunInput = {}, options: InterpretOptions = {}): ProgramRunResult {
  const path = "/t/run.ks";
  const { result, ir } = lowerModule(path, memoryHost(path, text), { makefile: false });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  assert.equal(errors.length, 0, errors.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n"));
  assert.ok(ir, "the program lowers");
  return runProgram(ir, program, run, options);
}

/** Little-endian hex of `value` in `bytes` bytes (how a map key or value of that width is traced). */
export function le(value: bigint, bytes: number): string {
  let v = BigInt.asUintN(bytes * 8, value);
  let out = "";
  for (let i = 0; i < bytes; i++) {
    out += (v & 0xffn).toString(16).padStart(2, "0");
    v >>= 8n;
  }
  return out;
}

/** The statuses of a report's tests, by name. */
export function statuses(report: InterpretReport): Record<string, string> {
  return Object.fromEntries(report.tests.map((t) => [t.name, t.status]));
}
