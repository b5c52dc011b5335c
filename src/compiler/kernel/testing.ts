//! What `@test` functions can use, as data: the built-in test structs (`TestRun`,
//! `TestResult`, `TestPacket`), the test builtins, the packet-builder methods and which
//! `TestRun` fields each kind of test run takes (which program types the kernel can run
//! is the `testRun` column of kernel/program-types.ts).
//!
//! The structs exist only in the test binary (`NAME.test.c` defines them); every field of
//! `TestRun` and of a header given to a builder may be omitted: zero means "the default"
//! (see docs/language/testing.md).

import type { StructLayout, Type } from "../types.js";
import { u8, u32, u64 } from "../types.js";
import type { TestRunSupport } from "./program-types.js";
import { netfilterHooks } from "./program-types-cgroup.js";

/** The kinds of test run a `TestRun` field applies to (kernel/program-types.ts `testRun`). */
export type TestRunKind = Exclude<TestRunSupport["kind"], "unsupported">;

export const testPacketStruct = "TestPacket";
export const testRunStruct = "TestRun";
export const testResultStruct = "TestResult";

/**
 * The largest frame a test can build. The kernel accepts at most a page minus XDP
 * headroom and the shared-info tail for XDP (3 520 bytes with 4 KiB pages).
 */
export const testPacketCapacity = 3520;

/** The arguments a raw tracepoint test run passes (the kernel's MAX_BPF_FUNC_ARGS). */
export const rawTracepointArguments = 12;

const packetType: Type = { kind: "struct", name: testPacketStruct, origin: "kernel" };

export const testStructs: readonly StructLayout[] = [
  {
    name: testPacketStruct,
    origin: "kernel",
    fields: [
      { name: "len", type: u32 },
      { name: "data", type: { kind: "array", element: u8, length: testPacketCapacity } },
    ],
  },
  {
    name: testRunStruct,
    origin: "kernel",
    fields: [
      { name: "packet", type: packetType },
      { name: "ingress_ifindex", type: u32 },
      { name: "rx_queue_index", type: u32 },
      { name: "ifindex", type: u32 },
      { name: "mark", type: u32 },
      { name: "priority", type: u32 },
      { name: "repeat", type: u32 },
      { name: "args", type: { kind: "array", element: u64, length: rawTracepointArguments } },
    ],
  },
  {
    name: testResultStruct,
    origin: "kernel",
    fields: [
      { name: "retval", type: u32 },
      { name: "packet", type: packetType },
      { name: "duration_ns", type: u64 },
    ],
  },
];

export const testStructNames: ReadonlySet<string> = new Set(testStructs.map((s) => s.name));

/** `TestRun` fields that only some kinds of test run take. */
export const contextFieldsByRunKind: ReadonlyMap<string, readonly TestRunKind[]> = new Map([
  ["packet", ["xdpPacket", "skbPacket", "netfilterPacket"]],
  ["repeat", ["xdpPacket", "skbPacket", "netfilterPacket"]],
  ["args", ["rawArguments"]],
  ["ingress_ifindex", ["xdpPacket", "skbPacket"]],
  ["rx_queue_index", ["xdpPacket"]],
  ["ifindex", ["skbPacket"]],
  ["mark", ["skbPacket"]],
  ["priority", ["skbPacket"]],
]);

/**
 * The kernel's `nf_hook_state` for a netfilter test run of a program attached to `target`
 * ("ipv4|ipv6:HOOK[:PRIORITY]", checked by the program's `targetFormat`): `pf` is
 * NFPROTO_IPV4 2 / NFPROTO_IPV6 10, `hook` the index of `enum nf_inet_hooks`. The priority
 * only orders attached hooks; a test run has no other hook to order against.
 */
export function netfilterHookState(target: string): { readonly pf: number; readonly hook: number } {
  const [family, hook] = target.split(":");
  return { pf: family === "ipv6" ? 10 : 2, hook: Math.max(0, netfilterHooks.indexOf(hook ?? "")) };
}

