// Golden files of the generated code: for every tests/cases/emit/X.ks, X.out.txt holds
// every emitted file under a "----- name -----" header, so a reviewer sees the whole
// output of one program in one diff. The loader runtime's constant C
// (src/compiler/emit/userspace/runtime-c/NAME.c, reviewed there once) is pasted into
// every loader; a golden shows one line in its place, so it holds what this program
// made. (tests/e2e/emitted-c.test.ts compiles the full files with clang and cc;
// tests/kernel loads them into the kernel.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, join, relative as relativePath } from "node:path";
import { compile, type CompileResult, type Host } from "../src/compiler/index.js";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";
import { runtimeC } from "../src/compiler/emit/userspace/runtime-c.generated.js";
import { CWriter } from "../src/compiler/emit/c-writer.js";
import { emitVerifierTables } from "../src/compiler/emit/userspace/verifier-table.js";

/** Each runtime file as `pasteRuntimeC` writes it, and the line a golden shows instead. */
const pastedRuntime = [
  ...Object.entries(runtimeC).filter(([name]) => !name.endsWith(".mk")).map(([name, text]) => ({
    pasted: `${text.replace(/\n+$/, "")}\n\n`,
    shown: `/* runtime-c/${name}.c pasted here */\n\n`,
  })),
  // The Makefile's shared rules (emit/makefile.ts).
  { pasted: `${runtimeC["makefile.mk"].replace(/\n+$/, "")}\n`, shown: "# runtime-c/makefile.mk pasted here\n" },
  // Generated from the diagnostic catalogue, the same in every loader and test binary
  // (tests/kernel/verifier-cli.test.ts checks the explanations a loader prints).
  { pasted: verifierTablesText(), shown: "/* the verifier explanation tables (emitVerifierTables) pasted here */\n\n" },
];

function verifierTablesText(): string {
  const w = new CWriter();
  emitVerifierTables(w);
  return w.toString();
}

