// The code paths of issue 14's code generation, run in the kernel (BPF_PROG_TEST_RUN):
// `(m[k] += v)` as a value (the entry's value after the update: created at 1, 0 when the
// entry cannot exist, a unique number per update on two CPUs at once), the update and
// the read of the next statement served by one lookup (and not combined when the key's
// variable changes between them), arrays without an insert path (an index past the end
// changes nothing), and a hash map whose absent entry is inserted at zero, then updated
// (on two CPUs inserting the same keys at once, no update is lost), and `m[k] != null` /
// `== null` as an if's condition written as one branch on the entry's address; the
// accessors' insert loop copied by an unrolled loop.

import assert from "node:assert/strict";
import { cpus } from "node:os";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, readUint, runPrograms, uintBytes, type ProgRunResult } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot, withBuiltSource } from "./helpers.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const kernelTest = kernelTests("codegen-paths.test", kernelSkipReason());
const twoCpus = cpus().length >= 2 ? undefined : "needs two CPUs to run a program on both at once";
const contendedTest = kernelTests("codegen-paths.test (two CPUs)", kernelSkipReason() ?? twoCpus);

const XDP_DROP = 1;
const XDP_PASS = 2;

const source = `
var cp_counts: lru_hash<u32, u64>(64)
var cp_small: hash<u32, u32>(64)
var cp_slots: array<u32, u64>(4)
var cp_full: hash<u32, u64>(1)
var cp_seq: array<u32, u64>(1)
var cp_seen: array<u32, u64>(65536)
var cp_turn: array<u32, u64>(1)
var cp_pairs: hash<u32, u64>(65536)
var cp_present: hash<u32, u64>(4)
var cp_looped: hash<u32, u64>(16)

config cp_limits {
    limit: u64 = 3,
}

// The value form: the entry's value after this update (ingress_ifindex is 1, lo).
@xdp
fn cp_rate(ctx: XdpContext) -> XdpAction {
    if ((cp_counts[ctx.ingress_ifindex] += 1) > cp_limits.limit) {
        return XDP_DROP
    }
    return XDP_PASS
}

// Combined: the read gives what the update left (a shared u32: read after the atomic add).
@xdp
fn cp_combined(ctx: XdpContext) -> XdpAction {
    var key = ctx.ingress_ifindex
    cp_small[key] += 2
    if (cp_small[key] > 4) {
        return XDP_DROP
    }
    return XDP_PASS
}

// Not combined: the key's variable changes between the update and the read.
@xdp
fn cp_key_moves(ctx: XdpContext) -> XdpAction {
    var key = ctx.ingress_ifindex
    cp_counts[key + 10] += 1
    key = key + 1
    if (cp_counts[key + 10] > 0) {
        return XDP_DROP
    }
    return XDP_PASS
}

// Arrays: every index below max_entries exists; past it nothing is created and the value is 0.
@xdp
fn cp_array(ctx: XdpContext) -> XdpAction {
    cp_slots[9] += 1
    if ((cp_slots[ctx.ingress_ifindex + 8] -= 1) != 0) {
        return XDP_ABORTED
    }
    if ((cp_slots[2] += 5) == 10) {
        return XDP_DROP
    }
    return XDP_PASS
}

// A full hash map: the entry cannot be created, the value is 0 (what a read gives).
@xdp
fn cp_full_map(ctx: XdpContext) -> XdpAction {
    cp_full[1] += 7
    if ((cp_full[2] += 1) != 0) {
        return XDP_ABORTED
    }
    if ((cp_full[1] -= 2) == 5) {
        return XDP_DROP
    }
    return XDP_PASS
}

// Each update gets its own number: the fetch-and-add's value, not a later read.
@xdp
fn cp_ids(ctx: XdpContext) -> XdpAction {
    var id = (cp_seq[0] += 1)
    if (id >= 65536) {
        return XDP_ABORTED
    }
    cp_seen[id as u32] += 1
    return XDP_PASS
}

// Runs n and n + 1 (n even) add to the same absent key: on two CPUs at once both often
// find it absent and insert it; the loser of that race must still count.
@xdp
fn cp_insert_race(ctx: XdpContext) -> XdpAction {
    var n = (cp_turn[0] += 1)
    cp_pairs[(n / 2) as u32] += 1
    return XDP_PASS
}

// Updates in an unrolled loop: clang copies the accessor's insert loop (its asm goto
// included) once per iteration; each copy inserts its own key and counts there.
@xdp
fn cp_unrolled(ctx: XdpContext) -> XdpAction {
    var total: u64 = 0
    for (i in 0..4) {
        cp_looped[i] += 1
        total = total + (cp_looped[i + 8] += 2)
    }
    if (total == 8) {
        return XDP_DROP
    }
    return XDP_PASS
}

// Presence, then update: the test's lookup serves the update (atomic on the entry).
@xdp
fn cp_if_present(ctx: XdpContext) -> XdpAction {
    var key = ctx.ingress_ifindex
    if (cp_present[key] != null) {
        cp_present[key] += 1
        return XDP_DROP
    }
    return XDP_PASS
}
`;

