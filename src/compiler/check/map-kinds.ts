//! The map kinds beyond key/value hashes and arrays, in the checker: `lpm_trie<K, V>(N)`
//! (longest-prefix match), the keyless kinds (`queue<T>(N)` / `stack<T>(N)`: push, pop,
//! peek; `perf_event_array<T>`: per-CPU record output), map methods (`m.per_cpu(k,
//! cpu)`, `m.cpus()` of per-CPU maps …), and which `@flags` each kind allows. What each
//! kind has comes from its row in `kernel/map-kinds.ts`; this file checks operations,
//! never lists kinds. Ring buffers live in `ringbuf.ts` (their drop count `rb.dropped()` too).

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { OperationArguments } from "../diagnostics/catalog/types-features.js";
import type { WrongSideAdvice } from "../diagnostics/catalog/wording.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import * as referenceSemantics from "../diagnostics/catalog/reference-semantics.js";
import type { MapKind, MapType, Type } from "../types.js";
import { boolType, errorType, i32, i64, sizeOf, typeToString, u32, u64, voidType } from "../types.js";
import type { CheckContext } from "./context.js";
import type { MapOperand, MapOperation, MapOperationRow, MapOperationShape } from "../kernel/map-kinds.js";
import { storageOwnerType, storageUsable } from "./cgroup-programs.js";
import { requireNonNull } from "./pointers.js";
import { mapFlagBits, mapKinds, mapKindsWhere, mapOperationOf, mapOperations, maxLpmAddressBytes } from "../kernel/map-kinds.js";
import { programTypes, receivesUnpackedArguments } from "../kernel/program-types.js";
import type { ProgramTypeInfo } from "../kernel/program-types.js";
import * as cgroupErrors from "../diagnostics/catalog/types-cgroup-programs.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import type { Scope } from "./scope.js";
import type { MapInfo, Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { constantInteger } from "./constants.js";
import { checkOnEvent, ringbufSizeProblem } from "./ringbuf.js";
import { unparenthesize } from "../ast.js";
import { checkRedirectCall } from "./redirect-maps.js";
import * as tracingErrors from "../diagnostics/catalog/types-tracing.js";

/** `queue<T>(N)`, `stack<T>(N)`, `perf_event_array<T>`, `lpm_trie<K, V>(N)`: the kinds `resolve-types.ts` hands over. */
export function resolveKeylessMapType(ctx: CheckContext, typeExpr: ast.GenericType, mapKind: MapKind): Type {
  const spelled = typeExpr.name.name;
  const row = mapKinds[mapKind];
  const keyed = row.typeArguments === "keyValue";
  const expectedArgs = keyed ? 2 : row.typeArguments === "none" ? 0 : 1;
  if (typeExpr.args.length !== expectedArgs) {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.span, spelled,
      keyed ? "keyAndValue" : row.typeArguments === "record" ? "recordStruct" : row.typeArguments === "none" ? "none" : "value", { count: typeExpr.args.length });
    return errorType;
  }
  const types = typeExpr.args.map((a) => resolveType(ctx, a));
  if (types.some((t) => t.kind === "error")) return errorType;
  let maxEntries = row.defaultEntries;
  // Reported, and the map declared without it: its uses are checked as usual.
  if (typeExpr.capacity && row.declaration === "localStorage") ctx.diags.report(tracingErrors.localStorageSize, typeExpr.capacity.span, spelled);
  else if (typeExpr.capacity) {
    const size = sizeOfCapacity(ctx, typeExpr.capacity);
    if (size === undefined) return errorType;
    maxEntries = size;
  }
  if (keyed) {
    const key = types[0]!;
    const problem = row.key === "prefix" ? lpmKeyProblem(ctx, key) : undefined;
    if (problem) {
      ctx.diags.report(typeErrors.lpmTrieKey, typeExpr.args[0]!.span, typeToString(key), problem);
      return errorType;
    }
    return { kind: "map", mapKind, key, value: types[1]!, maxEntries };
  }
  // Stack traces: `u32` ids, each a stack of `u64` addresses (the declaration sizes it).
  if (row.typeArguments === "none") return { kind: "map", mapKind, key: u32, value: u64, maxEntries };
  const value = types[0]!;
  if (row.typeArguments === "record" && (value.kind !== "struct" || value.origin !== "user")) {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.args[0]!.span, spelled, "structRecordType", { type: typeToString(value) });
    return errorType;
  }
  if (value.kind === "array" || value.kind === "void") {
    ctx.diags.report(typeErrors.mapKindTypeArguments, typeExpr.args[0]!.span, spelled, "valueType", { type: typeToString(value) });
    return errorType;
  }
  // A user ring buffer's size is in bytes, with the ring buffer's rules (a record header is 8 bytes).
  const problem = row.declaration === "sizeOnly" && typeExpr.capacity ? ringbufSizeProblem(BigInt(maxEntries), sizeOf(value, ctx.tables) + 8) : undefined;
  // Reported; the map stays declared, so its uses are checked as usual.
  if (problem) ctx.diags.report(typeErrors.ringbufSize, typeExpr.capacity!.span, String(maxEntries), problem);
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
function lpmKeyProblem(ctx: CheckContext, key: Type): typeErrors.LpmKeyProblem | undefined {
  if (key.kind !== "struct" || key.origin !== "user") return { kind: "notStruct" };
  const layout = ctx.structs.get(key.name);
  if (!layout) return { kind: "notStruct" };
  const first = layout.fields[0];
  if (!first || first.name !== "prefixlen" || !(first.type.kind === "int" && first.type.bits === 32 && !first.type.byteOrder)) {
    return { kind: "noPrefixlen" };
  }
  const rest = layout.fields.slice(1);
  if (rest.length === 0) return { kind: "noAddress" };
  const bytes = rest.reduce((sum, f) => sum + sizeOf(f.type, ctx.tables), 0);
  if (4 + bytes !== sizeOf(key, ctx.tables)) return { kind: "padding" };
  if (bytes > maxLpmAddressBytes) return { kind: "addressTooLong", bytes, max: maxLpmAddressBytes };
  return undefined;
}

