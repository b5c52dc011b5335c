//! The state shared by the checker's topic files while one program is checked: the
//! side tables being filled, the type tables, and the diagnostics collector.

import type * as ast from "../ast.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import type { Host } from "../host.js";
import type { SourceFile } from "../source.js";
import type { EnumLayout, StructLayout, Type } from "../types.js";
import type { ConfigInfo, FunctionInfo, GlobalInfo, IfBindingKind, MapInfo, StructOpsInfo, Symbol } from "./semantics.js";
import { Scope } from "./scope.js";
import { ExprTable } from "./expr-table.js";
import { PacketFacts } from "./packet-facts.js";
import { newTestingFacts } from "./testing.js";
import type { FlowRecorder } from "./error-facts.js";
import { btfFor, BtfError } from "../kernel/btf.js";
import { KernelTypes } from "../kernel/kernel-types.js";
import { perfContextFallback } from "../kernel/perf.js";
import { socketContextFallbacks } from "../kernel/socket-contexts.js";

export interface CheckInputs {
  readonly host: Host;
  /** Files read so far; includes are added as they are read. */
  readonly sources: Map<string, SourceFile>;
  readonly diags: Diagnostics;
  /** A tracepoint or kernel function missing from the BTF: `warning` or `error` (pipeline.ts). */
  readonly kernelFacts: "warning" | "error";
  /**
   * Where the error flow's facts come from (error-facts.ts): recorded while checking (the
   * default), or a walk of each tree afterwards, what a file with errors always uses.
   * tests/unit/error-facts.test.ts checks that both give the same answers.
   */
  readonly errorFactsFrom?: "checking" | "walk";
}

/**
 * Where the function being checked runs: `kernel` is eBPF code, `module` the generated
 * kernel module (`@kfunc`/`@private`, check/kmod.ts), `user` the loader program.
 */
export type Side = "kernel" | "user" | "module";

export interface FunctionContext {
  readonly info: FunctionInfo;
  readonly side: Side;
  /** Number of enclosing loops, for `break`/`continue`. */
  loopDepth: number;
  /** `-> r: T`: a naked `return` returns `r`. */
  readonly hasNamedResult?: boolean;
  /** What the body says about errors, recorded as it is checked (error-facts.ts). */
  readonly flow: FlowRecorder;
}

/**
 * Struct (or enum) layouts by name: the file's and the built-in ones, then the kernel's
 * from BTF, converted the first time a name is looked up, then `defaults`: built-in
 * layouts that only apply when the kernel has no type of that name. The defaults are
 * consulted lazily, so a program that names no kernel type never makes the kernel's BTF
 * be read (~0.2 s). Listing the names (only "did you mean" does) includes each default
 * the kernel lacks, as if it had been declared up front.
 */
export class LayoutTable<T> extends Map<string, T> {
  constructor(
    private readonly kernel: (name: string) => T | undefined,
    private readonly defaults: ReadonlyMap<string, T> = new Map(),
  ) {
    super();
  }

