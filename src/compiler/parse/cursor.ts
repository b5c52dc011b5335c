//! The parser's position in the token stream, shared by the topic files
//! (`parse-decl.ts`, `parse-stmt.ts`, `parse-expr.ts`, `parse-type.ts`).
//!
//! It owns three pieces of context the grammar needs:
//! - `nesting`: inside `(…)`/`[…]` line breaks never end anything, so an expression may
//!   span lines freely; a `{` block resets it, because statements inside count again;
//! - `noStruct`: in an un-parenthesised `if c {` / `while c {` condition, `Name {` is
//!   the start of the body, not a struct literal (Rust's rule);
//! - `panicking`: after a syntax error further errors are muted until the parser has
//!   resynchronised at a statement or declaration boundary, so one mistake gives one
//!   message.

import type { CatalogEntry, Diagnostics } from "../diagnostics/diagnostic.js";
import * as E from "../diagnostics/catalog/syntax.js";
import type { SourceFile, Span } from "../source.js";
import { describeToken, type Token, type TokenKind } from "./token.js";

/** Keywords that can only start a top-level declaration (used to stop runaway blocks). */
export const DECLARATION_ONLY: ReadonlySet<TokenKind> = new Set<TokenKind>([
  "fn", "@", "struct", "enum", "type", "config", "include", "import", "extern", "impl",
]);

const DECLARATION_START: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ...DECLARATION_ONLY, "var", "let", "pin", "local", "const",
]);

const OPENERS: ReadonlySet<TokenKind> = new Set<TokenKind>(["{", "(", "["]);
const CLOSERS: ReadonlySet<TokenKind> = new Set<TokenKind>(["}", ")", "]"]);

export class Cursor {
  private pos = 0;
  nesting = 0;
  noStruct = false;
  panicking = false;

  constructor(
    readonly file: SourceFile,
    readonly diags: Diagnostics,
    private readonly tokens: Token[],
  ) {}

  get tok(): Token {
    return this.tokens[this.pos] ?? this.eofToken();
  }

  peek(ahead = 1): Token {
    return this.tokens[this.pos + ahead] ?? this.eofToken();
  }

  private eofToken(): Token {
    // The lexer always ends the stream with EOF; stay on it.
    return this.tokens[this.tokens.length - 1]!;
  }

  /** `license "…"` on one line: the contextual license declaration (`license` is no keyword). */
  atLicenseDeclaration(): boolean {
    const next = this.peek();
    return this.tok.kind === "Ident" && this.tok.text === "license" && next.kind === "String" && !next.newlineBefore;
  }

  at(kind: TokenKind): boolean {
    return this.tok.kind === kind;
  }

  /** True if the current token is on the same line as the previous one, or line breaks do not count here. */
  get sameLine(): boolean {
    return this.nesting > 0 || !this.tok.newlineBefore;
  }

  advance(): Token {
    const token = this.tok;
    if (token.kind !== "EOF") this.pos++;
    return token;
  }

  eat(kind: TokenKind): Token | undefined {
    return this.at(kind) ? this.advance() : undefined;
  }

  /** Consumes `kind` or reports what was found instead (`context` says where: "after the parameters"). */
  expect(kind: TokenKind, context: string): Token | undefined {
    if (this.at(kind)) return this.advance();
    this.error(E.expectedToken, this.errorSpan(), `\`${kind}\``, describeToken(this.tok), context);
    return undefined;
  }

  /** End offset of the last consumed token. */
  get prevEnd(): number {
    return this.pos === 0 ? 0 : this.tokens[this.pos - 1]!.span.end;
  }

  /** Kind of the last consumed token (`}` after a block needs no separator). */
  get previousKind(): TokenKind | undefined {
    return this.pos === 0 ? undefined : this.tokens[this.pos - 1]!.kind;
  }

  /** Index of the current token, to check that a loop made progress. */
  get position(): number {
    return this.pos;
  }

  get start(): number {
    return this.tok.span.start;
  }

  spanFrom(start: number): Span {
    return { file: this.file.path, start, end: Math.max(start, this.prevEnd) };
  }

