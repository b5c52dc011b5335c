// Properties of the front end: lex() and parse() never throw, whatever the input, and
// every node's span lies inside the file and inside its parent's span.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { lex } from "../../src/compiler/parse/lexer.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { forEachChild, type Node } from "../../src/compiler/ast.js";
import { KEYWORDS, PUNCTUATION } from "../../src/compiler/parse/token.js";
import { casesIn, repoRoot } from "../harness/golden.js";

function checkSpans(text: string): void {
  const ast = parse(makeSourceFile("f.ks", text), new Diagnostics());
  const walk = (node: Node, parent: { start: number; end: number }): void => {
    const s = node.span;
    assert.ok(s.start <= s.end, `${node.kind} span inverted`);
    assert.ok(s.start >= parent.start && s.end <= parent.end, `${node.kind} [${s.start},${s.end}) outside parent [${parent.start},${parent.end})`);
    forEachChild(node, (child) => walk(child, s));
  };
  assert.equal(ast.span.start, 0);
  assert.equal(ast.span.end, text.length);
  forEachChild(ast, (child) => walk(child, ast.span));
}

const words = [...KEYWORDS, ...PUNCTUATION, "x", "m", "u32", "hash", "42", "0xff", "\"s\"", "'c'", "\n", " ", "/*", "*/", "//"];
const tokenSoup = fc.array(fc.constantFrom(...words), { maxLength: 60 }).map((parts) => parts.join(" "));

const caseTexts = [
  ...casesIn(join(repoRoot, "tests/cases/parse"), ".ks"),
  ...casesIn(join(repoRoot, "tests/cases/errors"), ".ks").filter((p) => p.includes("syntax-")),
].map((p) => readFileSync(p, "utf8"));

test("lexer never throws on arbitrary strings", () => {
  fc.assert(fc.property(fc.fullUnicodeString({ maxLength: 200 }), (text) => {
    lex(makeSourceFile("f.ks", text), new Diagnostics());
  }), { numRuns: 300 });
});

test("parser never throws on arbitrary strings and keeps spans nested", () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), checkSpans), { numRuns: 300 });
});

test("parser never throws on token soup", () => {
  fc.assert(fc.property(tokenSoup, checkSpans), { numRuns: 500 });
});

test("parser never throws on case files with random pieces deleted", () => {
  fc.assert(fc.property(
    fc.constantFrom(...caseTexts),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 12 })), { minLength: 1, maxLength: 4 }),
    (text, cuts) => {
      let mutated = text;
      for (const [at, length] of cuts) {
        const start = mutated.length === 0 ? 0 : at % mutated.length;
        mutated = mutated.slice(0, start) + mutated.slice(start + length);
      }
      checkSpans(mutated);
    },
  ), { numRuns: 300 });
});

test("every case file parses with spans nested", () => {
  for (const text of caseTexts) checkSpans(text);
});
