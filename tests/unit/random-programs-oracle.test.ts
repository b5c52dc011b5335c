// The random programs' oracle (tests/fuzz/random-programs) is checked here against values
// worked out by hand, so a wrong rule in the oracle cannot pass for a compiler bug (or
// hide one): signed division of minimum values, shifts at and past the width, narrowing
// casts, the common type of mixed operands, literal typing. Then whole programs: the
// generator is deterministic for a seed, every program compiles without a diagnostic,
// and the oracle's own bookkeeping (checks, markers) is consistent.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as I from "../fuzz/random-programs/integers.js";
import { generateProgram } from "../fuzz/random-programs/generate.js";
import { programSource } from "../fuzz/random-programs/run.js";
import { interpret } from "../fuzz/random-programs/interpret.js";
import type { Expr, Program, Stmt } from "../fuzz/random-programs/model.js";
import { intTy } from "../fuzz/random-programs/model.js";
import { PACKET_LENGTH, childBodies } from "../fuzz/random-programs/resolve.js";
import { compile } from "../../src/compiler/index.js";
import type { Host } from "../../src/compiler/index.js";

describe("random programs: the integer oracle", () => {
  it("divides signed minimum values as the language says (wrap, truncate, zero)", () => {
    assert.equal(I.arith("/", I.i64, I.minOf(I.i64), -1n), I.minOf(I.i64), "MIN / -1 wraps to MIN");
    assert.equal(I.arith("%", I.i64, I.minOf(I.i64), -1n), 0n);
    assert.equal(I.arith("/", I.i32, -2147483648n, -1n), -2147483648n);
    assert.equal(I.arith("/", I.i8, -128n, -1n), -128n);
    assert.equal(I.arith("/", I.i8, -7n, 2n), -3n, "truncates toward zero");
    assert.equal(I.arith("%", I.i8, -7n, 2n), -1n, "the remainder has the dividend's sign");
    assert.equal(I.arith("%", I.i16, 7n, -2n), 1n);
    assert.equal(I.arith("/", I.u32, 7n, 0n), 0n, "x / 0 is 0");
    assert.equal(I.arith("%", I.u32, 7n, 0n), 7n, "x % 0 is x");
    assert.equal(I.arith("%", I.i32, -7n, 0n), -7n);
    assert.equal(I.arith("/", I.u64, 18446744073709551615n, 2n), 9223372036854775807n);
  });

  it("wraps + - * in the result type", () => {
    assert.equal(I.arith("+", I.u8, 200n, 100n), 44n);
    assert.equal(I.arith("-", I.u8, 0n, 1n), 255n);
    assert.equal(I.arith("+", I.i32, 2147483647n, 1n), -2147483648n);
    assert.equal(I.arith("*", I.u16, 65535n, 65535n), 1n);
    assert.equal(I.arith("*", I.i64, -9223372036854775808n, -1n), -9223372036854775808n);
    assert.equal(I.negate(I.i8, -128n), -128n);
    assert.equal(I.complement(I.u8, 200n), 55n);
    assert.equal(I.complement(I.i16, 0n), -1n);
    assert.equal(I.arith("&", I.i8, -1n, 0x7fn), 127n);
    assert.equal(I.arith("^", I.u16, 0xffffn, 0x00ffn), 0xff00n);
  });

  it("shifts by counts at or past the width shift every bit out (0, or the sign)", () => {
    assert.equal(I.shift("<<", I.u32, 1n, 31n), 2147483648n);
    assert.equal(I.shift("<<", I.u32, 1n, 32n), 0n);
    assert.equal(I.shift("<<", I.u32, 1n, 40n), 0n);
    assert.equal(I.shift("<<", I.u8, 200n, 3n), 64n, "wrapped to u8");
    assert.equal(I.shift("<<", I.i8, -1n, 7n), -128n);
    assert.equal(I.shift("<<", I.i32, -1n, 31n), -2147483648n);
    assert.equal(I.shift(">>", I.i32, -1n, 40n), -1n, "a negative value keeps its sign");
    assert.equal(I.shift(">>", I.i32, -8n, 1n), -4n, "arithmetic shift");
    assert.equal(I.shift(">>", I.i8, -128n, 7n), -1n);
    assert.equal(I.shift(">>", I.u8, 200n, 8n), 0n);
    assert.equal(I.shift(">>", I.i64, 5n, 64n), 0n);
    assert.equal(I.shift("<<", I.u64, 1n, -1n), 0n, "a negative count is out of range");
    assert.equal(I.shift(">>", I.i16, -5n, -1n), -1n);
    assert.equal(I.shift("<<", I.u64, 3n, 63n), 9223372036854775808n);
  });

  it("narrows and widens casts by the low bits (two's complement)", () => {
    assert.equal(I.castInt(-1n, I.u8), 255n);
    assert.equal(I.castInt(300n, I.u8), 44n);
    assert.equal(I.castInt(200n, I.i8), -56n);
    assert.equal(I.castInt(-300n, I.u8), 212n);
    assert.equal(I.castInt(-1n, I.u64), 18446744073709551615n);
    assert.equal(I.castInt(4294967296n + 5n, I.u32), 5n);
    assert.equal(I.castInt(-2147483649n, I.i32), 2147483647n);
    assert.equal(I.castInt(-128n, I.i64), -128n, "widening keeps the value");
  });

  it("finds common types as the checker does (promotion) and types literals by default", () => {
    assert.deepEqual(I.commonType(I.u8, I.u32), I.u32);
    assert.deepEqual(I.commonType(I.i8, I.i64), I.i64);
    assert.deepEqual(I.commonType(I.u8, I.i16), I.i16, "unsigned joins a strictly wider signed type");
    assert.equal(I.commonType(I.u16, I.i16), undefined, "same width, mixed signedness: none");
    assert.equal(I.commonType(I.u64, I.i32), undefined);
    assert.ok(I.widens(I.u8, I.i16) && !I.widens(I.i8, I.u16) && !I.widens(I.u32, I.i32));
    assert.deepEqual(I.defaultLiteralType(5n), I.u32);
    assert.deepEqual(I.defaultLiteralType(4294967296n), I.u64);
    assert.deepEqual(I.defaultLiteralType(-1n), I.i32);
    assert.deepEqual(I.defaultLiteralType(-2147483649n), I.i64);
    assert.equal(I.compare("<", -1n, 0n), true, "comparisons use the exact values");
  });
});

