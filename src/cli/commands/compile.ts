//! `kernelscript compile FILE.ks [-o DIR] [--no-makefile]` and the steps `build` shares
//! with it: run the compiler core through the Node host, print its diagnostics, write
//! the output directory atomically.

import { compile, diagnose, type CheckResult, type CompileResult } from "../../compiler/index.js";
import { baseNameOf } from "../../compiler/host.js";
import { renderDiagnostics } from "../../compiler/diagnostics/render.js";
import { booleanFlag, stringFlag, type CliIo, type CommandContext } from "../context.js";
import { ExitCode } from "../failures.js";
import { NodeHost, defaultKernelBtfPath } from "../node-host.js";
import { checkOutputTarget, replaceOutputDirectory, resolveOutputTarget, type OutputTarget } from "../output-directory.js";

/**
 * Runs the whole pipeline (parse → check → lower → analyze → emit) in memory. (`--help`
 * and usage errors never get here: main.ts loads the commands, and with them the core,
 * only to run one.)
 */
export async function compileInMemory(
  io: CliIo, file: string, makefile: boolean, test = false, kernelFacts: "warning" | "error" = "warning", denyWarningsFlag = false,
): Promise<CompileResult> {
  const { host, options } = compilerInputs(io, denyWarningsFlag);
  return compile(file, host, { ...options, makefile, test, kernelFacts });
}

/** Every diagnostic `compileInMemory` would give, without emitting the files (`check`). */
export function diagnoseInMemory(io: CliIo, file: string, test: boolean, kernelFacts: "warning" | "error", denyWarningsFlag: boolean): CheckResult {
  const { host, options } = compilerInputs(io, denyWarningsFlag);
  return diagnose(file, host, { ...options, test, kernelFacts });
}

function compilerInputs(io: CliIo, denyWarningsFlag: boolean): { host: NodeHost; options: { denyWarnings: boolean } } {
  const btfPath = io.env.BTF !== undefined && io.env.BTF !== "" ? io.env.BTF : defaultKernelBtfPath;
  const denyWarnings = denyWarningsFlag || io.env.KS_DENY_WARNINGS === "1";
  return { host: new NodeHost(io.cwd, btfPath, io.env), options: { denyWarnings } };
}

/** `--deny-warnings` on the command line (the environment and the file are read by `compileInMemory` and the core). */
export function denyWarningsFlag(context: CommandContext): boolean {
  return booleanFlag(context.parsed, "denyWarnings");
}

/** Prints the diagnostics (and their summary) to stderr; true when there were errors. */
export function reportDiagnostics(io: CliIo, result: CompileResult, file: string): boolean {
  if (result.diagnostics.length > 0) {
    io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
  }
  return result.diagnostics.some((d) => d.severity === "error");
}

/** `-o DIR`, or `./NAME` beside the working directory's other files. */
export function outputTargetFor(context: CommandContext, file: string): OutputTarget {
  const target = resolveOutputTarget(stringFlag(context.parsed, "output") ?? baseNameOf(file), context.io.cwd);
  checkOutputTarget(target, context.io.cwd, file, context.parsed.command.name);
  return target;
}

export async function runCompile(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const target = outputTargetFor(context, file);
  const result = await compileInMemory(io, file, !booleanFlag(parsed, "noMakefile"), booleanFlag(parsed, "test"), "warning", denyWarningsFlag(context));
  if (reportDiagnostics(io, result, file)) return ExitCode.programErrors;
  replaceOutputDirectory(target, result.files);
  const names = result.files.map((f) => f.path).join(", ");
  io.writeStdout(`compiled ${file} into ${target.shown}/: ${names}\n`);
  return ExitCode.ok;
}
