// The nesting matrix in the kernel (tests/harness/nesting-matrix.ts): each generated
// file is built with -Werror on both sides, every eBPF program is loaded by the verifier
// and run once under BPF_PROG_TEST_RUN, and every combination's effect is checked in
// `mx_results` (and, for ring-buffer records, in the records read back). The user-space
// files' loaders run their `main`, which prints the same slots.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { verifyBuiltObject } from "../../src/runner/verify.js";
import { renderDiagnostic } from "../../src/compiler/index.js";
import { matrixFiles, matrixSource, resultSlots, type Combination, type MatrixFile } from "../harness/nesting-matrix.js";
import { buildForKernel, kernelTests } from "./helpers.js";

const kernelTest = kernelTests("nesting-matrix.test", kernelSkipReason());
const slots = resultSlots();

/** Builds `file` in a fresh directory (cleaned up by the caller). */
function build(file: MatrixFile): { dir: string; name: string; bpfObject: string; binary: string } {
  const dir = mkdtempSync(join(tmpdir(), `ks-matrix-${file.name}-`));
  const ks = join(dir, `${file.name.replace(/-/g, "_")}.ks`);
  writeFileSync(ks, matrixSource(file, slots));
  compileToDirectory(ks, dir);
  const built = buildForKernel(dir);
  if (!built.ok) {
    rmSync(dir, { recursive: true, force: true });
    assert.fail(`make -Werror failed for ${file.name}:\n${built.stdout.slice(-4000)}\n${built.stderr.slice(-8000)}`);
  }
  return { dir, name: built.name, bpfObject: built.bpfObject, binary: built.binary };
}

/** Which combinations did not leave their expected value in the results. */
function wrongResults(combinations: readonly Combination[], results: ReadonlyMap<bigint, bigint>): string[] {
  const wrong: string[] = [];
  if ((results.get(0n) ?? 0n) !== 0n) wrong.push(`slot 0 (wrong turns of containers) is ${results.get(0n)}`);
  for (const c of combinations) {
    const expected = c.construct.expected(c.container.times);
    const actual = results.get(BigInt(c.k)) ?? 0n;
    if (actual !== expected) wrong.push(`${c.name} (slot ${c.k}): ${actual}, expected ${expected}`);
  }
  return wrong;
}

for (const file of matrixFiles()) {
  const accepted = file.combinations.filter((c) => c.refused === undefined);
  if (file.side === "kernel") {
    kernelTest(`nesting matrix ${file.name}: ${accepted.length} programs build with -Werror, load and do what the source says`, () => {
      const built = build(file);
      try {
        let result;
        try {
          result = runPrograms(built.bpfObject, accepted.map((c) => ({ prog: c.name })), {
            presets: [0, 1].map((i) => ({ map: "mx_pairs", key: uintBytes(i, 4), value: uintBytes(3 + i, 8) })),
            ringbufs: ["mx_events"],
          });
        } catch (error) {
          // Name the programs the verifier rejected, each explained on its .ks line.
          const verified = verifyBuiltObject({ object: built.bpfObject });
          const rejected = verified.diagnostics.map((d) => renderDiagnostic(d, verified.sources, { color: false }));
          assert.fail(`${rejected.length} programs rejected:\n${rejected.join("\n").slice(0, 20000)}\n${String(error).slice(0, 2000)}`);
        }
        const wrong = wrongResults(accepted, integerEntries(findMap(result, "mx_results")));
        const records = new Map<number, number>();
        for (const record of result.ringbufs.find((r) => r.name === "mx_events")?.records ?? []) {
          const id = Number(readUint(record, 0, 4));
          records.set(id, (records.get(id) ?? 0) + 1);
        }
        for (const c of accepted) {
          const expected = (c.construct.records ?? 0) * c.container.times;
          if ((records.get(c.k) ?? 0) !== expected) wrong.push(`${c.name}: ${records.get(c.k) ?? 0} ring-buffer records, expected ${expected}`);
        }
        assert.deepEqual(wrong, []);
      } finally {
        rmSync(built.dir, { recursive: true, force: true });
      }
    });
  } else {
    kernelTest(`nesting matrix ${file.name}: ${accepted.length} functions build with -Werror and do what the source says`, () => {
      const built = build(file);
      try {
        const run = spawnSync(built.binary, [], { encoding: "utf8", timeout: 60_000 });
        assert.equal(run.status, 0, `${built.binary} exited with ${run.status}:\n${run.stderr}`);
        const results = new Map<bigint, bigint>();
        for (const match of run.stdout.matchAll(/^mx (\d+) (\d+)$/gm)) results.set(BigInt(match[1]!), BigInt(match[2]!));
        assert.ok(results.size > accepted.length, `the loader printed the slots:\n${run.stdout.slice(0, 2000)}`);
        assert.deepEqual(wrongResults(accepted, results), []);
      } finally {
        rmSync(built.dir, { recursive: true, force: true });
      }
    });
  }
}
