//! Ring buffers and heap objects in the checker: the `ringbuf<T>(N)` type, the ring
//! buffer operations (`reserve`/`submit`/`discard` in eBPF, `on_event` and `dispatch`
//! in user space), `new T()`, `delete p`, and `if (var p = pointer)`. Whether every
//! record and object is released on every path is decided later, on the IR
//! (`analyze/references.ts`).

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import * as typeErrors from "../diagnostics/catalog/types.js";
import type { OperationArguments } from "../diagnostics/catalog/types-features.js";
import type { CodeSide, WrongSideAdvice } from "../diagnostics/catalog/wording.js";
import type { MapType, Type } from "../types.js";
import { errorType, i32, sizeOf, typeToString, u64, voidType } from "../types.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { CheckContext } from "./context.js";
import { constantInteger } from "./constants.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import { resolveType } from "./resolve-types.js";
import { checkModuleNew } from "./kmod.js";
import type { Scope } from "./scope.js";
import type { FunctionInfo, MapInfo, Symbol } from "./semantics.js";
import { closestName } from "../suggest.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { checkDispatchTimeout } from "./runtime-builtins.js";

/** Size of `RingBuf<T>` written without `(N)`: 256 KiB, room for thousands of records. */
export const defaultRingbufBytes = 256 * 1024;
/** The page size of the machines we target; the kernel wants a multiple of it. */
const pageSize = 4096;
const maxRingbufBytes = 1 << 30;
/** Each record is preceded by an 8-byte header in the ring. */
const recordHeaderBytes = 8;

const operations = ["reserve", "submit", "discard", "on_event", "dropped"];

/** `ringbuf<T>(N)` / `RingBuf<T>` in a global declaration. */
export function resolveRingbufType(ctx: CheckContext, typeExpr: ast.GenericType, allowMap: boolean): Type {
  const spelled = typeExpr.name.name;
  if (!allowMap) {
    ctx.diags.report(nameErrors.mapUsedAsValue, typeExpr.span, spelled);
    return errorType;
  }
  if (typeExpr.args.length !== 1) {
    ctx.diags.report(typeErrors.ringbufValueType, typeExpr.span, { typeArguments: typeExpr.args.length });
    return errorType;
  }
  const value = resolveType(ctx, typeExpr.args[0]!);
  if (value.kind === "error") return errorType;
  if (value.kind !== "struct" || value.origin !== "user") {
    ctx.diags.report(typeErrors.ringbufValueType, typeExpr.args[0]!.span, typeToString(value));
    return errorType;
  }
  let bytes = defaultRingbufBytes;
  if (typeExpr.capacity) {
    const size = constantInteger(ctx, typeExpr.capacity);
    if (size === undefined || size <= 0n) {
      ctx.diags.report(typeErrors.invalidSize, typeExpr.capacity.span, size === undefined ? { kind: "notConstant" } : { kind: "value", value: size });
      return errorType;
    }
    const recordBytes = sizeOf(value, ctx.tables) + recordHeaderBytes;
    const problem = ringbufSizeProblem(size, recordBytes);
    if (problem) {
      ctx.diags.report(typeErrors.ringbufSize, typeExpr.capacity.span, size.toString(), problem);
      return errorType;
    }
    bytes = Number(size);
  }
  return { kind: "map", mapKind: "ringbuf", key: voidType, value, maxEntries: bytes };
}

