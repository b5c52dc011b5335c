// Tracepoint programs in the kernel: the default loader attaches a `syscalls/` tracepoint
// to its declared target (mounting tracefs if needed), the program sees exactly the
// syscalls the test makes, and the loader detaches on SIGINT. Tracepoint programs cannot
// run under BPF_PROG_TEST_RUN, so the events here are real syscalls.

import assert from "node:assert/strict";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { join } from "node:path";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("tracepoint.test", kernelSkipReason());

/** kill(pid, 0) on a pid that does not exist: the syscall is made and fails with ESRCH. */
function probe(pid: number): void {
  try {
    process.kill(pid, 0);
    assert.fail(`pid ${pid} exists`);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, "ESRCH");
  }
}

kernelTest("syscalls/sys_enter_kill: the program counts exactly the probes made while attached", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "kill_probes.ks"));
  // High pids nobody uses; a second one shows the count is per target.
  const target = 4_190_000 + (process.pid % 1000);
  const other = target + 1;
  const loader = startLoader([build.binary, "--interval", "0.1"]);
  try {
    await loader.waitFor("attached count_kill_probes (tracepoint) to syscalls/sys_enter_kill");
    for (let i = 0; i < 7; i++) probe(target);
    for (let i = 0; i < 2; i++) probe(other);
    await loader.waitFor(new RegExp(`^kill_probes\\[${other}\\] = 2$`, "m"));
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    const last = parseSnapshots(loader.stdout()).at(-1)!;
    const counts = last.maps.get("kill_probes")!.entries;
    assert.equal(counts.get(String(target)), "7");
    assert.equal(counts.get(String(other)), "2");
    assert.match(loader.stderr(), /detached everything/);
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});
