//! `print(…)` formats. The user writes printf-style conversions (`%d`, `%u`, `%x`, …)
//! without caring about widths; the compiler rewrites each conversion's length modifier
//! to match its argument's type (so `-Wformat` is satisfied on both sides and a u64
//! prints all of its bits) and adds conversions for arguments the format does not
//! mention.

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";

export interface FormatConversion {
  /** Offset of the `%` in the format. */
  readonly start: number;
  /** Offset just past the conversion character. */
  readonly end: number;
  /** Flags, width and precision as written (`-08`, `.3`). */
  readonly flags: string;
  /** The conversion character: d i u x X o c s p. */
  readonly conversion: string;
}

const conversionChars = new Set(["d", "i", "u", "x", "X", "o", "c", "s", "p"]);

/** The conversions of `format` in order, and whether every `%` was understood. */
export function parseFormat(format: string): { conversions: FormatConversion[]; invalidAt: number | undefined } {
  const conversions: FormatConversion[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] !== "%") { i++; continue; }
    if (format[i + 1] === "%") { i += 2; continue; }
    const start = i++;
    let flags = "";
    while (i < format.length && /[-+ #0-9.]/.test(format[i]!)) flags += format[i++];
    while (i < format.length && /[hlzjtL]/.test(format[i]!)) i++;
    const conversion = format[i];
    if (conversion === undefined || !conversionChars.has(conversion)) return { conversions, invalidAt: start };
    i++;
    conversions.push({ start, end: i, flags, conversion });
  }
  return { conversions, invalidAt: undefined };
}

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