/** What is wrong with a ring buffer's size in bytes (also user ring buffers, map-kinds.ts). */
export function ringbufSizeProblem(size: bigint, recordBytes: number): typeErrors.RingbufSizeProblem | undefined {
  const minimum = BigInt(Math.max(pageSize, nextPowerOfTwo(recordBytes)));
  if (size > BigInt(maxRingbufBytes)) return { kind: "tooLarge", minimum, maximum: BigInt(maxRingbufBytes) };
  if ((size & (size - 1n)) !== 0n) {
    let up = 1n;
    while (up < size) up <<= 1n;
    const down = up >> 1n;
    const options = [down, up].filter((s) => s >= minimum && s <= BigInt(maxRingbufBytes));
    return { kind: "notPowerOfTwo", options: options.length > 0 ? options : [minimum] };
  }
  if (size < BigInt(pageSize)) return { kind: "belowPage", pageSize, minimum };
  if (size < BigInt(recordBytes)) return { kind: "recordDoesNotFit", recordBytes, minimum };
  return undefined;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** The ring buffer `callee` is a method of (`events.reserve`), if it is one. */
export function ringbufOfCallee(scope: Scope, callee: ast.Expr): { symbol: Extract<Symbol, { kind: "map" }>; target: ast.NameExpr; method: ast.Ident } | undefined {
  if (callee.kind !== "FieldExpr" || callee.target.kind !== "NameExpr") return undefined;
  const symbol = scope.lookup(callee.target.name.name);
  if (symbol?.kind !== "map" || symbol.info.type.mapKind !== "ringbuf") return undefined;
  return { symbol, target: callee.target, method: callee.field };
}


/** `events.reserve()`, `events.submit(e)`, `events.discard(e)`, `events.on_event(f)`. */
export function checkRingbufCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const found = ringbufOfCallee(scope, expr.callee)!;
  const { info } = found.symbol;
  ctx.references.set(found.target, found.symbol);
  ctx.exprTypes.set(found.target, errorType);
  ctx.exprTypes.set(expr.callee, errorType);
  const record: Type = { kind: "pointer", target: info.type.value };
  const method = found.method.name;
  const call = `${info.name}.${method}`;
  const wrongSide = (side: CodeSide, instead: WrongSideAdvice): Type => {
    ctx.diags.report(typeErrors.ringbufWrongSide, expr.callee.span, `${call}()`, side, instead);
    checkEach(c, scope, expr.args);
    return errorType;
  };
  switch (method) {
    case "reserve":
      if (c.fn.side === "user") return wrongSide("user", { kind: "ringbufInEbpf" });
      if (expr.args.length !== 0) {
        ctx.diags.report(typeErrors.mapOperationArguments, expr.span, `${call}()`, { kind: "none" }, { count: expr.args.length });
        checkEach(c, scope, expr.args);
      }
      return record;
    case "submit": case "discard": {
      if (c.fn.side === "user") return wrongSide("user", { kind: "ringbufInEbpf" });
      const expected: OperationArguments = { kind: "reservedRecord", record: typeToString(record), ringbuf: info.name };
      if (expr.args.length !== 1) {
        ctx.diags.report(typeErrors.mapOperationArguments, expr.span, `${call}(e)`, expected, { count: expr.args.length });
        checkEach(c, scope, expr.args);
        return voidType;
      }
      const type = checkExpr(c, scope, expr.args[0]!);
      const value = info.type.value;
      if (type.kind !== "error" && !(type.kind === "pointer" && type.target.kind === "struct" && value.kind === "struct" && type.target.name === value.name)) {
        ctx.diags.report(typeErrors.mapOperationArguments, expr.args[0]!.span, `${call}(e)`, expected, { type: typeToString(type) });
      }
      return voidType;
    }
    case "on_event":
      if (c.fn.side === "kernel") {
        return wrongSide("kernel", { kind: "ringbufHandlersInUserSpace" });
      }
      checkOnEvent(c, scope, expr, info);
      return voidType;
    case "dropped":
      // Counted by the generated eBPF code each time `reserve()` finds the buffer full.
      if (c.fn.side === "kernel") {
        ctx.diags.report(safetyErrors.mapOperationWrongSide, expr.callee.span, `${call}()`, "kernel", { kind: "droppedInUserSpace" });
        return errorType;
      }
      if (expr.args.length !== 0) {
        ctx.diags.report(typeErrors.mapOperationArguments, expr.span, `${call}()`, { kind: "none" }, { count: expr.args.length });
        checkEach(c, scope, expr.args);
      }
      return u64;
    default:
      ctx.diags.report(nameErrors.unknownRingbufOperation, found.method.span, info.name, method, closestName(method, operations));
      checkEach(c, scope, expr.args);
      return errorType;
  }
}

