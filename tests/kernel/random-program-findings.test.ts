// Programs the random self-checking programs (tests/fuzz/random-programs) found compiled
// wrong, each cut down to what it takes: the compiler accepted them, then the C did not
// build with -Werror, the verifier refused it, or the kernel computed something else.
// (Integer arithmetic has its own file: integer-rules.test.ts.)

import assert from "node:assert/strict";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, withBuiltSource } from "./helpers.js";

const kernelTest = kernelTests("random-program-findings.test", kernelSkipReason());
const XDP_PASS = 2;

/** Builds `source` (Makefile, -Werror) and hands over the build; cleans up after. */
function withBuild(source: string, body: (build: ReturnType<typeof compileAndBuild>) => void): void {
  withBuiltSource("finding", source, body);
}

kernelTest("a match value inside a bpf_loop() callback reads a struct from outside the loop", () => {
  // The statement expression the match becomes was written by a fresh C emitter that did
  // not know the callback reaches `s` through its context: `s` was undeclared.
  withBuild(`
struct S {
    a: u32,
}
var n: u32 = 3
var out: array<u32, u64>(1)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var s = S { a: 5 }
    var sum: u64 = 0
    for (i in 0..n) {
        sum += (match (i) { 1: s.a, default: 100 }) as u64
    }
    out[0] = sum
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    assert.equal(integerEntries(findMap(result, "out")).get(0n), 205n, "100 + 5 + 100");
  });
});

kernelTest("concatenating strings read from a map passes the verifier and gives the text", () => {
  // clang wrote `s.data + used` as `s.data | used` (the buffer is aligned, `used` small):
  // "R1 bitwise operator |= on pointer prohibited".
  withBuild(`
struct T {
    s: str(3),
}
var m: array<u32, T>(1)
var out: array<u32, u64>(1)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var t = m[0]
    if (t.s + t.s + "rj" == "ysuysurj") {
        out[0] = 1
    }
    return XDP_PASS
}
`, (build) => {
    const value = new Uint8Array(4);
    value.set(new TextEncoder().encode("ysu"));
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }], { presets: [{ map: "m", key: uintBytes(0, 4), value }] });
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    assert.equal(integerEntries(findMap(result, "out")).get(0n), 1n);
  });
});

kernelTest("a shift-assignment by a match value takes the count's own type", () => {
  // The count of `x <<= …` is any integer, but the target's type was passed to the match
  // as the expected type of its arms: `u32` arms were E0302 for a `u8` target.
  withBuild(`
var k: u32 = 1
var out: array<u32, u64>(1)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var x: u8 = 3
    x <<= match (k) { 1: (2 as u32), default: (0 as u32) }
    out[0] = x as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(integerEntries(findMap(result, "out")).get(0n), 12n);
  });
});

kernelTest("assigning or comparing a variable to itself builds with -Wall -Werror on both sides", () => {
  // Valid KernelScript that clang flags (-Wself-assign, -Wtautological-compare), as it
  // does comparing a widened value with a constant outside the narrower type's range.
  withBuild(`
struct S {
    a: u32,
}
var g: i8 = 3
var out: array<u32, u64>(2)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var s = S { a: 1 }
    g = g
    s.a = s.a
    s = s
    if (g != g) {
        out[0] = 1
    }
    if (g as i16 != 300) {
        out[1] = s.a as u64
    }
    return XDP_PASS
}

fn main() -> i32 {
    var x: u32 = 5
    x = x
    if (x == x) {
        print("same")
    }
    return 0
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    const out = integerEntries(findMap(result, "out"));
    assert.equal(out.get(0n), 0n);
    assert.equal(out.get(1n), 1n);
  });
});

kernelTest("a 32-bit atomic update by zero, or by a value whose negation C leaves undefined, builds and computes", () => {
  // clang 14 turned `__sync_fetch_and_add(p, 0)` on 32 bits into an atomic load it cannot
  // select for eBPF, and `(__s32)(0 - x)` for an x that is 0 or INT_MIN into the same
  // (the negation of INT_MIN is undefined in C): "Unsupported atomic operations", exit 70.
  withBuild(`
struct C {
    n: u32,
}
var g: u32 = 7
var flag: bool = true
var m: hash<u32, i32>(4)
var c: hash<u32, C>(4)
var out: array<u32, u64>(3)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    g += 0
    g -= 0
    m[1] = 5
    m[1] -= (-2147483648 as i32) * (flag as i32)
    c[2] = C { n: 9 }
    c[2].n += 0
    if (var e = c[2]) {
        e.n -= 0
    }
    out[0] = g as u64
    out[1] = m[1] as u64
    out[2] = c[2].n as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.equal(out.get(0n), 7n);
    assert.equal(out.get(1n), BigInt.asUintN(64, BigInt.asIntN(32, 5n + 2147483648n)), "5 - MIN wraps to 5 + 2^31 as i32, widened");
    assert.equal(out.get(2n), 9n);
  });
});

