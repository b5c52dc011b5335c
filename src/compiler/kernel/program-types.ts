//! The program-type catalogue: which attribute makes which kind of eBPF program, its
//! context and return types, and its libbpf section name. Data, not if-chains.

import type { Type } from "../types.js";
import { i32 } from "../types.js";

/** `ksyscall`: a kprobe on a system call's architecture wrapper (kernel/syscalls.ts). */
export type ProgramType = "xdp" | "tc" | "tracepoint" | "raw_tracepoint" | "tp_btf" | "probe" | "kprobe" | "ksyscall" | "perf_event" | "struct_ops";

export interface ProgramTypeInfo {
  readonly attribute: string;
  readonly programType: ProgramType;
  /** The struct the context parameter points to (`xdp_md`), or undefined if free-form. */
  readonly contextStruct: string | undefined;
  /**
   * For types whose context depends on the target (tracepoints): the struct the kernel
   * passes for `target`, checked against the kernel's BTF when it is available.
   */
  readonly contextForTarget?: (target: string) => string;
  /** What a well-formed attribute argument looks like, or undefined if any string goes. */
  readonly targetFormat?: { readonly pattern: RegExp; readonly description: string; readonly example: string };
  /** What the program returns, for the signature check and the help text. */
  readonly returnType: Type;
  /** Human spelling of the expected signature, for diagnostics. */
  readonly signature: string;
  /** Whether the attribute takes a string argument (`@tc("ingress")`). */
  readonly argument: "none" | "required";
  /** The libbpf section name (known to libbpf 1.1 and bpftool 7.1). */
  readonly section: (target: string | undefined) => string;
  /** Whether code generation for this type exists yet. */
  readonly implemented: boolean;
}

const xdpAction: Type = { kind: "enum", name: "xdp_action", origin: "kernel" };

export const programTypes: readonly ProgramTypeInfo[] = [
  {
    attribute: "xdp",
    programType: "xdp",
    contextStruct: "xdp_md",
    returnType: xdpAction,
    signature: "fn NAME(ctx: *xdp_md) -> xdp_action",
    argument: "none",
    section: () => "xdp",
    implemented: true,
  },
  {
    attribute: "tc",
    programType: "tc",
    contextStruct: "__sk_buff",
    returnType: i32,
    signature: "fn NAME(ctx: *__sk_buff) -> i32",
    argument: "required",
    // libbpf 1.1 knows `tc` (and `classifier`); `tc/ingress` needs libbpf 1.3. The
    // direction is decided when attaching.
    section: () => "tc",
    implemented: true,
  },
  {
    attribute: "tracepoint",
    programType: "tracepoint",
    contextStruct: undefined,
    returnType: i32,
    signature: "fn NAME(ctx: *trace_event_raw_EVENT) -> i32",
    argument: "required",
    contextForTarget: tracepointRecordStruct,
    targetFormat: { pattern: /^[A-Za-z0-9_]+\/[A-Za-z0-9_]+$/, description: "a `category/event` name", example: '@tracepoint("sched/sched_switch")' },
    section: (target) => `tracepoint/${target ?? ""}`,
    implemented: true,
  },
  {
    attribute: "probe",
    programType: "probe",
    contextStruct: undefined,
    returnType: i32,
    signature: "fn NAME(ARGS OF THE KERNEL FUNCTION) -> i32",
    argument: "required",
    targetFormat: { pattern: /^[A-Za-z_][A-Za-z0-9_.]*(\+(0x[0-9a-fA-F]+|[0-9]+))?$/, description: "a kernel function name (optionally `+offset`)", example: '@probe("do_exit")' },
    // fentry (BTF trampoline) at a function's entry; a kprobe for an offset inside it.
    section: (target) => (target?.includes("+") ? `kprobe/${target}` : `fentry/${target ?? ""}`),
    implemented: true,
  },
  {
    attribute: "kprobe",
    programType: "kprobe",
    contextStruct: undefined,
    returnType: i32,
    signature: "fn NAME(ARGS OF THE KERNEL FUNCTION) -> i32",
    argument: "required",
    targetFormat: { pattern: /^[A-Za-z_][A-Za-z0-9_.]*(\+(0x[0-9a-fA-F]+|[0-9]+))?$/, description: "a kernel function name (optionally `+offset`)", example: '@kprobe("do_unlinkat")' },
    section: (target) => `kprobe/${target ?? ""}`,
    implemented: true,
  },
  {
    // Raw tracepoints without BTF: the tracepoint's arguments as plain `u64`s (pointers
    // are addresses, not typed kernel pointers), unpacked by BPF_PROG. The one tracing
    // type BPF_PROG_TEST_RUN can run: a test passes the arguments.
    attribute: "raw_tracepoint",
    programType: "raw_tracepoint",
    contextStruct: undefined,
    returnType: i32,
    signature: "fn NAME(ARGS OF THE TRACEPOINT, AS INTEGERS) -> i32",
    argument: "required",
    targetFormat: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, description: "a tracepoint event name without its category", example: '@raw_tracepoint("sched_switch")' },
    section: (target) => `raw_tp/${target ?? ""}`,
    implemented: true,
  },
  {
    // Raw BTF tracepoints: the arguments of the kernel's `btf_trace_<event>` prototype
    // (minus its leading `void *`), unpacked by BPF_PROG; attached through a link.
    attribute: "tp_btf",
    programType: "tp_btf",
    contextStruct: undefined,
    returnType: i32,
    signature: "fn NAME(ARGS OF THE TRACEPOINT) -> i32",
    argument: "required",
    targetFormat: { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, description: "a tracepoint event name without its category", example: '@tp_btf("sched_switch")' },
    section: (target) => `tp_btf/${target ?? ""}`,
    implemented: true,
  },
  {
    attribute: "perf_event",
    programType: "perf_event",
    contextStruct: "bpf_perf_event_data",
    returnType: i32,
    signature: "fn NAME(ctx: *bpf_perf_event_data) -> i32",
    argument: "none",
    section: () => "perf_event",
    implemented: true,
  },
];

/**
 * The record a tracepoint program receives: `trace_event_raw_<event>`, except that all
 * `syscalls/sys_enter_*` (and `sys_exit_*`) events share `trace_event_raw_sys_enter`
 * (`_sys_exit`), as in the kernel's trace event definitions.
 */
export function tracepointRecordStruct(target: string): string {
  const event = target.slice(target.indexOf("/") + 1);
  if (target.startsWith("syscalls/sys_enter_")) return "trace_event_raw_sys_enter";
  if (target.startsWith("syscalls/sys_exit_")) return "trace_event_raw_sys_exit";
  return `trace_event_raw_${event}`;
}

/** The IR program type for an attribute and its target (`@probe("f+8")` is a kprobe). */
export function programTypeFor(info: ProgramTypeInfo, target: string | undefined): ProgramType {
  return info.programType === "probe" && target?.includes("+") ? "kprobe" : info.programType;
}

export const programTypeByAttribute: ReadonlyMap<string, ProgramTypeInfo> = new Map(
  programTypes.map((info) => [info.attribute, info]),
);

/** Attributes that make a function something other than a program. */
export const functionRoleAttributes: ReadonlySet<string> = new Set(["helper", "kfunc", "private", "test"]);
