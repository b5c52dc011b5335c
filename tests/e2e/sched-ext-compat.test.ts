// sched_ext_simple's generated output, made on this kernel (whose BTF has no
// sched_ext_ops), must also be right on a kernel that has sched_ext. No such kernel is
// here, so its vmlinux.h is fabricated: this machine's vmlinux.h plus the sched_ext
// declarations such a kernel's BTF gives (bpftool's spelling: kernel typedefs, ENUM64
// values with ULL, the real 6.12 member list including the cgroup methods our header
// leaves out, and kfunc prototypes as bpftool >= 7.5 writes them into vmlinux.h).
// Built unchanged through the generated Makefile, the object must use the header's
// types (the Makefile defines KS_HAVE_SCHED_EXT_OPS) and nothing may be redefined; the
// same C without the macro must fail, which shows the guard is what prevents the clash.

import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { buildOutputDir } from "../../src/runner/build.js";
import { testVmlinuxHeader } from "../harness/build-cache.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";

const sched_ext_declarations = `
struct scx_exit_info { int kind; s64 exit_code; const char *reason; unsigned long *bt; u32 bt_len; char *msg; char *dump; };
struct scx_init_task_args { bool fork; struct cgroup *cgroup; };
struct scx_exit_task_args { bool cancelled; };
struct scx_cpu_acquire_args {};
struct scx_cpu_release_args { int reason; struct task_struct *task; };
struct scx_dump_ctx { int kind; s64 exit_code; const char *reason; u64 at_ns; u64 at_jiffies; };
struct scx_cgroup_init_args { u32 weight; };
enum scx_public_consts {
	SCX_OPS_NAME_LEN = 128ULL,
	SCX_SLICE_DFL = 20000000ULL,
	SCX_SLICE_INF = 18446744073709551615ULL,
};
enum scx_dsq_id_flags {
	SCX_DSQ_FLAG_BUILTIN = 9223372036854775808ULL,
	SCX_DSQ_FLAG_LOCAL_ON = 4611686018427387904ULL,
	SCX_DSQ_INVALID = 9223372036854775808ULL,
	SCX_DSQ_GLOBAL = 9223372036854775809ULL,
	SCX_DSQ_LOCAL = 9223372036854775810ULL,
	SCX_DSQ_LOCAL_ON = 13835058055282163712ULL,
	SCX_DSQ_LOCAL_CPU_MASK = 4294967295ULL,
};
struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *, s32, u64);
	void (*enqueue)(struct task_struct *, u64);
	void (*dequeue)(struct task_struct *, u64);
	void (*dispatch)(s32, struct task_struct *);
	void (*tick)(struct task_struct *);
	void (*runnable)(struct task_struct *, u64);
	void (*running)(struct task_struct *);
	void (*stopping)(struct task_struct *, bool);
	void (*quiescent)(struct task_struct *, u64);
	bool (*yield)(struct task_struct *, struct task_struct *);
	bool (*core_sched_before)(struct task_struct *, struct task_struct *);
	void (*set_weight)(struct task_struct *, u32);
	void (*set_cpumask)(struct task_struct *, const struct cpumask *);
	void (*update_idle)(s32, bool);
	void (*cpu_acquire)(s32, struct scx_cpu_acquire_args *);
	void (*cpu_release)(s32, struct scx_cpu_release_args *);
	s32 (*init_task)(struct task_struct *, struct scx_init_task_args *);
	void (*exit_task)(struct task_struct *, struct scx_exit_task_args *);
	void (*enable)(struct task_struct *);
	void (*disable)(struct task_struct *);
	void (*dump)(struct scx_dump_ctx *);
	void (*dump_cpu)(struct scx_dump_ctx *, s32, bool);
	void (*dump_task)(struct scx_dump_ctx *, struct task_struct *);
	s32 (*cgroup_init)(struct cgroup *, struct scx_cgroup_init_args *);
	void (*cgroup_exit)(struct cgroup *);
	s32 (*cgroup_prep_move)(struct task_struct *, struct cgroup *, struct cgroup *);
	void (*cgroup_move)(struct task_struct *, struct cgroup *, struct cgroup *);
	void (*cgroup_cancel_move)(struct task_struct *, struct cgroup *, struct cgroup *);
	void (*cgroup_set_weight)(struct cgroup *, u32);
	void (*cpu_online)(s32);
	void (*cpu_offline)(s32);
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *);
	u32 dispatch_max_batch;
	u64 flags;
	u32 timeout_ms;
	u32 exit_dump_len;
	u64 hotplug_seq;
	char name[128];
};
extern s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags, bool *is_idle) __attribute__((weak)) __attribute__((section(".ksyms")));
extern void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __attribute__((weak)) __attribute__((section(".ksyms")));
extern bool scx_bpf_dsq_move_to_local(u64 dsq_id) __attribute__((weak)) __attribute__((section(".ksyms")));
`;

const skip = buildSkipReason();

test("sched_ext_simple: the same output builds with -Werror against a vmlinux.h that has sched_ext", { skip: skip ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-sched-ext-compat-"));
  try {
    compileToDirectory(join(repoRoot, "examples", "upstream", "sched_ext_simple.ks"), dir);
    const source = readFileSync(join(dir, "sched_ext_simple.bpf.c"), "utf8");
    assert.match(source, /#ifndef KS_HAVE_SCHED_EXT_OPS\n[^]*struct sched_ext_ops \{[^]*#endif/, "the output carries its guarded declarations");
    copyFileSync(testVmlinuxHeader(), join(dir, "vmlinux.h"));
    appendFileSync(join(dir, "vmlinux.h"), sched_ext_declarations);

    const build = buildOutputDir(dir, { werror: true });
    assert.ok(build.ok, `make failed against the sched_ext vmlinux.h:\n${build.stdout}\n${build.stderr}`);
    assert.match(build.stdout, /-DKS_HAVE_SCHED_EXT_OPS/, "the Makefile saw sched_ext_ops in vmlinux.h");
    // The object's sched_ext_ops is vmlinux.h's (it has the cgroup methods ours lacks).
    const dump = spawnSync("bpftool", ["btf", "dump", "file", build.bpfObject], { encoding: "utf8" });
    assert.equal(dump.status, 0, dump.stderr);
    const ops = dump.stdout.split("\n").findIndex((l) => /STRUCT 'sched_ext_ops'/.test(l));
    assert.ok(ops >= 0, "the object describes sched_ext_ops");
    assert.match(dump.stdout.split("\n").slice(ops, ops + 40).join("\n"), /'cgroup_init'/);

    // Without the guard's macro the same C redefines the kernel's types: the guard matters.
    const unguarded = spawnSync("clang", ["-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall", "-Werror", "-I.",
      "-c", "sched_ext_simple.bpf.c", "-o", "unguarded.o"], { cwd: dir, encoding: "utf8" });
    assert.notEqual(unguarded.status, 0, "building without KS_HAVE_SCHED_EXT_OPS must fail against this header");
    assert.match(unguarded.stderr, /redefinition of 'sched_ext_ops'|redefinition of enumerator/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
