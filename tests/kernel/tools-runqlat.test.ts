// examples/tools/runqlat.ks with --pid on a process this test starts (so the rest of the
// machine does not count): 200 sleeps of 1 ms are 200 wake-ups, each measured once; then
// the same process and a second one spin on CPU 0 together, so it waits about one time
// slice (milliseconds) each time the other is preempted in its favour. The histogram
// printed at SIGINT has its header, contiguous bucket rows with bars scaled to the
// largest, a total consistent with the workload, exit 0, and nothing left attached.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { kernelTests } from "./helpers.js";
import { stopAndCheckDetached, withTool } from "./tools.js";

const kernelTest = kernelTests("tools-runqlat.test", kernelSkipReason());

/** A python3 process pinned to CPU 0 that runs `body` after a line arrives on stdin, and its exit status. */
function pinnedPython(body: string): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn("taskset", ["-c", "0", "python3", "-c", `import sys, time\nsys.stdin.readline()\n${body}`], { stdio: ["pipe", "ignore", "inherit"] });
  // Listening at once: the process may be gone before the test waits for it.
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exit };
}

interface Histogram { readonly total: number; readonly rows: ReadonlyArray<{ readonly low: number; readonly count: number }> }

const units: Record<string, number> = { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** Parses the final report's histogram and checks its form (header, ranges, bars). */
function histogram(final: string): Histogram {
  const header = /^latency_us \(percpu_array<u32, u64>\): log2 histogram, (\d+) values$/m.exec(final);
  assert.ok(header, final);
  const rows = [...final.matchAll(/^\[(\d+)([KMG]?)(?:, (\d+)([KMG]?)\))?\] *?(?<!\)) *(\d+) \|([@ ]{52})\|$|^\[(\d+)([KMG]?), (\d+)([KMG]?)\) +(\d+) \|([@ ]{52})\|$/gm)];
  assert.ok(rows.length >= 2, final);
  const parsed = rows.map((r) => {
    const low = r[1] !== undefined ? Number(r[1]) * units[r[2]!]! : Number(r[7]) * units[r[8]!]!;
    const high = r[1] !== undefined ? low + 1 : Number(r[9]) * units[r[10]!]!;
    const count = Number(r[1] !== undefined ? r[5] : r[11]);
    const bar = r[1] !== undefined ? r[6]! : r[12]!;
    return { low, high, count, bar };
  });
  for (let i = 1; i < parsed.length; i++) assert.equal(parsed[i]!.low, parsed[i - 1]!.high, `buckets are contiguous:\n${final}`);
  const total = parsed.reduce((sum, r) => sum + r.count, 0);
  assert.equal(total, Number(header[1]), "the header counts every bucket");
  const largest = Math.max(...parsed.map((r) => r.count));
  for (const r of parsed) assert.equal(r.bar.trimEnd().length, Math.floor((r.count * 52) / largest), "bars scale to the largest count");
  return { total, rows: parsed };
}

kernelTest("runqlat --pid: 200 sleeps are 200 wake-ups, spinning against a second process waits milliseconds", async () => {
  const sleeper = pinnedPython("for _ in range(200): time.sleep(0.001)\nend = time.time() + 1\nwhile time.time() < end: pass");
  const rival = pinnedPython("end = time.time() + 1\nwhile time.time() < end: pass");
  try {
    await withTool("runqlat", ["on_wakeup", "on_wakeup_new", "on_switch"], ["--pid", String(sleeper.child.pid)], async (tool) => {
      // The rival starts spinning when the sleeper's 200 sleeps (~0.3 s) are over.
      sleeper.child.stdin!.end("go\n");
      setTimeout(() => rival.child.stdin!.end("go\n"), 150);
      assert.equal(await sleeper.exit, 0);
      assert.equal(await rival.exit, 0);
      const final = await stopAndCheckDetached(tool);
      const { total, rows } = histogram(final);
      // 200 sleeps + the wake-up by the line on stdin + the spin's preemptions (each a
      // few ms apart: at most a few hundred in 1 s); other processes do not count.
      assert.ok(total >= 201 && total <= 201 + 700, `total ${total}:\n${final}`);
      const waitedMs = rows.filter((r) => r.low >= 512).reduce((sum, r) => sum + r.count, 0);
      assert.ok(waitedMs >= 20, `at least 20 waits of 0.5 ms or more behind the rival on CPU 0:\n${final}`);
    }, "Tracing run queue latency");
  } finally {
    sleeper.child.kill("SIGKILL");
    rival.child.kill("SIGKILL");
  }
});