function value(result: ProgRunResult, map: string, key: number): bigint | undefined {
  const found = findMap(result, map).entries.find((e) => readUint(e.key) === BigInt(key));
  return found ? readUint(found.value) : undefined;
}

kernelTest("(m[k] += v) gives the entry's value after the update; combined reads see the update; arrays and full maps give 0", () => {
  withBuiltSource("codegen_paths", source, (build) => {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    // The shapes this test relies on: one accessor call for the combined update and read,
    // none for the program whose key moves.
    const program = (name: string): string => c.slice(c.indexOf(`int ${name}(`), c.indexOf("\n}\n", c.indexOf(`int ${name}(`)));
    assert.match(program("cp_combined"), /ks_cp_small_add_value\(key, 2\)/);
    assert.doesNotMatch(program("cp_combined"), /ks_cp_small_get/);
    assert.match(program("cp_key_moves"), /ks_cp_counts_get/);

    const result = runPrograms(build.bpfObject, [
      { prog: "cp_rate", repeat: 3 }, { prog: "cp_rate" },
      { prog: "cp_combined" }, { prog: "cp_combined" }, { prog: "cp_combined" },
      { prog: "cp_key_moves" },
      { prog: "cp_array" }, { prog: "cp_array" },
      { prog: "cp_full_map" },
      { prog: "cp_unrolled" }, { prog: "cp_unrolled" },
    ]);
    assert.deepEqual(result.runs.map((r) => [r.prog, r.retval]), [
      ["cp_rate", XDP_PASS], ["cp_rate", XDP_DROP],
      ["cp_combined", XDP_PASS], ["cp_combined", XDP_PASS], ["cp_combined", XDP_DROP],
      ["cp_key_moves", XDP_PASS],
      ["cp_array", XDP_PASS], ["cp_array", XDP_DROP],
      ["cp_full_map", XDP_DROP],
      ["cp_unrolled", XDP_DROP], ["cp_unrolled", XDP_PASS],
    ]);
    assert.equal(value(result, "cp_counts", 1), 4n, "four updates of cp_counts[1]");
    assert.equal(value(result, "cp_small", 1), 6n, "three updates of cp_small[1] by 2");
    assert.equal(value(result, "cp_counts", 11), 1n, "cp_key_moves updated key 11 ...");
    assert.equal(value(result, "cp_counts", 12), undefined, "... and read key 12, which does not exist");
    assert.deepEqual(findMap(result, "cp_slots").entries.map((e) => readUint(e.value)), [0n, 0n, 10n, 0n], "only cp_slots[2] changed");
    assert.equal(findMap(result, "cp_full").entries.length, 1, "the one-entry hash holds key 1 only");
    assert.equal(value(result, "cp_full", 1), 5n);
    assert.deepEqual(findMap(result, "cp_looped").entries.map((e) => [readUint(e.key), readUint(e.value)] as const).sort((a, b) => Number(a[0] - b[0])),
      [[0n, 2n], [1n, 2n], [2n, 2n], [3n, 2n], [8n, 4n], [9n, 4n], [10n, 4n], [11n, 4n]], "two runs of cp_unrolled: keys 0-3 by 1, 8-11 by 2");
  });
});

contendedTest("(m[k] += 1) on two CPUs at once: every update gets its own value", () => {
  withBuiltSource("codegen_ids", source, (build) => {
    const repeat = 30_000;
    const result = runPrograms(build.bpfObject, [0, 1].map((cpu) => ({ prog: "cp_ids", repeat, cpu })), { concurrent: true });
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS]);
    assert.equal(value(result, "cp_seq", 0), BigInt(2 * repeat));
    const seen = findMap(result, "cp_seen").entries.map((e) => readUint(e.value));
    const wrong = seen.flatMap((n, id) => ((id >= 1 && id <= 2 * repeat ? n !== 1n : n !== 0n) ? [`${id}: ${n}`] : []));
    assert.deepEqual(wrong.slice(0, 10), [], "ids 1..runs each seen exactly once");
  });
});

