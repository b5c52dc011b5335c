//! Top-level declarations.
//!
//!   decl := attribute* ( fn | struct | impl | [pin] [local] var … )
//!         | include STRING | import NAME from STRING | extern NAME(params) [-> T]
//!         | license STRING   (contextual: `license` stays an ordinary name elsewhere)
//!         | enum NAME { … } | type NAME = T | config NAME { … }
//!
//! Items inside `{ … }` of struct, enum, config and impl are separated by commas,
//! semicolons or line breaks. Recovery: a declaration that cannot be parsed is skipped
//! up to the next line that starts with a declaration keyword (`Cursor.syncDeclaration`).

import type {
  Attribute, ConfigField, Decl, EnumVariant, Expr, FunctionDecl, Ident, ImplItem, Param,
  StringLiteral, StructField, TypeExpr,
} from "../ast.js";
import { nextExprId } from "../ast.js";
import * as E from "../diagnostics/catalog/syntax.js";
import { DECLARATION_ONLY, exact, type Cursor } from "./cursor.js";
import { parseExpression } from "./parse-expr.js";
import { parseBlock } from "./parse-stmt.js";
import { GLOBAL_VAR_TYPE, parseFieldName, parseIdent, parseType } from "./parse-type.js";
import { describeToken, type TokenKind } from "./token.js";

export function parseDeclarations(c: Cursor): Decl[] {
  const decls: Decl[] = [];
  for (;;) {
    while (c.eat(";"));
    if (c.at("EOF")) return decls;
    const before = c.position;
    c.beginStatement();
    decls.push(parseDeclaration(c));
    if (c.panicking) c.syncDeclaration();
    if (c.position === before) {
      c.skip();
      c.syncDeclaration();
    }
  }
}

/** Declarations that may carry attributes (`@helper fn …`). */
const TAKES_ATTRIBUTES: ReadonlySet<TokenKind> = new Set<TokenKind>(["fn", "struct", "impl", "var", "let", "pin", "local"]);

function parseDeclaration(c: Cursor): Decl {
  const start = c.start;
  const attributes = parseAttributes(c);
  const kind = c.kind;
  if (attributes.length > 0 && !TAKES_ATTRIBUTES.has(kind)) {
    c.report(E.misplacedAttribute, attributes[0]!.span, describeToken(c.tok));
  }
  switch (kind) {
    case "include": {
      c.skip();
      const path = parseStringLiteral(c, { after: "include" });
      return { kind: "IncludeDecl", path, span: c.spanFrom(start) };
    }
    case "import": {
      c.skip();
      const name = parseIdent(c, { after: "import" });
      c.expect("from", "afterImportedModule");
      const path = parseStringLiteral(c, { after: "from" });
      return { kind: "ImportDecl", name, path, span: c.spanFrom(start) };
    }
    case "extern": {
      c.skip();
      const name = parseIdent(c, { after: "extern" });
      const params = parseParams(c);
      const returnType = c.eat("->") ? parseType(c) : undefined;
      return { kind: "ExternDecl", name, params, returnType, span: c.spanFrom(start) };
    }
    case "struct": {
      c.skip();
      const name = parseIdent(c, { after: "struct" });
      const fields = parseItems(c, "structFields", true, (): StructField => {
        const fieldStart = c.start;
        const fieldName = parseFieldName(c, "inStruct");
        c.expect(":", "afterFieldName");
        const type = parseType(c);
        return { name: fieldName, type, span: c.spanFrom(fieldStart) };
      });
      return { kind: "StructDecl", attributes, name, fields, span: c.spanFrom(start) };
    }
    case "enum": {
      c.skip();
      const name = parseIdent(c, { after: "enum" });
      const variants = parseItems(c, "enumVariants", true, (): EnumVariant => {
        const variantStart = c.start;
        const variantName = parseIdent(c, "asEnumVariant");
        const value = c.eat("=") ? parseExpression(c) : undefined;
        return { name: variantName, value, span: c.spanFrom(variantStart) };
      });
      return { kind: "EnumDecl", name, variants, span: c.spanFrom(start) };
    }
    case "type": {
      c.skip();
      const name = parseIdent(c, { after: "type" });
      c.expect("=", "afterAliasName");
      const type = parseType(c);
      return { kind: "TypeAliasDecl", name, type, span: c.spanFrom(start) };
    }
    case "config": {
      c.skip();
      const name = parseIdent(c, { after: "config" });
      const fields = parseItems(c, "configFields", true, (): ConfigField => {
        const fieldStart = c.start;
        const fieldName = parseFieldName(c, "inConfig");
        c.expect(":", "afterFieldName");
        const type = parseType(c);
        const value = c.eat("=") ? parseExpression(c) : undefined;
        return { name: fieldName, type, default: value, span: c.spanFrom(fieldStart) };
      });
      return { kind: "ConfigDecl", name, fields, span: c.spanFrom(start) };
    }
    case "pin":
    case "local":
    case "var":
    case "let":
      return parseGlobalVar(c, start, attributes);
    case "fn":
      return parseFunction(c, start, attributes);
    case "impl":
      return parseImpl(c, start, attributes);
    case "Ident":
      if (c.atLicenseDeclaration()) {
        const keyword = parseIdent(c);
        const value = parseStringLiteral(c, { after: "license" });
        return { kind: "LicenseDecl", keyword, value, span: c.spanFrom(start) };
      }
      c.error(E.expectedDeclaration, c.tok.span, describeToken(c.tok));
      return { kind: "ErrorDecl", span: c.spanFrom(start) };
    case "const":
      c.error(E.topLevelConst, c.tok.span);
      return { kind: "ErrorDecl", span: c.spanFrom(start) };
    default:
      c.error(E.expectedDeclaration, c.tok.kind === "EOF" ? c.errorSpan() : c.tok.span, describeToken(c.tok));
      return { kind: "ErrorDecl", span: c.spanFrom(start) };
  }
}

