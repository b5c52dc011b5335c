//! The map kinds beyond key/value hashes and arrays, in the checker: `lpm_trie<K, V>(N)`
//! (longest-prefix match), `queue<T>(N)` / `stack<T>(N)` (no keys: push, pop, peek),
//! `perf_event_array<T>` (per-CPU record output), the user-space per-CPU reads of
//! per-CPU maps (`m.per_cpu(k, cpu)`, `m.cpus()`), and which `@flags` each kind allows.
//! Ring buffers live in `ringbuf.ts` (their drop count `rb.dropped()` too).

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { OperationArguments } from "../diagnostics/catalog/types-features.js";
import type { WrongSideAdvice } from "../diagnostics/catalog/wording.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { MapKind, MapType, Type } from "../types.js";
import { boolType, errorType, i32, sizeOf, typeToString, u32, u64, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import { defaultMapCapacity, mapFlagBits } from "../kernel/builtins.js";
import type { ExprChecker } from "./expressions.js";
import { checkExpr, checkExprAs } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import type { MapInfo, Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { constantInteger } from "./constants.js";
import { checkOnEvent } from "./ringbuf.js";
import { unparenthesize } from "../ast.js";

/** Spellings of the kinds this file resolves: upstream's lower-case and CamelCase. */
export const extraMapSpellings: ReadonlyMap<string, MapKind> = new Map<string, MapKind>([
  ["lpm_trie", "lpm_trie"], ["LpmTrie", "lpm_trie"],
  ["queue", "queue"], ["Queue", "queue"],
  ["stack", "stack"], ["Stack", "stack"],
  ["perf_event_array", "perf_event_array"], ["PerfEventArray", "perf_event_array"],
]);

/** `BPF_F_NO_PREALLOC`: the kernel refuses an LPM trie without it. */
const noPrealloc = 0x1;

/** `queue<T>(N)`, `stack<T>(N)`, `perf_event_array<T>`, `lpm_trie<K, V>(N)`. */
export function resolveExtraMapType(ctx: CheckContext, typeExpr: ast.GenericType, mapKind: MapKind): Type {
  const spelled = typeExpr.name.name;
  const keyed = mapKind === "lpm_trie";
  const expectedArgs = keyed ? 2 : 1;
  if (typeExpr.args.length !== expectedArgs) {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.span, spelled,
      keyed ? "keyAndValue" : mapKind === "perf_event_array" ? "recordStruct" : "value", { count: typeExpr.args.length });
    return errorType;
  }
  const types = typeExpr.args.map((a) => resolveType(ctx, a));
  if (types.some((t) => t.kind === "error")) return errorType;
  let maxEntries = mapKind === "perf_event_array" ? 0 : defaultMapCapacity;
  if (typeExpr.capacity) {
    const size = sizeOfCapacity(ctx, typeExpr.capacity);
    if (size === undefined) return errorType;
    maxEntries = size;
  }
  if (keyed) {
    const key = types[0]!;
    const problem = lpmKeyProblem(ctx, key);
    if (problem) {
      ctx.diags.report(typeErrors.lpmTrieKey, typeExpr.args[0]!.span, typeToString(key), problem);
      return errorType;
    }
    return { kind: "map", mapKind, key, value: types[1]!, maxEntries };
  }
  const value = types[0]!;
  if (mapKind === "perf_event_array" && (value.kind !== "struct" || value.origin !== "user")) {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.args[0]!.span, spelled, "structRecordType", { type: typeToString(value) });
    return errorType;
  }
  if (value.kind === "array" || value.kind === "void") {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.args[0]!.span, spelled, "valueType", { type: typeToString(value) });
    return errorType;
  }
  return { kind: "map", mapKind, key: voidType, value, maxEntries };
}

function sizeOfCapacity(ctx: CheckContext, expr: ast.Expr): number | undefined {
  const value = constantInteger(ctx, expr);
  if (value === undefined || value <= 0n || value > 0xffffffffn) {
    ctx.diags.report(typeErrors.invalidSize, expr.span, value === undefined ? { kind: "notConstant" } : { kind: "value", value });
    return undefined;
  }
  return Number(value);
}

/** Why `key` cannot be an LPM trie key, or undefined when it can. */
function lpmKeyProblem(ctx: CheckContext, key: Type): string | undefined {
  if (key.kind !== "struct" || key.origin !== "user") return "is not a struct";
  const layout = ctx.structs.get(key.name);
  if (!layout) return "is not a struct";
  const first = layout.fields[0];
  if (!first || first.name !== "prefixlen" || !(first.type.kind === "int" && first.type.bits === 32 && !first.type.byteOrder)) {
    return "does not start with `prefixlen: u32`";
  }
  const rest = layout.fields.slice(1);
  if (rest.length === 0) return "has no address bytes after `prefixlen`";
  const bytes = rest.reduce((sum, f) => sum + sizeOf(f.type, ctx.tables), 0);
  if (4 + bytes !== sizeOf(key, ctx.tables)) return "has padding between or after its fields (use `u8[N]`, `be32` or `u32` address fields)";
  if (bytes > 256) return `has ${bytes} address bytes (the kernel allows at most 256)`;
  return undefined;
}