kernelTest("the packet length in arithmetic passes the verifier and computes", () => {
  // clang reassociated `g + (data_end - data)` into `(g + data_end) - data`, and
  // `~(data_end - data)` into arithmetic on data_end: "pointer arithmetic on pkt_end
  // prohibited" (and "pointer arithmetic with <<= operator prohibited").
  withBuild(`
var g: u64 = 1000
var out: array<u32, u64>(3)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    g = g + (ctx.data_end - ctx.data)
    out[0] = g
    out[1] = ~(ctx.data_end - ctx.data) * 2
    out[2] = ((ctx.data_end - ctx.data) != 0) as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.equal(out.get(0n), 1064n, "prog-run's frame is 64 bytes");
    assert.equal(out.get(1n), BigInt.asUintN(64, ~64n * 2n));
    assert.equal(out.get(2n), 1n);
  });
});

kernelTest("a lookup alias declared outside a bpf_loop() callback is written through inside it", () => {
  // The write-back went through the alias's hidden entry pointer, which the callback did
  // not capture: "use of undeclared identifier '__ks_entry_v_'".
  withBuild(`
struct P {
    a: u32,
    b: u64,
}
var m: hash<u32, u32>(4)
var s: hash<u32, P>(4)
var n: u32 = 3
var out: array<u32, u64>(4)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    m[1] = 7
    s[1] = P { a: 1, b: 2 }
    var v = m[1]
    var p = s[1]
    for (i in 0..n) {
        v = v + 1
        p.b = p.b * 2
    }
    out[0] = v as u64
    out[1] = m[1] as u64
    out[2] = p.b
    out[3] = s[1].b
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.deepEqual([out.get(0n), out.get(1n), out.get(2n), out.get(3n)], [10n, 10n, 16n, 16n]);
  });
});

kernelTest("a run-time index into a small stack array passes the verifier", () => {
  // clang knew `k & 3` is below 4 and the array 4-aligned, and wrote the element's address
  // `base + k` as `base | k`: "R2 bitwise operator |= on pointer prohibited".
  withBuild(`
struct S {
    a: i32,
    b: i8[4],
    k: u32,
}
var g: u32 = 6
var out: array<u32, u64>(2)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var s = S { a: 1, b: [1, 2, 3, 4], k: g }
    s.b[s.k & 3] = s.b[2]
    out[0] = s.b[2] as u64
    out[1] = s.b[(s.k + 1) & 3] as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.equal(out.get(0n), 3n);
    assert.equal(out.get(1n), 4n, "index 7 & 3 = 3");
  });
});

kernelTest("a run-time loop the verifier knows runs 0 times loads and skips its body", () => {
  // The verifier knows `z` is 0 (the string is on the stack), so it never visited the
  // second callback and removed its code, but kept the live load of its address: kernel
  // 6.18 refused the program with "verifier bug: No program to jit … (subprog < 0)".
  withBuild(`
var out: array<u32, u64>(1)
var n: u32 = 3

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    for (j in 0..n) {
        out[0] += 2
    }
    var s = "ab"
    var z = (s[0] - 'a') as u32
    for (i in 0..z) {
        out[0] += 100
    }
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    assert.equal(integerEntries(findMap(result, "out")).get(0n), 6n, "three iterations of the first loop, none of the second");
  });
});

