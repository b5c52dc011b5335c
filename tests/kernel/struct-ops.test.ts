// struct_ops in the kernel: the default loader registers a TCP congestion control
// written as an `impl` block; inside a test namespace that selects it, a TCP transfer
// over loopback runs through it (the kernel calls its methods, which count themselves
// in a map), and SIGINT unregisters it. Congestion controls are registered system-wide,
// so the name is unique to this process.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { inNamespace, withVethPair } from "../../src/runner/netns.js";
import { compileAndBuild, kernelTests } from "./helpers.js";

const kernelTest = kernelTests("struct-ops.test", kernelSkipReason());

function source(name: string): string {
  return `
var calls: array<u32, u64>(3)

@struct_ops("tcp_congestion_ops")
impl ${name} {
    fn init(sk: *sock) -> void {
        calls[0] += 1
    }
    fn ssthresh(sk: *sock) -> u32 {
        calls[1] += 1
        return 16
    }
    fn cong_avoid(sk: *sock, ack: u32, acked: u32) -> void {
        calls[2] += 1
    }
    fn undo_cwnd(sk: *sock) -> u32 {
        return 16
    }
    name: "${name}",
}
`;
}

/** Echoes `bytes` through a TCP connection on the namespace's loopback; prints the count. */
const echoScript = `
const net = require("node:net");
const server = net.createServer((c) => { c.on("data", (d) => c.write(d)); c.on("end", () => c.end()); });
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => { client.end(Buffer.alloc(200000, 7)); });
  let received = 0;
  client.on("data", (d) => { received += d.length; });
  client.on("close", () => { console.log(received); server.close(); });
});`;

const allowedPath = "/proc/sys/net/ipv4/tcp_allowed_congestion_control";
const allowedBefore = readFileSync(allowedPath, "utf8").trim();
const available = (): string => readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8");

kernelTest("a congestion control impl is registered, used by TCP in a namespace that selects it, and unregistered", async () => {
  const name = `ks_cc_${process.pid % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), "ks-cc-"));
  const ksPath = join(dir, "cc_test.ks");
  writeFileSync(ksPath, source(name));
  const build = compileAndBuild(ksPath);
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader([build.binary, "--interval", "0.1"]);
      try {
        await loader.waitFor(`registered ${name} (tcp_congestion_ops)`);
        assert.ok(available().split(/\s+/).includes(name), "listed as available while the loader runs");
        // Only init_net may make a restricted algorithm its default: allow ours (restored below).
        writeFileSync(allowedPath, `${allowedBefore} ${name}`);
        const select = spawnSync("ip", ["netns", "exec", pair.loaderNamespace, "sysctl", "-qw", `net.ipv4.tcp_congestion_control=${name}`], { encoding: "utf8" });
        assert.equal(select.status, 0, select.stderr);
        const echo = spawnSync(inNamespace(pair.loaderNamespace, [process.execPath, "-e", echoScript])[0]!,
          inNamespace(pair.loaderNamespace, [process.execPath, "-e", echoScript]).slice(1), { encoding: "utf8", timeout: 20_000 });
        assert.equal(echo.status, 0, echo.stderr);
        assert.equal(echo.stdout.trim(), "200000", "the transfer completed under our congestion control");
        await loader.waitFor(/^calls\[0\] = [1-9]/m);
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const calls = parseSnapshots(loader.stdout()).at(-1)!.maps.get("calls")!.entries;
        // init runs once per connection end (client and server side).
        assert.equal(calls.get("0"), "2");
        assert.ok(!available().split(/\s+/).includes(name), "unregistered after SIGINT");
      } finally {
        await loader.stop("SIGKILL");
        writeFileSync(allowedPath, allowedBefore);
      }
    });
  } finally {
    build.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
