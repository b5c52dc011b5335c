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
  /** eBPF programs (one SEC() each), in source order. */
  readonly programs: readonly IrProgram[];
  /** `@helper` functions: plain C functions in the BPF object. */
  readonly helpers: readonly IrFunction[];
  /** User-space functions, `main` included when the source has one. */
  readonly userFunctions: readonly IrFunction[];
  /** Whether the source has its own `main`; otherwise the default loader is emitted. */
  readonly hasUserMain: boolean;
  /** The `.ks` file the module was compiled from (as the user named it). */
  readonly sourcePath: string;
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
  readonly span: Span;
}

export interface IrGlobal {
  readonly name: string;
  readonly type: Type;
  readonly init: IrExpr | undefined;
  /** `local var`: kernel-only, not visible to user space. */
  readonly local: boolean;
  readonly pinned: boolean;
  readonly span: Span;
}

export type ProgramType = "xdp" | "tc" | "tracepoint" | "tp_btf" | "probe" | "kprobe" | "perf_event" | "struct_ops";

export interface IrProgram extends IrFunction {
  readonly programType: ProgramType;
  /** The libbpf section name, e.g. `xdp`, `tc`, `tracepoint/sched/sched_switch`. */
  readonly section: string;
  /** Attribute argument: tc direction, tracepoint `cat/event`, probe target. */
  readonly target: string | undefined;
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
}

// ---------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------

export type IrStmt =
  /** `unread`: the value is never read (C gets a `(void)` use to keep -Wall quiet). */
  | { readonly kind: "declare"; readonly name: string; readonly type: Type; readonly init: IrExpr | undefined; readonly unread: boolean; readonly span: Span }
  | { readonly kind: "assign"; readonly target: IrPlace; readonly op: IrAssignOp; readonly value: IrExpr; readonly span: Span }
  /** `m[k] = v` */
  | { readonly kind: "mapUpdate"; readonly map: string; readonly key: IrExpr; readonly value: IrExpr; readonly span: Span }
  /**
   * `m[k] op= v`: one lookup; in place when present, otherwise the entry is created
   * with `0 op v` (for `+=` that is `v`).
   */
  | { readonly kind: "mapCompound"; readonly map: string; readonly key: IrExpr; readonly op: IrArithOp; readonly value: IrExpr; readonly span: Span }
  /** `delete m[k]` */
  | { readonly kind: "mapDelete"; readonly map: string; readonly key: IrExpr; readonly span: Span }
  | { readonly kind: "expr"; readonly expr: IrExpr; readonly span: Span }
  | { readonly kind: "if"; readonly condition: IrExpr; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span }
  /**
   * `if (var binding = m[k]) {…} else {…}`: `binding` is a pointer to the map value in
   * the then-branch; reads and field writes go through it (in place).
   */
  | { readonly kind: "ifMapEntry"; readonly binding: string; readonly map: string; readonly key: IrExpr; readonly keyType: Type; readonly valueType: Type; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span }
  | { readonly kind: "while"; readonly condition: IrExpr; readonly body: readonly IrStmt[]; readonly span: Span }
  | { readonly kind: "forRange"; readonly variable: string; readonly variableType: Type; readonly start: IrExpr; readonly end: IrExpr; readonly body: readonly IrStmt[]; readonly span: Span }
  | { readonly kind: "break"; readonly span: Span }
  | { readonly kind: "continue"; readonly span: Span }
  | { readonly kind: "return"; readonly value: IrExpr | undefined; readonly span: Span }
  | { readonly kind: "print"; readonly format: string; readonly args: readonly IrExpr[]; readonly span: Span }
  /** `rb.submit(e)` / `rb.discard(e)` (eBPF): hands the reserved record back. */
  | { readonly kind: "ringbufRelease"; readonly op: "submit" | "discard"; readonly map: string; readonly record: IrExpr; readonly span: Span }
  /** `delete p` for an object from `new`. */
  | { readonly kind: "objectDelete"; readonly pointer: IrExpr; readonly span: Span }
  /** `rb.on_event(handler)` (user space): the user function called for each record. */
  | { readonly kind: "onEvent"; readonly map: string; readonly handler: string; readonly span: Span }
  /** `if (var binding = value) {…} else {…}` for a pointer: `binding` is non-null in `then`. */
  | { readonly kind: "ifPointer"; readonly binding: string; readonly type: Type; readonly value: IrExpr; readonly then: readonly IrStmt[]; readonly else: readonly IrStmt[] | undefined; readonly span: Span };

export type IrArithOp = "+" | "-" | "*" | "/" | "%" | "&" | "|" | "^" | "<<" | ">>";
export type IrAssignOp = "=" | IrArithOp;

/** Something that can be assigned to. */
export type IrPlace =
  | { readonly kind: "local"; readonly name: string; readonly type: Type }
  | { readonly kind: "global"; readonly name: string; readonly type: Type }
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
  | { readonly kind: "local"; readonly name: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "global"; readonly name: string; readonly type: Type; readonly span: Span }
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
  /** `m[k] != null` / `m[k] == null`: whether the entry exists. */
  | { readonly kind: "mapContains"; readonly map: string; readonly key: IrExpr; readonly type: Type; readonly span: Span }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  /** Lifecycle builtins in user space: `load`, `attach`, `detach`. */
  | { readonly kind: "builtin"; readonly name: "load" | "attach" | "detach"; readonly args: readonly IrExpr[]; readonly program: string | undefined; readonly type: Type; readonly span: Span }
  | { readonly kind: "programRef"; readonly name: string; readonly type: Type; readonly span: Span }
  | { readonly kind: "structLiteral"; readonly struct: string; readonly fields: readonly { readonly name: string; readonly value: IrExpr }[]; readonly type: Type; readonly span: Span }
  | { readonly kind: "arrayLiteral"; readonly elements: readonly IrExpr[]; readonly type: Type; readonly span: Span }
  | { readonly kind: "sizeof"; readonly of: Type; readonly type: Type; readonly span: Span }
  /** `rb.reserve()` (eBPF): a new record of the ring buffer, or null when it is full. */
  | { readonly kind: "ringbufReserve"; readonly map: string; readonly type: Type; readonly span: Span }
  /** `new T()`: a zeroed object of struct `of`, or null. */
  | { readonly kind: "objectNew"; readonly of: Type; readonly type: Type; readonly span: Span }
  /** `dispatch(rb, …)` (user space): polls the ring buffers until a signal or a handler stops it. */
  | { readonly kind: "dispatch"; readonly maps: readonly string[]; readonly type: Type; readonly span: Span };
