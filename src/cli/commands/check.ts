//! `kernelscript check FILE.ks [--format json] [--kernel]`: every diagnostic, no output
//! files. It runs the pipeline up to the IR analyses, not only the front end, because the
//! eBPF safety rules (E04xx) are found on the IR and a "clean" check must mean the file
//! compiles (emission, which reports nothing, is left out).
//! With `--kernel` it checks against the running kernel: a tracepoint or kernel function
//! it lacks is an error (a warning otherwise), then it builds the eBPF object in a
//! temporary directory and loads every program (nothing is attached): verifier rejections
//! are reported on the `.ks` line (E0450–E0469), exit 1; exit 3 when programs cannot be
//! loaded here (not root, no bpf()).

import { renderDiagnostics, toJson } from "../../compiler/index.js";
import { baseNameOf } from "../../compiler/host.js";
import { booleanFlag, stringFlag, type CommandContext } from "../context.js";
import { ExitCode } from "../failures.js";
import { requireBuildToolchain } from "../toolchain.js";
import { buildObjectIn, persistentLogDir, programLines, requireKernelLoad, temporaryDirectory, verifierRejections, verifyObject } from "../kernel-check.js";
import { compileInMemory, denyWarningsFlag, diagnoseInMemory } from "./compile.js";

export async function runCheck(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const json = stringFlag(parsed, "format") === "json";
  const kernel = booleanFlag(parsed, "kernel");
  // Against this kernel, what it lacks (a tracepoint, a probed function) is an error.
  // Only the kernel check needs the files: without it nothing is emitted.
  const facts = kernel ? "error" : "warning";
  const result = kernel
    ? await compileInMemory(io, file, true, booleanFlag(parsed, "test"), facts, denyWarningsFlag(context))
    : { ...diagnoseInMemory(io, file, booleanFlag(parsed, "test"), facts, denyWarningsFlag(context)), files: [] };
  const hasErrors = result.diagnostics.some((d) => d.severity === "error");
  // A program with errors is reported whether or not it could be loaded here.
  if (kernel && !hasErrors) requireKernelLoad(io, file);
  if (hasErrors || !kernel) {
    if (json) {
      // Machine-readable output goes to stdout, so it can be piped while stderr stays free.
      io.writeStdout(JSON.stringify(toJson(result.diagnostics, result.sources), null, 2) + "\n");
    } else if (result.diagnostics.length > 0) {
      io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
    } else {
      io.writeStdout(`${file}: no errors\n`);
    }
    return hasErrors ? ExitCode.programErrors : ExitCode.ok;
  }

  requireBuildToolchain(io.env, io.isRoot);
  const name = baseNameOf(file);
  const build = temporaryDirectory("ks-check-");
  try {
    const object = buildObjectIn(build.dir, result, name, io.env);
    const verified = verifyObject(object, result.sources, persistentLogDir(name));
    const rejections = verifierRejections(verified);
    const diagnostics = [...result.diagnostics, ...verified.diagnostics];
    if (json) {
      const report = {
        ...toJson(diagnostics, result.sources),
        programs: verified.programs.map((p) => ({ name: p.name, loaded: p.loaded, refused: p.refused, log: p.logPath ?? null })),
      };
      io.writeStdout(JSON.stringify(report, null, 2) + "\n");
    } else {
      if (result.diagnostics.length > 0) io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
      // No "could not compile" summary: it compiled; the kernel refused it.
      if (verified.diagnostics.length > 0) io.writeStderr(renderDiagnostics(verified.diagnostics, result.sources, { color: io.color }));
      const loaded = verified.programs.filter((p) => p.loaded).length;
      io.writeStdout(`${file}: ${loaded} of ${verified.programs.length} eBPF programs loaded by this kernel's verifier\n${programLines(verified)}`);
    }
    if (rejections.length > 0) return ExitCode.programErrors;
    return verified.programs.some((p) => p.refused) ? ExitCode.environment : ExitCode.ok;
  } finally {
    build.done();
  }
}
