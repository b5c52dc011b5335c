//! Declarations in the canonical layout: attributes of functions, structs and impls on
//! their own lines, attributes of globals (`@flags(…) var m: …`) before them on the same
//! line, members of structs, enums, configs and impls one per line with a comma after
//! each field.

import { assertNever, type Attribute, type Decl, type FunctionDecl, type ImplItem, type Param, type SourceFileAst } from "../ast.js";
import { concat, hardline, type Doc } from "./doc.js";
import type { FormatContext } from "./layout.js";
import { printAttribute, printExpr, printType } from "./print-expr.js";
import { printBlock } from "./print-stmt.js";

export function printFile(f: FormatContext, ast: SourceFileAst): Doc {
  const body = f.vertical(ast.decls, 0, f.text.length, (decl) => printDecl(f, decl));
  return concat(body, hardline);
}

function printDecl(f: FormatContext, decl: Decl): Doc {
  switch (decl.kind) {
    case "IncludeDecl":
      return concat("include ", f.spelling(decl.path.span));
    case "LicenseDecl":
      return concat(decl.keyword.name, " ", f.spelling(decl.value.span));
    case "ImportDecl":
      return concat("import ", decl.name.name, " from ", f.spelling(decl.path.span));
    case "ExternDecl":
      return concat(
        "extern ",
        decl.name.name,
        printParams(f, decl.params, decl.name.span.end),
        decl.returnType === undefined ? "" : concat(" -> ", printType(f, decl.returnType)),
      );
    case "StructDecl":
      return concat(
        ownLines(f, decl.attributes),
        "struct ",
        decl.name.name,
        " ",
        f.braced(decl.fields, decl.name.span.end, decl.span.end, (field) => concat(field.name.name, ": ", printType(f, field.type)), () => ","),
      );
    case "EnumDecl":
      return concat(
        "enum ",
        decl.name.name,
        " ",
        f.braced(decl.variants, decl.name.span.end, decl.span.end, (variant) =>
          concat(variant.name.name, variant.value === undefined ? "" : concat(" = ", printExpr(f, variant.value))), () => ","),
      );
    case "TypeAliasDecl":
      return concat("type ", decl.name.name, " = ", printType(f, decl.type));
    case "ConfigDecl":
      return concat(
        "config ",
        decl.name.name,
        " ",
        f.braced(decl.fields, decl.name.span.end, decl.span.end, (field) =>
          concat(field.name.name, ": ", printType(f, field.type), field.default === undefined ? "" : concat(" = ", printExpr(f, field.default))), () => ","),
      );
    case "GlobalVarDecl":
      return concat(
        ...decl.attributes.map((a) => concat(printAttribute(f, a), " ")),
        decl.pin ? "pin " : "",
        decl.local ? "local " : "",
        "var ",
        decl.name.name,
        decl.type === undefined ? "" : concat(": ", printType(f, decl.type)),
        decl.init === undefined ? "" : concat(" = ", printExpr(f, decl.init)),
      );
    case "FunctionDecl":
      return printFunction(f, decl);
    case "ImplDecl":
      return concat(
        ownLines(f, decl.attributes),
        "impl ",
        decl.name.name,
        " ",
        f.braced(decl.items, decl.name.span.end, decl.span.end, (item) => printImplItem(f, item), (item) => (item.kind === "ImplField" ? "," : "")),
      );
    case "ErrorDecl":
      // Only a tree without syntax errors is formatted (index.ts).
      return f.spelling(decl.span);
    default:
      return assertNever(decl);
  }
}

function printImplItem(f: FormatContext, item: ImplItem): Doc {
  if (item.kind === "FunctionDecl") return printFunction(f, item);
  return concat(item.name.name, ": ", printExpr(f, item.value));
}

function printFunction(f: FormatContext, decl: FunctionDecl): Doc {
  const result = decl.returnType === undefined
    ? ""
    : concat(" -> ", decl.returnName === undefined ? "" : concat(decl.returnName.name, ": "), printType(f, decl.returnType));
  return concat(
    ownLines(f, decl.attributes),
    "fn ",
    decl.name.name,
    printParams(f, decl.params, decl.name.span.end),
    result,
    decl.body === undefined ? "" : concat(" ", printBlock(f, decl.body)),
  );
}

/** `(name: T, …)`: the list opens at the first `(` after `after`. */
function printParams(f: FormatContext, params: readonly Param[], after: number): Doc {
  const open = f.text.indexOf("(", after);
  const close = f.text.indexOf(")", params.length > 0 ? params[params.length - 1]!.span.end : open);
  return f.bracketed("(", ")", params, open, close, (param) => concat(param.name.name, ": ", printType(f, param.type)));
}

function ownLines(f: FormatContext, attributes: readonly Attribute[]): Doc {
  return concat(...attributes.map((a) => concat(printAttribute(f, a), hardline)));
}
