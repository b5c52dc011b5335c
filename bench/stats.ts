// The arithmetic and layout of the benchmark tables: medians, the order of the two
// sides in interleaved rounds, ratios, and a Markdown table that reads in a terminal.
// No I/O (tests/unit/bench-stats.test.ts).

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The two sides in the order round `round` runs them: as given in even rounds, swapped
 * in odd ones (C, ours, ours, C, C, ours …), so neither side always runs first, right
 * after the other's caches and frequency have settled.
 */
export function roundOrder<T>(round: number, sides: readonly [T, T]): [T, T] {
  return round % 2 === 0 ? [sides[0], sides[1]] : [sides[1], sides[0]];
}

/** `ours / reference`; NaN when the reference is not positive. */
export function ratio(reference: number, ours: number): number {
  return reference > 0 ? ours / reference : NaN;
}

/** `1.20×`; `–` for a ratio that could not be computed. */
export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : "–";
}

/** `35 → 42 (1.20×)`: a reference value, ours, and their ratio. */
export function formatPair(reference: number, ours: number, digits = 0): string {
  const show = (n: number): string => (Number.isFinite(n) ? n.toFixed(digits) : "–");
  return `${show(reference)} → ${show(ours)} (${formatRatio(ratio(reference, ours))})`;
}

export type Align = "left" | "right";

/**
 * A Markdown table whose columns are padded to their widest cell, so it reads the same
 * in a terminal and in a .md file. Widths count code points (`→`, `×` are one each).
 */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const width = (text: string): number => [...text].length;
  const widths = headers.map((header, column) => Math.max(3, width(header), ...rows.map((row) => width(row[column] ?? ""))));
  const pad = (text: string, column: number): string => {
    const fill = " ".repeat(widths[column]! - width(text));
    return align[column] === "right" ? fill + text : text + fill;
  };
  const line = (cells: readonly string[]): string => `| ${headers.map((_, column) => pad(cells[column] ?? "", column)).join(" | ")} |`;
  const rule = `|${widths.map((w, column) => (align[column] === "right" ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
