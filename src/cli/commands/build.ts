//! `kernelscript build FILE.ks [-o DIR]`: compile, check the toolchain, write the output
//! directory, run `make -C DIR`. The toolchain is checked after compiling (so program
//! errors come first) but before writing (so a machine without clang gets no
//! half-usable directory, only the command that fixes it).
//!
//! Kernel check: when it can load programs (root and a working bpf()), `build` loads
//! every program of the new object into the kernel once (nothing attached) and reports
//! verifier rejections on the `.ks` line, exiting 1; the output directory is kept (the
//! C, the object and `verifier-logs/PROG.log` are what one reads next). Without root it
//! says the check was skipped and why; `--no-kernel-check` skips it.
//!
//! Atomic: make runs in a staging sibling of the output directory, renamed over it only
//! when the whole build succeeded; on a failed step, an exception or SIGINT/SIGTERM/
//! SIGHUP the staging directory is removed and the previous output stays as it was
//! (`buildAtomically`). make does only what changed since the previous build of the same
//! directory, and vmlinux.h comes from the cache (`incremental-build.ts`). A closed stdout (`kernelscript build … | head`) is not an
//! error: the build runs to its end and only the writing stops (`runMake`, `main.ts`).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { baseNameOf } from "../../compiler/host.js";
import { booleanFlag, type CliIo, type CommandContext } from "../context.js";
import { renderDiagnostics, type EmittedFile } from "../../compiler/index.js";
import { boundaryWarnings, kernelLoadUnavailable, programLines, verifierRejections, verifyObject } from "../kernel-check.js";
import { ExitCode, InternalError } from "../failures.js";
import { stageOutputDirectory, type OutputTarget, type StagedOutput } from "../output-directory.js";
import { watchInterrupts } from "../interrupts.js";
import { prepareIncrementalBuild } from "../incremental-build.js";
import { requireBuildToolchain, runMake, type MakeOutput } from "../toolchain.js";
import { compileInMemory, denyWarningsFlag, outputTargetFor, reportDiagnostics } from "./compile.js";

export async function runBuild(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const target = outputTargetFor(context, file);
  const result = await compileInMemory(io, file, true, false, "warning", denyWarningsFlag(context));
  if (reportDiagnostics(io, result, file)) return ExitCode.programErrors;
  requireBuildToolchain(io.env, io.isRoot);
  const name = baseNameOf(file);
  await buildAtomically(io, target, result.files, name, io);
  io.writeStdout(`built ${join(target.shown, `${name}.bpf.o`)} (eBPF object) and ${join(target.shown, name)} (loader; run it as root)\n`);
  if (booleanFlag(parsed, "noKernelCheck")) return ExitCode.ok;
  const unavailable = kernelLoadUnavailable(io);
  if (unavailable) {
    io.writeStdout(`note: kernel verifier check skipped: ${unavailable}; \`sudo kernelscript check --kernel ${file}\` runs it\n`);
    return ExitCode.ok;
  }
  const verified = verifyObject(join(target.absolute, `${name}.bpf.o`), result.sources, join(target.absolute, "verifier-logs"));
  // Programs this machine stops at its boundary (EPERM: lockdown; E0469: a kfunc whose
  // module is not loaded) are listed and warned about, not errors.
  const rejections = verifierRejections(verified);
  // A kfunc whose module is not loaded (E0469) stops its program at this machine's
  // boundary: the loader loads the module first. Said as a warning, not an error.
  const shown = [...rejections, ...boundaryWarnings(verified)];
  if (shown.length > 0) io.writeStderr(renderDiagnostics(shown, result.sources, { color: io.color }));
  const loaded = verified.programs.filter((p) => p.loaded).length;
  io.writeStdout(`kernel verifier check: ${loaded} of ${verified.programs.length} eBPF programs loaded\n${programLines(verified)}`);
  return rejections.length > 0 ? ExitCode.programErrors : ExitCode.ok;
}

/**
 * Writes the files into a staging sibling of the output directory, runs make there and
 * renames the result over the target only when make succeeded and made both products.
 * Any failure (clang, bpftool, cc, make itself), SIGINT/SIGTERM/SIGHUP, or an exception
 * removes the staging directory and leaves the target as it was. make's output goes to
 * `makeOutput` (`run` sends it to stderr, leaving stdout to the program it runs).
 */
export async function buildAtomically(io: CliIo, target: OutputTarget, files: readonly EmittedFile[], name: string, makeOutput: MakeOutput): Promise<void> {
  const interrupts = watchInterrupts(io);
  const unchanged = `\`${target.shown}\` was left unchanged`;
  let staged: StagedOutput | undefined;
  try {
    staged = stageOutputDirectory(target, files);
    const incremental = prepareIncrementalBuild(staged.dir, target.absolute, files, name, io.env);
    interrupts.throwIfInterrupted(`build interrupted before make ran; ${unchanged}`);
    const status = await runMake(staged.dir, makeOutput, interrupts);
    interrupts.throwIfInterrupted(`build interrupted (make stopped); ${unchanged}`);
    // The toolchain is known to be complete here, so C that does not build is our bug.
    if (status !== 0) {
      throw new InternalError(`the generated code did not build: make exited with status ${status} (its output is above); ${unchanged}`);
    }
    const products = [`${name}.bpf.o`, name];
    const absent = products.filter((product) => !existsSync(join(staged!.dir, product)));
    if (absent.length > 0) {
      throw new InternalError(`make succeeded but did not produce ${absent.join(" and ")}; ${unchanged}`);
    }
    // Synchronous: a signal arriving now is handled after the rename, never between.
    staged.commit();
    incremental.remember();
  } finally {
    staged?.discard();
    interrupts.dispose();
  }
}
