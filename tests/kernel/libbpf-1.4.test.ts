// Generated loaders against libbpf 1.4 (Debian bookworm-backports), next to the system's
// 1.1: the .debs are downloaded once into /var/cache/kernelscript-tests (never into the
// repository), unpacked with dpkg-deb -x into a private prefix, and the Makefile's
// LIBBPF_INCLUDE / LIBBPF_LIB point the build at it (-I, -L and an rpath). A
// representative set of examples builds with -Wall -Werror against both; then a TC
// loader built against 1.4 runs on a veth pair: it must take the TCX path
// (bpf_program__attach_tcx: TCX links, no clsact qdisc), count real traffic in both
// directions, and leave nothing attached after SIGINT.
// Skipped, with the reason, only when deb.debian.org cannot be reached.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildResult } from "../../src/runner/build.js";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { headerVersion, MirrorUnreachable, privateLibbpf, type PrivateLibbpf } from "../../src/runner/libbpf-deb.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, sendFrames, withVethPair, type VethPair } from "../../src/runner/netns.js";
import { buildForKernel, kernelTests, repoRoot } from "./helpers.js";

let libbpf: PrivateLibbpf | undefined;
let unreachable: string | undefined;
if (networkSkipReason() === undefined) {
  try {
    libbpf = privateLibbpf("1.4");
  } catch (error) {
    if (!(error instanceof MirrorUnreachable)) throw error;
    unreachable = error.message;
  }
}
const kernelTest = kernelTests("libbpf-1.4.test", networkSkipReason() ?? unreachable);

const representative: readonly (readonly [string, string])[] = [
  ["XDP", "examples/xdp_reflect.ks"],
  ["TC", "tests/kernel/fixtures/tc_sizes.ks"],
  ["tracepoint", "examples/upstream/tracepoint_sched_switch.ks"],
  ["perf event", "examples/upstream/perf_page_fault.ks"],
  ["struct_ops", "examples/upstream/struct_ops_simple.ks"],
  ["ring buffer", "examples/ringbuf_events.ks"],
  ["tail calls", "examples/tail_calls.ks"],
  // uprobe/uretprobe/USDT (usdt.bpf.h), kretprobe/ksyscall/kretsyscall, fexit/LSM.
  ["user-space probes", "tests/cases/emit/probes-user.ks"],
  ["kernel return probes", "tests/cases/emit/probes-kernel-return.ks"],
  ["fexit and LSM", "tests/cases/emit/probes-fexit-lsm.ks"],
  // Pinned maps and globals: the pin layout check and the bpffs set-up of the runtime.
  ["pinned maps", "tests/kernel/fixtures/pinned_stats.ks"],
  ["pinned globals", "tests/kernel/fixtures/gc_pinned.ks"],
  // Cgroup links, the netfilter link through bpf() and the netfilter type set by value.
  ["cgroup, netfilter and flow dissector", "tests/cases/emit/cgroup-programs.ks"],
];

function libbpfArgs(lib: PrivateLibbpf): string[] {
  return [`LIBBPF_INCLUDE=${lib.include}`, `LIBBPF_LIB=${lib.lib}`];
}

