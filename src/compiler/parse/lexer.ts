//! Lexer: source text → tokens.
//!
//! Consumes a `SourceFile`, produces `Token[]` ending with one `EOF` token, and reports
//! lexical errors (E0101–E0109) into `Diagnostics`. It never throws: a bad character is
//! reported and skipped, a bad literal still yields a token (value 0 / best effort), so
//! the parser sees a plausible stream and reports only real syntax errors.
//! Newlines are not tokens; each token records whether a line break preceded it, which
//! is all the parser needs for the "a newline ends a statement" rule.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as E from "../diagnostics/catalog/syntax.js";
import type { NumberProblem } from "../diagnostics/catalog/syntax.js";
import * as R from "../diagnostics/catalog/types-runtime.js";
import { durationUnits, splitUnitSuffix, type DurationUnit } from "./durations.js";
import { isLineBreak, lineEndFrom, type SourceFile, type Span } from "../source.js";
import { KEYWORDS, PUNCTUATION, type Comment, type Token, type TokenKind } from "./token.js";
import { IDENT_CODE, TokenStream, kindCode } from "./token-stream.js";

const U64_MAX = (1n << 64n) - 1n;

const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isIdentStart = (c: string): boolean =>
  (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);
const isDigitCode = (code: number): boolean => code >= 48 && code <= 57;
/** `[A-Za-z0-9_]` by character code (NaN past the end is none of them). */
const isIdentPartCode = (code: number): boolean =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || isDigitCode(code) || code === 95;

export function lex(file: SourceFile, diags: Diagnostics): Token[] {
  const stream = lexStream(file, diags);
  const tokens: Token[] = [];
  for (let i = 0; i < stream.count; i++) tokens.push(stream.token(i));
  return tokens;
}

/** The tokens of `file` in compact form, for the parser (token-stream.ts). */
export function lexStream(file: SourceFile, diags: Diagnostics): TokenStream {
  return new Lexer(file, diags).run();
}

interface Punctuation {
  readonly kind: TokenKind;
  readonly code: number;
  readonly length: number;
  /** The codes of the second and third characters (when the spelling is that long). */
  readonly second: number;
  readonly third: number;
}

/** Punctuation by first character, longest spelling first (the lexer takes the first match). */
const punctuationByFirst: ReadonlyMap<string, readonly Punctuation[]> = (() => {
  const map = new Map<string, Punctuation[]>();
  for (const p of PUNCTUATION) {
    const list = map.get(p[0]!) ?? [];
    list.push({ kind: p, code: kindCode(p), length: p.length, second: p.charCodeAt(1), third: p.charCodeAt(2) });
    map.set(p[0]!, list);
  }
  return map;
})();

/** The same lists by the first character's code (every punctuation character is ASCII). */
const punctuationByCode: readonly (readonly Punctuation[] | undefined)[] = Array.from({ length: 128 }, (_, code) => punctuationByFirst.get(String.fromCharCode(code)));

/**
 * Keywords by a hash of their spelling (`wordHash`), open addressing: a word is looked up
 * while it is scanned, without cutting it out of the text as a string first.
 */
const KEYWORD_SLOTS = 128;
const keywordSlots: readonly ({ readonly spelling: string; readonly code: number } | undefined)[] = (() => {
  const slots: ({ spelling: string; code: number } | undefined)[] = new Array(KEYWORD_SLOTS).fill(undefined);
  for (const keyword of KEYWORDS) {
    let hash = 0;
    for (let i = 0; i < keyword.length; i++) hash = wordHash(hash, keyword.charCodeAt(i));
    let slot = hash & (KEYWORD_SLOTS - 1);
    while (slots[slot] !== undefined) slot = (slot + 1) & (KEYWORD_SLOTS - 1);
    slots[slot] = { spelling: keyword, code: kindCode(keyword) };
  }
  return slots;
})();
/** Every keyword is lower-case and this long at most: longer words need no look-up. */
const KEYWORD_MAX_LENGTH = Math.max(...KEYWORDS.map((k) => k.length));

/** The hash of a word so far, extended by its next character's code. */
function wordHash(hash: number, code: number): number {
  return (Math.imul(hash, 31) + code) | 0;
}

/** The values of small decimal literals (most of them), made once instead of per literal. */
const smallValues: readonly bigint[] = Array.from({ length: 1024 }, (_, n) => BigInt(n));
const INT_CODE = kindCode("Int");
const STRING_CODE = kindCode("String");
const CHAR_CODE = kindCode("Char");
const EOF_CODE = kindCode("EOF");

/** Shared by every token without comments before it (most of them): one array less each. */
const noComments: readonly Comment[] = Object.freeze([]);

