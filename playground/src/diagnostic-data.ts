// Diagnostics turned into what the page shows: markers for the editor (offsets into the
// main file, which are the core's spans as they are: UTF-16 code units, as CodeMirror
// counts) and the CLI's rendered text without colour.

import { lineColumnOf, renderDiagnostics, type Diagnostic, type SourceSet } from "../../src/compiler/index.js";
import type { MarkerData } from "./protocol.js";

/** The main file's diagnostics as markers (those in included files appear in the text only). */
export function markersOf(diagnostics: readonly Diagnostic[], sources: SourceSet, path: string): MarkerData[] {
  const main = sources.get(path);
  if (!main) return [];
  return diagnostics
    .filter((d) => d.primary.span.file === path)
    .map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.help === undefined ? `${d.code}: ${d.message}` : `${d.code}: ${d.message}\nhelp: ${d.help}`,
      from: d.primary.span.start,
      to: d.primary.span.end,
      line: lineColumnOf(main, d.primary.span.start).line,
    }));
}

/** As `kernelscript check` prints them, with the closing summary; "" when there are none. */
export function renderText(diagnostics: readonly Diagnostic[], sources: SourceSet, path: string): string {
  return diagnostics.length === 0 ? "" : renderDiagnostics(diagnostics, sources, { color: false, inputName: path });
}
