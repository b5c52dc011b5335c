// Golden cases for the front end: every `tests/cases/parse/**/*.ks` is parsed and its
// AST dump, followed by any diagnostics, is compared with the `.ast.txt` beside it.

import assert from "node:assert/strict";
import { verbatimDir } from "../src/runner/verbatim.js";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";
import { parse } from "../src/compiler/parse/parser.js";
import { printAst } from "../src/compiler/debug/print-ast.js";
import { Diagnostics, sortDiagnostics } from "../src/compiler/diagnostics/diagnostic.js";
import { lineColumnOf, makeSourceFile } from "../src/compiler/source.js";

const casesDir = join(repoRoot, "tests/cases/parse");

export function renderParse(path: string, text: string): string {
  const file = makeSourceFile(path, text);
  const diags = new Diagnostics();
  const ast = parse(file, diags);
  const lines = sortDiagnostics(diags.all).map((d) => {
    const at = lineColumnOf(file, d.primary.span.start);
    return `${d.severity}[${d.code}] ${at.line}:${at.column} ${d.message}`;
  });
  return printAst(ast, file) + (lines.length > 0 ? lines.join("\n") + "\n" : "");
}

for (const path of casesIn(casesDir, ".ks")) {
  const name = relative(casesDir, path);
  test(`parse ${name}`, () => {
    const output = renderParse(name, readFileSync(path, "utf8"));
    expectGolden(output, path.replace(/\.ks$/, ".ast.txt"));
  });
}

// The reference implementation's 43 examples, verbatim, beside the repository (their text
// is not ours: ../shared/upstream/examples, src/runner/verbatim.ts): each one parses
// without diagnostics. The whole pipeline on them is tests/upstream-verbatim.test.ts.
const referenceDir = verbatimDir;
const referenceFiles = [...casesIn(referenceDir, ".ks"), ...casesIn(referenceDir, ".kh")];
test("reference examples parse without diagnostics", () => {
  // Missing examples are a failure, as in tests/upstream-verbatim.test.ts, never a skip.
  assert.ok(referenceFiles.length >= 43, `the reference examples are missing from ${referenceDir}`);
  const failures: string[] = [];
  for (const path of referenceFiles) {
    const output = renderParse(relative(referenceDir, path), readFileSync(path, "utf8"));
    const errors = output.split("\n").filter((line) => line.startsWith("error["));
    if (errors.length > 0) failures.push(`${relative(referenceDir, path)}: ${errors.join("; ")}`);
  }
  if (failures.length > 0) throw new Error(failures.join("\n"));
});
