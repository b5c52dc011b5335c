// ARCHITECTURE.md's invariant "names.ts is the only place that invents names": the eBPF
// C, the loader, the test binary and the default main call each other through names
// made from user names (`ks_<map>_get`, `ks_perf_<map>_lost`, `struct ks_str16`, …), so
// each family is spelled once, in src/compiler/names.ts. This test reads every other
// module of the core and refuses the three ways of making such a name elsewhere:
//
// 1. a generated prefix with something interpolated into it: `ks_${map}_get`,
//    `__ks_key${id}`, `KS_RINGBUF_${map}` (a prefix `ks_`, `__ks_` or `KS_` immediately
//    followed by identifier characters and `${`);
// 2. a bare prefix in a string, to be glued on with `+`: "ks_push_", "__ks_";
// 3. a suffix glued onto a name a names.ts function made: `${stringStructName(n)}_from`.
//
// Constant names (the runtime's `ks_attach_xdp`, `ks_skel`, `__ks_err`) are not made from
// anything and may be written where they are used; `ks_skel->maps.${mapName(m)}` is a
// constant followed by a names.ts name, not a name being made. The diagnostics catalogue
// is prose for users (it may suggest a `ks_` rename) and is not read.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";

const coreDir = join(repoRoot, "src", "compiler");

/** Comments blanked (line numbers kept): a doc comment may show `ks_<map>_get`. */
function withoutComments(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const rules: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  { pattern: /(?<![A-Za-z0-9_])(?:__)?(?:ks|KS)_[A-Za-z0-9_]*\$\{/g, why: "a generated name made by interpolation" },
  { pattern: /["'`](?:__)?(?:ks|KS)_(?:[A-Za-z0-9]+_)*["'`]/g, why: "a bare generated-name prefix" },
  { pattern: /\$\{\s*[A-Za-z_.]*Name\([^(){}]*\)\s*\}[A-Za-z0-9_]/g, why: "a suffix glued onto a names.ts name" },
];

/** `file:line: why (text)` for each place in `text` that makes a generated name. */
export function generatedNameViolations(file: string, text: string): string[] {
  const found: string[] = [];
  withoutComments(text).split("\n").forEach((line, index) => {
    for (const { pattern, why } of rules) {
      for (const match of line.matchAll(pattern)) found.push(`${file}:${index + 1}: ${why} (${match[0]})`);
    }
  });
  return found;
}

/** Modules allowed to make names: names.ts itself; generated tables; the catalogue's prose. */
function isExempt(pathInCore: string): boolean {
  return pathInCore === "names.ts" || pathInCore.endsWith(".generated.ts") || pathInCore.startsWith(`diagnostics${sep}`);
}

describe("generated names are made only in names.ts", () => {
  it("recognises each way of making a name, and leaves constant names alone", () => {
    const sample = [
      "const a = `ks_${map}_get`;",
      "const b = `__ks_key${id}`;",
      "const c = `KS_RINGBUF_${map}`;",
      'const d = "ks_push_" + map;',
      "const e = `${stringStructName(n)}_from`;",
      "w.line(`ks_attach_xdp(${fd});`);",
      "w.line(`bpf_map__fd(ks_skel->maps.${mapName(m)})`);",
      'const f = "__ks_err";',
      "// `ks_${map}_lookup` in a comment",
      "w.line(`${mapAccessorName(m, \"get\")}(key)`);",
    ].join("\n");
    const lines = generatedNameViolations("sample.ts", sample).map((v) => Number(v.split(":")[1]));
    assert.deepEqual(lines, [1, 2, 3, 4, 5]);
  });

  it("no module of the core outside names.ts makes one (ARCHITECTURE.md invariant)", () => {
    const found = casesIn(coreDir, ".ts")
      .map((path) => relative(coreDir, path))
      .filter((path) => !isExempt(path))
      .flatMap((path) => generatedNameViolations(`src/compiler/${path}`, readFileSync(join(coreDir, path), "utf8")));
    assert.deepEqual(found, [], "add a function for the name family to src/compiler/names.ts and call it");
  });
});
