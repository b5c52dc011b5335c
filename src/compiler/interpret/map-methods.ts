//! The methods of map kinds without `m[k]` (IR `mapMethod`): queue/stack/bloom-filter
//! `push`/`pop`/`peek`/`test`, perf event `output`, redirects through device/CPU maps with
//! the kernel's return values, per-CPU reads from user space; the rest (local storages,
//! stacks, cgroups) depend on kernel objects and say so.

import type * as ir from "../ir.js";
import { NotExact } from "./faults.js";
import { asInt, type Value } from "./memory.js";
import type { Evaluator } from "./expressions.js";
import type { Frame } from "./frame.js";
import { mapShape } from "./maps.js";
import { mapKinds } from "../kernel/map-kinds.js";

const XDP_REDIRECT = 4n;

export function mapMethod(ev: Evaluator, e: Extract<ir.IrExpr, { kind: "mapMethod" }>, frame: Frame): Value {
  const store = ev.m.map(e.map, e.span);
  switch (e.method) {
    case "push": {
      const value = ev.m.aggOf(e.valueType, ev.coerce(ev.expr(e.args[0]!, frame), e.valueType));
      const flags = e.args[1] ? asInt(ev.expr(e.args[1], frame)) : 0n;
      return store.push(value, flags) === 0n ? 1n : 0n;
    }
    case "pop": case "peek": {
      const target = ev.locate(e.args[0]!, frame);
      const value = store.take(e.method === "pop");
      if (!value) return 0n;
      ev.write(target, ev.m.valueOf(e.valueType, value.bytes.slice(), value.refs));
      return 1n;
    }
    case "test": {
      const value = ev.m.aggOf(e.valueType, ev.coerce(ev.expr(e.args[0]!, frame), e.valueType));
      if (mapShape(store.map.mapKind) === "bloom") return store.bloomContains(value) ? 1n : 0n;
      return store.items.length > 0 ? 1n : 0n;
    }
    case "output": {
      const recordExpr = e.args[e.args.length - 1]!;
      let record = ev.expr(recordExpr, frame);
      if (typeof record !== "bigint" && record.kind === "ptr") record = ev.read(ev.deref(record, e.valueType, e.span));
      const bytes = ev.m.bytesOf(e.valueType, record);
      const list = ev.m.records.get(e.map) ?? [];
      list.push({ bytes });
      ev.m.records.set(e.map, list);
      return 0n;
    }
    case "dropped": return store.dropped;
    case "cpus": return BigInt(ev.m.options.cpus);
    case "per_cpu": {
      const key = ev.m.bytesOf(store.map.keyType, ev.coerce(ev.expr(e.args[0]!, frame), store.map.keyType));
      const cpu = Number(BigInt.asUintN(32, asInt(ev.expr(e.args[1]!, frame))));
      const mem = store.lookupAll(key)?.[cpu];
      return mem ? ev.read({ kind: "mem", mem, off: 0, type: store.map.valueType }) : ev.zero(store.map.valueType);
    }
    case "redirect": {
      // bpf_redirect_map: XDP_REDIRECT when the slot holds a target, else the low bits of flags.
      const key = ev.coerce(ev.expr(e.args[0]!, frame), store.map.keyType);
      const flags = e.args[1] ? asInt(ev.expr(e.args[1], frame)) : 0n;
      const mem = store.lookup(ev.m.bytesOf(store.map.keyType, key), 0);
      const present = mem !== undefined && mem.bytes.some((b) => b !== 0);
      if (mapKinds[store.map.mapKind].offKernel?.redirectSlots === true) {
        return present ? XDP_REDIRECT : flags & 3n;
      }
      throw new NotExact(`\`${e.map}.redirect()\``, "redirecting to a socket needs the kernel's sockets", e.span);
    }
    case "print":
      throw new NotExact(`\`${e.map}.print()\``, "the interpreter does not print maps yet", e.span);
    case "inner_get": case "storage_get": case "storage_create": case "storage_delete":
    case "kernel_stack": case "user_stack": case "print_kernel_stack": case "print_user_stack":
    case "task_get": case "task_set": case "task_remove": case "user_submit": case "user_drain":
    case "object_get": case "object_set": case "object_remove": case "cgroup_store": case "task_under_cgroup": case "skb_under_cgroup":
      throw new NotExact(`\`${e.map}.${e.method}()\``, "it depends on kernel objects (tasks, sockets, cgroups, stacks, inner maps) the interpreter does not model", e.span);
  }
}
