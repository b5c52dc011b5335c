// The formatter's layout rules as goldens: tests/cases/format/NAME.ks is formatted into
// NAME.fmt.ks (rewrite with UPDATE=1 and review the diff). Each golden is itself in the
// canonical layout: formatting it again changes nothing.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { formatSource } from "../src/compiler/index.js";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";

const casesDir = join(repoRoot, "tests", "cases", "format");

describe("format cases (tests/cases/format)", () => {
  const inputs = casesIn(casesDir, ".ks").filter((path) => !path.endsWith(".fmt.ks"));
  it("has cases", () => assert.ok(inputs.length >= 4));
  for (const path of inputs) {
    it(basename(path), () => {
      const result = formatSource(path, readFileSync(path, "utf8"));
      assert.equal(result.kind, "formatted", JSON.stringify(result));
      if (result.kind !== "formatted") return;
      const golden = path.replace(/\.ks$/, ".fmt.ks");
      expectGolden(result.text, golden);
      const again = formatSource(golden, result.text);
      assert.deepEqual(again, { kind: "formatted", text: result.text, changed: false }, "the golden is a fixed point");
    });
  }
});
