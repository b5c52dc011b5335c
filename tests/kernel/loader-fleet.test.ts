// The loader's fleet options (docs/loader.md, "Running in a fleet"), in the kernel, on a
// veth pair in network namespaces the test creates:
// - --ready-file appears once the XDP program is attached (pid, metrics address, the
//   attachment), and is gone after SIGTERM;
// - --metrics 127.0.0.1:0 serves the seed's counter in the Prometheus text format
//   (checked with a real parser and line by line): N frames sent, the sample reads N;
//   garbage, a 100 KB header and a client that never finishes its request neither hang
//   nor stop the loader (a scrape meanwhile still answers);
// - SIGTERM: exit 0, nothing left attached (ip link, bpftool net);
// - --pin-dir: a second run on the same directory keeps the counter (N + M);
// - a user main that never asks running() still ends within --shutdown-timeout
//   (status 128 + SIGTERM), detached, its ready file gone;
// - --pin-dir outside a bpffs is refused with the fix before anything is attached;
// - --pin-dir takes `pin var` maps too and leaves ring buffers out; a pin there of
//   another layout is refused by the same check as `pin var` pins.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { networkSkipReason } from "../../src/runner/capabilities.js";
import { startLoader, type LoaderProcess } from "../../src/runner/loader.js";
import { inNamespace, loaderIfindex, sendFrames, withVethPair, xdpAttached, type VethPair } from "../../src/runner/netns.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("loader-fleet.test", networkSkipReason());

/** parse-prometheus-text-format (no type declarations of its own). */
interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly metrics: readonly { readonly value: string; readonly labels?: Readonly<Record<string, string>> }[];
}
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => MetricFamily[];

const seed = join(repoRoot, "examples", "seed_packet_filter.ks");
const stubborn = join(repoRoot, "tests", "kernel", "fixtures", "fleet_stubborn.ks");

/**
 * An HTTP client run inside the loader's network namespace (the metrics listen on its
 * 127.0.0.1): node itself under nsenter. Modes:
 *   get PORT PATH     one GET; prints {status, contentType, body}
 *   raw PORT BYTES    sends BYTES (base64) and prints what came back before the close ({reply})
 *   huge PORT         the same with a request head of 100 KB
 *   slow PORT         opens a connection sending half a request line and nothing more; while
 *                     it is open, a GET /metrics; prints {status, slowClosedByServer}
 */
const clientScript = String.raw`
const net = require("node:net"), http = require("node:http");
const [mode, port, arg] = process.argv.slice(1);
const get = (path) => new Promise((resolve, reject) => {
  http.get({ host: "127.0.0.1", port: Number(port), path }, (res) => {
    let body = ""; res.setEncoding("utf8"); res.on("data", (d) => (body += d));
    res.on("end", () => resolve({ status: res.statusCode, contentType: res.headers["content-type"], body }));
  }).on("error", reject);
});
(async () => {
  if (mode === "get") { console.log(JSON.stringify(await get(arg))); return; }
  if (mode === "raw" || mode === "huge") {
    const bytes = mode === "raw" ? Buffer.from(arg, "base64") : Buffer.from("GET /metrics HTTP/1.1\r\nX-Big: " + "a".repeat(100000) + "\r\n\r\n");
    const socket = net.connect(Number(port), "127.0.0.1");
    let reply = "";
    socket.on("data", (d) => (reply += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => console.log(JSON.stringify({ reply })));
    socket.write(bytes, () => socket.end());
    return;
  }
  if (mode === "slow") {
    const slow = net.connect(Number(port), "127.0.0.1");
    slow.on("error", () => {});
    await new Promise((r) => slow.on("connect", r));
    slow.write("GET /metr");
    const closed = new Promise((r) => slow.on("close", r));
    const scrape = await get("/metrics");
    await closed;
    console.log(JSON.stringify({ status: scrape.status, slowClosedByServer: true }));
  }
})().catch((error) => { console.log(JSON.stringify({ error: String(error) })); });
`;

