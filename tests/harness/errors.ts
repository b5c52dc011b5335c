// Expected-error markers in `tests/cases/errors/*.ks`.
//
// A line that must produce diagnostics ends with `//~` and the codes, e.g.
//     counts[ip] += 1 //~ E0301
//     let x: u8 = y   //~ E0303 W0201
// `//~^ E0301` points at the line above (`^^` two lines above, and so on), for the
// rare diagnostic on a line that cannot hold a comment.
//
// The rules (Rust's UI tests, Crafting Interpreters' `// Error at`): every marked code
// is reported with its primary span on that line, and every reported *error* is
// marked. Unmarked warnings are allowed, so adding a warning does not break every case.

export interface ExpectedDiagnostic {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly code: string;
}

/** What the harness needs of a reported diagnostic (a subset of the JSON format). */
export interface ReportedDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly severity: "error" | "warning";
  readonly message: string;
}

const markerPattern = /\/\/~(\^*)((?:[\s,]+[EW]\d{4})+)\s*$/;
const codePattern = /[EW]\d{4}/g;

/** The markers of one file, one entry per (line, code). */
export function parseMarkers(file: string, text: string): ExpectedDiagnostic[] {
  const expected: ExpectedDiagnostic[] = [];
  text.split("\n").forEach((lineText, index) => {
    const match = markerPattern.exec(lineText.replace(/\r$/, ""));
    if (!match) {
      if (lineText.includes("//~")) throw new Error(`${file}:${index + 1}: malformed marker (expected \`//~ E0123\`)`);
      return;
    }
    const line = index + 1 - match[1]!.length;
    for (const code of match[2]!.match(codePattern) ?? []) expected.push({ file, line, code });
  });
  return expected;
}

/**
 * Compares markers with what was reported; returns one sentence per mismatch (empty
 * when everything matches), phrased so the fix is obvious.
 */
export function compareWithMarkers(
  expected: readonly ExpectedDiagnostic[],
  reported: readonly ReportedDiagnostic[],
): string[] {
  const problems: string[] = [];
  const key = (d: { file: string; line: number; code: string }): string => `${d.file}:${d.line}:${d.code}`;
  const reportedKeys = new Set(reported.map(key));
  const expectedKeys = new Set(expected.map(key));
  for (const marker of expected) {
    if (reportedKeys.has(key(marker))) continue;
    const elsewhere = reported.filter((d) => d.code === marker.code).map((d) => `${d.file}:${d.line}`);
    const hint = elsewhere.length > 0 ? ` (it was reported at ${elsewhere.join(", ")})` : "";
    problems.push(`${marker.file}:${marker.line}: expected ${marker.code}, but it was not reported on this line${hint}`);
  }
  for (const diagnostic of reported) {
    if (diagnostic.severity !== "error" || expectedKeys.has(key(diagnostic))) continue;
    problems.push(
      `${diagnostic.file}:${diagnostic.line}: unexpected ${diagnostic.code} "${diagnostic.message}" ` +
        `(if it is right, end the line with \`//~ ${diagnostic.code}\`)`,
    );
  }
  return problems;
}
