// `+=`/`-=` on shared memory is atomic on every path (tests/cases/emit/atomic-updates.ks):
// each program runs on both CPUs at the same time (BPF_PROG_TEST_RUN with a large
// repeat count, one thread per CPU), and its counter must equal the number of runs.
// A plain load/add/store loses updates under this contention (before the fix, the entry
// binding, the lookup alias, pointers to entries and globals' fields were plain).
// Per-CPU maps stay plain: each CPU's slot counts its own runs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, readUint, runPrograms, uintBytes, type ProgRunResult } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const twoCpus = cpus().length >= 2 ? undefined : "needs two CPUs to run a program on both at once";
const kernelTest = kernelTests("atomic-updates.test", kernelSkipReason() ?? twoCpus);
const source = join(repoRoot, "tests", "cases", "emit", "atomic-updates.ks");

/** Runs per CPU: enough that two plain read-modify-writes overlap many times. */
const repeat = 4_000_000;
const runs = 2 * repeat;
const zeroCounter = new Uint8Array(16);

/** `Counter { hits: u64, misses: u32 }` at `offset` of `bytes`. */
function counter(bytes: Uint8Array, offset = 0): { hits: bigint; misses: bigint } {
  return { hits: readUint(bytes, offset, 8), misses: readUint(bytes, offset + 8, 4) };
}

function entry(result: ProgRunResult, map: string, key: number): Uint8Array {
  const found = findMap(result, map).entries.find((e) => readUint(e.key) === BigInt(key));
  assert.ok(found, `${map}[${key}] exists`);
  return found.value;
}

kernelTest("every path to a shared counter is atomic: two CPUs, no lost update", () => {
  const build = compileAndBuild(source);
  try {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    const lost: string[] = [];
    const check = (what: string, actual: bigint, expected: bigint): void => {
      if (actual !== expected) lost.push(`${what}: ${actual}, expected ${expected}`);
    };
    const both = (prog: string, presets: { map: string; key: Uint8Array; value: Uint8Array }[] = []): ProgRunResult =>
      runPrograms(build.bpfObject, [0, 1].map((cpu) => ({ prog, repeat, cpu })), { concurrent: true, presets });
    const counters = (keys: number[]) => keys.map((k) => ({ map: "au_counters", key: uintBytes(k, 4), value: zeroCounter }));
    const wrapped = (n: number): bigint => (1n << 32n) - BigInt(n);

    check("au_counters[0].hits += 1", counter(entry(both("au_index"), "au_counters", 0)).hits, BigInt(runs));
    check("au_totals[0] += 1", readUint(entry(both("au_whole"), "au_totals", 0)), BigInt(runs));
    const binding = counter(entry(both("au_binding", counters([1])), "au_counters", 1));
    check("if (var c = au_counters[1]) { c.hits += 1 }", binding.hits, BigInt(runs));
    check("if (var c = au_counters[1]) { c.misses -= 1 }", binding.misses, wrapped(runs));
    const totalsPreset = [{ map: "au_totals", key: uintBytes(1, 4), value: new Uint8Array(8) }];
    check("if (var t = au_totals[1]) { t += 1 }", readUint(entry(both("au_whole_binding", totalsPreset), "au_totals", 1)), BigInt(runs));
    const alias = counter(entry(both("au_alias", counters([2])), "au_counters", 2));
    check("var c = au_counters[2]; c.hits += 1", alias.hits, BigInt(runs));
    check("var c = au_counters[2]; c.misses -= 1", alias.misses, wrapped(runs));
    const pointer = counter(entry(both("au_pointer", counters([3])), "au_counters", 3));
    check("var p = &au_counters[3]; p.hits += 1", pointer.hits, BigInt(runs));
    check("(*p).misses -= 1", pointer.misses, wrapped(runs));
    const helper = counter(entry(both("au_helper_pointer", counters([4])), "au_counters", 4));
    check("au_bump(p): c.hits += 1 through a parameter", helper.hits, BigInt(runs));
    const bss = both("au_global_field").maps.find((m) => m.name.endsWith(".bss"));
    assert.ok(bss?.entries[0], "the object's .bss map");
    const global = counter(bss.entries[0].value);
    check("au_global.hits += 1", global.hits, BigInt(runs));
    check("au_global.misses -= 1", global.misses, wrapped(runs));

    // Per-CPU: plain updates, and each CPU's slot holds exactly its own runs.
    const perCpu = findMap(both("au_per_cpu_binding"), "au_per_cpu").entries[0]!;
    const slots = (perCpu.values ?? []).map((v) => counter(v).hits);
    check("au_per_cpu slots (sum)", slots.reduce((a, b) => a + b, 0n), BigInt(runs));
    assert.ok(slots.filter((n) => n === BigInt(repeat)).length === 2, `each CPU counted its own runs: ${slots.join(", ")}`);

    assert.deepEqual(lost, []);
    // The per-CPU binding is the one plain update in the object.
    const perCpuProgram = c.slice(c.indexOf("int au_per_cpu_binding("));
    assert.doesNotMatch(perCpuProgram.slice(0, perCpuProgram.indexOf("\n}\n")), /__sync_fetch_and/);
  } finally {
    build.cleanup();
  }
});
