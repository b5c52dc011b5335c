// Large realistic programs for the compile-time benchmarks: four examples side by side
// (packet parsing with proven bounds, `match`, pointers and ring-buffer events: 391
// lines), repeated, each copy with every name it declares renamed so copies do not
// collide. Used by bench/compile-time.ts (in-process) and bench/compiler.ts (the CLI).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, type Compiler } from "./common.js";

// Examples without a `main` of their own, so copies can sit side by side.
export const generatorExamples = ["packet_parsing.ks", "match.ks", "pointers.ks", "ringbuf_events.ks"];

export interface Generator {
  /** `copies` copies of the examples, the names each declares suffixed per copy and example. */
  program(copies: number): string;
  /** Lines of one copy (a program of `copies` copies has about `copies` times as many). */
  readonly linesPerCopy: number;
}

/** A generator that lexes and parses the examples with `compiler` (to find the names they declare). */
export function makeGenerator(compiler: Compiler): Generator {
  const sources = generatorExamples.map((name) => readFileSync(join(repoRoot, "examples", name), "utf8"));
  const declared = sources.map((text) => declaredNames(compiler, text));
  const program = (copies: number): string => {
    const parts: string[] = [];
    for (let copy = 1; copy <= copies; copy++) {
      sources.forEach((source, i) => parts.push(renamed(compiler, source, declared[i]!, `_${copy}_${i}`)));
    }
    return parts.join("\n");
  };
  return { program, linesPerCopy: program(1).split("\n").length };
}

/** Top-level names of the example: maps, globals, functions, types and enum constants. */
function declaredNames(compiler: Compiler, text: string): Set<string> {
  const ast = compiler.parse(compiler.makeSourceFile("x.ks", text), new compiler.Diagnostics());
  const names = new Set<string>();
  for (const decl of ast.decls) {
    if ("name" in decl && decl.name && typeof decl.name === "object" && "name" in decl.name) names.add(decl.name.name);
    if (decl.kind === "EnumDecl") for (const variant of decl.variants) names.add(variant.name.name);
  }
  return names;
}

/** The text with every identifier token naming one of `names` renamed, except field names after `.`/`->`. */
function renamed(compiler: Compiler, text: string, names: Set<string>, suffix: string): string {
  const tokens = compiler.lex(compiler.makeSourceFile("x.ks", text), new compiler.Diagnostics());
  let out = "";
  let at = 0;
  tokens.forEach((token, i) => {
    const previous = tokens[i - 1]?.kind;
    // `p->field`, but `fn f() -> Type` (after `)`) names a type.
    const fieldAccess = previous === "." || (previous === "->" && tokens[i - 2]?.kind !== ")");
    if (token.kind !== "Ident" || !names.has(token.text) || fieldAccess) return;
    out += text.slice(at, token.span.end) + suffix;
    at = token.span.end;
  });
  return out + text.slice(at);
}
