// Error cases: every `tests/cases/errors/**/*.ks` is checked by the CLI's own command
// code, run in-process (tests/harness/cli.ts, runCliInProcess: hundreds of process
// starts were most of this file's time); one case also goes through the real binary.
//
// For each case: exit code 1 (0 when only warnings are marked), no stack trace, stderr equal to the `.diag.txt` golden
// beside it (`UPDATE=1 make test` rewrites goldens), and the `//~ CODE` markers agree
// with the reported diagnostics (see tests/harness/errors.ts). Files whose name starts
// with `_` are helpers included or imported by cases, not cases themselves.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";
import { hasStackTrace, runCli, runCliInProcess } from "./harness/cli.js";
import { compareWithMarkers, parseMarkers, type ExpectedDiagnostic, type ReportedDiagnostic } from "./harness/errors.js";

const casesDir = join(repoRoot, "tests", "cases", "errors");
const cases = casesIn(casesDir, ".ks").filter((path) => !basename(path).startsWith("_"));

interface JsonOutput {
  readonly diagnostics: readonly ReportedDiagnostic[];
}

describe("error cases (tests/cases/errors)", { concurrency: Math.max(2, availableParallelism()) }, () => {
  if (cases.length === 0) {
    it("has cases to run", { skip: "no tests/cases/errors/*.ks files yet" }, () => {});
  }
  for (const path of cases) {
    it(relative(casesDir, path), async () => {
      const cwd = dirname(path);
      const file = basename(path);
      // `// check-args: --test` in a case adds flags to `kernelscript check` (test mode).
      const extra = /^\/\/ check-args: (.*)$/m.exec(readFileSync(path, "utf8"))?.[1]?.split("//~")[0]?.trim().split(" ") ?? [];
      // `// check-env: NAME=value` sets the environment (e.g. `BTF=none`: no kernel BTF).
      // tracefs is never read (a golden must not depend on whether it is mounted): the
      // kernel is seen through its BTF, as `KS_TRACEFS` pointing at nothing makes it.
      const env: Record<string, string> = { KS_TRACEFS: "/nonexistent/tracefs" };
      for (const [, name, value] of readFileSync(path, "utf8").matchAll(/^\/\/ check-env: (\w+)=(\S*)/gm)) env[name!] = value!;
      const [text, json] = await Promise.all([
        runCliInProcess(["check", ...extra, file], { cwd, env }),
        runCliInProcess(["check", ...extra, file, "--format", "json"], { cwd, env }),
      ]);
      for (const run of [text, json]) {
        assert.ok(!hasStackTrace(run.stderr), `stack trace in the output:\n${run.stderr}`);
        assert.notEqual(run.code, 70, `internal compiler error:\n${run.stderr}`);
      }

      const reported = json.code <= 1 ? (JSON.parse(json.stdout) as JsonOutput).diagnostics : [];
      const markerFiles = new Set([file, ...reported.map((d) => d.file)]);
      const expected: ExpectedDiagnostic[] = [];
      for (const markerFile of markerFiles) {
        let source: string;
        try {
          source = readFileSync(join(cwd, markerFile), "utf8");
        } catch {
          continue; // e.g. a missing include: nothing to read markers from
        }
        expected.push(...parseMarkers(markerFile, source));
      }
      assert.ok(expected.length > 0, `${file} has no \`//~ CODE\` markers; mark each offending line`);

      // A case with only warnings marked compiles: exit 0. Any marked error: exit 1.
      const expectedCode = expected.some((marker) => marker.code.startsWith("E")) ? 1 : 0;
      const output = `${text.stderr}${text.stdout}`;
      assert.equal(text.code, expectedCode, `\`kernelscript check ${file}\` should exit ${expectedCode}; it exited ${text.code}:\n${output}`);
      assert.equal(json.code, expectedCode, `\`check --format json\` should exit ${expectedCode} too; it exited ${json.code}:\n${json.stderr}`);

      const problems = compareWithMarkers(expected, reported);
      assert.ok(problems.length === 0, `${problems.join("\n")}\n\nwhat the CLI printed:\n${text.stderr}`);

      expectGolden(text.stderr, path.replace(/\.ks$/, ".diag.txt"));
    });
  }

  const errorCase = cases.find((path) => /\/\/~\^*\s+E\d{4}/.test(readFileSync(path, "utf8")));
  it("prints the JSON format as one object with positions", { skip: !errorCase && "no error cases yet" }, async () => {
    const path = errorCase!;
    const run = await runCli(["check", basename(path), "--format", "json"], { cwd: dirname(path) });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as { diagnostics: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(report), ["diagnostics"]);
    assert.ok(report.diagnostics.length > 0);
    for (const diagnostic of report.diagnostics) {
      assert.deepEqual(Object.keys(diagnostic).sort(), [
        "code", "column", "endColumn", "endLine", "file", "help", "labels", "line", "message", "notes", "severity",
      ]);
      assert.match(String(diagnostic["code"]), /^[EW]\d{4}$/);
      assert.equal(typeof diagnostic["line"], "number");
      assert.ok(Array.isArray(diagnostic["labels"]) && diagnostic["labels"].length >= 1);
    }
    assert.equal(run.stderr, "", "JSON mode keeps stderr empty");
    // The real binary prints what the in-process runs compared with the golden.
    const text = await runCli(["check", basename(path)], { cwd: dirname(path), env: { KS_TRACEFS: "/nonexistent/tracefs" } });
    assert.equal(text.code, 1);
    assert.equal(text.stderr, readFileSync(path.replace(/\.ks$/, ".diag.txt"), "utf8"));
  });
});