function parseAttributes(c: Cursor): Attribute[] {
  const attributes: Attribute[] = [];
  while (c.at("@")) {
    const start = c.start;
    c.skip();
    const name = parseIdent(c, { after: "@" });
    let args: Expr[] | undefined;
    if (c.at("(") && !c.newlineBefore) {
      c.skip();
      args = c.bracketed(() => {
        const list: Expr[] = [];
        while (!c.at(")") && !c.at("EOF")) {
          const arg = parseExpression(c);
          if (arg.kind !== "ErrorExpr" && !isAttributeArgument(arg)) c.report(E.badAttributeArgument, arg.span, name.name);
          list.push(arg);
          if (!c.eat(",")) break;
        }
        c.expect(")", "closeAttributeArguments");
        return exact(list);
      });
    }
    attributes.push({ kind: "Attribute", name, args, span: c.spanFrom(start) });
  }
  return exact(attributes);
}

/** Literals, names, `flag(N)` and `a | b` lists: what an attribute can sensibly carry. */
function isAttributeArgument(expr: Expr): boolean {
  switch (expr.kind) {
    case "StringLiteral": case "IntLiteral": case "BoolLiteral": case "CharLiteral": case "NameExpr":
      return true;
    case "ErrorExpr": // already reported
      return true;
    case "UnaryExpr":
      return expr.op === "-" && expr.operand.kind === "IntLiteral";
    case "CallExpr":
      return expr.callee.kind === "NameExpr" && expr.args.every(isAttributeArgument);
    case "BinaryExpr":
      return expr.op === "|" && isAttributeArgument(expr.left) && isAttributeArgument(expr.right);
    default:
      return false;
  }
}

function parseStringLiteral(c: Cursor, where: E.SyntaxPlace): StringLiteral {
  const token = c.tok;
  if (token.kind === "String") {
    c.skip();
    return { kind: "StringLiteral", value: token.value as string, span: token.span, id: nextExprId() };
  }
  c.error(E.expectedToken, c.errorSpan(), "stringLiteral", describeToken(token), where);
  return { kind: "StringLiteral", value: "", span: c.emptySpan(), id: nextExprId() };
}

function parseParams(c: Cursor): Param[] {
  if (!c.expect("(", "openParameters")) return [];
  // `c.bracketed` spelled out: no closure for every function of a file.
  const saved = c.enterBrackets();
  try {
    const params: Param[] = [];
    while (!c.at(")") && !c.at("EOF")) {
      const start = c.start;
      const name = parseIdent(c, "asParameterName");
      c.expect(":", "afterParameterName");
      const type = parseType(c);
      params.push({ name, type, span: c.spanFrom(start) });
      if (!c.eat(",")) break;
    }
    c.expect(")", "closeParameters");
    return exact(params);
  } finally {
    c.restore(saved);
  }
}

