//! What cgroup, socket and netfilter program types allow (issue 16), from the columns of
//! their catalogue rows (kernel/program-types.ts): helpers the kernel's hook for the type
//! does not offer (E1360).

import type * as ast from "../ast.js";
import { helperRefusedToProgramType } from "../diagnostics/catalog/types-cgroup-programs.js";
import { refusedHelperGroup } from "../kernel/program-types.js";
import type { ExprChecker } from "./expressions.js";

/** A helper call in a program whose type's row refuses the helper (E1360). */
export function checkHelperOfProgramType(c: ExprChecker, expr: ast.CallExpr, name: string): void {
  const role = c.fn.info.role;
  if (role.kind !== "program") return;
  const group = refusedHelperGroup(role.info, name);
  if (group !== undefined) c.ctx.diags.report(helperRefusedToProgramType, expr.callee.span, name, role.info.label, group);
}
