//! Redirect maps (`devmap`, `devmap_hash`, `cpumap`, `xskmap`) and socket maps
//! (`sockmap`, `sockhash`) in the checker: the kernel's fixed value types (E1370) and
//! `m.redirect(…)` (E1371–E1373). Which program type redirects through which kind, and
//! with which helper, is the program-type row's `mapRedirect` column against the map
//! row's `redirect`; nothing here lists kinds or types. What eBPF code may do with
//! `m[k]` on these kinds (E1374) is checked on the IR (analyze/map-flags.ts).

import type * as ast from "../ast.js";
import * as redirectErrors from "../diagnostics/catalog/types-redirect-maps.js";
import type { Span } from "../source.js";
import type { MapType, Type } from "../types.js";
import { errorType, typeToString, u64 } from "../types.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { programTypeNamed, programTypes } from "../kernel/program-types.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr, checkExprAs } from "./expressions.js";
import type { Scope } from "./scope.js";
import type { MapInfo } from "./semantics.js";
import { constantInteger } from "./constants.js";

/** The largest fallback action `bpf_redirect_map` accepts in its flags (`XDP_TX`). */
const largestFallbackAction = 3n;

/** A map declaration's values against the kernel's fixed value type, if its kind has one (E1370). */
export function checkFixedMapValue(ctx: CheckContext, type: MapType, valueSpan: Span): boolean {
  const fixed = mapKinds[type.mapKind].fixedValue;
  if (!fixed) return true;
  const written = typeToString(type.value);
  if ((fixed.types as readonly string[]).includes(written)) return true;
  ctx.diags.report(redirectErrors.fixedMapValue, valueSpan, type.mapKind, written, fixed.types, fixed.meaning);
  return false;
}

/** The labels of the program types that redirect through a map of `type`'s kind. */
function redirectingPrograms(type: MapType): string[] {
  const target = mapKinds[type.mapKind].redirect;
  return target === undefined ? [] : programTypes.filter((info) => info.mapRedirect?.[target] !== undefined).map((info) => info.label);
}

/**
 * `m.redirect(key[, FALLBACK])` in XDP, `socks.redirect(ctx, key[, flags])` in sk_msg /
 * sk_skb: the program's own result (the helper returns the action to return).
 */
export function checkRedirectCall(c: ExprChecker, scope: Scope, expr: ast.CallExpr, info: MapInfo): Type {
  const { ctx } = c;
  const type = info.type;
  const call = `${info.name}.redirect()`;
  const skipArgs = (): Type => {
    checkEach(c, scope, expr.args);
    return errorType;
  };
  const role = c.fn.info.role;
  const target = mapKinds[type.mapKind].redirect;
  if (role.kind !== "program") {
    ctx.diags.report(redirectErrors.redirectNotHere, expr.callee.span, info.name, type.mapKind, { kind: "notProgram" }, redirectingPrograms(type));
    return skipArgs();
  }
  if (target === undefined || role.info.mapRedirect?.[target] === undefined) {
    ctx.diags.report(redirectErrors.redirectNotHere, expr.callee.span, info.name, type.mapKind, { kind: "programType", label: role.info.label }, redirectingPrograms(type));
    return skipArgs();
  }
  const result = role.info.returnType;
  if (target === "device") {
    if (expr.args.length < 1 || expr.args.length > 2) {
      ctx.diags.report(redirectErrors.redirectArguments, expr.span, call, "keyAndFallback", expr.args.length);
      return skipArgs();
    }
    checkExprAs(c, scope, expr.args[0]!, type.key, { kind: "mapKey", map: info.name });
    const fallback = expr.args[1];
    if (fallback) {
      checkExprAs(c, scope, fallback, result, { kind: "builtinArgument", callee: call });
      const value = constantInteger(ctx, fallback);
      if (value !== undefined && (value < 0n || value > largestFallbackAction)) {
        ctx.diags.report(redirectErrors.redirectFallback, fallback.span, fallback.kind === "NameExpr" ? fallback.name.name : value.toString());
      }
    }
    return result;
  }
  if (expr.args.length < 2 || expr.args.length > 3) {
    ctx.diags.report(redirectErrors.redirectArguments, expr.span, call, "contextKeyAndFlags", expr.args.length);
    return skipArgs();
  }
  const contextType = checkExpr(c, scope, expr.args[0]!);
  const contextStruct = role.info.contextStruct;
  if (contextType.kind !== "error" && !(contextType.kind === "pointer" && contextType.target.kind === "struct" && contextType.target.name === contextStruct)) {
    ctx.diags.report(redirectErrors.redirectArguments, expr.args[0]!.span, call, "contextKeyAndFlags", expr.args.length);
  }
  checkExprAs(c, scope, expr.args[1]!, type.key, { kind: "mapKey", map: info.name });
  if (expr.args[2]) checkExprAs(c, scope, expr.args[2], u64, { kind: "builtinArgument", callee: call });
  return result;
}

/**
 * `attach(prog, target, flags)` where the program attaches to a socket map or the target
 * names a map: true when handled here (the target is a map, or the program needs one),
 * after reporting what does not fit (E1375). The map reference is recorded for lowering.
 */
export function checkSocketMapAttach(c: ExprChecker, scope: Scope, handleType: Type, target: ast.Expr): boolean {
  const { ctx } = c;
  const program = handleType.kind === "programHandle" ? programTypeNamed(handleType.programType) : undefined;
  const symbol = target.kind === "NameExpr" ? scope.lookup(target.name.name) : undefined;
  const wantsMap = program?.attach.kind === "socketMap";
  if (symbol?.kind !== "map" || target.kind !== "NameExpr") {
    if (!wantsMap) return false;
    checkExpr(c, scope, target);
    ctx.diags.report(redirectErrors.attachSocketMap, target.span, { kind: "needsSocketMap", program: program!.label });
    return true;
  }
  ctx.references.set(target, symbol);
  ctx.exprTypes.set(target, errorType);
  const kind = symbol.info.type.mapKind;
  const redirect = mapKinds[kind].redirect;
  if (program && !wantsMap) {
    ctx.diags.report(redirectErrors.attachSocketMap, target.span, { kind: "mapForOtherProgram", program: program.label });
  } else if (program && redirect !== "socketIndex" && redirect !== "socketKey") {
    ctx.diags.report(redirectErrors.attachSocketMap, target.span, { kind: "notSocketMap", program: program.label, mapKind: kind });
  }
  return true;
}
