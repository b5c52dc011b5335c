//! E1340–E1379, W0310–W0319: the tracing built-ins (`pid()`, `comm()`, `str(p)`, …) and
//! the aggregation maps (`@hist`, `@lhist`, `@top`); docs/language/tracing.md.

import { defineError, defineWarning } from "../diagnostic.js";

export const currentTaskInUserSpace = defineError(
  "E1340",
  "current-task built-in in user space",
  "`pid()`, `tid()`, `uid()`, `gid()`, `ppid()`, `comm()` and `cgroup_id()` describe the task that caused an event, as eBPF tracing programs see it through the kernel's current-task helpers. User space has no such task: the loader's own process is not what a tool reports on.",
  (name: string) => ({
    message: `\`${name}()\` reads the task an eBPF program runs for; user space has none`,
    label: "only in eBPF code",
    help: `call \`${name}()\` in the tracing program and send the value to user space in a map or a ring-buffer record`,
  }),
);

export const currentTaskWrongProgram = defineError(
  "E1341",
  "current-task built-in in a program without a task",
  "The kernel gives the current-task helpers (`bpf_get_current_pid_tgid`, `bpf_get_current_comm`, …) only to programs that run in the context of the task that caused the event: tracepoints, raw and BTF tracepoints, probes, kprobes, system-call probes and perf events. XDP, TC, socket filters and struct_ops run wherever a packet or a callback arrives, and the verifier refuses these helpers there.",
  (name: string, label: string, allowed: readonly string[]) => ({
    message: `\`${name}()\` cannot be called in ${label} programs`,
    label: `the kernel refuses \`${name}()\`'s helper to ${label} programs`,
    help: `call it from a ${allowed.join(", ")} program`,
  }),
);

/** What is wrong with a bucket function's constant arguments (`lin(v, min, max, step)`). */
export type BucketProblem =
  | { readonly kind: "notConstant"; readonly index: number }
  | { readonly kind: "emptyRange"; readonly min: bigint; readonly max: bigint }
  | { readonly kind: "zeroStep" }
  | { readonly kind: "tooManyBuckets"; readonly buckets: bigint; readonly limit: number };

export const badBucketArguments = defineError(
  "E1342",
  "bad linear-histogram bounds",
  "`lin(value, min, max, step)` is the bucket index of a linear histogram (`@lhist(min, max, step)`): bucket 0 counts values below `min`, bucket `1 + (value - min) / step` those in `[min, max)`, and the last bucket values from `max` up. `min`, `max` and `step` are constants with `min < max`, `step > 0`, and at most 1000 buckets in the range.",
  (problem: BucketProblem) => {
    switch (problem.kind) {
      case "notConstant":
        return { message: `argument ${problem.index + 1} of \`lin\` must be a constant`, label: "known only at run time", help: "write the bound as an integer literal or a `const`" };
      case "emptyRange":
        return { message: `\`lin\`'s range is empty: min ${problem.min} is not below max ${problem.max}`, help: "give a `min` below `max`" };
      case "zeroStep":
        return { message: "`lin`'s step must be above 0", help: "give the width of one bucket" };
      case "tooManyBuckets":
        return { message: `\`lin\`'s range has ${problem.buckets} buckets, more than ${problem.limit}`, help: "use a wider step or a narrower range" };
    }
  },
);

/** What `str(p)` was given that is not a readable address. */
export type StringReadProblem =
  | { readonly kind: "notAddress"; readonly found: string }
  | { readonly kind: "badSize" ; readonly max: number }
  | { readonly kind: "userSpace" };

export const badStringRead = defineError(
  "E1343",
  "bad string read",
  "`str(p)` / `str(p, N)` (and `ustr`, `kstr`) copy a NUL-terminated string of at most N bytes (64 without N) from the address `p` into a `str(N)`, with `bpf_probe_read_user_str` or `bpf_probe_read_kernel_str`. `p` is a pointer, an integer address (a system call's `args[i]`) or a tracepoint record's `__data_loc` string field; N is a constant from 1 to 240 (the string and the copy the read gives live on the 512-byte eBPF stack). It is an eBPF built-in: user space reads its own memory directly.",
  (problem: StringReadProblem) => {
    switch (problem.kind) {
      case "notAddress":
        return { message: `\`str\` reads through an address, not a \`${problem.found}\``, label: "not a pointer or an address", help: "pass a pointer, an integer address such as `ctx.args[1]`, or a `__data_loc` field of the tracepoint record" };
      case "badSize":
        return { message: `the size of a string read is a constant from 1 to ${problem.max}`, help: "write the largest length you need as an integer literal" };
      case "userSpace":
        return { message: "`str(p)` reads kernel or user memory from eBPF code", label: "only in eBPF code", help: "user space reads strings it receives in records and maps directly" };
    }
  },
);

