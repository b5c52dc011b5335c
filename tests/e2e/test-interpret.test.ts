// `kernelscript test --interpret` end to end: every tour example with @test functions
// passes in the interpreter as an unprivileged user (setpriv to 65534, the example
// copied to a directory it can read), skipping only the tests that need the kernel (each
// with its reason); the automatic fallback in a root process whose bpf() is refused (a
// launcher built here installs a seccomp filter that fails bpf() with EPERM, then execs
// the CLI) says why and passes; --format json and --trace write what they promise.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, runCli } from "../harness/cli.js";
import { repoRoot } from "../harness/golden.js";

const examplesDir = join(repoRoot, "examples");
const tourExamples = readdirSync(examplesDir).filter((f) => f.endsWith(".ks") && readFileSync(join(examplesDir, f), "utf8").includes("@test")).sort();

/** Tests of the tour that need the kernel: they attach programs to kernel events. */
const needsKernel: Readonly<Record<string, readonly string[]>> = {
  "raw_tracepoint.ks": ["sees_real_system_calls_when_attached"],
  "tp_btf.ks": ["reports_every_exec"],
  "tracing.ks": ["records_who_ran_true"],
};

const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync("setpriv", ["--version"], { stdio: "ignore" }).status === 0;
const asNobodySkip = !isRoot ? "needs root to switch to user 65534 (setpriv)" : !hasSetpriv ? "setpriv (util-linux) is not installed" : undefined;
const hasCc = spawnSync("cc", ["--version"], { stdio: "ignore" }).status === 0;
const hasBpftool = spawnSync("bpftool", ["version"], { stdio: "ignore" }).status === 0;
const seccompSkip = !isRoot ? "needs root (the fallback is for root without bpf())" : !hasCc ? "cc is not installed" : !hasBpftool ? "bpftool is not installed (what detects a refused bpf())" : undefined;

function run(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: { ...process.env, NO_COLOR: "1", ...options.env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), "interp-e2e-"));
  for (const f of tourExamples) copyFileSync(join(examplesDir, f), join(work, f));
  cpSync(join(examplesDir, "handover"), join(work, "handover"), { recursive: true });
  chmodSync(work, 0o755);
  for (const f of readdirSync(work)) chmodSync(join(work, f), 0o755);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** The summary and the skipped tests of a text report. */
function summary(stdout: string): { line: string; skipped: string[] } {
  const lines = stdout.trim().split("\n");
  return { line: lines[lines.length - 1] ?? "", skipped: lines.filter((l) => l.startsWith("skip ")).map((l) => l.split(/\s+/)[1]!) };
}

describe("kernelscript test --interpret", () => {
  it("finds the tour's tests", () => {
    assert.ok(tourExamples.length >= 20, tourExamples.join(" "));
  });

  for (const example of tourExamples) {
    it(`passes ${example} as user 65534`, { skip: asNobodySkip }, async () => {
      const result = await run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, cliPath, "test", example, "--interpret"], { cwd: work, env: { HOME: work } });
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const { line, skipped } = summary(result.stdout);
      assert.match(line, /^\d+ passed, 0 failed/, result.stdout);
      assert.deepEqual(skipped, [...(needsKernel[example] ?? [])], result.stdout);
      for (const name of skipped) {
        assert.match(result.stdout, new RegExp(`^skip ${name}  \\(\`load\\(\\)\` cannot be computed exactly without a kernel`, "m"));
        assert.match(result.stderr, /error\[E0700\]/);
      }
    });
  }

  it("falls back to the interpreter by itself without root, with a notice", { skip: asNobodySkip }, async () => {
    const result = await run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, cliPath, "test", "seed_packet_filter.ks"], { cwd: work, env: { HOME: work } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^note: running the tests in the interpreter: not running as root .*`sudo kernelscript test seed_packet_filter\.ks` runs them in the kernel$/m);
    assert.match(result.stdout, /^ok {3}drops_and_counts_frames_over_1400_bytes {2}\(\d+\.\d\d ms\)$/m);
    assert.match(result.stdout, /\n2 passed, 0 failed\n$/);
  });

  it("falls back by itself in a root process whose bpf() is refused (seccomp)", { skip: seccompSkip }, async () => {
    const launcher = join(work, "no-bpf");
    writeFileSync(`${launcher}.c`, `
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* Runs argv[1..] with bpf() failing EPERM (a seccomp filter), everything else allowed. */
int main(int argc, char **argv)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };
    if (argc < 2) return 2;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { perror("prctl"); return 1; }
    if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) { perror("seccomp"); return 1; }
    execv(argv[1], argv + 1);
    perror("execv");
    return 127;
}
`);
    const built = spawnSync("cc", ["-O2", "-o", launcher, `${launcher}.c`], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stderr);
    // The filter really refuses bpf(): bpftool cannot list programs under it.
    const probe = spawnSync(launcher, [spawnSync("sh", ["-c", "command -v bpftool"], { encoding: "utf8" }).stdout.trim(), "prog", "list"], { encoding: "utf8" });
    assert.notEqual(probe.status, 0, "bpf() is refused under the launcher");
    const result = await run(launcher, [process.execPath, cliPath, "test", "tail_calls.ks"], { cwd: work });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stderr, /^note: running the tests in the interpreter: the bpf\(\) system call is refused to this process/m);
    assert.match(result.stdout, /\n2 passed, 0 failed\n$/);
  });

  it("--format json reports each test with its location; --trace writes TRACE.md's shape", async () => {
    const trace = join(work, "trace.json");
    const result = await runCli(["test", "packet_parsing.ks", "--interpret", "--format", "json", "--trace", trace], { cwd: work });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { tests: { name: string; result: string; location: { line: number } }[]; passed: number; complete: boolean };
    assert.equal(report.passed, 3);
    assert.equal(report.complete, true);
    assert.deepEqual(report.tests.map((t) => t.result), ["passed", "passed", "passed"]);
    const written = JSON.parse(readFileSync(trace, "utf8")) as { version: number; tests: { name: string; status: string; runs: { program: string; retval: number; packet: string | null }[]; maps: Record<string, [string, string][]> }[] };
    assert.equal(written.version, 1);
    assert.deepEqual(Object.keys(written.tests[0]!), ["name", "status", "runs", "maps"]);
    const first = written.tests[0]!;
    assert.equal(first.name, "drops_blocked_udp_ports");
    assert.deepEqual(first.runs.map((r) => [r.program, r.retval]), [["classify", 1], ["classify", 2]]);
    assert.match(first.runs[0]!.packet!, /^[0-9a-f]+$/);
    assert.deepEqual(first.maps.blocked_ports, [["3500", "01"]], "key 53 (u16) -> 1 (u8)");
    const keys = first.maps.port_counts!.map(([k]) => k);
    assert.deepEqual(keys, [...keys].sort(), "entries sorted by key");
  });

  it("a failing test prints the kernel mode's FAIL block and exits 1", async () => {
    writeFileSync(join(work, "failing.ks"), `
@xdp
fn pass(ctx: XdpContext) -> XdpAction {
    return XDP_PASS
}

@test
fn expects_drop() {
    assert(test(pass, TestRun {}) == XDP_DROP, "drops everything")
}
`);
    const result = await runCli(["test", "failing.ks", "--interpret"], { cwd: work });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^FAIL expects_drop {2}\(\d+\.\d\d ms\)\n {4}failing\.ks:9: assertion failed: test\(pass, TestRun \{\}\) == XDP_DROP\n {6}drops everything\n {6}expected XDP_DROP \(1\), got XDP_PASS \(2\)\n\n0 passed, 1 failed\n$/);
  });
});