class Lexer {
  private readonly text: string;
  private pos = 0;
  private readonly tokens: TokenStream;
  private newlineBefore = false;
  private comments: readonly Comment[] = noComments;
  /** Names met so far by their `wordHash` (see `name`). */
  private readonly names = new Map<number, string>();

  constructor(private readonly file: SourceFile, private readonly diags: Diagnostics) {
    this.text = file.text;
    this.tokens = new TokenStream(file);
  }

  run(): TokenStream {
    for (;;) {
      this.skipTrivia();
      if (this.pos >= this.text.length) {
        this.push(EOF_CODE, this.pos, this.pos);
        return this.tokens;
      }
      this.lexToken();
    }
  }

  private span(start: number, end: number): Span {
    return { file: this.file.path, start, end };
  }

  /** A token of kind `code` (token-stream.ts `kindCode`). */
  private push(code: number, start: number, end: number, value?: bigint | string | number): void {
    const newlineBefore = this.newlineBefore || this.tokens.count === 0;
    const comments = this.comments === noComments ? undefined : this.comments;
    this.tokens.push(code, start, end, newlineBefore, comments, value);
    this.newlineBefore = false;
    this.comments = noComments;
  }

  private addComment(comment: Comment): void {
    if (this.comments === noComments) this.comments = [comment];
    else (this.comments as Comment[]).push(comment);
  }

  private at(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }

  private skipTrivia(): void {
    const text = this.text;
    // The position in a local, stored once at the end: most of a file's characters
    // between tokens are indentation, skipped one by one.
    let pos = this.pos;
    for (;;) {
      const code = text.charCodeAt(pos);
      if (code === 32 /* space */ || code === 9 /* \t */ || code === 12 /* \f */ || code === 11 /* \v */) {
        pos++;
      } else if (code === 10 /* \n */ || code === 13 /* \r */) {
        this.newlineBefore = true;
        pos++;
      } else if (code !== 47 /* / */) {
        break;
      } else if (text.charCodeAt(pos + 1) === 47 /* / */) {
        const start = pos;
        pos = lineEndFrom(text, pos);
        this.addComment({ kind: "line", text: text.slice(start, pos), span: this.span(start, pos) });
      } else if (text.charCodeAt(pos + 1) === 42 /* * */) {
        this.pos = pos;
        this.blockComment();
        pos = this.pos;
      } else {
        break;
      }
    }
    this.pos = pos;
  }

  private blockComment(): void {
    const start = this.pos;
    const close = this.text.indexOf("*/", start + 2);
    const end = close < 0 ? this.text.length : close + 2;
    if (close < 0) this.diags.report(E.unterminatedBlockComment, this.span(start, start + 2));
    // A comment spanning lines separates statements just like the line break it contains.
    if (/[\n\r]/.test(this.text.slice(start, end))) this.newlineBefore = true;
    this.addComment({ kind: "block", text: this.text.slice(start, end), span: this.span(start, end) });
    this.pos = end;
  }

