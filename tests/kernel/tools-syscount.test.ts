// examples/tools/syscount.ks: `dd bs=1 count=5000` makes 5000 read(2) and 5000
// write(2) calls of one byte; the tool's periodic print and its final top-10 show them
// under dd's name, and nothing is left attached after SIGINT.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests } from "./helpers.js";
import { stopAndCheckDetached, withTool } from "./tools.js";

const kernelTest = kernelTests("tools-syscount.test", kernelSkipReason());

/** x86-64 system-call numbers (the test machine's architecture). */
const readCall = 0;
const writeCall = 1;

function countOf(text: string, id: number): number {
  const match = new RegExp(`^calls\\[\\{comm: "dd", id: ${id}\\}\\] = (\\d+)$`, "m").exec(text);
  assert.ok(match, `dd's system call ${id} in:\n${text}`);
  return Number(match[1]);
}

kernelTest("syscount counts dd's 5000 reads and writes and prints them sorted, periodically and at exit", async () => {
  if (process.arch !== "x64") return;
  await withTool("syscount", ["on_syscall"], ["--interval", "0.5"], async (tool) => {
    const dd = spawnSync("/usr/bin/dd", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=5000"]);
    assert.equal(dd.status, 0);
    await tool.loader.waitFor(/--- snapshot \d+ ---\ncalls \(percpu_hash<Call, u64>\): top 10 of \d+ entries\n(calls\[.*\n)*calls\[\{comm: "dd", id: 0\}\]/);
    const final = await stopAndCheckDetached(tool);
    assert.match(final, /^calls \(percpu_hash<Call, u64>\): top 10 of \d+ entries$/m);
    // dd reads and writes one byte 5000 times, plus a few calls of its own start-up and report.
    for (const id of [readCall, writeCall]) {
      const count = countOf(final, id);
      assert.ok(count >= 5000 && count <= 5020, `dd made ${count} calls of ${id}`);
    }
    const values = [...final.matchAll(/^calls\[.*\] = (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(values.length, 10, "ten lines");
    assert.deepEqual(values, [...values].sort((a, b) => b - a), "largest first");
  });
});