/**
 * The `@flags` of a map declaration, checked against its kind (the row's `flags`, the
 * kernel's `*_CREATE_FLAG_MASK`); returns the flag bits with the ones the kind always
 * needs (an LPM trie gets `BPF_F_NO_PREALLOC`, which the kernel requires).
 */
export function mapKindFlags(ctx: CheckContext, type: MapType, flags: number, names: readonly ast.Ident[]): number {
  const row = mapKinds[type.mapKind];
  const allowed = row.flags;
  if (allowed) {
    for (const name of names) {
      if (mapFlagBits.has(name.name) && !allowed.includes(name.name)) {
        ctx.diags.report(safetyErrors.mapFlagForKind, name.span, name.name, type.mapKind, allowed.map((f) => `\`${f}\``).join(", "));
      }
    }
  }
  return flags | row.requiredFlags;
}

/**
 * `@hashes(n)` (a kind's `extra` attribute): the `map_extra` number, or undefined after
 * reporting why it cannot be (another kind's attribute, not one constant in range).
 */
export function mapExtraOf(ctx: CheckContext, type: Type, attribute: ast.Attribute): number | undefined {
  const name = attribute.name.name;
  if (type.kind !== "map") return undefined;
  const extra = mapKinds[type.mapKind].extra;
  if (!extra || extra.attribute !== name) {
    const owners = mapKindsWhere((row) => row.extra?.attribute === name);
    ctx.diags.report(referenceSemantics.mapExtraAttribute, attribute.name.span, name, { kind: "otherKind", mapKind: type.mapKind, owners });
    return undefined;
  }
  const args = attribute.args ?? [];
  const value = args.length === 1 ? constantInteger(ctx, args[0]!) : undefined;
  if (value === undefined || value < BigInt(extra.min) || value > BigInt(extra.max)) {
    ctx.diags.report(referenceSemantics.mapExtraAttribute, args[0]?.span ?? attribute.span, name, { kind: "range", meaning: extra.meaning, min: extra.min, max: extra.max });
    return undefined;
  }
  return Number(value);
}

