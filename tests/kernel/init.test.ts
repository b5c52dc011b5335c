// `kernelscript init` for every kind, then `kernelscript build` with -Werror (clang and
// cc), then — where this kernel allows — the generated loader runs and is checked: the
// XDP and TC projects on a veth pair in a throw-away namespace count the frames sent,
// the tracepoint project reports scheduler switches, the syscalls/sys_enter_openat project
// names the file a test process opens, the perf_event project samples,
// tcp_congestion_ops registers; each is stopped by SIGINT or SIGTERM and leaves nothing
// attached, after printing its final report (event count, aggregation). fentry (lockdown) and kprobes (not configured) stop at the kernel boundary
// with the loader's one-line explanation.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair, xdpAttached, type VethPair } from "../../src/runner/netns.js";
import { runCli } from "../harness/cli.js";
import { kernelTests } from "./helpers.js";
import { programTypes } from "../../src/compiler/kernel/program-types.js";

const kernelTest = kernelTests("init.test", networkSkipReason());

interface Project {
  readonly loader: string;
  readonly dir: string;
  /** What `kernelscript build` printed (its kernel verifier check among it). */
  readonly output: string;
  cleanup(): void;
}

/** `init KIND NAME` in a fresh directory, then `build NAME.ks` inside it with -Werror. */
async function initAndBuild(kind: string, name: string): Promise<Project> {
  const work = mkdtempSync(join(tmpdir(), "ks-init-"));
  const init = await runCli(["init", kind, name], { cwd: work });
  assert.equal(init.code, 0, init.stderr);
  const dir = join(work, name);
  const env = { ...process.env, CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };
  const build = await runCli(["build", `${name}.ks`], { cwd: dir, env });
  if (build.code !== 0) rmSync(work, { recursive: true, force: true });
  assert.equal(build.code, 0, `${build.stdout}\n${build.stderr}`);
  assert.match(`${build.stdout}${build.stderr}`, /-Werror/, "the build used -Werror");
  return { loader: join(dir, name, name), dir, output: `${build.stdout}${build.stderr}`, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}

function run(argv: readonly string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

const count = (text: string, pattern: RegExp): number => (text.match(new RegExp(pattern.source, "gm")) ?? []).length;

async function packetProject(kind: string, name: string, signal: NodeJS.Signals, attached: (pair: VethPair) => boolean): Promise<void> {
  const project = await initAndBuild(kind, name);
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [project.loader, "--interface", pair.loaderInterface]));
      try {
        await loader.waitFor("Ctrl-C to stop");
        assert.ok(attached(pair), "attached while the loader runs");
        sendFrames(pair, 333, 7);
        await loader.waitFor(/(packet \d+: 333 bytes on ifindex \d+\n[^]*){7}/);
        const exit = await loader.stop(signal);
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        assert.equal(count(loader.stdout(), /^packet \d+: 333 bytes/), 7);
        // The report after the loop: the count and the log2 histogram of sizes.
        assert.match(loader.stdout(), /^\d+ events$/m);
        const bucket = /^\[256, 512\)\s+(\d+) \|@+/m.exec(loader.stdout());
        assert.ok(bucket && Number(bucket[1]) >= 7, `the 333-byte frames in the histogram:\n${loader.stdout()}`);
        assert.ok(!attached(pair), "nothing attached after the loader exits");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    project.cleanup();
  }
}

function tcAttached(pair: VethPair): boolean {
  return /ks_init_tc_ing/.test(run(inNamespace(pair.loaderNamespace, ["bpftool", "net", "show", "dev", pair.loaderInterface])));
}

kernelTest("init xdp: builds with -Werror, counts the 7 frames sent on a veth, SIGINT detaches", async () => {
  await packetProject("xdp", "ks_init_xdp", "SIGINT", xdpAttached);
});

kernelTest("init tc/ingress: builds with -Werror, counts the 7 frames sent on a veth, SIGTERM detaches", async () => {
  await packetProject("tc/ingress", "ks_init_tc", "SIGTERM", tcAttached);
});

