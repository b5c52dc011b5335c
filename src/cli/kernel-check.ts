//! Loading a compiled `.ks` into the kernel for the CLI: `check --kernel`, `build` and
//! `explain` build the eBPF object quietly (the Makefile's `NAME.bpf.o` target), then
//! `src/runner/verify.ts` loads each program and maps rejections to `.ks` lines.

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CompileResult, Diagnostic, SourceSet } from "../compiler/index.js";
import { detectCapabilities } from "../runner/capabilities.js";
import { verifyBuiltObject, type VerifyResult } from "../runner/verify.js";
import type { CliIo } from "./context.js";
import { EnvironmentError, InternalError } from "./failures.js";

/** Why programs cannot be loaded here, or undefined when they can. */
export function kernelLoadUnavailable(io: CliIo): string | undefined {
  if (!io.isRoot) return "not running as root (loading eBPF programs needs root or CAP_BPF + CAP_PERFMON)";
  if (io.env["KS_NO_BPF"] === "1" || !detectCapabilities().bpf) return "the bpf() system call is not available here (`bpftool prog list` fails)";
  return undefined;
}

/** Throws the exit-3 error for `check --kernel` / `explain` when loading is impossible. */
export function requireKernelLoad(io: CliIo, file: string): void {
  const why = kernelLoadUnavailable(io);
  if (why) throw new EnvironmentError([`cannot load programs into the kernel: ${why}`], `run it as root: sudo kernelscript check --kernel ${file}`);
}

/** Writes the compiled files into `dir` and makes `NAME.bpf.o` there (output captured). */
export function buildObjectIn(dir: string, result: CompileResult, name: string, env: CliIo["env"]): string {
  mkdirSync(dir, { recursive: true });
  for (const file of result.files) writeFileSync(join(dir, file.path), file.text);
  const make = spawnSync("make", ["--no-print-directory", "-C", dir, `${name}.bpf.o`], { encoding: "utf8", env: { ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (make.status !== 0) {
    throw new InternalError(`the generated eBPF C did not build (make ${name}.bpf.o exited with ${make.status}):\n${make.stdout}${make.stderr}`);
  }
  return join(dir, `${name}.bpf.o`);
}

/** A fresh temporary directory, removed by `done()`. */
export function temporaryDirectory(prefix: string): { dir: string; done(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where `check --kernel` keeps verifier logs (they outlive its temporary build). */
export function persistentLogDir(name: string): string {
  return join(tmpdir(), "kernelscript-verifier-logs", name);
}

export function verifyObject(object: string, sources: SourceSet, logDir: string): VerifyResult {
  return verifyBuiltObject({ object, sources, logDir });
}

/** Rejections by the verifier (exit 1) as opposed to refusals of the program type. */
export function verifierRejections(result: VerifyResult): Diagnostic[] {
  return result.programs.filter((p) => !p.loaded && !p.refused).flatMap((p) => (p.diagnostic ? [p.diagnostic] : []));
}

/**
 * Programs stopped at this machine's boundary (EPERM, a kfunc whose module is not
 * loaded): their diagnostics, as warnings, for commands where that is not an error.
 */
export function boundaryWarnings(result: VerifyResult): Diagnostic[] {
  return result.programs.filter((p) => !p.loaded && p.refused && p.diagnostic).map((p) => ({ ...p.diagnostic!, severity: "warning" as const }));
}

/** One line per program: `  vm_nul: rejected (E0452), log: PATH` / `  p: loaded`. */
export function programLines(result: VerifyResult): string {
  return result.programs
    .map((p) => `  ${p.name}: ${p.loaded ? "loaded" : p.refused ? p.refusedBecause ?? "refused by this kernel" : `rejected (${p.diagnostic?.code ?? "?"}), log: ${p.logPath}`}`)
    .join("\n") + "\n";
}