describe("marker harness", () => {
  it("parses one or more codes, commas and carets", () => {
    const text = ["let a = 1 //~ E0301", "let b = 2", "x //~ E0302, W0201", "//~^ E0401", "no marker here"].join("\n");
    assert.deepEqual(parseMarkers("a.ks", text), [
      { file: "a.ks", line: 1, code: "E0301" },
      { file: "a.ks", line: 3, code: "E0302" },
      { file: "a.ks", line: 3, code: "W0201" },
      { file: "a.ks", line: 3, code: "E0401" },
    ]);
  });

  it("rejects a malformed marker instead of ignoring it", () => {
    assert.throws(() => parseMarkers("a.ks", "x //~ error here"), /a\.ks:1: malformed marker/);
  });

  const error = (line: number, code: string): ReportedDiagnostic => ({ file: "a.ks", line, code, severity: "error", message: "m" });

  it("accepts a report that matches the markers exactly", () => {
    assert.deepEqual(compareWithMarkers([{ file: "a.ks", line: 2, code: "E0301" }], [error(2, "E0301")]), []);
  });

  it("reports a marked code that was not reported, and where it went", () => {
    assert.deepEqual(compareWithMarkers([{ file: "a.ks", line: 2, code: "E0301" }], [error(3, "E0301")]), [
      "a.ks:2: expected E0301, but it was not reported on this line (it was reported at a.ks:3)",
      'a.ks:3: unexpected E0301 "m" (if it is right, end the line with `//~ E0301`)',
    ]);
  });

  it("reports an unmarked error, also a different code on a marked line", () => {
    const problems = compareWithMarkers([{ file: "a.ks", line: 2, code: "E0301" }], [error(2, "E0301"), error(2, "E0302")]);
    assert.deepEqual(problems, ['a.ks:2: unexpected E0302 "m" (if it is right, end the line with `//~ E0302`)']);
  });

  it("allows unmarked warnings but requires marked ones", () => {
    const warning: ReportedDiagnostic = { file: "a.ks", line: 5, code: "W0201", severity: "warning", message: "w" };
    assert.deepEqual(compareWithMarkers([], [warning]), []);
    assert.equal(compareWithMarkers([{ file: "a.ks", line: 6, code: "W0201" }], [warning]).length, 1);
  });
});
