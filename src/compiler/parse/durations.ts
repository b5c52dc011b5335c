//! Duration literals: a decimal integer with a unit suffix (`250ms`, `1s`, `5m`) is a
//! count of nanoseconds (a `u64`). The lexer reads them (lexer.ts `number`), the parser
//! marks the `IntLiteral` with its unit, the checker types it `u64` (check/expressions.ts).

import type { IntLiteral } from "../ast.js";
import { nextExprId } from "../ast.js";
import type { Span } from "../source.js";

export type DurationUnit = "ns" | "us" | "ms" | "s" | "m" | "h";

/** Nanoseconds per unit. */
export const durationUnits: Readonly<Record<DurationUnit, bigint>> = {
  ns: 1n,
  us: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

function isDurationUnit(text: string): text is DurationUnit {
  return Object.hasOwn(durationUnits, text);
}

/**
 * The parts of a literal spelled as decimal digits followed by letters (`250ms`,
 * `5sec`): `unit` is the suffix when it is a duration unit. Undefined for any other
 * spelling (`42`, `0xff`, `12a4`).
 */
export function splitUnitSuffix(text: string): { readonly digits: string; readonly suffix: string; readonly unit: DurationUnit | undefined } | undefined {
  const match = /^([0-9][0-9_]*)([A-Za-z]+)$/.exec(text);
  if (!match || /^0[xXoObB]/.test(text)) return undefined;
  const suffix = match[2]!;
  return { digits: match[1]!, suffix, unit: isDurationUnit(suffix) ? suffix : undefined };
}

/** The unit of a duration literal's spelling, or undefined for a plain integer. */
export function durationUnitOf(text: string): DurationUnit | undefined {
  // A spelling ending in a digit has no suffix (most literals): no pattern to run.
  const last = text.charCodeAt(text.length - 1);
  if (last >= 48 && last <= 57) return undefined;
  return splitUnitSuffix(text)?.unit;
}

/** The `IntLiteral` of an `Int` token (its value, spelling and span), marked when it is a duration. */
export function intLiteral(value: bigint, text: string, span: Span): IntLiteral {
  return durationUnitOf(text) === undefined
    ? { kind: "IntLiteral", value, text, span, id: nextExprId() }
    : { kind: "IntLiteral", value, text, duration: true, span, id: nextExprId() };
}
