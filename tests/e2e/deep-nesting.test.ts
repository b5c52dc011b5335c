// Nesting limits end to end (issue 11): 20,000 levels of each bracket and block kind
// through the real CLI give exactly one diagnostic and exit code 1 (they were internal
// errors, exit 70); and each construct right at the limit (`maxNesting`, see
// src/compiler/limits.ts), when it is a valid program, compiles with clang -Werror: the
// limit is chosen so that the emitted C stays within clang's 256 nested brackets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compile } from "../../src/compiler/pipeline.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { maxNesting } from "../../src/compiler/limits.js";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";
import { deepConstructs } from "../harness/deep-inputs.js";
import { hasStackTrace, runCli } from "../harness/cli.js";

for (const construct of deepConstructs.filter((c) => c.bracketOrBlock)) {
  test(`kernelscript check: ${construct.name} 20,000 deep is one diagnostic and exit 1`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ks-deep-"));
    try {
      const path = join(dir, "deep.ks");
      writeFileSync(path, construct.make(20_000));
      const run = await runCli(["check", path, "--format", "json"]);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(!hasStackTrace(run.stdout + run.stderr));
      const report = JSON.parse(run.stdout) as { diagnostics: { code: string }[] };
      assert.deepEqual(report.diagnostics.map((d) => d.code), ["E0121"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** The deepest `n` the parser accepts for a construct. */
function deepestAccepted(make: (n: number) => string): number {
  let low = 0;
  let high = maxNesting * 3;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    const diags = new Diagnostics();
    parse(makeSourceFile("deep.ks", make(mid)), diags);
    if (diags.all.some((d) => d.code === "E0121")) high = mid - 1;
    else low = mid;
  }
  return low;
}

const skip = buildSkipReason();

for (const construct of deepConstructs) {
  test(`${construct.name} at the nesting limit: the eBPF C compiles with clang -Werror`, { skip: skip ?? false }, (t) => {
    const text = construct.make(deepestAccepted(construct.make));
    const result = compile("deep.ks", { readFile: (path) => (path === "deep.ks" ? text : undefined) });
    if (result.files.length === 0) {
      // Deep, but not a valid program for other reasons (a stack over 512 bytes, a `while`
      // without a proven end …): those are diagnostics, checked in tests/unit/deep-nesting.
      t.diagnostic(`not a valid program at the limit: ${result.diagnostics.find((d) => d.severity === "error")?.code}`);
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), "ks-deep-c-"));
    try {
      for (const file of result.files) writeFileSync(join(dir, file.path), file.text);
      const build = buildCached(dir, { werror: true, vmlinuxHeader: testVmlinuxHeader(), makeArgs: ["deep.bpf.o"] });
      assert.ok(build.ok, `clang failed:\n${build.stdout}\n${build.stderr}`.slice(0, 4000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
