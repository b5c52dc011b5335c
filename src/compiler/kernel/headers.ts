//! Packet headers known without any include or BTF: Ethernet, VLAN, IPv4, IPv6, TCP,
//! UDP, ICMP and ICMPv6, plus the protocol constants that go with them.
//!
//! The eBPF C uses vmlinux.h's own structs (`struct iphdr` …), so the kernel's layout is
//! authoritative; this table gives the checker the same names, field types, bitfield
//! widths and sizes so it can type field accesses and prove offsets in bounds without a
//! BTF file (the browser playground has none). Multi-byte fields are network order
//! (`be16`/`be32`), as on the wire. A field whose C spelling differs from the language's
//! (IPv6 addresses live in a union) carries its C access path.

import type { StructLayout, Type } from "../types.js";
import { be16, be32, u16, u32, u8 } from "../types.js";
import { builtinContextStructs } from "./builtins.js";

export interface HeaderField {
  readonly name: string;
  readonly type: Type;
  /** Bitfield width in C (`ihl:4`). */
  readonly bits?: number;
  /** The C member path when it differs from `name` (`saddr.in6_u.u6_addr8`). */
  readonly c?: string;
  /** Fields whose bytes this one shares (a second view of them, `saddr32` of `saddr`). */
  readonly overlaps?: readonly string[];
}

export interface PacketHeader {
  readonly name: string;
  /** `sizeof(struct NAME)` in the kernel: also the number of bytes a binding proves. */
  readonly size: number;
  readonly fields: readonly HeaderField[];
  readonly description: string;
}

const bytes = (n: number): Type => ({ kind: "array", element: u8, length: n });
const words = (n: number): Type => ({ kind: "array", element: be32, length: n });

export const packetHeaders: readonly PacketHeader[] = [
  {
    name: "ethhdr",
    size: 14,
    description: "Ethernet II header",
    fields: [
      { name: "h_dest", type: bytes(6) },
      { name: "h_source", type: bytes(6) },
      { name: "h_proto", type: be16 },
    ],
  },
  {
    name: "vlan_hdr",
    size: 4,
    description: "802.1Q tag after the Ethernet addresses (its `h_proto` is ETH_P_8021Q)",
    fields: [
      { name: "h_vlan_TCI", type: be16 },
      { name: "h_vlan_encapsulated_proto", type: be16 },
    ],
  },
  {
    name: "iphdr",
    size: 20,
    description: "IPv4 header without options (`ihl * 4` is its real length)",
    fields: [
      { name: "ihl", type: u8, bits: 4 },
      { name: "version", type: u8, bits: 4 },
      { name: "tos", type: u8 },
      { name: "tot_len", type: be16 },
      { name: "id", type: be16 },
      { name: "frag_off", type: be16 },
      { name: "ttl", type: u8 },
      { name: "protocol", type: u8 },
      { name: "check", type: be16 },
      { name: "saddr", type: be32 },
      { name: "daddr", type: be32 },
    ],
  },
  {
    name: "ipv6hdr",
    size: 40,
    description: "IPv6 fixed header",
    fields: [
      { name: "priority", type: u8, bits: 4 },
      { name: "version", type: u8, bits: 4 },
      { name: "flow_lbl", type: bytes(3) },
      { name: "payload_len", type: be16 },
      { name: "nexthdr", type: u8 },
      { name: "hop_limit", type: u8 },
      { name: "saddr", type: bytes(16), c: "saddr.in6_u.u6_addr8" },
      { name: "daddr", type: bytes(16), c: "daddr.in6_u.u6_addr8" },
      { name: "saddr32", type: words(4), c: "saddr.in6_u.u6_addr32", overlaps: ["saddr"] },
      { name: "daddr32", type: words(4), c: "daddr.in6_u.u6_addr32", overlaps: ["daddr"] },
    ],
  },
  {
    name: "tcphdr",
    size: 20,
    description: "TCP header without options (`doff * 4` is its real length)",
    fields: [
      { name: "source", type: be16 },
      { name: "dest", type: be16 },
      { name: "seq", type: be32 },
      { name: "ack_seq", type: be32 },
      { name: "doff", type: u16, bits: 4 },
      { name: "fin", type: u16, bits: 1 },
      { name: "syn", type: u16, bits: 1 },
      { name: "rst", type: u16, bits: 1 },
      { name: "psh", type: u16, bits: 1 },
      { name: "ack", type: u16, bits: 1 },
      { name: "urg", type: u16, bits: 1 },
      { name: "ece", type: u16, bits: 1 },
      { name: "cwr", type: u16, bits: 1 },
      { name: "window", type: be16 },
      { name: "check", type: be16 },
      { name: "urg_ptr", type: be16 },
    ],
  },
  {
    name: "udphdr",
    size: 8,
    description: "UDP header",
    fields: [
      { name: "source", type: be16 },
      { name: "dest", type: be16 },
      { name: "len", type: be16 },
      { name: "check", type: be16 },
    ],
  },
  {
    name: "icmphdr",
    size: 8,
    description: "ICMP (IPv4) header; `echo_id`/`echo_sequence` for echo request/reply",
    fields: [
      { name: "type", type: u8 },
      { name: "code", type: u8 },
      { name: "checksum", type: be16 },
      { name: "echo_id", type: be16, c: "un.echo.id" },
      { name: "echo_sequence", type: be16, c: "un.echo.sequence" },
      { name: "gateway", type: be32, c: "un.gateway", overlaps: ["echo_id", "echo_sequence"] },
    ],
  },
  {
    name: "icmp6hdr",
    size: 8,
    description: "ICMPv6 header",
    fields: [
      { name: "icmp6_type", type: u8 },
      { name: "icmp6_code", type: u8 },
      { name: "icmp6_cksum", type: be16 },
      { name: "icmp6_data32", type: be32, c: "icmp6_dataun.un_data32[0]" },
    ],
  },
];