kernelTest("init tc/egress: builds with -Werror", async () => {
  (await initAndBuild("tc/egress", "ks_init_tc_out")).cleanup();
});

kernelTest("init tracepoint/sched/sched_switch: reports scheduler switches, SIGTERM detaches", async () => {
  const project = await initAndBuild("tracepoint/sched/sched_switch", "ks_init_tp");
  try {
    const loader = startLoader([project.loader]);
    try {
      await loader.waitFor(/^event 5: pid \d+ \(.*\), value \d+$/m);
      const id = /^(\d+): tracepoint\s+name sched_sched_swi/m.exec(run(["bpftool", "prog", "show"]))?.[1];
      assert.ok(id, "the program is loaded while the loader runs");
      assert.match(run(["bpftool", "link", "show"]), new RegExp(`prog ${id}\\b`), "and a link holds it");
      const exit = await loader.stop("SIGTERM");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      assert.match(loader.stdout(), /^\d+ events$/m);
      assert.match(loader.stdout(), /^ks_init_tp_by_comm \(percpu_hash<str\(16\), u64>\): top \d+ of \d+ entr(?:y|ies)\nks_init_tp_by_comm\[".*"\] = \d+$/m);
      assert.doesNotMatch(run(["bpftool", "prog", "show"]), /sched_sched_swi/, "the program is gone");
    } finally {
      await loader.stop("SIGKILL");
    }
  } finally {
    project.cleanup();
  }
});

kernelTest("init tracepoint/syscalls/sys_enter_openat: the record's real names; prints the file a test process opens, SIGINT ends it with its report", async () => {
  const project = await initAndBuild("tracepoint/syscalls/sys_enter_openat", "ks_init_open");
  try {
    const source = readFileSync(join(project.dir, "ks_init_open.ks"), "utf8");
    assert.match(source, /fn syscalls_sys_enter_openat_handler\(ctx: \*sys_enter_openat_args\)/, "the named record from tracefs");
    const loader = startLoader([project.loader]);
    try {
      await loader.waitFor("Ctrl-C to stop");
      // A file name no other process opens; cat opens it relative to nothing (AT_FDCWD).
      const file = join(project.dir, "opened-by-the-test");
      writeFileSync(file, "x");
      const opener = spawnSync("cat", [file], { encoding: "utf8" });
      assert.equal(opener.status, 0, opener.stderr);
      await loader.waitFor(new RegExp(`^event \\d+: pid \\d+ \\(cat\\), dfd -100, filename "${file}"$`, "m"));
      const exit = await loader.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      assert.match(loader.stdout(), /^\d+ events\nks_init_open_by_comm \(percpu_hash<str\(16\), u64>\): top \d+ of \d+ entr(?:y|ies)$/m);
      assert.match(loader.stdout(), /^ks_init_open_by_comm\["cat"\] = [1-9]\d*$/m);
      assert.doesNotMatch(run(["bpftool", "prog", "show"]), /syscalls_sys_en/, "the program is gone");
    } finally {
      await loader.stop("SIGKILL");
    }
  } finally {
    project.cleanup();
  }
});

kernelTest("init perf_event: samples CPU 0's cpu-clock, SIGINT detaches", async () => {
  const project = await initAndBuild("perf_event", "ks_init_perf");
  try {
    const loader = startLoader([project.loader]);
    try {
      await loader.waitFor(/^sample 3: cpu 0, pid \d+ \(.*\)$/m, 15_000);
      const exit = await loader.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      assert.match(loader.stdout(), /^ks_init_perf_by_comm \(percpu_hash<str\(16\), u64>\): top \d+ of \d+ entr(?:y|ies)$/m);
      assert.doesNotMatch(run(["bpftool", "prog", "show"]), /ks_init_perf_ha/, "the program is gone");
    } finally {
      await loader.stop("SIGKILL");
    }
  } finally {
    project.cleanup();
  }
});

