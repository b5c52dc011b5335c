//! Built-in declarations of perf events: the enums that name an event (`perf_type`,
//! `perf_hw_config`, `perf_sw_config`), the `perf_options` struct given to
//! `attach(prog, perf_options { … }, 0)` with the defaults of its optional fields, and the
//! `PerfAttachment` handle `attach` returns. Values are the kernel's (linux/perf_event.h:
//! PERF_TYPE_*, PERF_COUNT_HW_*, PERF_COUNT_SW_*). Data, not code.

import type { StructLayout, Type } from "../types.js";
import { boolType, i32, u32, u64 } from "../types.js";
import type { BuiltinEnum } from "./builtins.js";

const enumType = (name: string): Type => ({ kind: "enum", name, origin: "kernel" });

export const perfEnums: readonly BuiltinEnum[] = [
  {
    name: "perf_type",
    origin: "kernel",
    inVmlinux: false,
    constants: [
      { name: "perf_type_hardware", value: 0n },
      { name: "perf_type_software", value: 1n },
      { name: "perf_type_tracepoint", value: 2n },
      { name: "perf_type_hw_cache", value: 3n },
      { name: "perf_type_raw", value: 4n },
      { name: "perf_type_breakpoint", value: 5n },
    ],
  },
  {
    name: "perf_hw_config",
    origin: "kernel",
    inVmlinux: false,
    constants: [
      { name: "cpu_cycles", value: 0n },
      { name: "instructions", value: 1n },
      { name: "cache_references", value: 2n },
      { name: "cache_misses", value: 3n },
      { name: "branch_instructions", value: 4n },
      { name: "branch_misses", value: 5n },
      { name: "bus_cycles", value: 6n },
      { name: "stalled_cycles_frontend", value: 7n },
      { name: "stalled_cycles_backend", value: 8n },
      { name: "ref_cpu_cycles", value: 9n },
    ],
  },
  {
    name: "perf_sw_config",
    origin: "kernel",
    inVmlinux: false,
    constants: [
      { name: "cpu_clock", value: 0n },
      { name: "task_clock", value: 1n },
      { name: "page_faults", value: 2n },
      { name: "context_switches", value: 3n },
      { name: "cpu_migrations", value: 4n },
      { name: "page_faults_min", value: 5n },
      { name: "page_faults_maj", value: 6n },
      { name: "alignment_faults", value: 7n },
      { name: "emulation_faults", value: 8n },
    ],
  },
];

export const perfOptionsStruct = "perf_options";
export const perfAttachmentStruct = "PerfAttachment";

export const perfStructs: readonly StructLayout[] = [
  {
    name: perfOptionsStruct,
    origin: "kernel",
    fields: [
      { name: "perf_type", type: enumType("perf_type") },
      { name: "perf_config", type: u64 },
      { name: "pid", type: i32 },
      { name: "cpu", type: i32 },
      { name: "period", type: u64 },
      { name: "wakeup", type: u32 },
      { name: "inherit", type: boolType },
      { name: "exclude_kernel", type: boolType },
      { name: "exclude_user", type: boolType },
    ],
  },
  {
    name: perfAttachmentStruct,
    origin: "kernel",
    fields: [
      { name: "perf_fd", type: i32 },
      { name: "link_id", type: i32 },
      { name: "prog_fd", type: i32 },
      { name: "generation", type: u64 },
    ],
  },
];

/**
 * The perf_event context without BTF (the playground, emit goldens): the UAPI fields the
 * language can name. With BTF the kernel's layout is used, which adds `regs`.
 */
export const perfContextFallback: StructLayout = {
  name: "bpf_perf_event_data",
  origin: "kernel",
  fields: [
    { name: "sample_period", type: u64 },
    { name: "addr", type: u64 },
  ],
};

/** Values of the `perf_options` fields a literal may omit (pid -1: every process). */
const perfOptionDefaults: ReadonlyMap<string, { readonly value: bigint; readonly type: Type }> = new Map([
  ["pid", { value: -1n, type: i32 }],
  ["cpu", { value: 0n, type: i32 }],
  ["period", { value: 1_000_000n, type: u64 }],
  ["wakeup", { value: 1n, type: u32 }],
  ["inherit", { value: 0n, type: boolType }],
  ["exclude_kernel", { value: 0n, type: boolType }],
  ["exclude_user", { value: 0n, type: boolType }],
]);

/** The default of a field a struct literal of `struct` may omit, or undefined if required. */
export function structFieldDefault(struct: string, field: string): { readonly value: bigint; readonly type: Type } | undefined {
  return struct === perfOptionsStruct ? perfOptionDefaults.get(field) : undefined;
}

/** Which `perf_config` enum belongs to which `perf_type` value. */
export const perfConfigEnumOfType: ReadonlyMap<bigint, string> = new Map([
  [0n, "perf_hw_config"],
  [1n, "perf_sw_config"],
]);

/** Built-in types that exist only in user space (the loader's C defines them). */
export function isPerfUserspaceType(name: string): boolean {
  return name === perfOptionsStruct || name === perfAttachmentStruct;
}

export function isPerfAttachment(type: Type): boolean {
  return type.kind === "struct" && type.name === perfAttachmentStruct;
}

export function isPerfOptions(type: Type): boolean {
  return type.kind === "struct" && type.name === perfOptionsStruct;
}
