// `kernelscript test --format json|tap` on a file with a passing, a failing and a
// printing test: stdout is the document alone (the tests' prints and the build go to
// stderr), every test has its name, result, duration, failure message and `.ks`
// location; the TAP output is checked line by line against TAP version 14's grammar.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../harness/cli.js";

const program = `var packet_counts: HashMap<u32, u64>

@xdp
fn packet_filter(ctx: XdpContext) -> XdpAction {
    if (ctx.data_end - ctx.data > 1400) {
        packet_counts[ctx.ingress_ifindex] += 1
        return XDP_DROP
    }
    return XDP_PASS
}

@test
fn drops_large_frames() {
    print("ok 99 - a print that looks like TAP")
    assert(test(packet_filter, TestRun { packet: eth_packet().ipv4().udp().pad_to(1401) }) == XDP_DROP)
}

@test
fn expects_the_wrong_verdict() {
    assert(test(packet_filter, TestRun { packet: eth_packet().ipv4().udp().pad_to(1401) }) == XDP_PASS, "tab\\there # and a hash")
}
`;

const notRoot = process.getuid?.() !== 0 ? "needs root (BPF_PROG_TEST_RUN)" : undefined;
let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-test-format-"));
  writeFileSync(join(work, "verdicts.ks"), program);
});

after(() => rmSync(work, { recursive: true, force: true }));

interface JsonTest {
  name: string;
  result: string;
  durationMs: number;
  message: string;
  location: { file: string; line: number; column: number } | null;
}

/**
 * A strict reading of TAP version 14 (testanything.org/tap-version-14-specification):
 * the version line, a plan, test points numbered from 1 with an optional directive,
 * each followed by an indented YAML block between `---` and `...`. Returns the points.
 */
function parseTap(text: string): { ok: boolean; number: number; description: string; directive: string; yaml: string[] }[] {
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", "ends with a newline");
  assert.equal(lines.shift(), "TAP version 14");
  const plan = /^1\.\.(\d+)$/.exec(lines.shift() ?? "");
  assert.ok(plan, "the plan follows the version");
  const points = [];
  while (lines.length > 0) {
    const line = lines.shift()!;
    const point = /^(ok|not ok) (\d+) - ((?:[^#\\]|\\[#\\])*?)(?: # (SKIP|TODO)(?: (.*))?)?$/.exec(line);
    assert.ok(point, `a test point: ${JSON.stringify(line)}`);
    const yaml: string[] = [];
    if (lines[0] === "  ---") {
      lines.shift();
      while (lines.length > 0 && !lines[0]!.startsWith("  ...")) {
        const entry = lines.shift();
        assert.ok(entry !== undefined && entry.startsWith("  "), `an indented YAML line: ${JSON.stringify(entry)}`);
        yaml.push(entry.slice(2));
      }
      assert.equal(lines.shift(), "  ...", "the YAML block is closed");
    }
    points.push({ ok: point[1] === "ok", number: Number(point[2]), description: point[3]!, directive: point[4] ?? "", yaml });
  }
  assert.equal(points.length, Number(plan[1]), "as many points as planned");
  points.forEach((p, i) => assert.equal(p.number, i + 1, "numbered in order"));
  return points;
}

describe("kernelscript test --format", { skip: notRoot }, () => {
  it("json: one object on stdout with every test's name, result, duration, message and location", async () => {
    const run = await runCli(["test", "verdicts.ks", "--format", "json"], { cwd: work });
    assert.equal(run.code, 1, "a test failed");
    const report = JSON.parse(run.stdout) as { file: string; tests: JsonTest[]; passed: number; failed: number; skipped: number; complete: boolean };
    assert.equal(report.file, "verdicts.ks");
    assert.deepEqual([report.passed, report.failed, report.skipped, report.complete], [1, 1, 0, true]);
    const [passing, failing] = report.tests;
    assert.equal(passing!.name, "drops_large_frames");
    assert.equal(passing!.result, "passed");
    assert.equal(passing!.message, "");
    assert.deepEqual(passing!.location, { file: "verdicts.ks", line: 12, column: 1 });
    assert.ok(passing!.durationMs > 0 && passing!.durationMs < 60_000);
    assert.equal(failing!.name, "expects_the_wrong_verdict");
    assert.equal(failing!.result, "failed");
    assert.deepEqual(failing!.location, { file: "verdicts.ks", line: 18, column: 1 });
    assert.match(failing!.message, /^verdicts\.ks:20: assertion failed: .*== XDP_PASS\n {2}tab\there # and a hash\n {2}expected XDP_PASS \(2\), got XDP_DROP \(1\)$/);
    assert.match(run.stderr, /ok 99 - a print that looks like TAP/, "the test's print went to stderr");
    assert.match(run.stderr, /^FAIL expects_the_wrong_verdict/m, "the binary's own text went to stderr");
  });

  it("tap: TAP version 14 on stdout, failures with their message and location", async () => {
    const run = await runCli(["test", "verdicts.ks", "--format", "tap"], { cwd: work });
    assert.equal(run.code, 1);
    const points = parseTap(run.stdout);
    assert.deepEqual(points.map((p) => [p.ok, p.description]), [[true, "drops_large_frames"], [false, "expects_the_wrong_verdict"]]);
    const failing = points[1]!.yaml.join("\n");
    assert.match(failing, /^duration_ms: \d+(\.\d+)?$/m);
    assert.match(failing, /^message: ".*tab\\there # and a hash\\n {2}expected XDP_PASS \(2\), got XDP_DROP \(1\)"$/m);
    assert.match(failing, /^at:\n {2}file: "verdicts\.ks"\n {2}line: 18\n {2}column: 1$/m);
    assert.doesNotMatch(run.stdout, /ok 99/, "prints stay off stdout");
  });

  it("tap: a filter runs only the matching tests, all passing", async () => {
    const run = await runCli(["test", "verdicts.ks", "--format", "tap", "--filter", "drops"], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const points = parseTap(run.stdout);
    assert.deepEqual(points.map((p) => [p.ok, p.description]), [[true, "drops_large_frames"]]);
  });

  it("rejects an unknown format as bad usage", async () => {
    const run = await runCli(["test", "verdicts.ks", "--format", "junit"], { cwd: work });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /`--format` must be one of `text`, `json`, `tap`, not `junit`/);
  });
});