function client(pair: VethPair, args: readonly string[]): Record<string, unknown> {
  const argv = inNamespace(pair.loaderNamespace, [process.execPath, "-e", clientScript, ...args]);
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 60_000 });
  assert.equal(result.status, 0, `client ${args[0]}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** The ready file's lines by their first word. */
function readyFile(path: string): Map<string, string[]> {
  const lines = new Map<string, string[]>();
  for (const line of readFileSync(path, "utf8").split("\n").filter((l) => l !== "")) {
    const [word, ...rest] = line.split(" ");
    lines.set(word!, [...(lines.get(word!) ?? []), rest.join(" ")]);
  }
  return lines;
}

function metricsPort(ready: string): string {
  const address = readyFile(ready).get("metrics")?.[0] ?? "";
  const port = /^127\.0\.0\.1:(\d+)$/.exec(address)?.[1];
  assert.ok(port && port !== "0", `the ready file names the chosen port: ${address}`);
  return port;
}

/**
 * Scrapes /metrics and checks the text: a real parser reads it, and line by line every
 * line is a comment or a sample, each family's samples follow its one TYPE line.
 */
function scrape(pair: VethPair, port: string): MetricFamily[] {
  const answer = client(pair, ["get", port, "/metrics"]);
  assert.equal(answer.status, 200, JSON.stringify(answer));
  assert.equal(answer.contentType, "text/plain; version=0.0.4; charset=utf-8");
  const text = answer.body as string;
  assert.ok(text.endsWith("\n"), "the text ends with a newline");
  const typed = new Set<string>();
  let current = "";
  for (const line of text.slice(0, -1).split("\n")) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge$/.exec(line);
    if (type) {
      assert.ok(!typed.has(type[1]!), `one TYPE line for ${type[1]}`);
      typed.add(type[1]!);
      current = type[1]!;
      continue;
    }
    if (line.startsWith("#")) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\]*")*\})? -?\d+$/.exec(line);
    assert.ok(sample, `a sample line: ${JSON.stringify(line)}`);
    assert.equal(sample[1], current, `${sample[1]} follows its TYPE line`);
  }
  return parsePrometheus(text);
}

function family(families: readonly MetricFamily[], name: string): MetricFamily {
  const found = families.find((f) => f.name === name);
  assert.ok(found, `family ${name} in ${families.map((f) => f.name).join(", ")}`);
  return found;
}

/** The seed's counter for the loader end (its ifindex is the key), or undefined before the first frame. */
function seedCount(families: readonly MetricFamily[], pair: VethPair): string | undefined {
  const counts = family(families, "kernelscript_map_packet_counts");
  assert.equal(counts.type, "GAUGE");
  return counts.metrics.find((m) => m.labels?.key === String(loaderIfindex(pair)))?.value;
}

async function waitForCount(pair: VethPair, port: string, expected: number): Promise<void> {
  let last: string | undefined;
  await eventually(() => (last = seedCount(scrape(pair, port), pair)) === String(expected), 10_000);
  assert.equal(last, String(expected), `the counter reads ${expected}`);
}

/** Nothing of ours attached to the loader end: no XDP in ip link, nothing in bpftool net. */
function assertNothingAttached(pair: VethPair): void {
  assert.equal(xdpAttached(pair), false, "ip link shows no XDP program");
  const net = spawnSync(inNamespace(pair.loaderNamespace, ["bpftool", "-j", "net", "show"])[0]!, inNamespace(pair.loaderNamespace, ["bpftool", "-j", "net", "show"]).slice(1), { encoding: "utf8" });
  assert.equal(net.status, 0, net.stderr);
  const shown = JSON.parse(net.stdout) as { xdp?: unknown[]; tc?: unknown[] }[];
  assert.deepEqual(shown.flatMap((s) => [...(s.xdp ?? []), ...(s.tc ?? [])]), [], net.stdout);
}

async function waitForReady(loader: LoaderProcess, ready: string): Promise<void> {
  const appeared = await eventually(() => existsSync(ready) || loader.child.exitCode !== null, 15_000);
  assert.ok(appeared && existsSync(ready), `the ready file appears\nstderr: ${loader.stderr()}`);
}

kernelTest("ready file, Prometheus metrics that survive bad clients, SIGTERM detaches, --pin-dir keeps the counter across a restart", async () => {
  const build = compileAndBuild(seed);
  const scratch = mkdtempSync(join(tmpdir(), "ks-fleetloader-"));
  const pinRoot = `/sys/fs/bpf/ks-test-fleetloader-${process.pid}`;
  const pinDir = `${pinRoot}/seed`;
  const ready = join(scratch, "ready");
  try {
    await withVethPair(async (pair) => {
      const start = (): LoaderProcess => startLoader(inNamespace(pair.loaderNamespace, [
        build.binary, "-i", pair.loaderInterface, "--interval", "60",
        "--ready-file", ready, "--metrics", "127.0.0.1:0", "--pin-dir", pinDir,
      ]));
      const first = start();
      let second: LoaderProcess | undefined;
      try {
        await waitForReady(first, ready);
        const lines = readyFile(ready);
        assert.deepEqual(lines.get("pid"), [String(first.child.pid)]);
        assert.deepEqual(lines.get("attached"), [`packet_filter ${pair.loaderInterface}`]);
        assert.deepEqual(readdirSync(scratch), ["ready"], "the temporary file was renamed into place");
        assert.deepEqual(readdirSync(pinDir), ["packet_counts"], "--pin-dir pins the map");
        const port = metricsPort(ready);
        await first.waitFor(`metrics at http://127.0.0.1:${port}/metrics`);

        const before = scrape(pair, port);
        assert.deepEqual(family(before, "kernelscript_up").metrics.map((m) => m.value), ["1"]);
        assert.deepEqual(family(before, "kernelscript_programs_attached").metrics.map((m) => m.value), ["1"]);
        assert.deepEqual(family(before, "kernelscript_map_packet_counts_truncated").metrics.map((m) => m.value), ["0"]);
        assert.equal(seedCount(before, pair), undefined, "no frame counted yet");

        const n = 5;
        sendFrames(pair, 1500, n);
        sendFrames(pair, 1000, 3); // under 1400 bytes: passed, not counted
        await waitForCount(pair, port, n);

        // Bad clients: the loader answers or drops them, and keeps serving.
        const garbage = client(pair, ["raw", port, Buffer.from("\u0000\u0001 not http\r\n\r\n").toString("base64")]);
        assert.match(String(garbage.reply), /^HTTP\/1\.1 400 /);
        const huge = client(pair, ["huge", port]);
        assert.ok(huge.reply === "" || /^HTTP\/1\.1 431 /.test(String(huge.reply)), `431 or a reset: ${String(huge.reply).slice(0, 80)}`);
        assert.match(String(client(pair, ["raw", port, Buffer.from("POST /metrics HTTP/1.1\r\n\r\n").toString("base64")]).reply), /^HTTP\/1\.1 405 /);
        assert.equal(client(pair, ["get", port, "/other"]).status, 404);
        assert.deepEqual(client(pair, ["slow", port]), { status: 200, slowClosedByServer: true });
        assert.equal(first.child.exitCode, null, `the loader still runs\nstderr: ${first.stderr()}`);
        await waitForCount(pair, port, n);

        assert.deepEqual(await first.stop("SIGTERM"), { code: 0, signal: null }, first.stderr());
        assert.equal(existsSync(ready), false, "the ready file is removed");
        assertNothingAttached(pair);

        // A restarted pod: same --pin-dir, the counter goes on.
        second = start();
        await waitForReady(second, ready);
        const m = 3;
        const secondPort = metricsPort(ready);
        await waitForCount(pair, secondPort, n);
        sendFrames(pair, 1500, m);
        await waitForCount(pair, secondPort, n + m);
        assert.deepEqual(await second.stop("SIGTERM"), { code: 0, signal: null }, second.stderr());
        assert.equal(existsSync(ready), false);
        assertNothingAttached(pair);
      } finally {
        await first.stop("SIGKILL");
        await second?.stop("SIGKILL");
      }
    });
  } finally {
    rmSync(pinRoot, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    build.cleanup();
  }
});

