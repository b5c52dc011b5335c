//! The IR: what `lower/` produces from a checked program and the emitters consume.
//!
//! A structured, typed tree (C is structured too, so we keep loops and ifs as such):
//! - every expression carries its resolved `type` (never `error` or `intLiteral`:
//!   literals have been given their concrete integer type);
//! - every name is resolved: locals, globals, maps, functions are distinct node kinds;
//! - every statement and expression keeps the `span` of the `.ks` source it came from,
//!   so analyses can point at it and the emitters can write the line map;
//! - map operations are explicit (`mapLookup`, `mapUpdate`, `mapCompound`, …): emitters
//!   never need to infer them from indexing syntax.

import type { Span } from "./source.js";
import type { MapKind, StructLayout, EnumLayout, Type } from "./types.js";
import type { BinaryOp, UnaryOp } from "./ast.js";
import type { ProgramType } from "./kernel/program-types.js";
import type { TestContextRole } from "./kernel/testing.js";
import type { MapMethod } from "./kernel/map-kinds.js";
import type { StringSource, TracingOp } from "./kernel/tracing.js";

export interface IrModule {
  /** The project name: base of every output file (`NAME.bpf.c`, `NAME.c`, …). */
  readonly name: string;
  /** User structs and enums in source order (kernel ones come from vmlinux.h). */
  readonly structs: readonly StructLayout[];
  readonly enums: readonly EnumLayout[];
  /** Aliases kept as C typedefs, in source order. */
  readonly typedefs: readonly { readonly name: string; readonly type: Type }[];
  readonly maps: readonly IrMap[];
  readonly globals: readonly IrGlobal[];
  /** `config` blocks, in source order. */
  readonly configs: readonly IrConfig[];
  /** eBPF programs (one SEC() each), in source order. */
  readonly programs: readonly IrProgram[];
  /** struct_ops impl blocks; their methods' bodies are among `helpers`. */
  readonly structOps: readonly IrStructOps[];
  /**
   * Locals of `@helper`s that return `&local` (W0272): each has a one-entry per-CPU
   * array the local is copied into on return (emit/names.ts `escapeSlotName`).
   */
  readonly escapeSlots?: readonly IrEscapeSlot[];
  /** `@helper` functions: plain C functions in the BPF object. */
  readonly helpers: readonly IrFunction[];
  /** User-space functions, `main` included when the source has one. */
  readonly userFunctions: readonly IrFunction[];
  /** `extern` functions called from eBPF; kfuncs get an `extern … __ksym` declaration. */
  readonly externs: readonly IrExtern[];
  /**
   * `@kfunc` and `@private` functions: the kernel module (`NAME.mod.c`, emit/kmod-c.ts),
   * in source order. Empty when the file has none (then no module is emitted).
   */
  readonly kernelModule: readonly IrModuleFunction[];
  /**
   * The programs that cannot load without the kernel module: each calls one of its
   * `@kfunc`s (directly, through helpers, or by tail-calling such a program). The test
   * binary leaves them unloaded when the module is unavailable (lower-kmod.ts).
   */
  readonly moduleKfuncCallers?: readonly IrModuleKfuncCaller[];
  /**
   * Kernel types the eBPF C declares itself inside `#ifndef KS_HAVE_<OPS>`: the program
   * implements a struct_ops type this kernel's BTF lacks (check/struct-ops-compat.ts).
   */
  readonly kernelCompat?: KernelCompat;
  /**
   * Targets of tail calls: slot `i` of the compiler-made program array holds
   * `tailCallTargets[i]`; the loader fills it after load.
   */
  readonly tailCallTargets: readonly string[];
  /**
   * The eBPF object's license (`char LICENSE[] SEC("license")`): the file's `license`
   * declaration or the default `GPL`; the kernel module stays GPL (emit/kmod-c.ts).
   */
  readonly license: LicenseInfo;
  /** Whether the source has its own `main`; otherwise the default loader is emitted. */
  readonly hasUserMain: boolean;
  /** `@test` functions in source order (emitted only in test mode, into NAME.test.c). */
  readonly testFunctions?: readonly IrFunction[];
  /** `@helper`s that test code calls, lowered again for user space. */
  readonly testHelpers?: readonly IrFunction[];
  /** The `.ks` file the module was compiled from (as the user named it). */
  readonly sourcePath: string;
  /** `exec()` scripts, Python modules, `daemon()` (absent: none of them). */
  readonly handover?: IrHandover;
}

