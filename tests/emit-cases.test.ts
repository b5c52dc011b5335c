// Golden files of the generated code: for every tests/cases/emit/X.ks, X.out.txt holds
// every emitted file under a "----- name -----" header, so a reviewer sees the whole
// output of one program in one diff. (tests/e2e/emitted-c.test.ts compiles the same
// files with clang and cc; tests/kernel loads them into the kernel.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compile, type Host } from "../src/compiler/index.js";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";

const nodeHost: Host = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

const caseDir = join(repoRoot, "tests", "cases", "emit");

// Files under a `_` directory are modules imported by cases, not cases.
for (const path of casesIn(caseDir, ".ks").filter((p) => !p.includes("/_"))) {
  test(`emit: ${basename(path)}`, () => {
    // Compile by a path relative to the case directory so no absolute path leaks in.
    const relative = `tests/cases/emit/${basename(path)}`;
    const previous = process.cwd();
    process.chdir(repoRoot);
    try {
      // A case with `@test` functions is compiled in test mode (its golden shows NAME.test.c).
      const result = compile(relative, nodeHost, { test: /^\s*@test\b/m.test(readFileSync(path, "utf8")) });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], "an emit case must compile");
      const text = result.files.map((f) => `----- ${f.path} -----\n${f.text}`).join("\n");
      expectGolden(text, path.replace(/\.ks$/, ".out.txt"));
    } finally {
      process.chdir(previous);
    }
  });
}

test("emitting twice gives the same bytes", () => {
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const first = compile("tests/cases/emit/map-kinds-and-flags.ks", nodeHost).files;
    const second = compile("tests/cases/emit/map-kinds-and-flags.ks", nodeHost).files;
    assert.deepEqual(second, first);
    assert.ok(first.length >= 4);
  } finally {
    process.chdir(previous);
  }
});
