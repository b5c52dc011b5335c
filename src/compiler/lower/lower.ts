//! lower(): Semantics (+ the AST it annotates) → Ir.
//!
//! Runs only on programs the checker accepted, so every name resolves and every
//! expression has a type; a missing entry is a compiler bug (InternalError), never a
//! user error. Map operations become explicit IR nodes, literals get their final
//! integer types, and `print` formats get conversions that match their arguments.

import { lowerHandover, lowerHandoverCall } from "./lower-handover.js";
import type * as ast from "../ast.js";
import type { Semantics, FunctionInfo, IfBindingKind, Symbol } from "../check/semantics.js";
import { defaultLiteralType } from "../check/conversions.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { boolType, i32, truncateToType, u64 } from "../types.js";
import type { Span } from "../source.js";
import { lowerCast, lowerPrintCall, lowerRuntimeCall, printVariantOf } from "./lower-runtime.js";
import { configField, globalStorage, lowerConfigs, lowerGlobals, pinnedGlobalsStorage } from "./lower-globals.js";
import { headerCall } from "../check/packets.js";
import { byteOrderBuiltins, packetHeaderByName } from "../kernel/headers.js";
import {
  ErrorLowering, hoistThrowingCall, lowerDefer, lowerShortCircuit, lowerThrow, lowerTry, lowerWhile, namedResultFrame,
} from "./lower-errors.js";
import { mapLowering, rangeLowering, type Side } from "./lower-loops.js";
import { coerce, lowerStringBinary } from "./lower-strings.js";
import { lowerTracingCall } from "./lower-tracing.js";
import { cField, lowerStructLiteral } from "./lower-struct-literals.js";
import { arrayParams } from "./array-params.js";
import type { MatchLowering } from "./lower-match.js";
import { lowerMatchInto, lowerMatchStatement, lowerMatchValue, lowerReturnMatch } from "./lower-match.js";
import { implicitPacketRead } from "./lower-packets.js";
import { CombinedReads, lowerStatements, lowerUpdateStatement, lowerUpdateValue, presenceUpdate } from "./map-update-values.js";
import { lowerMapAssignment, lowerMapRead, lowerMaps } from "./lower-object-maps.js";
import { lowerNew, lowerPointerBinding, lowerRingbufCall, lowerRingbufStatement } from "./lower-ringbuf.js";
import { programTypeFor, programTypeInfo, syscallProbeType } from "../kernel/program-types.js";
import { lowerInnerMapRead, lowerMapMethodCall, lowerPopBinding, socketMapTarget } from "./lower-map-kinds.js";
import { lowerStructOps } from "./lower-struct-ops.js";
import { moduleKfuncCallers, moduleKfuncExterns, withCallerTypes } from "./lower-kmod.js";
import { CallLowering, hasFunctionParameters, isLegacyHelper, lowerExterns } from "./lower-calls.js";
import { aliasKeyName, aliasPointerName, privateFunctionName, temporaryName } from "../names.js";
import { lowerAssert, lowerTestCall } from "./lower-testing.js";
import { SharedMemory } from "./shared-memory.js";
import { atomicCapable } from "../kernel/builtins.js";
import { unparenthesize } from "../ast.js";
import { escapeSlots, lowerIntegerNullTest, lowerPrintValue, lowerReturn } from "./lower-escapes.js";
import { mapInfoNamed } from "./map-infos.js";

export class InternalError extends Error {}