  override get(name: string): T | undefined {
    const own = super.get(name);
    if (own !== undefined) return own;
    const found = this.kernel(name) ?? this.defaults.get(name);
    if (found !== undefined) super.set(name, found);
    return found;
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** The layout the file or the built-in tables declare (or one already converted), without asking the kernel. */
  declared(name: string): T | undefined {
    return super.get(name);
  }

  override get size(): number {
    this.settleDefaults();
    return super.size;
  }

  override keys(): MapIterator<string> {
    this.settleDefaults();
    return super.keys();
  }

  override values(): MapIterator<T> {
    this.settleDefaults();
    return super.values();
  }

  override entries(): MapIterator<[string, T]> {
    this.settleDefaults();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[string, T]> {
    return this.entries();
  }

  override forEach(callback: (value: T, key: string, map: Map<string, T>) => void, thisArg?: unknown): void {
    this.settleDefaults();
    super.forEach(callback, thisArg);
  }

  /** Each default the file and the kernel lack becomes an entry (kernel types stay lazy). */
  private settleDefaults(): void {
    for (const [name, layout] of this.defaults) {
      if (super.get(name) === undefined && this.kernel(name) === undefined) super.set(name, layout);
    }
  }
}

export class CheckContext {
  /** Kernel types from the Host's BTF (none in the playground). */
  readonly kernelTypes: KernelTypes;
  readonly structs: LayoutTable<StructLayout>;
  readonly enums: LayoutTable<EnumLayout>;
  readonly aliases = new Map<string, Type>();
  readonly userStructs: StructLayout[] = [];
  readonly userEnums: EnumLayout[] = [];
  readonly typedefs: { name: string; type: Type }[] = [];
  readonly maps: MapInfo[] = [];
  readonly globals: GlobalInfo[] = [];
  readonly configs: ConfigInfo[] = [];
  /** Struct declarations by name, for pointing at a field's written type. */
  readonly structDecls = new Map<string, ast.StructDecl>();
  /** Enums declared in included `.kh` headers, in order (struct-ops-compat.ts). */
  readonly headerEnums: string[] = [];
  readonly functions: FunctionInfo[] = [];
  readonly structOps: StructOpsInfo[] = [];
  /** Every expression's type, and below every name's symbol: arrays by expression number (expr-table.ts). */
  readonly exprTypes = new ExprTable<ast.Expr, Type>();
  /** Values narrowed implicitly where they are stored (W0260), with the type they become. */
  readonly implicitConversions = new Map<ast.Expr, Type>();
  readonly references = new ExprTable<ast.NameExpr, Symbol>();
  readonly declarations = new Map<ast.Node, Symbol>();
  readonly typeOperands = new Map<ast.TypeExpr, Type>();
  /** The constant each name pattern of a `match` arm refers to. */
  readonly patternConstants = new Map<ast.Ident, Extract<Symbol, { kind: "constant" }>>();
  /** Every direct call between declared functions, for the recursion rule. */
  readonly calls: { readonly caller: FunctionInfo; readonly callee: FunctionInfo; readonly span: import("../source.js").Span }[] = [];
  /** `return other(ctx)` tail calls and their target program. */
  readonly tailCalls = new Map<ast.CallExpr, FunctionInfo>();
  /** `@probe("sys_NAME")` programs that are ksyscall programs, with the system call's name. */
  readonly syscallProbes = new Map<ast.FunctionDecl, string>();
  /** `var x = null` in the function being checked, until an assignment gives `x` a type (statements.ts). */
  readonly nullLocals = new Map<number, { readonly stmt: ast.VarStmt; typed: boolean }>();
  /** `x == null` / `x != null` on an integer: compared with 0 (W0273). */
  readonly integerNullTests = new Set<ast.BinaryExpr>();
  /** `str(p)` reads: which helper, how long (check/tracing-builtins.ts). */
  readonly stringReads = new Map<ast.CallExpr, import("./tracing-builtins.js").StringRead>();
  /** The syntax tree of every file checked (main file, includes, imports), by path. */
  readonly syntaxTrees = new Map<string, ast.SourceFileAst>();
  /** A function body's last statement that is a bare `match` giving the result (checker.ts). */
  readonly matchValueTails = new Set<ast.ExprStmt>();
  /** `return &local` in an eBPF @helper: the local is kept in a per-CPU slot (W0272). */
  readonly escapingLocals = new Map<ast.Expr, { readonly helper: string; readonly local: string; readonly type: Type }>();
  /** Ids of local symbols whose value is read somewhere. */
  readonly readLocals = new Set<number>();
  /** File-level names: maps, globals, functions, enum and built-in constants. */
  readonly globalScope = new Scope(undefined);
  /** Packet-access proofs (header bindings, offset bounds). */
  readonly packets = new PacketFacts();
  /** `(m[k] += v)` values of the statement being checked (check/compound-values.ts); made on first use. */
  compoundValues: import("../ast.js").AssignExpr[] | undefined = undefined;
  /** What each `if (var x = …)` binds (Semantics.ifBindings). */
  readonly ifBindings = new Map<ast.IfStmt, IfBindingKind>();
  /** `m[k]` of maps of objects in the forms they support (check/object-maps.ts). */
  readonly objectMapIndexes = new Set<import("../ast.js").IndexExpr>();
  /** `@test` code: asserts, test runs, helpers it calls (check/testing.ts). */
  readonly testing = newTestingFacts();
  /** What each function body says about errors, recorded while checking it (check/error-facts.ts). */
  readonly errorFacts = new Map<FunctionInfo, FlowRecorder>();
  private nextLocalId = 1;

  constructor(readonly inputs: CheckInputs) {
    this.kernelTypes = new KernelTypes(() => {
      const bytes = inputs.host.readKernelBtf?.();
      if (!bytes) return undefined;
      try {
        return btfFor(bytes);
      } catch (error) {
        // Unreadable BTF behaves like none: kernel types then come from the built-in table.
        if (error instanceof BtfError) return undefined;
        throw error;
      }
    });
    this.structs = new LayoutTable((name) => this.kernelTypes.struct(name), new Map([perfContextFallback, ...socketContextFallbacks].map((layout) => [layout.name, layout])));
    this.enums = new LayoutTable((name) => this.kernelTypes.enum(name));
  }

  get diags(): Diagnostics {
    return this.inputs.diags;
  }

  freshLocalId(): number {
    return this.nextLocalId++;
  }

  get tables(): { structs: ReadonlyMap<string, StructLayout>; enums: ReadonlyMap<string, EnumLayout> } {
    return { structs: this.structs, enums: this.enums };
  }
}
