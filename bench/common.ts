// What the benchmarks share: the compiler to measure (this build's, or another build's
// with `--build DIR`, to compare before and after a change) and CPU time, which the
// other work on a shared machine disturbs less than wall time.

import { join } from "node:path";

export const repoRoot = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/* eslint-disable @typescript-eslint/no-explicit-any */
export interface Compiler {
  readonly label: string;
  readonly compile: (path: string, host: { readFile(path: string): string | undefined }) => any;
  readonly parse: (file: any, diags: any) => any;
  readonly lex: (file: any, diags: any) => any[];
  readonly makeSourceFile: (path: string, text: string) => any;
  readonly renderDiagnostics: (diagnostics: any, sources: any, options: any) => string;
  readonly Diagnostics: new () => any;
}

/** The compiler of `--build DIR` (a `build/` directory of any checkout), or this one. */
export async function loadCompiler(argv: readonly string[]): Promise<Compiler> {
  const at = argv.indexOf("--build");
  const build = at >= 0 && argv[at + 1] ? argv[at + 1]! : join(repoRoot, "build");
  const core = join(build, "src", "compiler");
  const load = (path: string): Promise<any> => import(join(core, path));
  const [pipeline, parser, lexer, source, render, diagnostic] = await Promise.all([
    load("pipeline.js"), load("parse/parser.js"), load("parse/lexer.js"), load("source.js"),
    load("diagnostics/render.js"), load("diagnostics/diagnostic.js"),
  ]);
  return {
    label: at >= 0 ? `compiler of ${build}` : "this build",
    compile: pipeline.compile, parse: parser.parse, lex: lexer.lex, makeSourceFile: source.makeSourceFile,
    renderDiagnostics: render.renderDiagnostics, Diagnostics: diagnostic.Diagnostics,
  };
}

export function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** The integer value of option `--name` (at least `least`); a usage error (exit 2) otherwise. */
export function count(name: string, text: string | undefined, least: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) {
    console.error(`bench: --${name} takes an integer of at least ${least}, not ${text}`);
    process.exit(2);
  }
  return value;
}
