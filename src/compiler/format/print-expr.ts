//! Expressions, types and attributes in the canonical layout.
//!
//! Tokens are printed in the order of the tree with the parentheses the source had
//! (`ParenExpr`), so the printed text parses back to the same tree: binary operators
//! get a space on each side, prefix operators none, and line breaks are put only inside
//! brackets (argument lists, struct and array literals), where the grammar ignores them.
//! Literals keep their spelling.

import { assertNever, type Attribute, type BinaryExpr, type CallExpr, type Expr, type FieldExpr, type MatchArm, type Pattern, type TypeExpr } from "../ast.js";
import { concat, group, indent, join, line, softline, type Doc } from "./doc.js";
import type { FormatContext } from "./layout.js";
import { printBlock } from "./print-stmt.js";

export function printExpr(f: FormatContext, expr: Expr): Doc {
  switch (expr.kind) {
    case "IntLiteral":
    case "BoolLiteral":
    case "StringLiteral":
    case "CharLiteral":
    case "NullLiteral":
      return f.spelling(expr.span);
    case "NameExpr":
      return expr.name.name;
    case "BinaryExpr":
      if (expr.op === "&&" || expr.op === "||") return printLogicalChain(f, expr);
      return concat(printExpr(f, expr.left), ` ${expr.op} `, printExpr(f, expr.right));
    case "AssignExpr":
      return concat(printExpr(f, expr.target), ` ${expr.op} `, printExpr(f, expr.value));
    case "UnaryExpr": {
      const operand = printExpr(f, expr.operand);
      // `& &x` must not become the `&&` token, nor `- -x` read as a decrement.
      const space = (expr.op === "&" || expr.op === "-") && unwrapUnary(expr.operand) === expr.op ? " " : "";
      return concat(expr.op, space, operand);
    }
    case "CallExpr":
      return printChain(f, expr) ?? concat(printExpr(f, expr.callee), printArguments(f, expr.args, expr.callee.span.end, expr.span.end));
    case "IndexExpr":
      return concat(printExpr(f, expr.target), "[", printExpr(f, expr.index), "]");
    case "FieldExpr":
      return concat(printExpr(f, expr.target), expr.arrow ? "->" : ".", expr.field.name);
    case "StructLiteral": {
      // Written with a line break after `{`, a literal stays one field per line (as the
      // author laid it out); otherwise it is on one line when it fits.
      const brace = f.text.indexOf("{", expr.typeName.span.end);
      const expanded = expr.fields.length > 0 && /[\r\n]/.test(f.text.slice(brace, expr.fields[0]!.span.start));
      return concat(
        expr.typeName.name,
        " ",
        f.bracketed("{", "}", expr.fields, expr.typeName.span.end, expr.span.end - 1, (field) => concat(field.name.name, ": ", printExpr(f, field.value)), true, expanded),
      );
    }
    case "ArrayLiteral":
      return f.bracketed("[", "]", expr.elements, expr.span.start, expr.span.end - 1, (element) => printExpr(f, element));
    case "MatchExpr":
      return concat(
        "match (",
        printExpr(f, expr.scrutinee),
        ") ",
        f.braced(expr.arms, expr.scrutinee.span.end, expr.span.end, (arm) => printArm(f, arm), () => ","),
      );
    case "NewExpr":
      return concat("new ", printType(f, expr.type), printArguments(f, expr.args, expr.type.span.end, expr.span.end));
    case "CastExpr":
      return concat(printExpr(f, expr.expr), " as ", printType(f, expr.type));
    case "SizeofExpr":
      return concat("sizeof(", printType(f, expr.type), ")");
    case "ParenExpr":
      return concat("(", printExpr(f, expr.expr), ")");
    case "ErrorExpr":
      // Only a tree without syntax errors is formatted (index.ts).
      return f.spelling(expr.span);
    default:
      return assertNever(expr);
  }
}

/**
 * `a && b && c`: on one line when it fits, otherwise a line break after each operator
 * (an operator at the end of a line continues the expression).
 */
function printLogicalChain(f: FormatContext, expr: BinaryExpr): Doc {
  const operands: Expr[] = [];
  let left: Expr = expr;
  while (left.kind === "BinaryExpr" && left.op === expr.op) {
    operands.push(left.right);
    left = left.left;
  }
  operands.push(left);
  operands.reverse();
  const [first, ...rest] = operands.map((operand) => printExpr(f, operand));
  return group(first!, indent(...rest.map((operand) => concat(` ${expr.op}`, line, operand))));
}

type Postfix = Extract<Expr, { kind: "CallExpr" | "FieldExpr" | "IndexExpr" }>;

