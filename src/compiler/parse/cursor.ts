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
//!   message;
//! - the nesting level: how deep the node being built sits in the tree (see
//!   `maxNesting`). Recursive constructs go one level down through `nested`/`group`;
//!   left-deep chains (`a + b + c`, `a.b.c`, `x as T as U`, `T[1][2]`), which the parser
//!   builds in a loop, count their height with `startMeasure`/`measured` and `link`. Past the limit the
//!   parser reports E0121 once and skips the rest of the construct with a loop, so
//!   neither it nor any later pass (all recursive) can run out of stack.

import type { CatalogEntry, Diagnostics } from "../diagnostics/diagnostic.js";
import * as E from "../diagnostics/catalog/syntax.js";
import type { SyntaxPlace } from "../diagnostics/catalog/syntax.js";
import type { SourceFile, Span } from "../source.js";
import { describeToken, type Token, type TokenKind } from "./token.js";
import type { TokenStream } from "./token-stream.js";
import { maxNesting } from "../limits.js";

/** Keywords that can only start a top-level declaration (used to stop runaway blocks). */
export const DECLARATION_ONLY: ReadonlySet<TokenKind> = new Set<TokenKind>([
  "fn", "@", "struct", "enum", "type", "config", "include", "import", "extern", "impl",
]);

const DECLARATION_START: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ...DECLARATION_ONLY, "var", "let", "pin", "local", "const",
]);

const OPENERS: ReadonlySet<TokenKind> = new Set<TokenKind>(["{", "(", "["]);
const CLOSERS: ReadonlySet<TokenKind> = new Set<TokenKind>(["}", ")", "]"]);


/** Tokens that end an expression when met outside any bracket. */
const EXPRESSION_END: ReadonlySet<TokenKind> = new Set<TokenKind>([
  ",", ";", ":", "..", "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=",
]);

/** Tokens a type may consist of besides bracketed groups (`str(4)`, `[T; N]`, `fn(…)`). */
const TYPE_TOKENS: ReadonlySet<TokenKind> = new Set<TokenKind>(["*", "Ident", "fn", "->"]);

export type TooDeep = E.NestedConstruct;

/**
 * `list` at its exact length, for a list the tree keeps. An array grown by `push` keeps
 * room for more (16 slots for one element), and the tree lives to the end of the
 * compile: a 100k-line program would carry megabytes of empty slots, copied by the
 * garbage collector like the rest.
 */
export function exact<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

export class Cursor {
  private pos = 0;
  nesting = 0;
  noStruct = false;
  panicking = false;
  /** Nesting level of the node being parsed (see `maxNesting`). */
  private level = 0;
  /** The deepest level reached since the innermost `startMeasure`. */
  private reached = 0;
  /** Set by E0121 until the next declaration or statement of a function body (see `reportTooDeep`). */
  private quiet = false;
  /** The current token as an object, made when first asked for (`tok`). */
  private current: Token | undefined;

  constructor(
    readonly file: SourceFile,
    readonly diags: Diagnostics,
    private readonly tokens: TokenStream,
  ) {}

  get tok(): Token {
    return (this.current ??= this.tokens.token(this.pos));
  }

  peek(ahead = 1): Token {
    return this.tokens.token(this.index(ahead));
  }

  /** The kind of the token `ahead` tokens on (without making it an object). */
  peekKind(ahead = 1): TokenKind {
    return this.tokens.kind(this.index(ahead));
  }

  /** Whether a line break stands before the token `ahead` tokens on. */
  peekNewlineBefore(ahead = 1): boolean {
    return this.tokens.newlineBefore(this.index(ahead));
  }

  /** The index of the token `ahead` tokens on; the lexer always ends the stream with EOF, which stays put. */
  private index(ahead: number): number {
    return Math.min(this.pos + ahead, this.tokens.count - 1);
  }

  /** `license "…"` on one line: the contextual license declaration (`license` is no keyword). */
  atLicenseDeclaration(): boolean {
    const next = this.index(1);
    return this.at("Ident") && this.tokens.text(this.pos) === "license" && this.tokens.kind(next) === "String" && !this.tokens.newlineBefore(next);
  }

  at(kind: TokenKind): boolean {
    return this.tokens.kind(this.pos) === kind;
  }

  /** The kind of the current token (without making it an object). */
  get kind(): TokenKind {
    return this.tokens.kind(this.pos);
  }