/** Whether a program's hook offers an operation's helper (the operation row's `offeredTo`). */
function offeredToProgram(offer: NonNullable<MapOperationRow["offeredTo"]>, info: ProgramTypeInfo): boolean {
  return offer.kind === "currentTask" ? info.currentTask : offer.progTypes.includes(info.bpfProgType);
}

/** The map `callee` is a method of (`q.push`), for the kinds with methods. */
export function mapMethodOfCallee(scope: Scope, callee: ast.Expr): { symbol: Extract<Symbol, { kind: "map" }>; target: ast.NameExpr; method: ast.Ident } | undefined {
  if (callee.kind !== "FieldExpr" || callee.target.kind !== "NameExpr") return undefined;
  const symbol = scope.lookup(callee.target.name.name);
  if (symbol?.kind !== "map" || mapKinds[symbol.info.type.mapKind].methods.size === 0) return undefined;
  return { symbol, target: callee.target, method: callee.field };
}

/** Whether `m[k]` is allowed on this kind (queues, stacks, perf arrays and ring buffers have no keys). */
export function checkMapIndexable(ctx: CheckContext, info: MapInfo, span: ast.Expr["span"]): boolean {
  const kind = info.type.mapKind;
  if (mapKinds[kind].indexable) return true;
  ctx.diags.report(typeErrors.mapOperationForKind, span, info.name, kind, mapKinds[kind].usage);
  return false;
}

/** How many arguments a plain method takes (the catalogue words it). */
function operandsArguments(operands: readonly MapOperand[], owner: Type | undefined): OperationArguments {
  if (operands.length === 0) return { kind: "none" };
  if (operands.length === 1 && operands[0] === "owner" && owner) return { kind: "oneOwner", owner: typeToString(owner) };
  if (operands.length === 1 && operands[0] === "value") return { kind: "oneValue" };
  if (operands.length === 2 && operands[0] === "key" && operands[1] === "cpu") return { kind: "keyAndCpu" };
  if (operands.length === 1 && operands[0] === "stackId") return { kind: "stackId" };
  if (operands.length === 2 && operands[0] === "stackId" && operands[1] === "pid") return { kind: "stackIdAndPid" };
  if (operands.length === 1 && operands[0] === "object") return { kind: "objectPointer" };
  if (operands.length === 2 && operands[0] === "object" && operands[1] === "value") return { kind: "objectAndValue" };
  if (operands.length === 2 && operands[0] === "key" && operands[1] === "path") return { kind: "slotAndPath" };
  if (operands.length === 1 && operands[0] === "key") return { kind: "slot" };
  if (operands.length === 2 && operands[0] === "context" && operands[1] === "key") return { kind: "contextAndSlot" };
  throw new Error(`internal: no wording for the operands ${operands.join(", ")}`);
}

const plainResults = { bool: boolType, u32, u64, i64, void: voidType } as const;

/** The result of a plain operation on a map of `type`. */
export function plainResultType(result: Extract<MapOperationShape, { form: "plain" }>["result"], type: MapType): Type {
  switch (result) {
    case "value": return type.value;
    case "valuePointer": return { kind: "pointer", target: type.value };
    case "bool": case "u32": case "u64": case "i64": case "void": return plainResults[result];
  }
}