/** Flags each kind may have (kernel `*_CREATE_FLAG_MASK`s); kinds not listed keep the general rule. */
const accessFlags = ["rdonly", "wronly", "rdonly_prog", "wronly_prog"];
const allowedFlags: ReadonlyMap<MapKind, readonly string[]> = new Map<MapKind, readonly string[]>([
  ["lpm_trie", ["no_prealloc", ...accessFlags]],
  ["queue", accessFlags],
  ["stack", accessFlags],
  ["perf_event_array", accessFlags],
  ["ringbuf", []],
]);

/**
 * The `@flags` of a map declaration, checked against its kind; returns the flag bits
 * (an LPM trie always gets `BPF_F_NO_PREALLOC`, which the kernel requires).
 */
export function mapKindFlags(ctx: CheckContext, type: MapType, flags: number, names: readonly ast.Ident[]): number {
  const allowed = allowedFlags.get(type.mapKind);
  if (allowed) {
    for (const name of names) {
      if (mapFlagBits.has(name.name) && !allowed.includes(name.name)) {
        ctx.diags.report(safetyErrors.mapFlagForKind, name.span, name.name, type.mapKind, allowed.map((f) => `\`${f}\``).join(", "));
      }
    }
  }
  return type.mapKind === "lpm_trie" ? flags | noPrealloc : flags;
}

const perCpuKinds: ReadonlySet<MapKind> = new Set<MapKind>(["percpu_hash", "percpu_array", "lru_percpu_hash"]);
const methodKinds: ReadonlySet<MapKind> = new Set<MapKind>(["queue", "stack", "perf_event_array", ...perCpuKinds]);

function methodsOf(kind: MapKind): readonly string[] {
  if (kind === "queue" || kind === "stack") return ["push", "pop", "peek"];
  if (kind === "perf_event_array") return ["output", "on_event", "dropped"];
  return ["per_cpu", "cpus"];
}

/** The map `callee` is a method of (`q.push`), for the kinds with methods. */
export function mapMethodOfCallee(scope: Scope, callee: ast.Expr): { symbol: Extract<Symbol, { kind: "map" }>; target: ast.NameExpr; method: ast.Ident } | undefined {
  if (callee.kind !== "FieldExpr" || callee.target.kind !== "NameExpr") return undefined;
  const symbol = scope.lookup(callee.target.name.name);
  if (symbol?.kind !== "map" || !methodKinds.has(symbol.info.type.mapKind)) return undefined;
  return { symbol, target: callee.target, method: callee.field };
}

/** Whether `m[k]` is allowed on this kind (queues, stacks and perf arrays have no keys). */
export function checkMapIndexable(ctx: CheckContext, info: MapInfo, span: ast.Expr["span"]): boolean {
  const kind = info.type.mapKind;
  if (kind !== "queue" && kind !== "stack" && kind !== "perf_event_array") return true;
  ctx.diags.report(typeErrors.mapOperationForKind, span, info.name, kind);
  return false;
}