/** `tests`: also the `@test` functions and the helpers they call (test mode only emits or runs them). */
export function lower(semantics: Semantics, name: string, tests: boolean): ir.IrModule {
  const programs: ir.IrProgram[] = [];
  const helpers: ir.IrFunction[] = [];
  const userFunctions: ir.IrFunction[] = [];
  const testFunctions: ir.IrFunction[] = [];
  const kernelModule: ir.IrModuleFunction[] = [];
  const calls = new CallLowering();
  const throwingNames = new Set([...semantics.errorFlow.throwing].map((f) => f.name));
  for (const info of semantics.functions) {
    if (info.decl.kind !== "FunctionDecl" || !info.decl.body) continue;
    // eBPF helpers with function parameters exist only as copies per function passed.
    if (info.role.kind === "helper" && hasFunctionParameters(info)) continue;
    if (info.role.kind === "test" && !tests) continue;
    const fn = lowerFunction(semantics, calls, info, info.decl.body, new Map(), throwingNames);
    switch (info.role.kind) {
      case "program": {
        const programInfo = info.role.info;
        const syscall = info.decl.kind === "FunctionDecl" ? semantics.syscallProbes.get(info.decl) : undefined;
        programs.push(syscall !== undefined
          ? { ...fn, programType: syscallProbeType.programType, section: syscallProbeType.section(syscall), target: info.role.target }
          : { ...fn, programType: programTypeFor(programInfo, info.role.target), section: programInfo.section(info.role.target), target: info.role.target });
        break;
      }
      case "helper": helpers.push(fn); break;
      case "userspace": userFunctions.push(fn); break;
      case "test": testFunctions.push(fn); break;
      case "kfunc": kernelModule.push({ ...fn, exported: true, callerTypes: [] }); break;
      case "private": kernelModule.push({ ...fn, name: privateFunctionName(fn.name), exported: false, callerTypes: [] }); break;
      default: break;
    }
  }
  for (let s = calls.nextSpecialization(); s; s = calls.nextSpecialization()) {
    const decl = s.info.decl;
    if (decl.kind !== "FunctionDecl" || !decl.body) continue;
    const env = new Map<number, string>();
    decl.params.forEach((param, i) => {
      const symbol = semantics.declarations.get(param.name);
      const bound = s!.bindings[i];
      if (symbol?.kind === "local" && bound !== undefined) env.set(symbol.id, bound);
    });
    const fn = lowerFunction(semantics, calls, s.info, decl.body, env, throwingNames);
    helpers.push({ ...fn, name: s.name, params: fn.params.filter((_, i) => s!.bindings[i] === undefined) });
  }
  // Helpers test code calls: again, as user-space C (check/testing.ts proved them portable).
  const testHelpers = !tests ? [] : [...semantics.testing.helpers].flatMap((info) => info.decl.kind === "FunctionDecl" && info.decl.body
    ? [lowerFunction(semantics, calls, { ...info, role: { kind: "test" } }, info.decl.body, new Map(), throwingNames)] : []);
  const globals = lowerGlobals(semantics);
  const pinnedGlobals = pinnedGlobalsStorage(globals);
  const handover = lowerHandover(semantics);
  return {
    name,
    sourcePath: semantics.sourcePath,
    structs: pinnedGlobals ? [...semantics.userStructs, pinnedGlobals.struct] : semantics.userStructs,
    enums: semantics.userEnums,
    typedefs: semantics.typedefs,
    maps: lowerMaps(semantics).concat(pinnedGlobals ? [pinnedGlobals.map] : []),
    globals,
    configs: lowerConfigs(semantics),
    structOps: lowerStructOps(semantics, helpers),
    programs,
    helpers,
    userFunctions,
    hasUserMain: userFunctions.some((f) => f.name === "main"),
    license: semantics.license,
    testFunctions,
    testHelpers,
    externs: [...lowerExterns(semantics.functions, semantics.missingKfuncs), ...moduleKfuncExterns(semantics.functions, [...programs, ...helpers])],
    moduleKfuncCallers: moduleKfuncCallers(kernelModule, programs, helpers),
    kernelModule: withCallerTypes(kernelModule, programs, helpers, semantics.structOps.flatMap((s) => s.methods.map((m) => m.function.name))),
    kernelCompat: semantics.kernelCompat,
    tailCallTargets: calls.tailCallTargets,
    escapeSlots: escapeSlots(semantics),
    ...(handover ? { handover } : {}),
  };
}

/** Per-function lowering state. */
export class FunctionLowering implements MatchLowering {
  private temporaries = 0;
  /** IR names of locals declared `var e = rb.reserve()` (their release is guarded: W0254). */
  readonly reservedLocals = new Set<string>();
  /** The stack copies of objects moved into maps, declared at function level (lower-object-maps.ts). */
  readonly objectHomes: ir.IrStmt[] = [];
  /** Statements to run before the expression being lowered (hoisted calls that may throw). */
  pending: ir.IrStmt[] = [];

  constructor(
    readonly semantics: Semantics,
    readonly calls: CallLowering,
    readonly info: FunctionInfo,
    /** Function-typed locals and parameters whose function is known (eBPF side). */
    readonly functionValues: Map<number, string>,
    readonly errors: ErrorLowering,
    /** The named result `r` of `-> r: T`, as a local. */
    readonly namedResult: Extract<ir.IrExpr, { kind: "local" }> | undefined,
    /** The function's body (for the whole-function facts below). */
    private readonly body: ast.Block,
  ) {}

  private shared: SharedMemory | undefined;

  /** Which places other CPUs write too (for atomic `+=`/`-=`). */
  get sharedMemory(): SharedMemory {
    return (this.shared ??= new SharedMemory(this.semantics, this.body, this.side === "kernel"));
  }

  get kernel(): boolean {
    return this.info.role.kind !== "userspace" && this.info.role.kind !== "test";
  }

  /** Where the function runs (decides how its loops become C; kernel-module code loops like user space). */
  get side(): Side {
    return this.kernel && this.info.role.kind !== "kfunc" && this.info.role.kind !== "private" ? "kernel" : "user";
  }

  /** The function a function-valued expression denotes on the eBPF side. */
  staticFunction(expr: ast.Expr): string {
    const e = unparenthesize(expr);
    if (e.kind === "NameExpr") {
      const symbol = this.symbolOf(e);
      if (symbol.kind === "function") return symbol.info.name;
      if (symbol.kind === "local") {
        const known = this.functionValues.get(symbol.id);
        if (known) return known;
      }
    }
    throw new InternalError(`unresolved function value at ${expr.span.start}`);
  }

  mapKeyType(map: string): Type {
    return this.mapType(map).key;
  }

  /** `+=`/`-=` on a 32/64-bit integer in memory other CPUs write too (lower/shared-memory.ts): atomic. */
  atomicUpdate(op: ir.IrAssignOp, target: ast.Expr): boolean {
    return atomicCapable(op, this.typeOf(target)) && this.sharedMemory.isShared(target);
  }

  /** The alias symbol `expr` names, if it is a map-lookup alias. */
  aliasOf(expr: ast.Expr): Extract<Symbol, { kind: "local" }> | undefined {
    const e = unparenthesize(expr);
    if (e.kind !== "NameExpr") return undefined;
    const symbol = this.semantics.references.get(e);
    return symbol?.kind === "local" && symbol.mapAlias ? symbol : undefined;
  }

  /** Lowers with a fresh `pending` list and returns what was hoisted separately. */
  withPrelude<T>(lowerIt: () => T): { prelude: ir.IrStmt[]; value: T } {
    const outer = this.pending;
    this.pending = [];
    const value = lowerIt();
    const prelude = this.pending;
    this.pending = outer;
    return { prelude, value };
  }

