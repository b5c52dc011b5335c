//! Declarations in the canonical layout: attributes of functions, structs and impls on
//! their own lines, attributes of globals (`@flags(…) var m: …`) before them on the same
//! line, members of structs, enums, configs and impls one per line with a comma after
//! each field.

import { assertNever, type Attribute, type Decl, type FunctionDecl, type ImplItem, type Param, type SourceFileAst } from "../ast.js";
import { concat, concatAll, hardline, suffix, type Doc } from "./doc.js";
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
        // On the line of the `var`, unless comments sit between them.
        f.comments.pendingBefore(decl.name.span.start) ? ownLines(f, decl.attributes) : concatAll(decl.attributes.map((a) => concat(printAttribute(f, a), " "))),
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

/** Attributes one per line, with the comments after each (`@xdp //~ E0207`) kept after it. */
function ownLines(f: FormatContext, attributes: readonly Attribute[]): Doc {
  const parts: Doc[] = [];
  for (const attribute of attributes) {
    parts.push(printAttribute(f, attribute));
    const trailing = f.comments.takeTrailing(attribute.span.end);
    if (trailing.length > 0) parts.push(suffix(...trailing.map((c) => concat(" ", f.comments.doc(c)))));
    parts.push(hardline);
    const end = trailing.length > 0 ? trailing[trailing.length - 1]!.span.end : attribute.span.end;
    for (const comment of f.comments.takeAdjacent(end)) parts.push(f.comments.doc(comment), hardline);
  }
  return concatAll(parts);
}
