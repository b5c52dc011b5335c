//! `kernelscript test FILE.ks --interpret` (and the automatic fallback when this process
//! cannot use the kernel: not root, or bpf() refused): runs the `@test` functions in the
//! core's reference interpreter (src/compiler/interpret/) and prints the same report as
//! the kernel mode — `ok   name  (0.05 ms)`, FAIL details, `skip name  (reason)`, then
//! `N passed, N failed[, N skipped][, N filtered out]` — or the same JSON/TAP
//! (test-report.ts). Why a test was skipped (E07xx: what needs the kernel) is rendered on
//! stderr at its `.ks` line. `--trace FILE` writes the run trace (TRACE.md) atomically.

import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve, basename, join } from "node:path";
import { lowerForTests, interpretTests, traceToJson, lineColumnOf, renderDiagnostics } from "../../compiler/index.js";
import type { InterpretReport } from "../../compiler/index.js";
import { stringFlag, type CliIo, type CommandContext } from "../context.js";
import { ExitCode, UsageError } from "../failures.js";
import { NodeHost, defaultKernelBtfPath } from "../node-host.js";
import { denyWarningsFlag } from "./compile.js";
import { findExecutable } from "../toolchain.js";
import { reportAsJson, reportAsTap, type TestRecord, type TestReport } from "../test-report.js";

export async function runInterpretedTests(context: CommandContext, notice: string | undefined): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const filter = stringFlag(parsed, "filter");
  const format = stringFlag(parsed, "format") ?? "text";
  const machine = format === "json" || format === "tap";
  const tracePath = stringFlag(parsed, "trace");
  const stepText = stringFlag(parsed, "stepLimit");
  const stepLimit = stepText === undefined ? undefined : Number(stepText);
  if (stepLimit !== undefined && (!Number.isInteger(stepLimit) || stepLimit < 1)) {
    throw new UsageError(`--step-limit takes a positive integer, not \`${stepText}\``);
  }
  if (notice) io.writeStderr(`${notice}\n`);

  const btfPath = io.env.BTF !== undefined && io.env.BTF !== "" ? io.env.BTF : defaultKernelBtfPath;
  const host = new NodeHost(io.cwd, btfPath, io.env);
  const denyWarnings = denyWarningsFlag(context) || io.env.KS_DENY_WARNINGS === "1";
  const { result, ir } = lowerForTests(file, host, { denyWarnings });
  if (result.diagnostics.length > 0) io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
  if (!ir || result.diagnostics.some((d) => d.severity === "error")) return ExitCode.programErrors;

  const report = interpretTests(ir, result.sources, { ...(filter === undefined ? {} : { filter }), ...(stepLimit === undefined ? {} : { stepLimit }) });
  const out = machine ? io.writeStderr : io.writeStdout;
  let passed = 0, failed = 0, skipped = 0;
  for (const test of report.tests) {
    if (test.output) out(test.output);
    const ms = test.durationMs.toFixed(2);
    if (test.status === "pass") {
      passed++;
      out(`ok   ${test.name}  (${ms} ms)\n`);
    } else if (test.status === "skip") {
      skipped++;
      out(`skip ${test.name}  (${test.message ?? ""})\n`);
    } else {
      failed++;
      out(`FAIL ${test.name}  (${ms} ms)\n`);
      for (const line of (test.message ?? "").split("\n")) out(`    ${line}\n`);
    }
  }
  out(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}${report.filteredOut ? `, ${report.filteredOut} filtered out` : ""}\n`);
  // Why tests were skipped (or stopped), at their lines; no "could not compile" summary: the program compiled.
  if (report.diagnostics.length > 0) io.writeStderr(renderDiagnostics(report.diagnostics, result.sources, { color: io.color }));
  if (machine) {
    const records = asTestReport(file, report, result.sources);
    io.writeStdout(format === "json" ? reportAsJson(records) : reportAsTap(records));
  }
  if (tracePath !== undefined && !writeAtomically(io, resolve(io.cwd, tracePath), traceToJson(report.trace))) return ExitCode.programErrors;
  return failed > 0 ? ExitCode.programErrors : ExitCode.ok;
}

function asTestReport(file: string, report: InterpretReport, sources: Parameters<typeof renderDiagnostics>[1]): TestReport {
  const outcome = { pass: "passed", fail: "failed", skip: "skipped" } as const;
  const tests: TestRecord[] = report.tests.map((t) => {
    const source = t.location ? sources.get(t.location.file) : undefined;
    const position = source && t.location ? lineColumnOf(source, t.location.start) : undefined;
    return {
      name: t.name, result: outcome[t.status], durationMs: Number(t.durationMs.toFixed(3)), message: t.message ?? "",
      location: position && t.location ? { file: t.location.file, line: position.line, column: position.column } : null,
    };
  });
  const count = (r: TestRecord["result"]): number => tests.filter((t) => t.result === r).length;
  return { file, tests, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), complete: true };
}

/** Temporary file beside the target, then rename: a reader never sees half a trace. */
function writeAtomically(io: CliIo, path: string, text: string): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
    return true;
  } catch (error) {
    rmSync(temporary, { force: true });
    io.writeStderr(`error: cannot write the trace ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    return false;
  }
}

/**
 * Why this process cannot run programs in the kernel, or undefined when it can: not
 * root, a kernel without bpf(), or bpf() refused to this process (a seccomp filter, a
 * container): `bpftool prog list` needs the system call and inherits the process's filter.
 */
export function kernelUnavailableReason(io: CliIo): string | undefined {
  if (!io.isRoot) return "not running as root (loading eBPF programs needs root)";
  if (!existsSync("/proc/sys/kernel/unprivileged_bpf_disabled")) return "this kernel has no bpf() system call";
  const bpftool = findExecutable("bpftool", io.env);
  if (bpftool && spawnSync(bpftool, ["prog", "list"], { stdio: "ignore" }).status !== 0) {
    return "the bpf() system call is refused to this process (bpftool prog list failed)";
  }
  return undefined;
}

/** The one-line notice of the automatic fallback: why, and how to get the kernel. */
export function fallbackNotice(reason: string, file: string): string {
  return `note: running the tests in the interpreter: ${reason}; \`sudo kernelscript test ${file}\` runs them in the kernel`;
}
