// ARCHITECTURE.md's "Invariants" table names, for each invariant, the test that enforces
// it. This checks the table against the tests: every named file exists and holds every
// named test title, so an invariant cannot lose its test silently (a renamed or deleted
// test fails here), and no invariant is stated elsewhere in the file without a row.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../harness/golden.js";

interface Enforcement {
  readonly file: string;
  readonly titles: readonly string[];
}

/** The rows of the Invariants table: invariant text → where it is enforced. */
export function invariantRows(markdown: string): { invariant: string; enforcedBy: Enforcement[] }[] {
  const section = /^## Invariants\n([\s\S]*?)(?=^## )/m.exec(markdown)?.[1] ?? "";
  const rows = section.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| invariant") && !l.startsWith("|---"));
  return rows.map((row) => {
    const [, invariant = "", enforced = ""] = row.split(/ \| |^\| | \|$/);
    // `path` › "title"; "title"; …  or a bare `path`, separated by `;`.
    const enforcedBy: Enforcement[] = [];
    for (const part of enforced.split(/;\s*/)) {
      const file = /`([^`]+)`/.exec(part)?.[1];
      const title = /"((?:[^"\\]|\\.)*)"/.exec(part)?.[1];
      if (file) enforcedBy.push({ file, titles: title ? [title] : [] });
      else if (title && enforcedBy.length > 0) (enforcedBy.at(-1)!.titles as string[]).push(title);
    }
    return { invariant: invariant.trim(), enforcedBy };
  });
}

describe("ARCHITECTURE.md invariants", () => {
  const text = readFileSync(join(repoRoot, "ARCHITECTURE.md"), "utf8");
  const rows = invariantRows(text);

  it("each invariant names tests that exist, under those titles", () => {
    assert.ok(rows.length >= 10, `${rows.length} invariants`);
    for (const { invariant, enforcedBy } of rows) {
      assert.ok(enforcedBy.length > 0, `no test named for: ${invariant}`);
      for (const { file, titles } of enforcedBy) {
        const path = join(repoRoot, file);
        assert.ok(existsSync(path), `${file} (for: ${invariant}) does not exist`);
        const source = readFileSync(path, "utf8");
        for (const title of titles) assert.ok(source.includes(title), `${file} has no test titled "${title}" (for: ${invariant})`);
      }
    }
  });

  it("no invariant is stated outside the table", () => {
    const outside = text.replace(/^## Invariants\n[\s\S]*?(?=^## )/m, "");
    assert.doesNotMatch(outside, /\*invariant[:*]/i, "state it as a row of the Invariants table, with its test");
  });

  it("the table reader sees what it should", () => {
    const sample = "## Invariants\n\n| invariant | enforced by |\n|---|---|\n| A holds | `tests/a.ts` › \"one\"; \"two\"; `tests/b.ks` |\n\n## Next\n";
    assert.deepEqual(invariantRows(sample), [{ invariant: "A holds", enforcedBy: [{ file: "tests/a.ts", titles: ["one", "two"] }, { file: "tests/b.ks", titles: [] }] }]);
  });
});
