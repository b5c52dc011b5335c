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
  // An explicit stack: the tree may be deep (nesting is bounded, but by the parser, not here).
  const stack: { readonly a: unknown; readonly b: unknown; readonly path: string }[] = [{ a, b, path: "" }];
  while (stack.length > 0) {
    const { a: x, b: y, path } = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return path || "(root)";
    if (Array.isArray(x) !== Array.isArray(y)) return path;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return `${path}.length`;
      for (let i = x.length - 1; i >= 0; i--) stack.push({ a: x[i], b: y[i], path: `${path}.${i}` });
      continue;
    }
    const xr = x as Record<string, unknown>;
    const yr = y as Record<string, unknown>;
    const keys = new Set([...Object.keys(xr), ...Object.keys(yr)]);
    for (const key of keys) {
      if (IGNORED.has(key)) continue;
      stack.push({ a: xr[key], b: yr[key], path: path === "" ? key : `${path}.${key}` });
    }
  }
  return undefined;
}
