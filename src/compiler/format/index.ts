//! `formatSource`: a `.ks`/`.kh` file in the canonical layout (docs/fmt.md).
//!
//! The text is parsed; a file with syntax errors is not formatted (its diagnostics are
//! returned). The tree is printed (print-*.ts) into a layout document (doc.ts) laid out
//! in 100 columns, with the lexer's comments put back (comments.ts, layout.ts). Then the
//! result is checked before anyone sees it: parsed again, it must give the same tree
//! (ast-equal.ts) and the same comments in the same order; otherwise the formatter has a
//! bug and says so (`internalError`) rather than change a program.

import type { SourceFileAst } from "../ast.js";
import { Diagnostics, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { lexStream } from "../parse/lexer.js";
import { parse } from "../parse/parser.js";
import type { Comment } from "../parse/token.js";
import { makeSourceFile, type Span } from "../source.js";
import { firstDifference } from "./ast-equal.js";
import { comparableComment } from "./comments.js";
import { render } from "./doc.js";
import { FORMAT_WIDTH, FormatContext } from "./layout.js";
import { printFile } from "./print-decl.js";

export type FormatResult =
  | { readonly kind: "formatted"; readonly text: string; readonly changed: boolean }
  | { readonly kind: "notParsed"; readonly diagnostics: readonly Diagnostic[] }
  /** The formatter's own bug: the result would not have meant the same (nothing to write). */
  | { readonly kind: "internalError"; readonly message: string };

interface Parsed {
  readonly ast: SourceFileAst;
  readonly comments: readonly Comment[];
  /** String literals with a line break inside (comments.ts leaves their lines alone). */
  readonly multiLineStrings: readonly Span[];
  readonly errors: readonly Diagnostic[];
  readonly text: string;
}

function parseWithComments(path: string, text: string): Parsed {
  const file = makeSourceFile(path, text);
  const diags = new Diagnostics();
  const ast = parse(file, diags);
  const tokens = lexStream(file, new Diagnostics());
  const comments = tokens.allComments();
  const multiLineStrings: Span[] = [];
  for (let i = 0; i < tokens.count; i++) {
    if (tokens.kind(i) === "String" && /[\r\n]/.test(tokens.text(i))) multiLineStrings.push(tokens.span(i));
  }
  return { ast, comments, multiLineStrings, errors: diags.all.filter((d) => d.severity === "error"), text: file.text };
}

export function formatSource(path: string, text: string): FormatResult {
  const before = parseWithComments(path, text);
  if (before.errors.length > 0) return { kind: "notParsed", diagnostics: sortDiagnostics([...before.errors]) };
  const context = new FormatContext(before.text, before.comments, before.multiLineStrings);
  const formatted = render(printFile(context, before.ast), FORMAT_WIDTH);
  const problem = safetyProblem(before, parseWithComments(path, formatted));
  if (problem !== undefined) return { kind: "internalError", message: `formatting ${path} would have ${problem}; the file is left as it is` };
  return { kind: "formatted", text: formatted, changed: formatted !== text };
}

/** What differs between the file before and after formatting (nothing may). */
function safetyProblem(before: Parsed, after: Parsed): string | undefined {
  if (after.errors.length > 0) return `made a syntax error (${after.errors[0]!.message})`;
  const difference = firstDifference(before.ast, after.ast);
  if (difference !== undefined) return `changed the syntax tree at ${difference}`;
  const was = before.comments.map(comparableComment);
  const now = after.comments.map(comparableComment);
  const index = was.findIndex((comment, i) => comment !== now[i]);
  if (index >= 0 || was.length !== now.length) return `changed comment ${index >= 0 ? index + 1 : was.length + 1} (${JSON.stringify(was[index] ?? now[was.length] ?? "")})`;
  return undefined;
}
