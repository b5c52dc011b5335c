//! Compile-time integer constants: literals, negated literals, parenthesised ones and
//! simple arithmetic on them (for sizes, enum values and `const` initialisers).

import type * as ast from "../ast.js";
import type { CheckContext } from "./context.js";

export function constantInteger(ctx: CheckContext, expr: ast.Expr): bigint | undefined {
  switch (expr.kind) {
    case "IntLiteral": return expr.value;
    case "CharLiteral": return BigInt(expr.value);
    case "ParenExpr": return constantInteger(ctx, expr.expr);
    case "UnaryExpr": {
      const operand = constantInteger(ctx, expr.operand);
      if (operand === undefined) return undefined;
      if (expr.op === "-") return -operand;
      if (expr.op === "~") return ~operand;
      return undefined;
    }
    case "BinaryExpr": {
      const left = constantInteger(ctx, expr.left);
      const right = constantInteger(ctx, expr.right);
      if (left === undefined || right === undefined) return undefined;
      switch (expr.op) {
        case "+": return left + right;
        case "-": return left - right;
        case "*": return left * right;
        case "/": return right === 0n ? undefined : left / right;
        case "%": return right === 0n ? undefined : left % right;
        case "<<": return left << right;
        case ">>": return left >> right;
        case "&": return left & right;
        case "|": return left | right;
        case "^": return left ^ right;
        default: return undefined;
      }
    }
    case "NameExpr": {
      const symbol = ctx.globalScope.lookup(expr.name.name);
      return symbol?.kind === "constant" ? symbol.value : undefined;
    }
    default: return undefined;
  }
}