/** What the user-space hand-overs need emitted (emit/userspace/handover.ts, python-module.ts). */
export interface IrHandover {
  /** Scripts `exec()` runs, copied into the output directory under `fileName`. */
  readonly execScripts: readonly { readonly fileName: string; readonly text: string }[];
  /** Imported Python modules, copied into the output directory and imported by the binary. */
  readonly pythonModules: readonly { readonly alias: string; readonly fileName: string; readonly moduleName: string; readonly text: string }[];
  readonly daemon: boolean;
}

/** How a value crosses into or out of Python (check/python.ts). */
export type IrPythonKind = "int" | "bool" | "str" | "none" | "untyped";

export interface IrPythonTarget {
  /** The import alias (`nu`), for messages. */
  readonly alias: string;
  /** The Python module name (`network_utils`: the file name without `.py`). */
  readonly module: string;
  readonly function: string;
  readonly argKinds: readonly IrPythonKind[];
  readonly returns: IrPythonKind;
}

/** `@struct_ops("tcp_congestion_ops") impl my_cc { … }`: a `.struct_ops` map. */
export interface IrStructOps {
  readonly name: string;
  /** The kernel struct (`tcp_congestion_ops`). */
  readonly opsType: string;
  /** Each method: the member it fills and the helper function holding its body. */
  readonly methods: readonly { readonly member: string; readonly helper: IrFunction }[];
  /** Data members with their literal values. */
  readonly fields: readonly { readonly name: string; readonly value: IrExpr }[];
  readonly span: Span;
}

export interface IrMap {
  readonly name: string;
  readonly mapKind: MapKind;
  readonly keyType: Type;
  readonly valueType: Type;
  readonly maxEntries: number;
  /** `BPF_F_*` bits from `@flags(…)`. */
  readonly flags: number;
  /** `pin var`: pinned under `/sys/fs/bpf/NAME/<map>` and reused across runs. */
  readonly pinned: boolean;
  /** `map_extra` (a bloom filter's hash count, `@hashes(n)`); absent: the kernel's default. */
  readonly extra?: number;
  /** How user space prints it when not entry by entry (`@hist`, `@lhist`, `@top`: check/aggregations.ts). */
  readonly display?: MapDisplay;
  /** A map of maps: the kind, key, value and size of the maps it holds (the `__array(values, …)` template). */
  readonly inner?: { readonly mapKind: MapKind; readonly keyType: Type; readonly valueType: Type; readonly maxEntries: number };
  readonly span: Span;
}

/**
 * A map printed as an aggregation: a log2 histogram (`@hist`), a linear one
 * (`@lhist(min, max, step)`), both keyed by bucket index — the whole key, or the
 * `bucketField` of a struct key whose other fields name one histogram each — or its
 * `count` largest values.
 */
export type MapDisplay =
  | { readonly kind: "hist"; readonly bucketField: string | undefined }
  | { readonly kind: "lhist"; readonly min: bigint; readonly max: bigint; readonly step: bigint; readonly bucketField: string | undefined }
  | { readonly kind: "top"; readonly count: number }
  /** `@stats`: a struct of u64 `count`, `sum`, `min`, `max` per key, updated by `record(m, k, v)`. */
  | { readonly kind: "stats" };

/**
 * Where a global lives. `bss`/`data`: a shared global in the object's `.bss` (zero
 * initial value) or `.data` section, reached from user space through the skeleton;
 * `local`: kernel-only (a static variable, absent from the skeleton); `pinned`: a field
 * of the single-entry pinned-globals map; `config`: a config block (a struct in `.data`).
 */
export type GlobalStorage = "bss" | "data" | "local" | "pinned" | "config";

export interface IrGlobal {
  readonly name: string;
  readonly type: Type;
  /** The initial value; absent means zero. */
  readonly init: IrConst | undefined;
  readonly storage: Exclude<GlobalStorage, "config">;
  readonly span: Span;
}

/** A compile-time constant: the initial value of a global or a config field. */
export type IrConst =
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "bool"; readonly value: boolean }
  /** `elements` may be shorter than the array: the rest is zero. */
  | { readonly kind: "array"; readonly elements: readonly IrConst[] }
  | { readonly kind: "struct"; readonly fields: readonly { readonly name: string; readonly value: IrConst }[] };

/**
 * Whether C can take the address of `e`'s value without copying it: a local, a global, an entry
 * bound by `if (var e = m[k])`, or a field or element of one. A struct value written to
 * a map is handed over by address when it is one of these (emit/c-code.ts); any other
 * value is a temporary on the stack (analyze/stack-usage.ts counts it).
 */
