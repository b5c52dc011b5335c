// `kernelscript init` refusals through the real CLI: each is exit 2 with the problem and a
// suggestion, and writes nothing. Kinds and targets are checked against the running
// kernel's BTF (and tracefs), so the test needs /sys/kernel/btf/vmlinux.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasStackTrace, runCli } from "../harness/cli.js";
import { expectGolden, repoRoot } from "../harness/golden.js";
import { exampleInitKinds } from "../../src/compiler/project/init-counter.js";

const btfMissing = existsSync("/sys/kernel/btf/vmlinux") ? undefined : "no kernel BTF at /sys/kernel/btf/vmlinux";
let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-init-cli-"));
  mkdirSync(join(work, "taken"));
  writeFileSync(join(work, "not-btf"), "this file is longer than a BTF header but holds text");
  // A stand-in for a mounted tracefs (KS_TRACEFS): what init reads is events/CATEGORY/EVENT.
  for (const event of ["sched/sched_switch", "sched/sched_wakeup", "syscalls/sys_enter_openat"]) {
    mkdirSync(join(work, "tracefs", "events", event), { recursive: true });
  }
});
after(() => rmSync(work, { recursive: true, force: true }));

const refusals: readonly (readonly [string, readonly string[], RegExp, RegExp, Readonly<Record<string, string>>?])[] = [
  ["unknown kind lists the valid ones", ["init", "xdpp", "p1"], /unknown project kind `xdpp`/, /did you mean `xdp`\?.*valid kinds: xdp, tc\/ingress, tc\/egress, tracepoint\/CAT\/EVENT, probe\/FN.*tcp_congestion_ops/],
  ["bad TC direction", ["init", "tc/sideways", "p2"], /not a TC kind/, /`tc\/ingress` or `tc\/egress`/],
  ["tracepoint without an event", ["init", "tracepoint/sched", "p3"], /does not name a tracepoint/, /tracepoint\/CATEGORY\/EVENT/],
  // With tracefs mounted the whole `category/event` is checked; without it, only the
  // event against the BTF (`btf_trace_<event>`), and the help says the category was not.
  ["misspelt tracepoint, tracefs mounted", ["init", "tracepoint/sched/sched_swich", "p4"], /no tracepoint `sched\/sched_swich`/, /did you mean `tracepoint\/sched\/sched_switch`\?\n/, { KS_TRACEFS: "tracefs" }],
  ["misspelt tracepoint category, tracefs mounted", ["init", "tracepoint/shed/sched_switch", "p4"], /no tracepoint `shed\/sched_switch`/, /did you mean `tracepoint\/sched\/sched_switch`\?\n/, { KS_TRACEFS: "tracefs" }],
  ["misspelt tracepoint, no tracefs", ["init", "tracepoint/sched/sched_swich", "p4"], /no tracepoint `sched\/sched_swich`/, /did you mean `tracepoint\/sched\/sched_switch`\? \(without tracefs the category was not checked\)\n/, { KS_TRACEFS: "no-tracefs-here" }],
  ["misspelt syscall tracepoint, no tracefs", ["init", "tracepoint/syscalls/sys_enter_opnat", "p4"], /no tracepoint `syscalls\/sys_enter_opnat`/, /did you mean `tracepoint\/syscalls\/sys_enter_openat`\?/, { KS_TRACEFS: "no-tracefs-here" }],
  ["misspelt probe target", ["init", "probe/vfs_reed", "p5"], /no function `vfs_reed`/, /did you mean `probe\/vfs_read`\?/],
  ["misspelt probe target with an offset", ["init", "probe/do_exitt+8", "p6"], /no function `do_exitt`/, /did you mean `probe\/do_exit\+8`\?/],
  ["misspelt struct_ops", ["init", "tcp_congestion_op", "p7"], /unknown project kind `tcp_congestion_op`/, /did you mean `tcp_congestion_ops`\?/],
  ["sched_ext_ops on a kernel without it", ["init", "sched_ext_ops", "p8"], /no sched_ext: it was built without CONFIG_SCHED_CLASS_EXT/, /valid kinds:/],
  ["misspelt catalogue kind lists every program type", ["init", "cgroup_skbb", "p11"], /unknown project kind `cgroup_skbb`/, /did you mean `cgroup_skb`\?.*cgroup_sock_addr\[\/TARGET\].*uprobe\[\/TARGET\].*sk_skb\[\/TARGET\]/],
  ["template target not among the row's choices", ["init", "cgroup_skb/sideways", "p12"], /`sideways` is not a target of `@cgroup_skb`/, /use one of `cgroup_skb\/ingress`, `cgroup_skb\/egress`/],
  ["template target not in the row's format", ["init", "uprobe/bash", "p13"], /`bash` is not a target of `@uprobe`/, /write it like `uprobe\/\/usr\/bin\/bash:readline`/],
  ["template target for a type that takes none", ["init", "sockops/x", "p14"], /`@sockops` takes no target/, /write `sockops`/],
  ["existing directory", ["init", "xdp", "taken"], /`taken` already exists/, /choose another NAME/],
  ["name that is not an identifier", ["init", "xdp", "my-filter"], /`my-filter` is not an identifier/, /letters, digits and `_`/],
  ["BTF that is not BTF", ["init", "xdp", "p9", "--btf", "not-btf"], /`not-btf` is not usable BTF: not BTF data/, /--btf PATH/],
];

