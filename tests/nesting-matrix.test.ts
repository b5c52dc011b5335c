// The nesting matrix (tests/harness/nesting-matrix.ts) in-process: the generated sources
// and what the compiler makes of them are goldens under tests/cases/matrix/; every
// accepted combination compiles without errors and gets the loop lowering the IR asked
// for in its own C; every refused one gives exactly its diagnostic. The kernel test
// (tests/kernel/nesting-matrix.test.ts) builds, loads and runs the same files.

import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { compile, type Host } from "../src/compiler/index.js";
import { expectGolden, repoRoot } from "./harness/golden.js";
import { matrixFiles, matrixSource, resultSlots, singleSource, type Combination } from "./harness/nesting-matrix.js";

const matrixDir = join(repoRoot, "tests", "cases", "matrix");

function compileText(name: string, text: string) {
  const path = `tests/cases/matrix/${name}.ks`;
  const host: Host = { readFile: (p) => (p === path ? text : undefined) };
  return compile(path, host);
}

/** The C of one function (up to its closing brace at column 0). */
function functionText(c: string, name: string): string {
  const start = c.search(new RegExp(`^(?:int|void|static [^\\n(]*)\\s*\\b${name}\\(.*\\{$`, "m"));
  if (start < 0) return "";
  const end = c.indexOf("\n}\n", start);
  return c.slice(start, end < 0 ? undefined : end);
}

/** The C a combination runs: its program or function, its helper and their loop callbacks. */
function combinationC(c: string, combination: Combination): string {
  const owners = [combination.name, `mx_helper_${combination.k}`];
  const names = [...c.matchAll(/^(?:static long |int |void |static [^\n(]* )(\w+)\(/gm)].map((m) => m[1]!)
    .filter((name) => owners.some((o) => name === o || name.startsWith(`__ks_${o}_loop`)));
  return names.map((name) => functionText(c, name)).join("\n");
}

const slots = resultSlots();

for (const file of matrixFiles()) {
  test(`nesting matrix ${file.name}: ${file.combinations.length} combinations compile, as the goldens show`, () => {
    const source = matrixSource(file, slots);
    expectGolden(source, join(matrixDir, `${file.name}.ks`));
    const result = compileText(file.name, source);
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], "every accepted combination compiles");
    // The eBPF C and the shared header; of a user-space file's loader, the part after the
    // runtime (from the first generated function of the matrix on).
    const shown = result.files.flatMap((f) => {
      if (f.path.endsWith(".bpf.c") || f.path.endsWith(".h")) return [`----- ${f.path} -----\n${f.text}`];
      if (file.side !== "user" || !f.path.endsWith(".c")) return [];
      const start = f.text.search(/^.*\bmxu?_\w+\(/m);
      return [`----- ${f.path} (from its first matrix function) -----\n${f.text.slice(Math.max(0, start))}`];
    });
    expectGolden(shown.join("\n"), join(matrixDir, `${file.name}.out.txt`));

    if (file.side !== "kernel") return;
    // The lowering the IR asked for is the one in the C, whatever block the loop is in.
    const bpf = result.files.find((f) => f.path.endsWith(".bpf.c"))!.text;
    const wrong: string[] = [];
    for (const combination of file.combinations.filter((x) => x.refused === undefined)) {
      const text = combinationC(bpf, combination);
      const names = [combination.construct.name, combination.container.name];
      if (text === "") wrong.push(`${combination.name}: no C found`);
      if (names.includes("loop_callback") && !text.includes("bpf_loop(")) wrong.push(`${combination.name}: no bpf_loop() call`);
      if (names.includes("loop_map") && !text.includes("bpf_for_each_map_elem(")) wrong.push(`${combination.name}: no bpf_for_each_map_elem() call`);
      if (names.includes("loop_unrolled") && !text.includes("#pragma unroll") && !text.includes('_Pragma("unroll")')) wrong.push(`${combination.name}: not unrolled`);
    }
    assert.deepEqual(wrong, []);
  });

  const refused = file.combinations.filter((c) => c.refused !== undefined);
  if (refused.length > 0) {
    test(`nesting matrix ${file.name}: ${refused.length} combinations the language refuses give their diagnostic`, () => {
      const wrong: string[] = [];
      for (const c of refused) {
        const result = compileText(c.name, singleSource(c, slots));
        const codes = result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
        if (codes.length === 0 || codes.some((code) => code !== c.refused)) wrong.push(`${c.name}: expected ${c.refused}, got [${codes.join(", ")}]`);
        if (result.files.length > 0) wrong.push(`${c.name}: files were emitted`);
      }
      assert.deepEqual(wrong, []);
    });
  }
}