/** `text` with every pasted runtime file replaced by its one line; files pasted one after another share a line. */
function withRuntimeShownByName(text: string): string {
  for (const { pasted, shown } of pastedRuntime) text = text.split(pasted).join(shown);
  const marker = /\/\* (runtime-c\/[\w-]+\.c(?:, [\w-]+\.c)*|the verifier explanation tables \(emitVerifierTables\)) pasted here \*\/\n\n/;
  const run = new RegExp(`(?:${marker.source}){2,}`, "g");
  return text.replace(run, (all) => {
    const names = [...all.matchAll(new RegExp(marker.source, "g"))].map((m) => m[1]!.replace(/^runtime-c\//, ""));
    return `/* runtime-c/ pasted here: ${names.join(", ")} */\n\n`;
  });
}

interface SourceMapping { cLine: number; file: string; line: number; column: number; endLine: number; endColumn: number }

function mappingsOf(sourceMapText: string): SourceMapping[] {
  const parsed = JSON.parse(sourceMapText) as { version: number; mappings: SourceMapping[] };
  assert.equal(parsed.version, 1);
  return parsed.mappings;
}

/**
 * How a golden shows an emitted file. Everything is shown, but derived data compactly:
 * - the pasted runtime as one line per file (above);
 * - the source map (`.bpf.map.json`) with runs of C lines that map to the same span as
 *   one line, `cLines 11-16 → f.ks:3:1-3:33`: lossless, the JSON's form is checked by
 *   the test below;
 * - the loader's `ks_line_map[]` (C line → `file:line`) as its entry count: it is the
 *   source map's projection, which the test below checks for every case.
 */
function shownInGolden(path: string, text: string, sourceMap: string | undefined): string {
  if (path.endsWith(".bpf.map.json")) return sourceMapShown(text);
  const shown = withRuntimeShownByName(text);
  return sourceMap ? lineMapShown(shown, mappingsOf(sourceMap).length) : shown;
}

function sourceMapShown(text: string): string {
  const parsed = JSON.parse(text) as { version: number; source: string; mappings: SourceMapping[] };
  const span = (m: SourceMapping): string => `${m.file}:${m.line}:${m.column}-${m.endLine}:${m.endColumn}`;
  const lines = [`version ${parsed.version}, source ${parsed.source}`];
  for (let i = 0; i < parsed.mappings.length;) {
    const first = parsed.mappings[i]!;
    let j = i + 1;
    while (j < parsed.mappings.length && parsed.mappings[j]!.cLine === parsed.mappings[j - 1]!.cLine + 1 && span(parsed.mappings[j]!) === span(first)) j++;
    const last = parsed.mappings[j - 1]!;
    lines.push(`cLine${last === first ? "" : "s"} ${first.cLine}${last === first ? "" : `-${last.cLine}`} → ${span(first)}`);
    i = j;
  }
  return `${lines.join("\n")}\n`;
}

const lineMapPattern = /(static const struct \{ int c_line; const char \*origin; \} ks_line_map\[\] = \{\n)((?: {4}\{ \d+, "[^"\n]*" \},\n)*)( {4}\{ 0, NULL \},\n\};\n)/;

function lineMapShown(text: string, entries: number): string {
  return text.replace(lineMapPattern, (_all, head: string, _body: string, tail: string) =>
    `${head}    /* ${entries} entries: the .bpf.map.json's C line → file:line */\n${tail}`);
}

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
const casePaths = casesIn(caseDir, ".ks").filter((p) => !p.includes("/_"));

/**
 * A case compiled once for every test that reads it: by a path relative to the
 * repository so no absolute path leaks in, in test mode when it has `@test` functions
 * (its golden then shows NAME.test.c).
 */
const compiledCases = new Map<string, CompileResult>();
function compileCase(path: string): CompileResult {
  let result = compiledCases.get(path);
  if (!result) {
    const previous = process.cwd();
    process.chdir(repoRoot);
    try {
      result = compile(`tests/cases/emit/${basename(path)}`, nodeHost, { test: /^\s*@test\b/m.test(readFileSync(path, "utf8")) });
    } finally {
      process.chdir(previous);
    }
    compiledCases.set(path, result);
  }
  return result;
}

for (const path of casePaths) {
  test(`emit: ${basename(path)}`, () => {
    const result = compileCase(path);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], "an emit case must compile");
    const sourceMap = result.files.find((f) => f.path.endsWith(".bpf.map.json"));
    const text = result.files.map((f) => `----- ${f.path} -----\n${shownInGolden(f.path, f.text, sourceMap?.text)}`).join("\n");
    expectGolden(text, path.replace(/\.ks$/, ".out.txt"));
  });
}

test("emit goldens: a pasted runtime file is shown by name, and only where it was pasted whole", () => {
  const [first] = pastedRuntime;
  assert.ok(first, "the runtime has files");
  assert.equal(withRuntimeShownByName(`int a;\n${first.pasted}int b;\n`), `int a;\n${first.shown}int b;\n`);
  const cut = first.pasted.slice(0, -10);
  assert.equal(withRuntimeShownByName(`int a;\n${cut}`), `int a;\n${cut}`);
  const [, second] = pastedRuntime;
  assert.ok(second);
  const both = withRuntimeShownByName(`int a;\n${first.pasted}${second.pasted}int b;\n`);
  assert.match(both, /^int a;\n\/\* runtime-c\/ pasted here: [\w-]+\.c, [\w-]+\.c \*\/\n\nint b;\n$/);
});

/** The texts of the files cases read besides themselves (modules and scripts in `_` directories). */
const inputsOfCases = new Set(readdirSync(caseDir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && relativePath(caseDir, join(e.parentPath, e.name)).startsWith("_"))
  .map((e) => readFileSync(join(e.parentPath, e.name), "utf8")));

test("every emitted file says it is generated, and no path of this machine is in it", () => {
  let files = 0;
  for (const path of casePaths) {
    const name = basename(path);
    for (const file of compileCase(path).files) {
      assert.ok(!file.text.includes(repoRoot), `${name} → ${file.path}: contains ${repoRoot}`);
      // Data (the source map) has no comments; a script the program hands over to is copied as written.
      const copied = inputsOfCases.has(file.text);
      if (file.path.endsWith(".json")) assert.equal(typeof JSON.parse(file.text).source, "string");
      else if (!copied) assert.match(file.text.split("\n")[0]!, /generated by kernelscript/, `${name} → ${file.path}`);
      files++;
    }
  }
  assert.ok(files >= 200, `${files} files`);
});

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

test("emit goldens: the source map is JSON of sorted C lines, and the loader's line map is its projection", () => {
  let checked = 0;
  for (const path of casePaths) {
    const name = basename(path);
    const files = compileCase(path).files;
    const sourceMap = files.find((f) => f.path.endsWith(".bpf.map.json"));
    const loader = files.find((f) => f.path.endsWith(".c") && !f.path.endsWith(".bpf.c") && lineMapPattern.test(f.text));
    if (!sourceMap || !loader) continue;
    const mappings = mappingsOf(sourceMap.text);
    const cLines = mappings.map((m) => m.cLine);
    assert.deepEqual(cLines, [...cLines].sort((a, b) => a - b), `${name}: mappings sorted by C line`);
    const body = lineMapPattern.exec(loader.text)![2]!;
    const entries = [...body.matchAll(/\{ (\d+), "([^"]*)" \}/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(entries, mappings.map((m) => `${m.cLine} ${m.file}:${m.line}`), `${name}: ks_line_map = the source map's lines`);
    checked++;
  }
  assert.ok(checked >= 40, `checked ${checked} cases`);
});

test("emit goldens: the compact source map shows runs of C lines and every span", () => {
  const mapping = (cLine: number, line: number) => ({ cLine, file: "a.ks", line, column: 1, endLine: line, endColumn: 9 });
  const text = JSON.stringify({ version: 1, source: "a.ks", mappings: [mapping(3, 1), mapping(4, 1), mapping(5, 2), mapping(7, 2)] });
  assert.equal(sourceMapShown(text), "version 1, source a.ks\ncLines 3-4 → a.ks:1:1-1:9\ncLine 5 → a.ks:2:1-2:9\ncLine 7 → a.ks:2:1-2:9\n");
});
