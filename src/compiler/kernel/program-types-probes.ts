//! The catalogue rows of the probe family that libbpf names by section prefix: return
//! probes on kernel functions and system calls, uprobes and USDT probes on user-space
//! binaries, fexit and LSM programs. They are spread into `programTypes` after the
//! ksyscall row (kernel/program-types.ts); this file only holds rows, so the table stays
//! one table.

import type { ProgramTypeInfo } from "./program-types.js";
import { i32 } from "../types.js";

const tracingIncludes = ["bpf/bpf_tracing.h"];
const returnsZero = { value: 0n };
const probePieces = [{ generated: "probeAttach" }] as const;
// attach-uprobe.c is pasted before the generated ks_attach_probe, which hands it these.
const userProbePieces = [{ runtimeC: "attach-uprobe" }, { generated: "probeAttach" }] as const;
const probeAttach = { kind: "declaredTarget", function: "ks_attach_probe" } as const;

// A kernel function without an offset; a path without `:` (libbpf splits the section at
// the first `:`), then a symbol and, for uprobes, an optional offset into it.
const functionName = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const binaryPath = String.raw`[^:\s"\\]+`;
const symbol = String.raw`[A-Za-z_][A-Za-z0-9_.]*`;
const offset = String.raw`(\+(0x[0-9a-fA-F]+|[0-9]+))?`;

/** What every program of this family shares: it runs for the task that caused the event. */
const tracingProgram = {
  contextStruct: undefined,
  returnType: i32,
  argument: "required",
  kfuncHook: "common",
  packetAccess: "none",
  tailCallFallback: returnsZero,
  kernelPointerArguments: false,
  currentTask: true,
} as const;