  /** Whether a line break stands before the current token. */
  get newlineBefore(): boolean {
    return this.tokens.newlineBefore(this.pos);
  }

  /** True if the current token is on the same line as the previous one, or line breaks do not count here. */
  get sameLine(): boolean {
    return this.nesting > 0 || !this.tokens.newlineBefore(this.pos);
  }

  advance(): Token {
    const token = this.tok;
    if (token.kind !== "EOF") {
      this.pos++;
      this.current = undefined;
    }
    return token;
  }

  /** Consumes the current token without making it an object. */
  skip(): void {
    if (this.tokens.kind(this.pos) !== "EOF") {
      this.pos++;
      this.current = undefined;
    }
  }

  /** Consumes `kind` if it is next (without making the token an object: use `tok` first to keep it). */
  eat(kind: TokenKind): boolean {
    if (!this.at(kind)) return false;
    this.skip();
    return true;
  }

  /** Consumes `kind` or reports what was found instead (`where`: e.g. `"closeParameters"`). */
  expect(kind: TokenKind, where: SyntaxPlace): boolean {
    if (this.eat(kind)) return true;
    this.error(E.expectedToken, this.errorSpan(), { token: kind }, describeToken(this.tok), where);
    return false;
  }

  /** End offset of the last consumed token. */
  get prevEnd(): number {
    return this.pos === 0 ? 0 : this.tokens.end(this.pos - 1);
  }

  /** Kind of the last consumed token (`}` after a block needs no separator). */
  get previousKind(): TokenKind | undefined {
    return this.pos === 0 ? undefined : this.tokens.kind(this.pos - 1);
  }

  /** Index of the current token, to check that a loop made progress. */
  get position(): number {
    return this.pos;
  }

  get start(): number {
    return this.tokens.start(this.pos);
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
    if (this.pos > 0 && (this.at("EOF") || this.newlineBefore)) {
      return { file: this.file.path, start: this.prevEnd, end: this.prevEnd };
    }
    return this.tok.span;
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
    const nesting = this.nesting;
    const noStruct = this.noStruct;
    this.nesting++;
    this.noStruct = false;
    try {
      return parse();
    } finally {
      this.nesting = nesting;
      this.noStruct = noStruct;
    }
  }

