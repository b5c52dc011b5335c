// Golden files of the generated code: for every tests/cases/emit/X.ks, X.out.txt holds
// every emitted file under a "----- name -----" header, so a reviewer sees the whole
// output of one program in one diff. The loader runtime's constant C
// (src/compiler/emit/userspace/runtime-c/NAME.c, reviewed there once) is pasted into
// every loader; a golden shows one line in its place, so it holds what this program
// made. (tests/e2e/emitted-c.test.ts compiles the full files with clang and cc;
// tests/kernel loads them into the kernel.)

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { compile, type Host } from "../src/compiler/index.js";
import { casesIn, expectGolden, repoRoot } from "./harness/golden.js";
import { runtimeC } from "../src/compiler/emit/userspace/runtime-c.generated.js";
import { CWriter } from "../src/compiler/emit/c-writer.js";
import { emitVerifierTables } from "../src/compiler/emit/userspace/verifier-table.js";

/** Each runtime file as `pasteRuntimeC` writes it, and the line a golden shows instead. */
const pastedRuntime = [
  ...Object.entries(runtimeC).map(([name, text]) => ({
    pasted: `${text.replace(/\n+$/, "")}\n\n`,
    shown: `/* runtime-c/${name}.c pasted here */\n\n`,
  })),
  // Generated from the diagnostic catalogue, the same in every loader and test binary
  // (tests/kernel/verifier-cli.test.ts checks the explanations a loader prints).
  { pasted: verifierTablesText(), shown: "/* the verifier explanation tables (emitVerifierTables) pasted here */\n\n" },
];

function verifierTablesText(): string {
  const w = new CWriter();
  emitVerifierTables(w);
  return w.toString();
}

/** `text` with every pasted runtime file replaced by its one line. */
function withRuntimeShownByName(text: string): string {
  for (const { pasted, shown } of pastedRuntime) text = text.split(pasted).join(shown);
  return text;
}

const nodeHost: Host = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

const caseDir = join(repoRoot, "tests", "cases", "emit");

// Files under a `_` directory are modules imported by cases, not cases.
for (const path of casesIn(caseDir, ".ks").filter((p) => !p.includes("/_"))) {
  test(`emit: ${basename(path)}`, () => {
    // Compile by a path relative to the case directory so no absolute path leaks in.
    const relative = `tests/cases/emit/${basename(path)}`;
    const previous = process.cwd();
    process.chdir(repoRoot);
    try {
      // A case with `@test` functions is compiled in test mode (its golden shows NAME.test.c).
      const result = compile(relative, nodeHost, { test: /^\s*@test\b/m.test(readFileSync(path, "utf8")) });
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      assert.deepEqual(errors.map((d) => `${d.code} ${d.message}`), [], "an emit case must compile");
      const text = result.files.map((f) => `----- ${f.path} -----\n${withRuntimeShownByName(f.text)}`).join("\n");
      expectGolden(text, path.replace(/\.ks$/, ".out.txt"));
    } finally {
      process.chdir(previous);
    }
  });
}

test("emit goldens: a pasted runtime file is shown by name, and only where it was pasted whole", () => {
  const [first] = pastedRuntime;
  assert.ok(first, "the runtime has files");
  assert.equal(withRuntimeShownByName(`int a;\n${first.pasted}int b;\n`), `int a;\n${first.shown}int b;\n`);
  const cut = first.pasted.slice(0, -10);
  assert.equal(withRuntimeShownByName(`int a;\n${cut}`), `int a;\n${cut}`);
});

test("emitting twice gives the same bytes", () => {
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const first = compile("tests/cases/emit/map-kinds-and-flags.ks", nodeHost).files;
    const second = compile("tests/cases/emit/map-kinds-and-flags.ks", nodeHost).files;
    assert.deepEqual(second, first);
    assert.ok(first.length >= 4);
  } finally {
    process.chdir(previous);
  }
});
