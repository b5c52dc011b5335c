//! C of the tracing built-ins (kernel/tracing.ts, lower/lower-tracing.ts).
//!
//! - The current task: one helper call each (`pid()` is the upper half of
//!   `bpf_get_current_pid_tgid()`, the thread-group id users call the pid; `tid()` the
//!   lower half); `ppid()` is `ks_current_ppid()`, two `bpf_probe_read_kernel` reads of
//!   `task->real_parent->tgid` at CO-RE offsets (`__builtin_preserve_access_index`), so
//!   it works in every tracing program type without a trusted BTF pointer; `comm()` fills
//!   a zeroed `str(16)` with `bpf_get_current_comm`.
//! - `str(p, N)`: a zeroed `str(N)` filled by `bpf_probe_read_{user,kernel}_str` with at
//!   most N + 1 bytes (the text and its NUL); on a fault the string stays empty. A
//!   `__data_loc` field is read from the record: the low 16 bits of `__data_loc_NAME` are
//!   the offset of its bytes from the record's start.
//! - `log2(v)` / `lin(v, min, max, step)`: the bucket functions of histograms, for both
//!   sides, as `ks_log2_bucket` / `ks_linear_bucket` (written only when used; no loop,
//!   so the verifier sees straight-line code).

import { someExpression, visitStatements } from "../ir-walk.js";
import type * as ir from "../ir.js";
import { commLength, stackDepth, stackMapEntries, stringReadHelpers, userStackFlag } from "../kernel/tracing.js";
import { pasteRuntimeC } from "./userspace/runtime-c.js";
import { mapName, statsRecordName, stringStructName } from "../names.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";

type TracingExpr = Extract<ir.IrExpr, { kind: "tracing" }>;
type StringReadExpr = Extract<ir.IrExpr, { kind: "stringRead" }>;

/** The C of a `tracing` expression; `operand` renders an argument. */
export function tracingExpression(e: TracingExpr, operand: (x: ir.IrExpr) => string): string {
  switch (e.op) {
    case "pid": return "((__u32)(bpf_get_current_pid_tgid() >> 32))";
    case "tid": return "((__u32)bpf_get_current_pid_tgid())";
    case "uid": return "((__u32)bpf_get_current_uid_gid())";
    case "gid": return "((__u32)(bpf_get_current_uid_gid() >> 32))";
    case "ppid": return "ks_current_ppid()";
    case "cgroupId": return "((__u64)bpf_get_current_cgroup_id())";
    case "comm": {
      const struct = stringStructName(commLength);
      return `({ struct ${struct} ks_comm = {}; bpf_get_current_comm(ks_comm.data, ${commLength}); ks_comm; })`;
    }
    case "log2Bucket": return `ks_log2_bucket(${operand(e.args[0]!)})`;
    case "linearBucket": return `ks_linear_bucket(${e.args.map(operand).join(", ")})`;
    case "kernelStack": return `((__s64)bpf_get_stackid(${operand(e.args[0]!)}, &${stackMapName}, 0))`;
    case "userStack": return `((__s64)bpf_get_stackid(${operand(e.args[0]!)}, &${stackMapName}, 0x${userStackFlag.toString(16)}))`;
    case "printKernelStack": return `ks_print_kernel_stack(stdout, ${skeletonStackMap}, ${operand(e.args[0]!)})`;
    case "printUserStack": return `ks_print_user_stack(stdout, ${skeletonStackMap}, ${operand(e.args[0]!)}, ${operand(e.args[1]!)})`;
    case "recordStats": return `${statsRecordName(e.map!)}(${operand(e.args[0]!)}, ${operand(e.args[1]!)})`;
  }
}

/** The generated stack-trace map (one per object; only where a stack built-in is used). */
const stackMapName = "ks_stacks";
const skeletonStackMap = `ks_skel->maps.${stackMapName}`;

/** The C of a `stringRead` expression: a statement expression giving the filled string. */
export function stringReadExpression(e: StringReadExpr, operand: (x: ir.IrExpr) => string): string {
  if (e.type.kind !== "str") throw new Error("internal: a string read gives a str(N)");
  const struct = stringStructName(e.type.size);
  const helper = stringReadHelpers[e.source];
  const from = e.field === undefined ? `(const void *)(long)(${operand(e.address)})` : dataLocAddress(operand(e.address), e.field);
  return `({ struct ${struct} ks_read = {}; ${helper}(ks_read.data, sizeof(ks_read.data), ${from}); ks_read; })`;
}

/** The address of a `__data_loc` field's bytes: the record plus the low half of its descriptor. */
function dataLocAddress(record: string, field: string): string {
  return `(const void *)((const char *)(${record}) + ((${record})->__data_loc_${field} & 0xffff))`;
}

/** The tracing operations some function of `functions` performs. */
function tracingOps(functions: readonly ir.IrFunction[]): ReadonlySet<ir.TracingOp> {
  const ops = new Set<ir.TracingOp>();
  for (const fn of functions) {
    visitStatements(fn.body, { expression: (e) => { if (e.kind === "tracing") ops.add(e.op); } });
  }
  return ops;
}

/** Whether user code prints stacks of a declared `stack_trace` map (`m.print_kernel_stack(id)`). */
function printsStackMaps(functions: readonly ir.IrFunction[]): boolean {
  return functions.some((fn) => someExpression(fn.body, (e) => e.kind === "mapMethod" && (e.method === "print_kernel_stack" || e.method === "print_user_stack")));
}

