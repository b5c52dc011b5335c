// The map kinds of the maps-events slice in the kernel: longest-prefix match in an LPM
// trie (XDP on crafted source addresses, and user space), queue (FIFO) and stack (LIFO)
// order across eBPF and user space, per-CPU slots written on chosen CPUs, the ring
// buffer's drop counter, and tp_btf programs feeding a perf event array and a per-CPU
// hash read by the generated user space.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { startLoader } from "../../src/runner/loader.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes, type ProgRun } from "../../src/runner/prog-run.js";
import { ETH_P_IP, ethernet, frame, ipv4, udp } from "./frames.js";
import { compileAndBuild, kernelTests, repoRoot, withBuiltSource } from "./helpers.js";

const kernelTest = kernelTests("maps-events.test", kernelSkipReason());
const tour = join(repoRoot, "examples", "maps_more.ks");

function packetFrom(src: readonly number[], size = 60): Uint8Array {
  const bytes = frame(ethernet(ETH_P_IP, ipv4(17, udp(1000, 2000), { src })));
  const out = new Uint8Array(Math.max(size, bytes.length));
  out.set(bytes);
  return out;
}

/** `Ipv4Key { prefixlen, addr }`: the length in host order, the address in network order. */
function lpmKey(prefixlen: number, addr: readonly number[]): Uint8Array {
  return new Uint8Array([...uintBytes(prefixlen, 4), ...addr]);
}

const routes = [
  { map: "me_routes", key: lpmKey(15, [198, 18, 0, 0]), value: uintBytes(15, 4) },
  { map: "me_routes", key: lpmKey(24, [198, 18, 1, 0]), value: uintBytes(24, 4) },
  { map: "me_routes", key: lpmKey(25, [198, 18, 1, 128]), value: uintBytes(25, 4) },
];

kernelTest("lpm_trie: XDP looks up each packet's source and finds the longest stored prefix", () => {
  const build = compileAndBuild(tour);
  try {
    const sources = [[198, 18, 1, 129], [198, 18, 1, 5], [198, 19, 200, 1], [10, 0, 0, 1], [198, 18, 1, 200], [198, 20, 0, 1]];
    const runs: ProgRun[] = sources.map((src) => ({ prog: "me_classify", data: packetFrom(src) }));
    const result = runPrograms(build.bpfObject, runs, { presets: routes });
    assert.ok(result.programs.every((p) => p.loaded));
    assert.deepEqual(result.runs.map((r) => r.retval), sources.map(() => 2), "XDP_PASS");
    const hits = integerEntries(findMap(result, "me_route_hits"));
    // /25 for .129 and .200, /24 for .5, /15 for 198.19.x, no route for 10.x and 198.20.x.
    assert.deepEqual([...hits].sort((a, b) => Number(a[0] - b[0])), [[0n, 2n], [15n, 1n], [24n, 1n], [25n, 2n]]);
    assert.equal(findMap(result, "me_routes").entries.length, 3, "the trie keeps the three prefixes");
  } finally {
    build.cleanup();
  }
});

kernelTest("queue and stack: FIFO and LIFO across user-space pushes and eBPF pushes; a full queue refuses", () => {
  const build = compileAndBuild(tour);
  try {
    // User space pushed job 100 before the program ran (a preset is a push: no key).
    const presets = [{ map: "me_jobs", key: new Uint8Array(), value: new Uint8Array([...uintBytes(100, 4), ...uintBytes(7, 4)]) }];
    const sizes = [60, 61, 62, 63, 64, 65];
    // On one CPU: the job ids come from a per-CPU counter.
    const result = runPrograms(build.bpfObject, sizes.map((size) => ({ prog: "me_classify", size, cpu: 0 })), { presets });
    assert.deepEqual(result.runs.map((r) => r.retval), sizes.map(() => 2));
    // Popped in order by the dump: the user's job first, then the packets in arrival order.
    const jobs = findMap(result, "me_jobs").entries.map((e) => [readUint(e.value, 0, 4), readUint(e.value, 4, 4)]);
    assert.deepEqual(jobs, [[100n, 7n], ...sizes.map((size, i) => [BigInt(i + 1), BigInt(size)])]);
    // The stack holds four sizes; when full the newest replaces the top (63, then 64).
    const recent = findMap(result, "me_recent").entries.map((e) => readUint(e.value, 0, 4));
    assert.deepEqual(recent, [65n, 62n, 61n, 60n], "popped newest first");

    const full = runPrograms(build.bpfObject, [{ prog: "me_classify", size: 60, repeat: 16, cpu: 0 }, { prog: "me_classify", size: 60, cpu: 0 }]);
    assert.deepEqual(full.runs.map((r) => r.retval), [2, 1], "the 17th push fails: XDP_DROP");
    assert.equal(findMap(full, "me_jobs").entries.length, 16);
  } finally {
    build.cleanup();
  }
});

