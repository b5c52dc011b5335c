//! The whole compiler on one screen:
//!
//!   text ──parse──▶ Ast ──check──▶ Semantics ──lower──▶ Ir ──analyze──▶ Ir ──emit──▶ EmittedFile[]
//!
//! Every pass reports into one `Diagnostics` collector. Lowering starts only when the
//! front end found no errors, so the IR never contains error types; emission starts only
//! when analysis found none, so no output is produced for a program with errors.

import { Diagnostics, type Diagnostic } from "./diagnostics/diagnostic.js";
import type { Host } from "./host.js";
import { baseNameOf } from "./host.js";
import type { SourceFile, SourceSet } from "./source.js";
import { makeSourceFile } from "./source.js";
import { parse } from "./parse/parser.js";
import { check as checkProgram, type Semantics } from "./check/checker.js";
import { lower } from "./lower/lower.js";
import { analyze } from "./analyze/index.js";
import { emit, type EmittedFile } from "./emit/index.js";
import type { IrModule } from "./ir.js";
import { missingInputFile } from "./diagnostics/catalog/names.js";
import { requireTests } from "./check/testing.js";
import { fileDeniesWarnings } from "./directives.js";
import { planDeployment, type DeployOptions, type Deployment } from "./deploy/plan.js";

export type { EmittedFile } from "./emit/index.js";

export interface CompileOptions {
  /** Base name of the outputs (`NAME.bpf.c`, `NAME.c`, …); defaults to the source's. */
  readonly name?: string;
  /** Emit the Makefile (default true). */
  readonly makefile?: boolean;
  /** Test mode: requires `@test` functions and adds NAME.test.c (kernelscript test). */
  readonly test?: boolean;
  /**
   * What a tracepoint or kernel function missing from the kernel's BTF is: a warning
   * when compiling (the program may run on another kernel), an error when the program
   * is checked for loading into this kernel (`check --kernel`). Default `warning`.
   */
  readonly kernelFacts?: "warning" | "error";
  /**
   * Every warning is an error (`--deny-warnings`, `KS_DENY_WARNINGS=1`); the main file
   * can ask for it too with `// kernelscript: deny-warnings` (directives.ts).
   */
  readonly denyWarnings?: boolean;
}

export type CheckOptions = Pick<CompileOptions, "kernelFacts" | "denyWarnings">;

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Every file read (main source, includes, imports), to render diagnostics. */
  readonly sources: SourceSet;
  readonly semantics: Semantics | undefined;
  /** Whether warnings are errors (the option or the file's directive). */
  readonly denyWarnings: boolean;
}

export interface CompileResult extends CheckResult {
  /** Empty when there are errors. */
  readonly files: readonly EmittedFile[];
}

export function check(path: string, host: Host, options: CheckOptions = {}): CheckResult {
  const sources = new Map<string, SourceFile>();
  const text = host.readFile(path);
  const source = makeSourceFile(path, text ?? "");
  sources.set(path, source);
  const denyWarnings = options.denyWarnings === true || fileDeniesWarnings(source);
  const diags = new Diagnostics(denyWarnings);
  if (text === undefined) {
    diags.report(missingInputFile, { file: path, start: 0, end: 0 }, path);
    return { diagnostics: diags.all, sources, semantics: undefined, denyWarnings };
  }
  const ast = parse(source, diags);
  // Checking a tree with syntax errors mostly reports their echoes; fix syntax first.
  if (diags.hasErrors()) return { diagnostics: diags.all, sources, semantics: undefined, denyWarnings };
  const semantics = checkProgram(ast, { host, sources, diags, kernelFacts: options.kernelFacts ?? "warning" });
  return { diagnostics: diags.all, sources, semantics, denyWarnings };
}

export function compile(path: string, host: Host, options: CompileOptions = {}): CompileResult {
  const { result, ir } = analyzeProgram(path, host, options);
  if (!ir) return { ...result, files: [] };
  const files = emit(ir, result.sources, { makefile: options.makefile ?? true, test: options.test ?? false });
  return { ...result, files };
}

/** `compile`'s result and `kernelscript package`'s plan (deploy/plan.ts). */
export interface PackageResult extends CompileResult {
  /** Undefined when there are errors. */
  readonly deployment: Deployment | undefined;
}

/**
 * `compile`, then the deployment plan of `kernelscript package`, whose diagnostics
 * (deployment area) join the others: nothing is emitted when one of them is an error.
 */
export function compilePackage(path: string, host: Host, options: CompileOptions, deploy: DeployOptions): PackageResult {
  const { result, ir } = analyzeProgram(path, host, options);
  if (!ir) return { ...result, files: [], deployment: undefined };
  const diags = new Diagnostics(result.denyWarnings);
  diags.addAll(result.diagnostics);
  const deployment = planDeployment(ir, deploy, diags);
  const planned = { ...result, diagnostics: diags.all };
  if (diags.hasErrors() || !deployment) return { ...planned, files: [], deployment: undefined };
  const files = emit(ir, result.sources, { makefile: true, test: false });
  return { ...planned, files, deployment };
}

/**
 * Every diagnostic `compile` reports, without emitting the files (emission reports
 * none): `kernelscript check`.
 */
export function diagnose(path: string, host: Host, options: CompileOptions = {}): CheckResult {
  return analyzeProgram(path, host, options).result;
}

/**
 * The test-mode IR of a file (its `@test` functions included) with the diagnostics of a
 * test-mode compile, without emitting anything: what the reference interpreter runs
 * (`kernelscript test --interpret`, the playground). `ir` is absent when there were errors.
 */
export function lowerForTests(path: string, host: Host, options: CheckOptions = {}): { readonly result: CheckResult; readonly ir?: IrModule } {
  return lowerModule(path, host, { ...options, test: true });
}

/** The IR of a file (after the analyses), without emitting: the interpreter's input for one program run. */
export function lowerModule(path: string, host: Host, options: CompileOptions = {}): { readonly result: CheckResult; readonly ir?: IrModule } {
  return analyzeProgram(path, host, options);
}

/** The front end, lowering and the IR analyses; the IR when they found no error. */
function analyzeProgram(path: string, host: Host, options: CompileOptions): { result: CheckResult; ir?: IrModule } {
  const checked = check(path, host, options);
  const diags = new Diagnostics(checked.denyWarnings);
  diags.addAll(checked.diagnostics);
  if (diags.hasErrors() || !checked.semantics) return { result: checked };
  if (options.test) requireTests(checked.semantics, diags);
  if (diags.hasErrors()) return { result: { ...checked, diagnostics: diags.all } };
  const name = options.name ?? baseNameOf(path);
  const ir = lower(checked.semantics, name, options.test ?? false);
  analyze(ir, diags);
  const result = { ...checked, diagnostics: diags.all };
  return diags.hasErrors() ? { result } : { result, ir };
}