kernelTest("a run-time array index `k % N` keeps its bound, and an index past the end wraps", () => {
  // clang computed `k % 5` as `k - k / 5 * 5`, whose bound the verifier cannot follow
  // ("math between fp pointer and register with unbounded min value"); an index out of
  // range had no meaning. Now every run-time index is taken modulo the length.
  withBuild(`
var out: array<u32, u64>(4)
var k: u32 = 13

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var a: u64[5] = [10, 20, 30, 40, 50]
    var b: u8[3] = [1, 2, 3]
    a[k % 5] += 7
    b[k % 3] = 9
    out[0] = a[k % 5]
    out[1] = b[(k + 1) % 3] as u64
    out[2] = a[k]
    out[3] = b[k % 3] as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.deepEqual([0n, 1n, 2n, 3n].map((i) => out.get(i)), [47n, 3n, 47n, 9n], "a[3] += 7, b[1] = 9, b[2], a[13 % 5], b[1]");
  });
});

kernelTest("a helper returning from a branch and at its end passes the verifier (no load ahead of the test)", () => {
  // clang merged the two returns into `phi(~(…), undefined)` selected by a second test of
  // the same condition and loaded `g0` ahead: the verifier followed the impossible path
  // (first test false, second true) and read an undefined register ("R1 !read_ok").
  withBuild(`
var g0: i16 = 3587
var g1: i8 = -44
var m: lru_hash<i32, u8>(256)
var res: hash<u32, u64>(8)
var out: array<u32, u64>(2)

@helper fn h(a0: u8) -> i16 {
    if ((-2147483648 as i32) > 0) {
    } else {
        match (g0 as u32) {
            512: {
                var v1 = ~(2185521528545334455 as i64)
                if (v1 != 0) {
                    res[6] = v1 as u64
                }
            },
        }
        if ("" == "FVv" && m[3] != null && (2147483647 as i32) | a0 <= 0x4455c72c7912cb12 as i32) {
        } else if (a0 >> g1 == a0 / a0) {
            out[1] += 1
            return ~((-32768 as i16) & g1)
        }
    }
    return g0
}

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var v = h(9 as u8)
    out[0] = v as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.equal(out.get(0n), 3587n, "9 >> -44 is 0, not 9 / 9: h returns g0");
    assert.equal(out.get(1n), 0n);
  });
});

kernelTest("a shift of literals stored in a narrow type is the folded literal's low bits (W0261 alone)", () => {
  // `var a: u8 = 1 << 9` was W0261 and E0474 at once; now W0261 alone decides, and the C
  // holds the folded value (`1U << 40` and `(-1) << 7` are errors under -Werror).
  withBuild(`
var out: array<u32, u64>(4)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    var a: u8 = 1 << 9
    var b: u32 = 1 << 40
    var c: u64 = 1 << 40
    var d: i8 = -1 << 7
    out[0] = a as u64
    out[1] = b as u64
    out[2] = c
    out[3] = d as u64
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.deepEqual([0n, 1n, 2n, 3n].map((i) => out.get(i)), [0n, 0n, 1n << 40n, (1n << 64n) - 128n]);
  });
});

kernelTest("`m[k] != null || x` passes the verifier (no arithmetic on the lookup's pointer)", () => {
  // clang folded `contains(4) || g != 0` into `(pointer | g) != 0`: "math between
  // map_value pointer and register with unbounded min value" (fuzz seed 8400643).
  withBuild(`
var m: percpu_array<u32, i64>(5)
var g: i64 = -79576048052381638
var h: i16 = 7
var out: array<u32, u64>(2)

@xdp fn prog(ctx: XdpContext) -> XdpAction {
    if ((m[4] != null || g as bool) != (h > 100)) {
        out[0] = 1
    } else {
        out[1] = 1
    }
    return XDP_PASS
}
`, (build) => {
    const result = runPrograms(build.bpfObject, [{ prog: "prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const out = integerEntries(findMap(result, "out"));
    assert.deepEqual([out.get(0n), out.get(1n)], [1n, 0n], "entry 4 exists in an array map: true != false");
  });
});
