// The diagnostic catalogue (src/compiler/diagnostics/catalog/) as a tidy check: every
// code well formed, unique and documented; numbered by the scheme of
// src/compiler/diagnostics/code-scheme.ts (the file that defines a code owns its range);
// docs/diagnostics.md generated from it; an error case for every code. That the wording
// lives only in the catalogue is diagnostic-wording.test.ts.

import { it, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { casesIn, expectGolden, repoRoot } from "../harness/golden.js";
import { allEntries, entriesByFile } from "../../src/compiler/diagnostics/catalog/index.js";
import { areaAllows, codeAreas, codeParts, type CodeArea } from "../../src/compiler/diagnostics/code-scheme.js";
import { currentDiagnosticsDoc, diagnosticsDocPath } from "../../tools/gen-diagnostics-doc.js";

/** Codes of `files` (file name → codes) that the scheme does not give to their file. */
function misplacedCodes(files: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const [file, codes] of files) {
    const area = codeAreas.find((a) => a.file === file);
    if (!area) {
      found.push(`${file}: not in codeAreas (give it a range in src/compiler/diagnostics/code-scheme.ts)`);
      continue;
    }
    for (const code of codes) if (!areaAllows(area, code)) found.push(`${file}: ${code} is outside its ranges`);
  }
  return found;
}