  /**
   * Where to point for "expected X, found Y" in the middle of a construct: at Y, or just
   * after the previous token when Y is on a later line (or is the end of the file),
   * because the thing is missing where the user stopped typing, not where Y is.
   */
  errorSpan(): Span {
    const token = this.tok;
    if (this.pos > 0 && (token.kind === "EOF" || token.newlineBefore)) {
      return { file: this.file.path, start: this.prevEnd, end: this.prevEnd };
    }
    return token.span;
  }

  /** An empty span where `errorSpan` points, for `Error*` nodes that consumed nothing. */
  emptySpan(): Span {
    const at = this.errorSpan().start;
    return { file: this.file.path, start: at, end: at };
  }

  error<A extends readonly unknown[]>(entry: CatalogEntry<A>, span: Span, ...args: A): void {
    if (this.panicking) return;
    this.panicking = true;
    this.diags.report(entry, span, ...args);
  }

  /** Reports even while panicking: for problems found by a structural check, not by a lost parser. */
  report<A extends readonly unknown[]>(entry: CatalogEntry<A>, span: Span, ...args: A): void {
    this.diags.report(entry, span, ...args);
  }

  /** Runs `parse` with line breaks made insignificant (inside `(…)` and `[…]`). */
  bracketed<T>(parse: () => T): T {
    const saved = [this.nesting, this.noStruct] as const;
    this.nesting++;
    this.noStruct = false;
    try {
      return parse();
    } finally {
      [this.nesting, this.noStruct] = saved;
    }
  }

  /** Runs `parse` with line breaks significant again (inside `{…}`). */
  braced<T>(parse: () => T): T {
    const saved = [this.nesting, this.noStruct] as const;
    this.nesting = 0;
    this.noStruct = false;
    try {
      return parse();
    } finally {
      [this.nesting, this.noStruct] = saved;
    }
  }

  /** Runs `parse` where `Name {` must not be read as a struct literal. */
  withoutStructLiterals<T>(parse: () => T): T {
    const saved = this.noStruct;
    this.noStruct = true;
    try {
      return parse();
    } finally {
      this.noStruct = saved;
    }
  }

  /**
   * Splits a token starting with `>` (`>>`, `>=`, `>>=`) so that its first `>` can close
   * a generic argument list, as in `hash<u32, array<u8, u8>>`.
   */
  splitGreater(): void {
    const token = this.tok;
    if (token.kind === "EOF" || token.kind === ">" || !token.text.startsWith(">")) return;
    const s = token.span;
    const first: Token = {
      kind: ">", span: { ...s, end: s.start + 1 }, text: ">",
      newlineBefore: token.newlineBefore, leadingComments: token.leadingComments,
    };
    const restText = token.text.slice(1);
    const rest: Token = {
      kind: restText as TokenKind, span: { ...s, start: s.start + 1 }, text: restText,
      newlineBefore: false, leadingComments: [],
    };
    this.tokens.splice(this.pos, 1, first, rest);
  }

  /**
   * Skips to the next statement boundary: a line break, a `;` (consumed) or a `}` at the
   * current brace depth. Bracketed groups met on the way are skipped whole, so a broken
   * `if x y { … }` does not leave its body behind to be misread.
   */
  syncStatement(): void {
    let depth = 0;
    while (!this.at("EOF")) {
      const token = this.tok;
      if (depth === 0) {
        if (token.newlineBefore) break;
        if (token.kind === "}") break;
        if (token.kind === ";") { this.advance(); break; }
        // A missing `}` must not make us eat the next function.
        if (DECLARATION_ONLY.has(token.kind) && token.newlineBefore) break;
      }
      if (OPENERS.has(token.kind)) depth++;
      else if (CLOSERS.has(token.kind) && depth > 0) depth--;
      this.advance();
    }
    this.panicking = false;
  }

  /** Skips to the next token that can start a declaration at the beginning of a line. */
  syncDeclaration(): void {
    let depth = 0;
    while (!this.at("EOF")) {
      const token = this.tok;
      if (depth === 0 && token.newlineBefore && (DECLARATION_START.has(token.kind) || this.atLicenseDeclaration())) break;
      if (OPENERS.has(token.kind)) depth++;
      else if (CLOSERS.has(token.kind) && depth > 0) depth--;
      this.advance();
    }
    this.panicking = false;
  }
}