const stackOps: readonly ir.TracingOp[] = ["kernelStack", "userStack", "printKernelStack", "printUserStack"];

/** Whether the module needs the stack map: some code on either side records or prints a stack. */
function usesStacks(module: ir.IrModule): boolean {
  const ops = tracingOps([...module.programs, ...module.helpers, ...module.userFunctions]);
  return stackOps.some((op) => ops.has(op));
}

/**
 * The helper functions the code of one side calls (eBPF: always inlined), the stack map
 * (eBPF) and the stack printers (user space: runtime-c/stacks.c).
 */
export function emitTracingHelpers(w: CWriter, side: "kernel" | "user", module: ir.IrModule, functions: readonly ir.IrFunction[]): void {
  const ops = tracingOps(functions);
  const use = { ppid: ops.has("ppid"), log2: ops.has("log2Bucket"), linear: ops.has("linearBucket") };
  const inline = side === "kernel" ? "static __always_inline" : "static inline";
  if (usesStacks(module) && side === "kernel") {
    w.comment("kstack()/ustack(): stack ids; user space reads the frames (print_kstack/print_ustack)");
    w.block("struct", () => {
      w.line("__uint(type, BPF_MAP_TYPE_STACK_TRACE);");
      w.line(`__uint(max_entries, ${stackMapEntries});`);
      w.line("__uint(key_size, sizeof(__u32));");
      w.line(`__uint(value_size, ${stackDepth} * sizeof(__u64));`);
    }, ` ${stackMapName} SEC(".maps");`);
    w.line();
  }
  if (side === "user" && (ops.has("printKernelStack") || ops.has("printUserStack") || printsStackMaps(functions))) pasteRuntimeC(w, "stacks");
  if (side === "kernel") for (const map of module.maps) emitStatsRecord(w, map);
  if (use.ppid && side === "kernel") {
    w.comment("ppid(): the current task's real parent's thread-group id, read at CO-RE offsets");
    w.block(`${inline} __u32 ks_current_ppid(void)`, () => {
      w.line("struct task_struct *task = (struct task_struct *)bpf_get_current_task();");
      w.line("struct task_struct *parent = 0;");
      w.line("int tgid = 0;");
      w.line("bpf_probe_read_kernel(&parent, sizeof(parent), __builtin_preserve_access_index(&task->real_parent));");
      w.line("if (parent) bpf_probe_read_kernel(&tgid, sizeof(tgid), __builtin_preserve_access_index(&parent->tgid));");
      w.line("return (__u32)tgid;");
    });
    w.line();
  }
  if (use.log2) {
    w.comment("log2(v): 0 for 0, else 1 + floor(log2(v)) (bucket k >= 1 holds [2^(k-1), 2^k))");
    w.block(`${inline} __u32 ks_log2_bucket(__u64 v)`, () => {
      w.line("if (v == 0) return 0;");
      w.line("__u32 r = 1;");
      for (const bits of [32, 16, 8, 4, 2, 1]) w.line(`if (v >> ${bits}) { v >>= ${bits}; r += ${bits}; }`);
      w.line("return r;");
    });
    w.line();
  }
  if (use.linear) {
    w.comment("lin(v, min, max, step): 0 below min, 1 + (v - min) / step in [min, max), the last bucket from max up");
    w.block(`${inline} __u32 ks_linear_bucket(__u64 v, __u64 min, __u64 max, __u64 step)`, () => {
      w.line("if (v < min) return 0;");
      w.line("if (v >= max) return (__u32)((max - min + step - 1) / step) + 1;");
      w.line("return (__u32)((v - min) / step) + 1;");
    });
    w.line();
  }
}

/**
 * `record(m, k, v)` of a `@stats` map: the entry is created with the first sample (an
 * array entry, always present, starts at count 0), then count and sum grow — atomically
 * on a shared map, plainly on a per-CPU one — and min/max follow (without a lock on a
 * shared map: concurrent samples may lose a min or max, never a count).
 */
function emitStatsRecord(w: CWriter, map: ir.IrMap): void {
  if (map.display?.kind !== "stats") return;
  const key = cDeclaration(map.keyType, "key");
  const value = cTypeName(map.valueType);
  const table = mapName(map.name);
  const perCpu = mapKinds[map.mapKind].perCpu;
  w.block(`static __always_inline __attribute__((unused)) void ${statsRecordName(map.name)}(${key}, __u64 v)`, () => {
    w.line(`${value} *s = bpf_map_lookup_elem(&${table}, &key);`);
    w.block("if (!s)", () => {
      w.line(`${value} first = {};`);
      w.line("first.count = 1;");
      w.line("first.sum = v;");
      w.line("first.min = v;");
      w.line("first.max = v;");
      w.line(`if (bpf_map_update_elem(&${table}, &key, &first, BPF_NOEXIST) == 0) return;`);
      w.line(`s = bpf_map_lookup_elem(&${table}, &key);`);
      w.line("if (!s) return;");
    });
    w.line(perCpu ? "s->count += 1;" : "__sync_fetch_and_add(&s->count, 1);");
    w.line(perCpu ? "s->sum += v;" : "__sync_fetch_and_add(&s->sum, v);");
    w.line("if (v < s->min || s->count == 1) s->min = v;");
    w.line("if (v > s->max) s->max = v;");
  });
  w.line();
}