kernelTest("a user main that never asks running() ends within --shutdown-timeout, detached, its ready file gone; metrics answer while it spins", async () => {
  const build = compileAndBuild(stubborn);
  const scratch = mkdtempSync(join(tmpdir(), "ks-fleetloader-"));
  const ready = join(scratch, "ready");
  try {
    await withVethPair(async (pair) => {
      const loader = startLoader(inNamespace(pair.loaderNamespace, [
        build.binary, "--iface", pair.loaderInterface, "--ready-file", ready, "--metrics", "127.0.0.1:0", "--shutdown-timeout", "2",
      ]));
      try {
        await waitForReady(loader, ready);
        await loader.waitFor("spinning");
        const port = metricsPort(ready);
        sendFrames(pair, 200, 4);
        let frames: string | undefined;
        await eventually(() => (frames = family(scrape(pair, port), "kernelscript_map_stubborn_frames").metrics.find((m) => m.labels?.key === "0")?.value) === "4", 10_000);
        assert.equal(frames, "4", "the metrics thread answers while main spins");
        // The first SIGTERM only asks; main never looks; the deadline detaches and ends it.
        assert.deepEqual(await loader.stop("SIGTERM", 30_000), { code: 128 + 15, signal: null }, loader.stderr());
        assert.equal(existsSync(ready), false, "the ready file is removed");
        assertNothingAttached(pair);
      } finally {
        await loader.stop("SIGKILL");
      }
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    build.cleanup();
  }
});

kernelTest("--pin-dir outside a bpffs is refused with the fix, before anything is attached; bad fleet options exit 2", async () => {
  const build = compileAndBuild(seed);
  const scratch = mkdtempSync(join(tmpdir(), "ks-fleetloader-"));
  try {
    await withVethPair(async (pair) => {
      const run = (args: readonly string[]): { status: number | null; stderr: string } => {
        const argv = inNamespace(pair.loaderNamespace, [build.binary, "-i", pair.loaderInterface, "--count", "1", "--interval", "0.01", ...args]);
        const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 30_000 });
        return { status: result.status, stderr: result.stderr };
      };
      const refused = run(["--pin-dir", join(scratch, "pins", "app")]);
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, /^error: --pin-dir \S+ is not on a bpffs \(\S+ is not one\): .*mount -t bpf bpf \/sys\/fs\/bpf/m);
      assert.doesNotMatch(refused.stderr, /attached/);
      assert.equal(existsSync(join(scratch, "pins")), false, "no directory made outside the bpffs");
      assertNothingAttached(pair);
      for (const bad of [["--shutdown-timeout", "-1"], ["--shutdown-timeout", "soon"], ["--metrics"]]) {
        const result = run(bad);
        assert.equal(result.status, 2, `${bad.join(" ")}: ${result.stderr}`);
        assert.match(result.stderr, /^error: --(shutdown-timeout|metrics) /m);
      }
      const badAddress = run(["--metrics", "localhost:http"]);
      assert.equal(badAddress.status, 1, badAddress.stderr);
      assert.match(badAddress.stderr, /error: --metrics expects ADDR:PORT/);
      assertNothingAttached(pair);
      // Without fleet options the loader behaves as before: no ready file, a clean exit.
      const plain = run([]);
      assert.equal(plain.status, 0, plain.stderr);
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    build.cleanup();
  }
});

/** Two builds of one program sharing a --pin-dir: the second changes a map's value type. */
const pinsFirst = `
struct FpNote {
    len: u32,
}

pin var fp_counts: hash<u32, u64>(16)
var fp_sizes: array<u32, u32>(4)
var fp_notes: ringbuf<FpNote>(4096)

@xdp
fn fp_count(ctx: *xdp_md) -> xdp_action {
    fp_counts[1] += 1
    fp_sizes[0] = (ctx.data_end - ctx.data) as u32
    if (var note = fp_notes.reserve()) {
        note.len = 1
        fp_notes.submit(note)
    }
    return XDP_PASS
}
`;
const pinsSecond = pinsFirst.replace("pin var fp_counts: hash<u32, u64>(16)", "var fp_counts: hash<u32, u32>(16)");

kernelTest("--pin-dir pins every stateful map there (pin var included, ring buffers not); a pin of another layout there is refused", async () => {
  const scratch = mkdtempSync(join(tmpdir(), "ks-fleetloader-"));
  const pinRoot = `/sys/fs/bpf/ks-test-fleetloader-${process.pid}-pins`;
  const pinDir = `${pinRoot}/deep/app`;
  const builds: ReturnType<typeof compileAndBuild>[] = [];
  try {
    for (const [dir, source] of [["first", pinsFirst], ["second", pinsSecond]] as const) {
      const path = join(scratch, dir, "fleet_pins.ks");
      mkdirSync(join(scratch, dir));
      writeFileSync(path, source);
      builds.push(compileAndBuild(path));
    }
    await withVethPair(async (pair) => {
      const run = (binary: string): { status: number | null; stderr: string } => {
        const argv = inNamespace(pair.loaderNamespace, [binary, "-i", pair.loaderInterface, "--count", "1", "--interval", "0.01", "--pin-dir", pinDir]);
        const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 30_000 });
        return { status: result.status, stderr: result.stderr };
      };
      const first = run(builds[0]!.binary);
      assert.equal(first.status, 0, first.stderr);
      assert.deepEqual(readdirSync(pinDir).sort(), ["fp_counts", "fp_sizes"], "the maps pinned, the ring buffer not");
      assert.equal(existsSync("/sys/fs/bpf/fleet_pins/fp_counts"), false, "the pin var map is under --pin-dir, not /sys/fs/bpf/NAME");
      const second = run(builds[1]!.binary);
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`^error: the pin of map 'fp_counts' at ${pinDir}/fp_counts does not fit this program .*its value is 8 bytes there but 4 in this program; .*rm ${pinDir}/fp_counts$`, "m"));
      assertNothingAttached(pair);
    });
  } finally {
    rmSync(pinRoot, { recursive: true, force: true });
    rmSync("/sys/fs/bpf/fleet_pins", { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
    for (const build of builds) build.cleanup();
  }
});