/** Why a map cannot be printed as an aggregation (`@hist`, `@lhist(…)`, `@top(N)`). */
export type AggregationProblem =
  | { readonly kind: "keyNotInteger"; readonly attribute: string; readonly key: string }
  | { readonly kind: "valueNotInteger"; readonly attribute: string; readonly value: string }
  | { readonly kind: "notKeyValue"; readonly attribute: string }
  | { readonly kind: "arguments"; readonly attribute: "hist" | "lhist" | "top" | "stats"; readonly maxTop: number }
  | { readonly kind: "statsValue"; readonly value: string }
  | { readonly kind: "twice" };

function aggregationArguments(attribute: "hist" | "lhist" | "top" | "stats", maxTop: number): string {
  switch (attribute) {
    case "hist": case "stats": return "no arguments";
    case "top": return `a constant count from 1 to ${maxTop}`;
    case "lhist": return "constants `min, max, step` with 0 <= min < max and step > 0 (the bounds `lin` is called with)";
  }
}

export const badAggregationMap = defineError(
  "E1344",
  "bad aggregation map",
  "`@hist`, `@lhist(min, max, step)`, `@top(N)` and `@stats` say how user space prints a map: a log2 or linear histogram whose key is the bucket index (`m[log2(v)] += 1`, `m[lin(v, min, max, step)] += 1`) or a struct with an integer field `bucket` (one histogram per value of the other fields: `m[Key { comm: comm(), bucket: log2(v) }] += 1`), or the N entries with the largest values, or (`@stats`, updated with `record(m, k, v)`) a struct of `u64` fields `count`, `sum`, `min` and `max` per key, printed with the average. The map is a key/value map (per-CPU ones are summed over CPUs) with integer values, a struct of those four for `@stats`. A map takes one of them.",
  (problem: AggregationProblem) => {
    switch (problem.kind) {
      case "keyNotInteger":
        return {
          message: `\`@${problem.attribute}\` needs integer bucket keys, this map's key is \`${problem.key}\``,
          help: "key the histogram by the bucket index (`u32`), or by a struct with an integer field `bucket` (one histogram per value of the other fields)",
        };
      case "valueNotInteger":
        return { message: `\`@${problem.attribute}\` prints integer counts, this map's value is \`${problem.value}\``, help: "count with an integer value (`+= 1`)" };
      case "notKeyValue":
        return { message: `\`@${problem.attribute}\` applies to key/value maps`, help: "declare a `hash`, `array` or their per-CPU kinds" };
      case "arguments":
        return {
          message: `\`@${problem.attribute}\` takes ${aggregationArguments(problem.attribute, problem.maxTop)}`,
          help: `write \`@${problem.attribute}${problem.attribute === "top" ? "(10)" : problem.attribute === "lhist" ? "(0, 100, 10)" : ""}\``,
        };
      case "statsValue":
        return {
          message: `\`@stats\` keeps a count, a sum, a minimum and a maximum per key; this map's value is \`${problem.value}\``,
          help: "declare `struct Stats { count: u64, sum: u64, min: u64, max: u64 }` (any name, these fields) as the value",
        };
      case "twice":
        return { message: "a map is printed one way: it has two aggregation attributes", help: "keep one of them" };
    }
  },
);

export const stackOutsideProgram = defineError(
  "E1345",
  "stack id outside a program",
  "`kstack()` and `ustack()` record the current kernel or user stack with `bpf_get_stackid(ctx, …)`, which needs the context pointer the kernel passed to the program. A `@helper` does not have it: call them in the program and pass the id on.",
  (name: string) => ({
    message: `\`${name}()\` needs the program's context, which a \`@helper\` does not have`,
    label: "not in a program",
    help: `call \`${name}()\` in the program and pass the stack id to the helper`,
  }),
);

