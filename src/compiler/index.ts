//! The public API of the compiler core. The CLI, the LSP, the playground and the tests
//! import from here and nowhere else in `src/compiler/`.

export type { Host } from "./host.js";
export { baseNameOf, resolveRelative } from "./host.js";
export type { Span, SourceFile, SourceSet } from "./source.js";
export { makeSourceFile, lineColumnOf, lineText } from "./source.js";
export type { Diagnostic, Label, Severity } from "./diagnostics/diagnostic.js";
export { sortDiagnostics } from "./diagnostics/diagnostic.js";
export { allEntries } from "./diagnostics/catalog/index.js";
export type { CheckOptions, CompileOptions, CompileResult, CheckResult, EmittedFile } from "./pipeline.js";
export { compile, check, diagnose, lowerForTests, lowerModule, compilePackage } from "./pipeline.js";
export type { PackageResult } from "./pipeline.js";
export type { DeployOptions, Deployment, ManifestFile } from "./deploy/plan.js";
export { renderDiagnostic, renderDiagnostics, renderSummary, toJson } from "./diagnostics/render.js";
export * as verifierLog from "./verifier/index.js";
export type { FormatResult } from "./format/index.js";
export { formatSource } from "./format/index.js";
export type { InterpretOptions, InterpretedTest, InterpretReport, ProgramRunInput, ProgramRunResult, TestTrace, TraceTest } from "./interpret/index.js";
export { interpretTests, runProgram, traceToJson } from "./interpret/index.js";
