// The test suite's build cache (tests/harness/build-cache.ts): a second build of the
// same generated files restores the first one's outputs and make output without running
// anything; other make arguments are another build; a failed build is not kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";
import { buildCached, testVmlinuxHeader } from "../harness/build-cache.js";

const skip = buildSkipReason();

/** The seed sketch's generated files in a fresh directory, with a comment that makes them unlike any other test's. */
function generated(marker: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ks-build-cache-"));
  compileToDirectory(join(repoRoot, "examples", "seed_packet_filter.ks"), dir);
  const c = join(dir, "seed_packet_filter.bpf.c");
  writeFileSync(c, `// build-cache test ${marker}\n${readFileSync(c, "utf8")}`);
  return dir;
}

/** Runs `body` with no program reachable through PATH: any make, clang or cc it starts fails. */
function withoutTools<T>(body: () => T): T {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    return body();
  } finally {
    process.env.PATH = path;
  }
}

test("a second build of the same files restores the first one's outputs and make output without running make", { skip: skip ?? false }, () => {
  const marker = `${process.pid}-${Date.now()}`;
  const first = generated(marker);
  const second = generated(marker);
  try {
    const built = buildCached(first, { werror: true, vmlinuxHeader: testVmlinuxHeader() });
    assert.ok(built.ok, built.stderr);
    const restored = withoutTools(() => buildCached(second, { werror: true, vmlinuxHeader: testVmlinuxHeader() }));
    assert.ok(restored.ok, restored.stderr);
    assert.equal(restored.stdout, built.stdout);
    assert.match(restored.stdout, /clang .*-Werror/);
    assert.deepEqual(readdirSync(second).sort(), readdirSync(first).sort());
    for (const output of [built.bpfObject, built.skeleton, built.binary]) {
      const name = output.slice(first.length + 1);
      assert.ok(readFileSync(join(second, name)).equals(readFileSync(output)), `${name} is the first build's`);
    }
    // Other make arguments are another build: without tools it fails.
    const other = generated(marker);
    try {
      const otherArgs = withoutTools(() => buildCached(other, { werror: true, vmlinuxHeader: testVmlinuxHeader(), makeArgs: ["ARGS=-h"] }));
      assert.equal(otherArgs.ok, false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  } finally {
    rmSync(first, { recursive: true, force: true });
    rmSync(second, { recursive: true, force: true });
  }
});

test("a failed build is not kept: the next identical build runs make again and fails the same way", { skip: skip ?? false }, () => {
  const marker = `broken-${process.pid}-${Date.now()}`;
  const dirs = [generated(marker), generated(marker)];
  try {
    const results = dirs.map((dir) => {
      const c = join(dir, "seed_packet_filter.bpf.c");
      writeFileSync(c, `${readFileSync(c, "utf8")}\nint this_does_not_compile = ;\n`);
      return buildCached(dir, { werror: true, vmlinuxHeader: testVmlinuxHeader() });
    });
    for (const result of results) {
      assert.equal(result.ok, false);
      assert.match(result.stderr, /seed_packet_filter\.bpf\.c:\d+:\d+: error: expected expression/);
    }
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});
