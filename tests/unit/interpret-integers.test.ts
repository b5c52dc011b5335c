// The interpreter's integer rules (docs/language/integers.md) against values worked out
// by hand: per width and signedness, division and remainder by zero and of MIN by -1,
// shifts at and past the width, narrowing casts. Both the rules on their own
// (interpret/integers.ts) and a program computing them into a map.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { arithmetic, shift, swapBytes } from "../../src/compiler/interpret/integers.js";
import type { IntType } from "../../src/compiler/types.js";
import { le, runSource } from "../harness/interpret.js";

const t = (bits: 8 | 16 | 32 | 64, signed: boolean): IntType => ({ kind: "int", bits, signed });

describe("interpreter: integer rules", () => {
  it("wraps + - * to the width, two's complement for signed types", () => {
    assert.equal(arithmetic("+", t(8, false), 200n, 100n), 44n);
    assert.equal(arithmetic("-", t(8, false), 0n, 1n), 255n);
    assert.equal(arithmetic("+", t(32, true), 2147483647n, 1n), -2147483648n);
    assert.equal(arithmetic("*", t(16, true), 300n, 300n), 24464n, "90000 mod 65536 = 24464");
    assert.equal(arithmetic("*", t(64, false), 1n << 63n, 2n), 0n);
    assert.equal(arithmetic("-", t(64, true), -(1n << 63n), 1n), (1n << 63n) - 1n);
  });

  it("divides toward zero, by zero gives 0 (remainder: the dividend), MIN / -1 is MIN", () => {
    assert.equal(arithmetic("/", t(8, true), -7n, 2n), -3n);
    assert.equal(arithmetic("%", t(8, true), -7n, 2n), -1n);
    assert.equal(arithmetic("%", t(16, true), 7n, -2n), 1n);
    assert.equal(arithmetic("/", t(32, false), 7n, 0n), 0n);
    assert.equal(arithmetic("%", t(32, false), 7n, 0n), 7n);
    assert.equal(arithmetic("/", t(32, true), -2147483648n, -1n), -2147483648n);
    assert.equal(arithmetic("%", t(64, true), -(1n << 63n), -1n), 0n);
    assert.equal(arithmetic("/", t(8, true), -128n, -1n), -128n);
  });

  it("shifts out every bit for counts at or past the width (and negative ones)", () => {
    assert.equal(shift("<<", t(32, false), 7n, 40n), 0n);
    assert.equal(shift("<<", t(8, false), 1n, 7n), 128n);
    assert.equal(shift("<<", t(8, true), 1n, 7n), -128n);
    assert.equal(shift(">>", t(16, true), -300n, 40n), -1n);
    assert.equal(shift(">>", t(16, true), 300n, 16n), 0n);
    assert.equal(shift(">>", t(32, true), -8n, 1n), -4n, "arithmetic for signed values");
    assert.equal(shift(">>", t(32, false), 0x80000000n, 31n), 1n);
    assert.equal(shift("<<", t(64, false), 1n, -1n), 0n);
  });

  it("swaps bytes for ntohs/htonl", () => {
    assert.equal(swapBytes(0x1234n, 16), 0x3412n);
    assert.equal(swapBytes(0xc6120001n, 32), 0x010012c6n);
  });

  it("computes the same values in a program (map bytes as the C layout holds them)", () => {
    const source = `
var out: array<u32, u64>(16)

@xdp
fn ints(ctx: XdpContext) -> XdpAction {
    var a: u8 = 200
    var b: u8 = 100
    out[0] = (a + b) as u64
    var m: i32 = -2147483648
    out[1] = (m / -1) as u64
    out[2] = (m % -1) as u64
    var s: i8 = -7
    out[3] = (s / 2) as u64
    out[4] = (s % 2) as u64
    var z: u32 = 0
    var seven: u32 = 7
    out[5] = (seven / z) as u64
    out[6] = (seven % z) as u64
    var c: u32 = 40
    out[7] = (seven << c) as u64
    var neg: i16 = -300
    out[8] = (neg >> c) as u64
    out[9] = (~a) as u64
    var big: i64 = 9223372036854775807
    out[10] = (big + 1) as u64
    out[11] = (neg as u8) as u64
    out[12] = ((200 as u8) as i8) as u64
    return XDP_PASS
}
`;
    const run = runSource(source, "ints");
    assert.equal(run.status, "ok", run.message);
    assert.equal(run.retval, 2);
    const values = new Map(run.maps.out!.map(([k, v]) => [k, v]));
    const expect = [44n, -2147483648n, 0n, -3n, -1n, 0n, 7n, 0n, -1n, 55n, -(1n << 63n), 212n, -56n];
    expect.forEach((v, i) => assert.equal(values.get(le(BigInt(i), 4)), le(v, 8), `out[${i}]`));
  });
});
