// The compiler core's layers (ARCHITECTURE.md, "Layers"): nouns at the bottom (source
// positions, types, the kernel catalogues, the AST and IR, generated names, diagnostics),
// the passes above them in pipeline order (parse → check → lower → analyze → emit), and
// the pipeline on top. A module may import its own layer and the layers this table lists
// for it, nothing else: a pass never reaches up into a later pass, and a noun never into
// a pass. The test reads every relative import (static, `import type`, and `import("…")`
// type queries) of src/compiler.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";

const coreDir = join(repoRoot, "src", "compiler");

/** Leaf modules and layers that import nothing else of the core. */
const leaves = ["source", "limits", "host", "suggest", "types"] as const;
/** What each layer may import besides itself. */
const allowed: Readonly<Record<string, readonly string[]>> = {
  source: [], limits: [], host: [], types: [],
  suggest: ["limits"],
  kernel: [...leaves],
  ast: ["source", "types"],
  ir: ["source", "types", "ast", "kernel"],
  "ir-walk": ["ir", "types"],
  "loader-c-names": [],
  names: ["loader-c-names"],
  diagnostics: ["source", "limits", "types"],
  parse: [...leaves, "ast", "diagnostics"],
  directives: [...leaves, "ast", "diagnostics", "parse"],
  check: [...leaves, "kernel", "ast", "ir", "names", "diagnostics", "parse"],
  lower: [...leaves, "kernel", "ast", "ir", "ir-walk", "names", "diagnostics", "check"],
  analyze: [...leaves, "kernel", "ir", "ir-walk", "names", "diagnostics"],
  verifier: [...leaves, "diagnostics"],
  emit: [...leaves, "kernel", "ir", "ir-walk", "names", "diagnostics", "verifier"],
  debug: [...leaves, "ast", "ir"],
  // The reference interpreter runs the IR: nouns and the IR only, never a pass.
  interpret: [...leaves, "kernel", "ir", "ir-walk", "names", "diagnostics"],
  project: [...leaves, "kernel", "diagnostics", "parse"],
  format: [...leaves, "ast", "diagnostics", "parse"],
  // kernelscript package's plan: read from the IR and the catalogues, like emission.
  deploy: [...leaves, "kernel", "ir", "names", "diagnostics"],
  pipeline: ["*"],
  // The language service reads the passes' results as the pipeline does (the checker's
  // Semantics, the parser's trees, the lexer's tokens), never lowering or emission.
  service: [...leaves, "kernel", "ast", "diagnostics", "parse", "check", "pipeline", "format"],
  index: ["*"],
};

/** The layer of a path inside src/compiler: its first directory, or its file name. */
function layerOf(pathInCore: string): string {
  const first = pathInCore.split(sep)[0]!;
  return first.replace(/(\.generated)?\.(ts|js)$/, "");
}

interface Violation {
  readonly where: string;
  readonly from: string;
  readonly to: string;
}

/** Relative imports of `text` (a file at `file`, relative to src/compiler) that its layer may not make. */
export function layerViolations(file: string, text: string): Violation[] {
  const from = layerOf(file);
  const permitted = allowed[from];
  const found: Violation[] = [];
  text.split("\n").forEach((line, index) => {
    for (const match of line.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = relative(coreDir, resolve(dirname(join(coreDir, file)), match[1]!));
      const to = target.startsWith("..") ? "(outside src/compiler)" : layerOf(target);
      if (to === from || permitted?.includes("*")) continue;
      if (!permitted || !permitted.includes(to)) found.push({ where: `src/compiler/${file}:${index + 1}`, from, to });
    }
  });
  return found;
}

