// The docs' own tests run in the kernel: every complete program (`ks`) of
// docs/language/*.md that has `@test` functions is written out with the files of its
// page (`ks file=…`, `python file=…`) and run with `kernelscript test`; each of its tests
// must pass. (tests/unit/docs-code-blocks.test.ts compiles every block; this file shows
// that what the testing page and the others promise also happens.)

import assert from "node:assert/strict";
import { test } from "node:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runCli } from "../harness/cli.js";
import { codeBlocksOf, docPages, kindOf } from "../harness/doc-blocks.js";
import { kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("docs-code-blocks.test", kernelSkipReason());
// Built with -Werror like every other emitted program.
const env = { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };

interface TestedBlock { readonly where: string; readonly text: string; readonly files: ReadonlyMap<string, string>; readonly tests: string[] }

function testedBlocks(): TestedBlock[] {
  const found: TestedBlock[] = [];
  for (const page of docPages()) {
    const blocks = codeBlocksOf(page, readFileSync(join(repoRoot, page), "utf8"));
    const files = new Map<string, string>();
    for (const block of blocks) {
      const kind = kindOf(block.info);
      if (typeof kind !== "string" && kind.kind === "file") files.set(kind.path.replace(/^\.\//, ""), block.text);
    }
    for (const block of blocks) {
      const kind = kindOf(block.info);
      if (typeof kind === "string" || kind.kind !== "program" || kind.errors.length > 0) continue;
      const tests = [...block.text.matchAll(/^@test\s*\nfn (\w+)/gm)].map((m) => m[1]!);
      if (tests.length > 0) found.push({ where: `${block.page}:${block.line}`, text: block.text, files, tests });
    }
  }
  return found;
}

const blocks = testedBlocks();

test("docs: the guide has programs with @test functions to run", () => {
  assert.ok(blocks.length >= 4, `found ${blocks.map((b) => b.where).join(", ")}`);
});

for (const block of blocks) {
  kernelTest(`${block.where}: every @test of the docs' program passes in the kernel`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "ks-docs-"));
    try {
      for (const [path, text] of block.files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      writeFileSync(join(dir, "doc.ks"), block.text);
      const run = await runCli(["test", "doc.ks", "-o", join(dir, "out")], { cwd: dir, env });
      assert.equal(run.code, 0, `kernelscript test (${block.where}) exited ${run.code}:\n${run.stdout}${run.stderr}`);
      const lines = run.stdout.replace(/ {2}\(\d+\.\d+ ms\)/g, "").trim().split("\n");
      assert.deepEqual(lines.slice(0, block.tests.length), block.tests.map((name) => `ok   ${name}`));
      assert.equal(lines.at(-1), `${block.tests.length} passed, 0 failed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
