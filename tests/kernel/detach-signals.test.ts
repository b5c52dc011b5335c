// Whatever a generated loader attached is gone after SIGINT and after SIGTERM, for the
// attach kinds not covered by the XDP/TC tests (loader-veth.test, tc-attach.test check
// both signals on veth pairs): tracepoint links, perf-event links, struct_ops
// registrations, and the kprobe boundary (no kprobes here: the loader exits by itself
// and must not leave its loaded programs behind). Checked with bpftool (prog, link,
// struct_ops) and the kernel's congestion-control list, not only the exit code.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("detach-signals.test", kernelSkipReason());

function bpftool(args: readonly string[]): string {
  const result = spawnSync("bpftool", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

/** Ids of loaded programs whose (15-character) name starts with `name`. */
function programIds(name: string): string[] {
  const short = name.slice(0, 15);
  return [...bpftool(["prog", "show"]).matchAll(/^(\d+): \S+\s+name (\S+)/gm)].filter((m) => m[2] === short || m[2] === name).map((m) => m[1]!);
}

function linksOf(ids: readonly string[]): string[] {
  return bpftool(["link", "show"]).split("\n").filter((line) => ids.some((id) => new RegExp(`\\bprog ${id}\\b`).test(line)));
}

const fixture = (name: string): string => join(repoRoot, "tests", "kernel", "fixtures", name);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  kernelTest(`tracepoint: the link and program are gone after ${signal}`, async () => {
    const build = compileAndBuild(fixture("kill_probes.ks"));
    const loader = startLoader([build.binary, "--interval", "0.2"]);
    try {
      await loader.waitFor("attached count_kill_probes (tracepoint)");
      const ids = programIds("count_kill_probes");
      assert.equal(ids.length, 1);
      assert.equal(linksOf(ids).length, 1, "one link holds it while the loader runs");
      assert.deepEqual(await loader.stop(signal), { code: 0, signal: null }, loader.stderr());
      assert.deepEqual(linksOf(ids), []);
      assert.deepEqual(programIds("count_kill_probes").filter((id) => ids.includes(id)), []);
    } finally {
      await loader.stop("SIGKILL");
      build.cleanup();
    }
  });

  kernelTest(`perf event: every per-CPU perf link is gone after ${signal}`, async () => {
    const build = compileAndBuild(fixture("perf_default_sampling.ks"));
    const loader = startLoader([build.binary, "--interval", "0.2"]);
    try {
      await loader.waitFor(/attached perf_sample_cpu \(perf_event\) to cpu-clock at 99 Hz on (\d+) CPUs/);
      const cpus = Number(/on (\d+) CPUs/.exec(loader.stderr())![1]);
      const ids = programIds("perf_sample_cpu");
      assert.equal(ids.length, 1);
      assert.equal(linksOf(ids).length, cpus, "one perf link per CPU while the loader runs");
      assert.deepEqual(await loader.stop(signal), { code: 0, signal: null }, loader.stderr());
      assert.deepEqual(linksOf(ids), []);
      assert.deepEqual(programIds("perf_sample_cpu").filter((id) => ids.includes(id)), []);
    } finally {
      await loader.stop("SIGKILL");
      build.cleanup();
    }
  });

  kernelTest(`struct_ops: the congestion control is unregistered after ${signal}`, async () => {
    const available = (): string[] => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);
    const build = compileAndBuild(fixture("sigterm_cc.ks"));
    const loader = startLoader([build.binary, "--interval", "0.2"]);
    try {
      await loader.waitFor("registered ks_sig_cc (tcp_congestion_ops)");
      assert.ok(available().includes("ks_sig_cc"));
      assert.match(bpftool(["struct_ops", "show"]), /ks_sig_cc/);
      assert.deepEqual(await loader.stop(signal), { code: 0, signal: null }, loader.stderr());
      assert.ok(!available().includes("ks_sig_cc"), "unregistered");
      assert.doesNotMatch(bpftool(["struct_ops", "show"]), /ks_sig_cc/);
    } finally {
      await loader.stop("SIGKILL");
      build.cleanup();
    }
  });

  kernelTest(`kprobe boundary: attached while the loader runs where kprobes exist; otherwise nothing is left loaded (${signal})`, async () => {
    const build = compileAndBuild(fixture("kprobe_unlink.ks"));
    const loader = startLoader([build.binary, "--interval", "0.2"]);
    try {
      if (existsSync("/sys/kernel/tracing/kprobe_events") || existsSync("/sys/kernel/debug/tracing/kprobe_events")) {
        await loader.waitFor("attached on_unlink (kprobe)");
        const ids = programIds("on_unlink");
        assert.equal(linksOf(ids).length, 1);
        assert.deepEqual(await loader.stop(signal), { code: 0, signal: null }, loader.stderr());
        assert.deepEqual(linksOf(ids), []);
      } else {
        // No kprobes: the loader stops at attach (exit 1), before any signal matters.
        assert.deepEqual(await loader.exited, { code: 1, signal: null });
        assert.match(loader.stderr(), /this kernel has no kprobes/);
      }
      assert.deepEqual(programIds("on_unlink"), [], "no kprobe program left loaded");
    } finally {
      await loader.stop("SIGKILL");
      build.cleanup();
    }
  });
}
