// Rendering of hand-made diagnostics: the exact text people see, and the JSON tools read.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Diagnostic, Label } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile, type SourceFile, type Span } from "../../src/compiler/source.js";
import { renderDiagnostic, renderDiagnostics, renderSummary, toJson } from "../../src/compiler/diagnostics/render.js";

const counter = makeSourceFile(
  "counter.ks",
  [
    "var count: HashMap<u32, u64>", // 1
    "", // 2
    "@xdp", // 3
    "fn f(ctx: XdpContext) -> XdpAction {", // 4
    "    let ip = ctx.ingress_ifindex", // 5
    "    let a = 1", // 6
    "    let b = 2", // 7
    "    let c = 3", // 8
    "    counts[ip] += 1", // 9
    "    return XDP_PASS", // 10
    "}", // 11
    "",
  ].join("\n"),
);

function sourcesOf(...files: SourceFile[]): Map<string, SourceFile> {
  return new Map(files.map((file) => [file.path, file]));
}

/** Span of the `occurrence`-th `needle` in `file`. */
function spanOf(file: SourceFile, needle: string, occurrence = 1): Span {
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = file.text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `${needle} not in ${file.path}`);
  return { file: file.path, start: at, end: at + needle.length };
}

function diagnostic(primary: Label, extra: Partial<Diagnostic> = {}): Diagnostic {
  return {
    code: "E0301",
    severity: "error",
    message: "unknown map `counts`",
    primary,
    secondary: [],
    notes: [],
    help: undefined,
    ...extra,
  };
}

const plain = { color: false };

