// examples/tools/opensnoop.ks: a file opened while the tool runs is printed with the
// process, the result (a descriptor, or -errno for a file that does not exist) and the
// name read from user memory; at SIGINT the per-process counts are printed, and nothing
// is left attached.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests } from "./helpers.js";
import { stopAndCheckDetached, withTool } from "./tools.js";

const kernelTest = kernelTests("tools-opensnoop.test", kernelSkipReason());

kernelTest("opensnoop prints each openat with pid, comm, result and file name, and the counts at exit", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-opensnoop-"));
  const present = join(dir, "present.txt");
  const missing = join(dir, "missing.txt");
  writeFileSync(present, "x\n");
  try {
    await withTool("opensnoop", ["on_enter", "on_exit"], ["--interval", "60"], async (tool) => {
      await tool.loader.waitFor("printing records of events");
      const ok = spawnSync("/usr/bin/cat", [present]);
      assert.equal(ok.status, 0);
      const failed = spawnSync("/usr/bin/cat", [missing]);
      assert.notEqual(failed.status, 0);
      await tool.loader.waitFor(`events: {pid: ${ok.pid}, comm: "cat", result: 3, file: "${present}"}`);
      await tool.loader.waitFor(`events: {pid: ${failed.pid}, comm: "cat", result: -2, file: "${missing}"}`);
      const final = await stopAndCheckDetached(tool);
      assert.match(final, /^opens \(hash<str\(16\), u64>\): top \d+ of \d+ entr(y|ies)$/m);
      assert.match(final, /^opens\["cat"\] = [1-9]\d*$/m);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
