//! The test side's calls (IR `testCall`): `test()`/`test_run()` run a program the way
//! BPF_PROG_TEST_RUN does for its type (which bytes the program sees, the context's
//! fields, what comes back), packet builder steps, record reads, user test contexts and
//! failed assertions with the test binary's wording (runtime-c/test-runtime.c).

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";
import { netfilterHookState } from "../kernel/testing.js";
import { programTypeInfo } from "../kernel/program-types.js";
import { InternalFault, NotExact, TailCalled, TestFailure } from "./faults.js";
import { type Agg, type KObj, type Mem, type Value, asAgg, asInt, load, newMem, readUint, store, toHex, writeUint } from "./memory.js";
import { defaultPacket, packetFrame, packetOf, packetStep, zeroPacket } from "./packets.js";
import type { Frame, RunState } from "./frame.js";
import type { Interpreter } from "./statements.js";
import { flowKeysLayout } from "./machine.js";

const u32: Type = { kind: "int", bits: 32, signed: false };
const ETH_HLEN = 14;

interface TestRunFields {
  readonly packet: Agg | undefined;
  readonly ingress_ifindex: bigint;
  readonly rx_queue_index: bigint;
  readonly ifindex: bigint;
  readonly mark: bigint;
  readonly priority: bigint;
  readonly repeat: bigint;
  readonly args: readonly bigint[];
}

function readTestRun(it: Interpreter, run: Agg): TestRunFields {
  const mem: Mem = { bytes: run.bytes, refs: new Map(run.refs), label: "TestRun" };
  const field = (name: string): { off: number; type: Type } => {
    const slot = it.layouts.field("TestRun", name);
    return { off: slot.offset, type: slot.type };
  };
  const int = (name: string): bigint => asInt(load(it.layouts, mem, field(name).off, field(name).type));
  const packet = asAgg(load(it.layouts, mem, field("packet").off, field("packet").type));
  const args = Array.from({ length: 12 }, (_, i) => readUint(run.bytes, field("args").off + 8 * i, 8));
  return {
    packet: readUint(packet.bytes, 0, 4) === 0n ? undefined : packet,
    ingress_ifindex: int("ingress_ifindex"), rx_queue_index: int("rx_queue_index"), ifindex: int("ifindex"),
    mark: int("mark"), priority: int("priority"), repeat: int("repeat"), args,
  };
}

function kobj(struct: string, fields: Record<string, Value>): KObj {
  return { kind: "kobj", struct, fields: new Map(Object.entries(fields)) };
}

/** An interface index a run may name off-kernel: the loopback device only. */
function checkInterface(ifindex: bigint, what: string, span: Span): void {
  if (ifindex !== 0n && ifindex !== 1n) {
    throw new NotExact(`\`${what}: ${ifindex}\``, "whether that interface exists depends on the machine (only 1, the loopback device, is the same everywhere)", span);
  }
}

interface Prepared {
  readonly state: RunState;
  /** The program's arguments (the context, or a raw tracepoint's values). */
  readonly args: (program: ir.IrProgram) => Value[];
  /** The bytes BPF_PROG_TEST_RUN gives back (`data_out`), or null for types without. */
  readonly dataOut: () => Uint8Array | null;
}

