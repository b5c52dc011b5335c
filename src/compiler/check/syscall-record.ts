//! A user struct as the record of a system-call tracepoint (`syscalls/sys_enter_NAME`,
//! `sys_exit_NAME`). BTF has only the shared `trace_event_raw_sys_enter` with `args[6]`;
//! the real argument names and types are in tracefs' format file. A program may name
//! them with its own struct laid out like the record: an 8-byte header, `__syscall_nr:
//! i32` at byte 8, then 8-byte slots from byte 16 (E1395, E1396), checked against the
//! format when the Host can read it (E1397). Its pointer fields are addresses the calling
//! process passed, so `str(ctx.filename)` reads user memory (`isSyscallEntryRecord`).

import * as tracing from "../diagnostics/catalog/types-tracing.js";
import {
  isPointerField, parseTracepointFormat, syscallArguments, syscallFirstSlot, syscallNrOffset, syscallSlotSize,
} from "../kernel/tracepoint-format.js";
import type { Span } from "../source.js";
import { alignOf, sizeOf, typeToString, type StructLayout } from "../types.js";
import type { CheckContext } from "./context.js";

/** Structs used as the record of a `sys_enter_*` program, per compilation. */
const entryRecords = new WeakMap<CheckContext, Set<string>>();

/** Whether `struct` is the record of a system-call entry: its pointers are user addresses. */
export function isSyscallEntryRecord(ctx: CheckContext, struct: string): boolean {
  return entryRecords.get(ctx)?.has(struct) ?? false;
}

/**
 * Checks the user struct `layout`, the context of the program on `target`
 * (`syscalls/sys_(enter|exit)_NAME`), against the record's layout and tracefs' format.
 */
export function checkSyscallRecord(ctx: CheckContext, layout: StructLayout, target: string, typeSpan: Span): void {
  const event = target.slice(target.indexOf("/") + 1);
  if (event.startsWith("sys_enter_")) {
    let set = entryRecords.get(ctx);
    if (!set) entryRecords.set(ctx, (set = new Set()));
    set.add(layout.name);
  }
  const decl = ctx.structDecls.get(layout.name);
  const fieldSpan = (index: number): Span => decl?.fields[index]?.name.span ?? typeSpan;
  const offsets = fieldOffsets(ctx, layout);
  const nr = layout.fields.findIndex((f) => f.name === "__syscall_nr");
  if (nr < 0) {
    ctx.diags.report(tracing.syscallRecordHeader, typeSpan, layout.name, { kind: "noSyscallNr" });
    return;
  }
  const nrType = layout.fields[nr]!.type;
  if (!(nrType.kind === "int" && nrType.bits === 32 && nrType.signed)) {
    ctx.diags.report(tracing.syscallRecordHeader, fieldSpan(nr), layout.name, { kind: "syscallNrType", found: typeToString(nrType) });
    return;
  }
  if (offsets[nr] !== syscallNrOffset) {
    ctx.diags.report(tracing.syscallRecordHeader, fieldSpan(nr), layout.name, { kind: "syscallNrOffset", offset: offsets[nr]! });
    return;
  }
  const format = ctx.inputs.host.readTracepointFormat?.("syscalls", event);
  const expected = format === undefined ? undefined : syscallArguments(parseTracepointFormat(format));
  let slot = 0;
  for (let index = nr + 1; index < layout.fields.length; index++) {
    const field = layout.fields[index]!;
    const offset = offsets[index]!;
    const size = sizeOf(field.type, ctx.tables);
    // Padding up to the first slot (`pad: i32` after `__syscall_nr`) belongs to the header.
    if (offset + size <= syscallFirstSlot) continue;
    if (size !== syscallSlotSize || offset !== syscallFirstSlot + slot * syscallSlotSize) {
      ctx.diags.report(tracing.syscallRecordSlot, fieldSpan(index), field.name, offset, size);
      return;
    }
    if (expected !== undefined) {
      const wanted = expected[slot];
      if (!wanted) {
        ctx.diags.report(tracing.syscallRecordField, fieldSpan(index), field.name, { kind: "extra", event, count: expected.length });
        return;
      }
      if (wanted.name !== field.name && `${wanted.name}_` !== field.name) {  // `type_`: a keyword renamed by init
        ctx.diags.report(tracing.syscallRecordField, fieldSpan(index), field.name, { kind: "name", expected: wanted.name });
      } else if (isPointerField(wanted) && field.type.kind !== "pointer" && !(field.type.kind === "int" && !field.type.signed)) {
        ctx.diags.report(tracing.syscallRecordField, fieldSpan(index), field.name, { kind: "pointer", expected: wanted.cType });
      }
    }
    slot++;
  }
}

/** Each field's byte offset, laid out as C does (the struct's emitted C has the same). */
function fieldOffsets(ctx: CheckContext, layout: StructLayout): number[] {
  let size = 0;
  return layout.fields.map((f) => {
    const align = alignOf(f.type, ctx.tables);
    const offset = Math.ceil(size / align) * align;
    size = offset + sizeOf(f.type, ctx.tables);
    return offset;
  });
}

