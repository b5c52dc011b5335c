//! Kernel helpers off-kernel, where an exact answer exists: a virtual clock
//! (`bpf_ktime_get_ns` advances 1 µs per read), seeded `bpf_get_prandom_u32`, the CPU
//! the run is on, the current task from the test's defaults (machine.ts `virtualTask`),
//! reads of memory the program can name (`bpf_probe_read_kernel` of a local or of the
//! packet, `bpf_skb_load_bytes`). Anything else is `NotExact`: the test is skipped with
//! the helper's name rather than given a guessed value.

import type * as ir from "../ir.js";
import type { Span } from "../source.js";
import { NotExact } from "./faults.js";
import { asInt, newMem, type Mem, type Ptr, type Value } from "./memory.js";
import type { Type } from "../types.js";
import type { Evaluator, Location } from "./expressions.js";
import type { Frame } from "./frame.js";
import { virtualTask } from "./machine.js";

const EFAULT = -14n;

function pointer(v: Value | undefined): Ptr | undefined {
  return v !== undefined && typeof v !== "bigint" && v.kind === "ptr" && v.mem ? v : undefined;
}

/** Copies `size` bytes from `src` to `dst`; -EFAULT (and `dst` zeroed) when `src` is not readable memory. */
function probeRead(dst: Ptr | undefined, size: number, src: Ptr | undefined, what: string, span: Span): bigint {
  if (!dst) throw new NotExact(`\`${what}\` into memory the interpreter cannot name`, "the destination is not a local, global or map value", span);
  if (!src) {
    dst.mem!.bytes.fill(0, dst.off, dst.off + size);
    return EFAULT;
  }
  if (src.off < 0 || src.off + size > src.mem!.bytes.length) {
    throw new NotExact(`\`${what}\` past the end of ${src.mem!.label}`, "the kernel would read whatever memory lies there", span);
  }
  dst.mem!.bytes.set(src.mem!.bytes.subarray(src.off, src.off + size), dst.off);
  return 0n;
}

export function kernelHelper(ev: Evaluator, name: string, args: readonly Value[], _exprs: readonly ir.IrExpr[], frame: Frame, span: Span): Value {
  ev.m.step(span);
  switch (name) {
    case "bpf_ktime_get_ns": case "bpf_ktime_get_boot_ns": case "bpf_ktime_get_coarse_ns": case "bpf_ktime_get_tai_ns": return ev.m.now();
    case "bpf_get_prandom_u32": return ev.m.prandom();
    case "bpf_get_smp_processor_id": return BigInt(ev.cpu(frame));
    case "bpf_get_numa_node_id": return 0n;
    case "bpf_get_current_pid_tgid": return (virtualTask.tgid << 32n) | virtualTask.pid;
    case "bpf_get_current_uid_gid": return (virtualTask.gid << 32n) | virtualTask.uid;
    case "bpf_probe_read_kernel": case "bpf_probe_read": case "bpf_probe_read_user": {
      const size = Number(BigInt.asUintN(32, asInt(args[1])));
      return probeRead(pointer(args[0]), size, pointer(args[2]), name, span);
    }
    case "bpf_skb_load_bytes": {
      const packet = frame.run?.packet;
      const offset = Number(BigInt.asUintN(32, asInt(args[1])));
      const size = Number(BigInt.asUintN(32, asInt(args[3])));
      const dst = pointer(args[2]);
      if (!packet || !dst) throw new NotExact(`\`${name}\``, "the run has no packet the interpreter holds", span);
      // The kernel refuses a read past the packet's end with -EFAULT.
      if (offset + size > packet.bytes.length) return EFAULT;
      dst.mem!.bytes.set(packet.bytes.subarray(offset, offset + size), dst.off);
      return 0n;
    }
    case "bpf_rcu_read_lock": case "bpf_rcu_read_unlock": return 0n;
    case "bpf_xdp_adjust_head": case "bpf_xdp_adjust_tail": return adjustPacket(ev, name, asInt(args[1]), frame, span);
    default:
      throw new NotExact(`kernel function \`${name}\``, "a kernel helper or kfunc the interpreter has no exact model of", span);
  }
}

/** `pid()`, `comm()`, `log2(v)`, `lin(v, …)` …: the task ones from the test's virtual task. */
export function tracingOp(ev: Evaluator, e: Extract<ir.IrExpr, { kind: "tracing" }>, frame: Frame): Value {
  const args = e.args.map((a) => ev.expr(a, frame));
  switch (e.op) {
    case "pid": return virtualTask.tgid;
    case "tid": return virtualTask.pid;
    case "uid": return virtualTask.uid;
    case "gid": return virtualTask.gid;
    case "ppid": return virtualTask.ppid;
    case "cgroupId": return virtualTask.cgroupId;
    case "comm": return ev.stringValue(virtualTask.comm, e.type);
    case "log2Bucket": {
      let v = BigInt.asUintN(64, asInt(args[0]));
      if (v === 0n) return 0n;
      let r = 0n;
      while (v > 0n) { v >>= 1n; r++; }
      return r;
    }
    case "linearBucket": {
      const [v, min, max, step] = args.map((a) => BigInt.asUintN(64, asInt(a))) as [bigint, bigint, bigint, bigint];
      if (v < min) return 0n;
      if (step === 0n) throw new NotExact("`lin()` with a step of 0", "the bucket is a division by the step", e.span);
      if (v >= max) return BigInt.asUintN(32, (max - min + step - 1n) / step + 1n);
      return BigInt.asUintN(32, (v - min) / step + 1n);
    }
    case "kernelStack": case "userStack": case "printKernelStack": case "printUserStack":
      throw new NotExact(`\`${e.op}\``, "stacks are the kernel's", e.span);
    case "recordStats": return recordStats(ev, e, args, frame);
  }
}