/** Builtins callable only in `@test` functions. */
export const testBuiltinNames: readonly string[] = ["test", "test_run", "assert", "eth_packet", "run_command"];

/**
 * Methods a test calls on a ring buffer or perf event array: the records the eBPF side
 * submitted, in order, typed as the map's record struct.
 */
export type RecordMethod = "next" | "pending";
export const recordMethods: readonly RecordMethod[] = ["next", "pending"];

export type PacketLayer = "l2" | "l3" | "l4" | "payload";

export interface PacketMethod {
  readonly name: string;
  /** The built-in header struct it takes (optional argument), or a size (`u32`). */
  readonly header: string | undefined;
  readonly layer: PacketLayer;
  /** The network layer an L4 header needs. */
  readonly needs?: "ipv4" | "ipv6" | "ip";
  readonly description: string;
}

export const packetMethods: readonly PacketMethod[] = [
  { name: "ipv4", header: "iphdr", layer: "l3", description: "an IPv4 header (version, ihl, ttl 64, tot_len, protocol and checksum filled in)" },
  { name: "ipv6", header: "ipv6hdr", layer: "l3", description: "an IPv6 header (version, hop_limit 64, payload_len and nexthdr filled in)" },
  { name: "tcp", header: "tcphdr", layer: "l4", needs: "ip", description: "a TCP header (doff 5, window, checksum filled in)" },
  { name: "udp", header: "udphdr", layer: "l4", needs: "ip", description: "a UDP header (len and checksum filled in)" },
  { name: "icmp", header: "icmphdr", layer: "l4", needs: "ipv4", description: "an ICMP header (echo request by default, checksum filled in)" },
  { name: "icmp6", header: "icmp6hdr", layer: "l4", needs: "ipv6", description: "an ICMPv6 header (echo request by default, checksum filled in)" },
  { name: "payload", header: undefined, layer: "payload", description: "N payload bytes (0, 1, 2, … repeating)" },
  { name: "pad_to", header: undefined, layer: "payload", description: "payload bytes until the frame is N bytes long" },
];

export const packetMethodByName: ReadonlyMap<string, PacketMethod> = new Map(packetMethods.map((m) => [m.name, m]));

/**
 * What a field of a user-declared test context struct means when the struct is given to
 * `test(prog, ctx)` (KernelScript 0.1.1's style: `XdpTestContext { packet_size,
 * interface_id, expected_action }`). The reference implementation builds the struct and
 * then runs the program on 1500 zero bytes whatever it says; here each field the table
 * names fills the `TestRun` it stands for, and any other field is E0625.
 */
export type TestContextRole =
  | { readonly kind: "zeroPacket" }
  | { readonly kind: "runField"; readonly field: string }
  | { readonly kind: "unused"; readonly why: string };

export interface TestContextField {
  readonly name: string;
  readonly role: TestContextRole;
  readonly runKinds: readonly TestRunKind[];
  readonly description: string;
}

export const testContextFields: readonly TestContextField[] = [
  { name: "packet_size", role: { kind: "zeroPacket" }, runKinds: ["xdpPacket", "skbPacket"], description: "a frame of that many zero bytes (14 to 3520)" },
  { name: "interface_id", role: { kind: "runField", field: "ingress_ifindex" }, runKinds: ["xdpPacket", "skbPacket"], description: "the receiving interface's index (`ingress_ifindex`; 0: loopback)" },
  { name: "expected_action", role: { kind: "unused", why: "the test compares the result itself" }, runKinds: ["xdpPacket", "skbPacket"], description: "not used by the run (the test compares the result itself)" },
  ...["ingress_ifindex", "rx_queue_index", "ifindex", "mark", "priority", "repeat"].map((field): TestContextField => ({
    name: field,
    role: { kind: "runField", field },
    runKinds: contextFieldsByRunKind.get(field) ?? [],
    description: `the \`TestRun\` field of that name`,
  })),
];

export const testContextFieldByName: ReadonlyMap<string, TestContextField> = new Map(testContextFields.map((f) => [f.name, f]));