  /** A compiler temporary: `%` cannot start a source name; the emitter spells it `__ks_…`. */
  temporary(purpose: string): string {
    return `%${purpose}${++this.temporaries}`;
  }

  patternConstant(name: ast.Ident): Extract<Symbol, { kind: "constant" }> {
    const symbol = this.semantics.patternConstants.get(name);
    if (!symbol) throw new InternalError(`unresolved match pattern ${name.name}`);
    return symbol;
  }

  /** `return other(ctx)` (or a `return match` arm giving it) where the checker found a tail call. */
  tailCall(value: ast.Expr, span: import("../source.js").Span): ir.IrStmt[] | undefined {
    const call = unparenthesize(value);
    const target = call.kind === "CallExpr" ? this.semantics.tailCalls.get(call) : undefined;
    if (!target || call.kind !== "CallExpr") return undefined;
    const programType = this.info.role.kind === "program" ? this.info.role.info.programType : undefined;
    return [{
      kind: "tailCall", target: target.name, index: this.calls.tailCallSlot(target.name), context: this.expr(call.args[0]!),
      fallback: tailCallFallback(programType, span), span,
    }];
  }

  mapType(map: string): import("../types.js").MapType {
    const info = mapInfoNamed(this.semantics, map);
    if (!info) throw new InternalError(`unknown map ${map}`);
    return info.type;
  }

  /** `print(…)` (the builtin, not a user function named print), or `printf`, `eprint`, `eprintf` (lower-runtime.ts). */
  isPrintCall(expr: ast.CallExpr): boolean {
    return printVariantOf(this.semantics.references, expr) !== undefined;
  }

  typeOf(expr: ast.Expr): Type {
    const type = this.semantics.exprTypes.get(expr);
    if (!type) throw new InternalError(`no type recorded for ${expr.kind} at ${expr.span.start}`);
    if (type.kind === "intLiteral") return defaultLiteralType(type.value);
    if (type.kind === "error") throw new InternalError(`error type reached lowering at ${expr.span.start}`);
    return type;
  }

  symbolOf(expr: ast.NameExpr): Symbol {
    const symbol = this.semantics.references.get(expr);
    if (!symbol) throw new InternalError(`unresolved name ${expr.name.name}`);
    return symbol;
  }

  mapName(expr: ast.Expr): string | undefined {
    if (expr.kind !== "NameExpr") return undefined;
    const symbol = this.semantics.references.get(expr);
    return symbol?.kind === "map" ? symbol.info.name : undefined;
  }

  /** Statements in order; an update and the reads right after it may share a lookup (map-update-values.ts). */
  block(statements: readonly ast.Stmt[]): ir.IrStmt[] {
    return lowerStatements(this, statements);
  }

  /** Map reads that take the value a `m[k] op= v` just left in the entry. */
  readonly combinedReads = new CombinedReads();

  /** One statement, preceded by the calls its expressions hoisted. */
  statement(stmt: ast.Stmt): ir.IrStmt[] {
    // `withPrelude` inlined: this runs once per statement.
    const outer = this.pending;
    this.pending = [];
    const value = this.statementItself(stmt);
    const prelude = this.pending;
    this.pending = outer;
    return prelude.length === 0 ? value : [...prelude, ...value];
  }

