//! `Semantics`: what the checker knows about a program, kept beside the AST in side
//! tables (the AST itself is never changed). Lowering reads it; so will the LSP (hover,
//! go-to-definition).

import type * as ast from "../ast.js";
import type { ProgramTypeInfo } from "../kernel/program-types.js";
import type { MapType, StructLayout, EnumLayout, Type, TypeTables } from "../types.js";
import type { Span } from "../source.js";
import type { NullOrigin } from "../diagnostics/catalog/safety.js";
import type { IrConst } from "../ir.js";
import type { ErrorFlow } from "./errors.js";
import type { LoopFacts } from "./loops.js";

/** Where a function runs and how it is called. */
export type FunctionRole =
  | { readonly kind: "program"; readonly info: ProgramTypeInfo; readonly target: string | undefined }
  | { readonly kind: "helper" }
  | { readonly kind: "userspace" }
  | { readonly kind: "kfunc" }
  | { readonly kind: "private" }
  | { readonly kind: "test" }
  | { readonly kind: "extern" };

export interface FunctionInfo {
  readonly name: string;
  readonly decl: ast.FunctionDecl | ast.ExternDecl;
  readonly role: FunctionRole;
  readonly params: readonly { readonly name: string; readonly type: Type }[];
  readonly returnType: Type;
  readonly span: Span;
}

/** `@struct_ops("tcp_congestion_ops") impl my_cc { fn ssthresh(…) … name: "x", }` */
export interface StructOpsInfo {
  readonly name: string;
  readonly decl: ast.ImplDecl;
  /** The kernel struct the impl fills in (`tcp_congestion_ops`). */
  readonly opsType: string;
  /** Methods: the member they fill and the (helper-like) function with their body. */
  readonly methods: readonly { readonly member: string; readonly function: FunctionInfo }[];
  /** Data members given a value (`name: "my_cc"`). */
  readonly fields: readonly { readonly name: string; readonly value: ast.Expr; readonly type: Type }[];
  /** The kernel's BTF lacks `opsType`: its members came from a declaration (struct-ops-compat.ts). */
  readonly compat?: boolean;
}

export interface MapInfo {
  readonly name: string;
  readonly decl: ast.GlobalVarDecl;
  readonly type: MapType;
  readonly flags: number;
  readonly pinned: boolean;
  /** `map_extra` from the kind's attribute (`@hashes(n)`); absent when not given. */
  readonly extra?: number;
  /** `@hist`, `@lhist(…)`, `@top(N)`: how user space prints it (check/aggregations.ts). */
  readonly display?: import("../ir.js").MapDisplay;
}

export interface GlobalInfo {
  readonly name: string;
  readonly decl: ast.GlobalVarDecl;
  readonly type: Type;
  /** The checked constant initial value (absent: zero). */
  readonly init: ConstValue | undefined;
}

/** A compile-time constant: the initial value of a global or a config field. */
export type ConstValue = IrConst;

/** `config NAME { field: T = default, … }`. */
export interface ConfigInfo {
  readonly name: string;
  readonly decl: ast.ConfigDecl;
  readonly fields: readonly { readonly name: string; readonly type: Type; readonly default: ConstValue | undefined; readonly span: Span }[];
}

export type Symbol =
  | {
      readonly kind: "local"; readonly name: string; readonly type: Type; readonly isConst: boolean; readonly span: Span; readonly id: number;
      /** A pointer that may be null here: where it came from (E0415 words it). Cleared by null checks. */
      readonly mayBeNull?: NullOrigin;
      /** `var s = m[k]`: the map whose entry `s` aliases (reads copy, writes go through). */
      readonly mapAlias?: string;
    }
  /** The binding of `if (var v = m[k])`: a pointer into the entry of `map`. */
  | { readonly kind: "entry"; readonly name: string; readonly type: Type; readonly span: Span; readonly id: number; readonly map?: string }
  | { readonly kind: "global"; readonly info: GlobalInfo }
  | { readonly kind: "config"; readonly info: ConfigInfo }
  | { readonly kind: "map"; readonly info: MapInfo }
  | { readonly kind: "function"; readonly info: FunctionInfo }
  /** A struct_ops `impl` block (the argument of `register`). */
  | { readonly kind: "structOps"; readonly info: StructOpsInfo }
  | { readonly kind: "constant"; readonly name: string; readonly value: bigint; readonly type: Type; readonly inC: boolean; readonly span: Span | undefined };

/** Everything later passes need, in source order. */
/**
 * The kinds of `if (var x = …)`: a packet header proven in bounds (`ctx.header(off)`),
 * the value popped/peeked from a queue or stack, a checked pointer, a map entry.
 */
export type IfBindingKind = "packetHeader" | "pop" | "pointer" | "mapEntry";

