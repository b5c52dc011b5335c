//! C for the map kinds of check/map-kinds.ts and the ring-buffer drop count, on either
//! side: the `mapMethod` expressions, the eBPF map declarations of keyless kinds, the
//! ring-buffer reserve wrapper that counts drops, and the user-space helpers.
//!
//! eBPF: queues/stacks use `bpf_map_push_elem`/`_pop_elem`/`_peek_elem` (4.20), bloom
//! filters `bpf_map_push_elem`/`bpf_map_peek_elem` (5.16, `ks_test_<m>(value)`);
//! perf event arrays `bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, …)`.
//! A ring buffer `rb` gets `__u64 ks_dropped_<rb>` (in `.bss`, so user space reads it
//! through the skeleton) and `ks_reserve_<rb>()`, which adds one to it when
//! `bpf_ringbuf_reserve` finds the buffer full.
//!
//! User space (all `static`, after the loader runtime):
//!   bool   ks_queue_<q>_push(T value)                    false when full
//!   bool   ks_queue_<q>_take(T *value, bool remove)      pop (remove) or peek; false when empty
//!   __u64  ks_ringbuf_<rb>_dropped(void)                 records lost because the buffer was full
//!   V      ks_map_<m>_per_cpu(K key, __u32 cpu)          that CPU's slot (zero when absent)
//!   bool   ks_bloom_<m>_test(T value)                   false when surely absent

import type * as ir from "../ir.js";
import { visitStatements } from "../ir-walk.js";
import { typeToString } from "../types.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { cString } from "./c-code.js";
import { bloomTestName, cgroupStoreName, drainCallbackName, functionName, innerMapGetName, kernelOutputName, kernelPushName, kernelTestName, mapName, objectStorageName, perfDroppedName, queuePushName, queueTakeName, ringbufDroppedCounterName, ringbufDroppedName, ringbufReserveName, structPrinterName, taskStorageName, userMapFunctionName, userRingbufPushName } from "../names.js";
import { hasOperation, mapKinds } from "../kernel/map-kinds.js";
import { stackDepth, userStackFlag } from "../kernel/tracing.js";

type Side = "kernel" | "user";
type MapMethodExpr = Extract<ir.IrExpr, { kind: "mapMethod" }>;