  private statementItself(stmt: ast.Stmt): ir.IrStmt[] {
    const span = stmt.span;
    switch (stmt.kind) {
      case "VarStmt": {
        const symbol = this.semantics.declarations.get(stmt);
        if (!symbol || symbol.kind !== "local") throw new InternalError("undeclared local");
        if (symbol.mapAlias && stmt.init) {
          const init = unparenthesize(stmt.init);
          if (init.kind !== "IndexExpr") throw new InternalError("alias of non-index");
          const name = localIdentifier(symbol);
          return [{
            kind: "declareAlias", name, pointer: aliasPointerName(name), keyName: aliasKeyName(name), map: symbol.mapAlias,
            mapKind: this.mapType(symbol.mapAlias).mapKind, key: this.expr(init.index), keyType: this.mapKeyType(symbol.mapAlias), valueType: symbol.type,
            unread: this.semantics.unreadLocals.has(symbol.id), span,
          }];
        }
        if (symbol.type.kind === "function" && this.kernel) {
          // eBPF: the variable exists only at compile time; calls through it are direct.
          if (stmt.init) this.functionValues.set(symbol.id, this.staticFunction(stmt.init));
          return [];
        }
        const name = localIdentifier(symbol);
        // A `const` may be read only where lowering folds its value (a loop bound that
        // becomes bpf_loop()'s count): marked unread, the C declaration is `(void)`-used.
        const unread = this.semantics.unreadLocals.has(symbol.id) || symbol.isConst;
        const init = stmt.init ? unparenthesize(stmt.init) : undefined;
        if (init?.kind === "MatchExpr") {
          return [
            { kind: "declare", name, type: symbol.type, init: undefined, unread, span },
            ...lowerMatchInto(this, init, { kind: "local", name, type: symbol.type }),
          ];
        }
        const value = init ? coerce(this.expr(init), symbol.type) : undefined;
        if (value?.kind === "ringbufReserve") this.reservedLocals.add(name);
        return [{ kind: "declare", name, type: symbol.type, init: value, unread, span }];
      }
      case "AssignStmt": return this.assignment(stmt);
      case "ExprStmt": {
        const inner = unparenthesize(stmt.expr);
        if (inner.kind === "MatchExpr") {
          return this.semantics.matchValueTails.has(stmt) ? lowerReturnMatch(this, inner, this.info.returnType, span) : lowerMatchStatement(this, inner);
        }
        const asserted = lowerAssert(this, stmt.expr);
        if (asserted) return asserted;
        if (stmt.expr.kind === "CallExpr" && this.isPrintCall(stmt.expr)) {
          return [lowerPrintCall(this.semantics.references, stmt.expr, span, (a) => this.expr(a))];
        }
        if (inner.kind === "AssignExpr") return lowerUpdateStatement(this, inner);
        const ringbufStatement = lowerRingbufStatement(this, stmt.expr, span);
        if (ringbufStatement) return [ringbufStatement];
        const call = unparenthesize(stmt.expr);
        // A throwing call whose value is dropped: the hoisted call is the whole statement.
        if (call.kind === "CallExpr" && this.throws(call)) {
          this.callExpr(call, false);
          return [];
        }
        return [{ kind: "expr", expr: this.expr(stmt.expr), span }];
      }
      case "IfStmt": {
        // Lowered after the then-branch, so numbering (e.g. tail-call slots) follows the source.
        const lowerElse = (): ir.IrStmt[] | undefined => stmt.else === undefined ? undefined
          : stmt.else.kind === "Block" ? this.block(stmt.else.statements) : this.statement(stmt.else);
        const binding = stmt.binding ? this.semantics.ifBindings.get(stmt) : undefined;
        if (stmt.binding && !binding) throw new InternalError("unchecked if-var");
        const combined = binding ? this.ifBinding(stmt, binding, lowerElse) : presenceUpdate(this, stmt, lowerElse);
        if (combined) return [combined];
        // In this order: the condition, the then-branch, the else-branch.
        return [{ kind: "if", condition: this.expr(stmt.condition), then: this.block(stmt.then.statements), else: lowerElse(), span }];
      }
      case "WhileStmt": return lowerWhile(this, stmt);
      case "ForRangeStmt": {
        const symbol = this.semantics.declarations.get(stmt);
        if (!symbol || symbol.kind !== "local") throw new InternalError("undeclared loop variable");
        const body = this.block(stmt.body.statements);
        const variable = localIdentifier(symbol);
        return [{
          kind: "forRange", variable, variableType: symbol.type, start: this.expr(stmt.start), end: this.expr(stmt.end), body,
          lowering: rangeLowering(this.side, this.semantics.loops.get(stmt), body, variable), span,
        }];
      }
      case "ForInStmt": {
        const facts = this.semantics.loops.get(stmt);
        const key = this.semantics.declarations.get(stmt.key);
        const value = stmt.value ? this.semantics.declarations.get(stmt.value) : undefined;
        if (facts?.kind !== "map" || key?.kind !== "local" || (value && value.kind !== "local")) throw new InternalError("unchecked map loop");
        const body = this.block(stmt.body.statements);
        const bindings = [localIdentifier(key), ...(value?.kind === "local" ? [localIdentifier(value)] : [])];
        return [{
          kind: "forMap", map: facts.map.name, key: bindings[0]!, keyType: facts.map.type.key,
          value: bindings[1], valueType: facts.map.type.value, body, lowering: mapLowering(this.side, body, bindings), span,
        }];
      }
      case "BreakStmt": return [{ kind: "break", span }];
      case "ContinueStmt": return [{ kind: "continue", span }];
      case "ReturnStmt": return lowerReturn(this, stmt);
      case "DeleteStmt": {
        const target = stmt.target;
        const map = target.kind === "IndexExpr" ? this.mapName(target.target) : undefined;
        if (!map || target.kind !== "IndexExpr") return [{ kind: "objectDelete", pointer: this.expr(target), span }];
        return [{ kind: "mapDelete", map, key: coerce(this.expr(target.index), this.mapType(map).key), span }];
      }
      case "BlockStmt": return [{ kind: "block", body: this.block(stmt.block.statements), span }];
      case "ThrowStmt": return lowerThrow(this, stmt);
      case "TryStmt": return lowerTry(this, stmt);
      case "DeferStmt": return lowerDefer(this, stmt);
      case "ErrorStmt":
        throw new InternalError(`${stmt.kind} reached lowering`);
    }
  }

  assignment(stmt: ast.AssignStmt): ir.IrStmt[] {
    const span = stmt.span;
    const op: ir.IrAssignOp = stmt.op === "=" ? "=" : (stmt.op.slice(0, -1) as ir.IrArithOp);
    const target = stmt.target;
    const mapWrite = lowerMapAssignment(this, stmt, op);
    if (mapWrite) return mapWrite;
    // `m[k].f op= v`, `m[k].a[i] = v`: a place inside a map entry.
    const root = placeRoot(target);
    if (root !== target && root.kind === "IndexExpr") {
      const map = this.mapName(root.target);
      if (map) {
        const binding = temporaryName("entry", this.temporaries++);
        const valueType = this.typeOf(root);
        const entry: ir.IrExpr = { kind: "entry", name: binding, type: valueType, span: root.span };
        return [{
          kind: "mapEntryAssign", binding, map, mapKind: this.mapType(map).mapKind, key: this.expr(root.index), keyType: this.mapKeyType(map), valueType,
          target: this.place(target, entry), op, value: coerce(this.expr(stmt.value), this.typeOf(target)), atomic: this.atomicUpdate(op, target), span,
        }];
      }
    }
    const place = this.place(target);
    // A write into a lookup alias also goes to the map entry (when it exists).
    const alias = this.aliasOf(root);
    if (alias) {
      const name = localIdentifier(alias);
      const writeBack = { kind: "aliasWriteBack", alias: name, pointer: aliasPointerName(name), keyName: aliasKeyName(name), map: alias.mapAlias!, span } as const;
      // eBPF, `+=`/`-=` on a shared map: the copy gets the update and the entry gets the
      // same update atomically (storing the copy's value would lose other CPUs' updates).
      if ((op === "+" || op === "-") && this.side === "kernel" && atomicCapable(op, place.type) && this.sharedMemory.isSharedMap(alias.mapAlias!)) {
        const delta = this.temporary("delta");
        const value: ir.IrExpr = { kind: "local", name: delta, type: place.type, span: stmt.value.span };
        return [
          { kind: "declare", name: delta, type: place.type, init: coerce(this.expr(stmt.value), place.type), unread: false, span },
          { kind: "assign", target: place, op, value, atomic: false, span },
          { ...writeBack, place: this.place(target), update: { op, value } },
        ];
      }
      const assign: ir.IrStmt = { kind: "assign", target: place, op, value: coerce(this.expr(stmt.value), place.type), atomic: false, span };
      return [assign, { ...writeBack, place: this.place(target) }];
    }
    return [{ kind: "assign", target: place, op, value: coerce(this.expr(stmt.value), place.type), atomic: this.atomicUpdate(op, target), span }];
  }

