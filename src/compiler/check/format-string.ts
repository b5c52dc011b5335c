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

const conversionChars = new Set(["d", "i", "u", "x", "X", "o", "c", "s", "p"]);

/**
 * The conversions of `format` in order, and whether every `%` was understood.
 * `runtimeWidths`: a `*` width or precision (`%-*s`, `%.*s`) is accepted (user-space
 * `printf`/`eprintf`, check/runtime-builtins.ts); it stays in `flags`.
 */
export function parseFormat(format: string, options?: { readonly runtimeWidths: boolean }): { conversions: FormatConversion[]; invalidAt: number | undefined } {
  const flagChars = options?.runtimeWidths ? /[-+ #0-9.*]/ : /[-+ #0-9.]/;
  const conversions: FormatConversion[] = [];
  let i = 0;
  while (i < format.length) {
    if (format[i] !== "%") { i++; continue; }
    if (format[i + 1] === "%") { i += 2; continue; }
    const start = i++;
    let flags = "";
    while (i < format.length && flagChars.test(format[i]!)) flags += format[i++];
    while (i < format.length && /[hlzjtL]/.test(format[i]!)) i++;
    const conversion = format[i];
    if (conversion === undefined || !conversionChars.has(conversion)) return { conversions, invalidAt: start };
    i++;
    conversions.push({ start, end: i, flags, conversion });
  }
  return { conversions, invalidAt: undefined };
}