export function isAddressableValue(e: IrExpr): boolean {
  if (e.kind === "local") return e.orAddressOf === undefined;
  if (e.kind === "entry" || e.kind === "global") return true;
  if (e.kind === "field") return !e.viaPointer && isAddressableValue(e.target);
  if (e.kind === "index") return e.target.type.kind === "array" && isAddressableValue(e.target);
  return false;
}

/** Whether a constant is all zero bits (a global with such a value goes to `.bss`). */
export function isZeroConst(value: IrConst | undefined): boolean {
  if (!value) return true;
  switch (value.kind) {
    case "int": return value.value === 0n;
    case "bool": return !value.value;
    case "array": return value.elements.every(isZeroConst);
    case "struct": return value.fields.every((f) => isZeroConst(f.value));
  }
}

/** `config NAME { … }`: one struct of settings, read by both sides, written by user space. */
export interface IrConfig {
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly type: Type; readonly default: IrConst | undefined }[];
  readonly span: Span;
}

export type { ProgramType };

export interface IrProgram extends IrFunction {
  readonly programType: ProgramType;
  /** The libbpf section name, e.g. `xdp`, `tc`, `tracepoint/sched/sched_switch`. */
  readonly section: string;
  /** Attribute argument: tc direction, tracepoint `cat/event`, probe target. */
  readonly target: string | undefined;
}

export interface IrExtern {
  readonly name: string;
  readonly params: readonly IrParam[];
  readonly returnType: Type;
  /** A kfunc (declared `extern … __ksym`) rather than a helper libbpf already declares. */
  readonly kfunc: boolean;
  /** A kfunc the kernel's BTF lacks: declared `__ksym __weak`, so the object still loads. */
  readonly weak?: boolean;
  /**
   * A `@kfunc` of this file's kernel module: declared `__weak`, so an object whose
   * module is not loaded still opens and its other programs still load (the calls
   * stay unresolved and the verifier refuses only the programs making them).
   */
  readonly fromModule?: boolean;
}

/** A function of the kernel module: `exported` for `@kfunc`, static for `@private`. */
export interface IrEscapeSlot {
  readonly helper: string;
  readonly local: string;
  readonly type: Type;
}

export interface IrModuleFunction extends IrFunction {
  readonly exported: boolean;
  /** `@kfunc`: the program types of the file's eBPF programs that call it (directly or through helpers). */
  readonly callerTypes: readonly ProgramType[];
}

/** A program that needs the kernel module, and why (`via`: the tail-called program that calls `kfunc`). */
export interface IrModuleKfuncCaller {
  readonly program: string;
  readonly kfunc: string;
  readonly via?: string;
}

export interface IrParam {
  readonly name: string;
  readonly type: Type;
}

export interface IrFunction {
  readonly name: string;
  readonly params: readonly IrParam[];
  readonly returnType: Type;
  readonly body: readonly IrStmt[];
  readonly span: Span;
  /** Errors and deferred calls; absent when the function has none. */
  readonly frame?: IrErrorFrame;
}

/**
 * What a function needs for `throw`/`try`/`defer` (see lower/lower-errors.ts for the
 * design): an error-state local, the hidden error out-parameter, deferred-call slots.
 */
export interface IrErrorFrame {
  /** An error can leave the function: it takes the hidden error out-parameter. */
  readonly throws: boolean;
  /** It throws, catches or calls a function that throws: it has an error-state local. */
  readonly handles: boolean;
  /** Every `defer` of the body in source order; at exit they run in reverse. */
  readonly defers: readonly IrDeferSlot[];
}

export interface IrDeferSlot {
  readonly index: number;
  /** Locals living for the whole call that hold the arguments evaluated at the `defer`. */
  readonly captures: readonly { readonly name: string; readonly type: Type }[];
  /** The deferred call, reading the captures. */
  readonly action: IrStmt;
  readonly span: Span;
}