  /** `target` as a place; `root` replaces the innermost map index (for map-entry places). */
  place(target: ast.Expr, root?: ir.IrExpr): ir.IrPlace {
    switch (target.kind) {
      case "NameExpr": {
        const symbol = this.symbolOf(target);
        if (symbol.kind === "local") return { kind: "local", name: localIdentifier(symbol), type: symbol.type };
        if (symbol.kind === "entry") return { kind: "entry", name: localIdentifier(symbol), type: symbol.type };
        if (symbol.kind === "global") return { kind: "global", name: symbol.info.name, storage: globalStorage(symbol.info), type: symbol.info.type };
        throw new InternalError("assignment to non-variable");
      }
      case "FieldExpr": {
        const config = configField(this.semantics, target, this.typeOf(target));
        if (config) return { kind: "field", target: config.target, field: config.field, viaPointer: false, type: config.type };
        const base = this.placeBase(target.target, root);
        return { kind: "field", target: base, field: cField(base.type, target.field.name), viaPointer: base.type.kind === "pointer", type: this.typeOf(target) };
      }
      case "IndexExpr":
        return { kind: "index", target: this.placeBase(target.target, root), index: this.expr(target.index), type: this.typeOf(target) };
      case "UnaryExpr":
        return { kind: "deref", pointer: this.expr(target.operand), type: this.typeOf(target) };
      default: throw new InternalError(`bad assignment target ${target.kind}`);
    }
  }

  /** The base of a place: `root` stands for the map index at the bottom of the chain. */
  private placeBase(base: ast.Expr, root: ir.IrExpr | undefined): ir.IrExpr {
    if (!root) return this.expr(base);
    const inner = unparenthesize(base);
    if (inner.kind === "IndexExpr" && this.mapName(inner.target)) return root;
    if (inner.kind === "FieldExpr") {
      const target = this.placeBase(inner.target, root);
      return { kind: "field", target, field: inner.field.name, viaPointer: target.type.kind === "pointer", type: this.typeOf(inner), span: inner.span };
    }
    if (inner.kind === "IndexExpr") {
      return { kind: "index", target: this.placeBase(inner.target, root), index: this.expr(inner.index), type: this.typeOf(inner), span: inner.span };
    }
    return this.expr(base);
  }

  /** An expression's IR; a value the checker let narrow implicitly (W0260) is cast, so C truncates where the warning says. */
  expr(expr: ast.Expr): ir.IrExpr {
    const lowered = this.exprAsWritten(expr);
    // Most programs have no implicit narrowing: then no look-up per expression.
    const conversions = this.semantics.implicitConversions;
    const narrowedTo = conversions.size === 0 ? undefined : conversions.get(expr);
    return narrowedTo ? { kind: "cast", expr: lowered, type: narrowedTo, span: expr.span } : lowered;
  }

