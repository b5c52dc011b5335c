// The error flow's facts (check/error-facts.ts) are recorded while the checker checks a
// body; a file with errors gets them from a walk of each tree after checking instead.
// Both must give the same answers: every file of the repository (examples, test cases,
// kernel fixtures, the reference's examples) is checked both ways and the diagnostics,
// the functions an error can leave and the origins of each `throw` are compared. A
// fact the recorder misses or invents (an uncaught throw, a try that catches nothing,
// an unreachable statement) shows up as a difference.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Diagnostics, type Diagnostic } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile, type SourceFile } from "../../src/compiler/source.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { check } from "../../src/compiler/check/checker.js";
import { casesIn, diskHost, repoRoot } from "../harness/golden.js";


const sources = [
  ...casesIn(join(repoRoot, "examples"), ".ks"),
  ...casesIn(join(repoRoot, "tests", "cases"), ".ks"),
  ...casesIn(join(repoRoot, "tests", "kernel", "fixtures"), ".ks"),
  ...casesIn(join(repoRoot, "..", "shared", "upstream", "examples"), ".ks"),
];

function diagnosticLine(d: Diagnostic): string {
  const { file, start, end } = d.primary.span;
  return `${d.code} ${file}:${start}-${end} ${d.message} | ${d.secondary.map((l) => `${l.span.start}-${l.span.end}`).join(",")} | ${d.notes.join(" / ")}`;
}

/** What the error flow decides for one file, checked with facts from `from`. */
function errorFlowOf(path: string, text: string, from: "checking" | "walk"): { diagnostics: string[]; throwing: string[]; origins: string[] } | undefined {
  const source: SourceFile = makeSourceFile(path, text);
  const diags = new Diagnostics(false);
  const ast = parse(source, diags);
  if (diags.hasErrors()) return undefined;
  const semantics = check(ast, { host: diskHost, sources: new Map([[path, source]]), diags, kernelFacts: "warning", errorFactsFrom: from });
  return {
    diagnostics: diags.all.map(diagnosticLine),
    throwing: [...semantics.errorFlow.throwing].map((f) => f.name).sort(),
    origins: [...semantics.errorFlow.throwOrigins].map(([stmt, origin]) => `${stmt.span.start}: ${origin}`).sort(),
  };
}

test("the error flow is the same with facts recorded while checking and walked after", () => {
  let compared = 0;
  let throwing = 0;
  for (const path of sources) {
    const text = readFileSync(path, "utf8");
    const recorded = errorFlowOf(path, text, "checking");
    if (!recorded) continue;
    assert.deepEqual(recorded, errorFlowOf(path, text, "walk"), relative(repoRoot, path));
    compared++;
    if (recorded.throwing.length > 0) throwing++;
  }
  // The corpus holds files with throwing functions (not only files without errors).
  assert.ok(compared > 300, `${compared} files compared`);
  assert.ok(throwing > 5, `${throwing} files with functions an error can leave`);
});
