//! Offsets of the core (UTF-16 code units into a file's text) and LSP positions (line and
//! UTF-16 character), both ways, and the core's diagnostics as LSP diagnostics.

import { pathToFileURL } from "node:url";
import type { Diagnostic as LspDiagnostic, DiagnosticRelatedInformation, Position, Range } from "vscode-languageserver";
import { DiagnosticSeverity } from "vscode-languageserver";
import type { Diagnostic, SourceFile, Span } from "../compiler/index.js";
import { lineColumnOf } from "../compiler/index.js";

/** The LSP position of `offset` in `file`. */
export function positionOf(file: SourceFile, offset: number): Position {
  const { line, column } = lineColumnOf(file, offset);
  return { line: line - 1, character: column - 1 };
}

/** The offset of an LSP position in `source` (a character past the line's end stops at the next line's start). */
export function offsetOf(source: SourceFile, position: { line: number; character: number }): number {
  const start = source.lineStarts[position.line];
  if (start === undefined) return source.text.length;
  const next = source.lineStarts[position.line + 1] ?? source.text.length;
  return Math.min(start + position.character, next);
}

export function rangeOf(file: SourceFile, span: Span): Range {
  return { start: positionOf(file, span.start), end: positionOf(file, span.end) };
}

export function uriOf(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * The LSP form of a core diagnostic: its code, the primary label's range, the message
 * with the label, help and notes, and the secondary labels as related locations.
 */
export function toLspDiagnostic(diagnostic: Diagnostic, sources: ReadonlyMap<string, SourceFile>): LspDiagnostic | undefined {
  const file = sources.get(diagnostic.primary.span.file);
  if (!file) return undefined;
  const lines = [diagnostic.message];
  if (diagnostic.primary.message) lines.push(diagnostic.primary.message);
  for (const note of diagnostic.notes) lines.push(`note: ${note}`);
  if (diagnostic.help) lines.push(`help: ${diagnostic.help}`);
  const related: DiagnosticRelatedInformation[] = [];
  for (const label of diagnostic.secondary) {
    const labelFile = sources.get(label.span.file);
    if (!labelFile) continue;
    related.push({ location: { uri: uriOf(labelFile.path), range: rangeOf(labelFile, label.span) }, message: label.message || diagnostic.message });
  }
  return {
    range: rangeOf(file, diagnostic.primary.span),
    severity: diagnostic.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code: diagnostic.code,
    source: "kernelscript",
    message: lines.join("\n"),
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}
