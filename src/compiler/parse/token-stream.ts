//! The lexer's output as the parser reads it: one entry per token in parallel typed
//! arrays (kind and "line break before" in one byte, start and end offsets), with the
//! rare parts (literal values, comments) in lists of their own, found through an index.
//!
//! A 100k-line file has over half a million tokens; as objects (token, span, text) they
//! took about 145 bytes each and lived until parsing ended, so the garbage collector
//! copied and marked them again and again. Here a token costs 9 bytes plus two pointers,
//! and the parser's `Cursor` makes a `Token` object only for a token it looks at, which
//! dies young unless the tree keeps its span or text. `tokenAt` gives the same `Token`
//! the lexer used to build, field for field.

import type { SourceFile, Span } from "../source.js";
import { KEYWORDS, PUNCTUATION, type Comment, type Token, type TokenKind } from "./token.js";

/** Every token kind, by its code (a code fits in the low 7 bits of a byte). */
const kindByCode: readonly TokenKind[] = ["EOF", "Ident", "Int", "String", "Char", ...KEYWORDS, ...PUNCTUATION];
const codeByKind: ReadonlyMap<TokenKind, number> = new Map(kindByCode.map((kind, code) => [kind, code]));
const NEWLINE_BEFORE = 0x80;
const KIND_MASK = 0x7f;
// A code with the line-break bit must stay one byte: more kinds need a wider array.
if (kindByCode.length > KIND_MASK + 1) throw new Error("internal: token kinds no longer fit their 7-bit codes");

/** The code of a token kind (for the lexer, which looks its kinds up once). */
export function kindCode(kind: TokenKind): number {
  return codeByKind.get(kind)!;
}

export const IDENT_CODE = kindCode("Ident");

/** Kinds whose text is not their own spelling: the text is read from the source. */
const spelledBySource: ReadonlySet<TokenKind> = new Set<TokenKind>(["EOF", "Ident", "Int", "String", "Char"]);

const noComments: readonly Comment[] = Object.freeze([]);

export class TokenStream {
  /** Number of tokens (the last one is `EOF`). */
  count = 0;
  private flags: Uint8Array;
  private starts: Int32Array;
  private ends: Int32Array;
  /** 1 + the index in `values` of the token's value, 0 for none. */
  private valueRefs: Int32Array;
  /**
   * `Int`: the value; `String`: the decoded text; `Char`: the byte value; `Ident`: the
   * name, one string shared by the occurrences of a name (see `Lexer.name`), which is
   * the token's text rather than a value (`value` and `token` give none).
   */
  private readonly values: (bigint | string | number)[] = [];
  /** 1 + the index in `comments` of the comments before the token, 0 for none (most tokens). */
  private commentRefs: Int32Array;
  private readonly comments: (readonly Comment[])[] = [];

  constructor(readonly file: SourceFile) {
    // About one token per four characters of source; the arrays grow when there are more.
    const capacity = (file.text.length >> 2) + 16;
    this.flags = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.valueRefs = new Int32Array(capacity);
    this.commentRefs = new Int32Array(capacity);
  }

  push(code: number, start: number, end: number, newlineBefore: boolean, comments: readonly Comment[] | undefined, value: bigint | string | number | undefined): void {
    if (this.count === this.flags.length) this.grow();
    const i = this.count++;
    this.flags[i] = newlineBefore ? code | NEWLINE_BEFORE : code;
    this.starts[i] = start;
    this.ends[i] = end;
    if (value !== undefined) this.valueRefs[i] = this.values.push(value);
    if (comments !== undefined) this.commentRefs[i] = this.comments.push(comments);
  }

  private grow(): void {
    const capacity = this.flags.length * 2;
    const flags = new Uint8Array(capacity);
    flags.set(this.flags);
    this.flags = flags;
    this.starts = grown(this.starts, capacity);
    this.ends = grown(this.ends, capacity);
    this.valueRefs = grown(this.valueRefs, capacity);
    this.commentRefs = grown(this.commentRefs, capacity);
  }

  kind(i: number): TokenKind {
    return kindByCode[this.flags[i]! & KIND_MASK]!;
  }

  newlineBefore(i: number): boolean {
    return (this.flags[i]! & NEWLINE_BEFORE) !== 0;
  }

  start(i: number): number {
    return this.starts[i]!;
  }

  end(i: number): number {
    return this.ends[i]!;
  }

  text(i: number): string {
    const kind = this.kind(i);
    if (kind === "Ident") return this.values[this.valueRefs[i]! - 1] as string;
    return spelledBySource.has(kind) ? this.file.text.slice(this.starts[i]!, this.ends[i]!) : kind;
  }

  span(i: number): Span {
    return { file: this.file.path, start: this.starts[i]!, end: this.ends[i]! };
  }

  /** `Int`: the value; `String`: the decoded text; `Char`: the byte value. */
  value(i: number): bigint | string | number | undefined {
    const valueRef = this.valueRefs[i]!;
    return valueRef === 0 || this.kind(i) === "Ident" ? undefined : this.values[valueRef - 1];
  }

  /** Every comment of the file in source order, without making token objects (the formatter's). */
  allComments(): Comment[] {
    return this.comments.flat();
  }

  /** The token at `i` as an object (a new one on every call). */
  token(i: number): Token {
    const kind = this.kind(i);
    const span = this.span(i);
    const text = this.text(i);
    const newlineBefore = this.newlineBefore(i);
    const commentRef = this.commentRefs[i]!;
    const leadingComments = commentRef === 0 ? noComments : this.comments[commentRef - 1]!;
    const value = this.value(i);
    return value === undefined
      ? { kind, span, text, newlineBefore, leadingComments }
      : { kind, span, text, newlineBefore, leadingComments, value };
  }

  /**
   * Splits the token at `i`, whose spelling starts with `>` and is longer (`>>`, `>=`,
   * `>>=`), into `>` and the rest, so that its first `>` can close a generic argument
   * list. The rest has no line break nor comments before it.
   */
  splitGreater(i: number): void {
    const kind = this.kind(i);
    const start = this.starts[i]!;
    const end = this.ends[i]!;
    if (this.count === this.flags.length) this.grow();
    this.flags.copyWithin(i + 1, i, this.count);
    this.starts.copyWithin(i + 1, i, this.count);
    this.ends.copyWithin(i + 1, i, this.count);
    this.valueRefs.copyWithin(i + 1, i, this.count);
    this.commentRefs.copyWithin(i + 1, i, this.count);
    this.count++;
    this.flags[i] = kindCode(">") | (this.flags[i]! & NEWLINE_BEFORE);
    this.ends[i] = start + 1;
    this.flags[i + 1] = kindCode(kind.slice(1) as TokenKind);
    this.starts[i + 1] = start + 1;
    this.ends[i + 1] = end;
    this.commentRefs[i + 1] = 0;
  }
}

function grown(array: Int32Array, capacity: number): Int32Array {
  const larger = new Int32Array(capacity);
  larger.set(array);
  return larger;
}