export interface Semantics {
  readonly sourcePath: string;
  readonly tables: TypeTables;
  /** User structs/enums in declaration order (kernel ones are not emitted). */
  readonly userStructs: readonly StructLayout[];
  readonly userEnums: readonly EnumLayout[];
  readonly typedefs: readonly { readonly name: string; readonly type: Type }[];
  readonly maps: readonly MapInfo[];
  readonly globals: readonly GlobalInfo[];
  readonly configs: readonly ConfigInfo[];
  readonly functions: readonly FunctionInfo[];
  readonly structOps: readonly StructOpsInfo[];
  /** The eBPF object's license (check/license.ts); the default `GPL` when undeclared. */
  readonly license: import("../ir.js").LicenseInfo;
  /** Kernel declarations the eBPF C provides itself (struct-ops-compat.ts). */
  readonly kernelCompat: import("../ir.js").KernelCompat | undefined;
  /** `extern` kfuncs the kernel's BTF lacks (declared `__ksym __weak`). */
  readonly missingKfuncs: ReadonlySet<string>;
  /** The type of every checked expression (integer literals get their final type). */
  readonly exprTypes: ReadonlyMap<ast.Expr, Type>;
  /** Expressions stored narrowed (W0260) and the type they are converted to; lowering casts them. */
  readonly implicitConversions: ReadonlyMap<ast.Expr, Type>;
  /** What each name expression refers to. */
  readonly references: ReadonlyMap<ast.NameExpr, Symbol>;
  /** `m.f(args)` calls of imported module functions (check/imports.ts). */
  readonly moduleCalls: ReadonlyMap<ast.CallExpr, FunctionInfo>;
  /** Python modules and their calls, `exec()` scripts, `daemon()` (check/python.ts, check/exec.ts). */
  readonly handover: {
    readonly pythonModules: readonly import("./python.js").PythonModule[];
    readonly pythonCalls: ReadonlyMap<ast.CallExpr, import("./python.js").PythonCall>;
    readonly execScripts: readonly import("./exec.js").ExecScript[];
    readonly daemon: boolean;
  };
  /** The symbol each local declaration (`var`, parameter, loop variable, binding) made. */
  readonly declarations: ReadonlyMap<ast.Node, Symbol>;
  /** Ids of local symbols that are never read (their C gets `(void)name;`). */
  readonly unreadLocals: ReadonlySet<number>;
  /** Resolved types of the `as`/`sizeof`/`new` type operands. */
  readonly typeOperands: ReadonlyMap<ast.TypeExpr, Type>;
  /** `return other(ctx)` calls that are tail calls, with their target program. */
  readonly tailCalls: ReadonlyMap<ast.CallExpr, FunctionInfo>;
  /** Probes of system calls entered through an architecture wrapper (ksyscall), with the call's name. */
  readonly syscallProbes: ReadonlyMap<ast.FunctionDecl, string>;
  /** Proven `if (var h: *T = ctx.header(off))` bindings. */
  readonly packetBindings: ReadonlyMap<ast.IfStmt, import("./packet-facts.js").HeaderBinding>;
  /** What each `if (var x = …)` binds, as the checker decided it (lowering switches on it). */
  readonly ifBindings: ReadonlyMap<ast.IfStmt, IfBindingKind>;
  /** Packet bytes read without a proof, given a generated bounds check (W0276). */
  readonly implicitPacketReads: ReadonlyMap<ast.Expr, import("./packet-facts.js").ImplicitPacketRead>;
  /** Which functions may throw, and where each `throw` is (check/errors.ts). */
  readonly errorFlow: ErrorFlow;
  /** What the checker proved about each loop (constant bounds, iteration limits, maps). */
  readonly loops: ReadonlyMap<ast.Stmt, LoopFacts>;
  /** The constant (enum or built-in) each name pattern of a `match` arm refers to. */
  readonly patternConstants: ReadonlyMap<ast.Ident, Extract<Symbol, { kind: "constant" }>>;
  /** `return &local` of an eBPF @helper (the `&` expression): its local lives in a per-CPU slot (check/pointers.ts). */
  readonly escapingLocals: ReadonlyMap<ast.Expr, { readonly helper: string; readonly local: string; readonly type: Type }>;
  /** `x == null` / `x != null` on an integer: lowered as a comparison with 0 (W0273). */
  readonly integerNullTests: ReadonlySet<ast.BinaryExpr>;
  /** How each `str(p)` / `ustr` / `kstr` call reads its string (check/tracing-builtins.ts). */
  readonly stringReads: ReadonlyMap<ast.CallExpr, import("./tracing-builtins.js").StringRead>;
  /** Bare `match` statements ending a function with a result: its value (checked as `return match`). */
  readonly matchValueTails: ReadonlySet<ast.ExprStmt>;
  /**
   * The syntax tree of every file read (main file, `.kh` includes, imported modules), by
   * path: the language service finds the node under the cursor in them.
   */
  readonly syntaxTrees: ReadonlyMap<string, ast.SourceFileAst>;
  /** What `@test` code uses (check/testing.ts). */
  readonly testing: import("./testing.js").TestingFacts;
}
