// KernelScript's integer rules (docs/language/integers.md) in the kernel and in user
// space. Every value below was computed by hand from the rules; each group is a case the
// random programs (tests/fuzz/random-programs) found compiled wrong or not at all:
// C's `int` promotion of narrow types, signed overflow and shifts that are undefined in
// C, signed division that clang 14 cannot compile for eBPF, division by zero, 32-bit
// atomic subtraction, the minimum literals of i32/i64 and literal-only arithmetic.
//
// The inputs are globals, so neither clang nor the verifier knows them: the kernel
// computes every value. Each group is one XDP program storing its values in `out`;
// the generated loader's `main` computes the same expressions in user space and prints
// them, so both sides are compared with the same expectations.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, withBuiltSource } from "./helpers.js";

const kernelTest = kernelTests("integer-rules.test", kernelSkipReason());

const inputs = `
var a8: u8 = 200
var b8: u8 = 100
var w16: u16 = 65535
var s8min: i8 = -128
var s32max: i32 = 2147483647
var s32min: i32 = -2147483648
var s64min: i64 = -9223372036854775808
var m1: i32 = -1
var m1w: i64 = -1
var zero: u32 = 0
var izero: i64 = 0
var n40: u32 = 40
var nneg: i32 = -1
var neg7: i64 = -7
var three: i32 = 3
var gsub: u32 = 5
`;

/** `2^64 + v` for negative values: what `v as u64` gives for a negative `v`. */
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

interface Group {
  readonly name: string;
  /** Statements before the values (declarations, compound assignments). */
  readonly setup?: readonly string[];
  /** Expressions of any integer type and what `(e) as u64` must give. */
  readonly values: readonly (readonly [string, bigint])[];
  /** Not in user space (map-entry places exist only in eBPF). */
  readonly kernelOnly?: boolean;
}

const groups: readonly Group[] = [
  {
    name: "narrow_types_wrap",
    values: [
      ["a8 + b8", 44n],
      ["(a8 + b8 == 44) as u8", 1n],
      ["(a8 + b8) >> 1", 22n],
      ["(a8 + b8 < a8) as u8", 1n],
      ["~a8", 55n],
      ["(~a8 == 55) as u8", 1n],
      ["w16 * w16", 1n],
      ["s8min - 1", 127n],
      ["w16 << 15", 32768n],
    ],
  },
  {
    name: "signed_overflow_wraps",
    values: [
      ["s32max + 1", u64(-2147483648n)],
      ["(s32max + 1 > s32max) as u8", 0n],
      ["-s32min", u64(-2147483648n)],
      ["s64min - 1", 9223372036854775807n],
      ["s32max * 2", u64(-2n)],
      ["m1 << 31", u64(-2147483648n)],
    ],
  },
  {
    name: "signed_division",
    values: [
      ["neg7 / 2", u64(-3n)],
      ["neg7 % 2", u64(-1n)],
      ["neg7 / m1w", 7n],
      ["-three % 2", u64(-1n)],
      ["three / -2", u64(-1n)],
      ["s64min / m1w", 9223372036854775808n],
      ["s64min % m1w", 0n],
      ["s32min / m1", u64(-2147483648n)],
      ["s8min / (m1 as i8)", u64(-128n)],
    ],
  },
  {
    name: "division_by_zero",
    values: [
      ["a8 / (zero as u8)", 0n],
      ["a8 % (zero as u8)", 200n],
      ["n40 / zero", 0n],
      ["neg7 / izero", 0n],
      ["neg7 % izero", u64(-7n)],
    ],
  },
  {
    name: "shift_counts",
    values: [
      ["(1 as u32) << n40", 0n],
      ["(1 as u64) << n40", 1099511627776n],
      ["m1 >> n40", u64(-1n)],
      ["s32max >> n40", 0n],
      ["a8 << 3", 64n],
      ["a8 << nneg", 0n],
      ["a8 >> nneg", 0n],
      ["s8min >> 7", u64(-1n)],
      ["s8min >> n40", u64(-1n)],
    ],
  },
  {
    name: "literals",
    setup: ["var lmin: i64 = -9223372036854775808", "var lprod: u64 = 65536 * 65536", "var lshift: u64 = 1 << 40", "var l32: i32 = -2147483648 >> three"],
    values: [
      ["lmin", 9223372036854775808n],
      ["lprod", 4294967296n],
      ["lshift", 1099511627776n],
      ["l32", u64(-268435456n)],
      ["-2147483648 / three", u64(-715827882n)],
    ],
  },
  {
    name: "compound_assignments",
    setup: [
      "var c8: u8 = a8",
      "c8 += b8",
      "var c32: i32 = s32max",
      "c32 += 1",
      "var c64: i64 = neg7",
      "c64 /= 2",
      "var cu: u32 = 1",
      "cu <<= n40",
      "var c16: i16 = -1",
      "c16 <<= 15",
      "var cz: u64 = 9",
      "cz %= (zero as u64)",
      "gsub -= 7",
    ],
    values: [["c8", 44n], ["c32", u64(-2147483648n)], ["c64", u64(-3n)], ["cu", 0n], ["c16", u64(-32768n)], ["cz", 9n], ["gsub", 4294967294n]],
  },
  {
    name: "map_values",
    kernelOnly: true,
    setup: [
      "small[0] -= 1",
      "wide[1] = neg7",
      "wide[1] /= 2",
      "recs[0].x = s32max",
      "recs[0].x *= 2",
      "recs[0].y -= 1",
      "recs[1].x = -8",
      "recs[1].x >>= n40",
    ],
    values: [["small[0]", u64(-1n)], ["wide[1]", u64(-3n)], ["recs[0].x", u64(-2n)], ["recs[0].y", 4294967295n], ["recs[1].x", u64(-1n)]],
  },
];

