// `kernelscript fmt` over every .ks we have: examples/, tests/cases/ and the reference
// implementation's examples (../shared/upstream/examples, when present). For each file
// that parses: formatting succeeds (the core's own check found the same tree and the
// same comments), is idempotent, keeps every comment (counted here by the lexer, apart
// from the core), and the tree of the result equals the tree of the input (compared here
// again). examples/ must already be formatted (they were, with this formatter).
//
// Which files may fail to parse is decided without the formatter: a case in
// tests/cases/parse/ whose golden shows an `error[`, or a file whose `//~` markers name a
// code of the lexer or the parser (E01xx, and the duration-literal codes the lexer
// reports). A file outside that list that does not parse fails the test, and so does a
// listed one that parses.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { formatSource } from "../src/compiler/index.js";
import { firstDifference } from "../src/compiler/format/ast-equal.js";
import { lex } from "../src/compiler/parse/lexer.js";
import { parse } from "../src/compiler/parse/parser.js";
import { Diagnostics } from "../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../src/compiler/source.js";
import { durationTooLarge, unknownDurationUnit } from "../src/compiler/diagnostics/catalog/types-runtime.js";
import { casesIn, repoRoot } from "./harness/golden.js";

const upstreamExamples = join(repoRoot, "..", "shared", "upstream", "examples");
const lexerCodes = new Set([durationTooLarge.code, unknownDurationUnit.code]);

function expectedNotToParse(path: string, text: string): boolean {
  const golden = path.replace(/\.ks$/, ".ast.txt");
  if (path.includes("/tests/cases/parse/") && existsSync(golden)) return readFileSync(golden, "utf8").includes("error[");
  const marked = [...text.matchAll(/\/\/~\s*([EW]\d{4})/g)].map((m) => m[1]!);
  return marked.some((code) => /^E\d1\d\d$/.test(code) || lexerCodes.has(code));
}

function commentTexts(path: string, text: string): string[] {
  return lex(makeSourceFile(path, text), new Diagnostics()).flatMap((t) => t.leadingComments.map((c) => c.text.trim()));
}

function tree(path: string, text: string): unknown {
  return parse(makeSourceFile(path, text), new Diagnostics());
}

const files = [
  ...casesIn(join(repoRoot, "examples"), ".ks"),
  ...casesIn(join(repoRoot, "tests", "cases"), ".ks"),
  ...casesIn(upstreamExamples, ".ks"),
];

describe("fmt over every .ks file: idempotent, same tree, every comment kept", () => {
  it("finds the corpus", () => assert.ok(files.length > 600, `${files.length} files`));
  it("formats each file", () => {
    const problems: string[] = [];
    let formatted = 0;
    for (const path of files) {
      const name = relative(repoRoot, path);
      const text = readFileSync(path, "utf8");
      const result = formatSource(path, text);
      const shouldFail = expectedNotToParse(path, text);
      if (result.kind === "notParsed") {
        if (!shouldFail) problems.push(`${name}: does not parse (${result.diagnostics[0]?.code})`);
        continue;
      }
      if (shouldFail) problems.push(`${name}: parses, but its markers or golden say it has syntax errors`);
      if (result.kind === "internalError") {
        problems.push(`${name}: ${result.message}`);
        continue;
      }
      formatted++;
      const again = formatSource(path, result.text);
      if (again.kind !== "formatted" || again.changed) problems.push(`${name}: not idempotent`);
      const difference = firstDifference(tree(path, text), tree(path, result.text));
      if (difference !== undefined) problems.push(`${name}: the tree differs at ${difference}`);
      const before = commentTexts(path, text);
      const after = commentTexts(path, result.text);
      if (before.length !== after.length) problems.push(`${name}: ${before.length} comments became ${after.length}`);
      if (name.startsWith("examples/") && result.changed) problems.push(`${name}: not formatted (run kernelscript fmt on it)`);
    }
    assert.deepEqual(problems, []);
    assert.ok(formatted > 600, `${formatted} files formatted`);
  });
});