describe("random programs: the oracle on a hand-made program", () => {
  it("computes a program's checks, loops, helpers and maps as written", () => {
    const a: Expr = { k: "var", ref: { name: "a", type: intTy(I.u8), global: false } };
    const helper = { name: "h", params: [{ name: "x", type: intTy(I.i32) }], ret: intTy(I.i32), effects: false, body: [] as Stmt[] };
    const x: Expr = { k: "var", ref: { name: "x", type: intTy(I.i32), global: false } };
    helper.body = [{ k: "return", value: { k: "arith", op: "/", t: I.i32, l: x, r: { k: "int", t: I.i32, v: -2n, typed: false } } }];
    const map = { name: "m", kind: "hash" as const, key: I.u32, value: intTy(I.u16), maxEntries: 4 };
    const key: Expr = { k: "int", t: I.u32, v: 1n, typed: false };
    const body: Stmt[] = [
      { k: "decl", name: "a", type: intTy(I.u8), init: { k: "int", t: I.u8, v: 200n, typed: false }, annotate: true, constant: false },
      { k: "assign", place: { k: "var", ref: { name: "a", type: intTy(I.u8), global: false } }, op: "+=", value: { k: "int", t: I.u8, v: 100n, typed: false } },
      { k: "check", id: 1, value: a, note: "a" },
      { k: "for", variable: "i", vt: I.u32, start: { k: "int", t: I.u32, v: 0n, typed: false }, end: { k: "int", t: I.u32, v: 3n, typed: false }, body: [
        { k: "mapOp", map, key, op: "-=", value: { k: "int", t: I.u16, v: 1n, typed: false } },
      ] },
      { k: "check", id: 2, value: { k: "mapGet", map, key }, note: "m[1]" },
      { k: "check", id: 3, value: { k: "call", fn: helper, args: [{ k: "int", t: I.i32, v: -7n, typed: false }] }, note: "h(-7)" },
      { k: "check", id: 4, value: { k: "packetLength" }, note: "length" },
      { k: "if", cond: { k: "bool", v: false }, then: [{ k: "unreachable", id: 5 }], else: undefined },
    ];
    const program: Program = { seed: 0, prefix: "p0_", structs: [], globals: [], maps: [map], helpers: [helper], body, checkCount: 5 };
    const run = interpret(program, { packetLength: PACKET_LENGTH });
    assert.deepEqual(run.observations.get(1)?.values, [44n]);
    assert.deepEqual(run.observations.get(2)?.values, [65533n], "0 - 1 - 1 - 1 in u16, the entry created by the first -=");
    assert.deepEqual(run.observations.get(3)?.values, [3n], "-7 / -2 truncates to 3");
    assert.deepEqual(run.observations.get(4)?.values, [64n]);
    assert.ok(!run.reached.has(5));
  });
});

