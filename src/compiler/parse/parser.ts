//! Parser: source file → `SourceFileAst`.
//!
//! Consumes the tokens of `lex()`, produces the syntax tree (`ast.ts`) that `check/`
//! reads next. Recursive descent with precedence climbing, split by topic:
//! `parse-decl.ts` (top level), `parse-stmt.ts`, `parse-expr.ts`, `parse-type.ts`, over
//! the shared `Cursor`. Guarantees: never throws; always returns a tree, with `Error*`
//! nodes where input could not be parsed; every node has a span inside the file and
//! inside its parent's; syntax errors are E01xx diagnostics, several per file thanks to
//! panic-mode recovery at statement and declaration boundaries.

import { forEachChild, type Node, type SourceFileAst } from "../ast.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import type { SourceFile, Span } from "../source.js";
import { Cursor } from "./cursor.js";
import { lexStream } from "./lexer.js";
import { parseDeclarations } from "./parse-decl.js";

export function parse(file: SourceFile, diags: Diagnostics): SourceFileAst {
  const cursor = new Cursor(file, diags, lexStream(file, diags));
  const decls = parseDeclarations(cursor);
  const ast: SourceFileAst = { kind: "SourceFileAst", path: file.path, decls, span: { file: file.path, start: 0, end: file.text.length } };
  // Only error recovery makes a node that sticks out of its parent: a tree parsed without
  // errors needs no walk (a whole-tree walk costs about 6% of checking a large file).
  if (diags.hasErrors()) forEachChild(ast, coverChildren);
  return ast;
}

/**
 * Widens a node's span to cover its children. Only error recovery needs it: an empty
 * `Error*` node sits where the missing piece was noticed (at the next token), which can
 * lie just past the end of the construct that gave up. Runs once, before anyone else
 * sees the tree, so the nodes are still ours to adjust.
 */
function coverChildren(node: Node): Span {
  let { start, end } = node.span;
  forEachChild(node, (child) => {
    const inner = coverChildren(child);
    start = Math.min(start, inner.start);
    end = Math.max(end, inner.end);
  });
  if (start !== node.span.start || end !== node.span.end) {
    (node as { span: Span }).span = { ...node.span, start, end };
  }
  return node.span;
}
