//! `print(…)` formats. The user writes printf-style conversions (`%d`, `%u`, `%x`, …)
//! without caring about widths; the compiler rewrites each conversion's length modifier
//! to match its argument's type (so `-Wformat` is satisfied on both sides and a u64
//! prints all of its bits) and adds conversions for arguments the format does not
//! mention.

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";
import { parseFormat } from "../check/format-string.js";
import { isTextArray, printVariants, starCount, type PrintVariant } from "../check/runtime-builtins.js";
import { i32 } from "../types.js";

function lengthModifier(type: Type): string {
  return type.kind === "int" && type.bits === 64 ? "ll" : "";
}

function defaultConversion(type: Type): string {
  if (type.kind === "str" || isTextArray(type)) return "s";
  if (type.kind === "pointer") return "p";
  if (type.kind === "char") return "c";
  if (type.kind === "int" && type.signed) return "d";
  return "u";
}

/**
 * `variant`: `printf`/`eprintf` keep their format's newlines and take a `*` width or
 * precision from the next argument (cast to the `int` C wants); `eprint` is `print`
 * to stderr.
 */
export function lowerPrint(format: string | undefined, given: readonly ir.IrExpr[], span: Span, result?: string, variant?: "print" | PrintVariant): ir.IrStmt {
  const written = variant === undefined || variant === "print" ? undefined : variant;
  const newline = written === undefined || printVariants[written].newline;
  // print adds the newline; one the format already ends with is not doubled.
  const text = newline ? (format ?? "").replace(/\n$/, "") : format ?? "";
  const { conversions } = parseFormat(text, { runtimeWidths: written !== undefined });
  // `sprintf(dest, format, …)`: the destination is not a value of the format.
  const destination = written === "sprintf" ? given.slice(0, 1) : [];
  const args = given.slice(destination.length);
  let out = "";
  let last = 0;
  let next = 0;
  conversions.forEach((conv) => {
    for (let star = 0; star < starCount(conv); star++, next++) {
      const width = args[next];
      if (width) args[next] = { kind: "cast", expr: width, type: i32, span: width.span };
    }
    const arg = args[next++];
    out += text.slice(last, conv.start);
    const modifier = arg && (conv.conversion === "d" || conv.conversion === "i" || conv.conversion === "u" ||
      conv.conversion === "x" || conv.conversion === "X" || conv.conversion === "o") ? lengthModifier(arg.type) : "";
    out += `%${conv.flags}${modifier}${conv.conversion}`;
    last = conv.end;
  });
  out += text.slice(last);
  const extra = args.slice(next);
  for (const arg of extra) {
    const separator = out === "" || /\s$/.test(out) ? "" : " ";
    out += `${separator}%${lengthModifier(arg.type)}${defaultConversion(arg.type)}`;
  }
  const all = [...destination, ...args];
  const stmt: ir.IrStmt = result === undefined ? { kind: "print", format: out, args: all, span } : { kind: "print", format: out, args: all, result, span };
  return written === undefined ? stmt : { ...stmt, variant: written };
}