/** What to do instead when an operation is called on the other side. */
const wrongSideAdvice: Readonly<Partial<Record<MapOperation, (map: string) => WrongSideAdvice>>> = {
  output: (map) => ({ kind: "perfOutputInEbpf", map }),
  on_event: () => ({ kind: "perfHandlersInUserSpace" }),
  per_cpu: (map) => ({ kind: "perCpuInUserSpace", map }),
  dropped: () => ({ kind: "lostInUserSpace" }),
  cpus: () => ({ kind: "cpusInUserSpace" }),
  print: (map) => ({ kind: "printInUserSpace", map }),
  redirect: (map) => ({ kind: "redirectInEbpf", map }),
  storage_get: (map) => ({ kind: "storageInEbpf", map }),
  storage_create: (map) => ({ kind: "storageInEbpf", map }),
  storage_delete: (map) => ({ kind: "storageInEbpf", map }),
  kernel_stack: (map) => ({ kind: "stackIdInEbpf", map }),
  user_stack: (map) => ({ kind: "stackIdInEbpf", map }),
  print_kernel_stack: (map) => ({ kind: "stackPrintInUserSpace", map }),
  print_user_stack: (map) => ({ kind: "stackPrintInUserSpace", map }),
  task_get: (map) => ({ kind: "taskStorageInEbpf", map }),
  task_set: (map) => ({ kind: "taskStorageInEbpf", map }),
  task_remove: (map) => ({ kind: "taskStorageInEbpf", map }),
  user_submit: (map) => ({ kind: "userRingbufPushInUserSpace", map }),
  user_drain: (map) => ({ kind: "userRingbufDrainInEbpf", map }),
  object_get: (map) => ({ kind: "objectStorageInEbpf", map }),
  object_set: (map) => ({ kind: "objectStorageInEbpf", map }),
  object_remove: (map) => ({ kind: "objectStorageInEbpf", map }),
  cgroup_store: (map) => ({ kind: "cgroupStoreInUserSpace", map }),
  task_under_cgroup: (map) => ({ kind: "cgroupTestInEbpf", map }),
  skb_under_cgroup: (map) => ({ kind: "cgroupTestInEbpf", map }),
};

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
    checkEach(c, scope, expr.args);
    return errorType;
  };
  const arity = (n: number, what: OperationArguments): boolean => {
    if (expr.args.length === n) return true;
    ctx.diags.report(typeErrors.mapOperationArguments, expr.span, call, what, { count: expr.args.length });
    return false;
  };
  const operation = mapOperationOf(kind, method);
  if (!operation) {
    const available = [...mapKinds[kind].methods.keys()];
    ctx.diags.report(nameErrors.unknownMapMethod, found.method.span, info.name, kind, method,
      available.map((m) => `\`${m}\``).join(", "), closestName(method, available));
    return skipArgs();
  }
  const { side, shape } = mapOperations[operation];
  // Only the side the operation exists on; `side` is where it may be called.
  const otherSide = side === "kernel" ? "user" : side === "user" ? "kernel" : undefined;
  if (otherSide && c.fn.side === otherSide) {
    const advice = wrongSideAdvice[operation];
    if (!advice) throw new Error(`internal: no advice for ${operation} on the wrong side`);
    ctx.diags.report(safetyErrors.mapOperationWrongSide, expr.callee.span, call, otherSide, advice(info.name));
    return skipArgs();
  }
  const role = c.fn.info.role;
  if (mapKinds[kind].currentTaskOnly && role.kind === "program" && !role.info.currentTask) {
    ctx.diags.report(tracingErrors.taskStorageWithoutTask, expr.span, call, role.info.label);
    return skipArgs();
  }
  const onlyFor = mapKinds[kind].onlyForProgType;
  if (onlyFor !== undefined && role.kind === "program" && role.info.bpfProgType !== onlyFor) {
    ctx.diags.report(tracingErrors.storageWrongProgramType, expr.span, call, role.info.label, onlyFor);
    return skipArgs();
  }
  const offer = mapOperations[operation].offeredTo;
  if (offer && role.kind === "program" && !offeredToProgram(offer, role.info)) {
    const helper = offer.kind === "currentTask" ? "bpf_current_task_under_cgroup" : offer.helper;
    const allowed = offer.kind === "currentTask" ? [] : programTypes.filter((type) => offer.progTypes.includes(type.bpfProgType) && type.attribute !== undefined).map((type) => `\`@${type.attribute}\``);
    ctx.diags.report(cgroupErrors.cgroupTestNotOffered, expr.span, call, role.info.label, helper, offer.kind === "currentTask" ? offer : { kind: "progTypes", attributes: allowed });
    return skipArgs();
  }
  switch (shape.form) {
    case "plain": {
      const storage = mapKinds[kind].storage;
      const owner = storageOwnerType(storage);
      if (!arity(shape.operands.length, operandsArguments(shape.operands, owner))) return skipArgs();
      if (storage && !storageUsable(c, expr.callee, info.name, kind, storage)) return skipArgs();
      shape.operands.forEach((operand, i) => {
        const arg = expr.args[i]!;
        if (operand === "value") checkExprAs(c, scope, arg, info.type.value, { kind: operation === "push" ? "pushedValue" : "mapValue", map: info.name });
        else if (operand === "key") checkExprAs(c, scope, arg, info.type.key, { kind: "mapKey", map: info.name });
        else if (operand === "owner" && owner) {
          checkExprAs(c, scope, arg, owner, { kind: "storageOwner", map: info.name });
          requireNonNull(c, arg);
        }
        else if (operand === "stackId") checkExprAs(c, scope, arg, i64, { kind: "stackId" });
        else if (operand === "pid") checkExprAs(c, scope, arg, u32, { kind: "stackPid" });
        else if (operand === "path") {
          const pathType = checkExpr(c, scope, arg);
          if (pathType.kind !== "error" && pathType.kind !== "str") {
            ctx.diags.report(typeErrors.mapOperationArguments, arg.span, call, { kind: "slotAndPath" }, { type: typeToString(pathType) });
          }
        }
        else if (operand === "context") {
          const contextType = checkExpr(c, scope, arg);
          if (contextType.kind !== "error" && contextType.kind !== "pointer") {
            ctx.diags.report(typeErrors.mapOperationArguments, arg.span, call, { kind: "contextFirst" }, { type: typeToString(contextType) });
          }
        }
        else if (operand === "object") {
          const objectType = checkExpr(c, scope, arg);
          if (objectType.kind !== "error" && objectType.kind !== "pointer") {
            ctx.diags.report(typeErrors.mapOperationArguments, arg.span, call, { kind: "objectPointer" }, { type: typeToString(objectType) });
          }
        }
        else checkExprAs(c, scope, arg, u32, { kind: "cpuNumber" });
      });
      return plainResultType(shape.result, info.type);
    }
    case "binding":
      ctx.diags.report(safetyErrors.uncheckedPop, expr.span, `${info.name}.${method}()`);
      return skipArgs();
    case "stackId": return checkStackIdCall(c, scope, expr, call);
    case "drain": return checkDrainCall(c, scope, expr, call, info);
    case "record": {
      // Programs whose context is implicit (tp_btf, raw tracepoints, probes: BPF_PROG's `ctx`) pass only the record.
      const role = c.fn.info.role;
      const implicitContext = role.kind === "program" && receivesUnpackedArguments(role.info);
      if (!(implicitContext && expr.args.length === 1) && !arity(2, { kind: implicitContext ? "oneRecord" : "contextAndRecord" })) return skipArgs();
      if (expr.args.length === 2) {
        const contextType = checkExpr(c, scope, expr.args[0]!);
        if (contextType.kind !== "error" && contextType.kind !== "pointer") {
          ctx.diags.report(typeErrors.mapOperationArguments, expr.args[0]!.span, call, { kind: "contextFirst" }, { type: typeToString(contextType) });
        }
      }
      const recordArg = expr.args[expr.args.length - 1]!;
      const recordType = checkExpr(c, scope, recordArg);
      const record = info.type.value;
      const matches = (t: Type): boolean => t.kind === "struct" && record.kind === "struct" && t.name === record.name;
      if (recordType.kind !== "error" && !matches(recordType) && !(recordType.kind === "pointer" && matches(recordType.target))) {
        ctx.diags.report(typeErrors.mapOperationArguments, recordArg.span, call, { kind: "recordOrPointer", record: typeToString(record) }, { type: typeToString(recordType) });
      }
      return i32;
    }
    case "handler":
      checkOnEvent(c, scope, expr, info);
      return voidType;
    case "redirect":
      return checkRedirectCall(c, scope, expr, info);
    case "inner":
      throw new Error(`internal: ${call} names no method`);
  }
}

