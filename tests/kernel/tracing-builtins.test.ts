// The current-task built-ins and user strings, in the kernel: a tracepoint program
// records pid(), tid(), uid(), gid(), ppid(), cgroup_id(), comm() and str(ctx.args[1])
// for every openat(2) of a `cat`; the test starts one under another uid and gid and
// compares the printed record with what it knows of that process. Stacks: a program
// records kstack()/ustack() and its main prints them symbolised.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("tracing-builtins.test", kernelSkipReason());

/** The cgroup v2 id of this process: the inode number of its cgroup's directory. */
function cgroupId(): number {
  const line = readFileSync("/proc/self/cgroup", "utf8").split("\n").find((l) => l.startsWith("0::"))!;
  return statSync(join("/sys/fs/cgroup", line.slice(3))).ino;
}

kernelTest("pid, tid, uid, gid, ppid, cgroup_id, comm and str(user pointer) describe the process that made the call", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "task_builtins.ks"));
  const loader = startLoader([build.binary, "--interval", "60"]);
  try {
    await loader.waitFor("printing records of opened");
    const file = "/proc/self/ks-tracing-builtins-no-such-file";
    const cat = spawnSync("/usr/bin/cat", [file], { uid: 65534, gid: 65533 });
    assert.notEqual(cat.status, 0, "the file does not exist");
    const expected = `opened: {pid: ${cat.pid}, tid: ${cat.pid}, uid: 65534, gid: 65533, ppid: ${process.pid}, cgroup: ${cgroupId()}, comm: "cat", file: "${file}"}`;
    await loader.waitFor(expected);
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});

kernelTest("kstack() and ustack() print symbolised frames: kernel symbols from kallsyms, the libc function from its ELF symbols", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "stacks.ks"));
  const dir = mkdtempSync(join(tmpdir(), "ks-stacks-"));
  // A program whose name (`comm`) nothing else has: the fixture records only its opens.
  const probe = join(dir, "ks-stack-probe");
  symlinkSync("/bin/sh", probe);
  const loader = startLoader([build.binary]);
  try {
    await loader.waitFor("attached");
    // The shell opens the file with libc's open and stays alive while its stack is printed.
    const shell = spawn(probe, ["-c", "exec 3</etc/hostname; sleep 2"], { stdio: "ignore" });
    await loader.waitFor(/user stack:\n( {8}.*\n)*?( {8}\w*open\w*\+\d+\n)/, 5000);
    const out = loader.stdout();
    assert.match(out, new RegExp(`^pid ${shell.pid} kernel stack:\n( {8}\\S+\\+\\d+\n)* {8}do_syscall_64\\+\\d+\n`, "m"), out);
    assert.match(out, new RegExp(`^pid ${shell.pid} user stack:\n( {8}.*\n)*? {8}\\w*open\\w*\\+\\d+\n`, "m"), out);
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    shell.kill("SIGKILL");
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * What the default loader of `fixture` (a program with an `on_read` tracepoint) prints
 * when stopped with SIGINT after dd made 1000 one-byte reads; the exit must be clean.
 */
async function reportAfterDdReads(fixture: string): Promise<string> {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", fixture));
  const loader = startLoader([build.binary, "--interval", "60"]);
  try {
    await loader.waitFor("attached on_read");
    const dd = spawnSync("/usr/bin/dd", ["if=/dev/zero", "of=/dev/null", "bs=1", "count=1000"]);
    assert.equal(dd.status, 0);
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    return loader.stdout();
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
}

kernelTest("a histogram keyed by comm prints one histogram per command: dd's 1-byte reads in bucket [1]", async () => {
  const out = await reportAfterDdReads("keyed_hist.ks");
  const header = /^read_sizes \(percpu_hash<ReadKey, u64>\): log2 histogram, (\d+) histograms?, (\d+) values?$/m.exec(out);
  assert.ok(header, out);
  const groups = [...out.matchAll(/^read_sizes\[\{comm: "([^"]*)"\}\]: (\d+) values?$/gm)];
  assert.equal(groups.length, Number(header[1]), "one group line per histogram");
  assert.deepEqual(groups.map((g) => g[1]), groups.map((g) => g[1]).sort(), "groups in key order");
  assert.equal(new Set(groups.map((g) => g[1])).size, groups.length, "each command once");
  const dd1 = new RegExp(`^read_sizes\\[\\{comm: "dd"\\}\\]: (\\d+) values?\\n((?:\\[.*\\n)*)`, "m").exec(out);
  assert.ok(dd1, out);
  const one = /^\[1\] +(\d+) \|/m.exec(dd1[2]!);
  assert.ok(one && Number(one[1]) >= 1000 && Number(one[1]) <= 1010, `dd's 1-byte reads:\n${dd1[0]}`);
});

kernelTest("@stats maps print count, avg, min, max and sum per key, per-CPU slots merged: dd's 1-byte reads", async () => {
  const out = await reportAfterDdReads("read_stats.ks");
  for (const map of ["per_cpu_sizes", "shared_sizes"]) {
    assert.match(out, new RegExp(`^${map} \\((percpu_)?hash<str\\(16\\), Sizes>\\): stats of \\d+ keys?$`, "m"), out);
    const line = new RegExp(`^${map}\\["dd"\\]: count (\\d+), avg (\\d+), min (\\d+), max (\\d+), sum (\\d+)$`, "m").exec(out);
    assert.ok(line, out);
    const [count, avg, min, max, sum] = line.slice(1).map(Number) as [number, number, number, number, number];
    assert.ok(count >= 1000 && count <= 1010, `${map}: dd made ${count} reads`);
    assert.equal(min, 1, `${map}: one-byte reads`);
    assert.ok(max >= 1 && sum >= count && sum <= count * max, `${map}: ${line[0]}`);
    assert.equal(avg, Math.floor(sum / count), `${map}: the average is sum / count`);
  }
});
