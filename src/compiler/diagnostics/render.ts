//! Diagnostics → text for people (rustc style) and → JSON for tools.
//!
//! Consumes `Diagnostic` values and the `SourceSet` they point into; produces strings.
//! Pure: no I/O, no terminal detection; whether to colour is the caller's decision
//! (the CLI colours only when stderr is a TTY and NO_COLOR is unset). Line and column
//! numbers are computed here and nowhere earlier, from the spans' offsets.
//!
//!   error[E0301]: unknown map `counts`
//!     --> counter.ks:9:5
//!      |
//!    9 |     counts[ip] += 1
//!      |     ^^^^^^ no map with this name is declared
//!      |
//!      = help: did you mean `count`?

import type { Diagnostic, Label, Severity } from "./diagnostic.js";
import { sortDiagnostics } from "./diagnostic.js";
import type { SourceFile, SourceSet, Span } from "../source.js";
import { lineColumnOf, lineText } from "../source.js";
import { maxSnippetWidth } from "../limits.js";

export interface RenderOptions {
  /** Emit ANSI colour escapes. */
  readonly color: boolean;
}

export interface RenderAllOptions extends RenderOptions {
  /**
   * The input file as the user named it; when given, a closing summary line
   * (`error: could not compile `app.ks` due to 2 previous errors`) is added.
   */
  readonly inputName?: string;
}

/** Tabs are shown as this many spaces, in the snippet and when placing carets. */
const TAB_WIDTH = 4;

// ---------------------------------------------------------------------------------------
// Colour. Kept as a tiny table so the uncoloured output is exactly the same text minus
// the escapes (the golden files are the uncoloured form).

type Style = "error" | "warning" | "gutter" | "secondary" | "bold" | "note";

const ANSI: Record<Style, string> = {
  error: "\u001b[1;31m",
  warning: "\u001b[1;33m",
  gutter: "\u001b[1;34m",
  secondary: "\u001b[1;34m",
  bold: "\u001b[1m",
  note: "\u001b[1m",
};
const RESET = "\u001b[0m";

function paint(text: string, style: Style, color: boolean): string {
  return color && text !== "" ? `${ANSI[style]}${text}${RESET}` : text;
}

// ---------------------------------------------------------------------------------------
// Text rendering

/** All diagnostics in source order, separated by blank lines, plus the summary line. */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceSet,
  options: RenderAllOptions,
): string {
  const blocks = sortDiagnostics(diagnostics).map((d) => renderDiagnostic(d, sources, options));
  if (options.inputName !== undefined) {
    const summary = renderSummary(diagnostics, options.inputName, options);
    if (summary !== "") blocks.push(summary);
  }
  return blocks.join("\n");
}

/**
 * The closing line after all diagnostics, or "" when there is nothing to say:
 * `error: could not compile `app.ks` due to 2 previous errors; 1 warning emitted` or
 * `warning: `app.ks` generated 1 warning`.
 */
export function renderSummary(
  diagnostics: readonly Diagnostic[],
  inputName: string,
  options: RenderOptions,
): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (errors > 0) {
    const warningPart = warnings > 0 ? `; ${plural(warnings, "warning")} emitted` : "";
    const text = `could not compile \`${inputName}\` due to ${plural(errors, "previous error")}${warningPart}`;
    return `${paint("error", "error", options.color)}${paint(`: ${text}`, "bold", options.color)}\n`;
  }
  if (warnings > 0) {
    const text = `\`${inputName}\` generated ${plural(warnings, "warning")}`;
    return `${paint("warning", "warning", options.color)}${paint(`: ${text}`, "bold", options.color)}\n`;
  }
  return "";
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** One diagnostic: header, one snippet per file its labels touch, notes and help. */
export function renderDiagnostic(d: Diagnostic, sources: SourceSet, options: RenderOptions): string {
  const { color } = options;
  const out: string[] = [];
  const severityStyle: Style = d.severity === "error" ? "error" : "warning";
  out.push(paint(`${d.severity}[${d.code}]`, severityStyle, color) + paint(`: ${d.message}`, "bold", color));

  const labels: MarkedLabel[] = [
    { ...d.primary, primary: true },
    ...d.secondary.map((label) => ({ ...label, primary: false })),
  ];
  const gutterWidth = Math.max(1, ...labels.map((label) => String(startLineOf(label.span, sources)).length));
  // The gutter is a space, the widest line number, a space: ` 9 |`, `   |`.
  const gutterBlank = " ".repeat(gutterWidth + 2);
  const bar = paint("|", "gutter", color);

  // The primary label's file comes first, then the others in order of appearance.
  const files: string[] = [];
  for (const label of labels) if (!files.includes(label.span.file)) files.push(label.span.file);

  for (const path of files) {
    const inFile = labels.filter((label) => label.span.file === path);
    const anchor = inFile.find((label) => label.primary) ?? inFile[0]!;
    const source = sources.get(path);
    const location = source ? formatLocation(source, anchor.span.start) : path;
    out.push(`${" ".repeat(gutterWidth + 1)}${paint("-->", "gutter", color)} ${location}`);
    // Nothing to show for an unknown or empty file (e.g. an input that could not be read).
    if (!source || source.text === "") continue;
    out.push(`${gutterBlank}${bar}`);
    out.push(...renderSnippet(source, inFile, gutterWidth, severityStyle, color));
  }

  if (d.notes.length > 0 || d.help !== undefined) out.push(`${gutterBlank}${bar}`);
  const trailer = (kind: "note" | "help", text: string): string => {
    // Continuation lines of a multi-line note line up under its first line.
    const indent = `\n${gutterBlank}  ${" ".repeat(kind.length + 2)}`;
    return `${gutterBlank}${paint("=", "gutter", color)} ${paint(kind, "note", color)}: ${text.split("\n").join(indent)}`;
  };
  for (const note of d.notes) out.push(trailer("note", note));
  if (d.help !== undefined) out.push(trailer("help", d.help));
  return out.join("\n") + "\n";
}

