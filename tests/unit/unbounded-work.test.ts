// Unbounded work (issue 11, item 9): what an input costs grows with its size, and what
// the compiler prints is bounded. Speed itself is measured in bench/ (no timing here);
// the `timeout`s below only turn the former hangs (quadratic or worse) into failures, with
// a margin of tens over what the fixed compiler needs on a loaded machine.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, type CompileResult } from "../../src/compiler/pipeline.js";
import { renderDiagnostics } from "../../src/compiler/diagnostics/render.js";
import { Diagnostics, defineError, defineWarning } from "../../src/compiler/diagnostics/diagnostic.js";
import { closestName } from "../../src/compiler/suggest.js";
import { maxDiagnosticsPerCode, maxDiagnosticsPerSeverity, maxDiagnosticTextLength, maxSnippetWidth } from "../../src/compiler/limits.js";

function compileText(text: string): CompileResult {
  return compile("w.ks", { readFile: (path) => (path === "w.ks" ? text : undefined) });
}

function rendered(result: CompileResult): string {
  return renderDiagnostics(result.diagnostics, result.sources, { color: false, inputName: "w.ks" });
}

const program = (body: string): string => `@xdp\nfn p(ctx: *xdp_md) -> xdp_action {\n${body}\n  return XDP_PASS\n}\n`;

test("30,000 `var`s in one function: linear (the reference analysis copied its scope per declaration)", { timeout: 120_000 }, () => {
  const body = Array.from({ length: 30_000 }, (_, i) => `  var v${i}: u8 = ${i % 200}\n  v${i} += 1`).join("\n");
  const result = compileText(program(body));
  // Every variable is unused (W0201) and together they overflow the stack (E0402).
  const unused = result.diagnostics.filter((d) => d.code === "W0201");
  assert.equal(unused.length, maxDiagnosticsPerCode);
  assert.match(unused[unused.length - 1]!.notes.join("\n"), /^29980 more W0201 warnings are not shown$/m);
  assert.ok(result.diagnostics.some((d) => d.code === "E0402"));
});

test("a 256 KB undefined identifier: no suggestion computed, a short message", () => {
  const name = "q".repeat(256 * 1024);
  const result = compileText(program(`  var a = ${name}\n  a += 1`));
  const unknown = result.diagnostics.find((d) => d.code === "E0201");
  assert.ok(unknown);
  assert.ok(unknown.message.length <= maxDiagnosticTextLength);
  assert.ok((unknown.help ?? "").length <= maxDiagnosticTextLength);
  assert.ok(rendered(result).length < 2000, `${rendered(result).length} bytes`);
});

test("did you mean: a 256 KB name against a 256 KB candidate one letter off is not compared", { timeout: 60_000 }, () => {
  const name = "q".repeat(256 * 1024);
  assert.equal(closestName(name, [`${name.slice(1)}x`, "counts"]), undefined);
  // Short names still get their suggestion, and length alone rules out far candidates.
  assert.equal(closestName("conuts", ["counts", "c".repeat(100_000)]), "counts");
});

test("a line of 8,000 `$` is one diagnostic and a short snippet (it was 8,000 diagnostics, 97 MB)", () => {
  const result = compileText(program("$".repeat(8000)));
  assert.deepEqual(result.diagnostics.map((d) => d.code), ["E0101"]);
  assert.match(result.diagnostics[0]!.message, /unexpected character `\$` and 7999 more after it/);
  assert.ok(rendered(result).length < 1000, `${rendered(result).length} bytes`);
});

test("a line of 4,000 `$` between spaces: 20 diagnostics and a count of the rest", () => {
  const result = compileText(program("$ ".repeat(4000)));
  assert.equal(result.diagnostics.length, maxDiagnosticsPerCode);
  assert.match(result.diagnostics[maxDiagnosticsPerCode - 1]!.notes.join("\n"), /3980 more E0101 errors are not shown/);
  assert.ok(rendered(result).length < 20 * maxDiagnosticsPerCode * 20, `${rendered(result).length} bytes`);
});

test("a 1 MB line of stray characters does not exhaust the heap", () => {
  const result = compileText(program("$".repeat(1_000_000)));
  assert.equal(result.diagnostics.length, 1);
  assert.ok(rendered(result).length < 1000);
});

test("a snippet of a long line is a window around the carets, cut with ...", () => {
  // Comments around the `$`, so that it is the only error on the line.
  const line = `/* ${"a ".repeat(50_000)}*/ $ // ${" b".repeat(50_000)}`;
  const result = compileText(program(line));
  const text = rendered(result);
  const rows = text.split("\n");
  const sourceRow = rows.find((r) => r.startsWith(" 3 |"))!;
  const caretRow = rows[rows.indexOf(sourceRow) + 1]!;
  assert.ok(sourceRow.length <= maxSnippetWidth + 20, `${sourceRow.length} columns`);
  assert.ok(sourceRow.includes("...") && sourceRow.endsWith("..."));
  // The caret stands under the `$`.
  assert.equal(sourceRow[caretRow.indexOf("^")], "$");
});

test("the collector keeps errors countable past the limits", () => {
  const error = defineError("E9999", "test", "test", (n: number) => ({ message: `error ${n}` }));
  const warning = defineWarning("W9999", "test", "test", (n: number) => ({ message: `warning ${n}` }));
  const diags = new Diagnostics();
  const at = (i: number) => ({ file: "w.ks", start: i, end: i + 1 });
  for (let i = 0; i < 2 * maxDiagnosticsPerSeverity; i++) diags.report(warning, at(i), i);
  assert.equal(diags.hasErrors(), false);
  for (let i = 0; i < 1000; i++) diags.report(error, at(i), i);
  assert.equal(diags.hasErrors(), true);
  assert.equal(diags.errorCount, 1000);
  assert.equal(diags.all.filter((d) => d.severity === "error").length, maxDiagnosticsPerCode);
  assert.equal(diags.all.filter((d) => d.severity === "warning").length, maxDiagnosticsPerCode);
  const lastError = diags.all.filter((d) => d.code === "E9999").pop()!;
  assert.deepEqual(lastError.notes, [`${1000 - maxDiagnosticsPerCode} more E9999 errors are not shown`]);
});