/** Room before the frame a test run leaves (XDP_PACKET_HEADROOM) minus the kernel's `struct xdp_frame`. */
const xdpHeadroom = 256 - 40;

/**
 * `bpf_xdp_adjust_head(ctx, delta)` / `bpf_xdp_adjust_tail(ctx, delta)`: the frame grows
 * (zeroed bytes, as the test run's buffer is) or shrinks at its start or end; at least an
 * Ethernet header must remain, else -EINVAL. Pointers into the old frame are stale (the
 * verifier makes the program check again); `ctx.data`/`data_end` point into the new one.
 */
function adjustPacket(ev: Evaluator, name: string, delta: bigint, frame: Frame, span: Span): bigint {
  const run = frame.run;
  const packet = run?.packet;
  const context = run?.context;
  if (!run || !packet || typeof context === "bigint" || context?.kind !== "kobj" || run.kind !== "xdpPacket") {
    throw new NotExact(`\`${name}\``, "only XDP runs are modelled", span);
  }
  const d = Number(BigInt.asIntN(32, delta));
  const head = name === "bpf_xdp_adjust_head";
  const length = packet.bytes.length + (head ? -d : d);
  if (length < 14) return -22n;
  if (head && -d > xdpHeadroom - run.headroomUsed) throw new NotExact(`\`${name}(ctx, ${d})\``, "how much headroom the kernel leaves depends on its version", span);
  if (length > 3520 + 256) throw new NotExact(`\`${name}(ctx, ${d})\``, "how much tailroom the kernel leaves depends on its version", span);
  const bytes = new Uint8Array(length);
  if (head) {
    if (d >= 0) bytes.set(packet.bytes.subarray(d));
    else bytes.set(packet.bytes, -d);
    run.headroomUsed -= d;
  } else {
    bytes.set(packet.bytes.subarray(0, Math.min(length, packet.bytes.length)));
  }
  const next = { bytes, refs: new Map(), label: "the packet", packet: true as const };
  run.packet = next;
  context.fields.set("data", { kind: "ptr", mem: next, off: 0 });
  context.fields.set("data_end", { kind: "ptr", mem: next, off: length });
  if (context.fields.has("data_meta")) context.fields.set("data_meta", { kind: "ptr", mem: next, off: 0 });
  ev.m.step(span);
  return 0n;
}

/**
 * `record(m, k, v)` of a `@stats` map (emit/tracing-c.ts `emitStatsRecord`): the entry is
 * created with the first sample (count 1, sum, min and max v), later samples add to count
 * and sum and move min and max; on the run's CPU for a per-CPU map.
 */
function recordStats(ev: Evaluator, e: Extract<ir.IrExpr, { kind: "tracing" }>, args: readonly Value[], frame: Frame): Value {
  const store = ev.m.map(e.map ?? "", e.span);
  const valueType = store.map.valueType;
  if (valueType.kind !== "struct") throw new NotExact("`record()`", "its map's value is not the @stats struct", e.span);
  const key = ev.m.bytesOf(store.map.keyType, ev.coerce(args[0]!, store.map.keyType));
  const v = BigInt.asUintN(64, asInt(args[1]));
  const cpu = ev.cpu(frame);
  const u64: Type = { kind: "int", bits: 64, signed: false };
  const field = (mem: Mem, name: string): Location => ({ kind: "mem", mem, off: ev.layouts.field(valueType.name, name).offset, type: u64 });
  let mem = frame.side === "kernel" ? store.lookup(key, cpu) : store.lookupAll(key)?.[0];
  if (!mem) {
    const first = newMem(ev.layouts.sizeOf(valueType), "stats");
    for (const [name, value] of [["count", 1n], ["sum", v], ["min", v], ["max", v]] as const) ev.write(field(first, name), value);
    if (store.update(key, { kind: "agg", bytes: first.bytes, refs: first.refs }, 1n, frame.side === "kernel" ? cpu : undefined) === 0n) return 0n;
    mem = frame.side === "kernel" ? store.lookup(key, cpu) : store.lookupAll(key)?.[0];
    if (!mem) return 0n;
  }
  const count = BigInt.asUintN(64, asInt(ev.read(field(mem, "count"))) + 1n);
  ev.write(field(mem, "count"), count);
  ev.write(field(mem, "sum"), BigInt.asUintN(64, asInt(ev.read(field(mem, "sum"))) + v));
  if (v < asInt(ev.read(field(mem, "min"))) || count === 1n) ev.write(field(mem, "min"), v);
  if (v > asInt(ev.read(field(mem, "max")))) ev.write(field(mem, "max"), v);
  return 0n;
}
