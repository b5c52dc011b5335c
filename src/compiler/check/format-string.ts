//! The conversions of a `print(…)` format string (`%d`, `%-08x`, `%%`): the checker
//! counts them against the arguments, lowering rewrites their length modifiers.

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
