// A second `kernelscript build` of the same directory does only what changed
// (src/cli/incremental-build.ts): vmlinux.h comes from the cache, unchanged sources keep
// their products, a changed source is compiled again, and other compilers or flags from
// the environment, or no cache at all, mean a full build.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliRun } from "../harness/cli.js";
import { seedSketch } from "../harness/seed-sketch.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";

const toolchainMissing = buildSkipReason();

let work: string;
let cache: string;

function build(env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runCli(["build", "seed.ks", "-o", "D", "--no-kernel-check"], { cwd: work, env: { KS_CACHE_DIR: cache, ...env } });
}

/** The commands make ran (its echoed recipe lines), by the tool they start with. */
function ran(run: CliRun, tool: string): boolean {
  return run.stdout.split("\n").some((line) => line.trimStart().startsWith(`${tool} `));
}

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-build-incremental-"));
  cache = join(work, ".cache");
  writeFileSync(join(work, "seed.ks"), seedSketch);
});

after(() => rmSync(work, { recursive: true, force: true }));

describe("build: a second build", { timeout: 300_000 }, () => {
  it("dumps vmlinux.h into the cache once, then builds nothing that did not change", async (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    const first = await build();
    assert.equal(first.code, 0, first.stderr);
    assert.ok(ran(first, "clang") && ran(first, "cc"), first.stdout);
    assert.ok(!ran(first, "bpftool btf dump"), "vmlinux.h came from the cache, not from make");
    const keys = readdirSync(join(cache, "vmlinux"));
    assert.equal(keys.length, 1);
    assert.equal(readFileSync(join(work, "D", "vmlinux.h"), "utf8"), readFileSync(join(cache, "vmlinux", keys[0]!, "vmlinux.h"), "utf8"));
    const object = readFileSync(join(work, "D", "seed.bpf.o"));

    const second = await build();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Nothing to be done/);
    assert.ok(!ran(second, "clang") && !ran(second, "cc"), second.stdout);
    assert.deepEqual(readFileSync(join(work, "D", "seed.bpf.o")), object);
  });

  it("compiles again what a changed source feeds", async (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    writeFileSync(join(work, "seed.ks"), seedSketch.replace("1400", "1300"));
    const run = await build();
    assert.equal(run.code, 0, run.stderr);
    assert.ok(ran(run, "clang"), `the eBPF C changed: ${run.stdout}`);
    assert.match(readFileSync(join(work, "D", "seed.bpf.c"), "utf8"), /1300/);
    const again = await build();
    assert.match(again.stdout, /Nothing to be done/);
  });

  it("builds everything with other flags from the environment, or without a cache", async (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    const flags = await build({ CFLAGS: "-DKS_TEST_FLAG=1" });
    assert.equal(flags.code, 0, flags.stderr);
    assert.ok(ran(flags, "clang") && ran(flags, "cc"), flags.stdout);
    const uncached = await build({ KS_CACHE_DIR: "" });
    assert.equal(uncached.code, 0, uncached.stderr);
    assert.ok(ran(uncached, "bpftool btf dump") && ran(uncached, "clang") && ran(uncached, "cc"), uncached.stdout);
  });
});
