//! Loads every program of a built object into the kernel without attaching it (native
//! `verify-load`, src/runner/native/verify-load.c) and explains each rejection on the
//! `.ks` line through the compiler's line map (`src/compiler/verifier/`).
//!
//! Used by `kernelscript check --kernel`, `kernelscript build` and the kernel tests; the
//! `kernelscript test` explains the test binary's own log with `explainBuiltRejection`.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Diagnostic, SourceSet } from "../compiler/index.js";
import { makeSourceFile } from "../compiler/index.js";
import { explainRejection, parseLineMap, type LineMap } from "../compiler/verifier/index.js";
import { verifierKfuncMissing } from "../compiler/diagnostics/catalog/verifier.js";
import { nativeTool } from "./native-tools.js";
import { setTypeArguments } from "./set-types.js";

export interface VerifiedProgram {
  readonly name: string;
  /** `enum bpf_prog_type` number. */
  readonly type: number;
  readonly loaded: boolean;
  /**
   * Stopped at this machine's boundary, not by an error of the program: the kernel
   * refused the program type (EPERM with no log: lockdown), or a kfunc it calls is
   * missing because its kernel module is not loaded (E0469).
   */
  readonly refused: boolean;
  /** Why, for `refused` programs: one line. */
  readonly refusedBecause: string | undefined;
  readonly errno: number;
  /** The full verifier log (a file), for rejected programs. */
  readonly logPath: string | undefined;
  /** Set only when the log hit the 1 GiB cap (never for ordinary programs). */
  readonly truncated: boolean;
  /** The rejection explained on the `.ks` line. */
  readonly diagnostic: Diagnostic | undefined;
}

export interface VerifyResult {
  readonly programs: readonly VerifiedProgram[];
  /** One per rejected (or refused) program. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: SourceSet;
}

export interface VerifyOptions {
  /** The built object (`DIR/NAME.bpf.o`); `NAME.bpf.c` and `NAME.bpf.map.json` sit beside it. */
  readonly object: string;
  /** The `.ks` sources; when absent they are read from `sourceDir` by the names in the line map. */
  readonly sources?: SourceSet;
  readonly sourceDir?: string;
  /** Where the logs go (`PROG.log` each); default: `DIR/verifier-logs`. */
  readonly logDir?: string;
  /** 1 (default: the failing path) or 2 (every state, much larger). */
  readonly logLevel?: 1 | 2;
}

export class VerifyError extends Error {}


/** Loads each program of `options.object`; rejections come back as mapped Diagnostics. */
export function verifyBuiltObject(options: VerifyOptions): VerifyResult {
  const dir = dirname(options.object);
  const name = options.object.replace(/^.*\//, "").replace(/\.bpf\.o$/, "");
  const logDir = options.logDir ?? join(dir, "verifier-logs");
  mkdirSync(logDir, { recursive: true });
  const built = readBuiltOutput(dir, name);
  const sources = options.sources ?? readSources(built.lineMap, options.sourceDir ?? dir);

  const args = [options.object, logDir, ...(options.logLevel ? ["--log-level", String(options.logLevel)] : []), ...setTypeArguments()];
  const run = spawnSync(nativeTool("verify-load"), args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) {
    throw new VerifyError(`verify-load ${options.object} exited with ${run.status}: ${run.stderr}${run.error ? String(run.error) : ""}`);
  }
  interface Raw { name: string; type: number; loaded: boolean; refused: boolean; reason: string | null; errno: number; truncated: boolean; log: string | null }
  const raw = JSON.parse(run.stdout) as { programs: Raw[] };
  const kernelModulesUnsupported = !existsSync("/proc/modules");
  const programs = raw.programs.map((p): VerifiedProgram => {
    const logPath = p.log ?? undefined;
    let diagnostic: Diagnostic | undefined;
    // Refused before any load, with verify-load's reason (a struct_ops type this
    // kernel's BTF lacks): there is no verifier log to explain.
    if (p.reason !== null) {
      return { name: p.name, type: p.type, loaded: false, refused: true, refusedBecause: `refused: ${p.reason}`, errno: p.errno, logPath, truncated: false, diagnostic: undefined };
    }
    if (!p.loaded) {
      const log = logPath && existsSync(logPath) ? readFileSync(logPath, "utf8") : "";
      diagnostic = explainBuiltRejection(built, { program: p.name, log, sources, logPath, refused: p.refused, kernelModulesUnsupported });
    }
    const moduleMissing = diagnostic?.code === verifierKfuncMissing.code;
    const refusedBecause = p.refused
      ? "refused by this kernel (EPERM)"
      : moduleMissing
        ? `not loaded: ${diagnostic!.message.replace(/^program `[^`]*` /, "")} (${diagnostic!.code})`
        : undefined;
    return {
      name: p.name, type: p.type, loaded: p.loaded, refused: p.refused || moduleMissing, refusedBecause,
      errno: p.errno, logPath, truncated: p.truncated, diagnostic,
    };
  });
  return { programs, diagnostics: programs.flatMap((p) => (p.diagnostic ? [p.diagnostic] : [])), sources };
}

/** What a build directory holds for explaining rejections: the line map and the C text. */
export interface BuiltOutput {
  readonly name: string;
  readonly lineMap: LineMap | undefined;
  readonly cText: string | undefined;
}

/** `DIR/NAME.bpf.map.json` and `DIR/NAME.bpf.c`, when they exist. */
export function readBuiltOutput(dir: string, name: string): BuiltOutput {
  const mapPath = join(dir, `${name}.bpf.map.json`);
  const cPath = join(dir, `${name}.bpf.c`);
  return {
    name,
    lineMap: existsSync(mapPath) ? parseLineMap(readFileSync(mapPath, "utf8")) : undefined,
    cText: existsSync(cPath) ? readFileSync(cPath, "utf8") : undefined,
  };
}

/** One program's verifier log explained on its `.ks` line through the build's line map. */
export function explainBuiltRejection(
  built: BuiltOutput,
  rejection: {
    readonly program: string; readonly log: string; readonly sources: SourceSet; readonly logPath: string | undefined;
    readonly refused?: boolean; readonly kernelModulesUnsupported?: boolean;
  },
): Diagnostic | undefined {
  return explainRejection({
    program: rejection.program,
    log: rejection.log,
    sources: rejection.sources,
    lineMap: built.lineMap,
    ...(built.cText !== undefined ? { cText: built.cText } : {}),
    cFileName: `${built.name}.bpf.c`,
    ...(rejection.logPath ? { logPath: rejection.logPath } : {}),
    ...(rejection.refused !== undefined ? { refused: rejection.refused } : {}),
    ...(rejection.kernelModulesUnsupported !== undefined ? { kernelModulesUnsupported: rejection.kernelModulesUnsupported } : {}),
  }).diagnostic;
}

/** The `.ks` files the line map names, read from `dir` (absent ones are skipped). */
function readSources(lineMap: LineMap | undefined, dir: string): SourceSet {
  const files = new Set<string>(lineMap ? [lineMap.source, ...lineMap.mappings.map((m) => m.file)] : []);
  const sources = new Map<string, ReturnType<typeof makeSourceFile>>();
  for (const file of files) {
    const path = join(dir, file);
    if (existsSync(path)) sources.set(path, makeSourceFile(path, readFileSync(path, "utf8")));
  }
  return sources;
}