  private lexToken(): void {
    const code = this.text.charCodeAt(this.pos);
    if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95) return this.word();
    if (isDigitCode(code)) return this.number();
    if (code === 34 /* " */) return this.string();
    if (code === 39 /* ' */) return this.char();
    const candidates = code < 128 ? punctuationByCode[code] : undefined;
    if (candidates !== undefined) {
      const text = this.text;
      const pos = this.pos;
      for (const p of candidates) {
        // Character codes, not `startsWith`: most tokens are punctuation.
        if (p.length === 1 || (text.charCodeAt(pos + 1) === p.second && (p.length === 2 || text.charCodeAt(pos + 2) === p.third))) {
          this.push(p.code, pos, pos + p.length);
          this.pos = pos + p.length;
          return;
        }
      }
    }
    // One report for a run of characters that start no token (a line of 8,000 `$`, a
    // binary file): the first one is named, the span covers the run.
    const start = this.pos;
    const first = this.takeCodePoint();
    let count = 1;
    while (this.pos < this.text.length && !this.startsToken()) {
      this.takeCodePoint();
      count++;
    }
    this.diags.report(E.unexpectedCharacter, this.span(start, this.pos), printable(first), count);
  }

  /** Whether the current character starts a token or trivia (whitespace, a comment). */
  private startsToken(): boolean {
    const c = this.at();
    if (isIdentStart(c) || isDigit(c) || c === '"' || c === "'" || c === "" || " \t\n\r\f\v".includes(c)) return true;
    return punctuationByFirst.has(c);
  }

  private word(): void {
    const text = this.text;
    const start = this.pos;
    let end = start;
    let hash = 0;
    for (let code = text.charCodeAt(end); isIdentPartCode(code); code = text.charCodeAt(++end)) hash = wordHash(hash, code);
    this.pos = end;
    const first = text.charCodeAt(start);
    const code = end - start <= KEYWORD_MAX_LENGTH && first >= 97 && first <= 122 ? keywordCode(text, start, end, hash) : IDENT_CODE;
    if (code === IDENT_CODE) this.push(IDENT_CODE, start, end, this.name(start, end, hash));
    else this.push(code, start, end);
  }

  /**
   * The text of the name `text[start, end)` (`hash`: its `wordHash`), as one string for
   * all its occurrences: the tree keeps a name for every use, and a program uses few
   * names many times, so this saves a string per use for the garbage collector to copy.
   * A name whose hash another name already has gets a string of its own (rare).
   */
  private name(start: number, end: number, hash: number): string {
    const known = this.names.get(hash);
    if (known !== undefined && sameSpelling(this.text, start, end, known)) return known;
    const name = this.text.slice(start, end);
    if (known === undefined) this.names.set(hash, name);
    return name;
  }

  private number(): void {
    const start = this.pos;
    // Plain decimal literals (most of them) in one pass: digits not followed by a letter,
    // `_` or a fraction, short enough to add up exactly in a double.
    let end = start;
    let plain = 0;
    while (isDigitCode(this.text.charCodeAt(end))) plain = plain * 10 + this.text.charCodeAt(end++) - 48;
    const after = this.text.charCodeAt(end);
    if (end - start <= 15 && !isIdentPartCode(after) && !(after === 46 /* . */ && isDigitCode(this.text.charCodeAt(end + 1)))) {
      this.pos = end;
      this.push(INT_CODE, start, end, plain < smallValues.length ? smallValues[plain] : BigInt(plain));
      return;
    }
    const prefix = this.at() === "0" ? this.at(1).toLowerCase() : "";
    const radix = prefix === "x" ? 16 : prefix === "o" ? 8 : prefix === "b" ? 2 : 10;
    if (radix !== 10) this.pos += 2;
    const digitsStart = this.pos;
    // Take the whole alphanumeric run so `0b102` or `12abc` is one bad token, not two.
    while (isIdentPart(this.at())) this.pos++;
    // `1.5`: take the fraction too, to report it as one token (`0..8` is a range, not this).
    if (radix === 10 && this.at() === "." && isDigit(this.at(1))) {
      this.pos++;
      while (isIdentPart(this.at())) this.pos++;
    }
    const text = this.text.slice(start, this.pos);
    const digits = this.text.slice(digitsStart, this.pos);
    const span = this.span(start, this.pos);
    const suffixed = radix === 10 ? splitUnitSuffix(text) : undefined;
    if (suffixed && numberProblem(suffixed.digits, 10) === undefined) {
      this.duration(text, suffixed.digits, suffixed.suffix, suffixed.unit, span);
      return;
    }
    const problem = numberProblem(digits, radix);
    if (problem !== undefined) {
      this.diags.report(E.malformedNumber, span, text, problem);
      this.push(INT_CODE, start, this.pos, 0n);
      return;
    }
    const clean = digits.replace(/_/g, "");
    const value = BigInt(radix === 10 ? clean : `0${prefix}${clean}`);
    if (value > U64_MAX) {
      this.diags.report(E.integerTooLarge, span, text);
      this.push(INT_CODE, start, this.pos, 0n);
      return;
    }
    this.push(INT_CODE, start, this.pos, value);
  }

  /** `250ms`: a decimal count with a unit suffix is that many nanoseconds (parse/durations.ts). */
  private duration(text: string, digits: string, suffix: string, unit: DurationUnit | undefined, span: Span): void {
    if (unit === undefined) {
      this.diags.report(R.unknownDurationUnit, span, text, suffix);
      this.push(INT_CODE, span.start, span.end, 0n);
      return;
    }
    const value = BigInt(digits.replace(/_/g, "")) * durationUnits[unit];
    if (value > U64_MAX) {
      this.diags.report(R.durationTooLarge, span, text);
      this.push(INT_CODE, span.start, span.end, 0n);
      return;
    }
    this.push(INT_CODE, span.start, span.end, value);
  }

  private string(): void {
    const start = this.pos;
    this.pos++;
    // Most strings have no escape: their value is their text, taken in one piece (adding
    // a character at a time builds a chain of string pieces the engine must flatten).
    let end = this.pos;
    while (end < this.text.length && this.text.charCodeAt(end) !== 34 /* " */ && this.text.charCodeAt(end) !== 92 /* \\ */) end++;
    if (this.text.charCodeAt(end) === 34) {
      this.pos = end + 1;
      this.push(STRING_CODE, start, this.pos, this.text.slice(start + 1, end));
      return;
    }
    let value = "";
    for (;;) {
      if (this.pos >= this.text.length) {
        this.diags.report(E.unterminatedString, this.span(start, start + 1));
        // Recover at the end of the opening line rather than swallowing the whole file.
        const end = lineEndFrom(this.text, start);
        this.pos = end;
        this.push(STRING_CODE, start, end, this.text.slice(start + 1, end));
        return;
      }
      const c = this.at();
      if (c === '"') {
        this.pos++;
        this.push(STRING_CODE, start, this.pos, value);
        return;
      }
      // A raw line break inside a string is kept (upstream accepts it).
      value += c === "\\" ? this.escape() : (this.pos++, c);
    }
  }

  private char(): void {
    const start = this.pos;
    this.pos++;
    if (this.at() === "'") {
      this.pos++;
      this.diags.report(E.emptyChar, this.span(start, this.pos));
      this.push(CHAR_CODE, start, this.pos, 0);
      return;
    }
    if (isLineBreak(this.text, this.pos) || this.pos >= this.text.length) {
      this.diags.report(E.unterminatedChar, this.span(start, start + 1));
      this.push(CHAR_CODE, start, this.pos, 0);
      return;
    }
    const decoded = this.at() === "\\" ? this.escape() : this.takeCodePoint();
    if (this.at() === "'") {
      this.pos++;
      this.push(CHAR_CODE, start, this.pos, decoded.codePointAt(0) ?? 0);
      return;
    }
    // Either several characters ('ab') or no closing quote at all on this line.
    const limit = lineEndFrom(this.text, this.pos);
    const close = this.text.indexOf("'", this.pos);
    if (close >= 0 && close < limit) {
      this.pos = close + 1;
      this.diags.report(E.charTooLong, this.span(start, this.pos));
    } else {
      this.diags.report(E.unterminatedChar, this.span(start, start + 1));
    }
    this.push(CHAR_CODE, start, this.pos, decoded.codePointAt(0) ?? 0);
  }

  private takeCodePoint(): string {
    const code = this.text.codePointAt(this.pos) ?? 0;
    const ch = String.fromCodePoint(code);
    this.pos += ch.length;
    return ch;
  }

  /** Decodes one escape starting at the backslash; reports and keeps bad ones. */
  private escape(): string {
    const start = this.pos;
    const c = this.at(1);
    this.pos += 2;
    switch (c) {
      case "n": return "\n";
      case "t": return "\t";
      case "r": return "\r";
      case "\\": return "\\";
      case "'": return "'";
      case '"': return '"';
      case "0": return "\0";
      case "x": {
        const hex = this.text.slice(this.pos, this.pos + 2);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          this.pos += 2;
          return String.fromCharCode(parseInt(hex, 16));
        }
        this.diags.report(E.invalidEscape, this.span(start, this.pos), "\\x" + (hex.match(/^[0-9a-fA-F]?/)?.[0] ?? ""));
        return "";
      }
      default:
        if (c === "" || c === "\n" || c === "\r") {
          // Let the caller see the end of input / line break itself.
          this.pos = start + 1;
          this.diags.report(E.invalidEscape, this.span(start, start + 1), "\\");
          return "";
        }
        this.diags.report(E.invalidEscape, this.span(start, this.pos), "\\" + c);
        return c;
    }
  }
}