interface MarkedLabel extends Label {
  readonly primary: boolean;
}

/** A label placed on one line of the snippet, in display columns (tabs expanded). */
interface PlacedLabel {
  readonly primary: boolean;
  readonly message: string;
  /** 0-based display column of the first marker character. */
  readonly column: number;
  /** Number of marker characters, at least one. */
  readonly width: number;
}

function renderSnippet(
  source: SourceFile,
  labels: readonly MarkedLabel[],
  gutterWidth: number,
  severityStyle: Style,
  color: boolean,
): string[] {
  // Labels grouped by the line they start on; a multi-line span is underlined from its
  // start to the end of its first line, which is where the reader's eye goes first.
  const byLine = new Map<number, { label: MarkedLabel; start: number; end: number }[]>();
  for (const label of labels) {
    const start = clampOffset(source, label.span.start);
    const end = Math.max(start, clampOffset(source, label.span.end));
    const { line, column } = lineColumnOf(source, start);
    const lineStart = source.lineStarts[line - 1] ?? 0;
    const list = byLine.get(line) ?? [];
    list.push({ label, start: column - 1, end: end - lineStart });
    byLine.set(line, list);
  }

  const out: string[] = [];
  const bar = paint("|", "gutter", color);
  const gutterBlank = " ".repeat(gutterWidth + 2);
  const lines = [...byLine.keys()].sort((a, b) => a - b);
  let previous: number | undefined;
  for (const line of lines) {
    if (previous !== undefined && line - previous === 2) {
      // A one-line gap is cheaper to show than to elide.
      out.push(sourceRow(snippetWindow(lineText(source, previous + 1), 0).shown, previous + 1, gutterWidth, color));
    } else if (previous !== undefined && line - previous > 2) {
      out.push(paint("...", "gutter", color));
    }
    const text = lineText(source, line);
    const onLine = byLine.get(line)!;
    const focus = (onLine.find((l) => l.label.primary) ?? onLine[0]!).start;
    const window = snippetWindow(text, Math.min(focus, text.length));
    const placed = onLine.map(({ label, start, end }): PlacedLabel => {
      const from = clamp(start, window.start, window.end);
      const to = clamp(Math.min(Math.max(end, start), text.length), from, window.end);
      const column = window.prefix + displayWidth(text.slice(window.start, from));
      return { primary: label.primary, message: label.message, column, width: Math.max(1, displayWidth(text.slice(from, to))) };
    });
    out.push(sourceRow(window.shown, line, gutterWidth, color));
    for (const row of markerRows(placed, severityStyle, color)) {
      out.push(`${gutterBlank}${bar}${row === "" ? "" : ` ${row}`}`);
    }
    previous = line;
  }
  return out;
}

/**
 * The part of a source line a snippet shows: all of it, or for a line wider than
 * `maxSnippetWidth` a window that starts a little before `focus` (the carets), with
 * `...` where it was cut. `prefix` is the width of the leading `...`.
 */
function snippetWindow(text: string, focus: number): { start: number; end: number; shown: string; prefix: number } {
  if (text.length <= maxSnippetWidth) return { start: 0, end: text.length, shown: text, prefix: 0 };
  let end = Math.min(text.length, Math.max(0, focus - Math.floor(maxSnippetWidth / 3)) + maxSnippetWidth);
  let start = Math.max(0, end - maxSnippetWidth);
  // Keep surrogate pairs whole.
  if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
  if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
  const shown = `${start > 0 ? "..." : ""}${text.slice(start, end)}${end < text.length ? "..." : ""}`;
  return { start, end, shown, prefix: start > 0 ? 3 : 0 };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}

function sourceRow(shown: string, line: number, gutterWidth: number, color: boolean): string {
  const text = expandTabs(shown);
  const number = paint(String(line).padStart(gutterWidth), "gutter", color);
  return ` ${number} ${paint("|", "gutter", color)}${text === "" ? "" : ` ${text}`}`;
}

