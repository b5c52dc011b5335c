//! Parser: source file → `SourceFileAst`.
//!
//! Consumes the tokens of `lex()`, produces the syntax tree (`ast.ts`) that `check/`
//! reads next. Recursive descent with precedence climbing, split by topic:
//! `parse-decl.ts` (top level), `parse-stmt.ts`, `parse-expr.ts`, `parse-type.ts`, over
//! the shared `Cursor`. Guarantees: never throws; always returns a tree, with `Error*`
//! nodes where input could not be parsed; every node has a span inside the file and
//! inside its parent's; syntax errors are E01xx diagnostics, several per file thanks to
//! panic-mode recovery at statement and declaration boundaries.

import type { SourceFileAst } from "../ast.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { Cursor } from "./cursor.js";
import { lex } from "./lexer.js";
import { parseDeclarations } from "./parse-decl.js";

export function parse(file: SourceFile, diags: Diagnostics): SourceFileAst {
  const cursor = new Cursor(file, diags, lex(file, diags));
  const decls = parseDeclarations(cursor);
  return { kind: "SourceFileAst", path: file.path, decls, span: { file: file.path, start: 0, end: file.text.length } };
}
