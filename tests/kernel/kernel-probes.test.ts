// The kernel-side probes this machine's kernel cannot run, up to its boundary
// (docs/kernel-limits.md): `@kretprobe`, `@ksyscall`, `@kretsyscall` build with -Werror
// and load (the verifier accepts them), then attaching fails because the kernel has no
// kprobes, and the loader says so; `@fexit` and `@lsm` (also with an `inode_storage`)
// build, and the kernel refuses to load them (EPERM: tracing loads are refused here), which the loader reports. Where the
// kernel has kprobes the first three must attach instead, and are detached on SIGINT.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, kernelTests, outsideKernelLock } from "./helpers.js";

const kernelTest = kernelTests("kernel-probes.test", kernelSkipReason());
const haveKprobes = existsSync("/sys/kernel/tracing/kprobe_events") || existsSync("/sys/kernel/debug/tracing/kprobe_events");

/** Builds `source` as NAME.ks (with -Werror) and runs its default loader; the loader's exit and stderr. */
async function runLoader(name: string, source: string, body: (loader: ReturnType<typeof startLoader>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `ks-${name}-`));
  try {
    const build = outsideKernelLock(() => {
      writeFileSync(join(dir, `${name}.ks`), source);
      return compileAndBuild(join(dir, `${name}.ks`));
    });
    try {
      const loader = startLoader([build.binary, "--interval", "0.1"]);
      try {
        await body(loader);
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kprobeFamily: readonly { name: string; attribute: string; target: string; params: string; shown: string }[] = [
  { name: "kret_unlink", attribute: "kretprobe", target: "do_unlinkat", params: "ret: i32", shown: "do_unlinkat" },
  { name: "ksys_openat", attribute: "ksyscall", target: "openat", params: "dfd: i32, path: *u8, flags: i32", shown: "openat" },
  { name: "kretsys_openat", attribute: "kretsyscall", target: "openat", params: "ret: i64", shown: "openat" },
];

for (const probe of kprobeFamily) {
  kernelTest(`@${probe.attribute}: loads; attaching works where the kernel has kprobes and says why where not`, async () => {
    const source = `var hits: array<u32, u64>(1)\n\n@${probe.attribute}("${probe.target}")\nfn on_event(${probe.params}) -> i32 {\n    hits[0] += 1\n    return 0\n}\n`;
    await runLoader(probe.name, source, async (loader) => {
      if (haveKprobes) {
        await loader.waitFor(`attached on_event (${probe.attribute}) to ${probe.shown}`);
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        return;
      }
      assert.deepEqual(await loader.exited, { code: 1, signal: null }, loader.stderr());
      assert.match(loader.stderr(), new RegExp(`^error: cannot attach probe 'on_event' to ${probe.shown}: this kernel has no kprobes`, "m"));
      assert.doesNotMatch(loader.stderr(), /cannot load/, "loading succeeded; only attaching is impossible here");
    });
  });
}

const tracingFamily: readonly { name: string; source: string }[] = [
  { name: "fexit_unlink", source: `var results: hash<i32, u64>(64)\n\n@fexit("do_unlinkat")\nfn on_event(dfd: i32, name: *filename, ret: i32) -> i32 {\n    results[ret] += 1\n    return 0\n}\n` },
  { name: "lsm_file_open", source: `var opens: hash<u32, u64>(64)\n\n@lsm("file_open")\nfn on_event(file: *file, ret: i32) -> i32 {\n    opens[pid()] += 1\n    return ret\n}\n` },
  // inode_storage<V>: LSM programs only; refused with them here.
  { name: "lsm_inode_storage", source: `var checks: inode_storage<u64>\n\n@lsm("inode_permission")\nfn on_event(inode: *inode, mask: i32, ret: i32) -> i32 {\n    checks.set(inode, checks.get(inode) + 1)\n    return ret\n}\n` },
];

for (const program of tracingFamily) {
  kernelTest(`${program.name}: builds; the loader reports the kernel's refusal to load it, or attaches where allowed`, async () => {
    await runLoader(program.name, program.source, async (loader) => {
      // Undefined once it attached; its exit when it stopped first.
      const exit = await loader.waitFor("attached on_event").then(() => undefined, () => loader.exited);
      if (exit === undefined) {
        // A kernel without lockdown and with BPF LSM enabled runs it: it must detach cleanly.
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        return;
      }
      assert.deepEqual(exit, { code: 1, signal: null }, loader.stderr());
      assert.match(loader.stderr(), new RegExp(`^error: cannot load the eBPF programs of ${program.name} into the kernel: Operation not permitted; the kernel refuses it even to root`, "m"));
    });
  });
}
