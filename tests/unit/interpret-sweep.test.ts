// The interpreter on every program the compiler's own cases and the tour contain, and on
// constructs nested up to the language's limit (tests/harness/deep-inputs.ts): each run
// ends — pass, a test failure, or a skip with E0700 — and never with an internal error
// (E0703) or an exception: no input makes it crash.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { interpretTests, lowerForTests, lowerModule, runProgram } from "../../src/compiler/index.js";
import { NodeHost } from "../../src/cli/node-host.js";
import { repoRoot } from "../harness/golden.js";
import { deepConstructs } from "../harness/deep-inputs.js";
import { memoryHost } from "../harness/interpret.js";

const testable = new Set(["xdp", "tc", "socket_filter", "cgroup_skb", "flow_dissector", "netfilter", "raw_tracepoint"]);

function sweep(dir: string): string[] {
  const problems: string[] = [];
  const host = new NodeHost(repoRoot);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ks")).sort()) {
    const path = join(dir, file);
    const { ir } = lowerModule(path, host, { makefile: false });
    if (!ir) continue;
    for (const p of ir.programs.filter((p) => testable.has(p.programType))) {
      const run = runProgram(ir, p.name, {}, { stepLimit: 1_000_000 });
      if (run.diagnostics.some((d) => d.code === "E0703")) problems.push(`${file} ${p.name}: ${run.message}`);
    }
    if ((ir.testFunctions ?? []).length > 0) {
      const tests = lowerForTests(path, host);
      if (!tests.ir) continue;
      const report = interpretTests(tests.ir, tests.result.sources, { stepLimit: 1_000_000 });
      for (const d of report.diagnostics.filter((d) => d.code === "E0703")) problems.push(`${file}: ${d.message}`);
    }
  }
  return problems;
}

describe("interpreter: every program of the cases and the tour", () => {
  it("runs the emit cases without an internal error", () => {
    assert.deepEqual(sweep(join(repoRoot, "tests", "cases", "emit")), []);
  });

  it("runs the tour without an internal error", () => {
    assert.deepEqual(sweep(join(repoRoot, "examples")), []);
  });

  it("runs constructs nested 90 deep without crashing", () => {
    for (const construct of deepConstructs) {
      const path = "/deep/deep.ks";
      const text = construct.make(90);
      const { ir } = lowerModule(path, memoryHost(path, text), { makefile: false });
      if (!ir) continue;
      for (const p of ir.programs.filter((p) => testable.has(p.programType))) {
        const run = runProgram(ir, p.name, {}, { stepLimit: 1_000_000 });
        assert.ok(["ok", "fail", "skip"].includes(run.status), construct.name);
        assert.ok(!run.diagnostics.some((d) => d.code === "E0703"), `${construct.name}: ${run.message}`);
      }
    }
  });
});
