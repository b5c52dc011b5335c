//! The kernel's BPF helpers ("legacy helpers", called through fixed ids, declared by
//! libbpf's bpf_helper_defs.h). An `extern` naming one of them emits no declaration, and
//! the common argument-free or scalar ones can be called without any `extern`. Their C
//! prototypes are bpf-helper-prototypes.ts (generated), the verifier's argument kinds
//! bpf-helper-args.ts (facts from the kernel); check/helper-calls.ts checks both.

import type { Type } from "../types.js";
import { i32, i64, u32, u64 } from "../types.js";
import { helperPrototypes, type HelperPrototype } from "./bpf-helper-prototypes.js";
import { helperArgKind, helperArgTypes, type HelperArgKind } from "./bpf-helper-args.js";

/** Names of the helpers libbpf declares (bpf_helper_defs.h, generated into a table). */
export const legacyHelperNames: ReadonlySet<string> = new Set(helperPrototypes.map((h) => h.name));

const prototypesByName: ReadonlyMap<string, HelperPrototype> = new Map(helperPrototypes.map((h) => [h.name, h]));

/** The C prototype of a helper libbpf declares. */
export function helperPrototype(name: string): HelperPrototype | undefined {
  return prototypesByName.get(name);
}

/** The verifier's kind of each argument, where the table of facts has the helper. */
export function helperArgKinds(name: string): readonly HelperArgKind[] | undefined {
  return helperArgTypes.get(name)?.map(helperArgKind);
}

export interface HelperSignature {
  readonly params: readonly Type[];
  readonly returnType: Type;
}

const xdpContext: Type = { kind: "pointer", target: { kind: "struct", name: "xdp_md", origin: "kernel" } };

/** Helpers callable without a declaration: scalar arguments (or the XDP context) only. */
export const legacyHelpers: ReadonlyMap<string, HelperSignature> = new Map<string, HelperSignature>([
  ["bpf_ktime_get_ns", { params: [], returnType: u64 }],
  ["bpf_ktime_get_boot_ns", { params: [], returnType: u64 }],
  ["bpf_ktime_get_coarse_ns", { params: [], returnType: u64 }],
  ["bpf_jiffies64", { params: [], returnType: u64 }],
  ["bpf_get_prandom_u32", { params: [], returnType: u32 }],
  ["bpf_get_smp_processor_id", { params: [], returnType: u32 }],
  ["bpf_get_numa_node_id", { params: [], returnType: i64 }],
  ["bpf_get_current_pid_tgid", { params: [], returnType: u64 }],
  ["bpf_get_current_uid_gid", { params: [], returnType: u64 }],
  ["bpf_get_current_cgroup_id", { params: [], returnType: u64 }],
  ["bpf_redirect", { params: [u32, u64], returnType: i64 }],
  ["bpf_xdp_adjust_head", { params: [xdpContext, i32], returnType: i64 }],
  ["bpf_xdp_adjust_tail", { params: [xdpContext, i32], returnType: i64 }],
  ["bpf_xdp_adjust_meta", { params: [xdpContext, i32], returnType: i64 }],
]);
