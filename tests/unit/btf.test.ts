// The BTF reader, on BTF blobs written by the test (every kind the checker relies on,
// bitfields and signed enums included) and on the running kernel's when it has one.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { Btf, BtfError, btfFor } from "../../src/compiler/kernel/btf.js";

/** Writes a little-endian BTF blob: types as raw u32 words, names interned. */
class BtfWriter {
  private readonly words: number[] = [];
  private strings = "\0";

  name(text: string): number {
    if (text === "") return 0;
    const at = this.strings.indexOf(`\0${text}\0`);
    if (at >= 0) return at + 1;
    const offset = this.strings.length;
    this.strings += `${text}\0`;
    return offset;
  }

  type(name: string, kind: number, vlen: number, sizeOrType: number, extra: number[] = [], kindFlag = false): void {
    this.words.push(this.name(name), ((kindFlag ? 1 : 0) << 31 | kind << 24 | vlen) >>> 0, sizeOrType, ...extra);
  }

  bytes(): Uint8Array {
    const typeBytes = this.words.length * 4;
    const out = new Uint8Array(24 + typeBytes + this.strings.length);
    const view = new DataView(out.buffer);
    view.setUint16(0, 0xeb9f, true);
    view.setUint8(2, 1);
    view.setUint32(4, 24, true);
    view.setUint32(8, 0, true);
    view.setUint32(12, typeBytes, true);
    view.setUint32(16, typeBytes, true);
    view.setUint32(20, this.strings.length, true);
    this.words.forEach((w, i) => view.setUint32(24 + 4 * i, w >>> 0, true));
    for (let i = 0; i < this.strings.length; i++) out[24 + typeBytes + i] = this.strings.charCodeAt(i);
    return out;
  }
}

function sampleBtf(): Uint8Array {
  const w = new BtfWriter();
  w.type("unsigned int", 1, 0, 4, [32]);                                  // 1: u32
  w.type("int", 1, 0, 4, [(1 << 24) | 32]);                               // 2: i32 (signed)
  w.type("__u32", 8, 0, 1);                                               // 3: typedef __u32 → 1
  w.type("", 10, 0, 3);                                                   // 4: const __u32
  // 5: struct hdr { u32 ihl:4, version:4; const __u32 saddr; } (kind_flag: bitfields)
  w.type("hdr", 4, 3, 8, [w.name("ihl"), 1, 4 << 24 | 0, w.name("version"), 1, 4 << 24 | 4, w.name("saddr"), 4, 32], true);
  w.type("", 2, 0, 5);                                                    // 6: *hdr
  w.type("mode", 6, 2, 4, [w.name("MODE_OFF"), -1 >>> 0, w.name("MODE_ON"), 7], true); // 7: signed enum
  w.type("", 13, 2, 2, [w.name("h"), 6, w.name("n"), 3]);                 // 8: int (struct hdr *h, __u32 n)
  w.type("handle", 12, 0, 8);                                             // 9: func handle → 8
  w.type("big", 19, 1, 8, [w.name("BIG_ONE"), 0, 1]);                    // 10: enum64 BIG_ONE = 1 << 32
  w.type("", 3, 0, 0, [1, 1, 16]);                                        // 11: u32[16]
  return w.bytes();
}

test("btf: structs with bitfields, typedefs and qualifiers resolve", () => {
  const btf = new Btf(sampleBtf());
  assert.equal(btf.typeCount, 12);
  const hdr = btf.findStruct("hdr");
  assert.ok(hdr);
  assert.deepEqual(hdr.members.map((m) => [m.name, m.bitOffset, m.bitSize]), [["ihl", 0, 4], ["version", 4, 4], ["saddr", 32, 0]]);
  const saddr = btf.resolve(hdr.members[2]!.typeId);
  assert.equal(saddr.kind, "int");
  assert.equal(btf.skipQualifiers(hdr.members[2]!.typeId).name, "__u32");
  assert.equal(btf.findStruct("nothing"), undefined);
});

test("btf: btfFor indexes each bytes object once; other bytes get their own reader", () => {
  const bytes = sampleBtf();
  const first = btfFor(bytes);
  assert.equal(btfFor(bytes), first);
  assert.equal(first.findStruct("hdr")?.members.length, 3);
  const other = btfFor(sampleBtf());
  assert.notEqual(other, first);
  assert.equal(other.findStruct("hdr")?.members.length, 3);
});

test("btf: enums keep their sign, enum64 its high bits", () => {
  const btf = new Btf(sampleBtf());
  const mode = btf.find("mode", ["enum"]);
  assert.ok(mode?.kind === "enum");
  assert.deepEqual(mode.values, [{ name: "MODE_OFF", value: -1n }, { name: "MODE_ON", value: 7n }]);
  const big = btf.find("big", ["enum64"]);
  assert.ok(big?.kind === "enum64");
  assert.equal(big.values[0]!.value, 1n << 32n);
});

test("btf: function prototypes give parameter names and types", () => {
  const btf = new Btf(sampleBtf());
  const proto = btf.findFunction("handle");
  assert.ok(proto);
  assert.deepEqual(proto.params.map((p) => p.name), ["h", "n"]);
  assert.equal(btf.resolve(proto.returnId).kind, "int");
  const pointee = btf.resolve(proto.params[0]!.typeId);
  assert.ok(pointee.kind === "ptr" && btf.type(pointee.typeId).name === "hdr");
  const array = btf.type(11);
  assert.ok(array.kind === "array" && array.length === 16);
});

test("btf: bad data is an error, never a crash", () => {
  assert.throws(() => new Btf(new Uint8Array(8)), BtfError);
  const wrongMagic = sampleBtf();
  wrongMagic[0] = 0;
  assert.throws(() => new Btf(wrongMagic), /bad magic/);
  const truncated = sampleBtf().slice(0, 40);
  assert.throws(() => new Btf(truncated), BtfError);
});

const vmlinux = "/sys/kernel/btf/vmlinux";
test("btf: the running kernel's types", { skip: existsSync(vmlinux) ? false : `${vmlinux} is absent (kernel built without BTF)` }, () => {
  const btf = new Btf(readFileSync(vmlinux));
  const xdp = btf.findStruct("xdp_md");
  assert.deepEqual(xdp?.members.slice(0, 3).map((m) => m.name), ["data", "data_end", "data_meta"]);
  const action = btf.find("xdp_action", ["enum"]);
  assert.ok(action?.kind === "enum" && action.values.some((v) => v.name === "XDP_PASS" && v.value === 2n));
  const ops = btf.findStruct("tcp_congestion_ops");
  assert.ok(ops?.members.some((m) => m.name === "ssthresh"));
});

test("btf: random corruption of a valid blob raises BtfError or decodes, never anything else", () => {
  const original = sampleBtf();
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let round = 0; round < 500; round++) {
    const bytes = original.slice();
    for (let flips = 0; flips < 3; flips++) bytes[next() % bytes.length] = next() & 0xff;
    try {
      const btf = new Btf(bytes);
      for (let id = 0; id < btf.typeCount; id++) btf.type(id);
    } catch (error) {
      assert.ok(error instanceof BtfError, `round ${round}: ${String(error)}`);
    }
  }
});