/** The map and method of `if (var v = q.pop())` / `.peek()` (a binding operation), if the condition is one. */
export function popCall(scope: Scope, condition: ast.Expr): { symbol: Extract<Symbol, { kind: "map" }>; call: ast.CallExpr; target: ast.NameExpr; op: string } | undefined {
  const inner = unparenthesize(condition);
  if (inner.kind !== "CallExpr") return undefined;
  const found = mapMethodOfCallee(scope, inner.callee);
  if (!found) return undefined;
  const op = found.method.name;
  const operation = mapOperationOf(found.symbol.info.type.mapKind, op);
  if (!operation || mapOperations[operation].shape.form !== "binding") return undefined;
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
    ctx.diags.report(typeErrors.mapOperationArguments, found.call.span, `${found.symbol.info.name}.${found.op}()`, { kind: "none" }, { count: found.call.args.length });
    checkEach(c, scope, found.call.args);
  }
  if (stmt.bindingType) {
    const declared = resolveType(ctx, stmt.bindingType);
    ctx.typeOperands.set(stmt.bindingType, declared);
    if (declared.kind !== "error" && typeToString(declared) !== typeToString(value)) {
      ctx.diags.report(typeErrors.typeMismatch, stmt.bindingType.span, typeToString(value), typeToString(declared), { kind: "operationResult", map: found.symbol.info.name, operation: found.op });
    }
  }
  return value;
}