describe("random programs: the oracle follows lookup aliases", () => {
  it("writes an alias's assignments through to the entry present at the lookup, and only then", () => {
    // Seed 8101396: `var v9 = p0_m2[2]` then `v9 = ~p0_m2[0]` wrote -1 into the entry;
    // the oracle took the alias for a copy and expected the entry to stay 0.
    const array = { name: "m2", kind: "percpu_array" as const, key: I.u32, value: intTy(I.i8), maxEntries: 6 };
    const hash = { name: "h", kind: "hash" as const, key: I.u32, value: intTy(I.u32), maxEntries: 4 };
    const u32 = (v: bigint): Expr => ({ k: "int", t: I.u32, v, typed: false });
    const v: Expr = { k: "var", ref: { name: "v", type: intTy(I.i8), global: false } };
    const w: Expr = { k: "var", ref: { name: "w", type: intTy(I.u32), global: false } };
    const body: Stmt[] = [
      { k: "decl", name: "v", type: intTy(I.i8), init: { k: "mapGet", map: array, key: u32(2n) }, annotate: false, constant: false },
      { k: "assign", place: { k: "var", ref: { name: "v", type: intTy(I.i8), global: false } }, op: "=", value: { k: "compl", t: I.i8, e: { k: "mapGet", map: array, key: u32(0n) } } },
      { k: "check", id: 1, value: { k: "mapGet", map: array, key: u32(2n) }, note: "m2[2]" },
      { k: "check", id: 2, value: v, note: "v" },
      // An absent entry: the alias is a zero copy, and nothing is created.
      { k: "decl", name: "w", type: intTy(I.u32), init: { k: "mapGet", map: hash, key: u32(7n) }, annotate: false, constant: false },
      { k: "assign", place: { k: "var", ref: { name: "w", type: intTy(I.u32), global: false } }, op: "+=", value: u32(5n) },
      { k: "check", id: 3, value: w, note: "w" },
      { k: "check", id: 4, value: { k: "mapHas", map: hash, key: u32(7n), negated: false }, note: "h has 7" },
    ];
    const program: Program = { seed: 0, prefix: "p0_", structs: [], globals: [], maps: [array, hash], helpers: [], body, checkCount: 4 };
    const run = interpret(program, { packetLength: PACKET_LENGTH });
    assert.deepEqual(run.observations.get(1)?.values, [-1n], "the entry was written through the alias");
    assert.deepEqual(run.observations.get(2)?.values, [-1n]);
    assert.deepEqual(run.observations.get(3)?.values, [5n]);
    assert.deepEqual(run.observations.get(4)?.values, [false]);
  });
});

describe("random programs: the generator", () => {
  let current = "";
  const host: Host = { readFile: (path) => (path === "r.ks" ? current : undefined) };

  it("is deterministic for a seed, and the seed is in the program's text", () => {
    const a = programSource(generateProgram(1234, "p0_"));
    const b = programSource(generateProgram(1234, "p0_"));
    assert.equal(a, b);
    assert.ok(a.includes("seed 1234"));
    assert.notEqual(a, programSource(generateProgram(1235, "p0_")));
  });

  it("writes programs the compiler accepts without a diagnostic, with resolved checks", () => {
    for (let seed = 100; seed < 130; seed++) {
      const program = generateProgram(seed, "p0_");
      current = programSource(program);
      const result = compile("r.ks", host);
      assert.deepEqual(result.diagnostics.map((d) => `${d.code}: ${d.message}`), [], `seed ${seed}`);
      // Every check has an expected value; markers that the oracle reached are gone.
      const rerun = interpret(program, { packetLength: PACKET_LENGTH });
      const visit = (stmts: readonly Stmt[]): void => {
        for (const s of stmts) {
          if (s.k === "check") assert.ok(s.expected !== undefined, `seed ${seed}: check ${s.id} resolved`);
          if (s.k === "check" && !s.dead) assert.equal(rerun.observations.get(s.id)?.values.length, 1, `seed ${seed}: check ${s.id} sees one value`);
          if (s.k === "unreachable") assert.ok(!rerun.reached.has(s.id), `seed ${seed}: marker ${s.id} is never reached`);
          childBodies(s).forEach(visit);
        }
      };
      visit(program.body);
      program.helpers.forEach((h) => visit(h.body));
    }
  });
});
