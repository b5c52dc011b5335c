// ARCHITECTURE.md, "Invariants": passes are functions from one data type to the next;
// none changes its input. The AST is frozen (deeply) before checking and lowering, the
// IR before analysis and emission, for every example and case of the repository: an
// assignment to a frozen object throws in a module (strict mode), so a pass that
// mutates what it reads fails here.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile, type SourceFile } from "../../src/compiler/source.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { check } from "../../src/compiler/check/checker.js";
import { lower } from "../../src/compiler/lower/lower.js";
import { analyze } from "../../src/compiler/analyze/index.js";
import { emit } from "../../src/compiler/emit/index.js";
import { casesIn, diskHost, repoRoot } from "../harness/golden.js";

function deepFreeze<T>(value: T, seen = new Set<unknown>()): T {
  if (value === null || typeof value !== "object" || seen.has(value)) return value;
  seen.add(value);
  // Maps and Sets the IR may hold are frozen as objects; their entries are visited.
  if (value instanceof Map) for (const [k, v] of value) { deepFreeze(k, seen); deepFreeze(v, seen); }
  else if (value instanceof Set) for (const v of value) deepFreeze(v, seen);
  else for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  return Object.freeze(value);
}


const sources = [
  ...casesIn(join(repoRoot, "examples"), ".ks"),
  ...casesIn(join(repoRoot, "tests", "cases", "emit"), ".ks").filter((p) => !p.includes("/_")),
];

test("no pass changes its input: AST frozen through check and lower, IR through analyze and emit", () => {
  let compiled = 0;
  for (const path of sources) {
    const name = relative(repoRoot, path);
    const source: SourceFile = makeSourceFile(path, readFileSync(path, "utf8"));
    const diags = new Diagnostics(false);
    const ast = deepFreeze(parse(source, diags));
    if (diags.hasErrors()) continue;
    const semantics = check(ast, { host: diskHost, sources: new Map([[path, source]]), diags, kernelFacts: "warning" });
    if (diags.hasErrors()) continue;
    const ir = deepFreeze(lower(semantics, "frozen", true));
    analyze(ir, diags);
    if (diags.hasErrors()) continue;
    assert.doesNotThrow(() => emit(ir, new Map([[path, source]]), { makefile: true, test: false }), name);
    compiled++;
  }
  assert.ok(compiled >= 60, `compiled ${compiled} of ${sources.length} sources`);
});

test("a frozen tree refuses a write, deep inside too (what the test above relies on)", () => {
  const tree = deepFreeze({ kind: "Block", statements: [{ kind: "BreakStmt", span: { start: 0, end: 5 } }] });
  assert.throws(() => { (tree.statements[0]!.span as { start: number }).start = 1; }, TypeError);
  assert.throws(() => { (tree.statements as unknown[]).push(1); }, TypeError);
});