  /** Runs `parse` with line breaks significant again (inside `{…}`). */
  braced<T>(parse: () => T): T {
    const nesting = this.nesting;
    const noStruct = this.noStruct;
    this.nesting = 0;
    this.noStruct = false;
    try {
      return parse();
    } finally {
      this.nesting = nesting;
      this.noStruct = noStruct;
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
   * Parses a construct one level deeper: `parse` when the limit allows, otherwise E0121
   * at the current token, `skip` (which must consume the construct without recursing)
   * and `tooDeep` with the span skipped.
   */
  nested<T>(what: TooDeep, parse: () => T, skip: () => void, tooDeep: (span: Span) => T): T {
    if (this.level >= maxNesting) {
      const start = this.start;
      this.reportTooDeep(what, this.tok.span);
      skip();
      return tooDeep(this.spanFrom(start));
    }
    this.level++;
    if (this.level > this.reached) this.reached = this.level;
    try {
      return parse();
    } finally {
      this.level--;
    }
  }

  /**
   * The contents of a bracketed group whose opener (`open`) was just consumed, one level
   * deeper; past the limit the whole group up to its closer is skipped.
   */
  group<T>(what: TooDeep, open: Token, parse: () => T, tooDeep: (span: Span) => T): T {
    if (this.level >= maxNesting) {
      this.reportTooDeep(what, open.span);
      this.skipToCloser();
      return tooDeep(this.spanFrom(open.span.start));
    }
    return this.nested(what, parse, () => undefined, tooDeep);
  }

  /**
   * `nested` without closures, for the hottest constructs (every binary operator, call,
   * index and block): true when `what` may go one level deeper (then `ascend` after it);
   * false once E0121 is reported at the current token (then skip the construct).
   */
  descend(what: TooDeep): boolean {
    if (this.level >= maxNesting) {
      this.reportTooDeep(what, this.tok.span);
      return false;
    }
    this.level++;
    if (this.level > this.reached) this.reached = this.level;
    return true;
  }

  ascend(): void {
    this.level--;
  }

  /**
   * `group` without closures: true when the group whose opener (at position `open`) was
   * just consumed may be parsed one level deeper (then `ascend` after it); false once
   * E0121 is reported and the group skipped up to its closer.
   */
  openGroup(what: TooDeep, open: number): boolean {
    if (this.level >= maxNesting) {
      this.reportTooDeep(what, this.tokens.span(open));
      this.skipToCloser();
      return false;
    }
    this.level++;
    if (this.level > this.reached) this.reached = this.level;
    return true;
  }

  /** `bracketed` without a closure: the state to hand to `restore` after the contents. */
  enterBrackets(): number {
    const saved = this.saveLineState();
    this.nesting++;
    this.noStruct = false;
    return saved;
  }

  /** `braced` without a closure: the state to hand to `restore` after the contents. */
  enterBraces(): number {
    const saved = this.saveLineState();
    this.nesting = 0;
    this.noStruct = false;
    return saved;
  }

  /** `withoutStructLiterals` without a closure: the state to hand to `restore` after the condition. */
  enterCondition(): number {
    const saved = this.saveLineState();
    this.noStruct = true;
    return saved;
  }

  /** Puts back `nesting` and `noStruct` as `enterBrackets`/`enterBraces`/`enterCondition` found them. */
  restore(saved: number): void {
    this.nesting = saved >> 1;
    this.noStruct = (saved & 1) === 1;
  }

  private saveLineState(): number {
    return (this.nesting << 1) | (this.noStruct ? 1 : 0);
  }

  /** The current token's span, without making the token an object. */
  get currentSpan(): Span {
    return this.tokens.span(this.pos);
  }

  /** The span of the token at `position` (an earlier `position`), made only when needed. */
  spanAt(position: number): Span {
    return this.tokens.span(position);
  }

  /** The current token's value (`Int`, `String`, `Char`), without making the token an object. */
  get currentValue(): bigint | string | number | undefined {
    return this.tokens.value(this.pos);
  }

  /** The current token's text, without making the token an object. */
  get currentText(): string {
    return this.tokens.text(this.pos);
  }

  /** Starts measuring how deep what is parsed next goes; hand the result to `measured`. */
  startMeasure(): number {
    const saved = this.reached;
    this.reached = this.level;
    return saved;
  }

  /** How many levels below the current one the parsing since `startMeasure` reached. */
  measured(saved: number): number {
    const height = this.reached - this.level;
    this.reached = Math.max(saved, this.reached);
    return height;
  }

  /**
   * One more link of a left-deep chain built at the current level (`a + b + c` is
   * `(a + b) + c`: each link puts everything before it one level further down), whose
   * new operand reached `operandHeight` levels below the chain's own. Returns the chain's
   * new height, or undefined (E0121 at the token whose `position` is `at`) when it would
   * nest too deep; the caller then skips the rest of the construct. Without `at`, the
   * error is at the current token. Positions, not spans: a span is made only for the error.
   */
  link(what: TooDeep, height: number, operandHeight: number, at?: number): number | undefined {
    const grown = Math.max(height + 1, operandHeight);
    if (this.level + grown > maxNesting) {
      this.reportTooDeep(what, at === undefined ? this.tok.span : this.tokens.span(at));
      return undefined;
    }
    this.reached = Math.max(this.reached, this.level + grown);
    return grown;
  }

  /**
   * Called where a statement or declaration starts. A declaration, or a statement of a
   * function body (level 1), is where an E0121 before it stops muting the next.
   */
  beginStatement(): void {
    if (this.level <= 1) this.quiet = false;
  }

  /**
   * E0121, through `error` so that a parser already lost in a syntax error stays quiet.
   * One report per statement of a function body (or declaration): whatever else in it
   * crosses the limit (the body after an over-deep condition, the outer links of a chain
   * whose operand was too deep, the `catch` beside an over-deep `try`) is skipped the
   * same way, silently.
   */
  reportTooDeep(what: TooDeep, at: Span): void {
    if (this.quiet) return;
    const muted = this.panicking;
    this.error(E.nestingTooDeep, at, what, maxNesting);
    this.quiet = true;
    // The skip that follows resynchronises: what comes after the construct is parsed normally.
    this.panicking = muted;
  }

  /** Skips to just past the closer matching an opener that was just consumed. */
  skipToCloser(): void {
    let depth = 1;
    while (!this.at("EOF")) {
      const kind = this.kind;
      this.skip();
      if (OPENERS.has(kind)) depth++;
      else if (CLOSERS.has(kind) && --depth === 0) return;
    }
  }

  /**
   * Skips the rest of an expression: up to the first token outside brackets that ends
   * it (`,`, `;`, `:`, `..`, an assignment, a closer, a line break where line breaks
   * count, and `{` where it opens a statement body). `startsHere`: the current token
   * starts the skipped construct, so a line break before it ends nothing.
   */
  skipExpressionRest(startsHere = false): void {
    let depth = 0;
    let first = startsHere;
    while (!this.at("EOF")) {
      const kind = this.kind;
      const newlineBefore = this.newlineBefore;
      if (depth === 0) {
        if (EXPRESSION_END.has(kind) || CLOSERS.has(kind)) return;
        if (kind === "{" && this.noStruct) return;
        if (!first && newlineBefore && this.nesting === 0) return;
      }
      if (OPENERS.has(kind)) depth++;
      else if (CLOSERS.has(kind)) depth--;
      this.skip();
      first = false;
    }
  }

  /** Skips the rest of a type: `*`, names, `fn`, `->`, `<…>` and bracketed groups. */
  skipTypeRest(): void {
    let depth = 0;
    let angles = 0;
    let first = true;
    while (!this.at("EOF")) {
      const kind = this.kind;
      const newlineBefore = this.newlineBefore;
      if (depth === 0) {
        if (!first && newlineBefore && this.nesting === 0) return;
        if (kind === "<") angles++;
        else if (angles > 0 && kind.startsWith(">")) angles = Math.max(0, angles - (kind.startsWith(">>") ? 2 : 1));
        else if (kind === "," && angles > 0) { /* between type arguments */ }
        else if (!TYPE_TOKENS.has(kind) && kind !== "(" && kind !== "[") return;
      }
      if (kind === "(" || kind === "[") depth++;
      else if (CLOSERS.has(kind)) {
        if (depth === 0) return;
        depth--;
      }
      this.skip();
      first = false;
    }
  }

  /**
   * Skips the rest of an `if … { … } else if … { … } else { … }` chain: every condition
   * and every braced body up to the last one.
   */
  skipIfChainRest(): void {
    let depth = 0;
    while (!this.at("EOF")) {
      const kind = this.kind;
      if (depth === 0 && (kind === "}" || kind === ";")) return;
      this.skip();
      if (OPENERS.has(kind)) depth++;
      else if (CLOSERS.has(kind) && depth > 0 && --depth === 0 && kind === "}" && !this.at("else")) return;
    }
  }

  /**
   * Splits a token starting with `>` (`>>`, `>=`, `>>=`) so that its first `>` can close
   * a generic argument list, as in `hash<u32, array<u8, u8>>`.
   */
  splitGreater(): void {
    const kind = this.kind;
    if (kind === "EOF" || kind === ">" || !kind.startsWith(">")) return;
    this.tokens.splitGreater(this.pos);
    this.current = undefined;
  }

  /**
   * Skips to the next statement boundary: a line break, a `;` (consumed) or a `}` at the
   * current brace depth. Bracketed groups met on the way are skipped whole, so a broken
   * `if x y { … }` does not leave its body behind to be misread.
   */
  syncStatement(): void {
    let depth = 0;
    while (!this.at("EOF")) {
      const kind = this.kind;
      const newlineBefore = this.newlineBefore;
      if (depth === 0) {
        if (newlineBefore) break;
        if (kind === "}") break;
        if (kind === ";") { this.skip(); break; }
        // A missing `}` must not make us eat the next function.
        if (DECLARATION_ONLY.has(kind) && newlineBefore) break;
      }
      if (OPENERS.has(kind)) depth++;
      else if (CLOSERS.has(kind) && depth > 0) depth--;
      this.skip();
    }
    this.panicking = false;
  }

  /** Skips to the next token that can start a declaration at the beginning of a line. */
  syncDeclaration(): void {
    let depth = 0;
    while (!this.at("EOF")) {
      const kind = this.kind;
      const newlineBefore = this.newlineBefore;
      if (depth === 0 && newlineBefore && (DECLARATION_START.has(kind) || this.atLicenseDeclaration())) break;
      if (OPENERS.has(kind)) depth++;
      else if (CLOSERS.has(kind) && depth > 0) depth--;
      this.skip();
    }
    this.panicking = false;
  }
}
