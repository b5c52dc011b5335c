//! Facts about the kernel's struct_ops types that their BTF does not say, or that a
//! program needs when the running kernel's BTF lacks the type.

/** Members a kernel struct_ops type requires: each entry is satisfied by any of its names. */
export const requiredOpsMembers: ReadonlyMap<string, readonly (readonly string[])[]> = new Map([
  ["tcp_congestion_ops", [["ssthresh"], ["undo_cwnd"], ["cong_avoid", "cong_control"], ["name"]]],
  // scx_ops_enable() refuses an empty name (EINVAL).
  ["sched_ext_ops", [["name"]]],
]);

/**
 * The size of the `name` member (a `char` array) of the struct_ops types we know:
 * `TCP_CA_NAME_MAX` and `SCX_OPS_NAME_LEN`. Used where the type's BTF is missing and a
 * declaration (the reference implementation's generated headers write `name: u32`)
 * does not say it.
 */
export const opsNameSizes: ReadonlyMap<string, number> = new Map([
  ["tcp_congestion_ops", 16],
  ["sched_ext_ops", 128],
]);