kernelTest("bloom_filter: eBPF pushes values and tests membership; a user-space push is seen; user space tests what it pushed", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "bloom_filter.ks"));
  try {
    // Frames under 100 bytes push their size; longer ones test size - 100 (XDP_TX = 3:
    // probably present, XDP_DROP = 1: surely absent). A preset is a user-space push (no key).
    const presets = [{ map: "seen_sizes", key: new Uint8Array(), value: uintBytes(77, 4) }];
    const sizes = [60, 64, 160, 164, 161, 170, 177, 199];
    const result = runPrograms(build.bpfObject, sizes.map((size) => ({ prog: "bloom_probe", size })), { presets });
    assert.ok(result.programs.every((p) => p.loaded));
    // With 3 values in a 64-entry filter (5 hashes) a false positive is about 1 in 10^7.
    assert.deepEqual(result.runs.map((r) => r.retval), [2, 2, 3, 3, 1, 1, 3, 1]);
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "probably present: 7\nprobably present: 9\nhits: 2\n");
  } finally {
    build.cleanup();
  }
});

kernelTest("bloom_filter @hashes(n) reaches the kernel as map_extra: fewer hash functions, a smaller bit set", () => {
  // The kernel sizes the bit set as max_entries × hashes × 7/5 bits, rounded up to a power
  // of two: 1024 entries take 2048 bits with one hash, 8192 with the default five.
  const memlock = (hashes: string): number => {
    let bytes = -1;
    withBuiltSource(`bloom_hashes${hashes ? "_one" : "_default"}`, `${hashes}
var flows: bloom_filter<u64>(1024)

@xdp
fn flows_seen(ctx: *xdp_md) -> xdp_action {
  var flow = (ctx.data_end - ctx.data) as u64
  if (flows.contains(flow)) {
    return XDP_PASS
  }
  flows.push(flow)
  return XDP_DROP
}
`, (build) => {
      const pins = mkdtempSync("/sys/fs/bpf/ks-bloom-");
      try {
        const load = spawnSync("bpftool", ["prog", "loadall", build.bpfObject, join(pins, "progs"), "pinmaps", join(pins, "maps")], { encoding: "utf8" });
        assert.equal(load.status, 0, load.stderr);
        const show = spawnSync("bpftool", ["-j", "map", "show", "pinned", join(pins, "maps", "flows")], { encoding: "utf8" });
        assert.equal(show.status, 0, show.stderr);
        const info = JSON.parse(show.stdout) as { type: string; bytes_memlock: number };
        assert.equal(info.type, "bloom_filter");
        bytes = info.bytes_memlock;
      } finally {
        rmSync(pins, { recursive: true, force: true });
      }
    });
    return bytes;
  };
  const one = memlock("@hashes(1)");
  const five = memlock("");
  assert.equal(five - one, (8192 - 2048) / 8, `memlock ${one} with one hash, ${five} with the default`);
});

kernelTest("lru_percpu_hash: per-CPU counts per frame size from eBPF; user space writes every CPU's slot and sums them", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "lru_percpu_hash.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "count_sizes", size: 60, cpu: 0, repeat: 3 },
      { prog: "count_sizes", size: 60, cpu: 1, repeat: 2 },
      { prog: "count_sizes", size: 90, cpu: 1 },
    ]);
    const map = findMap(result, "sizes_seen");
    assert.equal(map.percpu, true);
    const slots = (size: number): bigint[] => {
      const entry = map.entries.find((e) => readUint(e.key, 0, 4) === BigInt(size))!;
      return entry.values!.slice(0, 2).map((v) => readUint(v, 0, 8));
    };
    assert.deepEqual(slots(60), [3n, 2n], "CPU 0 ran 3 frames of 60 bytes, CPU 1 two");
    assert.deepEqual(slots(90), [0n, 1n]);
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    const cpus = Number(/over (\d+) cpus/.exec(run.stdout)![1]);
    assert.equal(run.stdout, `cpu 0 of 7: 2\nsum of 7 over ${cpus} cpus: ${2 * cpus}\n`);
  } finally {
    build.cleanup();
  }
});

