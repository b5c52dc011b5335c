// The language server's conversions (src/lsp/positions.ts): core diagnostics as LSP
// diagnostics (code, range, the label, help and notes in the message, secondary labels as
// related locations in their own files) and offsets as line/character positions.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DiagnosticSeverity } from "vscode-languageserver";
import { diagnose, makeSourceFile } from "../../src/compiler/index.js";
import { positionOf, rangeOf, toLspDiagnostic, uriOf } from "../../src/lsp/positions.js";

describe("LSP conversions", () => {
  it("turns a diagnostic with a secondary label into one with related information", () => {
    const files: Record<string, string> = {
      "/w/main.ks": 'include "defs.kh"\nvar Pair: hash<u32, u64>(4)\n@xdp fn prog(ctx: *xdp_md) -> xdp_action {\n    return XDP_PASS\n}\n',
      "/w/defs.kh": "var Pair: hash<u32, u32>(8)\n",
    };
    const result = diagnose("/w/main.ks", { readFile: (path) => files[path] });
    const duplicate = result.diagnostics.find((d) => d.code === "E0203");
    assert.ok(duplicate, result.diagnostics.map((d) => d.code).join(", "));
    const converted = toLspDiagnostic(duplicate, result.sources);
    assert.ok(converted);
    assert.equal(converted.code, "E0203");
    assert.equal(converted.severity, DiagnosticSeverity.Error);
    assert.equal(converted.source, "kernelscript");
    assert.deepEqual(converted.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 8 } });
    assert.match(String(converted.message), /^`Pair` is already defined\ndefined again here\nhelp: rename one of them$/);
    assert.deepEqual(converted.relatedInformation, [{
      location: { uri: uriOf("/w/defs.kh"), range: { start: { line: 0, character: 4 }, end: { line: 0, character: 8 } } },
      message: "first defined here",
    }]);
  });

  it("counts positions in UTF-16 code units and lines at \\n, \\r\\n and \\r", () => {
    const file = makeSourceFile("x.ks", "a\r\nb\rc😀d\ne");
    assert.deepEqual(positionOf(file, 0), { line: 0, character: 0 });
    assert.deepEqual(positionOf(file, 3), { line: 1, character: 0 });
    assert.deepEqual(positionOf(file, 5), { line: 2, character: 0 });
    assert.deepEqual(positionOf(file, 8), { line: 2, character: 3 }, "the emoji is two code units");
    assert.deepEqual(rangeOf(file, { file: "x.ks", start: 10, end: 11 }), { start: { line: 3, character: 0 }, end: { line: 3, character: 1 } });
  });
});
