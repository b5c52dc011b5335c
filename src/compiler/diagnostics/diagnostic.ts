//! Diagnostics as values.
//!
//! Passes never throw for a user mistake: they call `diags.report(entry, span, …args)`
//! with an entry of the catalogue (`catalog/*.ts`, the single source of wording) and
//! carry on. A `Diagnostic` holds only data: no colours, no line numbers (those are
//! computed by `render.ts` at the edge).

import type { Span } from "../source.js";
import { maxDiagnosticTextLength, maxDiagnosticsPerCode, maxDiagnosticsPerSeverity } from "../limits.js";

export type Severity = "error" | "warning";

export interface Label {
  readonly span: Span;
  /** Short text shown beside the carets; may be empty. */
  readonly message: string;
}

export interface Diagnostic {
  /** `E0301`, `W0101` … */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly primary: Label;
  readonly secondary: readonly Label[];
  readonly notes: readonly string[];
  readonly help: string | undefined;
}

/** What a catalogue entry says for one occurrence. */
export interface DiagnosticText {
  readonly message: string;
  /** Text beside the primary carets. */
  readonly label?: string;
  readonly help?: string;
  readonly notes?: readonly string[];
  readonly secondary?: readonly Label[];
}

/** One code of the catalogue: its documentation and how it words an occurrence. */
export interface CatalogEntry<A extends readonly unknown[]> {
  readonly code: string;
  readonly severity: Severity;
  /** A few words, for `docs/diagnostics.md`. */
  readonly title: string;
  /** Why this is an error and how to fix it, for `docs/diagnostics.md`. */
  readonly explanation: string;
  readonly text: (...args: A) => DiagnosticText;
}

export function defineError<A extends readonly unknown[]>(
  code: string,
  title: string,
  explanation: string,
  text: (...args: A) => DiagnosticText,
): CatalogEntry<A> {
  return { code, severity: "error", title, explanation, text };
}

export function defineWarning<A extends readonly unknown[]>(
  code: string,
  title: string,
  explanation: string,
  text: (...args: A) => DiagnosticText,
): CatalogEntry<A> {
  return { code, severity: "warning", title, explanation, text };
}

/**
 * Collects diagnostics from every pass; drops exact repeats (same code, same span).
 * Bounded whatever the input (see `limits.ts`): at most `maxDiagnosticsPerCode` of one
 * code and `maxDiagnosticsPerSeverity` errors (and warnings) are kept; the others are
 * counted, and `all` tells on the last one kept how many more there were. Texts longer
 * than `maxDiagnosticTextLength` are cut in the middle.
 */
export class Diagnostics {
  private readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly keptPerCode = new Map<string, number>();
  private readonly keptPerSeverity = new Map<Severity, number>();
  /** Diagnostics not kept, by code. */
  private readonly dropped = new Map<string, { count: number; severity: Severity }>();
  private withNotes: readonly Diagnostic[] | undefined;

  report<A extends readonly unknown[]>(entry: CatalogEntry<A>, span: Span, ...args: A): void {
    const key = `${entry.code}@${span.file}:${span.start}:${span.end}`;
    if (this.seen.has(key)) return;
    if (!this.keep(entry.code, entry.severity)) return;
    this.seen.add(key);
    const text = entry.text(...args);
    this.list.push({
      code: entry.code,
      severity: entry.severity,
      message: shorten(text.message),
      primary: { span, message: shorten(text.label ?? "") },
      secondary: (text.secondary ?? []).map((label) => ({ ...label, message: shorten(label.message) })),
      notes: (text.notes ?? []).map(shorten),
      help: text.help === undefined ? undefined : shorten(text.help),
    });
  }

  /** Adds diagnostics made elsewhere (e.g. by a nested parse of an included file). */
  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const key = `${d.code}@${d.primary.span.file}:${d.primary.span.start}:${d.primary.span.end}`;
      if (this.seen.has(key)) continue;
      if (!this.keep(d.code, d.severity)) continue;
      this.seen.add(key);
      this.list.push(d);
    }
  }

  /** Whether one more diagnostic of `code` fits the limits; counts it when not. */
  private keep(code: string, severity: Severity): boolean {
    this.withNotes = undefined;
    const ofCode = this.keptPerCode.get(code) ?? 0;
    const ofSeverity = this.keptPerSeverity.get(severity) ?? 0;
    if (ofCode >= maxDiagnosticsPerCode || ofSeverity >= maxDiagnosticsPerSeverity) {
      const entry = this.dropped.get(code) ?? { count: 0, severity };
      this.dropped.set(code, { count: entry.count + 1, severity });
      return false;
    }
    this.keptPerCode.set(code, ofCode + 1);
    this.keptPerSeverity.set(severity, ofSeverity + 1);
    return true;
  }

  /** Every diagnostic kept; the last one kept of a code (or severity) says how many more there were. */
  get all(): readonly Diagnostic[] {
    if (this.dropped.size === 0) return this.list;
    if (this.withNotes) return this.withNotes;
    const out = [...this.list];
    for (const [code, { count, severity }] of this.dropped) {
      let index = out.map((d) => d.code).lastIndexOf(code);
      if (index < 0) index = out.map((d) => d.severity).lastIndexOf(severity);
      if (index < 0) continue;
      const target = out[index]!;
      const more = `${count} more ${code} ${severity}${count === 1 ? " is" : "s are"} not shown`;
      out[index] = { ...target, notes: [...target.notes, more] };
    }
    this.withNotes = out;
    return out;
  }

  hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error") || [...this.dropped.values()].some((d) => d.severity === "error");
  }

  get errorCount(): number {
    let dropped = 0;
    for (const d of this.dropped.values()) if (d.severity === "error") dropped += d.count;
    return this.list.filter((d) => d.severity === "error").length + dropped;
  }
}

/** `text`, cut in the middle when longer than `maxDiagnosticTextLength`. */
function shorten(text: string): string {
  if (text.length <= maxDiagnosticTextLength) return text;
  const half = Math.floor((maxDiagnosticTextLength - 1) / 2);
  // Never between the two halves of a surrogate pair.
  const headEnd = isHighSurrogate(text.charCodeAt(half - 1)) ? half - 1 : half;
  const tailStart = isHighSurrogate(text.charCodeAt(text.length - half - 1)) ? text.length - half + 1 : text.length - half;
  return `${text.slice(0, headEnd)}…${text.slice(tailStart)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Orders diagnostics by file, then position, for stable output. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const fa = a.primary.span.file;
    const fb = b.primary.span.file;
    if (fa !== fb) return fa < fb ? -1 : 1;
    return a.primary.span.start - b.primary.span.start || a.primary.span.end - b.primary.span.end;
  });
}