export function checkOnEvent(c: ExprChecker, scope: Scope, expr: ast.CallExpr, info: MapInfo): void {
  const { ctx } = c;
  const arg = expr.args[0];
  const expected: OperationArguments = { kind: "handler", signature: handlerSignature(info) };
  if (expr.args.length !== 1 || !arg) {
    ctx.diags.report(typeErrors.mapOperationArguments, expr.span, `${info.name}.on_event(handler)`, expected, { count: expr.args.length });
    return;
  }
  const symbol = arg.kind === "NameExpr" ? scope.lookup(arg.name.name) : undefined;
  if (arg.kind !== "NameExpr" || symbol?.kind !== "function" || symbol.info.role.kind !== "userspace") {
    const type = checkExpr(c, scope, arg);
    if (type.kind !== "error") {
      ctx.diags.report(typeErrors.mapOperationArguments, arg.span, `${info.name}.on_event(handler)`, expected, { type: typeToString(type) });
    }
    return;
  }
  ctx.references.set(arg, symbol);
  ctx.exprTypes.set(arg, errorType);
  checkHandlerSignature(ctx, symbol.info, info, arg.span);
}

function handlerSignature(info: MapInfo): string {
  return `fn(event: *${typeToString(info.type.value)}) -> i32`;
}

function checkHandlerSignature(ctx: CheckContext, handler: FunctionInfo, ringbuf: MapInfo, span: ast.Expr["span"]): void {
  const param = handler.params[0]?.type;
  const paramOk = handler.params.length === 1 && param !== undefined &&
    (param.kind === "error" || (param.kind === "pointer" && param.target.kind === "struct" && ringbuf.type.value.kind === "struct" && param.target.name === ringbuf.type.value.name));
  const returnOk = handler.returnType.kind === "error" ||
    (handler.returnType.kind === "int" && handler.returnType.bits === 32 && handler.returnType.signed);
  if (paramOk && returnOk) return;
  const found = `fn(${handler.params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ")}) -> ${typeToString(handler.returnType)}`;
  ctx.diags.report(typeErrors.eventHandlerSignature, span, handler.name, handlerSignature(ringbuf), found);
}

/** The upstream convention: a user-space `<rb>_callback` function is that ring buffer's handler. */
export function checkRingbufCallbacks(ctx: CheckContext): void {
  // The first user-space function of each name (an index: thousands of ring buffers and functions must not scan each other).
  const userspace = new Map<string, (typeof ctx.functions)[number]>();
  for (const f of ctx.functions) if (f.role.kind === "userspace" && !userspace.has(f.name)) userspace.set(f.name, f);
  for (const map of ctx.maps) {
    if (map.type.mapKind !== "ringbuf") continue;
    const callback = userspace.get(`${map.name}_callback`);
    if (callback) checkHandlerSignature(ctx, callback, map, callback.decl.name.span);
  }
}