contendedTest("(m[k] += 1) on an absent hash entry from two CPUs at once: the insert race loses no update", () => {
  withBuiltSource("codegen_insert_race", source, (build) => {
    const repeat = 30_000;
    const runs = 2 * repeat;
    const result = runPrograms(build.bpfObject, [0, 1].map((cpu) => ({ prog: "cp_insert_race", repeat, cpu })), { concurrent: true });
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS]);
    assert.equal(value(result, "cp_turn", 0), BigInt(runs));
    // Run n (1..runs) counts at key n / 2: keys 1..runs/2 - 1 twice, 0 and runs/2 once.
    const pairs = findMap(result, "cp_pairs").entries.map((e) => [Number(readUint(e.key)), readUint(e.value)] as const);
    const expected = (key: number): bigint => (key === 0 || key === runs / 2 ? 1n : 2n);
    const wrong = pairs.flatMap(([key, n]) => (n !== expected(key) ? [`${key}: ${n}`] : []));
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} keys counted wrong`);
    assert.equal(pairs.length, runs / 2 + 1, "one entry per key");
  });
});

kernelTest("m[k] != null / == null as an if's condition (an asm goto on the entry): each branch taken as the map says", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "map-presence-branches.ks"));
  try {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    assert.match(c, /asm goto\("if %\[entry\] != 0 goto/, "the shape under test");
    // ingress_ifindex is 1 (lo): `chain` tests keys 1 and 2 in its if/else-if, then 3.
    const blocked = (keys: number[]) => keys.map((k) => ({ map: "blocked", key: uintBytes(k, 4), value: uintBytes(1, 1) }));
    const run = (keys: number[]): ProgRunResult => runPrograms(build.bpfObject, [{ prog: "present_drops" }, { prog: "chain" }], { presets: blocked(keys) });
    const hits = (result: ProgRunResult): bigint[] => findMap(result, "hits").entries.map((e) => readUint(e.value));
    const cases: [number[], number, number, bigint[]][] = [
      // blocked keys, present_drops, chain, hits[0..3] after chain
      [[], XDP_PASS, XDP_PASS, [1n, 0n, 0n, 0n]],
      [[1, 2], XDP_DROP, XDP_PASS, [0n, 1n, 0n, 2n]],
      [[1, 3], XDP_DROP, XDP_DROP, [0n, 0n, 1n, 0n]],
      [[2], XDP_PASS, XDP_PASS, [1n, 0n, 0n, 1n]],
    ];
    for (const [keys, present, chain, expected] of cases) {
      const result = run(keys);
      assert.deepEqual(result.runs.map((r) => r.retval), [present, chain], `blocked ${JSON.stringify(keys)}`);
      assert.deepEqual(hits(result), expected, `hits with blocked ${JSON.stringify(keys)}`);
    }
  } finally {
    build.cleanup();
  }
});

contendedTest("if (m[k] != null) { m[k] += 1 }: one lookup; absent stays absent, present counts every run of two CPUs", () => {
  withBuiltSource("codegen_presence", source, (build) => {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    const start = c.indexOf("int cp_if_present(");
    const program = c.slice(start, c.indexOf("\n}\n", start));
    assert.equal(program.match(/ks_cp_present_\w+\(/g)?.length, 1, `one accessor call:\n${program}`);
    const absent = runPrograms(build.bpfObject, [{ prog: "cp_if_present", repeat: 10 }]);
    assert.equal(absent.runs[0]!.retval, XDP_PASS);
    assert.equal(findMap(absent, "cp_present").entries.length, 0, "an absent entry is not created");
    const repeat = 30_000;
    const presets = [{ map: "cp_present", key: uintBytes(1, 4), value: uintBytes(5, 8) }];
    const result = runPrograms(build.bpfObject, [0, 1].map((cpu) => ({ prog: "cp_if_present", repeat, cpu })), { concurrent: true, presets });
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_DROP]);
    assert.equal(value(result, "cp_present", 1), 5n + BigInt(2 * repeat));
  });
});
