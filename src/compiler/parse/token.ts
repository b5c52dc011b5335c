//! Tokens: what the lexer produces and the parser consumes.
//!
//! A token's `kind` is its own spelling for keywords and punctuation (`"fn"`, `"->"`,
//! `"<<="`), and a capitalised class name for everything with a value (`Ident`, `Int`,
//! `String`, `Char`). Comments are not tokens: they ride along as trivia on the token
//! that follows them (the last ones on `EOF`), so a formatter can put them back.

import type { Span } from "../source.js";
import type { FoundToken } from "../diagnostics/catalog/syntax.js";

export const KEYWORDS = [
  "fn", "extern", "include", "import", "from", "pin", "local", "type", "struct", "enum",
  "impl", "config", "var", "let", "const", "if", "else", "for", "while", "in", "return",
  "break", "continue", "new", "delete", "try", "catch", "throw", "defer", "match",
  "default", "true", "false", "null", "as", "sizeof",
] as const;

export type KeywordKind = (typeof KEYWORDS)[number];

/** Longest spellings first, so the lexer can take the first one that matches. */
export const PUNCTUATION = [
  "<<=", ">>=",
  "->", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
  "<<", ">>", "..",
  "+", "-", "*", "/", "%", "=", "<", ">", "!", "&", "|", "^", "~", "@",
  "{", "}", "(", ")", "[", "]", ",", ".", ":", ";",
] as const;

export type PunctuationKind = (typeof PUNCTUATION)[number];

export type TokenKind = KeywordKind | PunctuationKind | "Ident" | "Int" | "String" | "Char" | "EOF";

export interface Comment {
  readonly kind: "line" | "block";
  /** The whole comment including `//` or `/* … *\/`. */
  readonly text: string;
  readonly span: Span;
}

export interface Token {
  readonly kind: TokenKind;
  readonly span: Span;
  /** The source text of the token. */
  readonly text: string;
  /** True when a line break (possibly inside a comment) separates it from the previous token. */
  readonly newlineBefore: boolean;
  /** Comments between the previous token and this one. */
  readonly leadingComments: readonly Comment[];
  /** `Int`: the value; `String`: the decoded text; `Char`: the byte value. */
  readonly value?: bigint | string | number;
}

const keywordSet: ReadonlySet<string> = new Set(KEYWORDS);

export function isKeyword(word: string): word is KeywordKind {
  return keywordSet.has(word);
}

/** Identifiers and keywords: the tokens that may name a field (`.type`, `{ type: 1 }`). */
export function isWordToken(token: Token): boolean {
  return token.kind === "Ident" || keywordSet.has(token.kind);
}

/** A token as a message names it: its kind and spelling (the catalogue words it). */
export function describeToken(token: Token): FoundToken {
  switch (token.kind) {
    case "EOF": return { kind: "endOfFile" };
    case "Ident": return { kind: "identifier", text: token.text };
    case "Int": return { kind: "integer", text: token.text };
    case "String": return { kind: "stringLiteral" };
    case "Char": return { kind: "charLiteral", text: token.text };
    default: return { kind: isKeyword(token.kind) ? "keyword" : "symbol", text: token.kind };
  }
}