function prepare(it: Interpreter, program: ir.IrProgram, op: Extract<ir.TestOp, { kind: "run" }>, run: TestRunFields, span: Span): Prepared {
  const frame = run.packet ? packetFrame(run.packet) : packetFrame(defaultPacket(it.layouts));
  const cpu = it.m.options.cpu;
  const single = (context: Value) => (p: ir.IrProgram): Value[] => p.params.map((_, i) => (i === 0 ? context : 0n));
  const ptr = (mem: Mem, off: number): Value => ({ kind: "ptr", mem, off });
  const support = programTypeInfo[program.programType].testRun;
  switch (support.kind) {
    case "xdpPacket": {
      checkInterface(run.ingress_ifindex, "ingress_ifindex", span);
      if (run.rx_queue_index !== 0n) throw new NotExact(`\`rx_queue_index: ${run.rx_queue_index}\``, "the queues of an interface depend on the machine", span);
      const packet = newMem(frame.bytes.length, "the packet", true);
      packet.bytes.set(frame.bytes);
      const context = kobj("xdp_md", {
        data: ptr(packet, 0), data_end: ptr(packet, packet.bytes.length), data_meta: ptr(packet, 0),
        ingress_ifindex: 1n, rx_queue_index: 0n, egress_ifindex: 0n,
      });
      const state: RunState = { kind: "xdpPacket", packet, context, tailCalls: 0, cpu, headroomUsed: 0 };
      return { state, args: single(context), dataOut: () => state.packet!.bytes.slice() };
    }
    case "skbPacket": {
      if (support.view === "flowKeys") return prepareFlowDissector(program, frame, cpu);
      // The kernel copies ingress_ifindex as given (skb_iif, 0 by default); only ifindex names a device.
      checkInterface(run.ifindex, "ifindex", span);
      if (frame.bytes.length < ETH_HLEN) throw new TestFailure(`running program '${program.name}' failed: Invalid argument (the kernel refused the packet or context: check the TestRun fields and the packet size)`);
      // TC programs see the frame from its Ethernet header; the others from the network header.
      const l2 = support.view === "frame";
      const bytes = l2 ? frame.bytes : frame.bytes.subarray(ETH_HLEN);
      const packet = newMem(bytes.length, "the packet", true);
      packet.bytes.set(bytes);
      const protocol = BigInt(frame.bytes[12]! | (frame.bytes[13]! << 8));
      const context = kobj("__sk_buff", {
        len: BigInt(bytes.length), data: ptr(packet, 0), data_end: ptr(packet, bytes.length), data_meta: ptr(packet, 0),
        protocol, mark: run.mark, priority: run.priority, ingress_ifindex: run.ingress_ifindex,
        ifindex: run.ifindex === 0n ? 1n : run.ifindex, queue_mapping: 0n, vlan_present: 0n, vlan_tci: 0n, vlan_proto: 0n,
        tc_index: 0n, tc_classid: 0n,
      });
      const state: RunState = { kind: "skbPacket", packet, context, tailCalls: 0, cpu, headroomUsed: 0 };
      // The kernel gives the frame back from its link-layer header, zeroed where it had pulled it.
      return {
        state, args: single(context),
        dataOut: () => (l2 ? state.packet!.bytes.slice() : new Uint8Array([...new Uint8Array(ETH_HLEN), ...state.packet!.bytes])),
      };
    }
    case "netfilterPacket": {
      const hook = netfilterHookState(op.target ?? program.target ?? "");
      const family = hook.pf === 10 ? 6 : 4;
      if (frame.l3 && frame.l3 !== family) {
        throw new TestFailure(`running program '${program.name}': its hook is IPv${family}, the packet is IPv${frame.l3} (build it with .ipv${family}())`);
      }
      if (frame.bytes.length <= ETH_HLEN && hook.hook === 3) throw new TestFailure(`running program '${program.name}': a local_out packet needs an IP header after the Ethernet header`);
      const bytes = frame.bytes.subarray(ETH_HLEN);
      const packet = newMem(bytes.length, "the packet", true);
      packet.bytes.set(bytes);
      const context = kobj("bpf_nf_ctx", {
        state: kobj("nf_hook_state", { hook: BigInt(hook.hook), pf: BigInt(hook.pf) }),
        skb: kobj("sk_buff", { data: ptr(packet, 0), len: BigInt(bytes.length) }),
      });
      const state: RunState = { kind: "netfilterPacket", packet, context, tailCalls: 0, cpu, headroomUsed: 0 };
      return { state, args: single(context), dataOut: () => null };
    }
    case "rawArguments": {
      const argsAgg: Agg = { kind: "agg", bytes: new Uint8Array(96), refs: new Map() };
      run.args.forEach((a, i) => writeUint(argsAgg.bytes, 8 * i, 8, a));
      const context = kobj("bpf_raw_tracepoint_args", { args: argsAgg });
      const state: RunState = { kind: "rawArguments", packet: undefined, context, tailCalls: 0, cpu, headroomUsed: 0 };
      const args = (p: ir.IrProgram): Value[] => {
        if (p.params.length === 1 && p.params[0]!.type.kind === "pointer") return [context];
        return p.params.map((param, i) => it.coerce(run.args[i] ?? 0n, param.type));
      };
      return { state, args, dataOut: () => null };
    }
    case "unsupported":
      throw new NotExact(`a test run of a ${program.programType} program`, "the kernel has no test run for this program type", span);
  }
}

