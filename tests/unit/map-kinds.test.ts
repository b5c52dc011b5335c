// ARCHITECTURE.md's invariant for map kinds: every fact about a kind is a column of its
// row in src/compiler/kernel/map-kinds.ts, and no other code keeps a list of kinds (the
// eight lists issue 13 counted: per-CPU sets, iterable sets, BPF map type records …).
// A list names two or more kinds; a line of the core outside the table (and the
// `MapKind` union in types.ts) that names two kinds as strings is such a list, whether
// it is a set, an array, a record or an `a === "queue" || a === "stack"` chain. Code may
// still ask about one kind (`mapKind === "ringbuf"` chooses the ring-buffer transport).
// The table itself is checked for what code relies on: one kind per spelling, methods
// naming known operations, extra attributes in range.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";
import { mapKinds, mapOperations } from "../../src/compiler/kernel/map-kinds.js";
import type { MapKind } from "../../src/compiler/types.js";

const coreDir = join(repoRoot, "src", "compiler");
const kinds = Object.keys(mapKinds) as MapKind[];

/** Lines of `text` naming two or more map kinds as string literals, as `file:line: kinds`. */
export function mapKindLists(file: string, text: string): string[] {
  const found: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return;
    const named = new Set([...line.matchAll(/["'`]([a-z_]+)["'`]/g)].map((m) => m[1]!).filter((k) => (kinds as string[]).includes(k)));
    if (named.size >= 2) found.push(`${file}:${index + 1}: ${[...named].join(", ")}`);
  });
  return found;
}

describe("map kinds are one table", () => {
  it("recognises a list of kinds, and leaves one kind alone", () => {
    const sample = [
      'const perCpu = new Set(["percpu_hash", "percpu_array"]);',
      'if (kind === "queue" || kind === "stack") {',
      'const transport = map.mapKind === "ringbuf" ? ringbuf : perf;',
      '// "queue" and "stack" in a comment',
      'case "array": return element;',
    ].join("\n");
    assert.deepEqual(mapKindLists("sample.ts", sample).map((v) => Number(v.split(":")[1])), [1, 2]);
  });

  it("no module outside kernel/map-kinds.ts (and the MapKind union) lists map kinds", () => {
    const exempt = new Set([join("kernel", "map-kinds.ts"), "types.ts"]);
    const found = casesIn(coreDir, ".ts")
      .map((path) => relative(coreDir, path))
      .filter((path) => !exempt.has(path) && !path.endsWith(".generated.ts") && !path.startsWith(`diagnostics${sep}`))
      .flatMap((path) => mapKindLists(`src/compiler/${path}`, readFileSync(join(coreDir, path), "utf8")));
    assert.deepEqual(found, [], "read a column of the kind's row in src/compiler/kernel/map-kinds.ts (add one if it is a new fact)");
  });

  it("each spelling names one kind; methods name operations; extra attributes have a range", () => {
    const spellings = kinds.flatMap((k) => mapKinds[k].spellings);
    assert.equal(new Set(spellings).size, spellings.length, "a spelling used twice");
    for (const kind of kinds) {
      const row = mapKinds[kind];
      for (const operation of row.methods.values()) assert.ok(operation in mapOperations, `${kind}: ${operation}`);
      if (row.extra) assert.ok(row.extra.min >= 1 && row.extra.min <= row.extra.max, kind);
      if (!row.indexable && row.userView === "keyValue") assert.fail(`${kind}: a key/value view needs keys`);
      if (row.perCpu) assert.ok(row.methods.has("per_cpu"), `${kind}: per-CPU maps have per_cpu()`);
    }
  });
});
