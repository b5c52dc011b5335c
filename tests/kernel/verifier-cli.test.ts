// The verifier mapping as users meet it: `kernelscript check --kernel`, `build`,
// `explain`, and a generated loader that the kernel refuses.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runCli, hasStackTrace } from "../harness/cli.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("verifier-cli.test", kernelSkipReason());
const nullCase = "tests/cases/verifier/null-map-value.ks";

kernelTest("check --kernel: a rejection is shown on the .ks line, exit 1", async () => {
  const run = await runCli(["check", "--kernel", nullCase]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^error\[E0452\]: the kernel verifier rejected program `vm_nul`: a pointer that may be NULL/m);
  assert.match(run.stderr, /--> tests\/cases\/verifier\/null-map-value\.ks:9:5/);
  assert.match(run.stderr, /= note: the verifier said: R0 invalid mem access 'map_value_or_null'/);
  assert.match(run.stderr, /= help: check the pointer itself/);
  const logPath = /full verifier log: (\S+)/.exec(run.stderr)?.[1];
  assert.ok(logPath && readFileSync(logPath, "utf8").includes("processed"), "the complete log is in the file named");
  assert.match(run.stdout, /0 of 1 eBPF programs loaded/);
  assert.ok(!hasStackTrace(run.stderr));
});

kernelTest("check --kernel --format json: diagnostics and per-program verdicts", async () => {
  const run = await runCli(["check", "--kernel", "--format", "json", nullCase]);
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { diagnostics: { code: string; line: number }[]; programs: { name: string; loaded: boolean; log: string }[] };
  assert.equal(report.diagnostics.length, 1);
  assert.equal(report.diagnostics[0]!.code, "E0452");
  assert.equal(report.diagnostics[0]!.line, 9);
  assert.deepEqual(report.programs.map((p) => [p.name, p.loaded]), [["vm_nul", false]]);
});