/**
 * The rows under one source line. Non-overlapping labels share one row of markers; the
 * rightmost message sits on that row and the others hang below on `|` connectors, as in
 * rustc. Overlapping labels each get their own row, primary first.
 */
function markerRows(labels: readonly PlacedLabel[], severityStyle: Style, color: boolean): string[] {
  const sorted = [...labels].sort((a, b) => a.column - b.column || Number(b.primary) - Number(a.primary));
  const overlaps = sorted.some((label, i) => i > 0 && label.column < sorted[i - 1]!.column + sorted[i - 1]!.width);
  const markerOf = (label: PlacedLabel): string =>
    paint((label.primary ? "^" : "-").repeat(label.width), label.primary ? severityStyle : "secondary", color);
  const messageOf = (label: PlacedLabel): string =>
    paint(label.message, label.primary ? severityStyle : "secondary", color);

  if (overlaps) {
    const primaryFirst = [...sorted].sort((a, b) => Number(b.primary) - Number(a.primary));
    return primaryFirst.map((label) =>
      joinTrimmed(" ".repeat(label.column) + markerOf(label), label.message === "" ? "" : messageOf(label)),
    );
  }

  const rows: string[] = [];
  let markers = "";
  let cursor = 0;
  for (const label of sorted) {
    markers += " ".repeat(label.column - cursor) + markerOf(label);
    cursor = label.column + label.width;
  }
  const last = sorted[sorted.length - 1]!;
  rows.push(joinTrimmed(markers, last.message === "" ? "" : messageOf(last)));

  // Messages of the labels to the left, right to left, each on its own connector.
  const hanging = sorted.slice(0, -1);
  for (let k = hanging.length - 1; k >= 0; k--) {
    const label = hanging[k]!;
    if (label.message === "") continue;
    const connectors = (upTo: number, withText?: string): string => {
      let row = "";
      let at = 0;
      for (let i = 0; i < upTo; i++) {
        const other = hanging[i]!;
        if (other.message === "") continue;
        row += " ".repeat(other.column - at) + paint("|", other.primary ? severityStyle : "secondary", color);
        at = other.column + 1;
      }
      if (withText !== undefined) row += " ".repeat(Math.max(0, label.column - at)) + withText;
      return row;
    };
    rows.push(connectors(k + 1));
    rows.push(connectors(k, messageOf(label)));
  }
  return rows;
}

function joinTrimmed(left: string, right: string): string {
  return right === "" ? left : `${left} ${right}`;
}

/** Display width of a line prefix: tabs count as TAB_WIDTH, astral characters as one. */
function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += ch === "\t" ? TAB_WIDTH : 1;
  return width;
}

function expandTabs(text: string): string {
  return text.replaceAll("\t", " ".repeat(TAB_WIDTH));
}

function clampOffset(source: SourceFile, offset: number): number {
  return Math.max(0, Math.min(offset, source.text.length));
}

function startLineOf(span: Span, sources: SourceSet): number {
  const source = sources.get(span.file);
  return source ? lineColumnOf(source, clampOffset(source, span.start)).line : 1;
}

function formatLocation(source: SourceFile, offset: number): string {
  const { line, column } = lineColumnOf(source, clampOffset(source, offset));
  return `${source.path}:${line}:${column}`;
}

// ---------------------------------------------------------------------------------------
// JSON, for `--format json`, editors and scripts. Lines and columns are 1-based; the
// end position points just past the span (exclusive), as in LSP. Columns count UTF-16
// code units, the unit of the spans.

export interface JsonPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface JsonLabel extends JsonPosition {
  readonly primary: boolean;
  readonly message: string;
}

export interface JsonDiagnostic extends JsonPosition {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly labels: readonly JsonLabel[];
  readonly notes: readonly string[];
  readonly help: string | null;
}

export interface JsonReport {
  readonly diagnostics: readonly JsonDiagnostic[];
}

export function toJson(diagnostics: readonly Diagnostic[], sources: SourceSet): JsonReport {
  return {
    diagnostics: sortDiagnostics(diagnostics).map((d) => ({
      code: d.code,
      severity: d.severity,
      message: d.message,
      ...positionOf(d.primary.span, sources),
      labels: [
        { primary: true, message: d.primary.message, ...positionOf(d.primary.span, sources) },
        ...d.secondary.map((label) => ({ primary: false, message: label.message, ...positionOf(label.span, sources) })),
      ],
      notes: d.notes,
      help: d.help ?? null,
    })),
  };
}

function positionOf(span: Span, sources: SourceSet): JsonPosition {
  const source = sources.get(span.file);
  if (!source) return { file: span.file, line: 1, column: 1, endLine: 1, endColumn: 1 };
  const start = lineColumnOf(source, clampOffset(source, span.start));
  const end = lineColumnOf(source, clampOffset(source, Math.max(span.start, span.end)));
  return { file: source.path, line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}