/** Builds `ks` with -Werror against `lib` (the system's 1.1 when undefined), outside the kernel lock. */
function build(ks: string, lib: PrivateLibbpf | undefined): BuildResult & { cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ks-libbpf14-"));
  compileToDirectory(join(repoRoot, ks), dir);
  const result = buildForKernel(dir, { makeArgs: lib ? libbpfArgs(lib) : [] });
  if (!result.ok) rmSync(dir, { recursive: true, force: true });
  assert.ok(result.ok, `${ks} against libbpf ${lib?.version ?? "1.1 (system)"}:\n${result.stdout}\n${result.stderr}`);
  return { ...result, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The libbpf.so the dynamic linker picks for `binary`. */
function linkedLibbpf(binary: string): string {
  const ldd = spawnSync("ldd", [binary], { encoding: "utf8" });
  return /libbpf\.so\.\S+ => (\S+)/.exec(ldd.stdout)?.[1] ?? `(not found)\n${ldd.stdout}`;
}

kernelTest("the private prefix holds libbpf 1.4 headers and library", () => {
  assert.match(libbpf!.version, /^1\.4\./);
  assert.equal(headerVersion(libbpf!.include), "1.4");
});

kernelTest("XDP, TC, tracepoint, perf event, struct_ops, ring buffer, tail-call, pinning and probe-family (uprobe, USDT, kretprobe, fexit, LSM) loaders build with -Werror against libbpf 1.1 and 1.4", () => {
  for (const [what, ks] of representative) {
    const old = build(ks, undefined);
    const recent = build(ks, libbpf);
    try {
      assert.match(recent.stdout, new RegExp(`-I${libbpf!.include.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`), "compiled with the private headers");
      assert.match(recent.stdout, /-Werror/);
      assert.ok(linkedLibbpf(recent.binary).startsWith(libbpf!.lib), `${what} loader runs with the private libbpf: ${linkedLibbpf(recent.binary)}`);
      assert.ok(!linkedLibbpf(old.binary).startsWith(libbpf!.lib), `${what} loader against the system libbpf`);
    } finally {
      old.cleanup();
      recent.cleanup();
    }
  }
});

function run(argv: readonly string[]): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

function tcState(pair: VethPair): string {
  return [
    run(inNamespace(pair.loaderNamespace, ["tc", "qdisc", "show", "dev", pair.loaderInterface])),
    run(inNamespace(pair.loaderNamespace, ["tc", "filter", "show", "dev", pair.loaderInterface, "ingress"])),
    run(inNamespace(pair.loaderNamespace, ["tc", "filter", "show", "dev", pair.loaderInterface, "egress"])),
  ].join("");
}

/** Link ids of TCX links on `ifindex` (bpftool 7.1 does not know TCX by name: link type 11). */
function tcxLinks(): string {
  return run(["bpftool", "link", "show"]).split("\n").filter((line) => /^\d+: (tcx|type 11)\b/.test(line)).join("\n");
}

kernelTest("a TC loader built against libbpf 1.4 attaches TCX links, counts both directions, and SIGINT leaves nothing", async () => {
  const built = build("tests/kernel/fixtures/tc_sizes.ks", libbpf);
  try {
    await withVethPair(async (pair) => {
      const before = tcxLinks();
      const loader = startLoader(inNamespace(pair.loaderNamespace, [built.binary, "-i", pair.loaderInterface, "--interval", "0.2"]));
      try {
        await loader.waitFor("printing maps");
        assert.match(loader.stderr(), /attached tc_ingress_sizes \(tc\)/);
        const links = tcxLinks().split("\n").filter((line) => line !== "" && !before.includes(line));
        assert.equal(links.length, 2, `two new TCX links (ingress, egress):\n${run(["bpftool", "link", "show"])}`);
        assert.doesNotMatch(tcState(pair), /clsact|tc_ingress_size|tc_egress_count/, "TCX, not clsact filters");
        sendFrames(pair, 1500, 3);
        const ping = run(inNamespace(pair.peerNamespace, ["ping", "-c", "5", "-i", "0.2", "-W", "1", pair.loaderAddress]));
        assert.match(ping, /5 received/, ping);
        await loader.waitFor(/^tc_seen\[1\] = 3$/m);
        // Ingress: the 5 echo requests (and ARP); egress: the 5 replies (and ARP).
        await loader.waitFor(/^tc_seen\[0\] = ([5-9]|\d\d+)$/m);
        await loader.waitFor(/^tc_seen\[2\] = ([5-9]|\d\d+)$/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const final = parseSnapshots(loader.stdout()).at(-1)!.maps.get("tc_seen")!;
        console.log(`TCX on libbpf ${libbpf!.version}: ingress small ${final.entries.get("0")}, ingress large ${final.entries.get("1")}, egress ${final.entries.get("2")}`);
        assert.equal(tcxLinks(), before, "no TCX link left");
        assert.doesNotMatch(tcState(pair), /clsact|tc_ingress_size|tc_egress_count/);
        assert.doesNotMatch(run(["bpftool", "prog", "show"]), /tc_ingress_size|tc_egress_count/, "programs unloaded");
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    built.cleanup();
  }
});

// libbpf >= 1.4 turns an unresolved weak kfunc call into `<invalid kfunc call>` and
// rewrites the verifier's complaint; the loader's report still names the kfunc (E0469).
kernelTest("a loader built against libbpf 1.4 names a kfunc the running kernel lacks (E0469)", () => {
  const built = build("tests/kernel/fixtures/kfunc_absent.ks", libbpf);
  try {
    const result = spawnSync(built.binary, ["-i", "lo"], { cwd: built.dir, encoding: "utf8" });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /^error\[E0469\]: program 'absent_kfunc_xdp' calls kfunc 'ks_absent_kfunc', which the running kernel does not have/m);
    assert.ok(result.stderr.includes("--> kfunc_absent.ks:8 (kfunc_absent.bpf.c:"), result.stderr);
    assert.match(result.stderr, /= the verifier said: kfunc 'ks_absent_kfunc' is referenced but wasn't resolved/);
  } finally {
    built.cleanup();
  }
});
