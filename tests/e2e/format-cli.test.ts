// `kernelscript fmt` through the real bin/kernelscript: in place (only changed files are
// written, modes kept, no temporary left), `--check` (lists, exit 1, writes nothing),
// `--stdin`, several files at once with one that has syntax errors, usage errors.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, hasStackTrace, runCli } from "../harness/cli.js";
import { seedSketch } from "../harness/seed-sketch.js";

/** The seed sketch in the canonical layout. */
const seedFormatted = `var packet_counts: HashMap<u32, u64>
@xdp
fn packet_filter(ctx: XdpContext) -> XdpAction {
    let size = ctx.data_end - ctx.data
    if (size > 1400) {
        packet_counts[ctx.ingress_ifindex] += 1
        return XDP_DROP
    }
    return XDP_PASS
}
`;
const syntaxError = "fn broken( {\n";

let work: string;
const path = (name: string): string => join(work, name);
const past = new Date("2020-01-01T00:00:00Z");

/** Writes the three inputs afresh, dated in the past so a rewrite shows in the mtime. */
function writeInputs(): void {
  writeFileSync(path("seed.ks"), seedSketch);
  writeFileSync(path("tidy.ks"), seedFormatted);
  writeFileSync(path("bad.ks"), syntaxError);
  for (const name of ["seed.ks", "tidy.ks", "bad.ks"]) utimesSync(path(name), past, past);
}

const untouched = (name: string): boolean => statSync(path(name)).mtimeMs === past.getTime();

function fmtStdin(input: string, ...flags: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [cliPath, "fmt", "--stdin", ...flags], { input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-fmt-test-"));
});

after(() => rmSync(work, { recursive: true, force: true }));

describe("kernelscript fmt", () => {
  it("--check lists the files that would change, exits 1 and writes nothing", async () => {
    writeInputs();
    const run = await runCli(["fmt", "--check", "seed.ks", "tidy.ks"], { cwd: work });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, "seed.ks\n");
    assert.equal(readFileSync(path("seed.ks"), "utf8"), seedSketch);
    assert.ok(untouched("seed.ks") && untouched("tidy.ks"));
    const clean = await runCli(["fmt", "--check", "tidy.ks"], { cwd: work });
    assert.deepEqual([clean.code, clean.stdout, clean.stderr], [0, "", ""]);
  });

  it("formats several files in place; one with syntax errors is reported and left alone, the others are still formatted", async () => {
    writeInputs();
    chmodSync(path("seed.ks"), 0o640);
    const run = await runCli(["fmt", "seed.ks", "bad.ks", "tidy.ks"], { cwd: work });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /error\[E01\d\d\]/);
    assert.match(run.stderr, /--> bad\.ks:1:/);
    assert.ok(!hasStackTrace(run.stderr));
    assert.equal(readFileSync(path("seed.ks"), "utf8"), seedFormatted);
    assert.equal(statSync(path("seed.ks")).mode & 0o777, 0o640, "the file's mode is kept");
    assert.equal(readFileSync(path("bad.ks"), "utf8"), syntaxError);
    assert.ok(untouched("bad.ks") && untouched("tidy.ks"), "files that do not change are not written");
    assert.deepEqual(readdirSync(work).sort(), ["bad.ks", "seed.ks", "tidy.ks"], "no temporary file is left");
    const again = await runCli(["fmt", "--check", "seed.ks", "tidy.ks"], { cwd: work });
    assert.deepEqual([again.code, again.stdout], [0, ""]);
  });

  it("in place without errors exits 0", async () => {
    writeInputs();
    const run = await runCli(["fmt", "seed.ks", "tidy.ks"], { cwd: work });
    assert.deepEqual([run.code, run.stdout, run.stderr], [0, "", ""]);
    assert.equal(readFileSync(path("seed.ks"), "utf8"), seedFormatted);
  });

  it("--stdin writes the formatted text to stdout", () => {
    assert.deepEqual(fmtStdin(seedSketch), { code: 0, stdout: seedFormatted, stderr: "" });
    assert.deepEqual(fmtStdin(seedFormatted, "--check"), { code: 0, stdout: "", stderr: "" });
    assert.deepEqual(fmtStdin(seedSketch, "--check"), { code: 1, stdout: "<stdin>\n", stderr: "" });
    const bad = fmtStdin(syntaxError);
    assert.equal(bad.code, 1);
    assert.equal(bad.stdout, "");
    assert.match(bad.stderr, /--> <stdin>:1:/);
  });

  it("a missing file is an error (exit 1) and the other files are still formatted", async () => {
    writeInputs();
    const run = await runCli(["fmt", "missing.ks", "seed.ks"], { cwd: work });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot read `missing\.ks`/);
    assert.equal(readFileSync(path("seed.ks"), "utf8"), seedFormatted);
  });

  it("usage errors exit 2: no file, or files with --stdin", async () => {
    for (const args of [["fmt"], ["fmt", "--check"], ["fmt", "--stdin", "seed.ks"]]) {
      const run = await runCli(args, { cwd: work });
      assert.equal(run.code, 2, args.join(" "));
      assert.match(run.stderr, /^Usage: kernelscript fmt \[FILE…\] \[--check\] \[--stdin\]$/m);
    }
  });
});