export function mapMethodExpression(side: Side, e: MapMethodExpr, expr: (x: ir.IrExpr) => string): string {
  const args = e.args;
  if (side === "kernel") {
    switch (e.method) {
      case "push": return `${kernelPushName(e.map)}(${expr(args[0]!)})`;
      case "pop": return `(bpf_map_pop_elem(&${mapName(e.map)}, &${expr(args[0]!)}) == 0)`;
      case "peek": return `(bpf_map_peek_elem(&${mapName(e.map)}, &${expr(args[0]!)}) == 0)`;
      case "output": {
        const record = args[1]!;
        return `${kernelOutputName(e.map)}(${expr(args[0]!)}, ${record.type.kind === "pointer" ? `*${expr(record)}` : expr(record)})`;
      }
      case "test": return `${kernelTestName(e.map)}(${expr(args[0]!)})`;
      case "redirect": return redirectExpression(e, expr);
      case "inner_get": return `${innerMapGetName(e.map)}(${expr(args[0]!)}, ${expr(args[1]!)})`;
      case "storage_get": case "storage_create": {
        const storage = mapKinds[e.mapKind].storage!;
        const flags = e.method === "storage_create" ? "BPF_LOCAL_STORAGE_GET_F_CREATE" : "0";
        return `((${cTypeName(e.type)})${storage.getHelper}(&${mapName(e.map)}, ${expr(args[0]!)}, 0, ${flags}))`;
      }
      case "storage_delete":
        return `(${mapKinds[e.mapKind].storage!.deleteHelper}(&${mapName(e.map)}, ${expr(args[0]!)}) == 0)`;
      case "user_drain": {
        const handler = args[0]!;
        if (handler.kind !== "functionRef") throw new Error("internal: drain() without a handler reference");
        return `bpf_user_ringbuf_drain(&${mapName(e.map)}, ${drainCallbackName(e.map, handler.name)}, NULL, 0)`;
      }
      case "user_submit": throw new Error(`internal: ${e.map}.push() in eBPF code`);
      case "object_get": return `${objectStorageName(e.map, "get")}(${expr(args[0]!)})`;
      case "object_set": return `${objectStorageName(e.map, "set")}(${expr(args[0]!)}, ${expr(args[1]!)})`;
      case "object_remove": return `${objectStorageName(e.map, "remove")}(${expr(args[0]!)})`;
      case "task_get": return `${taskStorageName(e.map, "get")}()`;
      case "task_set": return `${taskStorageName(e.map, "set")}(${expr(args[0]!)})`;
      case "task_remove": return `${taskStorageName(e.map, "remove")}()`;
      case "kernel_stack": return `((__s64)bpf_get_stackid(${expr(args[0]!)}, &${mapName(e.map)}, 0))`;
      case "user_stack": return `((__s64)bpf_get_stackid(${expr(args[0]!)}, &${mapName(e.map)}, 0x${userStackFlag.toString(16)}))`;
      case "task_under_cgroup": return `((__s64)bpf_current_task_under_cgroup(&${mapName(e.map)}, ${expr(args[0]!)}))`;
      case "skb_under_cgroup": return `((__s64)bpf_skb_under_cgroup(${expr(args[0]!)}, &${mapName(e.map)}, ${expr(args[1]!)}))`;
      case "dropped": case "per_cpu": case "cpus": case "print": case "print_kernel_stack": case "print_user_stack": case "cgroup_store":
        throw new Error(`internal: ${e.map}.${e.method}() in eBPF code`);
    }
  }
  switch (e.method) {
    case "push": return `${queuePushName(e.map)}(${expr(args[0]!)})`;
    case "pop": case "peek":
      return `${queueTakeName(e.map)}(&${expr(args[0]!)}, ${e.method === "pop" ? "true" : "false"})`;
    case "dropped": return `${e.mapKind === "perf_event_array" ? perfDroppedName(e.map) : ringbufDroppedName(e.map)}()`;
    case "per_cpu": return `${userMapFunctionName(e.map, "per_cpu")}(${expr(args[0]!)}, ${expr(args[1]!)})`;
    case "cpus": return "((__u32)libbpf_num_possible_cpus())";
    case "test": return `${bloomTestName(e.map)}(${expr(args[0]!)})`;
    // The printer of the map (emit/userspace/maps.ts): entries, or the aggregation it is shown as.
    case "print": return `${userMapFunctionName(e.map, "print")}(stdout)`;
    // runtime-c/stacks.c, pasted for these (emit/tracing-c.ts).
    case "print_kernel_stack": return `ks_print_kernel_stack(stdout, ks_skel->maps.${mapName(e.map)}, ${expr(args[0]!)})`;
    case "print_user_stack": return `ks_print_user_stack(stdout, ks_skel->maps.${mapName(e.map)}, ${expr(args[0]!)}, ${expr(args[1]!)})`;
    case "user_submit": return `${userRingbufPushName(e.map)}(${expr(args[0]!)})`;
    case "cgroup_store": {
      // A literal path is a plain C string; a `str(N)` value passes its text.
      const path = args[1]!;
      return `${cgroupStoreName(e.map)}(${expr(args[0]!)}, ${path.kind === "string" ? cString(path.value) : `(${expr(path)}).data`})`;
    }
    case "output": case "redirect": case "inner_get": case "storage_get": case "storage_create": case "storage_delete":
    case "kernel_stack": case "user_stack": case "task_get": case "task_set": case "task_remove": case "user_drain":
    case "object_get": case "object_set": case "object_remove": case "task_under_cgroup": case "skb_under_cgroup":
      throw new Error(`internal: ${e.map}.${e.method}() in user space`);
  }
}

