//! Kernel knowledge the checker needs without any BTF: the context structs of the
//! program types, the action enums and constants, and the seed-sketch aliases
//! (`XdpContext`, `XdpAction`, …). Data tables, not if-chains.

import type { StructLayout, EnumLayout, Type } from "../types.js";
import { be16, u8, u32, i32 } from "../types.js";

const packetPointer: Type = { kind: "pointer", target: u8, packet: true };

/**
 * Context structs known without BTF. `data`/`data_end` are 32-bit fields in the kernel's
 * UAPI struct but pointers to the verifier; the language types them as packet pointers.
 */
export const builtinContextStructs: readonly StructLayout[] = [
  {
    name: "xdp_md",
    origin: "kernel",
    fields: [
      { name: "data", type: packetPointer },
      { name: "data_end", type: packetPointer },
      { name: "data_meta", type: packetPointer },
      { name: "ingress_ifindex", type: u32 },
      { name: "rx_queue_index", type: u32 },
      { name: "egress_ifindex", type: u32 },
    ],
  },
  {
    name: "__sk_buff",
    origin: "kernel",
    fields: [
      { name: "len", type: u32 },
      { name: "pkt_type", type: u32 },
      { name: "mark", type: u32 },
      { name: "queue_mapping", type: u32 },
      // The EtherType and VLAN protocol are network order (`__be16` in a __u32 field).
      { name: "protocol", type: be16 },
      { name: "vlan_present", type: u32 },
      { name: "vlan_tci", type: u32 },
      { name: "vlan_proto", type: be16 },
      { name: "priority", type: u32 },
      { name: "ingress_ifindex", type: u32 },
      { name: "ifindex", type: u32 },
      { name: "tc_index", type: u32 },
      { name: "hash", type: u32 },
      { name: "tc_classid", type: u32 },
      { name: "data", type: packetPointer },
      { name: "data_end", type: packetPointer },
      { name: "napi_id", type: u32 },
      { name: "family", type: u32 },
      { name: "remote_ip4", type: u32 },
      { name: "local_ip4", type: u32 },
      { name: "remote_port", type: u32 },
      { name: "local_port", type: u32 },
      { name: "data_meta", type: packetPointer },
      { name: "gso_segs", type: u32 },
      { name: "gso_size", type: u32 },
      // The packet's socket, when it has one (null-checked before use).
      { name: "sk", type: { kind: "pointer", target: { kind: "struct", name: "bpf_sock", origin: "kernel" } } },
      // Readable by flow dissector programs only (the other types' rows list it unreadable).
      { name: "flow_keys", type: { kind: "pointer", target: { kind: "struct", name: "bpf_flow_keys", origin: "kernel" } } },
    ],
  },
  {
    // sk_msg programs: a message sent on a socket of a sockmap/sockhash. `data`/`data_end`
    // are `__bpf_md_ptr` unions in the UAPI header (anonymous in BTF); `sk` is left out.
    name: "sk_msg_md",
    origin: "kernel",
    fields: [
      { name: "data", type: packetPointer },
      { name: "data_end", type: packetPointer },
      { name: "family", type: u32 },
      { name: "remote_ip4", type: u32 },
      { name: "local_ip4", type: u32 },
      { name: "remote_ip6", type: { kind: "array", element: u32, length: 4 } },
      { name: "local_ip6", type: { kind: "array", element: u32, length: 4 } },
      { name: "remote_port", type: u32 },
      { name: "local_port", type: u32 },
      { name: "size", type: u32 },
    ],
  },
];

/** Fields of context structs whose C type differs from the language type (u32 in UAPI). */
export const packetPointerFields: ReadonlySet<string> = new Set(["data", "data_end", "data_meta"]);

export interface BuiltinEnum extends EnumLayout {
  /** Whether the constants exist under these names in vmlinux.h (else emit values). */
  readonly inVmlinux: boolean;
}

export const builtinEnums: readonly BuiltinEnum[] = [
  {
    name: "xdp_action",
    origin: "kernel",
    inVmlinux: true,
    constants: [
      { name: "XDP_ABORTED", value: 0n },
      { name: "XDP_DROP", value: 1n },
      { name: "XDP_PASS", value: 2n },
      { name: "XDP_TX", value: 3n },
      { name: "XDP_REDIRECT", value: 4n },
    ],
  },
  {
    // What sk_msg and sk_skb verdict programs return (and what their redirects return).
    name: "sk_action",
    origin: "kernel",
    inVmlinux: true,
    constants: [
      { name: "SK_DROP", value: 0n },
      { name: "SK_PASS", value: 1n },
    ],
  },
  {
    // TC_ACT_* are preprocessor macros in linux/pkt_cls.h, absent from vmlinux.h.
    name: "tc_action",
    origin: "kernel",
    inVmlinux: false,
    constants: [
      { name: "TC_ACT_UNSPEC", value: -1n },
      { name: "TC_ACT_OK", value: 0n },
      { name: "TC_ACT_RECLASSIFY", value: 1n },
      { name: "TC_ACT_SHOT", value: 2n },
      { name: "TC_ACT_PIPE", value: 3n },
      { name: "TC_ACT_STOLEN", value: 4n },
      { name: "TC_ACT_QUEUED", value: 5n },
      { name: "TC_ACT_REPEAT", value: 6n },
      { name: "TC_ACT_REDIRECT", value: 7n },
      { name: "TC_ACT_TRAP", value: 8n },
    ],
  },
];

/** Seed-sketch spellings of context and action types. */
export const builtinAliases: ReadonlyMap<string, Type> = new Map<string, Type>([
  ["XdpContext", { kind: "pointer", target: { kind: "struct", name: "xdp_md", origin: "kernel" } }],
  ["XdpAction", { kind: "enum", name: "xdp_action", origin: "kernel" }],
  ["TcContext", { kind: "pointer", target: { kind: "struct", name: "__sk_buff", origin: "kernel" } }],
  ["TcAction", i32],
]);

/**
 * Whether `x op= v` on a value of `type` can be one atomic instruction: `+=`/`-=` on a
 * 32- or 64-bit integer (BPF_ATOMIC add; the instruction set has no 8/16-bit atomics,
 * and clang refuses `__sync_fetch_and_add` on them for BPF).
 */
export function atomicCapable(op: string, type: Type): boolean {
  return (op === "+" || op === "-") && type.kind === "int" && type.bits >= 32;
}