/**
 * A chain of two or more method calls (`eth_packet().ipv4().udp().pad_to(60)`): on one
 * line when it fits, otherwise one `.method(…)` per line under its head. A line break
 * before `.` continues the expression (parse-expr.ts `parsePostfix`).
 */
function printChain(f: FormatContext, expr: CallExpr): Doc | undefined {
  const links: Postfix[] = [];
  let head: Expr = expr;
  while (head.kind === "CallExpr" || head.kind === "FieldExpr" || head.kind === "IndexExpr") {
    links.push(head);
    head = head.kind === "CallExpr" ? head.callee : head.target;
  }
  links.reverse();
  // Where a method call starts: a field access that is called.
  const starts = links.flatMap((link, i) => (link.kind === "FieldExpr" && links[i + 1]?.kind === "CallExpr" && (links[i + 1] as CallExpr).callee === link ? [i] : []));
  if (starts.length < 2) return undefined;
  const first = starts[0]!;
  const headDoc = first === 0 ? printExpr(f, head) : printExpr(f, (links[first] as FieldExpr).target);
  const segments: Doc[] = [];
  for (let s = 0; s < starts.length; s++) {
    const parts: Doc[] = [];
    for (let i = starts[s]!; i < (starts[s + 1] ?? links.length); i++) parts.push(printLink(f, links[i]!));
    segments.push(concat(softline, ...parts));
  }
  return group(headDoc, indent(...segments));
}

/** One link of a chain without its target. */
function printLink(f: FormatContext, link: Postfix): Doc {
  switch (link.kind) {
    case "CallExpr": return printArguments(f, link.args, link.callee.span.end, link.span.end);
    case "FieldExpr": return concat(link.arrow ? "->" : ".", link.field.name);
    case "IndexExpr": return concat("[", printExpr(f, link.index), "]");
    default: return assertNever(link);
  }
}

/** The operator a prefix expression starts with, if it is one. */
function unwrapUnary(expr: Expr): string | undefined {
  return expr.kind === "UnaryExpr" ? expr.op : undefined;
}

/** `(a, b)` after a callee whose text ends at `after`; the list ends at `end`. */
function printArguments(f: FormatContext, args: readonly Expr[], after: number, end: number): Doc {
  const open = f.text.indexOf("(", after);
  return f.bracketed("(", ")", args.map(spanned), open < 0 ? after : open, end - 1, (arg) => printExpr(f, arg.expr));
}

function spanned(expr: Expr): { readonly expr: Expr; readonly span: Expr["span"] } {
  return { expr, span: expr.span };
}

function printArm(f: FormatContext, arm: MatchArm): Doc {
  const body = arm.body.kind === "Block" ? printBlock(f, arm.body) : printExpr(f, arm.body);
  return concat(printPattern(f, arm.pattern), ": ", body);
}

function printPattern(f: FormatContext, pattern: Pattern): Doc {
  switch (pattern.kind) {
    case "LiteralPattern": return printExpr(f, pattern.literal);
    case "NamePattern": return pattern.name.name;
    case "DefaultPattern": return "default";
    default: return assertNever(pattern);
  }
}

export function printType(f: FormatContext, type: TypeExpr): Doc {
  switch (type.kind) {
    case "NamedType":
      return type.name.name;
    case "GenericType": {
      const args = type.args.length > 0 ? concat("<", join(", ", type.args.map((a) => printType(f, a))), ">") : "";
      const capacity = type.capacity === undefined ? "" : concat("(", printExpr(f, type.capacity), ")");
      return concat(type.name.name, args, capacity);
    }
    case "PointerType":
      return concat("*", printType(f, type.target));
    case "ArrayType":
      // `[T; N]` and `T[N]` are the same type; the spelling is kept (`[*u8; 4]` has no suffix form).
      if (f.text[type.span.start] === "[") return concat("[", printType(f, type.element), "; ", printExpr(f, type.size), "]");
      return concat(printType(f, type.element), "[", printExpr(f, type.size), "]");
    case "StrType":
      return concat("str(", printExpr(f, type.size), ")");
    case "FunctionType": {
      const params = type.params.map((p) => (p.name === undefined ? printType(f, p.type) : concat(p.name.name, ": ", printType(f, p.type))));
      return concat("fn(", join(", ", params), ") -> ", printType(f, type.returnType));
    }
    case "ErrorType":
      return f.spelling(type.span);
    default:
      return assertNever(type);
  }
}

export function printAttribute(f: FormatContext, attribute: Attribute): Doc {
  if (attribute.args === undefined) return `@${attribute.name.name}`;
  const open = f.text.indexOf("(", attribute.name.span.end);
  return group(`@${attribute.name.name}`, f.bracketed("(", ")", attribute.args.map(spanned), open, attribute.span.end - 1, (arg) => printExpr(f, arg.expr)));
}
