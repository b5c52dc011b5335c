// The formatter on inputs nested as deep as the parser allows, and far deeper: every
// construct of tests/harness/deep-inputs.ts, 100,000 deep (refused with the parser's
// diagnostics, no exception), and at the deepest level that parses (formatted,
// idempotent: the printer, the layout and the tree comparison are deep enough).

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSource } from "../../src/compiler/index.js";
import { deepConstructs } from "../harness/deep-inputs.js";

for (const construct of deepConstructs) {
  test(`fmt: ${construct.name} 100,000 deep is refused with diagnostics`, () => {
    const result = formatSource("deep.ks", construct.make(100_000));
    assert.equal(result.kind, "notParsed");
  });

  test(`fmt: ${construct.name} at the deepest level that parses is formatted and stable`, () => {
    let depth = 100;
    let result = formatSource("deep.ks", construct.make(depth));
    while (result.kind === "notParsed" && depth > 0) result = formatSource("deep.ks", construct.make(--depth));
    if (construct.name === "unclosed fn (") return; // a syntax error at every depth
    assert.equal(result.kind, "formatted", result.kind === "internalError" ? result.message : `nothing parses below ${depth + 1}`);
    assert.ok(depth >= 40, `only ${depth} levels parse`);
    if (result.kind !== "formatted") return;
    const again = formatSource("deep.ks", result.text);
    assert.deepEqual(again, { kind: "formatted", text: result.text, changed: false });
  });
}