export const stackPrintInEbpf = defineError(
  "E1346",
  "stack printed in eBPF code",
  "`print_kstack(id)` and `print_ustack(id, pid)` print a stack id's frames with their symbols, read from `/proc/kallsyms` and the process's mapped files: user-space work. eBPF code records the id (`kstack()`, `ustack()`) in a map or a record.",
  (name: string) => ({
    message: `\`${name}\` prints symbols from user space`,
    label: "only in user space",
    help: "store the stack id in a map or a ring-buffer record and print it from `main`",
  }),
);

export const recordNeedsStatsMap = defineError(
  "E1347",
  "record() on a map without @stats",
  "`record(m, k, v)` adds the sample `v` to entry `k` of a `@stats` map: one more in `count`, `v` added to `sum`, `min` and `max` kept (in eBPF code; per-CPU maps need no atomic instructions, shared ones add atomically and keep min/max without a lock). Its first argument is such a map.",
  (problem: { readonly kind: "notStatsMap"; readonly map: string | undefined } | { readonly kind: "userSpace" }) => problem.kind === "userSpace"
    ? {
        message: "`record` adds samples in eBPF code",
        label: "only in eBPF code",
        help: "record samples in the program; user space prints the map with `m.print()`",
      }
    : {
        message: problem.map === undefined ? "`record`'s first argument is a `@stats` map" : `\`${problem.map}\` is not a \`@stats\` map`,
        label: "not a `@stats` map",
        help: "declare the map with `@stats` and a value struct of `u64` fields `count`, `sum`, `min`, `max`",
      },
);

export const dataLocFieldAsValue = defineError(
  "E1348",
  "__data_loc field used as a value",
  "A tracepoint record keeps a variable-length string (`filename` of `sched/sched_process_exec`) as a `__data_loc` field: the record holds its offset and length in `__data_loc_NAME`, the bytes follow the record. `str(ctx.NAME)` reads it; the field has no other value.",
  (field: string, record: string) => ({
    message: `\`${field}\` is a \`__data_loc\` string of \`${record}\`, stored after the record`,
    label: "read it with `str()`",
    help: `write \`str(ctx.${field})\` (or \`str(ctx.${field}, N)\` for at most N bytes)`,
  }),
);

export const unknownStringProvenance = defineWarning(
  "W0310",
  "string read from an address of unknown origin",
  "`str(p)` chooses the helper by where `p` came from: a system call's argument (`ctx.args[i]` of a `syscalls/sys_enter_*` record) is a user address, read with `bpf_probe_read_user_str`; a field of a kernel object is a kernel address. For any other value the compiler cannot tell, reads it as a kernel address, and says so: reading a user address that way gives an empty string on architectures that separate the two address spaces.",
  () => ({
    message: "cannot tell whether this address is in user or kernel memory; reading it as kernel memory",
    label: "origin unknown",
    help: "say which with `ustr(p)` (user memory) or `kstr(p)` (kernel memory)",
  }),
);

// E1395–E1399: a user struct as the record of a system-call tracepoint
// (`syscalls/sys_enter_NAME`, `sys_exit_NAME`); check/syscall-record.ts.

/** What is wrong with the header of a system-call record struct. */
export type SyscallHeaderProblem =
  | { readonly kind: "noSyscallNr" }
  | { readonly kind: "syscallNrType"; readonly found: string }
  | { readonly kind: "syscallNrOffset"; readonly offset: number };

const syscallRecordLayout = "A system-call tracepoint's record is an 8-byte common header (`common: u64`, or the kernel's `trace_entry`), `__syscall_nr: i32` at byte 8, 4 bytes of padding, then one 8-byte slot per argument from byte 16 (`sys_exit_*`: one slot, `ret`). A struct written for it must have exactly that layout; the names and types of the arguments are in tracefs (`/sys/kernel/tracing/events/syscalls/EVENT/format`), and `kernelscript init tracepoint/syscalls/EVENT NAME` writes the struct for you.";