  private exprAsWritten(expr: ast.Expr): ir.IrExpr {
    const span = expr.span;
    const packetRead = implicitPacketRead(this, expr);
    if (packetRead) return packetRead;
    switch (expr.kind) {
      case "IntLiteral": return storedLiteral(expr.value, expr.text, this.typeOf(expr), span);
      case "CharLiteral": return { kind: "int", value: BigInt(expr.value), text: String(expr.value), type: this.typeOf(expr), span };
      case "BoolLiteral": return { kind: "bool", value: expr.value, type: boolType, span };
      case "StringLiteral": return { kind: "string", value: expr.value, type: this.typeOf(expr), span };
      case "NullLiteral": return { kind: "null", type: this.semantics.exprTypes.get(expr) ?? u64, span };
      case "ParenExpr": return this.expr(expr.expr);
      case "NameExpr": {
        const symbol = this.symbolOf(expr);
        switch (symbol.kind) {
          case "local":
            if (symbol.type.kind === "function" && this.kernel) {
              return { kind: "functionRef", name: this.staticFunction(expr), type: symbol.type, span };
            }
            return { kind: "local", name: localIdentifier(symbol), type: symbol.type, span };
          case "entry": return { kind: "entry", name: localIdentifier(symbol), type: symbol.type, span };
          case "global": return { kind: "global", name: symbol.info.name, storage: globalStorage(symbol.info), type: symbol.info.type, span };
          case "constant":
            return symbol.inC
              ? { kind: "constant", name: symbol.name, value: symbol.value, type: symbol.type, span }
              : { kind: "int", value: symbol.value, text: symbol.value.toString(), type: symbol.type, span };
          case "function": {
            const type = this.typeOf(expr);
            return type.kind === "function"
              ? { kind: "functionRef", name: symbol.info.name, type, span }
              : { kind: "programRef", name: symbol.info.name, type, span };
          }
          case "map": throw new InternalError("map used as value reached lowering");
          case "structOps": throw new InternalError("impl block used as value reached lowering");
          case "config": throw new InternalError("config used as value reached lowering");
        }
      }
      case "BinaryExpr": {
        if ((expr.op === "==" || expr.op === "!=") && (expr.left.kind === "NullLiteral" || expr.right.kind === "NullLiteral")) {
          const other = expr.left.kind === "NullLiteral" ? expr.right : expr.left;
          const inner = unparenthesize(other);
          const alias = this.aliasOf(inner);
          if (alias) {
            const pointerType: Type = { kind: "pointer", target: alias.type };
            const pointer: ir.IrExpr = { kind: "local", name: aliasPointerName(localIdentifier(alias)), type: pointerType, span: inner.span };
            return { kind: "binary", op: expr.op, left: pointer, right: { kind: "null", type: pointerType, span }, type: boolType, span };
          }
          // `load(p) == null`: ks_load() gives -1 for a program that did not load.
          if (this.typeOf(inner).kind === "programHandle") {
            const fd = this.expr(inner);
            const minusOne: ir.IrExpr = { kind: "int", value: -1n, text: "-1", type: i32, span };
            return { kind: "binary", op: expr.op, left: fd, right: minusOne, type: boolType, span };
          }
          if (inner.kind === "IndexExpr") {
            const map = this.mapName(inner.target);
            if (map) {
              const contains: ir.IrExpr = { kind: "mapContains", map, key: coerce(this.expr(inner.index), this.mapType(map).key), type: boolType, span };
              return expr.op === "!=" ? contains : { kind: "unary", op: "!", operand: contains, type: boolType, span };
            }
          }
          if (this.semantics.integerNullTests.has(expr)) return lowerIntegerNullTest(this, expr, inner);
        }
        if (expr.op === "&&" || expr.op === "||") return lowerShortCircuit(this, expr)!;
        const left = this.expr(expr.left);
        const right = this.expr(expr.right);
        if (left.type.kind === "str") return lowerStringBinary(expr.op, left, right, this.typeOf(expr), span);
        return { kind: "binary", op: expr.op, left, right, type: this.typeOf(expr), span };
      }
      case "UnaryExpr": {
        const type = this.typeOf(expr);
        if (expr.op === "-" && expr.operand.kind === "IntLiteral") {
          return storedLiteral(-expr.operand.value, `-${expr.operand.text}`, type, span);
        }
        if (expr.op === "&") {
          const operand = unparenthesize(expr.operand);
          const alias = this.aliasOf(operand);
          if (alias) return { kind: "local", name: aliasPointerName(localIdentifier(alias)), type, span, orAddressOf: localIdentifier(alias) };
          if (operand.kind === "IndexExpr") {
            const map = this.mapName(operand.target);
            if (map) return { kind: "mapEntryPointer", map, key: this.expr(operand.index), keyType: this.mapKeyType(map), type, span };
          }
        }
        return { kind: "unary", op: expr.op, operand: this.expr(expr.operand), type, span };
      }
      case "CastExpr": return lowerCast(this.expr(expr.expr), this.typeOf(expr), span);
      case "SizeofExpr": {
        const of = this.semantics.typeOperands.get(expr.type);
        if (!of) throw new InternalError("sizeof without type");
        return { kind: "sizeof", of, type: u64, span };
      }
      case "IndexExpr": {
        const innerRead = lowerInnerMapRead(this, expr);
        if (innerRead) return innerRead;
        const combined = this.combinedReads.use(expr);
        if (combined) return combined;
        const map = this.mapName(expr.target);
        if (map) return lowerMapRead(this, map, expr.index, this.typeOf(expr), span);
        const target = this.expr(expr.target);
        if (target.type.kind === "str") return { kind: "strIndex", target, index: this.expr(expr.index), type: this.typeOf(expr), span };
        return { kind: "index", target, index: this.expr(expr.index), type: this.typeOf(expr), span };
      }
      case "FieldExpr": {
        const type = this.typeOf(expr);
        const config = configField(this.semantics, expr, type);
        if (config) return config;
        const target = this.expr(expr.target);
        const isContext = target.type.kind === "pointer" && target.type.target.kind === "struct" && target.type.target.origin === "kernel" &&
          !packetHeaderByName.has(target.type.target.name);
        if (isContext) return { kind: "contextField", context: target, field: expr.field.name, type, span };
        return { kind: "field", target, field: cField(target.type, expr.field.name), viaPointer: target.type.kind === "pointer", type, span };
      }
      case "CallExpr": return this.callExpr(expr, true);
      case "StructLiteral": return lowerStructLiteral(this, expr);
      case "ArrayLiteral":
        return { kind: "arrayLiteral", elements: expr.elements.map((e) => this.expr(e)), type: this.typeOf(expr), span };
      case "MatchExpr": return lowerMatchValue(this, expr);
      case "NewExpr": return lowerNew(this, expr);
      case "AssignExpr": return lowerUpdateValue(this, expr, true);
      case "ErrorExpr":
        throw new InternalError(`${expr.kind} reached lowering`);
    }
  }

