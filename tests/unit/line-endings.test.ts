// Text files as editors write them (issue 11, item 11): a UTF-8 byte-order mark is no
// character of the program (it was E0101 at 1:1) and counts in no column; `\r\n` and a
// lone `\r` end lines everywhere: in the lexer (statements, `//` comments, which with
// CR-only endings swallowed the whole file), in line/column numbers and in snippets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, type CompileResult } from "../../src/compiler/pipeline.js";
import { lex } from "../../src/compiler/parse/lexer.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { lineColumnOf, lineText, makeSourceFile } from "../../src/compiler/source.js";
import { renderDiagnostics } from "../../src/compiler/diagnostics/render.js";

const lines = [
  "// A program whose first line is a comment.",
  "var counts: hash<u32, u64>(16)",
  "@xdp",
  "fn p(ctx: *xdp_md) -> xdp_action {",
  "  counts[1] += 1 /* a block",
  "  comment */ counts[2] += 1",
  "  return XDP_PASS",
  "}",
  "",
];
const withError = [...lines.slice(0, 6), "  var bad: u32 = missing", ...lines.slice(6)];

const endings = { LF: "\n", CRLF: "\r\n", CR: "\r" } as const;

function compileText(text: string): CompileResult {
  return compile("e.ks", { readFile: (path) => (path === "e.ks" ? text : undefined) });
}

function rendered(result: CompileResult): string {
  return renderDiagnostics(result.diagnostics, result.sources, { color: false, inputName: "e.ks" });
}

for (const [name, eol] of Object.entries(endings)) {
  for (const bom of [false, true]) {
    const label = `${name} line endings${bom ? " with a byte-order mark" : ""}`;
    const prefix = bom ? "\ufeff" : "";

    test(`${label}: the program compiles as with LF`, () => {
      const result = compileText(prefix + lines.join(eol));
      assert.deepEqual(result.diagnostics.map((d) => d.code), []);
      assert.ok(result.files.some((f) => f.path.endsWith(".bpf.c")));
    });

    test(`${label}: a diagnostic has the line, column and snippet it has with LF`, () => {
      const expected = rendered(compileText(withError.join("\n")));
      assert.match(expected, /e\.ks:7:18/);
      assert.equal(rendered(compileText(prefix + withError.join(eol))), expected);
    });
  }
}

test("a byte-order mark is no column: an error in the first token is at 1:1", () => {
  const result = compileText("\ufeffvar x: nope = 1\n");
  const text = rendered(result);
  assert.match(text, /e\.ks:1:8/);
  assert.ok(!text.includes("\ufeff"));
  assert.ok(!result.diagnostics.some((d) => d.code === "E0101"));
});

test("a `//` comment ends at a lone \\r, so the next line's token starts a statement", () => {
  const diags = new Diagnostics();
  const tokens = lex(makeSourceFile("e.ks", "// one\rvar a = 1\rvar b = 2"), diags);
  assert.deepEqual(tokens.map((t) => t.kind), ["var", "Ident", "=", "Int", "var", "Ident", "=", "Int", "EOF"]);
  assert.ok(tokens[4]!.newlineBefore);
  assert.equal(tokens[0]!.leadingComments[0]!.text, "// one");
  assert.deepEqual(diags.all, []);
});

test("an unterminated string or character recovers at a \\r line end", () => {
  const diags = new Diagnostics();
  const tokens = lex(makeSourceFile("e.ks", "var s = \"abc\rvar c = 'x\rvar d = 1"), diags);
  assert.deepEqual(diags.all.map((d) => d.code), ["E0102", "E0103"]);
  assert.ok(tokens.filter((t) => t.kind === "var").length >= 2);
});

test("line starts, columns and line texts for every line ending", () => {
  const file = makeSourceFile("e.ks", "a\nb\r\nc\rd");
  assert.deepEqual(file.lineStarts, [0, 2, 5, 7]);
  assert.deepEqual([1, 2, 3, 4].map((line) => lineText(file, line)), ["a", "b", "c", "d"]);
  assert.deepEqual(lineColumnOf(file, 7), { line: 4, column: 1 });
  assert.deepEqual(lineColumnOf(file, 3), { line: 2, column: 2 });
  const bom = makeSourceFile("e.ks", "\ufeffab");
  assert.equal(bom.text, "ab");
  assert.deepEqual(lineColumnOf(bom, 1), { line: 1, column: 2 });
});
