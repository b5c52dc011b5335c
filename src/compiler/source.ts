//! Source text and positions.
//!
//! A `Span` is a pair of offsets into one source file's text (JS string indices, i.e.
//! UTF-16 code units, the unit LSP uses by default). Line and column numbers are only
//! computed when something is shown to a person, from `SourceFile.lineStarts`.

/** Offsets `[start, end)` into the text of the file named `file`. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface SourceFile {
  /** The path as the user (or an include directive) named it; used in diagnostics. */
  readonly path: string;
  /** The file's text, without a leading byte-order mark. */
  readonly text: string;
  /** Offset of the first character of every line; `lineStarts[0] === 0`. */
  readonly lineStarts: readonly number[];
}

const LF = 10;
const CR = 13;
const BYTE_ORDER_MARK = "\ufeff";

/**
 * The source file of `text` as editors write it: a UTF-8 byte-order mark at the start
 * is dropped (it is no character of the program, and would count as a column), and a
 * line ends at `\n`, at `\r\n` and at a lone `\r` (old Mac files), here as in the lexer.
 */
export function makeSourceFile(path: string, text: string): SourceFile {
  const content = text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
  const lineStarts = [0];
  if (!content.includes("\r")) {
    // Most files: only `\n`, found by the engine's own search (a large file is scanned once per stage it reaches).
    for (let i = content.indexOf("\n"); i >= 0; i = content.indexOf("\n", i + 1)) lineStarts.push(i + 1);
    return { path, text: content, lineStarts };
  }
  for (let i = 0; i < content.length; i++) {
    const c = content.charCodeAt(i);
    if (c === LF || (c === CR && content.charCodeAt(i + 1) !== LF)) lineStarts.push(i + 1);
  }
  return { path, text: content, lineStarts };
}

/** Whether the character at `offset` ends a line (`\n`, or `\r` alone or before `\n`). */
export function isLineBreak(text: string, offset: number): boolean {
  const c = text.charCodeAt(offset);
  return c === LF || c === CR;
}

/** The offset of the next line break at or after `from`, or the text's length. */
export function lineEndFrom(text: string, from: number): number {
  // The codes compared here rather than through `isLineBreak`: the lexer skips every
  // line comment of a file with this loop.
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || c === CR) return i;
  }
  return text.length;
}

/** 1-based line and column of an offset. */
export interface LineColumn {
  readonly line: number;
  readonly column: number;
}

export function lineColumnOf(file: SourceFile, offset: number): LineColumn {
  const starts = file.lineStarts;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

/** The text of 1-based line `line`, without its line terminator. */
export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1];
  if (start === undefined) return "";
  const next = file.lineStarts[line];
  let end = next === undefined ? file.text.length : next;
  // Drop the line's terminator: `\n`, `\r\n` or `\r`.
  if (end > start && file.text.charCodeAt(end - 1) === LF) end--;
  if (end > start && file.text.charCodeAt(end - 1) === CR) end--;
  return file.text.slice(start, end);
}

export function span(file: string, start: number, end: number): Span {
  return { file, start, end };
}

/** The smallest span covering both (they must be in the same file). */
export function joinSpans(a: Span, b: Span): Span {
  return { file: a.file, start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** Files the compiler has read, by path, so diagnostics can be rendered later. */
export type SourceSet = ReadonlyMap<string, SourceFile>;