  /** Whether `call` calls a function an error can leave. */
  throws(call: ast.CallExpr): boolean {
    const callee = unparenthesize(call.callee);
    const moduleTarget = this.semantics.moduleCalls.get(call);
    if (moduleTarget) return this.errors.throwingNames.has(moduleTarget.name);
    const symbol = callee.kind === "NameExpr" ? this.semantics.references.get(callee) : undefined;
    return symbol?.kind === "function" && this.errors.throwingNames.has(symbol.info.name);
  }

  /** A call; one that may throw is hoisted (`used`: whether its value is needed). */
  callExpr(expr: ast.CallExpr, used: boolean): ir.IrExpr {
    const span = expr.span;
    if (this.isPrintCall(expr)) return lowerPrintValue(this, expr);
    const ringbufCall = lowerRingbufCall(this, expr) ?? lowerRuntimeCall(this, expr);
    if (ringbufCall) return ringbufCall;
    const mapMethod = lowerMapMethodCall(this, expr);
    if (mapMethod) return mapMethod;
    const builtinCall = lowerTestCall(this, expr) ?? lowerTracingCall(this, expr);
    if (builtinCall) return builtinCall;
    const registered = expr.callee.kind === "NameExpr" && expr.callee.name.name === "register" &&
      !this.semantics.references.has(expr.callee) ? expr.args[0] : undefined;
    if (registered?.kind === "NameExpr") {
      return { kind: "builtin", name: "register", args: [], program: registered.name.name, type: this.typeOf(expr), span };
    }
    const type = this.typeOf(expr);
    const handover = lowerHandoverCall(this.semantics, expr, type, (a) => this.expr(a));
    if (handover) return handover;
    const moduleTarget = this.semantics.moduleCalls.get(expr);
    if (moduleTarget) return this.directCall(expr, moduleTarget, expr.args.map((a) => this.expr(a)), type, used);
    if (expr.callee.kind !== "NameExpr") {
      if (this.kernel) throw new InternalError("indirect call in eBPF reached lowering");
      return { kind: "callValue", callee: this.expr(expr.callee), args: expr.args.map((a) => this.expr(a)), type, span };
    }
    const symbol = this.semantics.references.get(expr.callee);
    if (symbol && symbol.kind !== "function") {
      // A call through a function-typed variable or parameter.
      if (this.kernel) return { kind: "call", callee: this.staticFunction(expr.callee), args: expr.args.map((a) => this.expr(a)), type, span };
      return { kind: "callValue", callee: this.expr(expr.callee), args: expr.args.map((a) => this.expr(a)), type, span };
    }
    if (symbol && this.kernel && hasFunctionParameters(symbol.info)) {
      const info = symbol.info;
      const bindings = info.params.map((p, i) => (p.type.kind === "function" ? this.staticFunction(expr.args[i]!) : undefined));
      const args = expr.args.filter((_, i) => bindings[i] === undefined).map((a) => this.expr(a));
      return { kind: "call", callee: this.calls.specialize(info, bindings), args, type, span };
    }
    // (`attach(prog, socks, 0)`: a socket map as the target is its name, lower-map-kinds.ts.)
    const args = expr.args.map((a) => socketMapTarget(this, a) ?? this.expr(a));
    if (!symbol) {
      const name = expr.callee.name.name;
      if (isLegacyHelper(name)) return { kind: "call", callee: name, args, type, span, helper: true };
      if (byteOrderBuiltins.has(name)) {
        return { kind: "byteOrder", name: name as "ntohs" | "ntohl" | "htons" | "htonl", operand: args[0]!, type, span };
      }
      if (name === "load" || name === "attach" || name === "detach" || name === "read") {
        const first = args[0];
        const program = first?.kind === "programRef" ? first.name : undefined;
        return { kind: "builtin", name, args, program, type, span };
      }
      throw new InternalError(`builtin ${name} reached lowering as an expression`);
    }
    if (symbol.info.role.kind === "extern") {
      return { kind: "call", callee: symbol.info.name, args, type, span, helper: isLegacyHelper(symbol.info.name), external: true };
    }
    return this.directCall(expr, symbol.info, args, type, used);
  }

  /** `if (var x = …) {…} else …`, by what the checker found `x` binds. */
  private ifBinding(stmt: ast.IfStmt, binding: IfBindingKind, lowerElse: () => ir.IrStmt[] | undefined): ir.IrStmt {
    const span = stmt.span;
    const symbol = this.semantics.declarations.get(stmt);
    const then = (): ir.IrStmt[] => this.block(stmt.then.statements);
    switch (binding) {
      case "packetHeader": {
        const packet = this.semantics.packetBindings.get(stmt);
        const call = headerCall(stmt.condition);
        if (!packet || !symbol || symbol.kind !== "local" || !call) throw new InternalError("bad header binding");
        return {
          kind: "ifPacketHeader", binding: localIdentifier(symbol), context: this.expr(call.callee.target), offset: this.expr(call.args[0]!),
          header: packet.header, maxOffset: packet.maxOffset, constantOffset: packet.constantOffset,
          then: then(), else: lowerElse(), span,
        };
      }
      case "pop": {
        const lowered = lowerPopBinding(this, stmt, symbol, then, lowerElse);
        if (!lowered) throw new InternalError("bad pop binding");
        return lowered;
      }
      // `if (var q = p)` on a pointer: q is p, checked (reference tracking follows it).
      case "pointer": {
        const lowered = lowerPointerBinding(this, stmt, symbol, then, lowerElse());
        if (!lowered) throw new InternalError("bad pointer binding");
        return lowered;
      }
      case "mapEntry": {
        const condition = unparenthesize(stmt.condition);
        if (!symbol || symbol.kind !== "entry" || condition.kind !== "IndexExpr") throw new InternalError("bad if-var");
        const map = this.mapName(condition.target);
        if (!map) throw new InternalError("if-var without map");
        const keyType = mapInfoNamed(this.semantics, map)?.type.key;
        if (!keyType) throw new InternalError("if-var on unknown map");
        return {
          kind: "ifMapEntry", binding: localIdentifier(symbol), map, key: coerce(this.expr(condition.index), keyType), keyType, valueType: symbol.type,
          then: then(), else: lowerElse(), span,
        };
      }
    }
  }