/** `dispatch(rb1, rb2, …)` in user space: polls until a signal or a handler says stop. */
export function checkDispatch(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  if (c.fn.side === "kernel") {
    ctx.diags.report(typeErrors.ringbufWrongSide, expr.callee.span, "dispatch()", "kernel", { kind: "dispatchInUserSpace" });
    return errorType;
  }
  if (expr.args.length === 0) {
    ctx.diags.report(typeErrors.dispatchArguments, expr.span, { kind: "none" });
    return errorType;
  }
  for (const [index, arg] of expr.args.entries()) {
    const symbol = arg.kind === "NameExpr" ? scope.lookup(arg.name.name) : undefined;
    // `dispatch(rb…, timeout)`: a last argument that is not a map is the timeout (check/runtime-builtins.ts).
    if (index > 0 && index === expr.args.length - 1 && symbol?.kind !== "map") {
      checkDispatchTimeout(c, scope, arg);
      continue;
    }
    if (arg.kind === "NameExpr" && symbol?.kind === "map" && mapKinds[symbol.info.type.mapKind].userView === "records") {
      ctx.references.set(arg, symbol);
      ctx.exprTypes.set(arg, errorType);
      continue;
    }
    if (arg.kind === "NameExpr" && symbol?.kind === "map") {
      ctx.references.set(arg, symbol);
      ctx.exprTypes.set(arg, errorType);
      ctx.diags.report(typeErrors.dispatchArguments, arg.span, { kind: "map", mapKind: symbol.info.type.mapKind, name: symbol.info.name });
      continue;
    }
    const type = checkExpr(c, scope, arg);
    if (type.kind !== "error") ctx.diags.report(typeErrors.dispatchArguments, arg.span, { kind: "type", type: typeToString(type) });
  }
  return i32;
}

/** `new T()` → `*T`. Flags (`new T(GFP_ATOMIC)`) belong to kernel-module code only (check/kmod.ts). */
export function checkNew(c: ExprChecker, expr: ast.NewExpr): Type {
  const { ctx } = c;
  const type = resolveType(ctx, expr.type);
  ctx.typeOperands.set(expr.type, type);
  const flag = expr.args[0];
  if (flag && c.fn.side !== "module") {
    ctx.diags.report(typeErrors.allocationFlagOutsideKfunc, flag.span, c.fn.side === "user" ? "user" : "kernel");
  }
  if (type.kind === "error") return errorType;
  if (type.kind !== "struct" || type.origin !== "user") {
    ctx.diags.report(typeErrors.newTypeNotStruct, expr.type.span, typeToString(type));
    return errorType;
  }
  if (c.fn.side === "module") checkModuleNew(c, expr, type);
  return { kind: "pointer", target: type };
}

/**
 * `delete p` for a pointer `p` (an object from `new`; the IR analysis checks that).
 * Returns false when the target is not a pointer, for the map-entry rule to report.
 */
export function checkDeleteObject(c: ExprChecker, scope: Scope, stmt: ast.DeleteStmt): boolean {
  if (stmt.target.kind !== "NameExpr" && stmt.target.kind !== "ParenExpr") return false;
  const symbol = stmt.target.kind === "NameExpr" ? scope.lookup(stmt.target.name.name) : undefined;
  if (stmt.target.kind === "NameExpr" && symbol?.kind !== "local" && symbol?.kind !== "entry") return false;
  const type = checkExpr(c, scope, stmt.target);
  return type.kind === "pointer" || type.kind === "error";
}

/**
 * `if (var p = expr)` where `expr` is a pointer (`events.reserve()`, `new T()`, a
 * helper returning one): `p` is a non-null pointer in the then-branch only. Returns
 * the binding's symbol, or undefined when `condition` is a map lookup (the map rule
 * applies) or not a pointer (reported here).
 */
export function checkPointerBinding(c: ExprChecker, scope: Scope, stmt: ast.IfStmt, isMapLookup: boolean): Symbol | undefined {
  if (isMapLookup || !stmt.binding) return undefined;
  const type = checkExpr(c, scope, stmt.condition);
  if (type.kind !== "pointer") {
    if (type.kind !== "error") c.ctx.diags.report(typeErrors.ifVarNeedsLookup, stmt.condition.span, typeToString(type));
    return { kind: "local", name: stmt.binding.name, type: errorType, isConst: false, span: stmt.binding.span, id: c.ctx.freshLocalId() };
  }
  return { kind: "local", name: stmt.binding.name, type, isConst: false, span: stmt.binding.span, id: c.ctx.freshLocalId() };
}

export function isRingbuf(type: MapType): boolean {
  return type.mapKind === "ringbuf";
}
