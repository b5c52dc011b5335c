//! What a `@test` function observes besides return values and maps: the records the eBPF
//! side submitted to ring buffers and perf event arrays (`rb.next()`, `rb.pending()`),
//! and `run_command("…")`, which triggers the event a tracing program the test attached
//! watches (an exec, a syscall). Facts for lowering go into `TestingFacts`.

import type * as ast from "../ast.js";
import * as nameErrors from "../diagnostics/catalog/names.js";
import type { MapKind, Type } from "../types.js";
import { errorType, i32, u32 } from "../types.js";
import { lineColumnOf, type Span } from "../source.js";
import { recordMethods, type RecordMethod } from "../kernel/testing.js";
import type { CheckContext } from "./context.js";
import type { ExprChecker } from "./expressions.js";
import { checkEach, checkExpr } from "./expressions.js";
import type { Scope } from "./scope.js";
import { mapKinds } from "../kernel/map-kinds.js";

/** A record read in test code: which map, which method, and where (for failures). */
export interface RecordRead {
  readonly map: string;
  /** A kind whose user-space view is records (ring buffer, perf event array). */
  readonly mapKind: MapKind;
  readonly method: RecordMethod;
  readonly location: string;
}

/** `file.ks:LINE` of a span: how test failures name the code that failed. */
export function sourceLocation(ctx: CheckContext, span: Span): string {
  const file = ctx.inputs.sources.get(span.file);
  return `${span.file}:${file ? lineColumnOf(file, span.start).line : 0}`;
}

/**
 * `rb.next()` / `rb.pending()` on a ring buffer or perf event array; undefined when
 * `expr` is no such call (a user's own method-like names are not affected: only maps of
 * those two kinds have them).
 */
export function checkRecordRead(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type | undefined {
  const callee = expr.callee;
  if (callee.kind !== "FieldExpr" || callee.target.kind !== "NameExpr") return undefined;
  const method = recordMethods.find((m) => m === callee.field.name);
  const symbol = scope.lookup(callee.target.name.name);
  if (!method || symbol?.kind !== "map") return undefined;
  const mapKind = symbol.info.type.mapKind;
  if (mapKinds[mapKind].userView !== "records") return undefined;
  const { ctx } = c;
  ctx.references.set(callee.target, symbol);
  ctx.exprTypes.set(callee.target, errorType);
  ctx.exprTypes.set(callee, errorType);
  const call = `${symbol.info.name}.${method}()`;
  if (c.fn.info.role.kind !== "test") {
    ctx.diags.report(nameErrors.testOnlyBuiltin, callee.span, `\`${call}\``);
    checkEach(c, scope, expr.args);
    return errorType;
  }
  if (expr.args.length > 0) {
    ctx.diags.report(nameErrors.recordReadArguments, expr.args[0]!.span, call, expr.args.length);
    checkEach(c, scope, expr.args);
  }
  ctx.testing.records.set(expr, { map: symbol.info.name, mapKind, method, location: sourceLocation(ctx, expr.span) });
  return method === "next" ? symbol.info.type.value : u32;
}

/** `run_command("…")`: an `i32`, the command's exit status (128 + N when signal N killed it). */
export function checkRunCommand(c: ExprChecker, scope: Scope, expr: ast.CallExpr): Type {
  const { ctx } = c;
  const [command] = expr.args;
  if (expr.args.length !== 1 || command?.kind !== "StringLiteral" || command.value.length === 0) {
    const found = expr.args.length !== 1 ? { count: expr.args.length } : command?.kind === "StringLiteral" ? "emptyString" : "expression";
    ctx.diags.report(nameErrors.runCommandArgument, expr.args[0]?.span ?? expr.span, found);
    checkEach(c, scope, expr.args);
    return i32;
  }
  checkExpr(c, scope, command);
  ctx.testing.commands.set(expr, { command: command.value, location: sourceLocation(ctx, expr.span) });
  return i32;
}
