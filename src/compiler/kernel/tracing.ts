//! The tracing built-ins as data (docs/language/tracing.md): what each one reads, the
//! helper the kernel provides for it, and where it may be called. The checker
//! (check/tracing-builtins.ts), lowering (lower/lower-tracing.ts) and the C emitter
//! (emit/tracing-c.ts) read these rows; no other code lists the built-ins.

import type { Type } from "../types.js";
import { i64, u32, u64, voidType } from "../types.js";

/**
 * What a built-in computes:
 * - `pidTgid` (upper / lower half): `bpf_get_current_pid_tgid()`;
 * - `uidGid` (lower / upper half): `bpf_get_current_uid_gid()`;
 * - `parentTgid`: `task->real_parent->tgid` of `bpf_get_current_task()`, read with
 *   `bpf_probe_read_kernel` and CO-RE offsets (any tracing program; no BTF pointer);
 * - `comm`: `bpf_get_current_comm()` into a `str(16)` (the kernel's TASK_COMM_LEN);
 * - `cgroupId`: `bpf_get_current_cgroup_id()`;
 * - `log2Bucket` / `linearBucket`: pure integer functions (both sides), the bucket
 *   index of a `@hist` / `@lhist` map (docs/language/tracing.md "Aggregations");
 * - `kernelStack` / `userStack`: `bpf_get_stackid(ctx, &ks_stacks, flags)`, an id of
 *   the generated `BPF_MAP_TYPE_STACK_TRACE` map (negative: the kernel's -errno);
 * - `recordStats`: `record(m, k, v)` adds `v` to the count/sum/min/max entry `k` of a
 *   `@stats` map (the map's generated `ks_record_<map>`);
 * - `printKernelStack` / `printUserStack`: user space prints a stack id's frames,
 *   symbolised (runtime-c/stacks.c: /proc/kallsyms; ELF symbols of the process's
 *   mapped files).
 */
export type TracingOp =
  | "pid" | "tid" | "uid" | "gid" | "ppid" | "comm" | "cgroupId"
  | "log2Bucket" | "linearBucket"
  | "kernelStack" | "userStack" | "printKernelStack" | "printUserStack"
  | "recordStats";

/**
 * Where a built-in may be called: `currentTask` ones in eBPF programs whose type
 * runs in a task's context (the program type's `currentTask` column) and in
 * `@helper`s (their callers decide; the verifier checks each); `programContext` ones
 * like those, but only in the program itself (the helper needs the program's context
 * pointer); `userSpace` ones in user space; `ebpf` ones in any eBPF code; `anywhere`
 * ones are plain computations.
 */
export type TracingPlace = "currentTask" | "programContext" | "userSpace" | "ebpf" | "anywhere";

export interface TracingBuiltin {
  readonly op: TracingOp;
  readonly place: TracingPlace;
  /** Integer arguments (`u64` unless `argumentTypes` says otherwise; constants where `constantArguments` says so). */
  readonly arguments: number;
  readonly argumentTypes?: readonly Type[];
  /** The first argument is a value; the rest must be constants (lhist's min, max, step). */
  readonly constantArguments: boolean;
  readonly result: Type;
  /** The kernel helper it calls (for the guide and the code-generation comment). */
  readonly helper: string | undefined;
}

/** `comm()` holds the kernel's `TASK_COMM_LEN` (16) bytes: 15 characters and a NUL. */
export const commLength = 16;

const task = (op: TracingOp, result: Type, helper: string): TracingBuiltin =>
  ({ op, place: "currentTask", arguments: 0, constantArguments: false, result, helper });

export const tracingBuiltins: ReadonlyMap<string, TracingBuiltin> = new Map([
  ["pid", task("pid", u32, "bpf_get_current_pid_tgid")],
  ["tid", task("tid", u32, "bpf_get_current_pid_tgid")],
  ["uid", task("uid", u32, "bpf_get_current_uid_gid")],
  ["gid", task("gid", u32, "bpf_get_current_uid_gid")],
  ["ppid", task("ppid", u32, "bpf_get_current_task")],
  // The kernel's 16-byte array ends in NUL (15 characters); str(16) has room for all of it.
  ["comm", task("comm", { kind: "str", size: commLength }, "bpf_get_current_comm")],
  ["cgroup_id", task("cgroupId", u64, "bpf_get_current_cgroup_id")],
  ["log2", { op: "log2Bucket", place: "anywhere", arguments: 1, constantArguments: false, result: u32, helper: undefined }],
  ["lin", { op: "linearBucket", place: "anywhere", arguments: 4, constantArguments: true, result: u32, helper: undefined }],
  ["kstack", { op: "kernelStack", place: "programContext", arguments: 0, constantArguments: false, result: i64, helper: "bpf_get_stackid" }],
  ["ustack", { op: "userStack", place: "programContext", arguments: 0, constantArguments: false, result: i64, helper: "bpf_get_stackid" }],
  // record(map, key, value): checked by check/aggregations.ts (the map is an argument).
  ["record", { op: "recordStats", place: "ebpf", arguments: 3, constantArguments: false, result: voidType, helper: undefined }],
  ["print_kstack", { op: "printKernelStack", place: "userSpace", arguments: 1, argumentTypes: [i64], constantArguments: false, result: voidType, helper: undefined }],
  ["print_ustack", { op: "printUserStack", place: "userSpace", arguments: 2, argumentTypes: [i64, u32], constantArguments: false, result: voidType, helper: undefined }],
]);

/** The fields of a `@stats` map's value struct, all `u64`. */
export const statsFields = ["count", "sum", "min", "max"] as const;

/** The generated stack map: at most this many distinct stacks (bpftrace's default is 4096 too). */
export const stackMapEntries = 4096;
/** Frames kept per stack: the kernel's default `sysctl kernel.perf_event_max_stack` (127). */
export const stackDepth = 127;
/** `BPF_F_USER_STACK`: bpf_get_stackid's flag for the user-space stack. */
export const userStackFlag = 0x100;

/**
 * Which helper reads a string through a pointer: `str(p)` chooses by where `p` came
 * from (`user`: a system call's argument; `kernel`: a kernel object's field),
 * `ustr(p)`/`kstr(p)` say it. `dataLoc`: a tracepoint record's `__data_loc` field,
 * read from the record itself.
 */
export type StringSource = "user" | "kernel" | "dataLoc";

export const stringReadHelpers: Readonly<Record<StringSource, string>> = {
  user: "bpf_probe_read_user_str",
  kernel: "bpf_probe_read_kernel_str",
  dataLoc: "bpf_probe_read_kernel_str",
};

/** The string-reading built-ins and the source each one fixes (`str` decides by provenance). */
export const stringReadBuiltins: ReadonlyMap<string, StringSource | "provenance"> = new Map([
  ["str", "provenance"],
  ["ustr", "user"],
  ["kstr", "kernel"],
]);

/** Capacity of `str(p)` without a size: bpftrace's default string size (64). */
export const defaultStringRead = 64;

/**
 * Tracepoint records whose pointer fields hold user addresses: the system-call entry
 * record's `args` (syscalls/sys_enter_*), whose pointers the calling process passed.
 */
export const userPointerFields: ReadonlyMap<string, readonly string[]> = new Map([
  ["trace_event_raw_sys_enter", ["args"]],
]);

/**
 * A `__data_loc` field `NAME` is stored in the record as `__data_loc_NAME`, a u32 whose
 * low 16 bits are the offset of the bytes from the record's start and high 16 bits
 * their length (the kernel's `__get_str`).
 */
export const dataLocPrefix = "__data_loc_";
