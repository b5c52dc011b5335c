// Compile time against program size: 1×, 10× and 100× a large, realistic program (four
// examples side by side, each copy with its declarations renamed), through the whole
// core (parse → check → lower → analyze → emit, in-process, without kernel BTF, whose
// parsing is a constant second). Prints lines per second for each size; they should stay
// about the same: compile time linear in the size of the program.
//
//   make bench
//   node build/bench/compile-time.js [--build DIR]   (another build's compiler, for before/after)

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, loadCompiler, cpuMs } from "./common.js";

const compiler = await loadCompiler(process.argv);
// Four examples without a `main` of their own, so copies can sit side by side: packet
// parsing with proven bounds, `match`, pointers and ring-buffer events (387 lines).
const examples = ["packet_parsing.ks", "match.ks", "pointers.ks", "ringbuf_events.ks"];
const sources = examples.map((name) => readFileSync(join(repoRoot, "examples", name), "utf8"));
const declared = sources.map(declaredNames);

/** `copies` copies of the examples, the names each declares suffixed per copy and example. */
function program(copies: number): string {
  const parts: string[] = [];
  for (let copy = 1; copy <= copies; copy++) {
    sources.forEach((source, i) => parts.push(renamed(source, declared[i]!, `_${copy}_${i}`)));
  }
  return parts.join("\n");
}

/** Top-level names of the example: maps, globals, functions, types and enum constants. */
function declaredNames(text: string): Set<string> {
  const ast = compiler.parse(compiler.makeSourceFile("x.ks", text), new compiler.Diagnostics());
  const names = new Set<string>();
  for (const decl of ast.decls) {
    if ("name" in decl && decl.name && typeof decl.name === "object" && "name" in decl.name) names.add(decl.name.name);
    if (decl.kind === "EnumDecl") for (const variant of decl.variants) names.add(variant.name.name);
  }
  return names;
}

/** The text with every identifier token naming one of `names` renamed, except field names after `.`/`->`. */
function renamed(text: string, names: Set<string>, suffix: string): string {
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

function measure(text: string, runs: number): { ms: number; errors: number; files: number } {
  let best = Infinity;
  let errors = 0;
  let files = 0;
  for (let run = 0; run < runs; run++) {
    const before = cpuMs();
    const result = compiler.compile("bench.ks", { readFile: (path: string) => (path === "bench.ks" ? text : undefined) });
    best = Math.min(best, cpuMs() - before);
    errors = result.diagnostics.filter((d: { severity: string }) => d.severity === "error").length;
    files = result.files.length;
  }
  return { ms: best, errors, files };
}

if (process.argv.includes("--show-errors")) {
  const result = compiler.compile("bench.ks", { readFile: () => program(1) });
  for (const d of result.diagnostics) console.log(d.code, d.message);
}
measure(program(1), 3); // warm the JIT up
console.log(`compile time of examples/{${examples.join(",")}} repeated (${compiler.label}); CPU time, best of several runs`);
console.log("copies      lines     ms CPU    lines/s   vs 1×");
let base: number | undefined;
for (const copies of [1, 10, 100]) {
  const text = program(copies);
  const lines = text.split("\n").length;
  const { ms, errors, files } = measure(text, copies === 100 ? 2 : 5);
  const rate = lines / (ms / 1000);
  base ??= rate;
  const note = errors > 0 || files === 0 ? `  (${errors} errors: not a valid program!)` : "";
  console.log(`${String(copies).padStart(6)} ${String(lines).padStart(10)} ${ms.toFixed(0).padStart(10)} ${rate.toFixed(0).padStart(10)} ${(rate / base).toFixed(2).padStart(7)}${note}`);
}