kernelTest("init tcp_congestion_ops: registers while running, SIGINT unregisters", async () => {
  const project = await initAndBuild("tcp_congestion_ops", "ks_init_cc");
  const available = (): string[] => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
  try {
    const loader = startLoader([project.loader]);
    try {
      await loader.waitFor("ks_init_cc registered");
      assert.ok(available().includes("ks_init_cc"), available().join(" "));
      const exit = await loader.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      assert.ok(!available().includes("ks_init_cc"), "unregistered after SIGINT");
    } finally {
      await loader.stop("SIGKILL");
    }
  } finally {
    project.cleanup();
  }
});

kernelTest("init probe/vfs_read (fentry): builds with -Werror; this kernel refuses the load and the loader says why", async () => {
  const project = await initAndBuild("probe/vfs_read", "ks_init_fentry");
  try {
    const source = readFileSync(join(project.dir, "ks_init_fentry.ks"), "utf8");
    assert.match(source, /fn vfs_read\(file: \*file, buf: \*char, count: u64, pos: \*i64\) -> i32/);
    const loader = startLoader([project.loader]);
    const exit = await loader.exited;
    assert.equal(exit.code, 1, loader.stderr());
    assert.match(loader.stderr(), /cannot load the eBPF programs of ks_init_fentry into the kernel: Operation not permitted/);
  } finally {
    project.cleanup();
  }
});

kernelTest("init probe/vfs_read+16 (kprobe): builds with -Werror; no kprobes here, and the loader says so", async () => {
  const project = await initAndBuild("probe/vfs_read+16", "ks_init_kprobe");
  try {
    const loader = startLoader([project.loader]);
    const exit = await loader.exited;
    assert.equal(exit.code, 1, loader.stderr());
    assert.match(loader.stderr(), /this kernel has no kprobes \(CONFIG_KPROBES/);
    assert.doesNotMatch(run(["bpftool", "prog", "show"]), /\bvfs_read\b.*kprobe|kprobe.*name vfs_read/, "nothing left loaded");
  } finally {
    project.cleanup();
  }
});

// The catalogue's counter templates (its `init` column): each project builds with -Werror
// and, as root, `build` loads its program into the kernel: it must load, or be refused by
// the kernel itself (E0468: lockdown refuses fexit and LSM here), never by the verifier.
for (const info of programTypes) {
  if (info.init.kind !== "counter" || info.attribute === undefined) continue;
  const kind = info.attribute;
  kernelTest(`init ${kind}: builds with -Werror; its program loads (or the kernel refuses the type)`, async () => {
    const project = await initAndBuild(kind, `ks_init_${kind}`);
    try {
      if (!/kernel verifier check: 1 of 1 eBPF programs loaded/.test(project.output)) {
        assert.match(project.output, /warning\[E0468\]: the kernel verifier rejected program `ks_init_\w+_handler`: the kernel refuses this program type or operation here/, project.output);
      }
      assert.doesNotMatch(project.output, /E0450|rejected \(E0450\)/, "the verifier accepts it");
    } finally {
      project.cleanup();
    }
  });
}

kernelTest("init socket_filter: the default main's `-i lo` socket counts the pings by EtherType, SIGINT detaches", async () => {
  const project = await initAndBuild("socket_filter", "ks_init_sf");
  try {
    const loader = startLoader([project.loader, "-i", "lo", "--interval", "0.2"]);
    try {
      await loader.waitFor("--- snapshot 1 ---");
      const ping = spawnSync("ping", ["-c", "2", "-i", "0.2", "127.0.0.1"], { encoding: "utf8" });
      assert.equal(ping.status, 0, ping.stderr);
      // Each echo request and reply crosses lo once, and the packet socket sees both.
      await loader.waitFor(/^ks_init_sf_counts\[2048\] = ([4-9]|\d{2,})$/m);
      const exit = await loader.stop("SIGINT");
      assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
      assert.match(loader.stdout(), /^--- final ---\nks_init_sf_counts \(hash<u16, u64>\): \d+ entr(?:y|ies)$/m);
    } finally {
      await loader.stop("SIGKILL");
    }
  } finally {
    project.cleanup();
  }
});