/** `q.push(v)`, `events.output(ctx, r)`, `events.on_event(f)`, `m.per_cpu(k, cpu)`, `m.cpus()`. */
export function checkMapMethodCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const found = mapMethodOfCallee(scope, expr.callee)!;
  const { info } = found.symbol;
  const kind = info.type.mapKind;
  ctx.references.set(found.target, found.symbol);
  ctx.exprTypes.set(found.target, errorType);
  ctx.exprTypes.set(expr.callee, errorType);
  const method = found.method.name;
  const call = `${info.name}.${method}()`;
  const skipArgs = (): Type => {
    expr.args.forEach((a) => checkExpr(c, scope, a));
    return errorType;
  };
  const wrongSide = (side: "kernel" | "user", instead: WrongSideAdvice): boolean => {
    if (c.fn.side !== side) return false;
    ctx.diags.report(safetyErrors.mapOperationWrongSide, expr.callee.span, call, side, instead);
    return true;
  };
  const arity = (n: number, what: OperationArguments): boolean => {
    if (expr.args.length === n) return true;
    ctx.diags.report(typeErrors.ringbufOperationArguments, expr.span, call, what, { count: expr.args.length });
    return false;
  };
  const available = methodsOf(kind);
  if (!available.includes(method)) {
    ctx.diags.report(nameErrors.unknownMapMethod, found.method.span, info.name, kind, method,
      available.map((m) => `\`${m}\``).join(", "), closestName(method, available));
    return skipArgs();
  }
  switch (method) {
    case "push":
      if (!arity(1, { kind: "oneValue" })) return skipArgs();
      checkExprAs(c, scope, expr.args[0]!, info.type.value, `the value pushed onto \`${info.name}\``);
      return boolType;
    case "pop": case "peek":
      ctx.diags.report(safetyErrors.uncheckedPop, expr.span, `${info.name}.${method}()`);
      return skipArgs();
    case "output": {
      if (wrongSide("user", { kind: "perfOutputInEbpf", map: info.name })) return skipArgs();
      // Programs whose context is implicit (tp_btf, raw tracepoints, probes: BPF_PROG's `ctx`) pass only the record.
      const role = c.fn.info.role;
      const implicitContext = role.kind === "program" && ["tp_btf", "raw_tracepoint", "probe", "kprobe"].includes(role.info.programType);
      if (!(implicitContext && expr.args.length === 1) && !arity(2, { kind: implicitContext ? "oneRecord" : "contextAndRecord" })) return skipArgs();
      if (expr.args.length === 2) {
        const contextType = checkExpr(c, scope, expr.args[0]!);
        if (contextType.kind !== "error" && contextType.kind !== "pointer") {
          ctx.diags.report(typeErrors.ringbufOperationArguments, expr.args[0]!.span, call, { kind: "contextFirst" }, { type: typeToString(contextType) });
        }
      }
      const recordArg = expr.args[expr.args.length - 1]!;
      const recordType = checkExpr(c, scope, recordArg);
      const record = info.type.value;
      const matches = (t: Type): boolean => t.kind === "struct" && record.kind === "struct" && t.name === record.name;
      if (recordType.kind !== "error" && !matches(recordType) && !(recordType.kind === "pointer" && matches(recordType.target))) {
        ctx.diags.report(typeErrors.ringbufOperationArguments, recordArg.span, call, { kind: "recordOrPointer", record: typeToString(record) }, { type: typeToString(recordType) });
      }
      return i32;
    }
    case "on_event":
      if (wrongSide("kernel", { kind: "perfHandlersInUserSpace" })) return skipArgs();
      checkOnEvent(c, scope, expr, info);
      return voidType;
    case "per_cpu":
      if (wrongSide("kernel", { kind: "perCpuInUserSpace", map: info.name })) return skipArgs();
      if (!arity(2, { kind: "keyAndCpu" })) return skipArgs();
      checkExprAs(c, scope, expr.args[0]!, info.type.key, `the key of map \`${info.name}\``);
      checkExprAs(c, scope, expr.args[1]!, u32, "the CPU number");
      return info.type.value;
    case "dropped":
      if (wrongSide("kernel", { kind: "lostInUserSpace" })) return skipArgs();
      if (!arity(0, { kind: "none" })) return skipArgs();
      return u64;
    case "cpus":
      if (wrongSide("kernel", { kind: "cpusInUserSpace" })) return skipArgs();
      if (!arity(0, { kind: "none" })) return skipArgs();
      return u32;
    default:
      return skipArgs();
  }
}

/** The queue/stack and operation of `if (var v = q.pop())` / `.peek()`, if the condition is one. */
export function popCall(scope: Scope, condition: ast.Expr): { symbol: Extract<Symbol, { kind: "map" }>; call: ast.CallExpr; target: ast.NameExpr; op: "pop" | "peek" } | undefined {
  const inner = unparenthesize(condition);
  if (inner.kind !== "CallExpr") return undefined;
  const found = mapMethodOfCallee(scope, inner.callee);
  if (!found) return undefined;
  const kind = found.symbol.info.type.mapKind;
  const op = found.method.name;
  if ((kind !== "queue" && kind !== "stack") || (op !== "pop" && op !== "peek")) return undefined;
  return { symbol: found.symbol, call: inner, target: found.target, op };
}

/** `if (var v = q.pop())`: `v` is a copy of the value, bound only where one was found. */
export function checkPopBinding(c: ExprChecker, scope: Scope, stmt: ast.IfStmt): Type | undefined {
  const found = stmt.binding ? popCall(scope, stmt.condition) : undefined;
  if (!found) return undefined;
  const { ctx } = c;
  ctx.references.set(found.target, found.symbol);
  ctx.exprTypes.set(found.target, errorType);
  ctx.exprTypes.set(found.call.callee, errorType);
  const value = found.symbol.info.type.value;
  ctx.exprTypes.set(found.call, value);
  if (found.call.args.length !== 0) {
    ctx.diags.report(typeErrors.ringbufOperationArguments, found.call.span, `${found.symbol.info.name}.${found.op}()`, { kind: "none" }, { count: found.call.args.length });
    found.call.args.forEach((a) => checkExpr(c, scope, a));
  }
  if (stmt.bindingType) {
    const declared = resolveType(ctx, stmt.bindingType);
    ctx.typeOperands.set(stmt.bindingType, declared);
    if (declared.kind !== "error" && typeToString(declared) !== typeToString(value)) {
      ctx.diags.report(typeErrors.typeMismatch, stmt.bindingType.span, typeToString(value), typeToString(declared), `the value of \`${found.symbol.info.name}.${found.op}()\``);
    }
  }
  return value;
}
