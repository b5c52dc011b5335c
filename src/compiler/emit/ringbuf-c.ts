//! C for ring buffer operations and heap objects, on either side.
//!
//! eBPF: records use `bpf_ringbuf_reserve`/`_submit`/`_discard` (kernel 5.8), not the
//! dynptr variants (5.19): our records are fixed-size structs, so the plain API gives a
//! typed pointer whose fields are written with ordinary stores, the verifier tracks it
//! as a reference exactly like the compiler does, and it runs on older kernels.
//! Objects use the kfuncs `bpf_obj_new_impl`/`bpf_obj_drop_impl` (6.2), declared here
//! because libbpf 1.1 ships no `bpf_experimental.h`.
//! User space: `new` is `calloc`, `delete` is `free`; handlers and `dispatch` go through
//! the ring buffer runtime (userspace/ringbufs.ts).

import { someExpression, someStatement } from "../ir-walk.js";
import type * as ir from "../ir.js";
import { cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { functionName, ringbufHandlerName, ringbufBitName, ringbufReserveName } from "../names.js";

export type Side = "kernel" | "user";


export function ringbufExpression(side: Side, e: Extract<ir.IrExpr, { kind: "ringbufReserve" | "objectNew" | "dispatch" }>, expr: (e: ir.IrExpr) => string): string {
  switch (e.kind) {
    case "ringbufReserve": {
      const record = e.type.kind === "pointer" ? cTypeName(e.type.target) : "void";
      return `((${record} *)${ringbufReserveName(e.map)}(sizeof(${record})))`;
    }
    case "objectNew":
      return side === "kernel" ? `ks_obj_new(${cTypeName(e.of)})` : `((${cTypeName(e.of)} *)calloc(1, sizeof(${cTypeName(e.of)})))`;
    case "dispatch":
      // A timeout in ns (u64) is capped to what the C takes; none is -1.
      return `ks_dispatch(${e.maps.map(ringbufBitName).join(" | ")}, ${e.timeout ? `ks_timeout_ns(${expr(e.timeout)})` : "-1"})`;
  }
}

export function ringbufStatement(side: Side, s: Extract<ir.IrStmt, { kind: "ringbufRelease" | "objectDelete" | "onEvent" }>, expr: (e: ir.IrExpr) => string): string {
  switch (s.kind) {
    case "ringbufRelease": {
      const release = `bpf_ringbuf_${s.op}(${expr(s.record)}, 0);`;
      // Nothing was reserved when the record is null: nothing to release (W0254).
      return s.ifReserved ? `if (${expr(s.record)}) ${release}` : release;
    }
    // Deleting null does nothing, as `free(NULL)`: the verifier refuses a drop of a
    // pointer it has not seen tested, so the kernel side tests it.
    case "objectDelete": return side === "kernel" ? `if (${expr(s.pointer)}) bpf_obj_drop_impl(${expr(s.pointer)}, NULL);` : `free(${expr(s.pointer)});`;
    case "onEvent": return `${ringbufHandlerName(s.map)} = ${functionName(s.handler)};`;
  }
}

/** Whether any kernel-side function allocates or frees objects. */
export function usesKernelObjects(module: ir.IrModule): boolean {
  return [...module.programs, ...module.helpers].some((fn) =>
    someStatement(fn.body, (s) => s.kind === "objectDelete") || someExpression(fn.body, (e) => e.kind === "objectNew"));
}

/** The declarations `ks_obj_new`/`bpf_obj_drop_impl` need in NAME.bpf.c. */
export function emitObjectKfuncs(w: CWriter): void {
  w.line("#include <bpf/bpf_core_read.h>");
  w.comment("Objects (`new`/`delete`): kernel kfuncs (6.2+); libbpf 1.1 ships no bpf_experimental.h.");
  w.line("extern void *bpf_obj_new_impl(__u64 local_type_id__k, void *meta__ign) __ksym;");
  w.line("extern void bpf_obj_drop_impl(void *kptr, void *meta__ign) __ksym;");
  w.comment("A zeroed object of TYPE (the kernel's allocator may hand out reused memory).");
  w.line("#define ks_obj_new(TYPE) ({ \\");
  w.line("\tTYPE *__ks_obj = bpf_obj_new_impl(bpf_core_type_id_local(TYPE), NULL); \\");
  w.line("\tif (__ks_obj) __builtin_memset(__ks_obj, 0, sizeof(TYPE)); \\");
  w.line("\t__ks_obj; })");
}
