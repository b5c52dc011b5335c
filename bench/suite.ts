// The benchmark programs (bench/programs/NAME/{program.ks,ref.bpf.c}) and the inputs that
// exercise their hot paths: the same program written in KernelScript and in hand-written
// libbpf C, each input with the verdict both must give. Shared by the harness
// (bench/ebpf.ts) and the kernel test that keeps the two sides equal
// (tests/kernel/bench-programs.test.ts).

import { join } from "node:path";
import { uintBytes, type MapPreset } from "../src/runner/prog-run.js";
import { repoRoot } from "../src/runner/paths.js";
import {
  ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, arp, ethernet, frame, icmp, internetChecksum, ipv4, ipv6, tcp, udp,
} from "../tests/kernel/frames.js";

export const programsDir = join(repoRoot, "bench", "programs");

const XDP_DROP = 1;
const XDP_PASS = 2;
const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;

const IPPROTO_ICMP = 1;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_FRAGMENT = 44;

export type ProgramKind = "xdp" | "tc" | "raw_tp";

export interface BenchInput {
  /** What the input is and which path it takes, for the table. */
  readonly name: string;
  /** XDP/TC: the frame. */
  readonly packet?: Uint8Array;
  /** Raw tracepoint: the arguments. */
  readonly args?: readonly bigint[];
  /** The verdict (return value) once the input has been run many times in a row. */
  readonly verdict: number;
  /** The verdict of the first run, when state the program keeps changes it (default: `verdict`). */
  readonly firstVerdict?: number;
  /** More verdicts of a run after this many runs from a fresh start, where the state changes it (a limit crossed). */
  readonly verdictsAt?: readonly (readonly [runs: number, verdict: number])[];
  /**
   * Time each run on the input as given (N test runs of one run, timed by the kernel's
   * run-time statistics) instead of one test run repeated N times: for programs that
   * rewrite the packet (a repeated test run keeps the rewritten packet, so from the
   * second run on it would time the already-rewritten path), and for raw tracepoints.
   */
  readonly fresh?: boolean;
  /** What the output packet of a first run must satisfy (besides being equal on both sides); a message when it does not. */
  readonly checkOutput?: (out: Uint8Array) => string | undefined;
}

export interface BenchProgram {
  /** Directory under bench/programs/ and the name in tables. */
  readonly name: string;
  /** One line: what the program does. */
  readonly what: string;
  readonly kind: ProgramKind;
  /** The program (function) name, the same in both objects. */
  readonly function: string;
  /** Map entries written into both objects after loading, before any run. */
  readonly presets: readonly MapPreset[];
  /** Maps whose contents must be equal on both sides after the runs (by name, the same in both). */
  readonly maps: readonly string[];
  readonly inputs: readonly BenchInput[];
}

export function programSource(program: BenchProgram): string {
  return join(programsDir, program.name, "program.ks");
}

export function referenceSource(program: BenchProgram): string {
  return join(programsDir, program.name, "ref.bpf.c");
}

const addr = (text: string): number[] => text.split(".").map(Number);
const bytes = (...values: readonly number[]): Uint8Array => Uint8Array.from(values);

/** An IPv4 frame from `src` (198.18.0.0/15 unless given) with a UDP or TCP header to `dport`. */
function ipv4Frame(protocol: number, dport: number, options: { src?: string; tos?: number; ipOptions?: number[]; size?: number } = {}): Uint8Array {
  const l4 = protocol === IPPROTO_TCP ? tcp(40000, dport) : protocol === IPPROTO_UDP ? udp(40000, dport) : icmp(8, 0, 7, 1);
  const payload = new Array<number>(Math.max(0, (options.size ?? 0) - 14 - 20 - l4.length)).fill(0);
  return frame(ethernet(ETH_P_IP, ipv4(protocol, [...l4, ...payload], {
    src: addr(options.src ?? "198.18.0.2"), dst: addr("198.18.0.1"), tos: options.tos ?? 0, options: options.ipOptions ?? [],
  })));
}

const ipv6Udp = frame(ethernet(ETH_P_IPV6, ipv6(IPPROTO_UDP, udp(40000, 53))));
const arpFrame = frame(ethernet(ETH_P_ARP, arp()));

/** The output's IPv4 header (at 14) has TOS `tos` and a valid checksum. */
function remarked(tos: number): (out: Uint8Array) => string | undefined {
  return (out) => {
    const ihl = (out[14] ?? 0) & 0x0f;
    if (out[15] !== tos) return `TOS is 0x${(out[15] ?? 0).toString(16)}, expected 0x${tos.toString(16)}`;
    if (internetChecksum(out.subarray(14, 14 + ihl * 4)) !== 0) return "the IPv4 header checksum is wrong";
    return undefined;
  };
}

