// `kernelscript test FILE --trace OUT.json` in the kernel: the test binary records every
// run (program, retval, the packet BPF_PROG_TEST_RUN gives back, or null for a raw
// tracepoint) and, at the end of each test, the bytes of every map of a traced kind;
// a failing test is traced with status "fail" and the file is still whole JSON.
// The fixture's comments say what each test does; the expected bytes are the kernel's
// layout (little-endian integers, a struct key's padding byte, an LPM key's prefix
// length first).

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runCli } from "../harness/cli.js";
import { readTrace, type Trace, type TraceTest } from "../harness/trace-compare.js";
import { kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("test-trace.test", kernelSkipReason());
const env = { CFLAGS: "-Werror", BPF_CFLAGS: "-Werror" };
const fixture = "tests/kernel/fixtures/test_trace.ks";

/** The default frame of a run without a packet (Ethernet, IPv4, UDP: 42 bytes), as hex. */
const defaultFrame = "020000000002" + "020000000001" + "0800" +
  "4500001c000000004011eea9c6120001c6120002" + "9c4000350008d740";

async function traced(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string; trace: Trace | undefined; dir: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "difftest-trace-"));
  try {
    const path = join(dir, "out.json");
    const run = await runCli(["test", fixture, "--trace", path, ...args], { env });
    // readTrace checks the format: keys in order, lowercase hex, map entries sorted by key.
    const trace = existsSync(path) ? readTrace(path) : undefined;
    return { ...run, trace, dir: readdirSync(dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const zeroSlots = [["00000000", "00000000"], ["01000000", "00000000"], ["02000000", "00000000"], ["03000000", "00000000"]];
const zeroPerCpu = [["00000000", "0000000000000000"], ["01000000", "0000000000000000"]];

kernelTest("--trace writes every run, the packets and the traced maps byte for byte; a failed test is traced as fail", async () => {
  const run = await traced([]);
  assert.equal(run.code, 1, `one test fails on purpose:\n${run.stdout}${run.stderr}`);
  assert.deepEqual(run.dir, ["out.json"], "the temporary file was renamed to the trace");
  const trace = run.trace!;
  assert.equal(trace.version, 1);
  assert.deepEqual(trace.tests.map((t) => [t.name, t.status]), [
    ["tt_rewrites_and_counts", "pass"],
    ["tt_raw_has_no_packet", "pass"],
    ["tt_fails_after_a_run", "fail"],
  ]);
  // Key order as the format says, in every test.
  for (const t of trace.tests) assert.deepEqual(Object.keys(t), ["name", "status", "runs", "maps"]);

  const [counts, raw, failing] = trace.tests as [TraceTest, TraceTest, TraceTest];
  // The program wrote 0xaa over the first byte of the destination MAC; the rest is the frame as built.
  const rewritten = "aa" + defaultFrame.slice(2);
  assert.deepEqual(counts.runs, [
    { program: "tt_rewrite", retval: 3, packet: rewritten },
    { program: "tt_rewrite", retval: 3, packet: rewritten },
  ]);
  assert.deepEqual(counts.maps, {
    // ingress_ifindex 1 (lo): 3 repeats, then 1 run with the kernel's default (also lo).
    tt_counts: [["01000000", "0400000000000000"]],
    // proto 0x11, the padding byte (zero: the key is built zeroed), port 53 little-endian.
    tt_flows: [["11003500", "09000000"]],
    tt_slots: [["00000000", "00000000"], ["01000000", "00000000"], ["02000000", "05000000"], ["03000000", "00000000"]],
    // 4 runs × 3, all on CPU 0 (the binary pins itself there).
    tt_per_cpu: [["00000000", "0000000000000000"], ["01000000", "0c00000000000000"]],
    // prefix length 24, then 10.0.0.0 as the u32 0x0a000000 is held (little-endian).
    tt_routes: [["180000000000000a", "04000000"]],
    tt_untouched: [],
  }, "every traced map, and not the ring buffer");

  // A raw tracepoint has no packet; -1 is the unsigned 32-bit retval.
  assert.deepEqual(raw.runs, [
    { program: "tt_raw", retval: 4294967295, packet: null },
    { program: "tt_raw", retval: 3, packet: null },
  ]);
  assert.deepEqual(raw.maps, { tt_counts: [], tt_flows: [], tt_slots: zeroSlots, tt_per_cpu: zeroPerCpu, tt_routes: [], tt_untouched: [] },
    "each test starts from a fresh object: nothing of the first test's counts");

  // The failing test: the run before its failed assertion, and the maps as it left them.
  assert.deepEqual(failing.runs, [{ program: "tt_rewrite", retval: 3, packet: rewritten }]);
  assert.deepEqual(failing.maps.tt_counts, [["01000000", "0100000000000000"]]);
});

kernelTest("--trace with --filter: only the tests that ran", async () => {
  const run = await traced(["--filter", "raw"]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.deepEqual(run.trace!.tests.map((t) => t.name), ["tt_raw_has_no_packet"]);
});

kernelTest("without --trace the output is as before and nothing else is written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "difftest-trace-"));
  try {
    const run = await runCli(["test", join(repoRoot, fixture), "--filter", "raw"], { env, cwd: dir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^ok {3}tt_raw_has_no_packet {2}\(\d+\.\d+ ms\)\n\n1 passed, 0 failed, 2 filtered out\n$/);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Found by the differential test: a struct holding packet headers by value had no padding
// member in the gap before a 4-aligned header, so a compound literal stored into a map
// left whatever the stack held there; the interpreter, rightly, zeros. `pg_dirty` leaves
// all-ones bytes on the stack where `pg_store`'s literal is built next (the same runner,
// the same stack depth: as tests/kernel/struct-key-padding.test.ts does for keys).
const paddingSource = `
struct PgSeen { eth: ethhdr, ip: iphdr, udp: udphdr }
struct PgJunk { f0: u64, f1: u64, f2: u64, f3: u64, f4: u64, f5: u64, f6: u64, f7: u64, f8: u64, f9: u64, f10: u64, f11: u64, f12: u64, f13: u64, f14: u64, f15: u64 }
var pg_seen: array<u32, PgSeen>(1)
var pg_junk: array<u32, PgJunk>(1)

@xdp
fn pg_dirty(ctx: XdpContext) -> XdpAction {
    var j = PgJunk { f0: 0xffffffffffffffff, f1: 0xffffffffffffffff, f2: 0xffffffffffffffff, f3: 0xffffffffffffffff, f4: 0xffffffffffffffff, f5: 0xffffffffffffffff, f6: 0xffffffffffffffff, f7: 0xffffffffffffffff, f8: 0xffffffffffffffff, f9: 0xffffffffffffffff, f10: 0xffffffffffffffff, f11: 0xffffffffffffffff, f12: 0xffffffffffffffff, f13: 0xffffffffffffffff, f14: 0xffffffffffffffff, f15: 0xffffffffffffffff }
    pg_junk[0] = j
    return XDP_PASS
}

@xdp
fn pg_store(ctx: XdpContext) -> XdpAction {
    if (var eth: *ethhdr = ctx.header(0)) {
        if (var ip: *iphdr = ctx.header(14)) {
            if (var udp: *udphdr = ctx.header(34)) {
                pg_seen[0] = PgSeen { eth: *eth, ip: *ip, udp: *udp }
            }
        }
    }
    return XDP_PASS
}

@test
fn pg_gap_is_zero() {
    assert(test(pg_dirty, TestRun {}) == XDP_PASS)
    assert(test(pg_store, TestRun {}) == XDP_PASS)
}
`;

kernelTest("a struct holding packet headers stores zero bytes in the gap between them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "difftest-trace-"));
  try {
    writeFileSync(join(dir, "pg.ks"), paddingSource);
    const run = await runCli(["test", join(dir, "pg.ks"), "--trace", join(dir, "out.json")], { env, cwd: dir });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const [entry] = readTrace(join(dir, "out.json")).tests[0]!.maps.pg_seen!;
    // PgSeen { eth: ethhdr (14 bytes), ip: iphdr (4-aligned, at 16), udp: udphdr }: 44 bytes.
    const value = entry![1];
    assert.equal(value.length, 44 * 2);
    assert.equal(value.slice(24, 28), "0800", "h_proto, the last field of the Ethernet header");
    assert.equal(value.slice(28, 32), "0000", "the two bytes between the Ethernet and the IPv4 header");
    assert.equal(value.slice(32, 34), "45", "the IPv4 header starts at 16");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
