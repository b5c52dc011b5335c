//! The contexts of cgroup, socket and netfilter programs without BTF (the playground,
//! emit goldens): the UAPI fields the language can name, typed as the kernel's BTF types
//! them (network-order `__be16`/`__be32` fields are plain integers there too). With BTF
//! the kernel's own layouts are used; C always gets them from vmlinux.h.

import type { StructLayout, Type } from "../types.js";
import { i32, u32, u64 } from "../types.js";

const kernelStruct = (name: string): Type => ({ kind: "struct", name, origin: "kernel" });
const pointerTo = (name: string): Type => ({ kind: "pointer", target: kernelStruct(name) });
const u32x4: Type = { kind: "array", element: u32, length: 4 };
const fields = (names: readonly string[], type: Type) => names.map((name) => ({ name, type }));

export const socketContextFallbacks: readonly StructLayout[] = [
  {
    name: "bpf_sock",
    origin: "kernel",
    fields: [
      ...fields(["bound_dev_if", "family", "type", "protocol", "mark", "priority", "src_ip4"], u32),
      { name: "src_ip6", type: u32x4 },
      { name: "src_port", type: u32 },
      { name: "dst_port", type: { kind: "int", bits: 16, signed: false } },
      { name: "dst_ip4", type: u32 },
      { name: "dst_ip6", type: u32x4 },
      { name: "state", type: u32 },
      { name: "rx_queue_mapping", type: i32 },
    ],
  },
  {
    name: "bpf_sock_addr",
    origin: "kernel",
    fields: [
      ...fields(["user_family", "user_ip4"], u32),
      { name: "user_ip6", type: u32x4 },
      ...fields(["user_port", "family", "type", "protocol", "msg_src_ip4"], u32),
      { name: "msg_src_ip6", type: u32x4 },
      { name: "sk", type: pointerTo("bpf_sock") },
    ],
  },
  {
    name: "bpf_sock_ops",
    origin: "kernel",
    fields: [
      ...fields(["op", "family", "remote_ip4", "local_ip4"], u32),
      { name: "remote_ip6", type: u32x4 },
      { name: "local_ip6", type: u32x4 },
      ...fields([
        "remote_port", "local_port", "is_fullsock", "snd_cwnd", "srtt_us", "bpf_sock_ops_cb_flags", "state", "rtt_min",
        "snd_ssthresh", "rcv_nxt", "snd_nxt", "snd_una", "mss_cache", "ecn_flags", "rate_delivered", "rate_interval_us",
        "packets_out", "retrans_out", "total_retrans", "segs_in", "data_segs_in", "segs_out", "data_segs_out", "lost_out",
        "sacked_out", "sk_txhash",
      ], u32),
      ...fields(["bytes_received", "bytes_acked"], u64),
      { name: "sk", type: pointerTo("bpf_sock") },
    ],
  },
  {
    name: "bpf_nf_ctx",
    origin: "kernel",
    fields: [
      { name: "state", type: pointerTo("nf_hook_state") },
      { name: "skb", type: pointerTo("sk_buff") },
    ],
  },
];

/** Pointer fields of contexts that the verifier types as maybe-null (`PTR_TO_…_OR_NULL`). */
export const nullableContextFields: ReadonlyMap<string, readonly string[]> = new Map([
  ["__sk_buff", ["sk"]],
  ["bpf_sock_ops", ["sk"]],
]);
