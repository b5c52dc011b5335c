//! The conversions of a `print(…)` format string (`%d`, `%-08x`, `%%`): the checker
//! counts them against the arguments, lowering rewrites their length modifiers.

export interface FormatConversion {
  /** Offset of the `%` in the format. */
  readonly start: number;
  /** Offset just past the conversion character. */
  readonly end: number;
  /** Flags, width and precision as written (`-08`, `.3`, `-*` with `runtimeWidths`). */
  readonly flags: string;
  /** The conversion character: d i u x X o c s p. */
  readonly conversion: string;
}

/** The conversion characters (the editor grammar highlights the same set, tools/gen-grammar.ts). */
export const formatConversionChars: ReadonlySet<string> = new Set(["d", "i", "u", "x", "X", "o", "c", "s", "p"]);
/** Flags, width and precision; a `*` width or precision only with `runtimeWidths`. */
export const formatFlagChars = "-+ #0123456789.";
/** Length modifiers (`%lu`, `%llx`), rewritten by lowering. */
export const formatLengthModifiers = "hlzjtL";

/**
 * The conversions of `format` in order, and whether every `%` was understood.
 * `runtimeWidths`: a `*` width or precision (`%-*s`, `%.*s`) is accepted (user-space
 * `printf`/`eprintf`, check/runtime-builtins.ts); it stays in `flags`.
 */
export function parseFormat(format: string, options?: { readonly runtimeWidths: boolean }): { conversions: FormatConversion[]; invalidAt: number | undefined } {
  const isFlag = (ch: string): boolean => formatFlagChars.includes(ch) || (ch === "*" && options?.runtimeWidths === true);
  const conversions: FormatConversion[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] !== "%") { i++; continue; }
    if (format[i + 1] === "%") { i += 2; continue; }
    const start = i++;
    let flags = "";
    while (i < format.length && isFlag(format[i]!)) flags += format[i++];
    while (i < format.length && formatLengthModifiers.includes(format[i]!)) i++;
    const conversion = format[i];
    if (conversion === undefined || !formatConversionChars.has(conversion)) return { conversions, invalidAt: start };
    i++;
    conversions.push({ start, end: i, flags, conversion });
  }
  return { conversions, invalidAt: undefined };
}
