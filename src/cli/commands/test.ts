//! `kernelscript test FILE.ks [--filter SUBSTR] [--format text|json|tap] [-o DIR]`:
//! compile in test mode (the file must have `@test` functions), build `NAME.test` with
//! the generated Makefile, run it as root and pass its report through: one line per
//! test, failure details beneath, `N passed, N failed` (`, N skipped`: tests of programs
//! this machine could not load). With `--format json|tap` stdout holds only that
//! document (test-report.ts, from the binary's `--report` file); make's output, the
//! binary's text and the tests' prints go to stderr.
//! A rejected object is explained once, on its `.ks` line, from the test binary's
//! verifier log. Exit 0 when every test passed, 1 when one failed or the program
//! has errors, 2 for usage. Without root or bpf() (or with `--interpret`) the tests run
//! in the reference interpreter instead (test-interpret.ts).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseNameOf } from "../../compiler/host.js";
import { booleanFlag, stringFlag, type CliIo, type CommandContext } from "../context.js";
import { fallbackNotice, kernelUnavailableReason, runInterpretedTests } from "./test-interpret.js";
import { ExitCode, InternalError } from "../failures.js";
import { checkOutputTarget, replaceOutputDirectory, resolveOutputTarget } from "../output-directory.js";
import { requireBuildToolchain } from "../toolchain.js";
import { compileInMemory, denyWarningsFlag, reportDiagnostics } from "./compile.js";
import { verifyObject } from "../kernel-check.js";
import { renderDiagnostics, type Diagnostic, type SourceSet } from "../../compiler/index.js";
import { parseVerifierLog } from "../../compiler/verifier/index.js";
import { explainBuiltRejection, readBuiltOutput } from "../../runner/verify.js";
import { readTestReport, reportAsJson, reportAsTap, selectedTests } from "../test-report.js";

export async function runTest(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  // Without the kernel (asked for, or not available here) the interpreter runs the tests.
  if (booleanFlag(parsed, "interpret")) return runInterpretedTests(context, undefined);
  const unavailable = kernelUnavailableReason(io);
  if (unavailable !== undefined) return runInterpretedTests(context, fallbackNotice(unavailable, file));
  const filter = stringFlag(parsed, "filter");
  const format = stringFlag(parsed, "format") ?? "text";
  const machine = format === "json" || format === "tap";
  const output = stringFlag(parsed, "output");
  const target = output === undefined ? undefined : resolveOutputTarget(output, io.cwd);
  if (target) checkOutputTarget(target, io.cwd, file, "test");
  const result = await compileInMemory(io, file, true, true, "warning", denyWarningsFlag(context));
  if (reportDiagnostics(io, result, file)) return ExitCode.programErrors;
  requireBuildToolchain(io.env, io.isRoot);

  const name = baseNameOf(file);
  let dir: string;
  if (target) {
    replaceOutputDirectory(target, result.files);
    dir = target.absolute;
  } else {
    dir = mkdtempSync(join(tmpdir(), `kernelscript-test-${name}-`));
    replaceOutputDirectory({ shown: dir, absolute: dir }, result.files);
  }
  let keep = target !== undefined;
  try {
    const build = await capture("make", ["--no-print-directory", "-C", dir, `${name}.test`], dir, io);
    if (machine) io.writeStderr(build.stdout + build.stderr);
    if (build.status !== 0) {
      keep = true;
      throw new InternalError(`the generated test binary did not build (make -C ${dir} ${name}.test):\n${build.stdout}${build.stderr}`);
    }
    // --quiet-rejection: a rejected object's verifier log is only written to a file; it is explained here, once.
    const reportPath = join(dir, `${name}.test-report`);
    const run = await capture(
      `./${name}.test`,
      ["--quiet-rejection", ...(filter === undefined ? [] : ["--filter", filter]), ...(machine ? ["--report", reportPath] : [])],
      dir,
      io,
    );
    (machine ? io.writeStderr : io.writeStdout)(run.stdout);
    io.writeStderr(run.stderr);
    if (machine) {
      const text = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : "";
      const report = readTestReport(file, text, result.semantics, result.sources, selectedTests(result.semantics, filter));
      io.writeStdout(format === "json" ? reportAsJson(report) : reportAsTap(report));
    }
    const log = join(dir, `${name}.verifier.log`);
    if (existsSync(log)) {
      keep = true;
      reportVerifierRejection(io, dir, name, result.sources, log);
    }
    if (run.status === 0) return ExitCode.ok;
    if (run.status === 1) return ExitCode.programErrors;
    io.writeStderr(`error: the test binary ${join(dir, `${name}.test`)} stopped abnormally (${run.signal ? `signal ${run.signal}` : `status ${run.status}`})\n`);
    keep = true;
    return ExitCode.programErrors;
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A program the kernel rejected while the tests ran: the test binary wrote libbpf's
 * output (with the whole verifier log) to NAME.verifier.log and printed only its name.
 * Explain it on the `.ks` line through the compiler's line map, as `check --kernel`
 * does. When the log names no program or there is no line map, load the object again
 * program by program (`verifyObject`) instead.
 */
function reportVerifierRejection(io: CliIo, dir: string, name: string, sources: SourceSet, logPath: string): void {
  const diagnostic = explainTestLog(dir, name, sources, logPath);
  if (diagnostic) {
    io.writeStderr(renderDiagnostics([diagnostic], sources, { color: io.color }));
    return;
  }
  const verified = verifyObject(join(dir, `${name}.bpf.o`), sources, join(dir, "verifier-logs"));
  if (verified.diagnostics.length > 0) io.writeStderr(renderDiagnostics(verified.diagnostics, sources, { color: io.color }));
  io.writeStderr(`  = note: the test binary's verifier log is in ${logPath}\n`);
}

/** The rejection in the test binary's log, mapped; undefined when it cannot be. */
function explainTestLog(dir: string, name: string, sources: SourceSet, logPath: string): Diagnostic | undefined {
  const log = readFileSync(logPath, "utf8");
  const program = parseVerifierLog(log).program;
  const built = readBuiltOutput(dir, name);
  if (program === undefined || !built.lineMap) return undefined;
  return explainBuiltRejection(built, { program, log, sources, logPath });
}

interface Captured {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function capture(command: string, args: readonly string[], cwd: string, io: CliIo): Promise<Captured> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...io.env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}