function fixture(): string {
  const lines = [inputs, "struct Rec {", "    x: i32,", "    y: u32,", "}", "var small: hash<u32, i32>(4)", "var wide: hash<u32, i64>(4)", "var recs: hash<u32, Rec>(4)"];
  const slots = Math.max(...groups.map((g) => g.values.length));
  lines.push(`var out: array<u32, u64>(${groups.length * slots})`);
  groups.forEach((g, gi) => {
    lines.push("", `@xdp fn ${g.name}(ctx: XdpContext) -> XdpAction {`);
    for (const s of g.setup ?? []) lines.push(`    ${s}`);
    g.values.forEach(([e], i) => lines.push(`    out[${gi * slots + i}] = (${e}) as u64`));
    lines.push("    return XDP_PASS", "}");
  });
  lines.push("", "fn main() -> i32 {");
  for (const g of groups.filter((x) => !x.kernelOnly)) {
    // Each group in its own block, as in its program (setup statements repeat names).
    lines.push("    if (true) {");
    for (const s of g.setup ?? []) lines.push(`        ${s}`);
    for (const [e] of g.values) lines.push(`        print("${g.name} %llu", (${e}) as u64)`);
    lines.push("    }");
  }
  lines.push("    return 0", "}");
  return lines.join("\n");
}

function withBuild(body: (build: ReturnType<typeof compileAndBuild>) => void): void {
  withBuiltSource("integer_rules", fixture(), body);
}

kernelTest("integer rules: every group computes the hand-checked values in the kernel", () => {
  withBuild((build) => {
    const slots = Math.max(...groups.map((g) => g.values.length));
    const result = runPrograms(build.bpfObject, groups.map((g) => ({ prog: g.name })));
    result.runs.forEach((run) => assert.equal(run.retval, 2, `${run.prog} returned XDP_PASS`));
    const out = integerEntries(findMap(result, "out"));
    const wrong: string[] = [];
    groups.forEach((g, gi) => g.values.forEach(([e, expected], i) => {
      const got = out.get(BigInt(gi * slots + i));
      if (got !== expected) wrong.push(`${g.name}: ${e} = ${got}, expected ${expected}`);
    }));
    assert.deepEqual(wrong, []);
  });
});

kernelTest("integer rules: the loader's main computes the same values in user space", () => {
  withBuild((build) => {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, `${run.stderr} (signal ${run.signal})`);
    const expected = groups.filter((g) => !g.kernelOnly).flatMap((g) => g.values.map(([, v]) => `${g.name} ${v}`));
    assert.deepEqual(run.stdout.trimEnd().split("\n"), expected);
  });
});