/** A flow dissector: the frame, and the flow keys the kernel starts it with (and gives back). */
function prepareFlowDissector(program: ir.IrProgram, frame: { readonly bytes: Uint8Array }, cpu: number): Prepared {
  const ptr = (mem: Mem, off: number): Value => ({ kind: "ptr", mem, off });
  const single = (context: Value) => (p: ir.IrProgram): Value[] => p.params.map((_, i) => (i === 0 ? context : 0n));
  if (frame.bytes.length < ETH_HLEN) throw new TestFailure(`running program '${program.name}' failed: Invalid argument (the kernel refused the packet or context: check the TestRun fields and the packet size)`);
  const packet = newMem(frame.bytes.length, "the packet", true);
  packet.bytes.set(frame.bytes);
  const keys = newMem(flowKeysLayout.size!, "flow_keys");
  writeUint(keys.bytes, 0, 2, BigInt(ETH_HLEN));
  writeUint(keys.bytes, 2, 2, BigInt(ETH_HLEN));
  keys.bytes[10] = frame.bytes[12]!;
  keys.bytes[11] = frame.bytes[13]!;
  const context = kobj("__sk_buff", { data: ptr(packet, 0), data_end: ptr(packet, packet.bytes.length), flow_keys: ptr(keys, 0) });
  const state: RunState = { kind: "skbPacket", packet, context, tailCalls: 0, cpu, headroomUsed: 0 };
  return {
    state, args: single(context),
    dataOut: () => {
      // The kernel clamps the offsets the program left into the frame.
      const len = packet.bytes.length;
      const nhoff = Math.min(Math.max(Number(readUint(keys.bytes, 0, 2)), ETH_HLEN), len);
      const thoff = Math.min(Math.max(Number(readUint(keys.bytes, 2, 2)), nhoff), len);
      writeUint(keys.bytes, 0, 2, BigInt(nhoff));
      writeUint(keys.bytes, 2, 2, BigInt(thoff));
      return keys.bytes.slice();
    },
  };
}

/** Runs `op.program` on `run` as BPF_PROG_TEST_RUN would; the return value and the bytes given back. */
export function runProgram(it: Interpreter, op: Extract<ir.TestOp, { kind: "run" }>, runValue: Agg, span: Span): { retval: bigint; dataOut: Uint8Array | null } {
  const entry = it.m.programs.get(op.program);
  if (!entry) throw new InternalFault(`program ${op.program} is not in the module`, span);
  const run = readTestRun(it, runValue);
  const prepared = prepare(it, entry, op, run, span);
  const repeat = programTypeInfo[entry.programType].testRun.kind === "rawArguments" || run.repeat === 0n ? 1n : run.repeat;
  let retval = 0n;
  for (let i = 0n; i < repeat; i++) {
    let program = entry;
    prepared.state.tailCalls = 0;
    for (;;) {
      try {
        retval = BigInt.asUintN(32, asInt(it.callFunction(program, prepared.args(program), "kernel", undefined, span, prepared.state)));
        break;
      } catch (error) {
        if (!(error instanceof TailCalled)) throw error;
        const next = it.m.programs.get(error.target);
        if (!next) throw new InternalFault(`tail call to unknown program ${error.target}`, span);
        program = next;
      }
    }
  }
  const dataOut = prepared.dataOut();
  it.m.ran++;
  it.m.runs.push({ program: op.program, retval: Number(retval), packet: dataOut === null ? null : toHex(dataOut) });
  return { retval, dataOut };
}

function formatValue(v: Value | undefined, type: Type | undefined, labels: Extract<ir.TestOp, { kind: "assertFailed" }>["labels"]): string {
  if (v === undefined || type === undefined) return "";
  if (type.kind === "bool") return v !== 0n ? "true" : "false";
  const n = typeof v === "bigint" ? v : 0n;
  const signed = type.kind === "int" ? type.signed : type.kind === "enum";
  const asLong = BigInt.asIntN(64, n);
  const label = labels?.find((l) => l.value === asLong);
  if (label) return `${label.name} (${asLong})`;
  return signed ? asLong.toString() : BigInt.asUintN(64, n).toString();
}

