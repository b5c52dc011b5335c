// Invariants of the code base that a machine can check (rust-analyzer's "tidy"):
// the compiler core stays pure, files stay small, the embedded runtime C is current.
// The diagnostic catalogue has its own: diagnostic-catalogue.test.ts (codes, numbering,
// docs) and diagnostic-wording.test.ts (wording only in the catalogue).

import { it, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";
import { runtimeC } from "../../src/compiler/emit/userspace/runtime-c.generated.js";

const maxLinesPerFile = 800;

function sourceFiles(dir: string): string[] {
  return casesIn(join(repoRoot, dir), ".ts");
}

/** The code without comments, so prose like "no process here" is not flagged. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Lines of `text` breaking the core's purity rules, as `file:line: reason`. */
function purityViolations(file: string, text: string): string[] {
  const nodeModules = new Set(builtinModules.filter((name) => !name.startsWith("_")));
  const found: string[] = [];
  withoutComments(text)
    .split("\n")
    .forEach((line, index) => {
      const where = `${file}:${index + 1}`;
      for (const match of line.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith("node:") || nodeModules.has(specifier.split("/")[0]!)) {
          found.push(`${where}: imports \`${specifier}\``);
        }
      }
      if (/(?<![\w.$])process\./.test(line)) found.push(`${where}: uses \`process\``);
      if (/(?<![\w.$])console\./.test(line)) found.push(`${where}: uses \`console\``);
    });
  return found;
}

describe("tidy", () => {
  it("keeps src/compiler/ pure: no node: imports, no process, no console", () => {
    const violations = sourceFiles("src/compiler").flatMap((path) =>
      purityViolations(relative(repoRoot, path), readFileSync(path, "utf8")),
    );
    assert.deepEqual(violations, [], `the compiler core must run in the browser too:\n${violations.join("\n")}`);
  });

  it("the purity check itself catches what it should", () => {
    const text = [
      'import { readFileSync } from "node:fs";',
      'import path from "path";',
      "const x = process.env.HOME; // process. in a comment is fine",
      "console.log(x);",
      "/* console.log in a block comment is fine */",
      'const s = "process"; const t = myprocess.x;',
    ].join("\n");
    assert.deepEqual(purityViolations("f.ts", text), [
      "f.ts:1: imports `node:fs`",
      "f.ts:2: imports `path`",
      "f.ts:3: uses `process`",
      "f.ts:4: uses `console`",
    ]);
  });

  it(`keeps every source file under src/ at ${maxLinesPerFile} lines or fewer`, () => {
    const offenders = sourceFiles("src")
      .map((path) => ({ path: relative(repoRoot, path), lines: readFileSync(path, "utf8").split("\n").length }))
      .filter((file) => file.lines > maxLinesPerFile)
      .map((file) => `${file.path}: ${file.lines} lines`);
    assert.deepEqual(offenders, [], `split these by topic inside their directory:\n${offenders.join("\n")}`);
  });
});

describe("embedded runtime C", () => {
  it("has the loader runtime's C embedded as written (src/compiler/emit/userspace/runtime-c/*.c; `make build` embeds it)", () => {
    const dir = join(repoRoot, "src", "compiler", "emit", "userspace", "runtime-c");
    const files = [...casesIn(dir, ".c"), ...casesIn(dir, ".mk")];
    assert.ok(files.length > 0);
    const key = (file: string): string => relative(dir, file).replace(/\.c$/, "");
    assert.deepEqual(Object.keys(runtimeC).sort(), files.map(key).sort());
    for (const file of files) {
      const name = key(file) as keyof typeof runtimeC;
      assert.equal(runtimeC[name], readFileSync(file, "utf8"), `${name} differs from runtime-c.generated.ts: run \`node tools/embed-runtime-c.mjs\``);
    }
  });
});
