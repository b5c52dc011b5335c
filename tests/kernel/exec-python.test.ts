// Kernel tests of the user-space hand-overs:
// - exec(): the loader attaches XDP to a veth end in a namespace this test creates, seeds
//   maps and execs a Python script; the script reads them through the generated module,
//   changes them (read back here with bpftool while the script waits), then counts the
//   frames this test sent after the exec (the attachment survived the hand-over); when
//   the script exits nothing stays attached.
// - Python imports: user space calls Python functions with arguments; an exception
//   prints its traceback and exits 1.
// - daemon(): the loader detaches from the terminal, writes /var/run/NAME.pid and keeps
//   XDP attached; SIGTERM detaches everything and removes the pid file.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { inNamespace, sendFrames, withVethPair, xdpAttached } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("exec-python.test", networkSkipReason() ?? pythonSkipReason());
const emitCase = (name: string): string => join(repoRoot, "tests", "cases", "emit", name);

function pythonSkipReason(): string | undefined {
  const python = spawnSync("python3", ["-c", "import ctypes"], { encoding: "utf8" });
  if (python.status !== 0) return "python3 is not installed (make system-packages installs it)";
  const config = spawnSync("python3-config", ["--embed", "--ldflags"], { encoding: "utf8" });
  return config.status === 0 ? undefined : "python3-config is missing (python3-dev)";
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Entries of the map `name` as bpftool formats them (BTF), read inside `namespace`. */
function dumpMap(namespace: string, name: string): unknown[] {
  const argv = inNamespace(namespace, ["bpftool", "-j", "map", "dump", "name", name]);
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return (JSON.parse(result.stdout) as { formatted: unknown }[]).map((e) => e.formatted);
}

kernelTest("exec(): the Python script reads and changes the maps, and the attachment survives the hand-over", async () => {
  const build = compileAndBuild(emitCase("exec-python-exec.ks"));
  try {
    await withVethPair(async (pair) => {
      const argv = inNamespace(pair.loaderNamespace, [build.binary, "--interface", pair.loaderInterface]);
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      try {
        assert.ok(await eventually(() => out.includes("ready\n") || child.exitCode !== null, 20_000), `no "ready": ${out}${err}`);
        assert.ok(out.includes("ready\n"), `the script stopped early:\n${out}\n${err}`);
        // The script changed the maps: bpftool sees what it wrote.
        const names = dumpMap(pair.loaderNamespace, "ep_names") as { key: { data: string }; value: number }[];
        assert.deepEqual(names.map((e) => [e.key.data, e.value]).sort(), [["alpha", 11], ["beta", 2]]);
        const flows = dumpMap(pair.loaderNamespace, "ep_flows") as { key: number; value: { packets: number; label: { data: string } } }[];
        assert.deepEqual(flows.map((e) => [e.key, e.value.packets, e.value.label.data]), [[7, 4, "seven"]]);
        // Frames after the exec are counted: the XDP link lives on in the Python process.
        assert.ok(xdpAttached(pair), "XDP stays attached while the script runs");
        sendFrames(pair, 100, 3);
        child.stdin.end("\n");
        const code = await exited;
        assert.equal(code, 0, err);
        assert.equal(out, [
          "handing over on veth0",
          "args: ['veth0', '-42', '7']",
          "maps: ['ep_flows', 'ep_frames', 'ep_names', 'ep_percpu']",
          "flow 7: 3 1500 seven 17 [53, 80, 443] EP_DROP",
          "names: [('alpha', 1)]",
          "7 in ep_flows: True 8 in ep_flows: False",
          "ready",
          "after: 4 [('alpha', 11), ('beta', 2)]",
          "frames: 3 per-cpu: 3 cpus: True",
          "deleted: ['alpha']",
          "",
        ].join("\n"));
        // The script's exit closed the last link fd: nothing is left on the interface.
        assert.ok(await eventually(() => !xdpAttached(pair), 3000), "the XDP link is released when the script exits");
      } finally {
        child.kill("SIGKILL");
      }
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("exec(): a script that cannot run gives a clear error, a non-zero exit and detaches", async () => {
  const build = compileAndBuild(emitCase("exec-python-exec.ks"));
  try {
    spawnSync("rm", ["-f", join(build.dir, "ep_reader.py")]);
    await withVethPair((pair) => {
      const argv = inNamespace(pair.loaderNamespace, [build.binary, "--interface", pair.loaderInterface]);
      const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /^error: exec\(\): cannot read the Python script .*ep_reader\.py: No such file or directory/m);
      assert.ok(!xdpAttached(pair), "the failed hand-over detached the program");
    });
  } finally {
    build.cleanup();
  }
});

kernelTest("Python import: user space calls Python functions with arguments and uses the results", () => {
  const build = compileAndBuild(emitCase("exec-python-import.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, [
      "room 1458, sum 40000000002, jumbo 1",
      "describe: veth0 carries 1458 payload bytes",
      "python: from KernelScript",
      "",
    ].join("\n"));
    const failing = spawnSync(build.binary, ["--fail", "1"], { encoding: "utf8", timeout: 20_000 });
    assert.equal(failing.status, 1);
    assert.match(failing.stderr, /Traceback \(most recent call last\):[\s\S]*ValueError: division by zero requested/);
    assert.match(failing.stderr, /error: calc\.checked_div\(\) failed with a Python exception/);
    assert.doesNotMatch(failing.stdout, /checked/);
  } finally {
    build.cleanup();
  }
});

kernelTest("daemon(): runs in the background with a pid file; SIGTERM detaches and removes it", async () => {
  const build = compileAndBuild(emitCase("exec-python-daemon.ks"));
  const pidFile = "/var/run/exec-python-daemon.pid";
  let pid = 0;
  try {
    await withVethPair(async (pair) => {
      const argv = inNamespace(pair.loaderNamespace, [build.binary, "--interface", pair.loaderInterface]);
      // The foreground process returns once the daemon has detached.
      const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, "attached to veth0; running in the background\n");
      assert.ok(await eventually(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").endsWith("\n"), 3000), "pid file written");
      pid = Number(readFileSync(pidFile, "utf8").trim());
      assert.ok(pid > 0 && processAlive(pid), "the daemon runs");
      const status = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Field 6 (after the name) is the session id: the daemon leads its own session.
      const fields = status.slice(status.lastIndexOf(")") + 2).split(" ");
      assert.equal(Number(fields[3]), pid, "the daemon is a session leader (setsid)");
      assert.ok(xdpAttached(pair), "XDP stays attached after the foreground process returned");
      sendFrames(pair, 80, 2);
      const frames = dumpMap(pair.loaderNamespace, "ep_dmn_frames") as { key: number; value: number }[];
      assert.deepEqual(frames, [{ key: 0, value: 2 }]);
      process.kill(pid, "SIGTERM");
      assert.ok(await eventually(() => !processAlive(pid), 3000), "the daemon exits on SIGTERM");
      assert.ok(!existsSync(pidFile), "the pid file is removed");
      assert.ok(await eventually(() => !xdpAttached(pair), 3000), "nothing is left attached");
    });
  } finally {
    if (pid > 0 && processAlive(pid)) process.kill(pid, "SIGKILL");
    spawnSync("rm", ["-f", pidFile]);
    build.cleanup();
  }
});
