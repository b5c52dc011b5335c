//! `kernelscript test --format json|tap`: the test binary's report (`NAME.test --report
//! PATH`, one line per test: STATUS TAB NAME TAB MS TAB MESSAGE, written by
//! test-runtime.c's `ks_test_report_result`) with each test's `.ks` location, as one
//! JSON object or as TAP version 14. Only these go to stdout; the binary's own text
//! (and the tests' prints) go to stderr.

import { lineColumnOf, type CompileResult, type SourceSet } from "../compiler/index.js";

type Semantics = NonNullable<CompileResult["semantics"]>;

export type TestOutcome = "passed" | "failed" | "skipped";

export interface TestRecord {
  readonly name: string;
  readonly result: TestOutcome;
  readonly durationMs: number;
  /** The failure (assertion, message, values) or the reason for a skip; "" when passed. */
  readonly message: string;
  readonly location: { readonly file: string; readonly line: number; readonly column: number } | null;
}

export interface TestReport {
  readonly file: string;
  readonly tests: readonly TestRecord[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** The test binary stopped before reporting every test (it crashed, or the object did not load). */
  readonly complete: boolean;
}

const outcomes: Readonly<Record<string, TestOutcome>> = { ok: "passed", fail: "failed", skip: "skipped" };

function unescape(text: string): string {
  return text.replace(/\\([\\tn])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : "\\"));
}

/** Where each `@test` function is declared, by name. */
function testLocations(semantics: Semantics | undefined, sources: SourceSet): Map<string, TestRecord["location"]> {
  const locations = new Map<string, TestRecord["location"]>();
  for (const fn of semantics?.functions ?? []) {
    if (fn.role.kind !== "test") continue;
    const source = sources.get(fn.span.file);
    if (!source) continue;
    const { line, column } = lineColumnOf(source, fn.span.start);
    locations.set(fn.name, { file: fn.span.file, line, column });
  }
  return locations;
}

/**
 * The report file's lines as records. `expected`: how many tests should have run (after
 * the filter), so that a binary that stopped early is said to be incomplete.
 */
export function readTestReport(
  file: string, text: string, semantics: Semantics | undefined, sources: SourceSet, expected: number,
): TestReport {
  const locations = testLocations(semantics, sources);
  const tests: TestRecord[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [status = "", name = "", ms = "0", message = ""] = line.split("\t");
    const result = outcomes[status];
    if (result === undefined) continue;
    const testName = unescape(name);
    tests.push({ name: testName, result, durationMs: Number(ms), message: unescape(message), location: locations.get(testName) ?? null });
  }
  const count = (result: TestOutcome): number => tests.filter((t) => t.result === result).length;
  return { file, tests, passed: count("passed"), failed: count("failed"), skipped: count("skipped"), complete: tests.length >= expected };
}

/** How many `@test` functions run under `filter` (a substring of the name, as the binary applies it). */
export function selectedTests(semantics: Semantics | undefined, filter: string | undefined): number {
  return (semantics?.functions ?? []).filter((fn) => fn.role.kind === "test" && (filter === undefined || fn.name.includes(filter))).length;
}

export function reportAsJson(report: TestReport): string {
  return JSON.stringify(report, null, 2) + "\n";
}

/** A YAML scalar for TAP's diagnostic block: JSON strings and numbers are YAML. */
function yaml(value: string | number): string {
  return JSON.stringify(value);
}

/** TAP has no escape in a description: `#` would start a directive, a newline a new line. */
function description(name: string): string {
  return name.replace(/[#\\]/g, (c) => `\\${c}`).replace(/\n/g, " ");
}

export function reportAsTap(report: TestReport): string {
  const lines = ["TAP version 14", `1..${report.tests.length}`];
  report.tests.forEach((test, i) => {
    const number = i + 1;
    const title = `${number} - ${description(test.name)}`;
    if (test.result === "skipped") lines.push(`ok ${title} # SKIP ${test.message.replace(/\n/g, " ")}`);
    else lines.push(`${test.result === "passed" ? "ok" : "not ok"} ${title}`);
    lines.push("  ---", `  duration_ms: ${yaml(test.durationMs)}`);
    if (test.result === "failed") lines.push(`  message: ${yaml(test.message)}`);
    if (test.location) {
      lines.push("  at:", `    file: ${yaml(test.location.file)}`, `    line: ${test.location.line}`, `    column: ${test.location.column}`);
    }
    lines.push("  ...");
  });
  if (!report.complete) lines.push("Bail out! the test binary stopped before every test had run (its output is on stderr)");
  return lines.join("\n") + "\n";
}