/** The kind code of the word `text[start, end)` whose `wordHash` is `hash`: a keyword's or `Ident`. */
function keywordCode(text: string, start: number, end: number, hash: number): number {
  for (let slot = hash & (KEYWORD_SLOTS - 1); ; slot = (slot + 1) & (KEYWORD_SLOTS - 1)) {
    const keyword = keywordSlots[slot];
    if (keyword === undefined) return IDENT_CODE;
    if (sameSpelling(text, start, end, keyword.spelling)) return keyword.code;
  }
}

function sameSpelling(text: string, start: number, end: number, spelling: string): boolean {
  if (end - start !== spelling.length) return false;
  for (let i = 0; i < spelling.length; i++) if (text.charCodeAt(start + i) !== spelling.charCodeAt(i)) return false;
  return true;
}

function numberProblem(digits: string, radix: 2 | 8 | 10 | 16): NumberProblem | undefined {
  const allowed = radix === 16 ? /^[0-9a-fA-F_]*$/ : radix === 8 ? /^[0-7_]*$/ : radix === 2 ? /^[01_]*$/ : /^[0-9_]*$/;
  if (!allowed.test(digits)) {
    return radix === 10 && digits.includes(".") ? { kind: "fractional" } : { kind: "foreignDigit", base: radix };
  }
  if (digits.replace(/_/g, "") === "") return { kind: "noDigits", base: radix };
  if (digits.startsWith("_") || digits.endsWith("_") || digits.includes("__")) return { kind: "misplacedSeparator" };
  return undefined;
}

function printable(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `\\u{${code.toString(16)}}`;
  return ch;
}