describe("kernelscript init refusals", { skip: btfMissing }, () => {
  for (const [title, args, problem, help, env] of refusals) {
    it(title, async () => {
      const before = readdirSync(work).sort();
      const run = await runCli(args, { cwd: work, env: { KS_TRACEFS: "no-tracefs-here", ...env } });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, problem);
      assert.match(run.stderr, new RegExp(`= help: .*${help.source}`));
      assert.ok(!hasStackTrace(run.stderr));
      assert.deepEqual(readdirSync(work).sort(), before, "nothing written");
    });
  }

  it("a missing BTF file is an environment problem (exit 3) with the fix", async () => {
    const run = await runCli(["init", "xdp", "p10", "--btf", "/nonexistent/vmlinux"], { cwd: work });
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /cannot read the kernel's BTF at `\/nonexistent\/vmlinux` \(ENOENT\)\n  = fix: check the path given with --btf/);
  });

  it("writes NAME/NAME.ks, the header and a README; -o chooses the directory", async () => {
    const run = await runCli(["init", "tracepoint/sched/sched_switch", "switches", "-o", "elsewhere"], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(join(work, "elsewhere")).sort(), ["README.md", "switches.ks", "tracepoint.kh"]);
    const source = readFileSync(join(work, "elsewhere", "switches.ks"), "utf8");
    assert.match(source, /@tracepoint\("sched\/sched_switch"\)\nfn sched_sched_switch_handler\(ctx: \*trace_event_raw_sched_switch\) -> i32/);
    const header = readFileSync(join(work, "elsewhere", "tracepoint.kh"), "utf8");
    assert.match(header, /struct trace_event_raw_sched_switch \{\n    ent: trace_entry,\n    prev_comm: char\[16\],\n    prev_pid: i32,/);
    assert.match(header, /struct trace_entry \{\n    type: u16,/);
  });

  it("struct_ops headers carry the real method prototypes", async () => {
    const run = await runCli(["init", "tcp_congestion_ops", "mycc"], { cwd: work });
    assert.equal(run.code, 0, run.stderr);
    const header = readFileSync(join(work, "mycc", "tcp_congestion_ops.kh"), "utf8");
    assert.match(header, /cong_avoid: fn\(sk: \*sock, arg1: u32, arg2: u32\) -> void,/);
    assert.match(header, /enum tcp_ca_event \{\n    CA_EVENT_TX_START = 0,/);
    const source = readFileSync(join(work, "mycc", "mycc.ks"), "utf8");
    assert.match(source, /fn ssthresh\(sk: \*sock\) -> u32/);
    assert.match(source, /name: "mycc",/);
  });
});

// The generated programs, as goldens (tests/cases/init/KIND.ks.golden). System-call
// tracepoints read their record from tracefs: a copy of this kernel's format files
// (tests/cases/init/tracefs) stands in for it; without tracefs the shared BTF record.
const casesDir = join(repoRoot, "tests", "cases", "init");
const templates: readonly (readonly [string, string, boolean])[] = [
  ["tracepoint/syscalls/sys_enter_openat", "opens", true],
  ["tracepoint/syscalls/sys_exit_openat", "open_results", true],
  ["tracepoint/syscalls/sys_enter_openat", "opens_no_tracefs", false],
  ["tracepoint/sched/sched_switch", "switches", true],
  ["xdp", "frames", true],
  ["tc/ingress", "packets", true],
  ["perf_event", "samples", true],
  ["probe/vfs_read", "reads", true],
  ["tcp_congestion_ops", "fixedcc", true],
];

describe("kernelscript init templates", { skip: btfMissing }, () => {
  for (const [kind, name, tracefs] of templates) {
    it(`${kind} ${name}${tracefs ? "" : " (no tracefs)"}: the golden program, which checks`, async () => {
      const env = { KS_TRACEFS: tracefs ? join(casesDir, "tracefs") : "no-tracefs-here" };
      const run = await runCli(["init", kind, name], { cwd: work, env });
      assert.equal(run.code, 0, run.stderr);
      expectGolden(readFileSync(join(work, name, `${name}.ks`), "utf8"), join(casesDir, `${name}.ks.golden`));
      const check = await runCli(["check", `${name}.ks`], { cwd: join(work, name), env });
      assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
      assert.doesNotMatch(check.stderr, /warning/);
    });
  }

  it("a system call's record struct has the real argument names and types from tracefs", async () => {
    const source = readFileSync(join(work, "opens", "opens.ks"), "utf8");
    assert.match(source, /struct sys_enter_openat_args \{\n    common: u64, .*\n    __syscall_nr: i32,\n    pad: i32,\n    dfd: i64, .*\n    filename: \*u8, .*\n    flags: i64, .*\n    mode: u64, /);
    assert.match(source, /fn syscalls_sys_enter_openat_handler\(ctx: \*sys_enter_openat_args\) -> i32/);
    assert.match(source, /e\.filename = str\(ctx\.filename, 128\)/);
    const fallback = readFileSync(join(work, "opens_no_tracefs", "opens_no_tracefs.ks"), "utf8");
    assert.match(fallback, /tracefs \(events\/syscalls\/\.\.\.\/format\) was not readable/);
    assert.match(fallback, /ctx: \*trace_event_raw_sys_enter/);
  });
});

// One project per row of the program-type catalogue (its `init` column): each is made,
// checked by the compiler without a warning, and built with -Werror (clang and cc) without
// loading; the kernel part is tests/kernel/init.test.ts.
describe("kernelscript init for every program type of the catalogue", { skip: btfMissing }, () => {
  for (const { programType, kind } of exampleInitKinds()) {
    it(`${programType}: \`init ${kind}\` checks and builds with -Werror`, async () => {
      const name = `every_${programType}`;
      const env = { KS_TRACEFS: "no-tracefs-here", CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };
      const run = await runCli(["init", kind, name], { cwd: work, env });
      assert.equal(run.code, 0, run.stderr);
      const dir = join(work, name);
      const check = await runCli(["check", `${name}.ks`], { cwd: dir, env });
      assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
      assert.doesNotMatch(check.stderr, /warning/);
      const build = await runCli(["build", `${name}.ks`, "--no-kernel-check", "--deny-warnings"], { cwd: dir, env });
      assert.equal(build.code, 0, `${build.stdout}${build.stderr}`);
      assert.match(build.stdout + build.stderr, /clang .*-Werror/);
      assert.ok(existsSync(join(dir, name, `${name}.bpf.o`)) && existsSync(join(dir, name, name)), "the object and the loader");
    });
  }
});
