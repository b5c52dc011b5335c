// Invariants of the code base that a machine can check (rust-analyzer's "tidy"):
// the compiler core stays pure, files stay small, the diagnostics document and the
// catalogue agree.

import { it, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { casesIn, expectGolden, repoRoot } from "../harness/golden.js";
import { allEntries, codegen, names, safety, syntax, types } from "../../src/compiler/diagnostics/catalog/index.js";
import { currentDiagnosticsDoc, diagnosticsDocPath } from "../../tools/gen-diagnostics-doc.js";
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

describe("diagnostic catalogue", () => {
  it("gives every entry a unique, well-formed code with a title and an explanation", () => {
    const seen = new Set<string>();
    for (const entry of allEntries) {
      assert.match(entry.code, /^[EW]0[1-9]\d{2}$/, `bad code ${entry.code}`);
      assert.ok(!seen.has(entry.code), `code ${entry.code} is defined twice`);
      seen.add(entry.code);
      assert.ok(entry.title.trim() !== "", `${entry.code} has no title`);
      assert.ok(entry.explanation.trim() !== "", `${entry.code} has no explanation`);
      assert.equal(entry.severity === "warning", entry.code.startsWith("W"), `${entry.code}: W-codes are exactly the warnings`);
    }
  });

  it("keeps each range's errors in its own file", () => {
    const expectedPrefix = new Map<object, string>([
      [syntax, "E01"],
      [names, "E02"],
      [types, "E03"],
      [safety, "E04"],
      [codegen, "E05"],
    ]);
    for (const [module, prefix] of expectedPrefix) {
      for (const entry of Object.values(module) as { code: string }[]) {
        if (entry.code.startsWith("W")) continue;
        assert.ok(entry.code.startsWith(prefix), `${entry.code} is in the ${prefix}xx file`);
      }
    }
  });

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

  it(`has ${diagnosticsDocPath} up to date (regenerate with UPDATE=1 make test)`, () => {
    expectGolden(currentDiagnosticsDoc(), join(repoRoot, diagnosticsDocPath));
  });

  it("has an error case for every code", () => {
    const covered = new Set<string>();
    const errorCases = join(repoRoot, "tests", "cases", "errors");
    // Markers may also stand in headers the cases include (errors reported inside them).
    // Verifier codes (E0450–E0479) come from the kernel: their cases are programs the
    // kernel rejects (tests/cases/verifier) and stored logs (tests/cases/verifier-logs).
    const verifierCases = join(repoRoot, "tests", "cases", "verifier");
    const verifierLogs = join(repoRoot, "tests", "cases", "verifier-logs");
    for (const path of [...casesIn(errorCases, ".ks"), ...casesIn(errorCases, ".kh"), ...casesIn(verifierCases, ".ks"), ...casesIn(verifierLogs, ".log")]) {
      for (const match of readFileSync(path, "utf8").matchAll(/\/\/~\^*((?:[\s,]+[EW]\d{4})+)/g)) {
        for (const code of match[1]!.match(/[EW]\d{4}/g) ?? []) covered.add(code);
      }
    }
    // E0200 (input file not found) cannot be written as a case file with a marker; the
    // CLI tests cover it.
    const uncovered = allEntries.map((e) => e.code).filter((code) => !covered.has(code) && code !== "E0200");
    assert.deepEqual(uncovered, [], `no tests/cases/errors case marks ${uncovered.join(", ")}`);
  });
});
