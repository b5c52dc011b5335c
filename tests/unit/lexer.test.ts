import { test } from "node:test";
import assert from "node:assert/strict";
import { lex } from "../../src/compiler/parse/lexer.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";

function tokens(text: string) {
  const diags = new Diagnostics();
  const list = lex(makeSourceFile("t.ks", text), diags);
  return { list, kinds: list.map((t) => t.kind), codes: diags.all.map((d) => d.code) };
}

test("keywords, identifiers and the end token", () => {
  const { kinds, list } = tokens("fn let as sizeof xdp hash flags ringbuf none _ type");
  assert.deepEqual(kinds, ["fn", "let", "as", "sizeof", "Ident", "Ident", "Ident", "Ident", "Ident", "Ident", "type", "EOF"]);
  assert.equal(list[4]!.text, "xdp");
});

test("longest punctuation wins", () => {
  const { kinds } = tokens("<<= >>= -> << >> <= >= == != && || += &= |= ^= .. . ~ ^ ;");
  assert.deepEqual(kinds, ["<<=", ">>=", "->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "+=", "&=", "|=", "^=", "..", ".", "~", "^", ";", "EOF"]);
});

test("integer literals: bases, separators, u64 max", () => {
  const { list, codes } = tokens("42 0xFF 0b1010 0o17 1_000_000 18446744073709551615");
  assert.deepEqual(list.slice(0, 6).map((t) => t.value), [42n, 255n, 10n, 15n, 1000000n, 18446744073709551615n]);
  assert.equal(list[4]!.text, "1_000_000");
  assert.deepEqual(codes, []);
});

test("integer above u64 max and malformed numbers are reported", () => {
  assert.deepEqual(tokens("18446744073709551616").codes, ["E0107"]);
  assert.deepEqual(tokens("0x").codes, ["E0108"]);
  assert.deepEqual(tokens("0b12").codes, ["E0108"]);
  assert.deepEqual(tokens("1_").codes, ["E0108"]);
  assert.deepEqual(tokens("3.14").codes, ["E0108"]);
});

test("a range after an integer is not a fraction", () => {
  assert.deepEqual(tokens("0..10").kinds, ["Int", "..", "Int", "EOF"]);
});

test("string and char escapes are decoded", () => {
  const { list, codes } = tokens(`"a\\tb\\x41\\n\\0\\"\\\\" '\\n' '\\x41' 'z' '\\''`);
  assert.equal(list[0]!.value, 'a\tbA\n\0"\\');
  assert.deepEqual(list.slice(1, 5).map((t) => t.value), [10, 0x41, 122, 39]);
  assert.deepEqual(codes, []);
});

test("bad string and char literals are reported and still yield a token", () => {
  assert.deepEqual(tokens(`"open`).kinds, ["String", "EOF"]);
  assert.deepEqual(tokens(`"open`).codes, ["E0102"]);
  assert.deepEqual(tokens("''").codes, ["E0104"]);
  assert.deepEqual(tokens("'ab'").codes, ["E0109"]);
  assert.deepEqual(tokens("'a").codes, ["E0103"]);
  assert.deepEqual(tokens(`"\\q"`).codes, ["E0105"]);
});

test("unexpected characters are skipped", () => {
  const { kinds, codes } = tokens("a # b ? $");
  assert.deepEqual(kinds, ["Ident", "Ident", "EOF"]);
  assert.deepEqual(codes, ["E0101", "E0101", "E0101"]);
});

test("comments are trivia on the next token; block comments with line breaks count as newlines", () => {
  const { list } = tokens("a // one\n/* two */ b /* x\n y */ c /* d */ e");
  assert.deepEqual(list.map((t) => t.newlineBefore), [true, true, true, false, false]);
  assert.deepEqual(list[1]!.leadingComments.map((c) => c.text), ["// one", "/* two */"]);
  assert.equal(list[2]!.leadingComments[0]!.kind, "block");
});

test("an unterminated block comment is reported", () => {
  assert.deepEqual(tokens("a /* never").codes, ["E0106"]);
});

test("spans are offsets into the text", () => {
  const { list } = tokens("var x = 10");
  assert.deepEqual(list.map((t) => [t.span.start, t.span.end]), [[0, 3], [4, 5], [6, 7], [8, 10], [10, 10]]);
});