kernelTest("check --kernel: a program the verifier accepts, exit 0", async () => {
  const run = await runCli(["check", "--kernel", "examples/seed_packet_filter.ks"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /1 of 1 eBPF programs loaded by this kernel's verifier\n {2}packet_filter: loaded/);
});

kernelTest("check --kernel without bpf(): exit 3 with the fix", async () => {
  const run = await runCli(["check", "--kernel", nullCase], { env: { KS_NO_BPF: "1" } });
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /cannot load programs into the kernel: the bpf\(\) system call is not available/);
  assert.match(run.stderr, /fix: run it as root/);
});

kernelTest("build: reports the rejection (exit 1) and keeps the output; skips the check without bpf()", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-vm-build-"));
  try {
    const rejected = await runCli(["build", join(repoRoot, nullCase), "-o", join(dir, "out")], { cwd: dir });
    assert.equal(rejected.code, 1, rejected.stderr);
    assert.match(rejected.stderr, /error\[E0452\]/);
    assert.match(rejected.stdout, /kernel verifier check: 0 of 1 eBPF programs loaded/);
    assert.ok(existsSync(join(dir, "out", "verifier-logs", "vm_nul.log")), "the log is kept in the output directory");
    const skipped = await runCli(["build", join(repoRoot, nullCase), "-o", join(dir, "out2")], { cwd: dir, env: { KS_NO_BPF: "1" } });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /note: kernel verifier check skipped: the bpf\(\) system call is not available/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("explain FILE.ks:LINE: the generated C and the kernel's instructions of that line", async () => {
  const run = await runCli(["explain", "examples/seed_packet_filter.ks:6"]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^examples\/seed_packet_filter\.ks:6: packet_counts\[ctx\.ingress_ifindex\] \+= 1;?$/m);
  assert.match(run.stdout, /generated eBPF C \(seed_packet_filter\.bpf\.c\):\n\s+\d+ \| \s*ks_packet_counts_add\(ctx->ingress_ifindex, 1\);/);
  assert.match(run.stdout, /program packet_filter:/);
  assert.match(run.stdout, /^\s+\d+: \(85\) call .*map_lookup_elem/m, "the inlined map lookup belongs to this line");
  assert.match(run.stdout, /lock \*\(u64 \*\)\(r0 \+0\) \+= r\d\b/, "the atomic add of `+= 1`");
  assert.doesNotMatch(run.stdout, /1401|0x579/, "the size comparison of line 5 is not shown");
  assert.deepEqual(readdirPins(), [], "nothing stays pinned");
});

kernelTest("explain: a line without eBPF code, a bad argument, and a rejected program", async () => {
  const blank = await runCli(["explain", `${nullCase}:1`]);
  assert.equal(blank.code, 0, blank.stderr);
  assert.match(blank.stdout, /no eBPF C was generated for this line/);
  const map = await runCli(["explain", "examples/seed_packet_filter.ks:1"]);
  assert.match(map.stdout, /\| struct \{\n.*BPF_MAP_TYPE_HASH/, "a map declaration shows its map definition");
  const bad = await runCli(["explain", "examples/seed_packet_filter.ks"]);
  assert.equal(bad.code, 2);
  const rejected = await runCli(["explain", `${nullCase}:9`]);
  assert.equal(rejected.code, 1);
  assert.match(rejected.stdout, /__sync_fetch_and_add\(&\(\*q\), 1\);/);
  assert.match(rejected.stderr, /error\[E0452\]/);
});

kernelTest("a generated loader explains the rejection on the .ks line and writes the whole log", () => {
  for (const [file, code, where] of [
    ["null-map-value", "E0452", "--> null-map-value.ks:9 (null-map-value.bpf.c:"],
    ["unreleased-reference", "E0453", "--> unreleased-reference.ks:8 (unreleased-reference.bpf.c:"],
  ] as const) {
    const build = compileAndBuild(join(repoRoot, "tests", "cases", "verifier", `${file}.ks`));
    try {
      const run = spawnSync(build.binary, ["-i", "lo"], { cwd: build.dir, encoding: "utf8" });
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^error\\[${code}\\]: the kernel verifier rejected program 'vm_`, "m"));
      assert.ok(run.stderr.includes(where), run.stderr);
      assert.match(run.stderr, /= the verifier said: /);
      assert.match(run.stderr, /= help: /);
      assert.match(run.stderr, new RegExp(`= note: full verifier log: ${file}\\.verifier\\.log`));
      const log = readFileSync(join(build.dir, `${file}.verifier.log`), "utf8");
      assert.match(log, /processed \d+ insns/, "the log is complete");
    } finally {
      build.cleanup();
    }
  }
});

function readdirPins(): string[] {
  const out = spawnSync("sh", ["-c", "ls /sys/fs/bpf | grep ks-explain- || true"], { encoding: "utf8" }).stdout;
  return out.split("\n").filter((l) => l !== "");
}

// E0469: a kfunc whose kernel module is not loaded (this kernel cannot load modules, so
// a program calling the file's own module kfunc is always refused here). Before issue
// 11 this was E0461 "a value that was never computed".
const moduleCase = "tests/cases/verifier/kfunc-module-missing.ks";

kernelTest("check --kernel: a kfunc whose module is not loaded is named with its module; exit 3 (the machine's boundary)", async () => {
  const run = await runCli(["check", "--kernel", moduleCase]);
  assert.equal(run.code, 3, run.stderr);
  assert.match(run.stderr, /^error\[E0469\]: program `vm_kfunc` calls kfunc `ks_vm_weigh` of kernel module `kfunc_module_missing_kfuncs`, which is not loaded$/m);
  assert.match(run.stderr, /--> tests\/cases\/verifier\/kfunc-module-missing\.ks:13:5/);
  assert.match(run.stderr, /= help: the generated loader loads `kfunc_module_missing_kfuncs\.ko` itself .*`make module install-module`/);
  assert.doesNotMatch(run.stderr, /E0461|never computed/);
  assert.match(run.stdout, /vm_kfunc: not loaded: calls kfunc `ks_vm_weigh` of kernel module `kfunc_module_missing_kfuncs`, which is not loaded \(E0469\)/);
});

kernelTest("build: a kfunc whose module is not loaded is a warning naming it, not an error (exit 0)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-vm-kfunc-"));
  try {
    const run = await runCli(["build", join(repoRoot, "examples", "kfuncs.ks"), "-o", join(dir, "out")], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^warning\[E0469\]: program `kfunc_tour_xdp` calls kfunc `ks_tour_classify` of kernel module `kfuncs_kfuncs`, which is not loaded$/m);
    assert.match(run.stdout, /kernel verifier check: 1 of 2 eBPF programs loaded\n {2}kfunc_tour_xdp: not loaded: calls kfunc `ks_tour_classify`.*\(E0469\)\n {2}kfunc_tour_tc: loaded/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("a generated loader names a kfunc the running kernel lacks (E0469), with libbpf 1.1's and 1.4's logs", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "kfunc_absent.ks"));
  try {
    const run = spawnSync(build.binary, ["-i", "lo"], { cwd: build.dir, encoding: "utf8" });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stderr, /^error\[E0469\]: program 'absent_kfunc_xdp' calls kfunc 'ks_absent_kfunc', which the running kernel does not have: the kernel module providing it is not loaded/m);
    assert.ok(run.stderr.includes("--> kfunc_absent.ks:8 (kfunc_absent.bpf.c:"), run.stderr);
    assert.match(run.stderr, /= help: load the module that provides 'ks_absent_kfunc'/);
    assert.doesNotMatch(run.stderr, /E0461/);
  } finally {
    build.cleanup();
  }
});

kernelTest("build: programs of a struct_ops type this kernel's BTF lacks stop at the boundary with the reason (was an internal error)", async () => {
  const out = mkdtempSync(join(tmpdir(), "ks-build-sched-ext-"));
  try {
    const run = await runCli(["build", "examples/upstream/sched_ext_simple.ks", "-o", join(out, "sx")]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!hasStackTrace(run.stderr) && !run.stderr.includes("internal compiler error"), run.stderr);
    assert.match(run.stdout, /kernel verifier check: 0 of \d+ eBPF programs loaded/);
    assert.match(run.stdout, /: refused: struct_ops type sched_ext_ops is not in this kernel's BTF/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
