//! The test packet builders (`eth_packet().ipv4().udp().pad_to(N)`) on the bytes of a
//! `TestPacket`, with the test runtime's facts (runtime-c/test-runtime.c): defaults for
//! zero fields, lengths, protocols and checksums recomputed after every step, the same
//! failure texts for a wrong order or a frame that is too large.

import { testPacketCapacity } from "../kernel/testing.js";
import { TestFailure } from "./faults.js";
import { type Agg, type Layouts, load, memOf, packetBookkeeping, readUint, store, testPacketSize, writeUint, zeroAgg } from "./memory.js";

const ETH = 14;
const IP4 = 20;
const IP6 = 40;

/** A TestPacket's bytes, with the builder's bookkeeping after `data` (memory.ts). */
class Packet {
  constructor(readonly b: Uint8Array) {}
  get len(): number { return Number(readUint(this.b, 0, 4)); }
  set len(v: number) { writeUint(this.b, 0, 4, BigInt(v)); }
  get data(): Uint8Array { return this.b.subarray(4, 4 + testPacketCapacity); }
  get l3Off(): number { return Number(readUint(this.b, packetBookkeeping, 2)); }
  set l3Off(v: number) { writeUint(this.b, packetBookkeeping, 2, BigInt(v)); }
  get l4Off(): number { return Number(readUint(this.b, packetBookkeeping + 2, 2)); }
  set l4Off(v: number) { writeUint(this.b, packetBookkeeping + 2, 2, BigInt(v)); }
  get l3(): number { return this.b[packetBookkeeping + 4]!; }
  set l3(v: number) { this.b[packetBookkeeping + 4] = v; }
  get l4(): number { return this.b[packetBookkeeping + 5]!; }
  set l4(v: number) { this.b[packetBookkeeping + 5] = v; }
  flag(i: number): boolean { return this.b[packetBookkeeping + 6 + i] !== 0; }
  setFlag(i: number, v: boolean): void { this.b[packetBookkeeping + 6 + i] = v ? 1 : 0; }
}
const AUTO_ETH_PROTO = 0, AUTO_L3_LEN = 1, AUTO_L3_PROTO = 2, AUTO_L3_CHECK = 3, AUTO_L4_LEN = 4, AUTO_L4_CHECK = 5;

function setBe16(d: Uint8Array, off: number, v: number): void { d[off] = (v >> 8) & 0xff; d[off + 1] = v & 0xff; }

/** RFC 1071 sum of `len` bytes, continuing from `sum` (ks_csum_add). */
function csumAdd(sum: number, d: Uint8Array, off: number, len: number): number {
  let s = sum;
  for (let i = 0; i + 1 < len; i += 2) s += (d[off + i]! << 8) | d[off + i + 1]!;
  if (len & 1) s += d[off + len - 1]! << 8;
  return s;
}

function csumFold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

function finalize(p: Packet): void {
  const d = p.data;
  if (p.flag(AUTO_ETH_PROTO) && p.l3) setBe16(d, 12, p.l3 === 4 ? 0x0800 : 0x86dd);
  const l4Len = p.l4 ? p.len - p.l4Off : 0;
  let pseudo = 0;
  if (p.l3 === 4) {
    const ip = p.l3Off;
    if (p.flag(AUTO_L3_LEN)) setBe16(d, ip + 2, (p.len - ip) & 0xffff);
    if (p.flag(AUTO_L3_PROTO) && p.l4) d[ip + 9] = p.l4;
    if (p.flag(AUTO_L3_CHECK)) {
      setBe16(d, ip + 10, 0);
      setBe16(d, ip + 10, csumFold(csumAdd(0, d, ip, IP4)));
    }
    pseudo = csumAdd(0, d, ip + 12, 8) + d[ip + 9]! + l4Len;
  } else if (p.l3 === 6) {
    const ip = p.l3Off;
    if (p.flag(AUTO_L3_LEN)) setBe16(d, ip + 4, (p.len - ip - IP6) & 0xffff);
    if (p.flag(AUTO_L3_PROTO) && p.l4) d[ip + 6] = p.l4;
    pseudo = csumAdd(0, d, ip + 8, 32) + d[ip + 6]! + l4Len;
  }
  if (!p.l4) return;
  const l4 = p.l4Off;
  let check: number;
  let usesPseudo = true;
  switch (p.l4) {
    case 6: check = l4 + 16; break;
    case 17:
      if (p.flag(AUTO_L4_LEN)) setBe16(d, l4 + 4, l4Len & 0xffff);
      check = l4 + 6;
      break;
    case 1: check = l4 + 2; usesPseudo = false; break;
    case 58: check = l4 + 2; break;
    default: return;
  }
  if (!p.flag(AUTO_L4_CHECK)) return;
  setBe16(d, check, 0);
  let sum = csumFold(csumAdd(usesPseudo ? pseudo : 0, d, l4, l4Len));
  // A UDP checksum of 0 means "none": the all-ones form instead.
  if (p.l4 === 17 && sum === 0) sum = 0xffff;
  setBe16(d, check, sum);
}

