//! The record struct `kernelscript init tracepoint/syscalls/sys_(enter|exit)_NAME` writes
//! into `tracepoint.kh`: the system call's real argument names and types, from tracefs'
//! format file (BTF has only `trace_event_raw_sys_enter` with `args[6]`). The checker
//! accepts such a struct as the program's context (check/syscall-record.ts). It goes in
//! the `.ks`, not the `.kh`: a header declares kernel types, which the C side takes from
//! vmlinux.h, and the kernel has no C struct for one system call's record.

import {
  isPointerField, isStringField, parseTracepointFormat, syscallArguments, type TracepointField,
} from "../kernel/tracepoint-format.js";
import { safeName } from "./btf-render.js";

export interface SyscallRecord {
  /** The struct's name: `sys_enter_openat_args`, `sys_exit_openat_ret`. */
  readonly struct: string;
  /** Its declaration, ready for the `.kh`. */
  readonly declaration: string;
  /** The argument slots, with the KernelScript type each was given. */
  readonly fields: readonly SyscallSlot[];
}

export interface SyscallSlot {
  readonly name: string;
  /** The slot's type in the struct (8 bytes). */
  readonly type: string;
  /**
   * The argument's own type: the kernel stores an `int` zero-extended into its slot
   * (AT_FDCWD, -100, reads as 4294967196), so the value is the slot cast to this.
   */
  readonly valueType: string;
  readonly source: TracepointField;
}

/** The record struct of `event` from its format text; undefined when the text has no fields. */
export function syscallRecord(event: string, format: string): SyscallRecord | undefined {
  const all = parseTracepointFormat(format);
  if (!all.some((f) => f.name === "__syscall_nr")) return undefined;
  const fields = syscallArguments(all).map((source) => ({ name: safeName(source.name), type: slotType(source), valueType: valueType(source), source }));
  const struct = `${event}_${event.startsWith("sys_exit_") ? "ret" : "args"}`;
  const lines = [
    `// The record of \`syscalls/${event}\`, from tracefs (events/syscalls/${event}/format).`,
    "// Every argument is an 8-byte slot; pointers are addresses in the calling process, so\n// `str(ctx.NAME)` reads them with bpf_probe_read_user_str.",
    `struct ${struct} {`,
    "    common: u64,            // the kernel's trace_entry (tracepoint.kh): type, flags, preempt_count, pid",
    "    __syscall_nr: i32,",
    "    pad: i32,",
    ...fields.map((f) => `    ${f.name}: ${f.type},${" ".repeat(Math.max(1, 20 - f.name.length - f.type.length))}// ${f.source.cType}`),
    "}",
  ];
  return { struct, declaration: lines.join("\n"), fields };
}

/** A slot's type: `*u8` for a C string, `u64` for another address, else by signedness. */
function slotType(field: TracepointField): string {
  if (isStringField(field)) return "*u8";
  if (isPointerField(field)) return "u64";
  // tracefs marks every argument slot unsigned (an unsigned long); the C type says more.
  return /\bunsigned\b|^u(?:8|16|32|64)$|^size_t$|^umode_t$|^__u\d+$|^key_serial_t$/.test(field.cType) ? "u64" : "i64";
}

/** C types of system-call arguments narrower than their slot, by name. */
const narrowTypes: ReadonlyMap<string, string> = new Map([
  ["int", "i32"], ["unsigned int", "u32"], ["pid_t", "i32"], ["uid_t", "u32"], ["gid_t", "u32"],
  ["umode_t", "u16"], ["mode_t", "u32"], ["key_serial_t", "i32"], ["clockid_t", "i32"], ["timer_t", "i32"],
  ["qid_t", "u32"], ["rwf_t", "i32"], ["u32", "u32"], ["__u32", "u32"], ["short", "i16"], ["unsigned short", "u16"],
]);

function valueType(field: TracepointField): string {
  return narrowTypes.get(field.cType.replace(/\s+/g, " ")) ?? slotType(field);
}
