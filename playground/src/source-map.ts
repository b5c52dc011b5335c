// From the KernelScript under the cursor to the eBPF C made from it: the compiler's line
// map (`NAME.bpf.map.json`, one entry per C line with the KernelScript range it came
// from; lines and columns 1-based, columns in UTF-16 units as CodeMirror's offsets) is
// read, and the C lines of the narrowest range around the cursor are highlighted and
// scrolled into view.

import { StateEffect, StateField, type Extension, type Range } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";
import type { LineMapping } from "../../src/compiler/verifier/line-map.js";

export type { LineMapping };

function notAfter(line: number, column: number, otherLine: number, otherColumn: number): boolean {
  return line < otherLine || (line === otherLine && column <= otherColumn);
}

/** The C lines made from the narrowest mapped range of `file` around line:column. */
export function cLinesAt(mappings: readonly LineMapping[], file: string, line: number, column: number): number[] {
  const covering = mappings.filter((m) => m.file === file && notAfter(m.line, m.column, line, column) && notAfter(line, column, m.endLine, m.endColumn));
  if (covering.length === 0) return [];
  // Lines first, then columns: a statement inside a function is narrower than the function.
  const extent = (m: LineMapping): number => (m.endLine - m.line) * 1_000_000 + (m.endColumn - m.column);
  const narrowest = Math.min(...covering.map(extent));
  return covering.filter((m) => extent(m) === narrowest).map((m) => m.cLine);
}

const setMappedLines = StateEffect.define<readonly number[]>();
const mappedLine = Decoration.line({ class: "ks-mapped" });

const mappedLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(lines, transaction) {
    let result = lines.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setMappedLines)) continue;
      const doc = transaction.state.doc;
      const ranges: Range<Decoration>[] = [...new Set(effect.value)]
        .filter((n) => n >= 1 && n <= doc.lines)
        .sort((a, b) => a - b)
        .map((n) => mappedLine.range(doc.line(n).from));
      result = Decoration.set(ranges);
    }
    return result;
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** The extension a C view needs for `showMappedLines`. */
export const mappedLineHighlighting: Extension = mappedLines;

/** Highlights these 1-based C lines of `view` (none: clears) and scrolls the first into view. */
export function showMappedLines(view: EditorView, lines: readonly number[]): void {
  const first = lines.filter((n) => n >= 1 && n <= view.state.doc.lines).sort((a, b) => a - b)[0];
  view.dispatch({
    effects: [
      setMappedLines.of(lines),
      ...(first === undefined ? [] : [EditorView.scrollIntoView(view.state.doc.line(first).from, { y: "center" })]),
    ],
  });
}
