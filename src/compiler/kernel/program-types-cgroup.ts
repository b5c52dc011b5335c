//! The catalogue rows of the programs the kernel runs for a cgroup's sockets and packets
//! (cgroup_skb, cgroup_sock, cgroup_sock_addr, sockops), for netfilter hooks and for a
//! network namespace's flow dissector. They are spread into `programTypes` after the
//! socket filter row (kernel/program-types.ts); this file only holds rows, so the table
//! stays one table (and the netfilter hook names its pattern and test runs share).

import type { AttachMethod, LoaderPiece, ProgramTypeInfo } from "./program-types.js";
import { i32 } from "../types.js";

/** Netfilter's IPv4/IPv6 hooks in the order of the kernel's `enum nf_inet_hooks` (the index is the hook number). */
export const netfilterHooks: readonly string[] = ["pre_routing", "local_in", "forward", "local_out", "post_routing"];

const cgroupAttach: AttachMethod = { kind: "cgroup", function: "ks_attach_cgroup" };
const cgroupPieces: readonly LoaderPiece[] = [{ runtimeC: "attach-cgroup" }];

export const cgroupRows: readonly ProgramTypeInfo[] = [
  // Cgroup, socket and netfilter programs (issue 16). The cgroup ones attach to a cgroup
  // v2 directory through a link (runtime-c/attach-cgroup.c); the kernel picks the hook
  // from the section's expected attach type, so each row's section names it.
  {
    // Runs on every packet a socket of the cgroup sends or receives; 1 lets it go on, 0
    // drops it (a send then fails with EPERM). Reads the packet directly (no writes).
    programType: "cgroup_skb",
    attribute: "cgroup_skb",
    label: "cgroup_skb",
    bpfProgType: "BPF_PROG_TYPE_CGROUP_SKB",
    loaderLabel: "cgroup skb",
    contextStruct: "__sk_buff",
    returnType: i32,
    signature: "fn NAME(ctx: *__sk_buff) -> i32",
    argument: "required",
    argumentExample: '@cgroup_skb("ingress")',
    targetChoices: ["ingress", "egress"],
    section: (direction) => `cgroup_skb/${direction ?? "ingress"}`,
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: cgroupAttach,
    loaderPieces: cgroupPieces,
    testRun: { kind: "skbPacket", view: "network" },
    kfuncHook: "own",
    packetAccess: "direct",
    // The kernel's cg_skb_is_valid_access: no tc_classid, no data_meta, no flow_keys.
    unreadableContextFields: ["tc_classid", "data_meta", "flow_keys"],
    // A packet too short for a generated bounds check goes on (1: allow).
    shortPacketResult: { name: "1", value: 1n },
    tailCallFallback: { value: 1n },
    localStorage: ["sk_storage"],
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: false,
    currentTask: false,
    init: {
      kind: "counter", target: "ingress", key: "u32",
      body: ["if (var ip: *iphdr = ctx.header(0)) {", "    COUNTS[ip.protocol as u32] += 1", "}"], result: "1   // let it through",
      what: "A cgroup_skb program: counts the IPv4 packets the cgroup's processes receive, by IP protocol.",
    },
  },
  {
    // Socket creation, release and bind in the cgroup; 0 refuses it (EPERM).
    programType: "cgroup_sock",
    attribute: "cgroup_sock",
    label: "cgroup_sock",
    bpfProgType: "BPF_PROG_TYPE_CGROUP_SOCK",
    loaderLabel: "cgroup sock",
    contextStruct: "bpf_sock",
    returnType: i32,
    signature: "fn NAME(ctx: *bpf_sock) -> i32",
    argument: "required",
    argumentExample: '@cgroup_sock("sock_create")',
    targetChoices: ["sock_create", "sock_release", "post_bind4", "post_bind6"],
    section: (hook) => `cgroup/${hook ?? "sock_create"}`,
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: cgroupAttach,
    loaderPieces: cgroupPieces,
    testRun: { kind: "unsupported", why: "cgroupSocketHook" },
    kfuncHook: "common",
    packetAccess: "none",
    tailCallFallback: { value: 1n },
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: false,
    currentTask: true,
    init: {
      kind: "counter", target: "sock_create", key: "u32", body: ["COUNTS[ctx.protocol] += 1"], result: "1   // allow",
      what: "A cgroup_sock program: counts the sockets the cgroup's processes create, by protocol.",
    },
  },
  {
    // connect/bind/sendmsg… of the cgroup's sockets with the address the caller gave;
    // 0 refuses the call (EPERM).
    programType: "cgroup_sock_addr",
    attribute: "cgroup_sock_addr",
    label: "cgroup_sock_addr",
    bpfProgType: "BPF_PROG_TYPE_CGROUP_SOCK_ADDR",
    loaderLabel: "cgroup sock_addr",
    contextStruct: "bpf_sock_addr",
    returnType: i32,
    signature: "fn NAME(ctx: *bpf_sock_addr) -> i32",
    argument: "required",
    argumentExample: '@cgroup_sock_addr("connect4")',
    targetChoices: [
      "connect4", "connect6", "bind4", "bind6", "sendmsg4", "sendmsg6", "recvmsg4", "recvmsg6",
      "getpeername4", "getpeername6", "getsockname4", "getsockname6",
    ],
    section: (hook) => `cgroup/${hook ?? "connect4"}`,
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: cgroupAttach,
    loaderPieces: cgroupPieces,
    testRun: { kind: "unsupported", why: "cgroupSocketHook" },
    kfuncHook: "common",
    packetAccess: "none",
    tailCallFallback: { value: 1n },
    localStorage: ["sk_storage"],
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: false,
    currentTask: true,
    init: {
      kind: "counter", target: "connect4", key: "u32", body: ["COUNTS[ctx.user_ip4] += 1   // network byte order"], result: "1   // allow",
      what: "A cgroup_sock_addr program: counts the IPv4 connect() calls of the cgroup's processes, by destination address.",
    },
  },
  {
    // TCP events of the cgroup's sockets (`ctx.op`: BPF_SOCK_OPS_*_CB); the result is
    // ignored except by the few ops that read `reply`.
    programType: "sockops",
    attribute: "sockops",
    label: "sockops",
    bpfProgType: "BPF_PROG_TYPE_SOCK_OPS",
    loaderLabel: "sockops",
    contextStruct: "bpf_sock_ops",
    returnType: i32,
    signature: "fn NAME(ctx: *bpf_sock_ops) -> i32",
    argument: "none",
    section: () => "sockops",
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: cgroupAttach,
    loaderPieces: cgroupPieces,
    testRun: { kind: "unsupported", why: "cgroupSocketHook" },
    kfuncHook: "common",
    packetAccess: "none",
    tailCallFallback: { value: 1n },
    localStorage: ["sk_storage"],
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: false,
    currentTask: false,
    init: {
      kind: "counter", key: "u32", body: ["COUNTS[ctx.op] += 1   // BPF_SOCK_OPS_*"], result: "1",
      what: "A sockops program: counts the TCP socket events (BPF_SOCK_OPS_*) of the cgroup's processes.",
    },
  },
  {
    // A netfilter hook (BPF_PROG_TYPE_NETFILTER): `bpf_nf_ctx` gives the hook state and
    // the sk_buff as kernel pointers; the result is the verdict (NF_DROP 0, NF_ACCEPT 1).
    // Attached through a netfilter link (runtime-c/attach-netfilter.c) with the
    // attribute's family, hook and priority. libbpf 1.1 does not know the section: the
    // loader sets the type before loading.
    programType: "netfilter",
    attribute: "netfilter",
    label: "netfilter",
    bpfProgType: "BPF_PROG_TYPE_NETFILTER",
    loaderLabel: "netfilter",
    contextStruct: "bpf_nf_ctx",
    returnType: i32,
    signature: "fn NAME(ctx: *bpf_nf_ctx) -> i32",
    argument: "required",
    argumentExample: '@netfilter("ipv4:local_in")',
    targetFormat: {
      pattern: new RegExp(`^ipv[46]:(${netfilterHooks.join("|")})(:-?[0-9]{1,10})?$`),
      shape: "netfilterHook",
      example: '@netfilter("ipv4:local_in:-100")',
    },
    section: () => "netfilter",
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: { kind: "declaredTarget", function: "ks_attach_netfilter" },
    loaderPieces: [{ runtimeC: "attach-netfilter" }],
    typeBeforeLoad: { progType: 32, attachType: 45 },
    testRun: { kind: "netfilterPacket" },
    kfuncHook: "own",
    packetAccess: "none",
    tailCallFallback: { value: 1n },
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: true,
    currentTask: false,
    init: {
      kind: "counter", target: "ipv4:local_in", key: "u32", body: ["COUNTS[0] += 1"], result: "1   // NF_ACCEPT",
      what: "A netfilter program on the IPv4 local-in hook: counts the packets delivered to this host and accepts them.",
    },
  },
  {
    // The network namespace's flow dissector: fills `ctx.flow_keys` from the packet
    // (BPF_OK 0 / BPF_DROP 2). Attached to the loader's network namespace through a link.
    programType: "flow_dissector",
    attribute: "flow_dissector",
    label: "flow dissector",
    bpfProgType: "BPF_PROG_TYPE_FLOW_DISSECTOR",
    loaderLabel: "flow dissector",
    contextStruct: "__sk_buff",
    returnType: i32,
    signature: "fn NAME(ctx: *__sk_buff) -> i32",
    argument: "none",
    section: () => "flow_dissector",
    arguments: { kind: "context" },
    cEntry: "function",
    cIncludes: [],
    attach: { kind: "declaredTarget", function: "ks_attach_netns" },
    loaderPieces: [{ runtimeC: "attach-netns" }],
    testRun: { kind: "skbPacket", view: "flowKeys" },
    kfuncHook: "common",
    packetAccess: "direct",
    // The kernel's flow_dissector_is_valid_access: only data, data_end and flow_keys.
    unreadableContextFields: [
      "len", "pkt_type", "mark", "queue_mapping", "vlan_present", "vlan_tci", "vlan_proto", "priority",
      "ingress_ifindex", "ifindex", "tc_index", "hash", "tc_classid", "napi_id", "family", "remote_ip4", "local_ip4",
      "remote_port", "local_port", "data_meta", "gso_segs", "gso_size", "tstamp", "wire_len", "hwtstamp", "sk",
    ],
    shortPacketResult: { name: "2", value: 2n },
    tailCallFallback: { value: 2n },
    refusedHelpers: ["packetWrites", "packetRedirects"],
    kernelPointerArguments: false,
    currentTask: false,
    init: {
      kind: "counter", key: "u32", body: ["COUNTS[0] += 1"], result: "129   // BPF_FLOW_DISSECTOR_CONTINUE: the kernel's dissector goes on",
      what: "A flow dissector for the network namespace: counts the packets dissected and leaves the work to the kernel's own dissector.",
    },
  },
];