export const suite: readonly BenchProgram[] = [
  {
    name: "seed_filter",
    what: "seed sketch: size check, per-ifindex hash count",
    kind: "xdp",
    function: "packet_filter",
    presets: [],
    maps: ["packet_counts"],
    inputs: [
      { name: "1500 B UDP: drop, count", packet: ipv4Frame(IPPROTO_UDP, 53, { size: 1500 }), verdict: XDP_DROP },
      { name: "1400 B TCP: pass", packet: ipv4Frame(IPPROTO_TCP, 80, { size: 1400 }), verdict: XDP_PASS },
      { name: "64 B UDP: pass", packet: ipv4Frame(IPPROTO_UDP, 53, { size: 64 }), verdict: XDP_PASS },
    ],
  },
  {
    name: "ipv4_blocklist",
    what: "eth+ip parse, hash blocklist, per-CPU counters",
    kind: "xdp",
    function: "ipv4_blocklist",
    presets: [{ map: "blocklist", key: bytes(...addr("198.18.0.66")), value: bytes(1) }],
    maps: ["blocklist", "proto_counts"],
    inputs: [
      { name: "UDP, allowed source: pass", packet: ipv4Frame(IPPROTO_UDP, 53), verdict: XDP_PASS },
      { name: "TCP, allowed source: pass", packet: ipv4Frame(IPPROTO_TCP, 443), verdict: XDP_PASS },
      { name: "UDP, blocked source: drop", packet: ipv4Frame(IPPROTO_UDP, 53, { src: "198.18.0.66" }), verdict: XDP_DROP },
      { name: "IPv6: pass", packet: ipv6Udp, verdict: XDP_PASS },
    ],
  },
  {
    name: "rate_limiter",
    what: "LRU count per source, limit from config",
    kind: "xdp",
    function: "rate_limiter",
    presets: [],
    maps: ["counts"],
    inputs: [
      // Repeated, one source soon exceeds the limit (100): its steady state is the drop.
      { name: "UDP flood, one source: over limit, drop", packet: ipv4Frame(IPPROTO_UDP, 53), verdict: XDP_DROP, firstVerdict: XDP_PASS,
        verdictsAt: [[100, XDP_PASS], [101, XDP_DROP]] },
      { name: "IPv6: pass", packet: ipv6Udp, verdict: XDP_PASS },
      { name: "ARP: pass", packet: arpFrame, verdict: XDP_PASS },
    ],
  },
  {
    name: "tc_port_filter",
    what: "TC: eth+ip+tcp/udp, array of blocked ports",
    kind: "tc",
    function: "tc_port_filter",
    presets: [
      { map: "blocked_ports", key: uintBytes(22, 4), value: bytes(1) },
      { map: "blocked_ports", key: uintBytes(53, 4), value: bytes(1) },
    ],
    maps: [],
    inputs: [
      { name: "TCP to 22: shot", packet: ipv4Frame(IPPROTO_TCP, 22), verdict: TC_ACT_SHOT },
      { name: "UDP to 53: shot", packet: ipv4Frame(IPPROTO_UDP, 53), verdict: TC_ACT_SHOT },
      { name: "TCP to 443: ok", packet: ipv4Frame(IPPROTO_TCP, 443), verdict: TC_ACT_OK },
      { name: "ICMP: ok", packet: ipv4Frame(IPPROTO_ICMP, 0), verdict: TC_ACT_OK },
      { name: "IPv6: ok", packet: ipv6Udp, verdict: TC_ACT_OK },
    ],
  },
  {
    name: "vlan_ipv6",
    what: "802.1Q + IPv6 parse, per-VLAN per-CPU count",
    kind: "xdp",
    function: "vlan_ipv6",
    presets: [],
    maps: ["vlan_counts"],
    inputs: [
      { name: "IPv6 UDP: pass", packet: ipv6Udp, verdict: XDP_PASS },
      { name: "VLAN 100, IPv6 TCP: pass", packet: frame(ethernet(ETH_P_IPV6, ipv6(IPPROTO_TCP, tcp(40000, 443)), { vlan: 100 })), verdict: XDP_PASS },
      {
        name: "VLAN 100, IPv6 fragment: drop",
        packet: frame(ethernet(ETH_P_IPV6, ipv6(IPPROTO_FRAGMENT, [IPPROTO_UDP, 0, 0, 1, 0, 0, 0, 42, ...udp(40000, 53)]), { vlan: 100 })),
        verdict: XDP_DROP,
      },
      { name: "IPv6, hop limit 1: drop", packet: frame(ethernet(ETH_P_IPV6, ipv6(IPPROTO_UDP, udp(40000, 53), { hopLimit: 1 }))), verdict: XDP_DROP },
      { name: "VLAN 7, IPv4: pass", packet: frame(ethernet(ETH_P_IP, ipv4(IPPROTO_UDP, udp(40000, 53)), { vlan: 7 })), verdict: XDP_PASS },
      // 14 bytes of Ethernet announcing a tag, and 2 of the 4 tag bytes.
      { name: "VLAN tag cut short: drop", packet: Uint8Array.from(ethernet(ETH_P_8021Q, [0, 100]).slice(0, 16)), verdict: XDP_DROP },
    ],
  },
  {
    name: "lpm_firewall",
    what: "IPv4 source LPM trie rules, per-CPU verdict count",
    kind: "xdp",
    function: "lpm_firewall",
    presets: [
      // {prefixlen: u32, addr: be32} → action (1: drop, 0: allow)
      { map: "rules", key: bytes(...uintBytes(8, 4), ...addr("10.0.0.0")), value: uintBytes(1, 4) },
      { map: "rules", key: bytes(...uintBytes(16, 4), ...addr("10.1.0.0")), value: uintBytes(0, 4) },
      { map: "rules", key: bytes(...uintBytes(24, 4), ...addr("192.168.7.0")), value: uintBytes(1, 4) },
    ],
    maps: ["verdicts"],
    inputs: [
      { name: "source in a dropped /8: drop", packet: ipv4Frame(IPPROTO_UDP, 53, { src: "10.2.3.4" }), verdict: XDP_DROP },
      { name: "source in an allowed /16 within it: pass", packet: ipv4Frame(IPPROTO_TCP, 443, { src: "10.1.2.3" }), verdict: XDP_PASS },
      { name: "source without a rule: pass", packet: ipv4Frame(IPPROTO_UDP, 53, { src: "198.18.0.2" }), verdict: XDP_PASS },
      { name: "IPv6: pass", packet: ipv6Udp, verdict: XDP_PASS },
    ],
  },
  {
    name: "tc_dscp_remark",
    what: "TC: DSCP by port, TOS rewrite with checksum fix",
    kind: "tc",
    function: "tc_dscp_remark",
    presets: [
      { map: "dscp_by_port", key: uintBytes(53, 2), value: bytes(46) },
      { map: "dscp_by_port", key: uintBytes(443, 2), value: bytes(10) },
    ],
    maps: [],
    inputs: [
      { name: "UDP to 53: remark EF", packet: ipv4Frame(IPPROTO_UDP, 53, { tos: 0x01 }), verdict: TC_ACT_OK, fresh: true, checkOutput: remarked(0xb9) },
      {
        name: "TCP to 443, IP options: remark AF11",
        packet: ipv4Frame(IPPROTO_TCP, 443, { ipOptions: [1, 1, 1, 0] }),
        verdict: TC_ACT_OK, fresh: true, checkOutput: remarked(0x28),
      },
      { name: "UDP to 53, already EF: ok", packet: ipv4Frame(IPPROTO_UDP, 53, { tos: 0xb8 }), verdict: TC_ACT_OK, checkOutput: remarked(0xb8) },
      { name: "TCP to 80, no rule: ok", packet: ipv4Frame(IPPROTO_TCP, 80), verdict: TC_ACT_OK, checkOutput: remarked(0) },
      { name: "IPv6: ok", packet: ipv6Udp, verdict: TC_ACT_OK },
    ],
  },
  {
    name: "syscall_counter",
    what: "raw_tp sys_enter: per-CPU count per syscall",
    kind: "raw_tp",
    function: "syscall_counter",
    presets: [],
    maps: ["syscall_counts"],
    inputs: [
      { name: "getpid (39): count", args: [0n, 39n], verdict: 0, fresh: true },
      { name: "write (1): count", args: [0n, 1n], verdict: 0, fresh: true },
      { name: "number 4096: out of range", args: [0n, 4096n], verdict: 0, fresh: true },
      { name: "number -1 (skipped call): out of range", args: [0n, 0xffffffffffffffffn], verdict: 0, fresh: true },
    ],
  },
];

/** The raw tracepoint context of `args`: one u64 each, this machine's byte order. */
export function argumentBytes(args: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(args.length * 8);
  args.forEach((arg, i) => out.set(uintBytes(BigInt.asUintN(64, arg), 8), i * 8));
  return out;
}