/**
 * `stacks.kernel_stack()` / `.user_stack()`: bpf_get_stackid needs the program's context
 * (its `pt_regs` or the tracepoint record): implicit where the entry macro unpacks the
 * arguments (probes: BPF_PROG's `ctx`), else the context parameter, passed explicitly.
 * Only in the program itself (a `@helper` has no context), and only where the kernel
 * gives the helper: programs that run for a task (E1353).
 */
function checkStackIdCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, call: string): Type {
  const role = c.fn.info.role;
  if (role.kind !== "program" || !role.info.currentTask) {
    c.ctx.diags.report(tracingErrors.stackIdOutsideTracing, expr.span, call, role.kind === "program" ? role.info.label : undefined);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  const implicitContext = receivesUnpackedArguments(role.info);
  const expected = implicitContext ? 0 : 1;
  if (expr.args.length !== expected) {
    c.ctx.diags.report(typeErrors.mapOperationArguments, expr.span, call, implicitContext ? { kind: "none" } : { kind: "programContext" }, { count: expr.args.length });
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (expected === 1) {
    const contextType = checkExpr(c, scope, expr.args[0]!);
    if (contextType.kind !== "error" && contextType.kind !== "pointer") {
      c.ctx.diags.report(typeErrors.mapOperationArguments, expr.args[0]!.span, call, { kind: "contextFirst" }, { type: typeToString(contextType) });
    }
  }
  return i64;
}

/**
 * `urb.drain(handler)`: `handler` is a `@helper` of this file taking a pointer to the
 * record (or the record) and returning an integer (0: go on, 1: stop), called once per
 * waiting record from the callback `bpf_user_ringbuf_drain` runs (E1356 otherwise).
 */
function checkDrainCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, call: string, info: MapInfo): Type {
  const record = typeToString(info.type.value);
  const arg = expr.args.length === 1 ? unparenthesize(expr.args[0]!) : undefined;
  const symbol = arg?.kind === "NameExpr" ? scope.lookup(arg.name.name) : undefined;
  const fn = symbol?.kind === "function" ? symbol.info : undefined;
  const param = fn?.params.length === 1 ? fn.params[0]!.type : undefined;
  const takesRecord = param !== undefined && typeToString(param.kind === "pointer" ? param.target : param) === record;
  const returnsInteger = fn !== undefined && (fn.returnType.kind === "int" || fn.returnType.kind === "bool");
  if (!fn || fn.role.kind !== "helper" || !takesRecord || !returnsInteger) {
    checkEach(c, scope, expr.args);
    c.ctx.diags.report(tracingErrors.drainHandler, expr.args[0]?.span ?? expr.span, call, record);
    return errorType;
  }
  checkExpr(c, scope, expr.args[0]!);
  return i64;
}
