//! File directives: comments of the main file that change how it is compiled.
//!
//! `// kernelscript: deny-warnings` on a line of its own makes every warning an error,
//! like `--deny-warnings`. A comment keeps the file valid for other KernelScript
//! compilers (the reference implementation ignores it).

import { Diagnostics } from "./diagnostics/diagnostic.js";
import { lex } from "./parse/lexer.js";
import type { SourceFile } from "./source.js";

const denyWarningsDirective = /^\/\/\s*kernelscript:\s*deny-warnings\s*$/;

/** Whether the file asks for warnings to be errors (only a real line comment counts, not text in a string). */
export function fileDeniesWarnings(source: SourceFile): boolean {
  // Most files have no directive: only those that mention it are lexed a second time.
  if (!source.text.includes("deny-warnings")) return false;
  for (const token of lex(source, new Diagnostics())) {
    if (token.leadingComments.some((c) => c.kind === "line" && denyWarningsDirective.test(c.text.trim()) && startsItsLine(source.text, c.span.start))) return true;
  }
  return false;
}

/** Whether only blanks stand between the start of the line and `offset`. */
function startsItsLine(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0; i--) {
    const ch = text[i]!;
    if (ch === "\n" || ch === "\r") return true;
    if (ch !== " " && ch !== "\t") return false;
  }
  return true;
}
