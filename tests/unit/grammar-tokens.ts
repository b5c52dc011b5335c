// Tokenizes text with the committed TextMate grammar of KernelScript through the same
// libraries VS Code uses (vscode-textmate with the Oniguruma regex engine compiled to
// WebAssembly), for tests/unit/grammar*.test.ts.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";
import { repoRoot } from "../harness/golden.js";
import { grammarPath, markdownGrammarPath, scopeName } from "../../tools/gen-grammar.js";

export interface Token {
  readonly text: string;
  /** Offset in the whole text. */
  readonly start: number;
  /** Innermost last, without the root scope `source.kernelscript`. */
  readonly scopes: readonly string[];
}

export interface LineTokens {
  readonly line: number;
  readonly tokens: readonly Token[];
  /** The tokenizer gave up on the line (a runaway pattern). */
  readonly stoppedEarly: boolean;
}

export interface FileTokens {
  readonly lines: readonly LineTokens[];
  /** Rules still open after the last line (an unterminated string, comment or body). */
  readonly openAtEnd: number;
}

let grammars: Promise<{ kernelscript: vsctm.IGrammar; markdown: vsctm.IGrammar }> | undefined;

/** The grammar of `.ks` files and a Markdown grammar with the fenced-block injection. */
export function loadGrammars(): Promise<{ kernelscript: vsctm.IGrammar; markdown: vsctm.IGrammar }> {
  grammars ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const raw = new Map<string, string>([
      [scopeName, join(repoRoot, grammarPath)],
      ["markdown.kernelscript.codeblock", join(repoRoot, markdownGrammarPath)],
    ]);
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (text: string) => new oniguruma.OnigString(text),
      }),
      loadGrammar: async (scope: string) => {
        if (scope === "text.html.markdown") return minimalMarkdownGrammar();
        const path = raw.get(scope);
        return path === undefined ? null : vsctm.parseRawGrammar(readFileSync(path, "utf8"), path);
      },
      getInjections: (scope: string) => (scope === "text.html.markdown" ? ["markdown.kernelscript.codeblock"] : undefined),
    });
    const kernelscript = await registry.loadGrammar(scopeName);
    const markdown = await registry.loadGrammar("text.html.markdown");
    if (kernelscript === null || markdown === null) throw new Error("the grammars did not load");
    return { kernelscript, markdown };
  })();
  return grammars;
}

/**
 * A stand-in for VS Code's Markdown grammar: paragraphs only, so what the injection
 * matches is all that is highlighted.
 */
function minimalMarkdownGrammar(): vsctm.IRawGrammar {
  return vsctm.parseRawGrammar(JSON.stringify({ scopeName: "text.html.markdown", patterns: [] }), "markdown.json");
}

/** Every line of `text` in tokens, with the state left at the end. */
export async function tokenizeText(text: string, grammar?: vsctm.IGrammar): Promise<FileTokens> {
  const use = grammar ?? (await loadGrammars()).kernelscript;
  // Every token's first scope is the grammar's own (`source.kernelscript`).
  const root = 1;
  let state: vsctm.StateStack = vsctm.INITIAL;
  const lines: LineTokens[] = [];
  // Lines end at `\n`, `\r\n` or a lone `\r`, as in the lexer (source.ts).
  const lineBreak = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (;;) {
    const found = lineBreak.exec(text);
    const line = text.slice(lineStart, found?.index ?? text.length);
    const result = use.tokenizeLine(line, state, 1000);
    const offset = lineStart;
    lines.push({
      line: lines.length + 1,
      stoppedEarly: result.stoppedEarly,
      tokens: result.tokens
        .map((token) => ({ text: line.slice(token.startIndex, token.endIndex), start: offset + token.startIndex, scopes: token.scopes.slice(root) }))
        .filter((token) => token.text.length > 0),
    });
    state = result.ruleStack;
    if (found === null) break;
    lineStart = found.index + found[0].length;
  }
  return { lines, openAtEnd: state.depth - 1 };
}

/** The innermost scope of each token that is not whitespace, as `text → scope` pairs. */
export function innermost(tokens: readonly Token[]): [string, string][] {
  return tokens.filter((token) => token.text.trim() !== "").map((token) => [token.text.trim(), token.scopes.at(-1) ?? ""]);
}