export const packetHeaderByName: ReadonlyMap<string, PacketHeader> = new Map(packetHeaders.map((h) => [h.name, h]));

/** The headers as struct layouts for the checker (kernel structs: never re-emitted). */
export const packetHeaderLayouts: readonly StructLayout[] = packetHeaders.map((h) => ({
  name: h.name,
  origin: "kernel",
  size: h.size,
  fields: h.fields.map((f) => (f.bits === undefined ? { name: f.name, type: f.type } : { name: f.name, type: f.type, bits: f.bits })),
}));

/**
 * Kernel structs whose layout the kernel never changes: the UAPI program contexts
 * (`xdp_md`, `__sk_buff`: the verifier rewrites accesses to them by their UAPI offsets)
 * and the packet headers (wire formats). Reading their fields needs no CO-RE relocation,
 * so a program that touches no other kernel struct is compiled without them
 * (emit/vmlinux-include.ts).
 */
export const fixedLayoutStructs: ReadonlySet<string> = new Set([
  ...builtinContextStructs.map((s) => s.name),
  ...packetHeaders.map((h) => h.name),
]);

/** Whether two fields of a built-in header are views of the same bytes (either way round). */
export function headerFieldsOverlap(struct: string, a: string, b: string): boolean {
  const fields = packetHeaderByName.get(struct)?.fields;
  const overlaps = (x: string, y: string) => fields?.find((f) => f.name === x)?.overlaps?.includes(y) === true;
  return overlaps(a, b) || overlaps(b, a);
}

/** The C member path of a header field (`saddr.in6_u.u6_addr8` for IPv6 `saddr`). */
export function headerFieldPath(struct: string, field: string): string {
  return packetHeaderByName.get(struct)?.fields.find((f) => f.name === field)?.c ?? field;
}

export interface PacketConstant {
  readonly name: string;
  readonly value: bigint;
  readonly type: Type;
}

/**
 * Protocol numbers in host order, as Linux defines them (`ETH_P_*` are macros, absent
 * from vmlinux.h, so every constant is emitted as its value). Compare a network-order
 * field with `htons(ETH_P_IP)`, or convert the field with `ntohs`.
 */
export const packetConstants: readonly PacketConstant[] = [
  { name: "ETH_P_IP", value: 0x0800n, type: u16 },
  { name: "ETH_P_ARP", value: 0x0806n, type: u16 },
  { name: "ETH_P_IPV6", value: 0x86ddn, type: u16 },
  { name: "ETH_P_8021Q", value: 0x8100n, type: u16 },
  { name: "ETH_P_8021AD", value: 0x88a8n, type: u16 },
  { name: "ETH_HLEN", value: 14n, type: u32 },
  { name: "ETH_ALEN", value: 6n, type: u32 },
  { name: "VLAN_HLEN", value: 4n, type: u32 },
  { name: "IPPROTO_ICMP", value: 1n, type: u8 },
  { name: "IPPROTO_TCP", value: 6n, type: u8 },
  { name: "IPPROTO_UDP", value: 17n, type: u8 },
  { name: "IPPROTO_ICMPV6", value: 58n, type: u8 },
  { name: "ICMP_ECHOREPLY", value: 0n, type: u8 },
  { name: "ICMP_ECHO", value: 8n, type: u8 },
];

/** The byte-order builtins: name → (argument, result) widths and direction. */
export const byteOrderBuiltins: ReadonlyMap<string, { readonly bits: 16 | 32; readonly toNetwork: boolean }> = new Map([
  ["ntohs", { bits: 16, toNetwork: false }],
  ["ntohl", { bits: 32, toNetwork: false }],
  ["htons", { bits: 16, toNetwork: true }],
  ["htonl", { bits: 32, toNetwork: true }],
]);
