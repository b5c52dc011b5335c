//! What cgroup, socket and netfilter program types allow (issue 16), from the columns of
//! their catalogue rows (kernel/program-types.ts): helpers the kernel's hook for the type
//! does not offer (E1360); local-storage maps (`sk_storage`, `cgrp_storage`): the owner
//! their operations take, and the program types whose hooks offer their helpers (E1361).

import type * as ast from "../ast.js";
import { helperRefusedToProgramType } from "../diagnostics/catalog/types-cgroup-programs.js";
import { refusedHelperGroup } from "../kernel/program-types.js";
import { storageNotFromProgramType } from "../diagnostics/catalog/types-cgroup-programs.js";
import type { LocalStorage } from "../kernel/map-kinds.js";
import { programTypes } from "../kernel/program-types.js";
import type { MapKind, Type } from "../types.js";
import { typeToString } from "../types.js";
import type { NullOrigin } from "../diagnostics/catalog/safety.js";
import { mapKinds, mapOperationOf } from "../kernel/map-kinds.js";
import { nullableContextFields } from "../kernel/socket-contexts.js";
import type { ExprChecker } from "./expressions.js";

/** A helper call in a program whose type's row refuses the helper (E1360). */
export function checkHelperOfProgramType(c: ExprChecker, expr: ast.CallExpr, name: string): void {
  const role = c.fn.info.role;
  if (role.kind !== "program") return;
  const group = refusedHelperGroup(role.info, name);
  if (group !== undefined) c.ctx.diags.report(helperRefusedToProgramType, expr.callee.span, name, role.info.label, group);
}

/** The pointer a local-storage map's operations take (`*bpf_sock`, `*cgroup`). */
export function storageOwnerType(storage: LocalStorage | undefined): Type | undefined {
  return storage ? { kind: "pointer", target: { kind: "struct", name: storage.owner, origin: "kernel" } } : undefined;
}

/**
 * A local-storage operation in a program whose type's hook offers the map's helpers
 * (E1361 otherwise); in an eBPF `@helper` the callers decide (the kernel checks).
 */
export function storageUsable(c: ExprChecker, callee: ast.Expr, map: string, kind: MapKind, storage: LocalStorage): boolean {
  const role = c.fn.info.role;
  if (role.kind !== "program" || role.info.localStorage?.includes(kind)) return true;
  const allowed = programTypes.filter((type) => type.localStorage?.includes(kind) && type.attribute !== undefined).map((type) => `\`@${type.attribute}\``);
  c.ctx.diags.report(storageNotFromProgramType, callee.span, map, kind, role.info.label, storage.getHelper, allowed);
  return false;
}

/**
 * Why a pointer this module adds may be null: the value a local-storage map keeps for an
 * owner (`socks.get(sk)`: none yet, or the kernel could not create one), and context
 * fields the kernel leaves null (`ctx.sk` of a packet without a socket).
 */
export function socketNullOrigin(c: ExprChecker, expr: ast.Expr): NullOrigin | undefined {
  if (expr.kind === "CallExpr" && expr.callee.kind === "FieldExpr" && expr.callee.target.kind === "NameExpr") {
    const symbol = c.ctx.references.get(expr.callee.target);
    if (symbol?.kind !== "map" || !mapKinds[symbol.info.type.mapKind].storage) return undefined;
    const operation = mapOperationOf(symbol.info.type.mapKind, expr.callee.field.name);
    return operation === "storage_get" || operation === "storage_create"
      ? { kind: "call", callee: `${symbol.info.name}.${expr.callee.field.name}` }
      : undefined;
  }
  if (expr.kind === "FieldExpr") {
    const target = c.ctx.exprTypes.get(expr.target);
    const struct = target?.kind === "pointer" ? target.target : target;
    if (struct?.kind === "struct" && nullableContextFields.get(struct.name)?.includes(expr.field.name)) {
      return { kind: "nullableField", field: `${typeToString(struct)}.${expr.field.name}` };
    }
  }
  return undefined;
}
