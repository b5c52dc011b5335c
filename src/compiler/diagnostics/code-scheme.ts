//! How diagnostic codes are numbered, as data: `docs/diagnostics.md` is laid out from it
//! and `tests/unit/diagnostic-catalogue.test.ts` holds every catalogue file to it.
//!
//! A code is a letter and four digits, `E` for errors and `W` for warnings: `E B A NN`.
//! The hundreds digit `A` is the area (1 syntax, 2 names, 3 types, 4 eBPF safety,
//! 5 code generation, 6 KernelScript 0.1.1 compatibility, 7 running without a kernel, 8 deployment; 9 is free for new areas),
//! and an area's sub-ranges belong to catalogue files (`NN` = 50–69 of area 4 are the
//! verifier's rejections). The thousands digit `B` is the block: block 0 holds the codes
//! of before this scheme (E0100–E0699), and when a file's range fills up in one block it
//! goes on with the same last three digits in the next: the types area E0300–E0399 is
//! full, so new type errors are E1300–E1399, then E2300–E2399, and so on. Nothing is
//! renumbered: the codes users and tests know stay what they are.
//!
//! Warnings follow the same areas (a new type warning is W0300–W0399, then W1300…),
//! except the historic block W0200–W0299, which holds the warnings of every area made
//! before the scheme; the files that own some of them list those (`historicWarnings`).

/** A range of the last three digits of a code (`[300, 399]`), in every block. */
export type CodeRange = readonly [first: number, last: number];

export interface CodeArea {
  /** The catalogue file (`src/compiler/diagnostics/catalog/NAME.ts`). */
  readonly file: string;
  /** What the codes are about, for `docs/diagnostics.md`. */
  readonly heading: string;
  /** Its ranges of the last three digits, for errors and warnings in every block. */
  readonly ranges: readonly CodeRange[];
  /** Warnings of the historic block W0200–W0299 that this file owns (outside area 2). */
  readonly historicWarnings?: readonly CodeRange[];
}

/** Every catalogue file and its codes; files of one area split it by topic. */
export const codeAreas: readonly CodeArea[] = [
  { file: "syntax.ts", heading: "lexical and syntax errors", ranges: [[100, 199]] },
  { file: "names.ts", heading: "names, declarations, includes and imports", ranges: [[200, 299]] },
  { file: "names-modules.ts", heading: "names in kernel-module code", ranges: [[200, 299]] },
  { file: "types.ts", heading: "types", ranges: [[300, 399]] },
  { file: "types-features.ts", heading: "types of the language's features", ranges: [[300, 399]], historicWarnings: [[210, 212]] },
  { file: "types-kernel-interfaces.ts", heading: "types of struct_ops, perf events and kernel-module code", ranges: [[300, 399]] },
  { file: "types-runtime.ts", heading: "types of the user-space runtime (durations, time, sleeping, printf)", ranges: [[300, 399]] },
  { file: "types-tracing.ts", heading: "types of the tracing built-ins and aggregation maps", ranges: [[300, 399]] },
  { file: "types-redirect-maps.ts", heading: "types of redirect maps, socket maps and map-in-map", ranges: [[300, 399]] },
  { file: "types-cgroup-programs.ts", heading: "types of cgroup, socket and netfilter programs", ranges: [[300, 399]] },
  { file: "types-modules.ts", heading: "types of imports, exec() and values passed to Python", ranges: [[300, 399]] },
  {
    file: "safety.ts", heading: "eBPF safety and kernel limits", ranges: [[400, 449], [470, 499]],
    historicWarnings: [[229, 229], [245, 248], [262, 262]],
  },
  {
    file: "safety-references.ts", heading: "references the verifier tracks (records, objects)", ranges: [[400, 449], [470, 499]],
    historicWarnings: [[254, 254]],
  },
  { file: "verifier.ts", heading: "kernel verifier rejections, explained after loading", ranges: [[450, 469]] },
  { file: "codegen.ts", heading: "code-generation limits", ranges: [[500, 599]] },
  { file: "compatibility.ts", heading: "type rules KernelScript 0.1.1 programs rely on", ranges: [[600, 621]], historicWarnings: [[260, 261], [263, 271]] },
  { file: "program-types.ts", heading: "what a program's type allows", ranges: [[622, 624]] },
  { file: "reference-semantics.ts", heading: "meanings for what KernelScript 0.1.1 leaves undefined", ranges: [[625, 631]], historicWarnings: [[272, 275]] },
  { file: "implicit-meanings.ts", heading: "what the compiler adds so such programs load", ranges: [[632, 639]], historicWarnings: [[276, 279]] },
  { file: "interpreter.ts", heading: "running without a kernel (the reference interpreter)", ranges: [[700, 749]] },
  { file: "deployment.ts", heading: "deployment (`kernelscript package`)", ranges: [[800, 849]] },
];

/** A code taken apart: `E1304` is an error of block 1 with the last three digits 304. */
export interface CodeParts {
  readonly severity: "error" | "warning";
  readonly block: number;
  readonly number: number;
}

export function codeParts(code: string): CodeParts | undefined {
  const match = /^([EW])(\d)(\d{3})$/.exec(code);
  if (!match) return undefined;
  const number = Number(match[3]);
  if (number < 100) return undefined;
  return { severity: match[1] === "E" ? "error" : "warning", block: Number(match[2]), number };
}

const inRanges = (number: number, ranges: readonly CodeRange[]): boolean => ranges.some(([first, last]) => number >= first && number <= last);

/** Whether `code` is one the scheme gives to `area`'s file. */
export function areaAllows(area: CodeArea, code: string): boolean {
  const parts = codeParts(code);
  if (!parts) return false;
  if (parts.severity === "warning" && parts.block === 0 && parts.number >= 200 && parts.number <= 299) {
    // The historic warning block: area 2's own, except what other files own.
    if (area.historicWarnings) return inRanges(parts.number, area.historicWarnings);
    const owned = codeAreas.some((other) => other.historicWarnings && inRanges(parts.number, other.historicWarnings));
    return !owned && inRanges(parts.number, area.ranges);
  }
  return inRanges(parts.number, area.ranges);
}

/** The area `code` belongs to (the first file whose ranges hold it), for documentation. */
export function areaOf(code: string): CodeArea | undefined {
  return codeAreas.find((area) => areaAllows(area, code));
}

/** `[300, 399]` as `E0300–E0399`. */
export function rangeText([first, last]: CodeRange, letter: "E" | "W", block = 0): string {
  const pad = (n: number) => String(n).padStart(3, "0");
  return first === last ? `${letter}${block}${pad(first)}` : `${letter}${block}${pad(first)}–${letter}${block}${pad(last)}`;
}
