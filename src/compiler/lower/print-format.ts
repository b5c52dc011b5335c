//! `print(…)` formats. The user writes printf-style conversions (`%d`, `%u`, `%x`, …)
//! without caring about widths; the compiler rewrites each conversion's length modifier
//! to match its argument's type (so `-Wformat` is satisfied on both sides and a u64
//! prints all of its bits) and adds conversions for arguments the format does not
//! mention.

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";
import { parseFormat } from "../check/format-string.js";

function lengthModifier(type: Type): string {
  return type.kind === "int" && type.bits === 64 ? "ll" : "";
}

function defaultConversion(type: Type): string {
  if (type.kind === "str") return "s";
  if (type.kind === "pointer") return "p";
  if (type.kind === "char") return "c";
  if (type.kind === "int" && type.signed) return "d";
  return "u";
}

export function lowerPrint(format: string | undefined, args: readonly ir.IrExpr[], span: Span, result?: string): ir.IrStmt {
  // print adds the newline; one the format already ends with is not doubled.
  const text = (format ?? "").replace(/\n$/, "");
  const { conversions } = parseFormat(text);
  let out = "";
  let last = 0;
  conversions.forEach((conv, index) => {
    const arg = args[index];
    out += text.slice(last, conv.start);
    const modifier = arg && (conv.conversion === "d" || conv.conversion === "i" || conv.conversion === "u" ||
      conv.conversion === "x" || conv.conversion === "X" || conv.conversion === "o") ? lengthModifier(arg.type) : "";
    out += `%${conv.flags}${modifier}${conv.conversion}`;
    last = conv.end;
  });
  out += text.slice(last);
  const extra = args.slice(conversions.length);
  for (const arg of extra) {
    const separator = out === "" || /\s$/.test(out) ? "" : " ";
    out += `${separator}%${lengthModifier(arg.type)}${defaultConversion(arg.type)}`;
  }
  return result === undefined ? { kind: "print", format: out, args, span } : { kind: "print", format: out, args, result, span };
}