kernelTest("per-CPU array: each CPU's slot counts the packets run on it", () => {
  const build = compileAndBuild(tour);
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "me_classify", size: 60, cpu: 0, repeat: 3 },
      { prog: "me_classify", size: 60, cpu: 1, repeat: 5 },
      { prog: "me_classify", size: 60, cpu: 0, repeat: 2 },
      { prog: "me_classify", size: 60, cpu: 1 },
    ]);
    const entry = findMap(result, "me_cpu_packets").entries[0]!;
    assert.equal(readUint(entry.values![0]!, 0, 8), 5n, "CPU 0 ran 3 + 2 packets");
    assert.equal(readUint(entry.values![1]!, 0, 8), 6n, "CPU 1 ran 5 + 1 packets");
    assert.ok(entry.values!.slice(2).every((v) => readUint(v, 0, 8) === 0n), "no other CPU ran any");
  } finally {
    build.cleanup();
  }
});

kernelTest("ring buffer: records that do not fit are counted by the generated code", () => {
  const build = compileAndBuild(tour);
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "me_classify", size: 60, repeat: 300 }], { ringbufs: ["me_notes"] });
    const records = result.ringbufs[0]!.records.length;
    const bss = result.maps.find((m) => m.name.endsWith(".bss"))!;
    const dropped = readUint(bss.entries[0]!.value, 0, 8);
    // 4096 bytes hold at most 4096 / (8 header + 8 record) = 256 records.
    assert.ok(records > 240 && records <= 256, `about 256 records fit, got ${records}`);
    assert.equal(dropped, 300n - BigInt(records), "ks_dropped_me_notes: every record that did not fit");
  } finally {
    build.cleanup();
  }
});

kernelTest("user space: LPM lookups, FIFO/LIFO pops, per-CPU slots and sum, drop count", () => {
  const build = compileAndBuild(tour);
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    const cpus = Number(/over (\d+) cpus/.exec(run.stdout)![1]);
    assert.equal(run.stdout, [
      "198.18.1.129 -> /25", "198.18.1.5 -> /24", "198.19.255.255 -> /15", "10.0.0.1 -> no route",
      "queue front: 1", "queue pop: 1", "stack pop: 20", "queue pop: 2", "stack pop: 10", "queue empty", "stack empty",
      ...Array.from({ length: cpus }, (_, cpu) => `cpu ${cpu}: 5`), `sum: ${5 * cpus} over ${cpus} cpus`,
      "notes dropped: 0", "",
    ].join("\n"));
  } finally {
    build.cleanup();
  }
});

kernelTest("tp_btf + perf_event_array: exec events reach the typed handler; the count is read after Ctrl-C", async () => {
  const build = compileAndBuild(join(repoRoot, "examples", "tp_btf.ks"));
  const loader = startLoader([build.binary]);
  try {
    await loader.waitFor("attached");
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const child = spawnSync("/bin/true");
      assert.equal(child.status, 0);
      pids.push(child.pid!);
    }
    for (const pid of pids) await loader.waitFor(new RegExp(`^exec pid=${pid} old_pid=${pid}$`, "m"));
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    const counted = Number(/^execs counted: (\d+)$/m.exec(loader.stdout())![1]);
    const delivered = loader.stdout().split("\n").filter((l) => l.startsWith("exec pid=")).length;
    assert.ok(counted >= 3, `at least our 3 execs were counted, got ${counted}`);
    assert.match(loader.stdout(), /^records lost: (\d+)$/m);
    const lost = Number(/^records lost: (\d+)$/m.exec(loader.stdout())![1]);
    // Every exec the program counted was delivered or reported lost (execs after the
    // last poll are counted but still in the buffer when the loader stops).
    assert.ok(delivered + lost <= counted, `${delivered} delivered + ${lost} lost <= ${counted} counted`);
  } finally {
    await loader.stop("SIGKILL").catch(() => undefined);
    build.cleanup();
  }
});

kernelTest("tp_btf sys_enter: kill() calls counted per CPU, read slot by slot from user space", async () => {
  const build = compileAndBuild(join(repoRoot, "tests", "kernel", "fixtures", "maps_events_kills.ks"));
  const target = 999_000 + (process.pid % 900);
  const loader = startLoader([build.binary, "--target", String(target)]);
  try {
    await loader.waitFor("attached");
    const cpus = Number(spawnSync("nproc", ["--all"], { encoding: "utf8" }).stdout.trim());
    const plan = cpus >= 2 ? [[0, 2], [1, 3]] : [[0, 5]];
    for (const [cpu, times] of plan) {
      for (let i = 0; i < times!; i++) spawnSync("taskset", ["-c", String(cpu), "/bin/kill", "-0", String(target)]);
    }
    const exit = await loader.stop("SIGINT");
    assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
    for (const [cpu, times] of plan) assert.match(loader.stdout(), new RegExp(`^cpu ${cpu}: ${times}$`, "m"));
    assert.match(loader.stdout(), /^sum: 5$/m);
  } finally {
    await loader.stop("SIGKILL").catch(() => undefined);
    build.cleanup();
  }
});
