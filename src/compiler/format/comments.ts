//! The comments of a file as the formatter puts them back, in source order.
//!
//! The lexer keeps comments as trivia on the token after them (parse/token.ts); the
//! formatter takes them all, sorted, and hands them out as it prints: a comment before
//! an item of a vertical list (statements, declarations, struct fields, match arms, call
//! arguments) goes on its own line before it, a comment after an item on the same line
//! stays at the end of that line. A comment anywhere else (inside an expression, in a
//! function's header) has no such place: the printer notices it (`Misplaced`) and prints
//! the whole statement or declaration around it as written (`verbatim`), re-indented.

import type { Span } from "../source.js";
import type { Comment } from "../parse/token.js";
import { concat, join, literalline, textLines, type Doc } from "./doc.js";

/** Thrown when a comment would be left behind or moved; caught by `FormatContext.guard`. */
export class Misplaced {
  constructor(readonly comment: Comment) {}
}

/** A doc that prints nothing but keeps its group broken (after a line comment). */
const breakParent: Doc = { t: "concat", parts: [], hard: true };

export class Comments {
  /** Index of the next comment not yet printed. */
  next = 0;

  /**
   * `multiLineStrings`: the spans of string literals with a line break inside, whose
   * lines must not be re-indented (it would change the string).
   */
  constructor(private readonly text: string, private readonly list: readonly Comment[], private readonly multiLineStrings: readonly Span[] = []) {}

  /** Refuses to go on when a comment before `position` was not printed. */
  requirePrintedBefore(position: number): void {
    const comment = this.list[this.next];
    if (comment !== undefined && comment.span.start < position) throw new Misplaced(comment);
  }

  /** Whether the next comment not yet printed starts before `position`. */
  pendingBefore(position: number): boolean {
    const comment = this.list[this.next];
    return comment !== undefined && comment.span.start < position;
  }

  /** The comments starting before `position`, taken. */
  takeBefore(position: number): Comment[] {
    const taken: Comment[] = [];
    while (this.next < this.list.length && this.list[this.next]!.span.start < position) taken.push(this.list[this.next++]!);
    return taken;
  }

  /** The comments after `end` on the same line (only spaces, `,` and `;` between), taken. */
  takeTrailing(end: number): Comment[] {
    const taken: Comment[] = [];
    let from = end;
    for (;;) {
      const comment = this.list[this.next];
      if (comment === undefined || !this.onlyBetween(from, comment.span.start, " \t,;")) return taken;
      taken.push(comment);
      this.next++;
      from = comment.span.end;
      if (comment.kind === "line") return taken;
    }
  }

  /** The comments right after offset `from` (only white space before each), taken. */
  takeAdjacent(from: number): Comment[] {
    const taken: Comment[] = [];
    for (;;) {
      const comment = this.list[this.next];
      if (comment === undefined || comment.span.start < from || !this.onlyBetween(from, comment.span.start, " \t\r\n\f\v")) return taken;
      taken.push(comment);
      this.next++;
      from = comment.span.end;
    }
  }

  /**
   * Whether only `allowed` characters lie between offsets `from` and `to`. Stops at the
   * first other one: the next comment may be far away, and every item asks.
   */
  private onlyBetween(from: number, to: number, allowed: string): boolean {
    for (let i = from; i < to; i++) if (!allowed.includes(this.text[i]!)) return false;
    return true;
  }

  /** Whether a blank line separates offsets `from` and `to` of the source. */
  blankLineBetween(from: number, to: number): boolean {
    if (to <= from) return false;
    const lines = this.text.slice(from, to).split(/\r\n|\r|\n/);
    return lines.length > 2 && lines.slice(1, -1).some((l) => l.trim() === "");
  }

  /**
   * The source text of `span` as lines to print at the current indentation: the first
   * line's own indentation is taken off every following line (as far as it goes), so the
   * fragment keeps its inner layout wherever it moves. Its comments count as printed.
   */
  verbatim(span: Span): Doc {
    this.takeBefore(span.end);
    return this.reindented(span);
  }

  /** A comment as printed: a line comment without trailing spaces, a block comment re-indented like `verbatim`. */
  doc(comment: Comment): Doc {
    if (comment.kind === "line") return concat(comment.text.trimEnd(), breakParent);
    return this.reindented(comment.span);
  }

  private reindented(span: Span): Doc {
    const lineStart = Math.max(this.text.lastIndexOf("\n", span.start - 1), this.text.lastIndexOf("\r", span.start - 1)) + 1;
    // A string over several lines in the fragment, or the line the fragment starts on
    // continuing one (its indentation is the string's, not the code's): every line after
    // the first stays exactly as written, so formatting again changes nothing.
    if (this.multiLineStrings.some((s) => s.start < span.end && s.end > lineStart)) return this.literalLines(span);
    const base = /^[ \t]*/.exec(this.text.slice(lineStart, span.start))![0].length;
    const lines = this.text.slice(span.start, span.end).split(/\r\n|\r|\n/);
    return textLines(lines.map((l, i) => (i === 0 ? l : l.slice(Math.min(base, /^[ \t]*/.exec(l)![0].length)))));
  }

  /**
   * `span`'s lines as written. A line break inside a string literal is part of its value
   * and is kept as it is (`\r\n`, a lone `\r`); the others become the output's `\n`.
   */
  private literalLines(span: Span): Doc {
    const lines: string[] = [];
    let from = span.start;
    for (const m of this.text.slice(span.start, span.end).matchAll(/\r\n|\r|\n/g)) {
      const at = span.start + m.index!;
      if (this.multiLineStrings.some((s) => s.start < at && at < s.end)) continue;
      lines.push(this.text.slice(from, at));
      from = at + m[0].length;
    }
    lines.push(this.text.slice(from, span.end));
    return join(literalline, lines);
  }
}

/**
 * Comment text as the safety check compares it: what printing keeps (a line comment
 * without trailing spaces; a block comment's lines without their indentation).
 */
export function comparableComment(comment: Comment): string {
  if (comment.kind === "line") return comment.text.trimEnd();
  return comment.text.split(/\r\n|\r|\n/).map((l) => l.trimStart()).join("\n");
}
