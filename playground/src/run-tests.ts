// The Run button: the file's `@test` functions run by the core's reference interpreter
// (src/compiler/interpret/: no kernel, as `kernelscript test --interpret`). The file is
// lowered in test mode first (which requires `@test` functions); when that reports
// errors, the diagnostics are the answer and nothing runs. The interpreter's own
// diagnostics (a test skipped because it needs a kernel, a step budget spent) are shown
// with the results.

import { interpretTests, lineColumnOf, lowerForTests, type Diagnostic, type Host, type InterpretedTest, type SourceSet } from "../../src/compiler/index.js";
import type { MarkerData, TestResultData } from "./protocol.js";
import { markersOf, renderText } from "./diagnostic-data.js";

export interface RunAnswer {
  readonly tests: readonly TestResultData[];
  readonly rendered: string;
  readonly markers: readonly MarkerData[];
}

function resultOf(test: InterpretedTest, sources: SourceSet): TestResultData {
  const file = test.location === undefined ? undefined : sources.get(test.location.file);
  return {
    name: test.name,
    status: test.status,
    ...(test.message === undefined ? {} : { message: test.message }),
    ...(file === undefined || test.location === undefined ? {} : { line: lineColumnOf(file, test.location.start).line }),
    durationMs: test.durationMs,
    output: test.output,
    tracePipe: test.tracePipe,
  };
}

export function runTests(path: string, host: Host): RunAnswer {
  const { result, ir } = lowerForTests(path, host);
  if (ir === undefined) {
    return { tests: [], rendered: renderText(result.diagnostics, result.sources, path), markers: markersOf(result.diagnostics, result.sources, path) };
  }
  const report = interpretTests(ir, result.sources);
  const diagnostics: Diagnostic[] = [...result.diagnostics, ...report.diagnostics];
  return {
    tests: report.tests.map((test) => resultOf(test, result.sources)),
    rendered: renderText(diagnostics, result.sources, path),
    markers: markersOf(diagnostics, result.sources, path),
  };
}
