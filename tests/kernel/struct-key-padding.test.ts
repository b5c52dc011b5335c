// Struct map keys with gaps between their fields: C leaves padding unspecified and clang
// writes only the fields of a compound literal, so without explicit padding members
// (emit/shared-header.ts) `m[Key { small: 1, wide: 2 }]` hashed whatever the stack held
// in the gap. `pk_dirty` leaves all-ones bytes where `pk_count`'s key later lives (the
// same runner thread, the same stack depth); the key user space looks up, with zero
// padding as every initializer makes it, must then be the one entry the program counted.

import assert from "node:assert/strict";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, readUint, runPrograms, uintBytes } from "../../src/runner/prog-run.js";
import { kernelTests, withBuiltSource } from "./helpers.js";

const kernelTest = kernelTests("struct-key-padding.test", kernelSkipReason());

const source = `
struct PkKey {
    small: u8,
    wide: u64,
}

struct PkJunk {
    a: u64,
    b: u64,
    c: u64,
    d: u64,
}

var pk_counts: hash<PkKey, u64>(64)
var pk_junk: hash<PkJunk, u64>(4)

@xdp
fn pk_dirty(ctx: XdpContext) -> XdpAction {
    var all = 0xffffffffffffffff as u64
    pk_junk[PkJunk { a: all, b: all, c: all, d: all }] = 1
    return XDP_PASS
}

@xdp
fn pk_count(ctx: XdpContext) -> XdpAction {
    pk_counts[PkKey { small: 1, wide: 2 }] += 1
    return XDP_PASS
}
`;

kernelTest("a struct key with a gap is the same key on every update, and the one user space builds", () => {
  withBuiltSource("struct_key_padding", source, (build) => {
    const runs = [1, 2, 3, 4, 5].flatMap(() => [{ prog: "pk_dirty" }, { prog: "pk_count" }]);
    const result = runPrograms(build.bpfObject, runs);
    const entries = findMap(result, "pk_counts").entries;
    const key = new Uint8Array(16);
    key.set(uintBytes(1, 1), 0);
    key.set(uintBytes(2, 8), 8);
    assert.deepEqual(
      entries.map((e) => [Buffer.from(e.key).toString("hex"), readUint(e.value)]),
      [[Buffer.from(key).toString("hex"), 5n]],
      "one entry, zero padding, counted five times",
    );
  });
});
