// examples/tools/readlat.ks: `cat` reading a pipe whose writer waits 80 ms between
// lines makes read(2) calls of about 80 ms (65.5 to 131 ms under load); the tool's log2 histogram of microseconds
// counts them in [64K, 128K), printed like bpftrace's hist() at SIGINT, and nothing is
// left attached.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests } from "./helpers.js";
import { stopAndCheckDetached, withTool } from "./tools.js";

const kernelTest = kernelTests("tools-readlat.test", kernelSkipReason());

kernelTest("readlat puts 80 ms pipe reads in the [64K, 128K) microsecond bucket of its histogram", async () => {
  await withTool("readlat", ["on_enter", "on_exit"], ["--interval", "60"], async (tool) => {
    const pipe = spawnSync("/bin/sh", ["-c", "for i in 1 2 3 4 5 6; do sleep 0.08; echo x; done | cat > /dev/null"]);
    assert.equal(pipe.status, 0);
    const final = await stopAndCheckDetached(tool);
    const header = /^latency_us \(percpu_array<u32, u64>\): log2 histogram, (\d+) values$/m.exec(final);
    assert.ok(header, final);
    const rows = [...final.matchAll(/^(\[[^\n]*?[\])]) +(\d+) \|([@ ]{52})\|$/gm)];
    assert.ok(rows.length >= 2, final);
    const total = rows.reduce((sum, r) => sum + Number(r[2]), 0);
    assert.equal(total, Number(header[1]), "the header counts every bucket");
    const largest = Math.max(...rows.map((r) => Number(r[2])));
    for (const [, , count, bar] of rows) {
      assert.equal(bar!.trimEnd().length, Math.floor((Number(count) * 52) / largest), "bars scale to the largest count");
    }
    const slow = rows.find((r) => r[1] === "[64K, 128K)");
    assert.ok(slow && Number(slow[2]) >= 4, `at least four of the six ~80 ms reads:\n${final}`);
  });
});
