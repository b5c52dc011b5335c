//! A tracepoint's record as tracefs describes it (`events/CATEGORY/EVENT/format`), and
//! the layout of the system-call records (`syscalls/sys_enter_NAME`, `sys_exit_NAME`),
//! whose argument names and types are only there: BTF has one shared
//! `trace_event_raw_sys_enter` with `args[6]`. The CLI reads the text; this module only
//! parses it (no I/O).

/** One `field:TYPE NAME; offset:N; size:N; signed:N;` line of a format file. */
export interface TracepointField {
  readonly name: string;
  /** The C type as written (`const char *`, `int`, `umode_t`). */
  readonly cType: string;
  readonly offset: number;
  readonly size: number;
  readonly signed: boolean;
}

const fieldLine = /^\s*field:(.*?)\s*;\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d+);/;

/** The fields of a format file, in order; an empty list for text that is not one. */
export function parseTracepointFormat(text: string): TracepointField[] {
  const fields: TracepointField[] = [];
  for (const line of text.split("\n")) {
    const match = fieldLine.exec(line);
    if (!match) continue;
    // `const char * filename`, `unsigned long ret`, `char comm[16]`: the name is the last word.
    const declaration = match[1]!.replace(/\[[^\]]*\]\s*$/, "");
    const name = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(declaration)?.[1];
    if (!name) continue;
    fields.push({
      name,
      cType: declaration.slice(0, declaration.length - name.length).trim(),
      offset: Number(match[2]),
      size: Number(match[3]),
      signed: match[4] !== "0",
    });
  }
  return fields;
}

/** Byte offset of `__syscall_nr` and of the first argument slot in a system-call record. */
export const syscallNrOffset = 8;
export const syscallFirstSlot = 16;
export const syscallSlotSize = 8;

const syscallTarget = /^syscalls\/sys_(enter|exit)_[a-z0-9_]+$/;

/** Whether `category/event` is a system-call entry or exit tracepoint. */
export function isSyscallTracepoint(target: string): boolean {
  return syscallTarget.test(target);
}

/**
 * The per-syscall fields of a system-call record (its arguments, or `ret`): those after
 * `__syscall_nr`, each in an 8-byte slot.
 */
export function syscallArguments(fields: readonly TracepointField[]): TracepointField[] {
  return fields.filter((f) => f.offset >= syscallFirstSlot);
}

/** Whether a record field holds an address (`const char *`, `struct stat *`). */
export function isPointerField(field: TracepointField): boolean {
  return field.cType.includes("*");
}

/** Whether a record field holds a C string the caller passed (`const char *`, `char *`). */
export function isStringField(field: TracepointField): boolean {
  const compact = field.cType.replace(/\s+/g, "");
  return compact === "char*" || compact === "constchar*";
}
