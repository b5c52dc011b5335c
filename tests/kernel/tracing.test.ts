// Tracing programs in the kernel. Tracepoints: the default loader attaches a `syscalls/`
// tracepoint to its declared target (mounting tracefs if needed), the program sees
// exactly the syscalls the test makes, and the loader detaches on SIGINT (tracepoint
// programs cannot run under BPF_PROG_TEST_RUN, so the events are real syscalls).
// Kprobes: the program loads; where the kernel has no kprobes (this project's machines)
// the loader stops at that boundary with a one-line cause.

import assert from "node:assert/strict";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("tracing.test", kernelSkipReason());

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

kernelTest("kprobe: the program loads; attaching works where the kernel has kprobes and says why where not", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "kprobe_unlink.ks"));
  const loader = startLoader([build.binary, "--interval", "0.1"]);
  try {
    if (existsSync("/sys/kernel/tracing/kprobe_events") || existsSync("/sys/kernel/debug/tracing/kprobe_events")) {
      await loader.waitFor("attached on_unlink (kprobe) to do_unlinkat");
      const exit = await loader.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    } else {
      const exit = await loader.exited;
      assert.deepEqual(exit, { code: 1, signal: null });
      assert.match(loader.stderr(), /^error: cannot attach probe 'on_unlink' to do_unlinkat: this kernel has no kprobes/m);
      assert.doesNotMatch(loader.stderr(), /cannot load/, "loading succeeded; only attaching is impossible here");
    }
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});

kernelTest("a tracepoint this kernel lacks: the loader names it and says the kernel has no such tracepoint", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "missing_tracepoint.ks"));
  const loader = startLoader([build.binary, "--interval", "0.1"]);
  try {
    const exit = await loader.exited;
    assert.deepEqual(exit, { code: 1, signal: null }, loader.stderr());
    assert.match(loader.stderr(), /^error: cannot attach tracepoint program 'count_execs' to sched\/sched_proces_exec: the kernel has no such tracepoint/m);
    assert.doesNotMatch(loader.stderr(), /cannot load/, "loading succeeded; only attaching is impossible");
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});