function append(p: Packet, bytes: Uint8Array | undefined, len: number, what: string): void {
  if (p.len + len > testPacketCapacity) {
    throw new TestFailure(`the packet is too large: adding ${what} (${len} bytes) to ${p.len} bytes exceeds the ${testPacketCapacity} bytes a test run can take`);
  }
  const d = p.data;
  if (bytes) d.set(bytes.subarray(0, len), p.len);
  else for (let i = 0; i < len; i++) d[p.len + i] = (p.len + i) & 0xff;
  p.len = p.len + len;
}

/** The builder step `method` on `packet` (undefined for `eth_packet`) with its argument. */
export function packetStep(layouts: Layouts, method: string, packet: Agg | undefined, arg: Agg | bigint | undefined): Agg {
  const out = packet ? packet.bytes.slice() : new Uint8Array(testPacketSize);
  const p = new Packet(out);
  const header = (name: string): { bytes: Uint8Array; get: (f: string) => bigint; set: (f: string, v: bigint) => void } => {
    const mem = memOf(arg !== undefined && typeof arg !== "bigint" ? arg : zeroAgg(layouts.layout(name).size), name);
    const get = (f: string): bigint => {
      const slot = layouts.field(name, f);
      if (slot.bits) return (readUint(mem.bytes, slot.offset, slot.bits.unit) >> BigInt(slot.bits.shift)) & ((1n << BigInt(slot.bits.width)) - 1n);
      return load(layouts, mem, slot.offset, slot.type) as bigint;
    };
    const set = (f: string, v: bigint): void => {
      const slot = layouts.field(name, f);
      if (slot.bits) {
        const mask = ((1n << BigInt(slot.bits.width)) - 1n) << BigInt(slot.bits.shift);
        const unit = readUint(mem.bytes, slot.offset, slot.bits.unit);
        writeUint(mem.bytes, slot.offset, slot.bits.unit, (unit & ~mask) | ((v << BigInt(slot.bits.shift)) & mask));
      } else store(layouts, mem, slot.offset, slot.type, v);
    };
    return { bytes: mem.bytes, get, set };
  };
  const isZero = (b: Uint8Array, off: number, n: number): boolean => b.subarray(off, off + n).every((x) => x === 0);
  const l3Check = (m: string): void => {
    if (p.l3) throw new TestFailure(`.${m}(): the packet already has an IPv${p.l3} header`);
    if (p.len !== ETH) throw new TestFailure(`.${m}(): a network header must follow the Ethernet header directly`);
  };
  const l4Check = (m: string, needs: number): void => {
    if (!p.l3) throw new TestFailure(`.${m}(): add an IP header first (.ipv4() or .ipv6())`);
    if (needs && p.l3 !== needs) throw new TestFailure(`.${m}(): this header goes with IPv${needs}, not IPv${p.l3}`);
    if (p.l4) throw new TestFailure(`.${m}(): the packet already has a transport header`);
    if (p.len !== p.l3Off + (p.l3 === 4 ? IP4 : IP6)) throw new TestFailure(`.${m}(): a transport header must follow the IP header directly`);
  };
  const l4 = (proto: number, h: Uint8Array, size: number, autoLen: boolean, autoCheck: boolean, what: string): void => {
    p.l4 = proto;
    p.l4Off = p.len;
    p.setFlag(AUTO_L4_LEN, autoLen);
    p.setFlag(AUTO_L4_CHECK, autoCheck);
    append(p, h, size, what);
    finalize(p);
  };
  switch (method) {
    case "eth": {
      const h = header("ethhdr");
      if (isZero(h.bytes, 0, 6)) h.bytes.set([2, 0, 0, 0, 0, 2], 0);
      if (isZero(h.bytes, 6, 6)) h.bytes.set([2, 0, 0, 0, 0, 1], 6);
      p.setFlag(AUTO_ETH_PROTO, h.get("h_proto") === 0n);
      append(p, h.bytes, ETH, "the Ethernet header");
      break;
    }
    case "ipv4": {
      l3Check("ipv4");
      const h = header("iphdr");
      if (!h.get("version")) h.set("version", 4n);
      if (!h.get("ihl")) h.set("ihl", 5n);
      if (!h.get("ttl")) h.set("ttl", 64n);
      if (!h.get("saddr")) h.set("saddr", 0x010012c6n);
      if (!h.get("daddr")) h.set("daddr", 0x020012c6n);
      p.setFlag(AUTO_L3_LEN, h.get("tot_len") === 0n);
      p.setFlag(AUTO_L3_PROTO, h.get("protocol") === 0n);
      p.setFlag(AUTO_L3_CHECK, h.get("check") === 0n);
      p.l3 = 4;
      p.l3Off = p.len;
      append(p, h.bytes, IP4, "the IPv4 header");
      finalize(p);
      break;
    }
    case "ipv6": {
      l3Check("ipv6");
      const h = header("ipv6hdr");
      if (!h.get("version")) h.set("version", 6n);
      if (!h.get("hop_limit")) h.set("hop_limit", 64n);
      if (isZero(h.bytes, 8, 16)) h.bytes.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
      if (isZero(h.bytes, 24, 16)) h.bytes.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 24);
      p.setFlag(AUTO_L3_LEN, h.get("payload_len") === 0n);
      p.setFlag(AUTO_L3_PROTO, h.get("nexthdr") === 0n);
      p.setFlag(AUTO_L3_CHECK, false);
      p.l3 = 6;
      p.l3Off = p.len;
      append(p, h.bytes, IP6, "the IPv6 header");
      finalize(p);
      break;
    }
    case "tcp": {
      l4Check("tcp", 0);
      const h = header("tcphdr");
      if (!h.get("source")) h.set("source", 0x409cn);
      if (!h.get("dest")) h.set("dest", 0x5000n);
      if (!h.get("doff")) h.set("doff", 5n);
      if (!h.get("window")) h.set("window", 0xffffn);
      l4(6, h.bytes, 20, false, h.get("check") === 0n, "the TCP header");
      break;
    }
    case "udp": {
      l4Check("udp", 0);
      const h = header("udphdr");
      if (!h.get("source")) h.set("source", 0x409cn);
      if (!h.get("dest")) h.set("dest", 0x3500n);
      l4(17, h.bytes, 8, h.get("len") === 0n, h.get("check") === 0n, "the UDP header");
      break;
    }
    case "icmp": {
      l4Check("icmp", 4);
      const h = header("icmphdr");
      l4(1, h.bytes, 8, false, h.get("checksum") === 0n, "the ICMP header");
      break;
    }
    case "icmp6": {
      l4Check("icmp6", 6);
      const h = header("icmp6hdr");
      if (!h.get("icmp6_type")) h.set("icmp6_type", 128n);
      l4(58, h.bytes, 8, false, h.get("icmp6_cksum") === 0n, "the ICMPv6 header");
      break;
    }
    case "payload": case "pad_to": {
      const n = Number(BigInt.asUintN(32, typeof arg === "bigint" ? arg : 0n));
      if (method === "pad_to" && n < p.len) throw new TestFailure(`.pad_to(${n}): the packet is already ${p.len} bytes long`);
      if (p.len === 0) throw new TestFailure(".payload(): start the packet with eth_packet()");
      append(p, undefined, method === "pad_to" ? n - p.len : n, "the payload");
      finalize(p);
      break;
    }
    default: throw new TestFailure(`unknown packet builder step .${method}()`);
  }
  return { kind: "agg", bytes: out, refs: new Map() };
}

