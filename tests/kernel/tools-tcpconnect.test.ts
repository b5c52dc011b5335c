// examples/tools/tcpconnect.ks with real TCP connects: a listening port (connected to
// twice), a closed one (refused, still a connect attempt) and IPv6 loopback, from a
// python3 process; the printed lines carry its pid, command, addresses and ports, the
// report printed after SIGINT counts the connects per port, the exit code is 0 and the
// tracepoint link is gone.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("tools-tcpconnect.test", kernelSkipReason());

function bpftool(args: readonly string[]): string {
  const result = spawnSync("bpftool", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

function tcpConnectLinks(): string[] {
  const ids = [...bpftool(["prog", "show"]).matchAll(/^(\d+): \S+\s+name (\S+)/gm)].filter((m) => m[2] === "tcp_connect").map((m) => m[1]!);
  return bpftool(["link", "show"]).split("\n").filter((line) => ids.some((id) => new RegExp(`\\bprog ${id}\\b`).test(line)));
}

// Ports nothing else here uses: one listens (accepting), the next is closed.
const open = 39871;
const closed = 39872;
const v6 = 39873;

const connects = `
import os, socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", ${open}))
server.listen(8)
def connect(family, address):
    s = socket.socket(family)
    try:
        s.connect(address)
    except OSError:
        pass
    s.close()
connect(socket.AF_INET, ("127.0.0.1", ${open}))
connect(socket.AF_INET, ("127.0.0.1", ${open}))
connect(socket.AF_INET, ("127.0.0.1", ${closed}))
connect(socket.AF_INET6, ("::1", ${v6}))
print(os.getpid())
`;

kernelTest("tcpconnect prints each connect with pid, comm, addresses and port, and the per-port report after SIGINT", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", "tcpconnect.ks"));
  const loader = startLoader([build.binary]);
  try {
    await loader.waitFor(/^PID +COMM +SADDR +DADDR +DPORT$/m);
    assert.equal(tcpConnectLinks().length, 1, "attached while it runs");
    const python = spawnSync("python3", ["-c", connects], { encoding: "utf8" });
    assert.equal(python.status, 0, python.stderr);
    const pid = python.stdout.trim();
    const ours = (): string[] => loader.stdout().split("\n").filter((l) => l.startsWith(`${pid} `));
    assert.ok(await eventually(() => ours().length === 4, 5000), loader.stdout());
    const fields = ours().map((l) => l.trim().split(/\s+/));
    assert.deepEqual(fields, [
      [pid, "python3", "127.0.0.1", "127.0.0.1", String(open)],
      [pid, "python3", "127.0.0.1", "127.0.0.1", String(open)],
      [pid, "python3", "127.0.0.1", "127.0.0.1", String(closed)],
      [pid, "python3", "::1", "::1", String(v6)],
    ]);
    // Columns as the header: PID 7 wide, COMM 16, addresses 39.
    assert.match(ours()[0]!, new RegExp(`^${pid} +python3 {10}127\\.0\\.0\\.1 {31}127\\.0\\.0\\.1 {31}${open}$`));
    assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
    const report = loader.stdout().split("\nconnects per destination port:\n")[1] ?? "";
    const counts = new Map(report.trim().split("\n").map((l) => l.trim().split(/\s+/) as [string, string]));
    assert.equal(counts.get(String(open)), "2", report);
    assert.equal(counts.get(String(closed)), "1", report);
    assert.equal(counts.get(String(v6)), "1", report);
    assert.ok(await eventually(() => tcpConnectLinks().length === 0), "the tracepoint link is gone");
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});

kernelTest("tcpconnect --port N prints only connects to N", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", "tcpconnect.ks"));
  const loader = startLoader([build.binary, "--port", String(closed)]);
  try {
    await loader.waitFor(/^PID +COMM/m);
    const python = spawnSync("python3", ["-c", connects], { encoding: "utf8" });
    assert.equal(python.status, 0, python.stderr);
    const pid = python.stdout.trim();
    assert.ok(await eventually(() => loader.stdout().includes(` ${closed}\n`), 5000), loader.stdout());
    assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
    const lines = loader.stdout().split("\n").filter((l) => /^\d+ /.test(l) && l.includes("python3"));
    assert.deepEqual(lines.map((l) => l.trim().split(/\s+/)), [[pid, "python3", "127.0.0.1", "127.0.0.1", String(closed)]]);
    assert.match(loader.stdout(), new RegExp(`connects per destination port:\\n${closed} +1\\n$`));
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
});