/**
 * `m.redirect(…)`: the helper the program type names, its result as the program's. A
 * devmap/cpumap/xskmap takes the key by value with the fallback action in the flags; a
 * sockmap takes the context and the index; a sockhash the context and a pointer to the key.
 */
function redirectExpression(e: MapMethodExpr, expr: (x: ir.IrExpr) => string): string {
  const helper = e.redirectHelper;
  if (helper === undefined) throw new Error(`internal: ${e.map}.redirect() without a helper`);
  const result = cTypeName(e.type);
  const map = `&${mapName(e.map)}`;
  switch (mapKinds[e.mapKind].redirect) {
    case "device": return `((${result})${helper}(${map}, ${expr(e.args[0]!)}, ${expr(e.args[1]!)}))`;
    case "socketIndex": return `((${result})${helper}(${expr(e.args[0]!)}, ${map}, ${expr(e.args[1]!)}, ${expr(e.args[2]!)}))`;
    case "socketKey":
      return `({ ${cDeclaration(e.keyType, "ks_redirect_key")} = ${expr(e.args[1]!)}; (${result})${helper}(${expr(e.args[0]!)}, ${map}, &ks_redirect_key, ${expr(e.args[2]!)}); })`;
    case undefined: throw new Error(`internal: ${e.mapKind} cannot redirect`);
  }
}

/** The `__type`/size lines of a map declaration, by the kind's `declaration` column. */
export function mapTypeLines(map: ir.IrMap): readonly string[] {
  switch (mapKinds[map.mapKind].declaration) {
    case "keyValue": return [`__type(key, ${cTypeName(map.keyType)});`, `__type(value, ${cTypeName(map.valueType)});`];
    // A ring buffer has no keys or values: max_entries is its size in bytes.
    case "sizeOnly": return [];
    // Keyless: the kernel wants key_size 0.
    case "valueOnly": return [`__type(value, ${cTypeName(map.valueType)});`];
    // The slots hold perf event fds; the record type only describes what is sent.
    case "fdSlots": return ["__uint(key_size, sizeof(__u32));", "__uint(value_size, sizeof(__u32));"];
    // The maps it holds, as libbpf's template of the inner map (the values are map fds).
    case "mapOfMaps": {
      const inner = map.inner;
      if (!inner) throw new Error(`internal: map of maps ${map.name} without its inner type`);
      return [
        `__type(key, ${cTypeName(map.keyType)});`,
        `__array(values, struct { __uint(type, ${mapKinds[inner.mapKind].bpfMapType}); __uint(max_entries, ${inner.maxEntries}); ` +
          `__type(key, ${cTypeName(inner.keyType)}); __type(value, ${cTypeName(inner.valueType)}); });`,
      ];
    }
    // Stack ids: each value holds `stackDepth` frame addresses (bpf_get_stackid fills them).
    case "stackTrace": return ["__uint(key_size, sizeof(__u32));", `__uint(value_size, ${stackDepth} * sizeof(__u64));`];
    // Local storage: the key is an fd of the object for user space (a pidfd), `int`.
    case "localStorage": return ["__type(key, int);", `__type(value, ${cTypeName(map.valueType)});`];
  }
}

/**
 * eBPF: `ks_push_<q>(value)` for queues and stacks, `ks_output_<m>(ctx, record)` for
 * perf event arrays, and the drop counter and counting reserve of each ring buffer.
 */
