// Inputs that once made the compiler do unbounded work or crash (issue 11, items 8 and
// 9), timed through the whole core: the numbers behind the before/after table in
// bench/README.md. Each is also a test (tests/unit/unbounded-work.test.ts,
// tests/unit/deep-nesting.test.ts), without timing.
//
//   node build/bench/pathological.js [--build DIR] [--only NAME]

import { loadCompiler, cpuMs } from "./common.js";

const compiler = await loadCompiler(process.argv);
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;

const program = (body: string): string => `@xdp\nfn p(ctx: *xdp_md) -> xdp_action {\n${body}\n  return XDP_PASS\n}\n`;

const cases: readonly (readonly [string, () => string])[] = [
  ["10,000 vars in one function", () => program(Array.from({ length: 10_000 }, (_, i) => `  var v${i}: u8 = 1`).join("\n"))],
  ["256 KB undefined identifier", () => program(`  var a = ${"q".repeat(256 * 1024)}`)],
  ["a line of 8,000 `$`", () => program("$".repeat(8000))],
  ["a line of 4,000 `$ `", () => program("$ ".repeat(4000))],
  ["a 1 MB line of `$`", () => program("$".repeat(1_000_000))],
  ["20,000 nested parentheses", () => program(`  var a: u32 = ${"(".repeat(20_000)}1${")".repeat(20_000)}`)],
  ["a flat sum of 100,000 terms", () => program(`  var x: u32 = 1\n  var a = ${Array.from({ length: 100_000 }, () => "x").join(" + ")}`)],
  ["100,000 nested blocks", () => program(`${"{\n".repeat(100_000)}${"}\n".repeat(100_000)}`)],
  ["6,200 structs each holding the next", () => {
    const lines = Array.from({ length: 6200 }, (_, i) => `struct S${i} { v: u32, next: S${i + 1} }`);
    return `${lines.join("\n")}\nstruct S6200 { v: u32 }\nvar m: hash<u32, S0>(16)\n${program("")}`;
  }],
  ["a local of 40 levels of structs holding two of the previous", () => {
    const lines = ["struct W0 { a: u8 }", ...Array.from({ length: 40 }, (_, i) => `struct W${i + 1} { a: W${i}, b: W${i} }`)];
    return `${lines.join("\n")}\n${program("  var w: W40\n  var n = w.a")}`;
  }],
  ["1 << 4000000000 as an array size", () => program("  var a: u8[1 << 4000000000]")],
];

console.log(`pathological inputs (${compiler.label}): CPU time of compile + rendering the diagnostics`);
for (const [name, make] of cases) {
  if (only !== undefined && !name.includes(only)) continue;
  const text = make();
  const before = cpuMs();
  let outcome: string;
  try {
    const result = compiler.compile("p.ks", { readFile: (path: string) => (path === "p.ks" ? text : undefined) });
    const rendered = compiler.renderDiagnostics(result.diagnostics, result.sources, { color: false, inputName: "p.ks" });
    outcome = `${result.diagnostics.length} diagnostics, ${(rendered.length / 1024).toFixed(0)} KB printed`;
  } catch (error) {
    outcome = `internal error: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(`${name.padEnd(62)} ${(cpuMs() - before).toFixed(0).padStart(8)} ms   ${outcome}`);
}