export const syscallRecordHeader = defineError(
  "E1395",
  "system-call record without its header",
  syscallRecordLayout,
  (struct: string, problem: SyscallHeaderProblem) => {
    switch (problem.kind) {
      case "noSyscallNr":
        return { message: `\`${struct}\` has no \`__syscall_nr\` field, so it is not laid out like a system-call record`, label: "used as the record of a system-call tracepoint", help: "start the struct with `common: u64, __syscall_nr: i32, pad: i32,` and then the arguments, 8 bytes each" };
      case "syscallNrType":
        return { message: `\`__syscall_nr\` is an \`i32\` in the record, not \`${problem.found}\``, label: "4-byte signed integer", help: "declare it `__syscall_nr: i32`" };
      case "syscallNrOffset":
        return { message: `\`__syscall_nr\` is at byte ${problem.offset} of the struct; the record has it at byte 8`, label: "after an 8-byte header", help: "put exactly 8 bytes before it: `common: u64` (or the kernel's `trace_entry`)" };
    }
  },
);

export const syscallRecordSlot = defineError(
  "E1396",
  "system-call argument not in an 8-byte slot",
  syscallRecordLayout,
  (field: string, offset: number, size: number) => ({
    message: `\`${field}\` takes ${size} byte${size === 1 ? "" : "s"} at byte ${offset}; every argument of a system-call record is an 8-byte slot from byte 16`,
    label: "not an 8-byte slot",
    help: "declare the argument as `u64`, `i64` or a pointer (`*u8` for a string); narrower values are widened to 8 bytes by the kernel",
  }),
);

/** How a field of a system-call record differs from what tracefs lists. */
export type SyscallFieldProblem =
  | { readonly kind: "name"; readonly expected: string }
  | { readonly kind: "extra"; readonly event: string; readonly count: number }
  | { readonly kind: "pointer"; readonly expected: string };

export const syscallRecordField = defineError(
  "E1397",
  "system-call record field differs from tracefs",
  `${syscallRecordLayout} When tracefs is readable the compiler checks the struct against it: each slot's name, and that addresses (\`const char *\`) are pointers or \`u64\`.`,
  (field: string, problem: SyscallFieldProblem) => {
    switch (problem.kind) {
      case "name":
        return { message: `this slot of the record is \`${problem.expected}\`, not \`${field}\``, label: `tracefs names it \`${problem.expected}\``, help: `rename the field \`${problem.expected}\`` };
      case "extra":
        return { message: `\`${field}\` is past the end of the record: \`${problem.event}\` has ${problem.count} argument slot${problem.count === 1 ? "" : "s"}`, label: "not in the record", help: "remove the field (the record's fields are listed in tracefs' format file)" };
      case "pointer":
        return { message: `\`${field}\` is an address (\`${problem.expected}\`) in the record`, label: "an address, not a number", help: `declare it as a pointer (\`*u8\` for a string) or \`u64\`` };
    }
  },
);

// E1350–E1359: the probe family of libbpf's section prefixes (`@uprobe`, `@uretprobe`,
// `@usdt`, `@kretprobe`, `@kretsyscall`, `@ksyscall`; check/probe-family.ts).

export const returnProbeParameters = defineError(
  "E1350",
  "return probe with more than one parameter",
  "A return probe (`@uretprobe`, `@kretprobe`, `@kretsyscall`) runs when the function returns; by then the registers that held its arguments have been reused, so the only value it can read is the return value. Its program takes that value as its one parameter, or no parameter. To see the arguments too, record them in a map keyed by `tid()` from an entry probe and look them up at the return.",
  (attribute: string, count: number) => ({
    message: `\`@${attribute}\` programs take at most one parameter (the return value), not ${count}`,
    label: "the arguments are gone when the function returns",
    help: "keep one parameter for the return value; read the arguments in an entry probe and keep them in a map keyed by `tid()`",
  }),
);

/** Where a register-valued parameter comes from. */
export type RegisterSource = "uprobe" | "usdt" | "returnValue";

const registerSourceText: Record<RegisterSource, string> = {
  uprobe: "a uprobe reads the function's arguments from registers",
  usdt: "a USDT probe's arguments are integers (registers, stack slots or constants the notes describe)",
  returnValue: "a return value is one register",
};

export const registerProbeParameter = defineError(
  "E1351",
  "probe parameter that is not a register value",
  "Programs on user-space functions and USDT probes, and return probes, receive plain register values: integers (of any width), `bool`, `char`, enums, or pointers (user-space addresses for uprobes and USDT: read what they point to with `str(p)`). A struct or an array passed by value is not one register.",
  (index: number, name: string, type: string, source: RegisterSource) => ({
    message: `parameter ${index} \`${name}\` is \`${type}\`; ${registerSourceText[source]}`,
    label: "not a register value",
    help: "declare it as an integer or a pointer (`u64`, `i32`, `*u8`, …)",
  }),
);