export function testCall(it: Interpreter, e: Extract<ir.IrExpr, { kind: "testCall" }>, frame: Frame): Value {
  const op = e.op;
  switch (op.kind) {
    case "run": {
      const runValue = asAgg(it.expr(e.args[0]!, frame));
      const { retval, dataOut } = runProgram(it, op, runValue, e.span);
      if (op.result === "retval") return it.coerce(retval, e.type);
      const result = newMem(it.layouts.sizeOf(e.type), "TestResult");
      store(it.layouts, result, it.layouts.field("TestResult", "retval").offset, u32, retval);
      store(it.layouts, result, it.layouts.field("TestResult", "packet").offset, { kind: "struct", name: "TestPacket", origin: "kernel" }, packetOf(dataOut ?? new Uint8Array()));
      writeUint(result.bytes, it.layouts.field("TestResult", "duration_ns").offset, 8, 1n);
      return { kind: "agg", bytes: result.bytes, refs: result.refs };
    }
    case "packet": {
      const args = e.args.map((a) => it.expr(a, frame));
      if (op.method === "eth") return packetStep(it.layouts, "eth", undefined, args[0] as Agg | undefined);
      return packetStep(it.layouts, op.method, asAgg(args[0]), args[1] as Agg | bigint | undefined);
    }
    case "records": {
      const store = it.m.map(op.map, e.span);
      const list = it.m.records.get(op.map) ?? [];
      const taken = recordsTaken.get(list) ?? 0;
      // Reading consumes: the ring has room again for what was read.
      store.ringUsed = 0;
      if (op.method === "pending") return BigInt(list.length - taken);
      const kind = store.map.mapKind === "perf_event_array" ? "perf event array" : "ring buffer";
      if (list.length === 0) throw new TestFailure(`${op.location}: ${op.map}.next(): no record in ${kind} '${op.map}' (none was submitted during this test)`);
      if (taken >= list.length) throw new TestFailure(`${op.location}: ${op.map}.next(): no unread record in ${kind} '${op.map}' (${taken} submitted during this test, all read)`);
      recordsTaken.set(list, taken + 1);
      return it.m.valueOf(e.type, list[taken]!.bytes.slice());
    }
    case "context": {
      const value = it.expr(e.args[0]!, frame);
      const struct = e.args[0]!.type;
      const run = newMem(it.layouts.sizeOf(e.type), "TestRun");
      const src = it.temporary(struct, value);
      for (const f of op.fields) {
        if (struct.kind !== "struct") break;
        const loc = it.fieldOf(src, struct, f.name, it.layouts.field(struct.name, f.name).type, e.span);
        const v = asInt(it.read(loc));
        switch (f.role.kind) {
          case "zeroPacket":
            store(it.layouts, run, it.layouts.field("TestRun", "packet").offset, { kind: "struct", name: "TestPacket", origin: "kernel" }, zeroPacket(v, `${op.struct}.${f.name}`));
            break;
          case "runField": {
            const slot = it.layouts.field("TestRun", f.role.field);
            store(it.layouts, run, slot.offset, slot.type, BigInt.asUintN(32, v));
            break;
          }
          case "unused": break;
        }
      }
      return { kind: "agg", bytes: run.bytes, refs: run.refs };
    }
    case "command": throw new NotExact(`\`run_command("${op.command}")\``, "it triggers events of attached programs in the kernel", e.span);
    case "assertFailed": {
      const args = e.args.map((a) => it.expr(a, frame));
      let message = `${op.location}: assertion failed: ${op.text}`;
      if (op.message !== undefined) message += `\n  ${op.message}`;
      if (op.operator !== undefined) {
        const left = formatValue(args[0], e.args[0]?.type, op.labels);
        const right = formatValue(args[1], e.args[1]?.type, op.labels);
        message += op.operator === "==" ? `\n  expected ${right}, got ${left}` : `\n  left:  ${left}\n  right: ${right}`;
      }
      throw new TestFailure(message);
    }
  }
}

/** How many records of each list the test has read. */
const recordsTaken = new WeakMap<object, number>();
