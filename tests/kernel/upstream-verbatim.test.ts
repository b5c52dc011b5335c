// The reference implementation's 43 examples, as written (../shared/upstream/examples):
// each one that checks clean is built with -Werror and every program of it loaded into
// this kernel; programs this machine refuses at its boundary (fentry under lockdown,
// kfuncs of a kernel module with CONFIG_MODULES off, sched_ext absent) are reported as
// such, with the reason. The summary table is printed at the end (the same table
// tools/upstream-table.ts writes to docs/upstream-examples.md).
//
// Below the sweep: behaviour. Examples whose programs do something observable are run
// with BPF_PROG_TEST_RUN on packets, and their return codes and maps are checked. Add
// one `behaviour(NAME, …)` block per example as it starts to build.

import { after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildResult } from "../../src/runner/build.js";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes, type ProgRunResult } from "../../src/runner/prog-run.js";
import { boundaryCause, measureVerbatim, verbatimDir, verbatimExamples, verbatimTable, type VerbatimRow } from "../../src/runner/verbatim.js";
import { inNamespace, withVethPair } from "../../src/runner/netns.js";
import { buildForKernel, kernelTests, vmlinuxHeader } from "./helpers.js";

const kernelTest = kernelTests("upstream-verbatim.test", kernelSkipReason());

/**
 * Examples that build but whose programs this kernel's verifier rejects today, with the
 * issue that owns the fix. The sweep asserts exactly this set is rejected, so a fix (or
 * a new rejection) shows up here.
 */
const knownRejections: Readonly<Record<string, string>> = {
  extern_kfunc_demo: "issue 11 (correctness): accepted by the compiler, refused by the verifier",
};

const rows: VerbatimRow[] = [];
after(() => {
  if (rows.length === 0) return;
  rows.sort((a, b) => a.name.localeCompare(b.name));
  console.log(["", "Reference examples as written (../shared/upstream/examples):", ...verbatimTable(rows), ""].join("\n"));
});

for (const name of verbatimExamples()) {
  kernelTest(`${name} (as written): builds when it checks clean, and every program loads or stops at this kernel's boundary`, () => {
    const row = measureVerbatim(name, vmlinuxHeader());
    rows.push(row);
    if (row.check.code !== 0) {
      assert.ok(row.firstError, `check exited ${row.check.code} without an error:\n${row.check.stderr}`);
      return; // its exact diagnostics are tests/cases/upstream/NAME.check.txt
    }
    assert.equal(row.built, true, `checks clean but does not build with -Werror:\n${row.buildOutput}`);
    assert.ok(row.programs.length > 0, "the object has eBPF programs");
    const rejected = row.programs.filter((p) => p.verdict === "rejected").map((p) => `${p.name}: ${p.verdict === "rejected" ? `${p.code} ${p.message}` : ""}`);
    if (knownRejections[name]) {
      assert.ok(rejected.length > 0, `${name} is listed in knownRejections (${knownRejections[name]}) but every program loads now: remove it from the list`);
    } else {
      assert.deepEqual(rejected, [], "programs the verifier rejected");
    }
    for (const p of row.programs) {
      if (p.verdict !== "refused") continue;
      // Only the machine's known limits count as its boundary.
      assert.notEqual(boundaryCause(p.reason), p.reason, `${p.name} refused for an unknown reason: ${p.reason}`);
      console.log(`${name}: ${p.name} stops at this kernel's boundary: ${p.reason}`);
    }
  });
}

// ---------------------------------------------------------------------------------------
// Behaviour

