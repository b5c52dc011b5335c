//! Diagnostics as values.
//!
//! Passes never throw for a user mistake: they call `diags.report(entry, span, …args)`
//! with an entry of the catalogue (`catalog/*.ts`, the single source of wording) and
//! carry on. A `Diagnostic` holds only data: no colours, no line numbers (those are
//! computed by `render.ts` at the edge).

import type { Span } from "../source.js";

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

/** Collects diagnostics from every pass; drops exact repeats (same code, same span). */
export class Diagnostics {
  private readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  report<A extends readonly unknown[]>(entry: CatalogEntry<A>, span: Span, ...args: A): void {
    const key = `${entry.code}@${span.file}:${span.start}:${span.end}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const text = entry.text(...args);
    this.list.push({
      code: entry.code,
      severity: entry.severity,
      message: text.message,
      primary: { span, message: text.label ?? "" },
      secondary: text.secondary ?? [],
      notes: text.notes ?? [],
      help: text.help,
    });
  }

  /** Adds diagnostics made elsewhere (e.g. by a nested parse of an included file). */
  addAll(diagnostics: readonly Diagnostic[]): void {
    for (const d of diagnostics) {
      const key = `${d.code}@${d.primary.span.file}:${d.primary.span.start}:${d.primary.span.end}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.list.push(d);
    }
  }

  get all(): readonly Diagnostic[] {
    return this.list;
  }

  hasErrors(): boolean {
    return this.list.some((d) => d.severity === "error");
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === "error").length;
  }
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
