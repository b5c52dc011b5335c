// Builders of test frames as bytes: Ethernet (optionally 802.1Q-tagged), IPv4 (with
// header checksum and options), IPv6, TCP, UDP, ICMP/ICMPv6 and ARP, plus the checksum
// the tests use to validate rewritten packets.

export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;

export const MAC_A = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0a];
export const MAC_B = [0x02, 0x00, 0x00, 0x00, 0x00, 0x0b];
/** Test addresses in 198.18.0.0/15 (benchmarking range). */
export const IP_A = [198, 18, 0, 1];
export const IP_B = [198, 18, 0, 2];

function be16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function be32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

/** The Internet checksum (RFC 1071) of `bytes`, as the 16-bit value to store. */
export function internetChecksum(bytes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

export interface EthernetOptions {
  readonly dst?: readonly number[];
  readonly src?: readonly number[];
  /** An 802.1Q tag with this VLAN id before the EtherType. */
  readonly vlan?: number;
}

export function ethernet(ethertype: number, payload: readonly number[], options: EthernetOptions = {}): number[] {
  const tag = options.vlan === undefined ? [] : [...be16(ETH_P_8021Q), ...be16(options.vlan)];
  return [...(options.dst ?? MAC_B), ...(options.src ?? MAC_A), ...tag, ...be16(ethertype), ...payload];
}

export interface Ipv4Options {
  readonly src?: readonly number[];
  readonly dst?: readonly number[];
  readonly ttl?: number;
  readonly tos?: number;
  /** Option bytes (a multiple of 4): make `ihl` larger than 5. */
  readonly options?: readonly number[];
}

export function ipv4(protocol: number, payload: readonly number[], options: Ipv4Options = {}): number[] {
  const optionBytes = options.options ?? [];
  const ihl = 5 + optionBytes.length / 4;
  const header = [
    0x40 | ihl, options.tos ?? 0, ...be16(ihl * 4 + payload.length), ...be16(0x1234), ...be16(0x4000),
    options.ttl ?? 64, protocol, 0, 0, ...(options.src ?? IP_A), ...(options.dst ?? IP_B), ...optionBytes,
  ];
  const check = internetChecksum(header);
  header[10] = check >> 8;
  header[11] = check & 0xff;
  return [...header, ...payload];
}

export interface Ipv6Options {
  /** Default 64. */
  readonly hopLimit?: number;
}

export function ipv6(nextHeader: number, payload: readonly number[], options: Ipv6Options = {}): number[] {
  const src = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
  const dst = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2];
  return [0x60, 0, 0, 0, ...be16(payload.length), nextHeader, options.hopLimit ?? 64, ...src, ...dst, ...payload];
}

export interface TcpFlags {
  readonly syn?: boolean;
  readonly ack?: boolean;
}

export function tcp(sport: number, dport: number, flags: TcpFlags = {}, payload: readonly number[] = []): number[] {
  const flagByte = (flags.syn ? 0x02 : 0) | (flags.ack ? 0x10 : 0);
  return [...be16(sport), ...be16(dport), ...be32(1000), ...be32(0), 0x50, flagByte, ...be16(65535), 0, 0, 0, 0, ...payload];
}

export function udp(sport: number, dport: number, payload: readonly number[] = []): number[] {
  return [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
}

/** ICMP (or ICMPv6) message with a valid checksum over the message. */
export function icmp(type: number, code: number, id: number, sequence: number, payload: readonly number[] = []): number[] {
  const message = [type, code, 0, 0, ...be16(id), ...be16(sequence), ...payload];
  const check = internetChecksum(message);
  message[2] = check >> 8;
  message[3] = check & 0xff;
  return message;
}

export function arp(): number[] {
  return [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, ...IP_A, 0, 0, 0, 0, 0, 0, ...IP_B];
}

/** A frame padded to at least the 60-byte Ethernet minimum, as a NIC would pass it up. */
export function frame(bytes: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.max(60, bytes.length));
  out.set(bytes);
  return out;
}
