//! `kernelscript fmt FILE… [--check] [--stdin]`: the canonical layout (docs/fmt.md),
//! from the core's `formatSource`.
//!
//! In place, a file is rewritten only when it changes, through a temporary sibling
//! renamed over it (never half written; its mode kept). `--check` writes nothing and
//! lists the files that would change (exit 1 when there are any). `--stdin` formats
//! standard input to standard output. A file with syntax errors gets its diagnostics
//! and exit 1; the other files are still formatted. When the formatter would have
//! changed a program's meaning (its own bug, caught by the core's check) nothing is
//! written and the exit code is 70.

import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { formatSource, makeSourceFile, renderDiagnostics, type Diagnostic, type FormatResult, type SourceFile } from "../../compiler/index.js";
import { Diagnostics } from "../../compiler/diagnostics/diagnostic.js";
import { missingInputFile } from "../../compiler/diagnostics/catalog/names.js";
import { booleanFlag, type CliIo, type CommandContext } from "../context.js";
import { EnvironmentError, ExitCode, UsageError } from "../failures.js";

type Outcome = "unchanged" | "changed" | "errors" | "internal";

export async function runFmt(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const check = booleanFlag(parsed, "check");
  if (booleanFlag(parsed, "stdin")) {
    if (parsed.args.length > 0) throw new UsageError("`--stdin` formats standard input: give no FILE with it", "fmt");
    return exitCodeOf([formatStdin(io, check)]);
  }
  if (parsed.args.length === 0) throw new UsageError("`fmt` needs FILE… (or --stdin)", "fmt");
  return exitCodeOf(parsed.args.map((file) => formatFile(io, file, check)));
}

/** The worst outcome decides: an internal error (70), then unformatted files or syntax errors (1). */
function exitCodeOf(outcomes: readonly Outcome[]): ExitCode {
  if (outcomes.includes("internal")) return ExitCode.internal;
  if (outcomes.includes("errors")) return ExitCode.programErrors;
  if (outcomes.includes("changed")) return ExitCode.programErrors;
  return ExitCode.ok;
}

function formatFile(io: CliIo, file: string, check: boolean): Outcome {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    const diags = new Diagnostics();
    diags.report(missingInputFile, { file, start: 0, end: 0 }, file);
    return reportErrors(io, file, diags.all, makeSourceFile(file, ""));
  }
  const result = formatSource(file, text);
  switch (result.kind) {
    case "notParsed": case "internalError":
      return reportUnformatted(io, file, text, result);
    case "formatted":
      if (!result.changed) return "unchanged";
      if (check) {
        io.writeStdout(`${file}\n`);
        // In --check mode "changed" means "would change"; but only the in-place mode writes.
        return "changed";
      }
      writeAtomically(path, result.text);
      // Rewriting is what was asked: it succeeded (the exit code stays 0).
      return "unchanged";
  }
}

/** A text the formatter did not format: its syntax errors rendered, or the formatter's own failure. */
function reportUnformatted(io: CliIo, name: string, text: string, result: Exclude<FormatResult, { kind: "formatted" }>): Outcome {
  if (result.kind === "notParsed") return reportErrors(io, name, result.diagnostics, makeSourceFile(name, text));
  io.writeStderr(internalErrorText(result.message, name));
  return "internal";
}

function formatStdin(io: CliIo, check: boolean): Outcome {
  const text = readFileSync(0, "utf8");
  const name = "<stdin>";
  const result = formatSource(name, text);
  switch (result.kind) {
    case "notParsed": case "internalError":
      return reportUnformatted(io, name, text, result);
    case "formatted":
      if (check) {
        if (result.changed) io.writeStdout(`${name}\n`);
        return result.changed ? "changed" : "unchanged";
      }
      io.writeStdout(result.text);
      return "unchanged";
  }
}

function reportErrors(io: CliIo, file: string, diagnostics: readonly Diagnostic[], source: SourceFile): Outcome {
  const sources = new Map<string, SourceFile>([[source.path, source]]);
  io.writeStderr(renderDiagnostics(diagnostics, sources, { color: io.color, inputName: file }));
  return "errors";
}

function internalErrorText(message: string, file: string): string {
  return [
    `internal compiler error: ${message}`,
    "  = note: this is a bug in kernelscript's formatter, not in your program; nothing was written",
    `  = note: please report it on the KernelScript issue tracker with the input file (${file}) and this message`,
  ].join("\n") + "\n";
}

/** Replaces `path` by `text` through a temporary sibling and a rename, keeping the file's mode. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.ks-fmt-${process.pid}`);
  try {
    writeFileSync(temporary, text, { mode: statSync(path).mode & 0o7777 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    const reason = error instanceof Error ? error.message : String(error);
    throw new EnvironmentError([`cannot write ${path}: ${reason}`], "make the file and its directory writable, or run `kernelscript fmt --check` to only list what would change");
  }
}