export const tooManyProbeArguments = defineError(
  "E1352",
  "more probe arguments than the probe can read",
  "libbpf 1.1's `BPF_KPROBE` (used for uprobes) unpacks at most five register arguments; `BPF_USDT` unpacks at most twelve USDT arguments (`BPF_USDT_MAX_ARG_CNT`).",
  (attribute: string, count: number, limit: number) => ({
    message: `\`@${attribute}\` programs read at most ${limit} arguments; this one takes ${count}`,
    label: "past the last argument the probe can read",
    help: `keep the first ${limit} parameters`,
  }),
);

export const stackIdOutsideTracing = defineError(
  "E1353",
  "stack id outside a tracing program",
  "`m.kernel_stack()` and `m.user_stack()` on a `stack_trace` map call `bpf_get_stackid` with the program's context. The kernel gives that helper to programs that run for a task (tracepoints, probes, uprobes, perf events, …), not to XDP, TC, socket filters or struct_ops, and a `@helper` has no context of its own to pass.",
  (call: string, programLabel: string | undefined) => ({
    message: programLabel === undefined ? `\`${call}\` needs a program's context; a helper has none` : `\`${call}\` cannot be called in ${programLabel} programs`,
    label: programLabel === undefined ? "not in the program itself" : `the kernel refuses \`bpf_get_stackid\` to ${programLabel} programs`,
    help: programLabel === undefined ? "record the stack id in the program and pass it to the helper" : "record stacks from a tracepoint, probe, uprobe or perf event program",
  }),
);

export const taskStorageWithoutTask = defineError(
  "E1354",
  "task storage in a program without a task",
  "A task storage map holds one value per task; its operations use the current task (`bpf_get_current_task_btf`) and `bpf_task_storage_get`, which the kernel gives to programs that run for a task (tracepoints, probes, uprobes, perf events, LSM, …), not to XDP, TC, socket filters or struct_ops.",
  (call: string, programLabel: string) => ({
    message: `\`${call}\` cannot be called in ${programLabel} programs`,
    label: `${programLabel} programs do not run for a task`,
    help: "use the task storage from a tracepoint, probe, uprobe or perf event program; elsewhere key a hash map by what the program sees",
  }),
);

export const localStorageSize = defineError(
  "E1355",
  "size on a local storage map",
  "Local storage maps (`task_storage<V>`, `inode_storage<V>`) keep one value per kernel object, created with it and freed with it; the kernel sizes them itself and refuses a `max_entries`.",
  (kind: string) => ({
    message: `\`${kind}\` maps take no size`,
    label: "the kernel keeps one value per object",
    help: `write \`var m : ${kind}<u64>\``,
  }),
);

export const drainHandler = defineError(
  "E1356",
  "user ring buffer drained without a record handler",
  "`urb.drain(handler)` reads every record user space wrote into a `user_ringbuf<T>`: the kernel's `bpf_user_ringbuf_drain` calls back once per record, and the generated callback copies the record and calls `handler`, a `@helper` of the file taking `*T` (or `T`) and returning an integer: 0 to go on, 1 to stop. The result is how many records were drained (or a negative errno).",
  (call: string, record: string) => ({
    message: `\`${call}\` takes one \`@helper\` handling a \`${record}\` record`,
    label: "not a record handler",
    help: `declare \`@helper fn handle(r: *${record}) -> i64 { …; return 0 }\` and write \`drain(handle)\``,
  }),
);

export const storageWrongProgramType = defineError(
  "E1357",
  "local storage in a program type the kernel refuses it to",
  "Inode storage maps keep one value per inode; the kernel gives their helpers (`bpf_inode_storage_get`, `bpf_inode_storage_delete`) to LSM programs only, so `get`/`set`/`remove` on one are refused to every other program type.",
  (call: string, programLabel: string, progType: string) => ({
    message: `\`${call}\` cannot be called in ${programLabel} programs`,
    label: `the kernel gives these helpers to ${progType} programs only`,
    help: "use it from an `@lsm(\"HOOK\")` program whose hook passes the inode",
  }),
);