/** The frame a run without a packet gets: Ethernet, IPv4, UDP (42 bytes). */
export function defaultPacket(layouts: Layouts): Agg {
  return packetStep(layouts, "udp", packetStep(layouts, "ipv4", packetStep(layouts, "eth", undefined, undefined), undefined), undefined);
}

/** A test context's `packet_size`: that many zero bytes. */
export function zeroPacket(n: bigint, what: string): Agg {
  if (n < 14n || n > BigInt(testPacketCapacity)) {
    throw new TestFailure(`${what} is ${BigInt.asUintN(64, n)}; a test frame has 14 (an Ethernet header) to ${testPacketCapacity} bytes`);
  }
  const out = new Uint8Array(testPacketSize);
  writeUint(out, 0, 4, n);
  return { kind: "agg", bytes: out, refs: new Map() };
}

/** The frame bytes of a TestPacket and its IP version (0 when the builder added none). */
export function packetFrame(packet: Agg): { readonly bytes: Uint8Array; readonly l3: number } {
  const p = new Packet(packet.bytes);
  return { bytes: p.data.slice(0, p.len), l3: p.l3 };
}

/** A TestPacket holding `bytes` (a run's packet after it). */
export function packetOf(bytes: Uint8Array): Agg {
  const out = new Uint8Array(testPacketSize);
  const n = Math.min(bytes.length, testPacketCapacity);
  writeUint(out, 0, 4, BigInt(n));
  out.set(bytes.subarray(0, n), 4);
  return { kind: "agg", bytes: out, refs: new Map() };
}