function parseGlobalVar(c: Cursor, start: number, attributes: Attribute[]): Decl {
  let pin = false;
  let local = false;
  for (;;) {
    if (c.eat("pin")) pin = true;
    else if (c.eat("local")) local = true;
    else break;
  }
  if (!c.eat("var") && !c.eat("let")) {
    c.error(E.expectedToken, c.errorSpan(), { token: "var" }, describeToken(c.tok), "afterPinOrLocal");
    return { kind: "ErrorDecl", span: c.spanFrom(start) };
  }
  const name = parseIdent(c, { after: "var" });
  let type: TypeExpr | undefined;
  let init: Expr | undefined;
  if (c.eat(":")) type = parseType(c, GLOBAL_VAR_TYPE);
  if (c.eat("=")) init = parseExpression(c);
  return { kind: "GlobalVarDecl", attributes, pin, local, name, type, init, span: c.spanFrom(start) };
}

function parseFunction(c: Cursor, start: number, attributes: Attribute[]): FunctionDecl {
  c.skip();
  const name = parseIdent(c, { after: "fn" });
  const params = parseParams(c);
  let returnType: TypeExpr | undefined;
  let returnName: Ident | undefined;
  if (c.eat("->")) {
    if (c.at("Ident") && c.peekKind() === ":") {
      returnName = parseIdent(c);
      c.skip();
    }
    returnType = parseType(c);
  }
  // Headers (`.kh`) declare functions without bodies.
  const body = c.at("{") ? parseBlock(c) : undefined;
  return { kind: "FunctionDecl", attributes, name, params, returnType, returnName, body, span: c.spanFrom(start) };
}

function parseImpl(c: Cursor, start: number, attributes: Attribute[]): Decl {
  const implToken = c.advance();
  if (attributes.length === 0) c.report(E.implWithoutAttribute, implToken.span);
  const name = parseIdent(c, { after: "impl" });
  const items = parseItems(c, "implBlock", false, (): ImplItem => {
    const itemStart = c.start;
    const itemAttributes = parseAttributes(c);
    if (c.at("fn")) return parseFunction(c, itemStart, itemAttributes);
    if (itemAttributes.length > 0) c.report(E.misplacedAttribute, itemAttributes[0]!.span, describeToken(c.tok));
    const fieldName = parseFieldName(c, "inImpl");
    c.expect(":", "afterFieldName");
    const value = parseExpression(c);
    return { kind: "ImplField", name: fieldName, value, span: c.spanFrom(itemStart) };
  });
  return { kind: "ImplDecl", attributes, name, items, span: c.spanFrom(start) };
}

/**
 * `{ item, item, … }` with `,`, `;` or line breaks between items. `stopAtDeclaration`:
 * a line starting with `fn`/`struct`/… means the `}` was forgotten (not for `impl`,
 * whose items are functions).
 */
function parseItems<T>(c: Cursor, what: E.ItemList, stopAtDeclaration: boolean, item: () => T): T[] {
  const open = c.position;
  if (!c.expect("{", { openList: what })) return [];
  return c.braced(() => {
    const items: T[] = [];
    for (;;) {
      while (c.eat(",") || c.eat(";"));
      // Kinds, not token objects: this runs for every item.
      const kind = c.kind;
      if (kind === "}") {
        c.skip();
        return items;
      }
      // `type: u16` is a field named `type`, not a forgotten `}` before a type alias.
      const startsDeclaration = DECLARATION_ONLY.has(kind) && c.newlineBefore && c.peekKind() !== ":";
      if (kind === "EOF" || (stopAtDeclaration && startsDeclaration)) {
        c.report(E.unclosedDelimiter, c.spanAt(open), "{", "}", describeToken(c.tok));
        c.panicking = false;
        return items;
      }
      const before = c.position;
      items.push(item());
      const next = c.kind;
      const separated = next === "," || next === ";" || next === "}" || c.newlineBefore || c.previousKind === "}";
      if (!separated) c.error(E.expectedToken, c.errorSpan(), { token: "," }, describeToken(c.tok), { betweenList: what });
      if (c.panicking) c.syncStatement();
      if (c.position === before) {
        c.skip();
        c.syncStatement();
      }
    }
  });
}
