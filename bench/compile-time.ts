// Compile time against program size: 1×, 10× and 100× a large, realistic program (four
// examples side by side, each copy with its declarations renamed), through the whole
// core (parse → check → lower → analyze → emit, in-process, without kernel BTF, whose
// parsing is a constant second). Prints lines per second for each size; they should stay
// about the same: compile time linear in the size of the program.
//
//   make bench
//   node build/bench/compile-time.js [--build DIR]   (another build's compiler, for before/after)

import { loadCompiler, cpuMs } from "./common.js";
import { generatorExamples, makeGenerator } from "./generate.js";

const compiler = await loadCompiler(process.argv);
const examples = generatorExamples;
const { program } = makeGenerator(compiler);

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
