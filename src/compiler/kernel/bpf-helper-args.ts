//! What the verifier requires of each argument of a BPF helper: the `argN_type` of the
//! helper's `struct bpf_func_proto` in the kernel (kernel/bpf/helpers.c, ringbuf.c,
//! bpf_iter.c, stackmap.c, core.c, kernel/trace/bpf_trace.c, net/core/filter.c), written
//! as the kernel writes them, for the helpers our programs, the upstream examples and
//! common programs call. Where a helper has several protos (per program type), the one
//! for the program types KernelScript has is given; they agree on argument kinds.
//!
//! The C prototypes (names, types, count) are the generated bpf-helper-prototypes.ts.

/** `argN_type` strings in argument order (`ARG_PTR_TO_MEM | MEM_RDONLY`); an argument the proto leaves unset is ARG_DONTCARE. */
export const helperArgTypes: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  // kernel/bpf/helpers.c
  ["bpf_map_lookup_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY"]],
  ["bpf_map_update_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_PTR_TO_MAP_VALUE", "ARG_ANYTHING"]],
  ["bpf_map_delete_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY"]],
  ["bpf_map_push_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE", "ARG_ANYTHING"]],
  ["bpf_map_pop_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"]],
  ["bpf_map_peek_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE"]],
  ["bpf_map_lookup_percpu_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MAP_KEY", "ARG_ANYTHING"]],
  ["bpf_get_prandom_u32", []],
  ["bpf_get_smp_processor_id", []],
  ["bpf_get_numa_node_id", []],
  ["bpf_ktime_get_ns", []],
  ["bpf_ktime_get_boot_ns", []],
  ["bpf_ktime_get_coarse_ns", []],
  ["bpf_ktime_get_tai_ns", []],
  ["bpf_jiffies64", []],
  ["bpf_get_current_pid_tgid", []],
  ["bpf_get_current_uid_gid", []],
  ["bpf_get_current_cgroup_id", []],
  ["bpf_get_current_ancestor_cgroup_id", ["ARG_ANYTHING"]],
  ["bpf_get_current_comm", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_spin_lock", ["ARG_PTR_TO_SPIN_LOCK"]],
  ["bpf_spin_unlock", ["ARG_PTR_TO_SPIN_LOCK"]],
  ["bpf_strtol", ["ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"]],
  ["bpf_strtoul", ["ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_PTR_TO_FIXED_SIZE_MEM | MEM_UNINIT | MEM_WRITE | MEM_ALIGNED"]],
  ["bpf_strncmp", ["ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_PTR_TO_CONST_STR"]],
  ["bpf_get_ns_current_pid_tgid", ["ARG_ANYTHING", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_copy_from_user", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_copy_from_user_task", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING", "ARG_PTR_TO_BTF_ID", "ARG_ANYTHING"]],
  ["bpf_per_cpu_ptr", ["ARG_PTR_TO_PERCPU_BTF_ID", "ARG_ANYTHING"]],
  ["bpf_this_cpu_ptr", ["ARG_PTR_TO_PERCPU_BTF_ID"]],
  ["bpf_snprintf", ["ARG_PTR_TO_MEM_OR_NULL", "ARG_CONST_SIZE_OR_ZERO", "ARG_PTR_TO_CONST_STR", "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_timer_init", ["ARG_PTR_TO_TIMER", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_timer_set_callback", ["ARG_PTR_TO_TIMER", "ARG_PTR_TO_FUNC"]],
  ["bpf_timer_start", ["ARG_PTR_TO_TIMER", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_timer_cancel", ["ARG_PTR_TO_TIMER"]],
  ["bpf_kptr_xchg", ["ARG_PTR_TO_KPTR", "ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE"]],
  ["bpf_get_retval", []],
  ["bpf_set_retval", ["ARG_ANYTHING"]],
  // kernel/bpf/ringbuf.c
  ["bpf_ringbuf_output", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_ringbuf_reserve", ["ARG_CONST_MAP_PTR", "ARG_CONST_ALLOC_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_ringbuf_submit", ["ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE", "ARG_ANYTHING"]],
  ["bpf_ringbuf_discard", ["ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE", "ARG_ANYTHING"]],
  ["bpf_ringbuf_query", ["ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  // kernel/bpf/bpf_iter.c
  ["bpf_for_each_map_elem", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK_OR_NULL", "ARG_ANYTHING"]],
  ["bpf_loop", ["ARG_ANYTHING", "ARG_PTR_TO_FUNC", "ARG_PTR_TO_STACK_OR_NULL", "ARG_ANYTHING"]],
  // kernel/bpf/core.c, stackmap.c
  ["bpf_tail_call", ["ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_get_stackid", ["ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_get_stack", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_get_task_stack", ["ARG_PTR_TO_BTF_ID", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  // kernel/bpf/bpf_task_storage.c, net/core/bpf_sk_storage.c
  ["bpf_task_storage_get", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_OR_NULL", "ARG_PTR_TO_MAP_VALUE_OR_NULL", "ARG_ANYTHING"]],
  ["bpf_task_storage_delete", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_OR_NULL"]],
  ["bpf_sk_storage_get", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_SOCK_COMMON", "ARG_PTR_TO_MAP_VALUE_OR_NULL", "ARG_ANYTHING"]],
  ["bpf_sk_storage_delete", ["ARG_CONST_MAP_PTR", "ARG_PTR_TO_BTF_ID_SOCK_COMMON"]],
  // kernel/trace/bpf_trace.c
  ["bpf_override_return", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_probe_read", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_read_str", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_read_user", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_read_user_str", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_read_kernel", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_read_kernel_str", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_probe_write_user", ["ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"]],
  ["bpf_trace_printk", ["ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE"]],
  ["bpf_trace_vprintk", ["ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_seq_printf", ["ARG_PTR_TO_BTF_ID", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_seq_write", ["ARG_PTR_TO_BTF_ID", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_perf_event_read", ["ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_perf_event_read_value", ["ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_perf_event_output", ["ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_get_current_task", []],
  ["bpf_get_current_task_btf", []],
  ["bpf_task_pt_regs", ["ARG_PTR_TO_BTF_ID"]],
  ["bpf_current_task_under_cgroup", ["ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_send_signal", ["ARG_ANYTHING"]],
  ["bpf_send_signal_thread", ["ARG_ANYTHING"]],
  ["bpf_d_path", ["ARG_PTR_TO_BTF_ID", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_snprintf_btf", ["ARG_PTR_TO_MEM", "ARG_CONST_SIZE", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_get_func_ip", ["ARG_PTR_TO_CTX"]],
  ["bpf_get_attach_cookie", ["ARG_PTR_TO_CTX"]],
  // The proto leaves arg3 (`flags`) unset: ARG_DONTCARE, not checked.
  ["bpf_get_branch_snapshot", ["ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE_OR_ZERO", "ARG_DONTCARE"]],
  ["bpf_get_func_arg", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_LONG"]],
  ["bpf_get_func_ret", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_LONG"]],
  ["bpf_get_func_arg_cnt", ["ARG_PTR_TO_CTX"]],
  // net/core/filter.c
  ["bpf_skb_store_bytes", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_skb_load_bytes", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_skb_load_bytes_relative", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_skb_pull_data", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_l3_csum_replace", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_l4_csum_replace", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_csum_diff", ["ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO", "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_csum_update", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_csum_level", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_clone_redirect", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_redirect", ["ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_redirect_peer", ["ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_redirect_neigh", ["ARG_ANYTHING", "ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO", "ARG_ANYTHING"]],
  ["bpf_redirect_map", ["ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_get_cgroup_classid", ["ARG_PTR_TO_CTX"]],
  ["bpf_get_route_realm", ["ARG_PTR_TO_CTX"]],
  ["bpf_get_hash_recalc", ["ARG_PTR_TO_CTX"]],
  ["bpf_set_hash_invalid", ["ARG_PTR_TO_CTX"]],
  ["bpf_set_hash", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_skb_vlan_push", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skb_vlan_pop", ["ARG_PTR_TO_CTX"]],
  ["bpf_skb_change_proto", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skb_change_type", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_skb_adjust_room", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skb_change_tail", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skb_change_head", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skb_under_cgroup", ["ARG_PTR_TO_CTX", "ARG_CONST_MAP_PTR", "ARG_ANYTHING"]],
  ["bpf_skb_cgroup_id", ["ARG_PTR_TO_CTX"]],
  ["bpf_skb_ancestor_cgroup_id", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_skb_get_tunnel_key", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_skb_set_tunnel_key", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_skb_ecn_set_ce", ["ARG_PTR_TO_CTX"]],
  ["bpf_skb_output", ["ARG_PTR_TO_BTF_ID", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_get_socket_cookie", ["ARG_PTR_TO_CTX"]],
  ["bpf_get_socket_uid", ["ARG_PTR_TO_CTX"]],
  ["bpf_get_netns_cookie", ["ARG_PTR_TO_CTX_OR_NULL"]],
  ["bpf_xdp_adjust_head", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_xdp_adjust_tail", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_xdp_adjust_meta", ["ARG_PTR_TO_CTX", "ARG_ANYTHING"]],
  ["bpf_xdp_get_buff_len", ["ARG_PTR_TO_CTX"]],
  ["bpf_xdp_load_bytes", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_xdp_store_bytes", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_UNINIT_MEM", "ARG_CONST_SIZE"]],
  ["bpf_xdp_output", ["ARG_PTR_TO_BTF_ID", "ARG_CONST_MAP_PTR", "ARG_ANYTHING", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE_OR_ZERO"]],
  ["bpf_fib_lookup", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM", "ARG_CONST_SIZE", "ARG_ANYTHING"]],
  ["bpf_check_mtu", ["ARG_PTR_TO_CTX", "ARG_ANYTHING", "ARG_PTR_TO_INT", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_sk_lookup_tcp", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_sk_lookup_udp", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_skc_lookup_tcp", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_MEM | MEM_RDONLY", "ARG_CONST_SIZE", "ARG_ANYTHING", "ARG_ANYTHING"]],
  ["bpf_sk_release", ["ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE"]],
  ["bpf_sk_fullsock", ["ARG_PTR_TO_SOCK_COMMON"]],
  ["bpf_tcp_sock", ["ARG_PTR_TO_SOCK_COMMON"]],
  ["bpf_get_listener_sock", ["ARG_PTR_TO_SOCK_COMMON"]],
  ["bpf_sk_assign", ["ARG_PTR_TO_CTX", "ARG_PTR_TO_BTF_ID_SOCK_COMMON | PTR_MAYBE_NULL", "ARG_ANYTHING"]],
  ["bpf_skc_to_tcp_sock", ["ARG_PTR_TO_BTF_ID_SOCK_COMMON"]],
  ["bpf_skc_to_tcp6_sock", ["ARG_PTR_TO_BTF_ID_SOCK_COMMON"]],
  ["bpf_skc_to_udp6_sock", ["ARG_PTR_TO_BTF_ID_SOCK_COMMON"]],
  ["bpf_sock_from_file", ["ARG_PTR_TO_BTF_ID"]],
]);

/** What a kernel argument type asks of the value passed, in the terms the checker uses. */
export type HelperArgKind =
  /** ARG_ANYTHING: any value. */
  | { readonly kind: "anything" }
  /** ARG_CONST_SIZE(_OR_ZERO), ARG_CONST_ALLOC_SIZE_OR_ZERO: a size the verifier can bound. */
  | { readonly kind: "size"; readonly zeroAllowed: boolean }
  /** ARG_CONST_MAP_PTR: a map. */
  | { readonly kind: "map" }
  /** ARG_PTR_TO_CTX(_OR_NULL): the program's context. */
  | { readonly kind: "context"; readonly nullable: boolean }
  /** ARG_PTR_TO_FUNC: a callback function. */
  | { readonly kind: "function" }
  /**
   * Any other ARG_PTR_TO_…: a pointer. `memory`: to bytes the program owns (stack or map
   * value, `&local` is fine), as opposed to a kernel object the verifier tracks (a
   * socket, a task, a ring buffer record), which the address of a local never is.
   */
  | { readonly kind: "pointer"; readonly nullable: boolean; readonly memory: boolean; readonly what: string };

const memoryBases = new Set([
  "ARG_PTR_TO_MEM", "ARG_PTR_TO_UNINIT_MEM", "ARG_PTR_TO_MAP_KEY", "ARG_PTR_TO_MAP_VALUE", "ARG_PTR_TO_STACK",
  "ARG_PTR_TO_FIXED_SIZE_MEM", "ARG_PTR_TO_LONG", "ARG_PTR_TO_INT", "ARG_PTR_TO_CONST_STR",
]);

/** How the checker reads one `argN_type` string. */
export function helperArgKind(kernelType: string): HelperArgKind {
  const [base = "", ...flags] = kernelType.split("|").map((part) => part.trim());
  const orNull = base.endsWith("_OR_NULL");
  const plain = orNull ? base.slice(0, -"_OR_NULL".length) : base;
  const nullable = orNull || flags.includes("PTR_MAYBE_NULL");
  switch (plain) {
    case "ARG_ANYTHING": case "ARG_DONTCARE": return { kind: "anything" };
    case "ARG_CONST_SIZE": return { kind: "size", zeroAllowed: false };
    case "ARG_CONST_SIZE_OR_ZERO": case "ARG_CONST_ALLOC_SIZE_OR_ZERO": return { kind: "size", zeroAllowed: true };
    case "ARG_CONST_MAP_PTR": return { kind: "map" };
    case "ARG_PTR_TO_CTX": return { kind: "context", nullable };
    case "ARG_PTR_TO_FUNC": return { kind: "function" };
  }
  const what = plain === "ARG_PTR_TO_UNINIT_MEM" || flags.includes("MEM_UNINIT") ? "a pointer to memory the helper writes"
    : plain === "ARG_PTR_TO_CONST_STR" ? "a pointer to a constant string"
    : memoryBases.has(plain) ? (flags.includes("MEM_RDONLY") ? "a pointer to memory the helper reads" : "a pointer to memory")
    : plain.includes("SOCK") || plain.includes("SOCKET") ? "a socket the kernel gave the program"
    : plain === "ARG_PTR_TO_RINGBUF_MEM" || plain === "ARG_PTR_TO_ALLOC_MEM" ? "a ring buffer record from bpf_ringbuf_reserve"
    : "a pointer to a kernel object";
  return { kind: "pointer", nullable, memory: memoryBases.has(plain), what };
}
