//! Operations C leaves undefined, found where a constant operand makes them certain:
//! division or remainder by a constant zero (E0473) and a shift by a constant count that
//! is negative or at least the width of the shifted value (E0474). clang refuses both
//! (`-Wdivision-by-zero`, `-Wshift-count-overflow`), so they are reported on the `.ks`
//! line instead. The constants are those of the one constant folder (constants.ts).

import type * as ast from "../ast.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import { constantInteger } from "./constants.js";
import type { CheckContext } from "./context.js";
import { asInteger } from "./conversions.js";

/**
 * `left op right` (or `left op= right`, with `op` without its `=`), after both sides
 * were typed: `right` is the divisor or the shift count.
 */
export function checkConstantOperand(ctx: CheckContext, op: string, right: ast.Expr, rightType: Type, leftType: Type): void {
  if (op !== "/" && op !== "%" && op !== "<<" && op !== ">>") return;
  const value = rightType.kind === "intLiteral" ? rightType.value : constantInteger(ctx, right);
  if (value === undefined) return;
  if (op === "/" || op === "%") {
    if (value === 0n) ctx.diags.report(safetyErrors.constantDivisionByZero, right.span, op);
    return;
  }
  // A literal on the left takes its type from the context, at most 64 bits.
  const int = leftType.kind === "intLiteral" ? undefined : asInteger(leftType);
  const bits = int?.bits ?? 64;
  if (value < 0n || value >= BigInt(bits)) {
    ctx.diags.report(safetyErrors.shiftCountOutOfRange, right.span, value, int ? typeToString(leftType) : "integer", bits);
  }
}
