// The Run button: the file's `@test` functions run by the core's interpreter
// (src/compiler/interpret/, no kernel needed). The file is first checked in test mode
// (which requires `@test` functions); its diagnostics, when it does not check, are the
// answer instead of results.

import { diagnose, type Host } from "../../src/compiler/index.js";
import type { MarkerData, TestResultData } from "./protocol.js";
import { markersOf, renderText } from "./diagnostic-data.js";

export interface RunAnswer {
  readonly tests: readonly TestResultData[];
  readonly rendered: string;
  readonly markers: readonly MarkerData[];
}

export function runTests(path: string, _text: string, host: Host): RunAnswer {
  const checked = diagnose(path, host, { test: true });
  const rendered = renderText(checked.diagnostics, checked.sources, path);
  const markers = markersOf(checked.diagnostics, checked.sources, path);
  if (checked.diagnostics.some((d) => d.severity === "error")) return { tests: [], rendered, markers };
  // The interpreter (branch `interp`) is not merged yet: no results rather than made-up ones.
  return { tests: [], rendered: `${rendered}${rendered === "" ? "" : "\n"}the test interpreter is not part of this build yet`, markers };
}
