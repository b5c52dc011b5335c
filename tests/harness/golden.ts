// Golden files: compare a stage's text output with the file stored beside its input.
// `UPDATE=1` rewrites goldens; a missing golden is written locally but fails under CI.

import { existsSync, readFileSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import assert from "node:assert/strict";
import type { Host } from "../../src/compiler/host.js";

export const repoRoot = new URL("../../..", import.meta.url).pathname.replace(/\/$/, "");

export function expectGolden(actual: string, goldenPath: string): void {
  const update = process.env["UPDATE"] === "1";
  if (update || (!existsSync(goldenPath) && process.env["CI"] !== "true")) {
    writeFileSync(goldenPath, actual);
    return;
  }
  if (!existsSync(goldenPath)) {
    assert.fail(`missing golden ${relative(repoRoot, goldenPath)}; run \`UPDATE=1 make test\` and review it`);
  }
  const expected = readFileSync(goldenPath, "utf8");
  if (expected !== actual) {
    assert.fail(
      `output differs from ${relative(repoRoot, goldenPath)} (rewrite with \`UPDATE=1 make test\`):\n` +
        unifiedDiff(expected, actual),
    );
  }
}

/** A compiler host reading the files on disk (includes and imports of the repository's cases). */
export const diskHost: Host = {
  readFile(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** Every file with extension `ext` under `dir` (recursively), sorted. */
export function casesIn(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...casesIn(path, ext));
    else if (name.endsWith(ext)) out.push(path);
  }
  return out;
}

/** A small line diff: enough to see what changed in a golden. */
export function unifiedDiff(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  // Longest common subsequence table, fine for golden-sized files.
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const lines: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      lines.push(`@@ +${j + 1} @@ + ${b[j]}`);
      j++;
    } else {
      lines.push(`@@ -${i + 1} @@ - ${a[i]}`);
      i++;
    }
  }
  return lines.slice(0, 80).join("\n") + (lines.length > 80 ? `\n… ${lines.length - 80} more` : "");
}