export function emitKernelMapKindHelpers(w: CWriter, module: ir.IrModule): void {
  for (const map of module.maps) {
    if (hasOperation(map.mapKind, "task_get")) emitTaskStorageHelpers(w, map);
    if (hasOperation(map.mapKind, "object_get")) emitObjectStorageHelpers(w, map);
    if (hasOperation(map.mapKind, "push")) {
      w.block(`static __always_inline __attribute__((unused)) bool ${kernelPushName(map.name)}(${cDeclaration(map.valueType, "value")})`, () => {
        w.line(`return bpf_map_push_elem(&${mapName(map.name)}, &value, 0) == 0;`);
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "test")) {
      // The value is the input: 0 when every hash's bit is set (may be present), -ENOENT otherwise.
      w.block(`static __always_inline __attribute__((unused)) bool ${kernelTestName(map.name)}(${cDeclaration(map.valueType, "value")})`, () => {
        w.line(`return bpf_map_peek_elem(&${mapName(map.name)}, &value) == 0;`);
      });
      w.line();
    }
    if (map.inner) {
      // `outer[k][i]`: the entry of the map stored at k, zero when either is absent.
      const value = map.inner.valueType;
      w.block(`static __always_inline __attribute__((unused)) ${cTypeName(value)} ${innerMapGetName(map.name)}(${cDeclaration(map.keyType, "key")}, ${cDeclaration(map.inner.keyType, "inner_key")})`, () => {
        w.line(`${cDeclaration(value, "value")};`);
        w.line("__builtin_memset(&value, 0, sizeof(value));");
        w.line(`void *inner = bpf_map_lookup_elem(&${mapName(map.name)}, &key);`);
        w.line("if (!inner) return value;");
        w.line(`${cTypeName(value)} *found = bpf_map_lookup_elem(inner, &inner_key);`);
        w.line("if (found) value = *found;");
        w.line("return value;");
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "output")) {
      w.block(`static __always_inline __attribute__((unused)) __s32 ${kernelOutputName(map.name)}(void *ctx, ${cDeclaration(map.valueType, "record")})`, () => {
        w.line(`return (__s32)bpf_perf_event_output(ctx, &${mapName(map.name)}, BPF_F_CURRENT_CPU, &record, sizeof(record));`);
      });
      w.line();
    }
  }
  const ringbufs = module.maps.filter((m) => mapKinds[m.mapKind].typeArguments === "ringbuf");
  if (ringbufs.length === 0) return;
  w.comment("Records lost because a ring buffer was full (reserve() returned NULL); read by user space.");
  for (const map of ringbufs) {
    w.line(`__u64 ${ringbufDroppedCounterName(map.name)} = 0;`);
    w.block(`static __always_inline __attribute__((unused)) void *${ringbufReserveName(map.name)}(__u64 size)`, () => {
      w.line(`void *record = bpf_ringbuf_reserve(&${mapName(map.name)}, size, 0);`);
      w.line(`if (!record) __sync_fetch_and_add(&${ringbufDroppedCounterName(map.name)}, 1);`);
      w.line("return record;");
    });
  }
  w.line();
}

/** User space: queue/stack, drop-count and per-CPU helpers. */
export function emitUserMapKindHelpers(w: CWriter, module: ir.IrModule): void {
  const loaded = "if (!ks_skel && ks_open_and_load() != 0) return";
  if (module.maps.some((m) => m.inner)) {
    w.comment("The fd of a map of this object (`outer[k] = m` stores it in a map of maps); loads the object first.");
    w.block("static KS_UNUSED __u32 ks_map_fd(const char *name)", () => {
      w.line(`${loaded} (__u32)-1;`);
      w.line("return (__u32)bpf_object__find_map_fd_by_name(ks_skel->obj, name);");
    });
    w.line();
  }
  for (const map of module.maps) {
    const fd = `bpf_map__fd(ks_skel->maps.${mapName(map.name)})`;
    if (hasOperation(map.mapKind, "push")) {
      w.comment("False when the map is full.");
      w.block(`static KS_UNUSED bool ${queuePushName(map.name)}(${cDeclaration(map.valueType, "pushed")})`, () => {
        w.line(`${loaded} false;`);
        w.line(`return bpf_map_update_elem(${fd}, NULL, &pushed, BPF_ANY) == 0;`);
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "cgroup_store")) emitCgroupStore(w, map, fd, loaded);
    if (hasOperation(map.mapKind, "user_submit")) {
      // Created on first use (the map's fd exists once loaded); false when the buffer is full.
      w.block(`static KS_UNUSED bool ${userRingbufPushName(map.name)}(${cDeclaration(map.valueType, "record")})`, () => {
        w.line("static struct user_ring_buffer *ring;");
        w.line(`${loaded} false;`);
        w.line(`if (!ring) ring = user_ring_buffer__new(${fd}, NULL);`);
        w.line("if (!ring) return false;");
        w.line("void *slot = user_ring_buffer__reserve(ring, sizeof(record));");
        w.line("if (!slot) return false;");
        w.line("memcpy(slot, &record, sizeof(record));");
        w.line("user_ring_buffer__submit(ring, slot);");
        w.line("return true;");
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "pop") || hasOperation(map.mapKind, "peek")) {
      const value = cDeclaration(map.valueType, "(*value)");
      w.comment(`${map.mapKind === "queue" ? "Oldest" : "Newest"} value: taken out (pop) or only read (peek); false when empty.`);
      w.block(`static KS_UNUSED bool ${queueTakeName(map.name)}(${value}, bool remove)`, () => {
        w.line(`${loaded} false;`);
        w.line(`int err = remove ? bpf_map_lookup_and_delete_elem(${fd}, NULL, value) : bpf_map_lookup_elem(${fd}, NULL, value);`);
        w.line("return err == 0;");
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "test")) {
      w.comment("False: the value was surely never pushed; true: it probably was.");
      w.block(`static KS_UNUSED bool ${bloomTestName(map.name)}(${cDeclaration(map.valueType, "tested")})`, () => {
        w.line(`${loaded} false;`);
        w.line(`return bpf_map_lookup_elem(${fd}, NULL, &tested) == 0;`);
      });
      w.line();
    }
    if (mapKinds[map.mapKind].userView === "nextValue") emitQueuePrinter(w, map);
    // A perf event array's losses are counted while its buffer is read (userspace/ringbufs.ts).
    if (hasOperation(map.mapKind, "dropped") && mapKinds[map.mapKind].typeArguments === "ringbuf") {
      w.block(`static KS_UNUSED __u64 ${ringbufDroppedName(map.name)}(void)`, () => {
        w.line(`${loaded} 0;`);
        w.line(`return __atomic_load_n(&ks_skel->bss->${ringbufDroppedCounterName(map.name)}, __ATOMIC_RELAXED);`);
      });
      w.line();
    }
    if (hasOperation(map.mapKind, "per_cpu")) {
      const size = `sizeof(${cTypeName(map.valueType)})`;
      w.comment("One CPU's slot of a per-CPU entry; zero when the entry or the CPU does not exist.");
      w.block(`static KS_UNUSED ${cTypeName(map.valueType)} ${userMapFunctionName(map.name, "per_cpu")}(${cDeclaration(map.keyType, "key")}, __u32 cpu)`, () => {
        w.line(`${cDeclaration(map.valueType, "value")};`);
        w.line(`memset(&value, 0, ${size});`);
        w.line(`if (!ks_skel && ks_open_and_load() != 0) return value;`);
        w.line("int cpus = libbpf_num_possible_cpus();");
        w.line("if (cpus <= 0 || cpu >= (__u32)cpus) return value;");
        w.line(`size_t slot = (${size} + 7) & ~(size_t)7;`);
        w.line("unsigned char *all = calloc((size_t)cpus, slot);");
        w.line("if (!all) return value;");
        w.line(`if (bpf_map_lookup_elem(${fd}, &key, all) == 0) memcpy(&value, all + (size_t)cpu * slot, ${size});`);
        w.line("free(all);");
        w.line("return value;");
      });
      w.line();
    }
  }
}

/** Default main: a queue or stack prints the value a pop would return next (peek). */
function emitQueuePrinter(w: CWriter, map: ir.IrMap): void {
  const header = `${map.name} (${map.mapKind}<${typeToString(map.valueType)}>)`;
  w.block(`static KS_UNUSED void ${userMapFunctionName(map.name, "print")}(FILE *out)`, () => {
    w.line(`${cDeclaration(map.valueType, "value")};`);
    w.block(`if (!ks_skel || !${queueTakeName(map.name)}(&value, false))`, () => {
      w.line(`fputs("${header}: empty\\n", out);`);
      w.line("return;");
    });
    w.line(`fputs("${header}: next = ", out);`);
    const t = map.valueType;
    if (t.kind === "struct") w.line(`${structPrinterName(t.name)}(out, &value);`);
    else if (t.kind === "int" && t.signed) w.line('fprintf(out, "%lld", (long long)value);');
    else if (t.kind === "bool") w.line('fputs(value ? "true" : "false", out);');
    else w.line('fprintf(out, "%llu", (unsigned long long)value);');
    w.line("fputc('\\n', out);");
  });
  w.line();
}

/** Maps the default main prints besides the key/value ones (queues and stacks: their next value). */
export function printsNextValue(map: ir.IrMap): boolean {
  return mapKinds[map.mapKind].userView === "nextValue";
}

/**
 * Task storage: the current task's value (`bpf_get_current_task_btf`, 5.11): get gives
 * zero when the task has none (no entry is created), set creates it, remove deletes it.
 */
function emitTaskStorageHelpers(w: CWriter, map: ir.IrMap): void {
  const value = cTypeName(map.valueType);
  const storage = `&${mapName(map.name)}`;
  w.block(`static __always_inline __attribute__((unused)) ${value} ${taskStorageName(map.name, "get")}(void)`, () => {
    w.line(`${value} *slot = bpf_task_storage_get(${storage}, bpf_get_current_task_btf(), 0, 0);`);
    w.line(`${value} none = {0};`);
    w.line("return slot ? *slot : none;");
  });
  w.line();
  w.block(`static __always_inline __attribute__((unused)) bool ${taskStorageName(map.name, "set")}(${cDeclaration(map.valueType, "value")})`, () => {
    w.line(`${value} *slot = bpf_task_storage_get(${storage}, bpf_get_current_task_btf(), 0, BPF_LOCAL_STORAGE_GET_F_CREATE);`);
    w.line("if (!slot) return false;");
    w.line("*slot = value;");
    w.line("return true;");
  });
  w.line();
  w.block(`static __always_inline __attribute__((unused)) bool ${taskStorageName(map.name, "remove")}(void)`, () => {
    w.line(`return bpf_task_storage_delete(${storage}, bpf_get_current_task_btf()) == 0;`);
  });
  w.line();
}

/**
 * The callbacks `bpf_user_ringbuf_drain` runs, one per (user ring buffer, handler) that
 * some `drain(handler)` names: copy the record out of the dynptr and call the handler
 * with a pointer to it (or the record); its result says whether to go on (0) or stop (1).
 * After the helpers (they call them), before the programs.
 */
export function emitDrainCallbacks(w: CWriter, module: ir.IrModule): void {
  const seen = new Set<string>();
  for (const fn of [...module.helpers, ...module.programs]) {
    visitStatements(fn.body, {
      expression: (e) => {
        if (e.kind !== "mapMethod" || e.method !== "user_drain" || e.args[0]?.kind !== "functionRef") return;
        const handler = e.args[0].name;
        const callback = drainCallbackName(e.map, handler);
        if (seen.has(callback)) return;
        seen.add(callback);
        const byPointer = module.helpers.find((h) => h.name === handler)?.params[0]?.type.kind === "pointer";
        w.block(`static long ${callback}(struct bpf_dynptr *dynptr, void *context)`, () => {
          w.line("(void)context;");
          w.line(`${cDeclaration(e.valueType, "record")};`);
          w.line("if (bpf_dynptr_read(&record, sizeof(record), dynptr, 0, 0) != 0) return 1;");
          w.line(`return ${functionName(handler)}(${byPointer ? "&record" : "record"});`);
        });
        w.line();
      },
    });
  }
}

/**
 * Inode (object) storage: the value kept for the object a pointer names, through the
 * row's helpers (`bpf_inode_storage_get`/`_delete`): get gives zero when it has none.
 */
function emitObjectStorageHelpers(w: CWriter, map: ir.IrMap): void {
  const value = cTypeName(map.valueType);
  const storage = `&${mapName(map.name)}`;
  const helpers = mapKinds[map.mapKind].storageHelpers;
  if (helpers === undefined) throw new Error(`internal: ${map.mapKind} has no storage helpers`);
  w.block(`static __always_inline __attribute__((unused)) ${value} ${objectStorageName(map.name, "get")}(void *object)`, () => {
    w.line(`${value} *slot = ${helpers}_get(${storage}, object, 0, 0);`);
    w.line(`${value} none = {0};`);
    w.line("return slot ? *slot : none;");
  });
  w.line();
  w.block(`static __always_inline __attribute__((unused)) bool ${objectStorageName(map.name, "set")}(void *object, ${cDeclaration(map.valueType, "value")})`, () => {
    w.line(`${value} *slot = ${helpers}_get(${storage}, object, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);`);
    w.line("if (!slot) return false;");
    w.line("*slot = value;");
    w.line("return true;");
  });
  w.line();
  w.block(`static __always_inline __attribute__((unused)) bool ${objectStorageName(map.name, "remove")}(void *object)`, () => {
    w.line(`return ${helpers}_delete(${storage}, object) == 0;`);
  });
  w.line();
}

/**
 * `m.set(slot, path)` of a cgroup array: the directory opened O_RDONLY|O_DIRECTORY, checked
 * to be on cgroup2 (statfs magic CGROUP2_SUPER_MAGIC), its fd stored at the slot; the kernel
 * keeps its own reference to the cgroup, so the fd is closed on every path. False, with a
 * line on stderr naming the path and why, when any step fails.
 */
function emitCgroupStore(w: CWriter, map: ir.IrMap, fd: string, loaded: string): void {
  w.line("#include <fcntl.h>");
  w.line("#include <sys/vfs.h>");
  w.block(`static KS_UNUSED bool ${cgroupStoreName(map.name)}(__u32 slot, const char *path)`, () => {
    w.line(`${loaded} false;`);
    w.line("int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);");
    w.block("if (dir < 0)", () => {
      w.line(`fprintf(stderr, "${map.name}.set(%u): cannot open %s: %s\\n", slot, path, strerror(errno));`);
      w.line("return false;");
    });
    w.line("struct statfs fs;");
    w.block("if (fstatfs(dir, &fs) != 0 || fs.f_type != 0x63677270 /* CGROUP2_SUPER_MAGIC */)", () => {
      w.line(`fprintf(stderr, "${map.name}.set(%u): %s is not a cgroup v2 directory (mount -t cgroup2 none DIR)\\n", slot, path);`);
      w.line("close(dir);");
      w.line("return false;");
    });
    w.line("__u32 value = (__u32)dir;");
    w.line(`int err = bpf_map_update_elem(${fd}, &slot, &value, BPF_ANY) != 0 ? errno : 0;`);
    w.line("close(dir);");
    w.block("if (err)", () => {
      w.line(`fprintf(stderr, "${map.name}.set(%u, %s): %s\\n", slot, path, strerror(err));`);
      w.line("return false;");
    });
    w.line("return true;");
  });
  w.line();
}
