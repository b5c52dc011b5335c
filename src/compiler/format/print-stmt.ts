//! Statements and blocks in the canonical layout: one statement per line, no `;`,
//! conditions of `if`/`while`/`for`/`match` in parentheses (the parser accepts both and
//! the tree is the same), `} else {` on one line, blocks indented by four spaces.

import { assertNever, type Block, type IfStmt, type Stmt } from "../ast.js";
import { concat, concatAll, type Doc } from "./doc.js";
import type { FormatContext } from "./layout.js";
import { printExpr, printType } from "./print-expr.js";

export function printBlock(f: FormatContext, block: Block): Doc {
  return f.braced(block.statements, block.span.start, block.span.end, (statement) => printStmt(f, statement));
}

export function printStmt(f: FormatContext, stmt: Stmt): Doc {
  switch (stmt.kind) {
    case "VarStmt":
      return concat(
        stmt.keyword,
        " ",
        stmt.name.name,
        stmt.type === undefined ? "" : concat(": ", printType(f, stmt.type)),
        stmt.init === undefined ? "" : concat(" = ", printExpr(f, stmt.init)),
      );
    case "AssignStmt":
      return concat(printExpr(f, stmt.target), ` ${stmt.op} `, printExpr(f, stmt.value));
    case "ExprStmt":
      return printExpr(f, stmt.expr);
    case "IfStmt":
      return printIf(f, stmt);
    case "WhileStmt":
      return concat("while (", printExpr(f, stmt.condition), ") ", printBlock(f, stmt.body));
    case "ForRangeStmt":
      return concat("for (", stmt.variable.name, " in ", printExpr(f, stmt.start), "..", printExpr(f, stmt.end), ") ", printBlock(f, stmt.body));
    case "ForInStmt": {
      const header = stmt.value === undefined
        ? concat("for (", stmt.key.name, " in ", printExpr(f, stmt.iterable), ") ")
        : concat("for (", stmt.key.name, ", ", stmt.value.name, ") in ", printExpr(f, stmt.iterable), " ");
      return concat(header, printBlock(f, stmt.body));
    }
    case "BreakStmt":
      return "break";
    case "ContinueStmt":
      return "continue";
    case "ReturnStmt":
      return stmt.value === undefined ? "return" : concat("return ", printExpr(f, stmt.value));
    case "DeleteStmt":
      return concat("delete ", printExpr(f, stmt.target));
    case "ThrowStmt":
      return concat("throw ", printExpr(f, stmt.value));
    case "DeferStmt":
      return concat("defer ", printExpr(f, stmt.expr));
    case "TryStmt": {
      const parts: Doc[] = ["try ", printBlock(f, stmt.body)];
      for (const clause of stmt.catches) {
        const pattern = clause.pattern === undefined ? "_" : f.spelling(clause.pattern.span);
        parts.push(` catch ${pattern} `, printBlock(f, clause.body));
      }
      return concatAll(parts);
    }
    case "BlockStmt":
      return printBlock(f, stmt.block);
    case "ErrorStmt":
      // Only a tree without syntax errors is formatted (index.ts).
      return f.spelling(stmt.span);
    default:
      return assertNever(stmt);
  }
}

function printIf(f: FormatContext, stmt: IfStmt): Doc {
  const condition = stmt.binding === undefined
    ? printExpr(f, stmt.condition)
    : concat("var ", stmt.binding.name, stmt.bindingType === undefined ? "" : concat(": ", printType(f, stmt.bindingType)), " = ", printExpr(f, stmt.condition));
  const parts: Doc[] = ["if (", condition, ") ", printBlock(f, stmt.then)];
  if (stmt.else !== undefined) {
    parts.push(" else ", stmt.else.kind === "IfStmt" ? printIf(f, stmt.else) : printBlock(f, stmt.else));
  }
  return concatAll(parts);
}
