// No input, however deep, may crash a stage (issue 11, item 8). Syntax nests at most
// `maxNesting` levels (E0121, one diagnostic at the construct that crosses the limit,
// the rest skipped without recursion), so every later pass, all of them recursive, sees
// a tree of bounded height. Each construct is fed through the whole pipeline in-process
// (parse → check → lower → analyze → emit) 100,000 deep and right at the limit; the
// sizes the issue reported as crashes are fed too. Nesting of types through declarations
// (struct chains, aliases) is the checker's part: tests/unit/type-nesting.test.ts.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, type CompileResult } from "../../src/compiler/pipeline.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { maxNesting } from "../../src/compiler/limits.js";
import { deepConstructs } from "../harness/deep-inputs.js";

function compileText(text: string): CompileResult {
  return compile("deep.ks", { readFile: (path) => (path === "deep.ks" ? text : undefined) });
}

function codes(result: CompileResult): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

function parseErrors(text: string): string[] {
  const diags = new Diagnostics();
  parse(makeSourceFile("deep.ks", text), diags);
  return diags.all.filter((d) => d.severity === "error").map((d) => d.code);
}

/** The deepest `n` whose program has no E0121 (the limit is monotonic in n). */
function deepestAccepted(make: (n: number) => string): number {
  let low = 0;
  let high = maxNesting * 3;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (parseErrors(make(mid)).includes("E0121")) high = mid - 1;
    else low = mid;
  }
  return low;
}

for (const construct of deepConstructs) {
  test(`${construct.name}: 100,000 deep is one E0121 and nothing else, through the whole pipeline`, () => {
    const result = compileText(construct.make(100_000));
    if (construct.name === "unclosed fn (") {
      // Already a syntax error at its first line; the depth is not reported on top of it.
      assert.equal(codes(result).length, 1, JSON.stringify(codes(result)));
      return;
    }
    assert.deepEqual(codes(result), ["E0121"]);
    for (const d of result.diagnostics) {
      assert.ok(d.primary.span.start >= 0 && d.primary.span.end >= d.primary.span.start, `${d.code} has a valid span`);
    }
  });

  test(`${construct.name}: right at the limit goes through every stage without an exception`, () => {
    const deepest = deepestAccepted(construct.make);
    if (construct.name !== "unclosed fn (") {
      // The limit counts real levels: the program's own wrapping costs only a few.
      assert.ok(deepest >= maxNesting / 2 - 3, `only ${deepest} levels accepted`);
      assert.ok(deepest <= maxNesting, `${deepest} levels accepted`);
      assert.ok(parseErrors(construct.make(deepest + 1)).includes("E0121"));
    }
    const result = compileText(construct.make(deepest));
    assert.ok(!codes(result).includes("E0121"));
  });
}

// The sizes at which the issue saw "Maximum call stack size exceeded".
const reported: readonly [string, number][] = [
  ["blocks", 860], ["for range", 860], ["if", 920], ["right-nested sums", 940], ["flat sum", 1870],
  ["match statements", 1020], ["nested calls", 1160], ["pointer types", 8000], ["unclosed fn (", 1400],
  ["parentheses", 20_000],
];
for (const [name, size] of reported) {
  test(`${name} ${size} deep (as reported in issue 11) is a diagnostic, not a crash`, () => {
    const construct = deepConstructs.find((c) => c.name === name)!;
    const result = compileText(construct.make(size));
    assert.equal(codes(result).length, 1, JSON.stringify(codes(result)));
  });
}
