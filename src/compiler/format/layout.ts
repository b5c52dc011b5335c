//! The two list shapes of the canonical layout, with the comments between their items.
//!
//! `vertical`: one item per line (statements, declarations, struct fields, enum
//! variants, match arms), blank lines between items kept as at most one, comments on
//! their own lines before an item or at the end of its line.
//! `bracketed`: `(a, b)`, `[a, b]`, `T { a: 1 }` on one line when it fits in the width,
//! otherwise one item per line with a trailing comma (every such list of the grammar
//! accepts one); a comment inside breaks it.
//! `guard` is where a comment with no such place falls back to the source as written.

import type { Span } from "../source.js";
import type { Comment } from "../parse/token.js";
import { Comments, Misplaced } from "./comments.js";
import { concat, concatAll, group, hardline, ifBreak, indent, isHard, line, render, softline, suffix, type Doc } from "./doc.js";

export interface Spanned {
  readonly span: Span;
}

/** A line of a vertical list: an item (with the comments at its end) or a comment line. */
interface Row {
  doc: Doc;
  readonly blankBefore: boolean;
  readonly trailing: readonly Doc[];
  readonly item?: true;
}

/** The line width the layout aims at: longer lists are broken one item per line. */
export const FORMAT_WIDTH = 100;
const INDENT_WIDTH = 4;

export class FormatContext {
  readonly comments: Comments;
  /** How many levels of indentation the items being printed sit at. */
  private depth = 0;

  constructor(readonly text: string, comments: readonly Comment[], multiLineStrings: readonly Span[] = []) {
    this.comments = new Comments(text, comments, multiLineStrings);
  }

  /** The source spelling of a token or literal (`0xFF`, `1_000`, `250ms`, `"a\n"`, `none`). */
  spelling(span: Span): string {
    return this.text.slice(span.start, span.end);
  }

  /**
   * `print()` of a statement, declaration, member or match arm; its source text as
   * written when a comment inside it has no place in the canonical layout.
   */
  guard(node: Spanned, print: () => Doc): Doc {
    const mark = this.comments.next;
    try {
      const doc = print();
      this.comments.requirePrintedBefore(node.span.end);
      return doc;
    } catch (error) {
      if (!(error instanceof Misplaced)) throw error;
      this.comments.next = mark;
      return this.comments.verbatim(node.span);
    }
  }

  /**
   * Items one per line between offsets `open` (just inside the opening brace, or the
   * start of the file) and `close`; `separator` follows every item (`,` in member lists).
   * Comments at the end of consecutive one-line items are aligned (a blank line, a
   * comment line or a longer item ends the run). Returns the lines without the
   * indentation around them.
   */
  vertical<T extends Spanned>(items: readonly T[], open: number, close: number, print: (item: T) => Doc, separator: (item: T) => string = () => ""): Doc {
    const { comments } = this;
    comments.requirePrintedBefore(open);
    const rows: Row[] = [];
    let previousEnd = open;
    const ownLine = (comment: Comment): void => {
      rows.push({ doc: comments.doc(comment), blankBefore: comments.blankLineBetween(previousEnd, comment.span.start), trailing: [] });
      previousEnd = comment.span.end;
    };
    for (const item of items) {
      for (const comment of comments.takeBefore(item.span.start)) ownLine(comment);
      const blankBefore = comments.blankLineBetween(previousEnd, item.span.start);
      const doc = concat(this.guard(item, () => print(item)), separator(item));
      const trailing = comments.takeTrailing(item.span.end);
      rows.push({ doc, blankBefore, trailing: trailing.map((c) => comments.doc(c)), item: true });
      previousEnd = trailing.length > 0 ? trailing[trailing.length - 1]!.span.end : item.span.end;
    }
    for (const comment of comments.takeBefore(close)) ownLine(comment);
    this.alignTrailing(rows);
    const parts: Doc[] = [];
    for (const row of rows) {
      if (parts.length > 0) parts.push(hardline, row.blankBefore ? hardline : "");
      parts.push(row.doc);
      if (row.trailing.length > 0) parts.push(suffix(...row.trailing.map((c) => concat(" ", c))));
    }
    return concatAll(parts);
  }

  /** Pads the one-line items of each run that have end-of-line comments to the same width. */
  private alignTrailing(rows: Row[]): void {
    const room = FORMAT_WIDTH - INDENT_WIDTH * this.depth;
    let run: { row: Row; text: string }[] = [];
    const flush = (): void => {
      const width = Math.max(0, ...run.map((r) => r.text.length));
      for (const r of run) r.row.doc = r.text.padEnd(width);
      run = [];
    };
    for (const row of rows) {
      // A row with a hard line (a block, a comment) is never one line: no need to lay it out.
      const text = row.item && !isHard(row.doc) ? render(row.doc, room) : "\n";
      if (row.blankBefore || text.includes("\n")) flush();
      if (text.includes("\n")) continue;
      if (row.trailing.length > 0) run.push({ row, text });
    }
    flush();
  }

  /**
   * `{`, the items one per line, `}`; `{}` when there is nothing inside. The `{` is the
   * first one from offset `from`; the `}` ends at `end`.
   */
  braced<T extends Spanned>(items: readonly T[], from: number, end: number, print: (item: T) => Doc, separator?: (item: T) => string): Doc {
    const open = this.text.indexOf("{", from) + 1;
    // A comment on the line of the `{` stays there (`if (x) { // why`).
    const trailing = this.comments.takeTrailing(open);
    const brace = trailing.length === 0 ? "{" : concat("{", suffix(...trailing.map((c) => concat(" ", this.comments.doc(c)))));
    const afterBrace = trailing.length === 0 ? open : trailing[trailing.length - 1]!.span.end;
    this.depth++;
    const inner = this.vertical(items, afterBrace, end - 1, print, separator);
    this.depth--;
    if (items.length === 0 && isEmpty(inner) && trailing.length === 0) return "{}";
    return concat(brace, indent(hardline, inner), hardline, "}");
  }

  /**
   * `open item, item close`, flat or one per line; `spaced` puts spaces inside the
   * brackets when flat (`T { a: 1 }`); `expanded` keeps it one per line even when it
   * fits. `openAt` is the offset of the opening bracket.
   */
  bracketed<T extends Spanned>(open: string, close: string, items: readonly T[], openAt: number, closeAt: number, print: (item: T) => Doc, spaced = false, expanded = false): Doc {
    const { comments } = this;
    comments.requirePrintedBefore(openAt + 1);
    const parts: Doc[] = [];
    this.depth++;
    items.forEach((item, i) => {
      for (const comment of comments.takeBefore(item.span.start)) parts.push(comments.doc(comment), hardline);
      parts.push(print(item));
      comments.requirePrintedBefore(item.span.end);
      parts.push(i < items.length - 1 ? "," : ifBreak(","));
      for (const comment of comments.takeTrailing(item.span.end)) parts.push(suffix(" ", comments.doc(comment)));
      if (i < items.length - 1) parts.push(line);
    });
    this.depth--;
    const dangling = comments.takeBefore(closeAt);
    for (const comment of dangling) parts.push(parts.length > 0 ? hardline : "", comments.doc(comment));
    if (parts.length === 0) return open + close;
    const edge = expanded ? hardline : spaced ? line : softline;
    return group(open, indent(edge, concatAll(parts)), edge, close);
  }
}

function isEmpty(doc: Doc): boolean {
  return typeof doc !== "string" && doc.t === "concat" && doc.parts.length === 0;
}