/** Lines inside comments are not imports; strings in code that look like imports are. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, "")).replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

describe("layers of the compiler core", () => {
  it("every module imports only the layers below its own (ARCHITECTURE.md, Layers)", () => {
    const files = casesIn(coreDir, ".ts");
    const layers = new Set(files.map((path) => layerOf(relative(coreDir, path))));
    const unknown = [...layers].filter((layer) => !(layer in allowed));
    assert.deepEqual(unknown, [], `give each new layer its row in the table of tests/unit/layers.test.ts: ${unknown.join(", ")}`);
    const violations = files.flatMap((path) => layerViolations(relative(coreDir, path), withoutComments(readFileSync(path, "utf8"))));
    assert.deepEqual(
      violations.map((v) => `${v.where}: ${v.from} imports ${v.to}`), [],
      "move the shared noun down (names.ts, ir.ts, kernel/, suggest.ts) instead of reaching up or across",
    );
  });

  it("the check sees what it should", () => {
    assert.deepEqual(layerViolations(join("check", "a.ts"), 'import { x } from "../lower/b.js";\nimport type { T } from "../ir.js";'), [
      { where: "src/compiler/check/a.ts:1", from: "check", to: "lower" },
    ]);
    assert.deepEqual(layerViolations(join("kernel", "a.ts"), 'type X = import("../check/semantics.js").Semantics;'), [
      { where: "src/compiler/kernel/a.ts:1", from: "kernel", to: "check" },
    ]);
    assert.deepEqual(layerViolations(join("emit", "userspace", "a.ts"), 'import { n } from "../../names.js";\nimport { w } from "../c-writer.js";'), []);
    assert.deepEqual(layerViolations("ir.ts", 'import { e } from "./emit/names.js";'), [
      { where: "src/compiler/ir.ts:1", from: "ir", to: "emit" },
    ]);
  });
});

// The browser playground (playground/src/) is a consumer of the pure core, like the CLI and
// the language server: it reaches the core through its public modules, and for syntax
// colours through the same tables the editor grammar is generated from
// (tools/gen-grammar.ts). Nothing of Node: it runs in a browser.
const playgroundDir = join(repoRoot, "playground", "src");
const playgroundMayImport = new Set([
  "src/compiler/index.js", "src/compiler/service/index.js",
  "src/compiler/parse/token.js", "src/compiler/types.js", "src/compiler/kernel/map-kinds.js",
  // The line map's reader (the C lines of the statement under the cursor), small and pure.
  "src/compiler/verifier/line-map.js",
]);

/** Imports of a playground file that leave playground/src/ for anything but the modules above, or reach Node. */
export function playgroundViolations(file: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    for (const match of line.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g)) {
      const spec = match[1]!;
      const where = `playground/src/${file}:${index + 1}`;
      if (spec.startsWith("node:")) found.push(`${where}: ${spec}`);
      if (!spec.startsWith(".")) continue;
      const target = relative(repoRoot, resolve(playgroundDir, dirname(file), spec)).split(sep).join("/");
      if (!target.startsWith("playground/src/") && !playgroundMayImport.has(target)) found.push(`${where}: ${target}`);
    }
  });
  return found;
}

describe("the playground's imports", () => {
  it("reach the core only through its public modules and the highlighting tables, and never Node", () => {
    const files = casesIn(playgroundDir, ".ts").map((path) => relative(playgroundDir, path));
    assert.ok(files.includes("worker.ts"), files.join(", "));
    const violations = files.flatMap((file) => playgroundViolations(file, withoutComments(readFileSync(join(playgroundDir, file), "utf8"))));
    assert.deepEqual(violations, []);
  });

  it("the check sees what it should", () => {
    assert.deepEqual(playgroundViolations("a.ts", 'import { x } from "../../src/compiler/check/checker.js";\nimport { y } from "./protocol.js";'), [
      "playground/src/a.ts:1: src/compiler/check/checker.js",
    ]);
    assert.deepEqual(playgroundViolations("a.ts", 'import { readFileSync } from "node:fs";'), ["playground/src/a.ts:1: node:fs"]);
    assert.deepEqual(playgroundViolations("a.ts", 'import { compile } from "../../src/compiler/index.js";'), []);
  });
});
