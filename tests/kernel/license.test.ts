// The `license` declaration reaches the kernel. The object of a "Dual BSD/GPL" file
// carries that string, and the kernel lets its program call the GPL-only helper that
// tests/cases/verifier/gpl-only.ks (licensed "MIT") is refused; a "Proprietary" program
// that uses nothing GPL-only loads and runs (maps, packet access, ring buffers).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_PASS = 2;
const kernelTest = kernelTests("license.test", kernelSkipReason());

/** The bytes of the object's `license` section, as text up to its NUL. */
function licenseSection(object: string): string {
  const dir = mkdtempSync(join(tmpdir(), "ks-license-"));
  try {
    const section = join(dir, "license.bin");
    const dump = spawnSync("llvm-objcopy", ["--dump-section", `license=${section}`, object, join(dir, "copy.o")], { encoding: "utf8" });
    assert.equal(dump.status, 0, dump.stderr);
    return readFileSync(section, "latin1").split("\0")[0]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

kernelTest("a GPL-compatible license lets the program call a GPL-only helper through extern", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "license_gpl_task.ks"));
  try {
    assert.equal(licenseSection(build.bpfObject), "Dual BSD/GPL");
    const result = runPrograms(build.bpfObject, [{ prog: "lic_gpl", size: 64 }]);
    assert.deepEqual(result.programs.map((p) => [p.name, p.loaded]), [["lic_gpl", true]]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS]);
    const task = integerEntries(findMap(result, "lic_gpl_task")).get(0n);
    assert.ok(task !== undefined && task > 0xffff000000000000n, `bpf_get_current_task returned a kernel address (${task?.toString(16)})`);
  } finally {
    build.cleanup();
  }
});

kernelTest("a non-GPL program without GPL-only functions loads and runs", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "license-proprietary.ks"));
  try {
    assert.equal(licenseSection(build.bpfObject), "Proprietary");
    const result = runPrograms(build.bpfObject, [{ prog: "lic_prop", size: 90 }, { prog: "lic_prop", size: 90 }, { prog: "lic_prop", size: 200 }], { ringbufs: ["lic_frames"] });
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS]);
    assert.deepEqual([...integerEntries(findMap(result, "lic_sizes"))].sort((a, b) => Number(a[0] - b[0])), [[90n, 2n], [200n, 1n]]);
    const records = result.ringbufs.find((r) => r.name === "lic_frames")?.records ?? [];
    assert.deepEqual(records.map((r) => readUint(r, 0, 4)), [90n, 90n, 200n]);
  } finally {
    build.cleanup();
  }
});
