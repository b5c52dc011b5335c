// The fenced code blocks of the language guide (docs/language/*.md) and README.md, and
// what each block's info string says it is (docs/language/README.md, "Code blocks in
// these pages"). Read by tests/unit/docs-code-blocks.test.ts (every block compiled) and
// tests/kernel/docs-code-blocks.test.ts (the @test functions of programs run in the kernel).

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./golden.js";

/** The pages whose blocks are checked, relative to the repository root. */
export function docPages(): string[] {
  const languageDir = join(repoRoot, "docs", "language");
  return [
    "README.md",
    ...readdirSync(languageDir).filter((name) => name.endsWith(".md")).sort().map((name) => `docs/language/${name}`),
  ];
}

export interface CodeBlock {
  /** The page, relative to the repository root. */
  readonly page: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly info: string;
  readonly text: string;
}

/** The fenced blocks of a Markdown text (backtick or tilde fences, indented ones too). */
export function codeBlocksOf(page: string, markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === fence![0] && close[1]!.length >= fence!.length) break;
      body.push(lines[j]!.startsWith(indent!) ? lines[j]!.slice(indent!.length) : lines[j]!.trimStart());
    }
    blocks.push({ page, line: i + 1, info: info!.trim(), text: `${body.join("\n")}\n` });
    i = j;
  }
  return blocks;
}

export type BlockKind =
  | { readonly kind: "program"; readonly warnings: readonly string[]; readonly errors: readonly string[] }
  | { readonly kind: "fragment" }
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "shown" };

const shownLanguages = new Set(["c", "sh", "console", "text"]);

/** What an info string asks for, or a message saying why it is not one of the allowed ones. */
export function kindOf(info: string): BlockKind | string {
  const words = info.split(/\s+/).filter((word) => word !== "");
  const [language, mode, ...codes] = words;
  if (language === undefined) return "a code block needs an info string (ks, ks error E0xxx, ks fragment, c, sh, console, text …)";
  if (shownLanguages.has(language) && words.length === 1) return { kind: "shown" };
  const file = /^file=(\S+)$/.exec(mode ?? "");
  if ((language === "ks" || language === "python") && file && codes.length === 0) return { kind: "file", path: file[1]! };
  if (language !== "ks") return `unknown info string \`${info}\``;
  if (mode === undefined) return { kind: "program", warnings: [], errors: [] };
  if (mode === "fragment" && codes.length === 0) return { kind: "fragment" };
  if (mode === "warning" && codes.length > 0 && codes.every((c) => /^W\d{4}$/.test(c))) return { kind: "program", warnings: codes, errors: [] };
  if (mode === "error" && codes.length > 0 && codes.every((c) => /^[EW]\d{4}$/.test(c))) return { kind: "program", warnings: [], errors: codes };
  return `unknown info string \`${info}\` (ks, ks warning W0xxx …, ks error E0xxx …, ks fragment, ks file=PATH)`;
}