export interface IrCatch {
  /** `undefined` for `catch _`. */
  readonly pattern: bigint | undefined;
  readonly body: readonly IrStmt[];
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------

export type IrStmt =
  /** `unread`: the value is never read (C gets a `(void)` use to keep -Wall quiet). */
  | { readonly kind: "declare"; readonly name: string; readonly type: Type; readonly init: IrExpr | undefined; readonly unread: boolean; readonly span: Span }
  /**
   * `atomic`: the update is one atomic instruction (`+=`/`-=` on a 32/64-bit integer in
   * memory other CPUs write too: globals, shared map values; lower/shared-memory.ts).
   */
  | { readonly kind: "assign"; readonly target: IrPlace; readonly op: IrAssignOp; readonly value: IrExpr; readonly atomic: boolean; readonly span: Span }
  /** `m[k] = v` */
  | { readonly kind: "mapUpdate"; readonly map: string; readonly key: IrExpr; readonly value: IrExpr; readonly span: Span }
  /**
   * `m[k] op= v`: one lookup; in place when present, otherwise the entry is created
   * with `0 op v` (for `+=` that is `v`). `result`: a new local (declared here) holding
   * the entry's value after the update (0 when the entry cannot exist: a full hash map,
   * an index past an array's end) — `(m[k] += v)` as a value, or a later read of the
   * same entry combined with the update (lower/map-update-values.ts).
   */
  | { readonly kind: "mapCompound"; readonly map: string; readonly key: IrExpr; readonly op: IrArithOp; readonly value: IrExpr; readonly result?: { readonly name: string; readonly type: Type }; readonly span: Span }
  /** `delete m[k]` */
  | { readonly kind: "mapDelete"; readonly map: string; readonly key: IrExpr; readonly span: Span }
  | { readonly kind: "expr"; readonly expr: IrExpr; readonly span: Span }
  | { readonly kind: "if"; readonly condition: IrExpr; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span }
  /**
   * `if (var binding = m[k]) {…} else {…}`: `binding` is a pointer to the map value in
   * the then-branch; reads and field writes go through it (in place).
   */
  | { readonly kind: "ifMapEntry"; readonly binding: string; readonly map: string; readonly key: IrExpr; readonly keyType: Type; readonly valueType: Type; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span }
  /**
   * `if (var binding: *T = ctx.header(offset)) {…} else {…}`: in the then-branch
   * `binding` points at `sizeof(T)` bytes at `offset` proven to lie before `data_end`.
   * `maxOffset` is the offset's proven maximum (the verifier needs one).
   */
  | { readonly kind: "ifPacketHeader"; readonly binding: string; readonly context: IrExpr; readonly offset: IrExpr; readonly header: Type; readonly maxOffset: bigint; readonly constantOffset: bigint | undefined; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span }
  /** `lowering` says how the loop becomes C (lower/lower-loops.ts). */
  | { readonly kind: "while"; readonly condition: IrExpr; readonly body: readonly IrStmt[]; readonly lowering: LoopLowering; readonly span: Span }
  /** `for (v in start..end)`: half-open; both bounds are evaluated once, before the first iteration. */
  | { readonly kind: "forRange"; readonly variable: string; readonly variableType: Type; readonly start: IrExpr; readonly end: IrExpr; readonly body: readonly IrStmt[]; readonly lowering: LoopLowering; readonly span: Span }
  /** `for (key, value) in map`: every entry once; the bindings are copies. */
  | { readonly kind: "forMap"; readonly map: string; readonly key: string; readonly keyType: Type; readonly value: string | undefined; readonly valueType: Type; readonly body: readonly IrStmt[]; readonly lowering: LoopLowering; readonly span: Span }
  | { readonly kind: "break"; readonly span: Span }
  | { readonly kind: "continue"; readonly span: Span }
  | { readonly kind: "return"; readonly value: IrExpr | undefined; readonly span: Span }
  /**
   * `result`: the local (an `i32`) that takes the call's value when `print` is used as an expression.
   * `variant` (user space): `printf` adds no newline, `eprint` writes the line to stderr, `eprintf` both;
   * `sprintf` writes into the `str(N)` place `args[0]` (at most N bytes) instead.
   */
  | { readonly kind: "print"; readonly format: string; readonly args: readonly IrExpr[]; readonly result?: string; readonly variant?: "printf" | "eprint" | "eprintf" | "sprintf"; readonly span: Span }
  /** A C block: scopes the declarations inside it (e.g. the binding of `if (var q = p)`). */
  | { readonly kind: "block"; readonly body: readonly IrStmt[]; readonly span: Span }
  /**
   * `return other(ctx)` in a program: jump to slot `index` of the program array
   * (`bpf_tail_call`); when the jump fails (empty slot, chain limit) return `fallback`.
   * Reusable by any construct that ends a program in a tail call.
   */
  | { readonly kind: "tailCall"; readonly target: string; readonly index: number; readonly context: IrExpr; readonly fallback: IrExpr; readonly span: Span }
  /**
   * `m[k].f op= v` (any place inside the entry): one lookup; an absent entry is first
   * created zeroed (like `m[k] += v`; an array has every index); `target` is rooted at
   * the `entry` place `binding`.
   */
  | { readonly kind: "mapEntryAssign"; readonly binding: string; readonly map: string; readonly mapKind: MapKind; readonly key: IrExpr; readonly keyType: Type; readonly valueType: Type; readonly target: IrPlace; readonly op: IrAssignOp; readonly value: IrExpr; readonly atomic: boolean; readonly span: Span }
  /**
   * `var name = m[k]`: `name` holds a copy of the entry (zero when absent) and
   * `pointer` points to the entry (eBPF: into the map; user space: to the copy), null
   * when absent. `keyName` holds the key for the write-back.
   */
  | { readonly kind: "declareAlias"; readonly name: string; readonly pointer: string; readonly keyName: string; readonly map: string; readonly mapKind: MapKind; readonly key: IrExpr; readonly keyType: Type; readonly valueType: Type; readonly unread: boolean; readonly span: Span }
  /**
   * After an assignment to `place` inside alias `alias`: store it into the entry if
   * present. With `update` (eBPF, `+=`/`-=` on a shared map), apply `op value` to the
   * entry atomically instead of storing the copy's value (other CPUs update it too).
   */
  | { readonly kind: "aliasWriteBack"; readonly alias: string; readonly pointer: string; readonly keyName: string; readonly map: string; readonly place: IrPlace; readonly update?: { readonly op: "+" | "-"; readonly value: IrExpr }; readonly span: Span }
  /**
   * `throw value`: control goes to the nearest enclosing `try` of this function, or out
   * of it through the hidden error out-parameter. `origin` (`fn at file.ks:LINE`) is
   * what user space prints when nothing catches it.
   */
  | { readonly kind: "throw"; readonly value: IrExpr; readonly origin: string; readonly span: Span }
  | { readonly kind: "try"; readonly body: readonly IrStmt[]; readonly catches: readonly IrCatch[]; readonly span: Span }
  /**
   * A call to a function that may throw, hoisted out of its expression: the value goes
   * into the new local `result` (if any); if the callee threw, control goes where a
   * `throw` at this point would.
   */
  | { readonly kind: "tryCall"; readonly result: string | undefined; readonly callee: string; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  /** `defer …`: evaluates the slot's captures now and arms it; it runs at function exit. */
  | { readonly kind: "defer"; readonly slot: number; readonly values: readonly IrExpr[]; readonly span: Span }
  /** `rb.submit(e)` / `rb.discard(e)` (eBPF): hands the reserved record back. */
  /**
   * `ifReserved`: the record is a `var e = rb.reserve()` local, which may still be null
   * here (unchecked: W0254), so the C releases it only when it is not null.
   */
  | { readonly kind: "ringbufRelease"; readonly op: "submit" | "discard"; readonly map: string; readonly record: IrExpr; readonly ifReserved: boolean; readonly span: Span }
  /** `delete p` for an object from `new`. */
  /** `storedIn`: the delete of an object moved into that map of objects (lower-object-maps.ts). */
  | { readonly kind: "objectDelete"; readonly pointer: IrExpr; readonly span: Span; readonly storedIn?: string }
  /** `rb.on_event(handler)` (user space): the user function called for each record. */
  | { readonly kind: "onEvent"; readonly map: string; readonly handler: string; readonly span: Span }
  /** `if (var binding = value) {…} else {…}` for a pointer: `binding` is non-null in `then`. */
  | { readonly kind: "ifPointer"; readonly binding: string; readonly type: Type; readonly value: IrExpr; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span };

/**
 * How a loop becomes C. User space: always `plain`. eBPF: `unrolled` (`#pragma unroll`,
 * small constant counts), `bounded` (a C loop the verifier walks iteration by
 * iteration), or `callback` (`bpf_loop()`, or `bpf_for_each_map_elem()` for maps: the
 * body becomes a static function; `captures` are the outer variables it uses).
 */
export type LoopLowering =
  | { readonly kind: "plain" }
  | { readonly kind: "unrolled"; readonly iterations: number }
  | { readonly kind: "bounded"; readonly iterations: number }
  /** `iterations`: a constant count (long constant ranges, proven `while` loops); undefined: runtime. */
  | { readonly kind: "callback"; readonly iterations: number | undefined; readonly captures: readonly IrCapture[] };

/**
 * An outer variable a loop callback uses. Scalars and structs are copied into the
 * callback's context and, when `written`, copied back after the loop; arrays travel
 * as pointers (element writes land in place); `entry` bindings are map-value pointers.
 */
export interface IrCapture {
  readonly name: string;
  readonly type: Type;
  readonly written: boolean;
  readonly entry: boolean;
}

export type IrArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>";
export type IrAssignOp = "=" | IrArithOp;

/** Something that can be assigned to. */
export type IrPlace =
  | { readonly kind: "local"; readonly name: string; readonly type: Type }
  | { readonly kind: "global"; readonly name: string; readonly storage: GlobalStorage; readonly type: Type }
  /** A binding of `ifMapEntry`: assignments write into the map value in place. */
  | { readonly kind: "entry"; readonly name: string; readonly type: Type }
  | { readonly kind: "field"; readonly target: IrExpr; readonly field: string; readonly viaPointer: boolean; readonly type: Type }
  | { readonly kind: "index"; readonly target: IrExpr; readonly index: IrExpr; readonly type: Type }
  | { readonly kind: "deref"; readonly pointer: IrExpr; readonly type: Type };

// ---------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------

export type IrExpr =
  | { readonly kind: "int"; readonly value: bigint; readonly text: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly type: Type; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "null"; readonly type: Type; readonly span: Span }
  /** A named constant: enum constant or built-in (`XDP_PASS`). Emitted by name. */
  | { readonly kind: "constant"; readonly name: string; readonly value: bigint; readonly type: Type; readonly span: Span }
  /**
   * `orAddressOf`: `&v` of a map-copy alias `var v = m[k]`: the entry (`name`) when it
   * exists, else the address of the zeroed copy `orAddressOf`, so the pointer is never null.
   */
  | { readonly kind: "local"; readonly name: string; readonly type: Type; readonly span: Span; readonly orAddressOf?: string }
  /** A global variable, or (storage `config`) a config block as a struct value. */
  | { readonly kind: "global"; readonly name: string; readonly storage: GlobalStorage; readonly type: Type; readonly span: Span }
  /** The value the `ifMapEntry` binding points to (read through the pointer). */
  | { readonly kind: "entry"; readonly name: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: IrExpr; readonly right: IrExpr; readonly type: Type; readonly span: Span }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly operand: IrExpr; readonly type: Type; readonly span: Span }
  | { readonly kind: "cast"; readonly expr: IrExpr; readonly type: Type; readonly span: Span }
  | { readonly kind: "field"; readonly target: IrExpr; readonly field: string; readonly viaPointer: boolean; readonly type: Type; readonly span: Span }
  /** A context field of a program (`ctx.ingress_ifindex`, `ctx.data`). */
  | { readonly kind: "contextField"; readonly context: IrExpr; readonly field: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "index"; readonly target: IrExpr; readonly index: IrExpr; readonly type: Type; readonly span: Span }
  /** `m[k]` as a value: the entry's value, or zero when absent. */
  | { readonly kind: "mapLookup"; readonly map: string; readonly key: IrExpr; readonly type: Type; readonly span: Span }
  /** `&m[k]` in eBPF: a pointer into the map's value, null when absent. */
  /** `object`: an entry of a map of objects, null when absent (references.ts follows its null test). */
  | { readonly kind: "mapEntryPointer"; readonly map: string; readonly key: IrExpr; readonly keyType: Type; readonly type: Type; readonly span: Span; readonly object?: boolean }
  /** `m[k] != null` / `m[k] == null`: whether the entry exists. */
  | { readonly kind: "mapContains"; readonly map: string; readonly key: IrExpr; readonly type: Type; readonly span: Span }
  /**
   * `helper`: a kernel BPF helper called by name (pointer arguments are passed as `void *`).
   * `external`: an `extern` kernel function; its name is the kernel's symbol, never escaped.
   */
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span; readonly helper?: boolean; readonly external?: boolean }
  /** A function used as a value (user space: a C function pointer). */
  | { readonly kind: "functionRef"; readonly name: string; readonly type: Type; readonly span: Span }
  /** A call through a function value (user space only; eBPF calls are resolved statically). */
  | { readonly kind: "callValue"; readonly callee: IrExpr; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  /**
   * Lifecycle builtins in user space: `load`, `attach`, `detach`, and `register`
   * (whose `program` is the struct_ops impl's name; it has no `args`); the hand-overs
   * `exec` (args: the script's file name, then its arguments) and `daemon`; `python`:
   * a call of a Python module function (`python` says which; emit/userspace/python-c.ts);
   * the runtime's `now`, `wall_time`, `sleep(ns)`, `running` (`RuntimeCall`; emit/userspace/runtime-calls.ts).
   */
  | { readonly kind: "builtin"; readonly name: "load" | "attach" | "detach" | "register" | "read" | "exec" | "daemon" | "python" | RuntimeCall; readonly args: readonly IrExpr[]; readonly program: string | undefined; readonly type: Type; readonly span: Span; readonly python?: IrPythonTarget }
  | { readonly kind: "programRef"; readonly name: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "structLiteral"; readonly struct: string; readonly fields: readonly { readonly name: string; readonly value: IrExpr }[]; readonly type: Type; readonly span: Span }
  | { readonly kind: "arrayLiteral"; readonly elements: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  | { readonly kind: "sizeof"; readonly of: Type; readonly type: Type; readonly span: Span }
  /** `ntohs(x)`, `htonl(x)`, …: a byte-order conversion (folded when `operand` is constant). */
  | { readonly kind: "byteOrder"; readonly name: "ntohs" | "ntohl" | "htons" | "htonl"; readonly operand: IrExpr; readonly type: Type; readonly span: Span }
  // --- strings-match (lower/lower-strings.ts, lower/lower-match.ts, emit/strings-c.ts) ---
  /** `a + b` on strings; the type is `str(N1 + N2)`. */
  | { readonly kind: "strConcat"; readonly left: IrExpr; readonly right: IrExpr; readonly type: Type; readonly span: Span }
  /** `a == b` / `a != b` on strings: a bounded byte compare (never `bpf_strncmp`). */
  | { readonly kind: "strEquals"; readonly left: IrExpr; readonly right: IrExpr; readonly negated: boolean; readonly type: Type; readonly span: Span }
  /** `s[i]`, a char; a run-time index past the capacity reads NUL. */
  | { readonly kind: "strIndex"; readonly target: IrExpr; readonly index: IrExpr; readonly type: Type; readonly span: Span }
  /** A `str(M)` value widened to the `str(N)` of `type` (M < N), or a `char`/`u8` array as text (`b as str(N)`: at most N bytes, up to a NUL). */
  | { readonly kind: "strConvert"; readonly value: IrExpr; readonly type: Type; readonly span: Span }
  /** A `str(N)` stored into the byte array of `type` (`u8[M]`, M ≥ N): only a `declare` init or an `assign` value. */
  | { readonly kind: "strBytes"; readonly value: IrExpr; readonly type: Type; readonly span: Span }
  /**
   * Statements, then a value: a `match` used inside a larger expression. `body` assigns
   * the local `result` (declared by the emitter, zero-initialised); the value is `result`.
   */
  | { readonly kind: "valueBlock"; readonly result: string; readonly body: readonly IrStmt[]; readonly type: Type; readonly span: Span }
  /** `rb.reserve()` (eBPF): a new record of the ring buffer, or null when it is full. */
  | { readonly kind: "ringbufReserve"; readonly map: string; readonly type: Type; readonly span: Span }
  /** `new T()`: a zeroed object of struct `of`, or null. `gfp`: the flag of `new T(GFP_…)` in kernel-module code. */
  | { readonly kind: "objectNew"; readonly of: Type; readonly type: Type; readonly span: Span; readonly gfp?: string }
  /**
   * `dispatch(rb, …)` (user space): polls the ring buffers until a signal or a handler stops
   * it; with `timeout` (nanoseconds, `dispatch(rb, 1s)`) at most that long.
   */
  | { readonly kind: "dispatch"; readonly maps: readonly string[]; readonly timeout?: IrExpr; readonly type: Type; readonly span: Span }
  /**
   * An operation of a queue/stack (`push(v)`; `pop(v)`/`peek(v)` copy into the local
   * `v` and are true when there was a value: `if (var v = q.pop())` becomes a block
   * declaring `v` and an `if` on this), perf event array (`output(ctx, record)`),
   * ring buffer (`dropped()`, user space) or per-CPU map (`per_cpu(k, cpu)`, `cpus()`,
   * user space). `valueType` is the map's value (record) type.
   */
  | {
    readonly kind: "mapMethod"; readonly map: string; readonly mapKind: MapKind; readonly method: MapMethod; readonly args: readonly IrExpr[]; readonly valueType: Type; readonly keyType: Type; readonly type: Type; readonly span: Span;
    /** `redirect`: the program type's helper (`bpf_redirect_map`, `bpf_msg_redirect_hash`, …). */
    readonly redirectHelper?: string;
  }
  /** Test code only (NAME.test.c; lower/lower-testing.ts): a run, a packet builder step, a failed assert. */
  | { readonly kind: "testCall"; readonly op: TestOp; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  /** The per-CPU slot (`IrModule.escapeSlots`) keeping `local` of `helper` after it returns `&local`; may be null. */
  | { readonly kind: "escapeSlot"; readonly helper: string; readonly local: string; readonly type: Type; readonly span: Span }
  // --- tracing (kernel/tracing.ts, lower/lower-tracing.ts, emit/tracing-c.ts) ---
  /**
   * `pid()`, `comm()`, … (eBPF: the current task), `log2(v)`, `lin(v, min, max, step)` (both
   * sides), stacks; `record(m, k, v)` names its `@stats` map in `map` (args: key, sample).
   */
  | { readonly kind: "tracing"; readonly op: TracingOp; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span; readonly map?: string }
  /**
   * `str(p, N)` in eBPF: a `str(N)` read through `address` with the helper of `source`;
   * `dataLoc`: `address` is a tracepoint record and `field` its `__data_loc` field.
   */
  | { readonly kind: "stringRead"; readonly source: StringSource; readonly address: IrExpr; readonly field: string | undefined; readonly type: Type; readonly span: Span };

export type { TracingOp, StringSource } from "./kernel/tracing.js";

/** The user-space runtime's calls that are `builtin` expressions (check/runtime-builtins.ts). */
export type RuntimeCall = "now" | "wall_time" | "sleep" | "running" | "ntop" | "macaddr" | "strftime";

/** What a map method does (the operation, whatever the method is called on its kind): kernel/map-kinds.ts. */
export type { MapMethod } from "./kernel/map-kinds.js";

export type TestOp =
  /** `test(prog, run)` (the return value) / `test_run(prog, run)` (a `TestResult`); args: [run]. */
  /** `target`: the program's attribute argument (a netfilter run's family and hook). */
  | { readonly kind: "run"; readonly program: string; readonly programType: ProgramType; readonly target: string | undefined; readonly result: "retval" | "result" }
  /** `eth_packet(h?)` (args: [h?]) or `p.METHOD(arg?)` (args: [p, arg?]). */
  | { readonly kind: "packet"; readonly method: string; readonly header: string | undefined }
  /** A failed `assert`: stops the test. args: [] or the two compared values. */
  | {
      readonly kind: "assertFailed"; readonly location: string; readonly text: string; readonly message: string | undefined;
      readonly operator: string | undefined;
      /** Enum constants to name the compared values by (`XDP_DROP (1)`). */
      readonly labels: readonly { readonly name: string; readonly value: bigint }[] | undefined;
    }
  /** `rb.next()` (the oldest record, by value; fails the test when there is none) / `rb.pending()`. args: []. */
  | { readonly kind: "records"; readonly map: string; readonly method: "next" | "pending"; readonly location: string }
  /**
   * A user-declared test context (`XdpTestContext { packet_size, … }`) turned into the
   * `TestRun` it describes; args: [the struct value]. Fields: name and what it fills.
   */
  | { readonly kind: "context"; readonly struct: string; readonly fields: readonly { readonly name: string; readonly role: TestContextRole }[] }
  /** `run_command("…")`: the command's exit status. args: []. */
  | { readonly kind: "command"; readonly command: string; readonly location: string };

/** Kernel declarations the generated eBPF C must provide itself, because the kernel's BTF
 * (so vmlinux.h) lacks them (check/struct-ops-compat.ts decides; emit/kernel-compat-c.ts
 * writes them inside `#ifndef KS_HAVE_<OPS>`). */
export interface KernelCompat {
  /** The struct_ops type the kernel's BTF lacks; its guard is `KS_HAVE_<OPS>`. */
  readonly opsType: string;
  /** Declared kernel structs BTF lacks, in declaration order (the ops struct among them). */
  readonly structs: readonly StructLayout[];
  /** Declared kernel enums BTF lacks, in declaration order. */
  readonly enums: readonly EnumLayout[];
}

/** The program's `license "…"` (check/license.ts). */
export interface LicenseInfo {
  readonly text: string;
  /** The declaration; `undefined` for the default. */
  readonly span: Span | undefined;
  readonly gplCompatible: boolean;
}