describe("diagnostic catalogue", () => {
  it("gives every entry a unique, well-formed code with a title and an explanation", () => {
    const seen = new Set<string>();
    for (const entry of allEntries) {
      assert.ok(codeParts(entry.code), `bad code ${entry.code} (a letter, a block digit, three digits from 100)`);
      assert.ok(!seen.has(entry.code), `code ${entry.code} is defined twice`);
      seen.add(entry.code);
      assert.ok(entry.title.trim() !== "", `${entry.code} has no title`);
      assert.ok(entry.explanation.trim() !== "", `${entry.code} has no explanation`);
      assert.equal(entry.severity === "warning", entry.code.startsWith("W"), `${entry.code}: W-codes are exactly the warnings`);
    }
  });

  it("lists every entry under exactly one catalogue file", () => {
    const listed = [...entriesByFile.values()].flat();
    assert.equal(new Set(listed).size, listed.length, "an entry is listed under two files");
    assert.deepEqual(new Set(listed), new Set(allEntries));
  });

  it("numbers codes by the scheme: each file defines only codes of its ranges (src/compiler/diagnostics/code-scheme.ts)", () => {
    const files = new Map([...entriesByFile].map(([file, entries]) => [file, entries.map((e) => e.code)]));
    const found = misplacedCodes(files);
    assert.deepEqual(found, [], `give these codes from their file's range (docs/diagnostics.md, "How codes are numbered"):\n${found.join("\n")}`);
    // Each file of codeAreas exists, so the scheme names no file that is gone.
    for (const area of codeAreas) assert.ok(entriesByFile.has(area.file), `codeAreas names ${area.file}, which the catalogue lacks`);
  });

  it("the numbering check itself refuses what it should", () => {
    const files = new Map<string, readonly string[]>([
      ["types.ts", ["E0301", "E1300", "E9399", "W0300", "W1301", "E0401", "W0230", "E0300x"]],
      ["names.ts", ["E0201", "W0201", "W0250", "W0210", "W0260"]],
      ["safety.ts", ["E0470", "E0450", "E1450", "W0262", "W0263"]],
      ["new-area.ts", ["E0701"]],
    ]);
    assert.deepEqual(misplacedCodes(files), [
      "types.ts: E0401 is outside its ranges",
      "types.ts: W0230 is outside its ranges",
      "types.ts: E0300x is outside its ranges",
      // W0210 belongs to types-features.ts, W0260 to compatibility.ts.
      "names.ts: W0210 is outside its ranges",
      "names.ts: W0260 is outside its ranges",
      // E0450–E0469 are the verifier's (in every block); W0263 is compatibility.ts's.
      "safety.ts: E0450 is outside its ranges",
      "safety.ts: E1450 is outside its ranges",
      "safety.ts: W0263 is outside its ranges",
      "new-area.ts: not in codeAreas (give it a range in src/compiler/diagnostics/code-scheme.ts)",
    ]);
  });

  it("gives the ranges of one area to one file each, apart from files that split an area by topic", () => {
    // Ranges overlap only between files listed here as sharing them.
    const shared = new Set([
      "types.ts+types-features.ts", "types.ts+types-kernel-interfaces.ts", "types-features.ts+types-kernel-interfaces.ts",
      "types.ts+types-runtime.ts", "types-features.ts+types-runtime.ts", "types-kernel-interfaces.ts+types-runtime.ts",
      "names.ts+names-modules.ts", "safety.ts+safety-references.ts",
      "types.ts+types-tracing.ts", "types-features.ts+types-tracing.ts", "types-kernel-interfaces.ts+types-tracing.ts",
      "types-runtime.ts+types-tracing.ts",
      "types.ts+types-redirect-maps.ts", "types-features.ts+types-redirect-maps.ts", "types-kernel-interfaces.ts+types-redirect-maps.ts",
      "types-runtime.ts+types-redirect-maps.ts", "types-tracing.ts+types-redirect-maps.ts",
      "types.ts+types-cgroup-programs.ts", "types-features.ts+types-cgroup-programs.ts", "types-kernel-interfaces.ts+types-cgroup-programs.ts",
      "types-runtime.ts+types-tracing.ts", "types-runtime.ts+types-cgroup-programs.ts", "types-tracing.ts+types-cgroup-programs.ts",
      "types-redirect-maps.ts+types-cgroup-programs.ts",
      "types.ts+types-modules.ts", "types-features.ts+types-modules.ts", "types-kernel-interfaces.ts+types-modules.ts", "types-runtime.ts+types-modules.ts",
      "types-tracing.ts+types-modules.ts", "types-redirect-maps.ts+types-modules.ts", "types-cgroup-programs.ts+types-modules.ts",
    ]);
    const overlaps = (a: CodeArea, b: CodeArea): boolean =>
      a.ranges.some(([f1, l1]) => b.ranges.some(([f2, l2]) => f1 <= l2 && f2 <= l1));
    for (const [i, a] of codeAreas.entries()) {
      for (const b of codeAreas.slice(i + 1)) {
        if (overlaps(a, b)) assert.ok(shared.has(`${a.file}+${b.file}`), `${a.file} and ${b.file} share codes`);
      }
    }
  });

  it(`has ${diagnosticsDocPath} up to date (regenerate with node build/tools/gen-diagnostics-doc.js)`, () => {
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
    // Interpreter codes (E0700–E0749) come from running tests without a kernel: their cases
    // are tests/cases/interpret, checked by tests/unit/interpret-robustness.test.ts.
    const interpretCases = join(repoRoot, "tests", "cases", "interpret");
    for (const path of [...casesIn(errorCases, ".ks"), ...casesIn(errorCases, ".kh"), ...casesIn(verifierCases, ".ks"), ...casesIn(verifierLogs, ".log"), ...casesIn(interpretCases, ".ks")]) {
      for (const match of readFileSync(path, "utf8").matchAll(/\/\/~\^*((?:[\s,]+[EW]\d{4})+)/g)) {
        for (const code of match[1]!.match(/[EW]\d{4}/g) ?? []) covered.add(code);
      }
    }
    // E0200 (input file not found) cannot be written as a case file with a marker; the
    // CLI tests cover it.
    // The deployment area (E0800–E0849, W0800–W0849) is reported by `kernelscript package`
    // alone, never by `check`, which the error cases run: tests/unit/package-manifests.test.ts
    // reports each of them on its program.
    const packageOnly = (code: string) => /^[EW]0(8[0-4]\d)$/.test(code);
    const uncovered = allEntries.map((e) => e.code).filter((code) => !covered.has(code) && code !== "E0200" && !packageOnly(code));
    assert.deepEqual(uncovered, [], `no tests/cases/errors case marks ${uncovered.join(", ")}`);
  });
});