describe("renderDiagnostic", () => {
  it("renders a single-line label with note and help", () => {
    const d = diagnostic(
      { span: spanOf(counter, "counts"), message: "no map with this name is declared" },
      { notes: ["maps are declared at the top level with `var`"], help: "did you mean `count`?" },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(counter), plain),
      [
        "error[E0301]: unknown map `counts`",
        "  --> counter.ks:9:5",
        "   |",
        " 9 |     counts[ip] += 1",
        "   |     ^^^^^^ no map with this name is declared",
        "   |",
        "   = note: maps are declared at the top level with `var`",
        "   = help: did you mean `count`?",
        "",
      ].join("\n"),
    );
  });

  it("widens the gutter for two-digit lines and elides distant lines", () => {
    const d = diagnostic(
      { span: spanOf(counter, "XDP_PASS"), message: "here" },
      { secondary: [{ span: spanOf(counter, "XdpAction"), message: "declared return type" }] },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(counter), plain),
      [
        "error[E0301]: unknown map `counts`",
        "   --> counter.ks:10:12",
        "    |",
        "  4 | fn f(ctx: XdpContext) -> XdpAction {",
        "    |                          --------- declared return type",
        "...",
        " 10 |     return XDP_PASS",
        "    |            ^^^^^^^^ here",
        "",
      ].join("\n"),
    );
  });

  it("shows a one-line gap instead of eliding it", () => {
    const d = diagnostic(
      { span: spanOf(counter, "counts"), message: "used here" },
      { secondary: [{ span: spanOf(counter, "let c"), message: "" }, { span: spanOf(counter, "let a"), message: "first" }] },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(counter), plain),
      [
        "error[E0301]: unknown map `counts`",
        "  --> counter.ks:9:5",
        "   |",
        " 6 |     let a = 1",
        "   |     ----- first",
        " 7 |     let b = 2",
        " 8 |     let c = 3",
        "   |     -----",
        " 9 |     counts[ip] += 1",
        "   |     ^^^^^^ used here",
        "",
      ].join("\n"),
    );
  });

  it("puts several labels of one line on one marker row with hanging messages", () => {
    const d = diagnostic(
      { span: spanOf(counter, "+="), message: "cannot add to this" },
      { secondary: [{ span: spanOf(counter, "counts"), message: "this map" }, { span: spanOf(counter, "ip", 2), message: "key" }] },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(counter), plain),
      [
        "error[E0301]: unknown map `counts`",
        "  --> counter.ks:9:16",
        "   |",
        " 9 |     counts[ip] += 1",
        "   |     ------ --  ^^ cannot add to this",
        "   |     |      |",
        "   |     |      key",
        "   |     |",
        "   |     this map",
        "",
      ].join("\n"),
    );
  });

  it("gives secondary labels in another file their own --> line", () => {
    const header = makeSourceFile("lib/common.kh", "struct Event {\n    pid: u32,\n}\n");
    const d = diagnostic(
      { span: spanOf(counter, "ip", 2), message: "expected `Event`, found `u32`" },
      { code: "E0302", message: "mismatched types", secondary: [{ span: spanOf(header, "Event"), message: "`Event` is declared here" }] },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(counter, header), plain),
      [
        "error[E0302]: mismatched types",
        "  --> counter.ks:9:12",
        "   |",
        " 9 |     counts[ip] += 1",
        "   |            ^^ expected `Event`, found `u32`",
        "  --> lib/common.kh:1:8",
        "   |",
        " 1 | struct Event {",
        "   |        ----- `Event` is declared here",
        "",
      ].join("\n"),
    );
  });

  it("marks a zero-width span with one caret, also at the end of a line", () => {
    const file = makeSourceFile("semi.ks", "fn f() {\n    return 1\n");
    const endOfReturn = file.text.indexOf("1\n") + 1;
    const d = diagnostic(
      { span: { file: "semi.ks", start: endOfReturn, end: endOfReturn }, message: "expected `}`" },
      { code: "E0102", message: "unclosed block" },
    );
    assert.equal(
      renderDiagnostic(d, sourcesOf(file), plain),
      [
        "error[E0102]: unclosed block",
        "  --> semi.ks:2:13",
        "   |",
        " 2 |     return 1",
        "   |             ^ expected `}`",
        "",
      ].join("\n"),
    );
  });

  it("expands tabs so carets line up", () => {
    const file = makeSourceFile("tab.ks", "fn f() {\n\tlet x\t= y\n}\n");
    const d = diagnostic({ span: spanOf(file, "y"), message: "unknown name" }, { code: "E0201", message: "unknown name `y`" });
    assert.equal(
      renderDiagnostic(d, sourcesOf(file), plain),
      [
        "error[E0201]: unknown name `y`",
        "  --> tab.ks:2:10",
        "   |",
        " 2 |     let x    = y",
        "   |                ^ unknown name",
        "",
      ].join("\n"),
    );
  });

  it("underlines a multi-line span to the end of its first line", () => {
    const d = diagnostic(
      { span: { file: "counter.ks", start: counter.text.indexOf("fn f"), end: counter.text.indexOf("}") + 1 }, message: "this function" },
      { code: "E0401", message: "program too large", severity: "error" },
    );
    const text = renderDiagnostic(d, sourcesOf(counter), plain);
    assert.match(text, /\n 4 \| fn f\(ctx: XdpContext\) -> XdpAction \{\n   \| \^{36} this function\n/);
  });

  it("shows only the location when the file has no text (unreadable input)", () => {
    const empty = makeSourceFile("missing.ks", "");
    const d = diagnostic({ span: { file: "missing.ks", start: 0, end: 0 }, message: "" }, { code: "E0200", message: "cannot read `missing.ks`" });
    assert.equal(renderDiagnostic(d, sourcesOf(empty), plain), "error[E0200]: cannot read `missing.ks`\n  --> missing.ks:1:1\n");
  });

  it("lines up the continuation lines of a multi-line note", () => {
    const d = diagnostic({ span: spanOf(counter, "counts"), message: "" }, { notes: ["first line\nsecond line"] });
    assert.match(renderDiagnostic(d, sourcesOf(counter), plain), /\n   = note: first line\n           second line\n$/);
  });

  it("renders warnings with their own header", () => {
    const d = diagnostic({ span: spanOf(counter, "let a"), message: "never read" }, { code: "W0201", severity: "warning", message: "unused variable `a`" });
    assert.match(renderDiagnostic(d, sourcesOf(counter), plain), /^warning\[W0201\]: unused variable `a`\n/);
  });

  it("colours only when asked", () => {
    const d = diagnostic({ span: spanOf(counter, "counts"), message: "no map" });
    assert.doesNotMatch(renderDiagnostic(d, sourcesOf(counter), plain), /\u001b/);
    const coloured = renderDiagnostic(d, sourcesOf(counter), { color: true });
    assert.match(coloured, /\u001b\[1;31merror\[E0301\]/);
    assert.equal(coloured.replace(/\u001b\[[0-9;]*m/g, ""), renderDiagnostic(d, sourcesOf(counter), plain));
  });
});

describe("renderDiagnostics", () => {
  const error = diagnostic({ span: spanOf(counter, "counts"), message: "no map" });
  const warning = diagnostic({ span: spanOf(counter, "let a"), message: "" }, { code: "W0201", severity: "warning", message: "unused" });

  it("sorts by position, separates with blank lines and ends with a summary", () => {
    const text = renderDiagnostics([error, warning], sourcesOf(counter), { color: false, inputName: "counter.ks" });
    const blocks = text.split("\n\n");
    assert.equal(blocks.length, 3);
    assert.match(blocks[0]!, /^warning\[W0201\]/);
    assert.match(blocks[1]!, /^error\[E0301\]/);
    assert.equal(blocks[2], "error: could not compile `counter.ks` due to 1 previous error; 1 warning emitted\n");
  });

  it("words the summary for every mix of counts", () => {
    assert.equal(renderSummary([error, error], "a.ks", plain), "error: could not compile `a.ks` due to 2 previous errors\n");
    assert.equal(renderSummary([warning, warning], "a.ks", plain), "warning: `a.ks` generated 2 warnings\n");
    assert.equal(renderSummary([], "a.ks", plain), "");
  });
});

describe("toJson", () => {
  it("gives 1-based positions with exclusive ends, labels, notes and help", () => {
    const header = makeSourceFile("common.kh", "struct Event {}\n");
    const d = diagnostic(
      { span: spanOf(counter, "counts"), message: "no map" },
      { secondary: [{ span: spanOf(header, "Event"), message: "here" }], notes: ["n"], help: "h" },
    );
    const json = toJson([d], sourcesOf(counter, header));
    assert.deepEqual(JSON.parse(JSON.stringify(json)), {
      diagnostics: [
        {
          code: "E0301",
          severity: "error",
          message: "unknown map `counts`",
          file: "counter.ks",
          line: 9,
          column: 5,
          endLine: 9,
          endColumn: 11,
          labels: [
            { primary: true, message: "no map", file: "counter.ks", line: 9, column: 5, endLine: 9, endColumn: 11 },
            { primary: false, message: "here", file: "common.kh", line: 1, column: 8, endLine: 1, endColumn: 13 },
          ],
          notes: ["n"],
          help: "h",
        },
      ],
    });
  });

  it("uses null for a missing help", () => {
    const json = toJson([diagnostic({ span: spanOf(counter, "counts"), message: "" })], sourcesOf(counter));
    assert.equal(json.diagnostics[0]!.help, null);
  });
});
