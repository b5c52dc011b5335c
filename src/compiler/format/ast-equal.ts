//! Whether two syntax trees are the same program text apart from layout: every field
//! compared except where things are (`span`, `opSpan`) and the parser's expression
//! numbers (`id`). A field set to `undefined` equals a missing one. The formatter's
//! safety check (index.ts) compares the tree before and after formatting with it.

import type { SourceFileAst } from "../ast.js";

const IGNORED: ReadonlySet<string> = new Set(["span", "opSpan", "id"]);

export function sameAst(a: SourceFileAst, b: SourceFileAst): boolean {
  return firstDifference(a, b) === undefined;
}

/**
 * The path to the first difference between two trees (`decls.3.body.statements.0.op`),
 * or undefined when they are the same; the formatter names it in its internal error.
 */
export function firstDifference(a: unknown, b: unknown): string | undefined {
  // An explicit stack: the tree may be deep (nesting is bounded, but by the parser, not
  // here). Paths are made only for the difference: each frame knows its parent and key.
  const frames: Frame[] = [{ a, b, parent: undefined, key: "" }];
  while (frames.length > 0) {
    const frame = frames.pop()!;
    const { a: x, b: y } = frame;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return pathOf(frame);
    if (Array.isArray(x) !== Array.isArray(y)) return pathOf(frame);
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return `${pathOf(frame)}.length`;
      for (let i = x.length - 1; i >= 0; i--) frames.push({ a: x[i], b: y[i], parent: frame, key: i });
      continue;
    }
    const xr = x as Record<string, unknown>;
    const yr = y as Record<string, unknown>;
    for (const key in xr) {
      if (!IGNORED.has(key)) frames.push({ a: xr[key], b: yr[key], parent: frame, key });
    }
    for (const key in yr) {
      if (!(key in xr) && !IGNORED.has(key) && yr[key] !== undefined) return `${pathOf(frame)}.${key}`;
    }
  }
  return undefined;
}

interface Frame {
  readonly a: unknown;
  readonly b: unknown;
  readonly parent: Frame | undefined;
  readonly key: string | number;
}

function pathOf(frame: Frame): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) keys.push(f.key);
  return keys.reverse().join(".") || "(root)";
}
