// tracefs' format files parsed (kernel/tracepoint-format.ts), and the record struct
// `init` writes from one (project/syscall-record.ts): names, C types, offsets, the
// types given to system-call slots.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isStringField, parseTracepointFormat, syscallArguments } from "../../src/compiler/kernel/tracepoint-format.js";
import { syscallRecord } from "../../src/compiler/project/syscall-record.js";
import { repoRoot } from "../harness/golden.js";

const tracefs = join(repoRoot, "tests", "cases", "init", "tracefs", "events");
const format = (event: string): string => readFileSync(join(tracefs, event, "format"), "utf8");

test("format: fields with their C types, offsets, sizes; arrays and __data_loc keep their names", () => {
  const fields = parseTracepointFormat(format("syscalls/sys_enter_openat"));
  assert.deepEqual(fields.map((f) => [f.name, f.cType, f.offset, f.size]), [
    ["common_type", "unsigned short", 0, 2], ["common_flags", "unsigned char", 2, 1],
    ["common_preempt_count", "unsigned char", 3, 1], ["common_pid", "int", 4, 4],
    ["__syscall_nr", "int", 8, 4], ["dfd", "int", 16, 8], ["filename", "const char *", 24, 8],
    ["flags", "int", 32, 8], ["mode", "umode_t", 40, 8],
  ]);
  assert.deepEqual(syscallArguments(fields).map((f) => f.name), ["dfd", "filename", "flags", "mode"]);
  assert.ok(isStringField(fields[6]!) && !isStringField(fields[5]!));
  const sched = parseTracepointFormat(format("sched/sched_switch"));
  assert.ok(sched.some((f) => f.name === "prev_comm" && f.size === 16), "char prev_comm[16]");
  const dataLoc = parseTracepointFormat("\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n");
  assert.deepEqual(dataLoc.map((f) => [f.name, f.cType]), [["filename", "__data_loc char[]"]]);
  assert.deepEqual(parseTracepointFormat("not a format file\n"), []);
});

test("syscall record: 8-byte slots typed from the C types, the value narrowed to the argument's", () => {
  const enter = syscallRecord("sys_enter_openat", format("syscalls/sys_enter_openat"))!;
  assert.equal(enter.struct, "sys_enter_openat_args");
  assert.deepEqual(enter.fields.map((f) => [f.name, f.type, f.valueType]), [
    ["dfd", "i64", "i32"], ["filename", "*u8", "*u8"], ["flags", "i64", "i32"], ["mode", "u64", "u16"],
  ]);
  const exit = syscallRecord("sys_exit_openat", format("syscalls/sys_exit_openat"))!;
  assert.equal(exit.struct, "sys_exit_openat_ret");
  assert.deepEqual(exit.fields.map((f) => [f.name, f.type]), [["ret", "i64"]]);
  assert.equal(syscallRecord("sched_switch", format("sched/sched_switch")), undefined, "not a system call's record");
});
