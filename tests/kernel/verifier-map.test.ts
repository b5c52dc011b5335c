// Verifier rejections explained on the `.ks` line. Each `tests/cases/verifier/*.ks`
// passes the compiler's own checks (through escape hatches: `extern` helpers, casts,
// pointer arithmetic) and is rejected by the kernel; the test loads it with
// `verifyBuiltObject`, asserts the code and `.ks` line of its `//~` marker and the
// catalogue's explanation, and compares the rendered diagnostic with `NAME.diag.txt`
// (`UPDATE=1` rewrites it; instruction numbers depend on clang and the kernel).

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { verifyBuiltObject } from "../../src/runner/verify.js";
import { allEntries, lineColumnOf, renderDiagnostics } from "../../src/compiler/index.js";
import { verifierPatterns } from "../../src/compiler/verifier/index.js";
import { casesIn, expectGolden } from "../harness/golden.js";
import { parseMarkers } from "../harness/errors.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { buildForKernel, compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("verifier-map.test", kernelSkipReason());
const casesDir = join(repoRoot, "tests", "cases", "verifier");

for (const ksPath of casesIn(casesDir, ".ks")) {
  const label = ksPath.slice(repoRoot.length + 1);
  const [marker, ...extra] = parseMarkers(label, readFileSync(ksPath, "utf8"));
  kernelTest(`${label}: the kernel's rejection is explained on line ${marker?.line}`, () => {
    assert.ok(marker && extra.length === 0, "each case marks exactly one line");
    const build = compileAndBuild(ksPath);
    const logDir = mkdtempSync(join(tmpdir(), "ks-vm-logs-"));
    try {
      const result = verifyBuiltObject({ object: build.bpfObject, sourceDir: casesDir, logDir });
      assert.equal(result.diagnostics.length, 1, `one rejected program; got ${result.programs.map((p) => `${p.name}:${p.loaded}`).join(", ")}`);
      const d = result.diagnostics[0]!;
      const source = [...result.sources.values()].find((s) => s.path === d.primary.span.file);
      assert.ok(source, "the diagnostic points into the case file");
      assert.equal(d.code, marker.code, d.message);
      assert.equal(lineColumnOf(source, d.primary.span.start).line, marker.line, "the .ks line of the failing instruction");
      const entry = verifierPatterns.find((p) => p.entry.code === d.code)?.entry ?? allEntries.find((e) => e.code === d.code);
      if (d.code === "E0469") {
        // Names the kfunc and its module instead of the generic summary.
        assert.match(d.message, /calls kfunc `\w+` of kernel module `\w+_kfuncs`, which is not loaded$/);
        assert.ok(result.programs.every((p) => p.loaded || p.refused), "stopped at the boundary, not an error of the program");
      } else {
        assert.ok(entry && "summary" in entry && d.message.endsWith(String(entry.summary)), "the catalogue's plain explanation");
      }
      assert.ok(d.help && d.help.length > 20, "a help line");
      const rejected = result.programs.find((p) => !p.loaded)!;
      assert.ok(rejected.logPath && readFileSync(rejected.logPath, "utf8").length > 0, "the full log is in a file");
      assert.ok(d.notes.some((n) => n === `full verifier log: ${rejected.logPath}`), "the log's path is a note");
      const rendered = renderDiagnostics(result.diagnostics, result.sources, { color: false })
        .replaceAll(logDir, "<logs>")
        .replaceAll(`${repoRoot}/`, "");
      expectGolden(rendered, ksPath.replace(/\.ks$/, ".diag.txt"));
    } finally {
      rmSync(logDir, { recursive: true, force: true });
      build.cleanup();
    }
  });
}

// Every struct_ops method rejected (here: the license section edited to a non-GPL one
// after compiling, which the compiler itself refuses as E0491): each rejection is
// reported, and verify-load does not crash on the attempt with none of them left.
kernelTest("an object whose struct_ops methods are all rejected is reported method by method", () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-vm-ops-"));
  const logDir = join(dir, "logs");
  try {
    compileToDirectory(join(repoRoot, "tests", "kernel", "fixtures", "sigterm_cc.ks"), dir);
    const cPath = join(dir, "sigterm_cc.bpf.c");
    const c = readFileSync(cPath, "utf8");
    assert.match(c, /SEC\("license"\) = "GPL"/);
    writeFileSync(cPath, c.replace('SEC("license") = "GPL"', 'SEC("license") = "MIT"'));
    const build = buildForKernel(dir);
    assert.ok(build.ok, build.stderr);
    mkdirSync(logDir);
    const result = verifyBuiltObject({ object: build.bpfObject, sourceDir: join(repoRoot, "tests", "kernel", "fixtures"), logDir });
    assert.ok(result.programs.length >= 2, "the fixture has several methods");
    for (const p of result.programs) {
      assert.equal(p.loaded, false, p.name);
      assert.match(readFileSync(p.logPath!, "utf8"), /struct ops programs must have a GPL compatible license/);
    }
    assert.equal(result.diagnostics.length, result.programs.length);
    assert.ok(result.diagnostics.every((d) => d.code === "E0459"), result.diagnostics.map((d) => d.code).join(", "));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