  /**
   * An argument as the parameter stores it. A string passed for a byte-array parameter
   * is copied into a temporary array first: C passes the array, not a string.
   */
  private argument(value: ir.IrExpr, to: Type): ir.IrExpr {
    const stored = coerce(value, to);
    if (stored.kind !== "strBytes") return stored;
    const name = this.temporary("bytes");
    this.pending.push({ kind: "declare", name, type: to, init: stored, unread: false, span: value.span });
    return { kind: "local", name, type: to, span: value.span };
  }

  /** A call of a declared function (of this file or an imported module). */
  directCall(expr: ast.CallExpr, info: FunctionInfo, args: ir.IrExpr[], type: Type, used: boolean): ir.IrExpr {
    const params = info.params;
    const call: Extract<ir.IrExpr, { kind: "call" }> = {
      kind: "call", callee: info.role.kind === "private" ? privateFunctionName(info.name) : info.name, args: args.map((a, i) => (params[i] ? this.argument(a, params[i]!.type) : a)), type, span: expr.span,
    };
    return this.errors.throwingNames.has(info.name) ? hoistThrowingCall(this, call, used) : call;
  }

}

/**
 * The C name of a local. Source names are kept: every KernelScript block becomes a C
 * block, so shadowing means the same in both languages.
 */
function localIdentifier(symbol: Extract<Symbol, { kind: "local" | "entry" }>): string {
  return symbol.name;
}

/** The innermost expression of a field/index chain (`m[k]` in `m[k].a.b`). */
function placeRoot(target: ast.Expr): ast.Expr {
  let e = target;
  for (;;) {
    if (e.kind === "ParenExpr") e = e.expr;
    else if (e.kind === "FieldExpr" && !e.arrow) e = e.target;
    else if (e.kind === "IndexExpr" && e.target.kind !== "NameExpr") e = e.target;
    else if (e.kind === "IndexExpr" && e !== target) return e;
    else if (e.kind === "IndexExpr") e = e.target;
    else return e;
  }
}

/** What a program returns when its tail call fails: let the packet through. */
function tailCallFallback(programType: ir.ProgramType | undefined, span: import("../source.js").Span): ir.IrExpr {
  const fallback = programType === undefined ? undefined : programTypeInfo[programType].tailCallFallback;
  if (fallback?.constant) {
    return { kind: "constant", name: fallback.constant.name, value: fallback.value, type: { kind: "enum", name: fallback.constant.enumName, origin: "kernel" }, span };
  }
  const value = fallback?.value ?? 0n;
  const returned = programType === undefined ? undefined : programTypeInfo[programType].returnType;
  return { kind: "int", value, text: String(value), type: returned?.kind === "int" ? returned : { kind: "int", bits: 32, signed: true }, span };
}

function lowerFunction(
  semantics: Semantics, calls: CallLowering, info: FunctionInfo, body: ast.Block, functionValues: Map<number, string>,
  throwingNames: ReadonlySet<string>,
): ir.IrFunction {
  const errors = new ErrorLowering(throwingNames);
  const decl = info.decl;
  const resultSymbol = decl.kind === "FunctionDecl" && decl.returnName ? semantics.declarations.get(decl.returnName) : undefined;
  const namedResult = resultSymbol?.kind === "local"
    ? { kind: "local" as const, name: localIdentifier(resultSymbol), type: resultSymbol.type, span: resultSymbol.span }
    : undefined;
  const lowering = new FunctionLowering(semantics, calls, info, functionValues, errors, namedResult, body);
  const named = namedResultFrame(lowering, info, body);
  const params = arrayParams(semantics, info, body, (purpose) => lowering.temporary(purpose));
  const lowered = lowering.block(body.statements);
  const statements = [...params.copies, ...named.before, ...lowering.objectHomes, ...lowered, ...named.after];
  const frame = errors.frame(semantics.errorFlow.throwing.has(info));
  // Two literals rather than a spread of an optional part: the function objects are
  // copied again by `lower` (programs, module functions), and a spread-built object copies slowly.
  return frame
    ? { name: info.name, params: params.params, returnType: info.returnType, body: statements, span: info.span, frame }
    : { name: info.name, params: params.params, returnType: info.returnType, body: statements, span: info.span };
}

/**
 * A literal as its type stores it: one that does not fit (W0261) keeps its low bits,
 * the value the warning showed, so the C holds no out-of-range constant.
 */
function storedLiteral(value: bigint, text: string, type: Type, span: Span): ir.IrExpr {
  if (type.kind !== "int") return { kind: "int", value, text, type, span };
  // A value fits exactly when keeping its low bits leaves it unchanged: this asks without
  // making the type's bounds (two bigints) for every literal, as `literalFits` would.
  const stored = truncateToType(value, type);
  return stored === value ? { kind: "int", value, text, type, span } : { kind: "int", value: stored, text: stored.toString(), type, span };
}