/** Builds the verbatim example (compiled as written, -Werror), runs `body`, cleans up. */
function behaviour(name: string, what: string, body: (build: BuildResult) => void | Promise<void>): void {
  kernelTest(`${name} (as written): ${what}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), `ks-verbatim-run-${name}-`));
    try {
      compileToDirectory(join(verbatimDir, `${name}.ks`), dir);
      const build = buildForKernel(dir);
      assert.ok(build.ok, `make failed:\n${build.stdout}${build.stderr}`);
      await body(build);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const XDP_DROP = 1;
const XDP_PASS = 2;
const TC_ACT_OK = 0;

function retvals(result: ProgRunResult): number[] {
  return result.runs.map((r) => r.retval);
}

/** The `.data` section map (config blocks and initialised globals live there). */
function dataSection(result: ProgRunResult): { name: string; valueSize: number } {
  const map = result.maps.find((m) => m.name.endsWith(".data"));
  assert.ok(map, `no .data map; maps: ${result.maps.map((m) => m.name).join(", ")}`);
  return { name: map.name, valueSize: map.valueSize };
}

behaviour("packet_filter", "passes frames up to 1500 bytes and drops larger ones", (build) => {
  const result = runPrograms(build.bpfObject, [
    { prog: "packet_filter", size: 64 },
    { prog: "packet_filter", size: 1500 },
    { prog: "packet_filter", size: 1501 },
    { prog: "packet_filter", size: 3000 },
  ]);
  assert.deepEqual(retvals(result), [XDP_PASS, XDP_PASS, XDP_DROP, XDP_DROP]);
});

behaviour("rate_limiter", "counts packets of its placeholder source and drops once the count exceeds network.limit", (build) => {
  const source = 0x7f000001n;
  // limit 0 (the config has no default): the first packet inserts 0 and passes, the next
  // raise the count to 1 and 2, above the limit.
  const unlimited = runPrograms(build.bpfObject, [
    { prog: "rate_limiter", size: 64 }, { prog: "rate_limiter", size: 64 }, { prog: "rate_limiter", size: 64 },
  ]);
  assert.deepEqual(retvals(unlimited), [XDP_PASS, XDP_DROP, XDP_DROP]);
  assert.equal(integerEntries(findMap(unlimited, "packet_counts")).get(source), 2n);

  // network.limit = 2, as main writes it from --limit: counts 0, 1, 2 pass, 3 drops.
  const data = dataSection(unlimited);
  const limited = runPrograms(build.bpfObject, Array.from({ length: 4 }, () => ({ prog: "rate_limiter", size: 64 })), {
    presets: [{ map: data.name, key: uintBytes(0, 4), value: uintBytes(2, data.valueSize) }],
  });
  assert.deepEqual(retvals(limited), [XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP]);
  assert.equal(integerEntries(findMap(limited, "packet_counts")).get(source), 3n);
});

behaviour("tail_call", "passes a 128-byte packet without the tail call; drop_handler drops", (build) => {
  const result = runPrograms(build.bpfObject, [{ prog: "packet_filter", size: 128 }, { prog: "drop_handler", size: 128 }]);
  assert.deepEqual(retvals(result), [XDP_PASS, XDP_DROP]);
});

behaviour("break_continue_unbound", "counts the odd numbers up to 50 in a bpf_loop with break and continue", (build) => {
  const result = runPrograms(build.bpfObject, [{ prog: "packet_filter", size: 64 }]);
  assert.deepEqual(retvals(result), [XDP_PASS]);
  assert.equal(integerEntries(findMap(result, "counter_map")).get(0n), 25n);
});

behaviour("maps_demo", "the XDP analyzer fills its counters and per-IP statistics; the TC shaper adds bandwidth", (build) => {
  const result = runPrograms(build.bpfObject, [
    { prog: "packet_analyzer", size: 64 }, { prog: "packet_analyzer", size: 64 }, { prog: "traffic_shaper", size: 64 },
  ]);
  assert.deepEqual(retvals(result), [XDP_PASS, XDP_PASS, TC_ACT_OK]);
  assert.equal(integerEntries(findMap(result, "cpu_counters")).get(0n), 2n);
  assert.equal(integerEntries(findMap(result, "local_state")).get(0n), 2n);
  const stats = findMap(result, "ip_stats").entries.find((e) => readUint(e.key) === 0x7f000001n);
  assert.ok(stats, "ip_stats has the demo source address");
  // PacketStats { count: u64, total_bytes: u64, last_seen: u64 }
  assert.deepEqual([readUint(stats.value, 0, 8), readUint(stats.value, 8, 8), readUint(stats.value, 16, 8)], [2n, 128n, 1234567890n]);
  // Per-CPU, summed over CPUs: the one TC run added its 128 demo bytes.
  assert.equal(integerEntries(findMap(result, "bandwidth_usage")).get(0n), 128n);
});

// struct_ops_simple: its impl has no `name`, so it registers under the impl name cut to
// tcp_congestion_ops' 15 bytes (W0252). Congestion controls are system-wide: the test
// removes its registration whatever happens.
const registeredName = "minimal_congest";
const availablePath = "/proc/sys/net/ipv4/tcp_available_congestion_control";
const allowedPath = "/proc/sys/net/ipv4/tcp_allowed_congestion_control";
const availableNow = (): string[] => readFileSync(availablePath, "utf8").trim().split(/\s+/);

/** In a namespace: a TCP echo over loopback, printing `ss -tin` of the live connection and the bytes echoed. */
const echoWithSocketInfo = `
const net = require("node:net");
const { execSync } = require("node:child_process");
const server = net.createServer((c) => { c.on("data", (d) => c.write(d)); c.on("end", () => c.end()); });
server.listen(0, "127.0.0.1", () => {
  const client = net.connect(server.address().port, "127.0.0.1", () => {
    console.log(execSync("ss -tin state established").toString());
    client.end(Buffer.alloc(100000, 7));
  });
  let received = 0;
  client.on("data", (d) => { received += d.length; });
  client.on("close", () => { console.log("received " + received); server.close(); });
});`;

behaviour("struct_ops_simple", "main registers the congestion control (exit 0); registered, a TCP connection runs under it", async (build) => {
  assert.ok(!availableNow().includes(registeredName), `${registeredName} is already registered (a previous run left it?)`);
  // The example's own main: register(minimal_congestion_control) and return its result.
  const main = spawnSync(build.binary, [], { encoding: "utf8", timeout: 30_000 });
  assert.equal(main.status, 0, `the loader's register() failed:\n${main.stdout}${main.stderr}`);
  assert.ok(!availableNow().includes(registeredName), "unregistered when main returned");

  // Registered by bpftool (libbpf 1.1's `.struct_ops` map stays until unregistered), then selected.
  const register = spawnSync("bpftool", ["struct_ops", "register", build.bpfObject], { encoding: "utf8" });
  const allowedBefore = readFileSync(allowedPath, "utf8").trim();
  try {
    assert.equal(register.status, 0, register.stderr);
    assert.ok(availableNow().includes(registeredName), `${availablePath} lists ${registeredName}`);
    writeFileSync(allowedPath, `${allowedBefore} ${registeredName}`);
    await withVethPair((pair) => {
      const select = spawnSync("ip", ["netns", "exec", pair.loaderNamespace, "sysctl", "-qw", `net.ipv4.tcp_congestion_control=${registeredName}`], { encoding: "utf8" });
      assert.equal(select.status, 0, select.stderr);
      const argv = inNamespace(pair.loaderNamespace, [process.execPath, "-e", echoWithSocketInfo]);
      const echo = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 20_000 });
      assert.equal(echo.status, 0, echo.stderr);
      assert.match(echo.stdout, new RegExp(`\\b${registeredName}\\b`), "ss shows the connection under the example's congestion control");
      assert.match(echo.stdout, /received 100000/);
    });
  } finally {
    writeFileSync(allowedPath, allowedBefore);
    // By the id the kernel gave the registration (bpftool names it by its 15-byte map name).
    const shown = spawnSync("bpftool", ["struct_ops", "show"], { encoding: "utf8" }).stdout;
    for (const match of shown.matchAll(new RegExp(`^(\\d+): ${registeredName} tcp_congestion_ops`, "gm"))) {
      spawnSync("bpftool", ["struct_ops", "unregister", "id", match[1]!]);
    }
  }
  assert.ok(!availableNow().includes(registeredName), "unregistered");
});