export const probeRows: readonly ProgramTypeInfo[] = [
  {
    // A kprobe at a kernel function's return: its one parameter is the return value.
    ...tracingProgram,
    programType: "kretprobe",
    attribute: "kretprobe",
    label: "kretprobe",
    bpfProgType: "BPF_PROG_TYPE_KPROBE",
    loaderLabel: "kprobe",
    signature: "fn NAME(RETURN VALUE OF THE KERNEL FUNCTION) -> i32",
    targetFormat: { pattern: functionName, shape: "kernelFunctionName", example: '@kretprobe("do_unlinkat")' },
    section: (target) => `kretprobe/${target ?? ""}`,
    arguments: { kind: "returnValue", of: "kernelFunction" },
    cEntry: "BPF_KRETPROBE",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: probePieces,
    testRun: { kind: "unsupported", why: "kprobe" },
    bpfman: "kretprobe",
    init: {
      kind: "counter", target: "do_unlinkat", parameters: "ret: i32", key: "i32", body: ["COUNTS[ret] += 1"], result: "0",
      what: "A kretprobe on `do_unlinkat`: counts its results (0 or a negative errno).",
    },
  },
  {
    // A system call's return through its architecture wrapper (libbpf's kretsyscall).
    ...tracingProgram,
    programType: "kretsyscall",
    attribute: "kretsyscall",
    label: "kretsyscall",
    bpfProgType: "BPF_PROG_TYPE_KPROBE",
    loaderLabel: "kprobe",
    signature: "fn NAME(RETURN VALUE OF THE SYSTEM CALL) -> i32",
    targetFormat: { pattern: /^[a-z0-9_]+$/, shape: "syscallName", example: '@kretsyscall("openat")' },
    section: (syscall) => `kretsyscall/${syscall ?? ""}`,
    arguments: { kind: "returnValue", of: "syscall" },
    cEntry: "BPF_KRETPROBE",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: probePieces,
    testRun: { kind: "unsupported", why: "kprobe" },
    init: {
      kind: "counter", target: "openat", parameters: "ret: i64", key: "u32", body: ["COUNTS[(ret < 0) as u32] += 1   // [1]: failed"], result: "0",
      what: "A return probe of the system call `openat`: counts the calls that succeed ([0]) and fail ([1]).",
    },
  },
  {
    // A uprobe: a breakpoint in a user-space binary; the parameters are the function's
    // arguments as the program declares them (registers: no BTF says what they are).
    ...tracingProgram,
    programType: "uprobe",
    attribute: "uprobe",
    label: "uprobe",
    bpfProgType: "BPF_PROG_TYPE_KPROBE",
    loaderLabel: "kprobe",
    signature: "fn NAME(AT MOST 5 ARGUMENTS OF THE FUNCTION, INTEGERS OR POINTERS) -> i32",
    targetFormat: { pattern: new RegExp(`^${binaryPath}:${symbol}${offset}$`), shape: "binarySymbol", example: '@uprobe("/usr/bin/bash:readline")' },
    section: (target) => `uprobe/${target ?? ""}`,
    arguments: { kind: "userFunction", maxArguments: 5 },
    cEntry: "BPF_KPROBE",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: userProbePieces,
    testRun: { kind: "unsupported", why: "userProbe" },
    bpfman: "uprobe",
    init: {
      kind: "counter", target: "/usr/bin/bash:readline", parameters: "prompt: *u8", key: "u32", body: ["COUNTS[pid()] += 1"], result: "0",
      what: "A uprobe on bash's `readline`: counts the lines each interactive bash asks for.",
    },
  },
  {
    ...tracingProgram,
    programType: "uretprobe",
    attribute: "uretprobe",
    label: "uretprobe",
    bpfProgType: "BPF_PROG_TYPE_KPROBE",
    loaderLabel: "kprobe",
    signature: "fn NAME(RETURN VALUE OF THE FUNCTION) -> i32",
    targetFormat: { pattern: new RegExp(`^${binaryPath}:${symbol}$`), shape: "binarySymbolNoOffset", example: '@uretprobe("/usr/bin/bash:readline")' },
    section: (target) => `uretprobe/${target ?? ""}`,
    arguments: { kind: "returnValue", of: "userFunction" },
    cEntry: "BPF_KRETPROBE",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: userProbePieces,
    testRun: { kind: "unsupported", why: "userProbe" },
    bpfman: "uretprobe",
    init: {
      kind: "counter", target: "/usr/bin/bash:readline", parameters: "line: *u8", key: "u32", body: ["COUNTS[(line == null) as u32] += 1   // [1]: end of input"], result: "0",
      what: "A uretprobe on bash's `readline`: counts the lines read ([0]) and the ends of input ([1]).",
    },
  },
  {
    // A USDT probe (`DTRACE_PROBE2(provider, name, a, b)` of sys/sdt.h): libbpf reads the
    // binary's `.note.stapsdt` notes when attaching and tells the program, through its
    // maps in usdt.bpf.h, where each argument is (register, stack, constant).
    ...tracingProgram,
    programType: "usdt",
    attribute: "usdt",
    label: "USDT",
    bpfProgType: "BPF_PROG_TYPE_KPROBE",
    loaderLabel: "kprobe",
    signature: "fn NAME(AT MOST 12 ARGUMENTS OF THE PROBE, INTEGERS) -> i32",
    targetFormat: { pattern: new RegExp(`^${binaryPath}:${symbol}:${symbol}$`), shape: "usdtProbe", example: '@usdt("/usr/bin/python3:python:function__entry")' },
    section: (target) => `usdt/${target ?? ""}`,
    arguments: { kind: "usdtArguments", maxArguments: 12 },
    cEntry: "BPF_USDT",
    cIncludes: [...tracingIncludes, "bpf/usdt.bpf.h"],
    attach: probeAttach,
    loaderPieces: userProbePieces,
    testRun: { kind: "unsupported", why: "userProbe" },
    init: {
      kind: "counter", target: "/usr/bin/python3:python:function__entry", parameters: "file: *u8, function: *u8, line: i32", key: "u32",
      body: ["COUNTS[pid()] += 1"], result: "0",
      what: "A USDT probe on Python's `function__entry`: counts the Python function calls of each process (CPython built with --with-dtrace).",
    },
  },
  {
    // A BTF trampoline at a kernel function's return: its arguments, then its result.
    ...tracingProgram,
    programType: "fexit",
    attribute: "fexit",
    label: "fexit",
    bpfProgType: "BPF_PROG_TYPE_TRACING",
    loaderLabel: "tracing (tp_btf/fentry)",
    signature: "fn NAME(ARGS OF THE KERNEL FUNCTION, THEN ITS RETURN VALUE) -> i32",
    targetFormat: { pattern: functionName, shape: "kernelFunctionName", example: '@fexit("do_unlinkat")' },
    section: (target) => `fexit/${target ?? ""}`,
    arguments: { kind: "kernelFunction", maxArguments: 12, returnValue: true },
    cEntry: "BPF_PROG",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: probePieces,
    testRun: { kind: "unsupported", why: "fentryTestFunctions" },
    kfuncHook: "own",
    bpfman: "fexit",
    init: {
      kind: "counter", target: "do_unlinkat", parameters: "dfd: i32, name: *u8, ret: i32", key: "i32", body: ["COUNTS[ret] += 1"], result: "0",
      what: "An fexit program on `do_unlinkat`: counts its results (0 or a negative errno).",
    },
  },
  {
    // An LSM hook (BPF_LSM): the arguments of `bpf_lsm_HOOK` in BTF, then the result of
    // the programs before it; returning a negative errno refuses the operation.
    ...tracingProgram,
    programType: "lsm",
    attribute: "lsm",
    label: "LSM",
    bpfProgType: "BPF_PROG_TYPE_LSM",
    loaderLabel: "LSM",
    signature: "fn NAME(ARGS OF THE LSM HOOK, THEN THE RESULT SO FAR) -> i32",
    targetFormat: { pattern: /^[a-z0-9_]+$/, shape: "lsmHook", example: '@lsm("file_open")' },
    section: (hook) => `lsm/${hook ?? ""}`,
    arguments: { kind: "kernelFunction", maxArguments: 12, returnValue: true, btfPrefix: "bpf_lsm_" },
    cEntry: "BPF_PROG",
    cIncludes: tracingIncludes,
    attach: probeAttach,
    loaderPieces: probePieces,
    testRun: { kind: "unsupported", why: "lsm" },
    init: {
      kind: "counter", target: "file_open", parameters: "file: *u8, ret: i32", key: "u32", body: ["COUNTS[pid()] += 1"], result: "ret   // the verdict so far: this hook denies nothing",
      what: "An LSM program on `file_open`: counts the files each process opens, denying none.",
    },
  },
];
