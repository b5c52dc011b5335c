//! Compiles a `.ks` file through the compiler's public API into a directory, as
//! `kernelscript compile` does, for the demo and the tests.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile, type EmittedFile } from "../compiler/index.js";
import { renderDiagnostic } from "../compiler/index.js";
import { NodeHost } from "../cli/node-host.js";

export interface CompiledProject {
  readonly dir: string;
  readonly files: readonly EmittedFile[];
  /** Rendered warnings (errors throw). */
  readonly warnings: string;
}

export class CompileFailed extends Error {}

/** Compiles `ksPath` (relative to the working directory or absolute) into `outDir`. */
export function compileToDirectory(ksPath: string, outDir: string): CompiledProject {
  const result = compile(ksPath, new NodeHost(process.cwd()));
  const rendered = result.diagnostics.map((d) => renderDiagnostic(d, result.sources, { color: false })).join("\n");
  if (result.files.length === 0 || result.diagnostics.some((d) => d.severity === "error")) {
    throw new CompileFailed(`compiling ${ksPath} failed:\n${rendered}`);
  }
  mkdirSync(outDir, { recursive: true });
  for (const file of result.files) writeFileSync(join(outDir, file.path), file.text);
  return { dir: outDir, files: result.files, warnings: rendered };
}
