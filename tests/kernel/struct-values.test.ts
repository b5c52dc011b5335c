// Large struct values of bytes in eBPF (tests/cases/emit/codegen-struct-values.ks): each
// program builds, loads and computes what the source says. Before the fix the alias copy
// and the field read did not compile (clang: "BPF stack limit of 512 bytes is exceeded"),
// and the loop program was refused by the verifier ("combined stack size of 2 calls is 928").

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms, uintBytes, type MapDump } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";
import { pinnedGlobalsMapName } from "../../src/compiler/names.js";

const kernelTest = kernelTests("struct-values.test", kernelSkipReason());
const source = join(repoRoot, "tests", "cases", "emit", "codegen-struct-values.ks");

/** An `SvRecord`: `tag`, then the 299 bytes of `name`. */
function record(tag: number, name: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(300);
  bytes[0] = tag;
  bytes.set(name, 1);
  return bytes;
}

function value(map: MapDump, key: number): Uint8Array {
  const found = map.entries.find((e) => readUint(e.key) === BigInt(key));
  assert.ok(found, `${map.name}[${key}] exists`);
  return found.value;
}

kernelTest("300-byte structs of bytes: alias copies, field reads through the entry, writes by address", () => {
  const build = compileAndBuild(source);
  try {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    assert.match(c, /ks_sv_records_set_from\(5, &r\)/, "the alias is written by address");
    assert.match(c, /__builtin_memcpy\(&r, __builtin_assume_aligned\(__ks_entry_r_, 8\), sizeof\(r\)\)/, "copied out in words");
    assert.match(c, /ks_sv_records_entry\(6\)/, "a field read looks the entry up, without a copy of the value");
    assert.match(c, /ks_sv_records_set_from\(__ks_key\d+, __ks_from\d+\)/, "a map-to-map write goes from the entry's pointer");
    assert.doesNotMatch(c, /ks_sv_\w+_get\(/, "no struct is read by value");

    const preset = { map: "sv_slots", key: uintBytes(1, 4), value: record(9, [1, 2, 3]) };
    const result = runPrograms(build.bpfObject, [{ prog: "sv_alias" }, { prog: "sv_read" }, { prog: "sv_copy" }], { presets: [preset] });
    assert.deepEqual(result.runs.map((r) => r.retval), [2, 2, 2], "XDP_PASS");
    // rx_queue_index is 0 in a test run: name[0] = 7, tag 9 + 1; the alias writes through to sv_slots[1].
    const written = record(10, [7, 2, 3]);
    assert.deepEqual(value(findMap(result, "sv_records"), 5), written, "sv_records[5] = r");
    assert.deepEqual(value(findMap(result, "sv_slots"), 1), written, "the alias wrote through to sv_slots[1]");
    const seen = integerEntries(findMap(result, "sv_seen"));
    assert.equal(seen.get(0n), 7n, "sv_records[5].name[0]");
    assert.equal(seen.get(1n), 0n, "an absent entry's field reads zero");
    assert.equal(seen.get(2n), 10n, "sv_slots[1].tag");
    assert.equal(seen.get(3n), 2n, "sv_records[5].name[1]");
    assert.deepEqual(value(findMap(result, "sv_records"), 7), written, "sv_records[7] = sv_slots[1]");
    assert.deepEqual(value(findMap(result, "sv_records"), 8), new Uint8Array(300), "sv_records[8] = sv_records[9] (absent): zero");
  } finally {
    build.cleanup();
  }
});

kernelTest("a 300-byte global struct of bytes copied into a local", () => {
  const build = compileAndBuild(source);
  try {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    assert.match(c, /^struct SvRecord sv_template __attribute__\(\(aligned\(8\)\)\) SEC\("\.bss"\);$/m, "the global is 8-byte aligned");
    const result = runPrograms(build.bpfObject, [{ prog: "sv_global" }]);
    assert.equal(result.runs[0]!.retval, 2);
    // rx_queue_index 0: name[0] = 5; the template is zero, so tag 0 + 3.
    assert.deepEqual(value(findMap(result, "sv_records"), 10), record(3, [5]), "sv_records[10] = the changed copy");
  } finally {
    build.cleanup();
  }
});

kernelTest("a 300-byte pinned global struct of bytes copied into locals and a map", () => {
  const build = compileAndBuild(source);
  try {
    const c = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8");
    assert.match(c, /^ +struct SvRecord r __attribute__\(\(aligned\(8\)\)\) = ks_pinned\(\)->sv_pinned;$/m, "copied into an aligned local");
    assert.match(c, /^ +struct SvRecord r __attribute__\(\(aligned\(8\)\)\);\n.*\n +r = ks_pinned\(\)->sv_pinned;$/m, "assigned to an aligned local");
    assert.match(c, /ks_sv_records_set_from\(13, &ks_pinned\(\)->sv_pinned\)/, "written to a map from its address");
    const result = runPrograms(build.bpfObject, [{ prog: "sv_pinned_copy", repeat: 2 }, { prog: "sv_pinned_assign" }]);
    assert.deepEqual(result.runs.map((r) => r.retval), [2, 2], "XDP_PASS");
    // rx_queue_index 0: name[0] = 8; the pinned record has name[2] = 6 and tag 0, so tag 4.
    assert.deepEqual(value(findMap(result, "sv_records"), 11), record(4, [8, 0, 6]), "sv_records[11] = the changed copy");
    assert.deepEqual(value(findMap(result, "sv_records"), 12), record(5, [0, 0, 6]), "sv_records[12] = the assigned copy, changed");
    assert.deepEqual(value(findMap(result, "sv_records"), 13), record(0, [0, 0, 6]), "sv_records[13] = the pinned record");
    const pinned = findMap(result, pinnedGlobalsMapName).entries[0]!.value;
    assert.equal(readUint(pinned, 0, 4), 2n, "sv_pinned_count, counted twice");
    // The record starts at offset 8 (after the u32 and 4 bytes that align it): tag, then name.
    assert.deepEqual([...pinned.subarray(8, 12)], [0, 0, 0, 6], "sv_pinned.name[2] at offset 8 + 1 + 2");
    assert.equal(pinned.length, 312, "the value: u32, 4 bytes, the record, 4 bytes to a multiple of 8");
  } finally {
    build.cleanup();
  }
});

kernelTest("a 232-byte local and a 216-byte one in a loop callback load together", () => {
  const build = compileAndBuild(source);
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "sv_frames" }]);
    assert.equal(result.runs[0]!.retval, 2);
    // ingress_ifindex 1: a.d[1] = 1; three iterations write b.d[i] = 2 into slots 0, 1, 2.
    const big = value(findMap(result, "sv_bigs"), 0);
    assert.equal(big[1], 1);
    assert.equal(big.reduce((sum, b) => sum + b, 0), 1);
    const smalls = findMap(result, "sv_smalls");
    for (const i of [0, 1, 2]) {
      const small = value(smalls, i);
      assert.equal(small[i], 2, `sv_smalls[${i}].d[${i}]`);
      assert.equal(small.reduce((sum, b) => sum + b, 0), 2, `only d[${i}] is set in sv_smalls[${i}]`);
    }
    assert.equal(value(smalls, 3).reduce((sum, b) => sum + b, 0), 0, "slot 3 untouched");
  } finally {
    build.cleanup();
  }
});
