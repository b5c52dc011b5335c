//! `NAME.bpf.map.json` (written by `emit/ebpf-c.ts`) → lookups from generated C lines
//! to `.ks` spans, and back (for `kernelscript explain`).

import type { SourceFile, SourceSet, Span } from "../source.js";

export interface LineMapping {
  readonly cLine: number;
  /** `.ks` file name (base name, as written in the map). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/**
 * A kfunc declared `__weak __ksym` in the C: the object opens without it, and a program
 * calling it is refused when the kernel lacks it (E0469 names it and its module).
 */
export interface LineMapKfunc {
  /** Name in the `.ks` file. */
  readonly name: string;
  /** Name in the generated C (what the verifier log quotes). */
  readonly cName: string;
  /** The `.ks` file's own kernel module that provides it (`NAME_kfuncs`), if any. */
  readonly module: string | undefined;
}

export interface LineMap {
  readonly source: string;
  /** Sorted by `cLine`. */
  readonly mappings: readonly LineMapping[];
  /** Weak kfuncs (absent in maps written before they were recorded). */
  readonly kfuncs: readonly LineMapKfunc[];
}

/** Parses the JSON line map; undefined when it is not one. */
export function parseLineMap(json: string): LineMap | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const { source, mappings, kfuncs } = raw as { source?: unknown; mappings?: unknown; kfuncs?: unknown };
  if (typeof source !== "string" || !Array.isArray(mappings)) return undefined;
  const list = mappings.filter((m): m is LineMapping => typeof m === "object" && m !== null && typeof (m as LineMapping).cLine === "number");
  const weak = (Array.isArray(kfuncs) ? kfuncs : []).flatMap((k): LineMapKfunc[] => {
    const { name, cName, module } = (typeof k === "object" && k !== null ? k : {}) as { name?: unknown; cName?: unknown; module?: unknown };
    if (typeof name !== "string" || typeof cName !== "string") return [];
    return [{ name, cName, module: typeof module === "string" ? module : undefined }];
  });
  return { source, mappings: [...list].sort((a, b) => a.cLine - b.cLine), kfuncs: weak };
}

/** The mapping of exactly this C line, if the compiler wrote one. */
export function mappingOf(map: LineMap, cLine: number): LineMapping | undefined {
  let low = 0;
  let high = map.mappings.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const m = map.mappings[mid]!;
    if (m.cLine === cLine) return m;
    if (m.cLine < cLine) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

/** Every C line generated for `.ks` line `line` of `file` (base name). */
export function cLinesOf(map: LineMap, file: string, line: number): number[] {
  return map.mappings.filter((m) => m.file === file && m.line === line).map((m) => m.cLine);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The source file of the set whose base name is `file`. */
export function sourceNamed(sources: SourceSet, file: string): SourceFile | undefined {
  for (const source of sources.values()) if (baseName(source.path) === file) return source;
  return undefined;
}

/** The `.ks` span of a mapping, limited to its first line (carets stay on one line). */
export function spanOf(mapping: LineMapping, sources: SourceSet): Span | undefined {
  const source = sourceNamed(sources, mapping.file);
  if (!source) return undefined;
  const lineStart = source.lineStarts[mapping.line - 1];
  if (lineStart === undefined) return undefined;
  const nextLine = source.lineStarts[mapping.line] ?? source.text.length + 1;
  const start = Math.min(lineStart + mapping.column - 1, nextLine - 1);
  const endOnLine = mapping.endLine === mapping.line ? lineStart + mapping.endColumn - 1 : nextLine - 1;
  let end = Math.max(start + 1, Math.min(endOnLine, nextLine - 1));
  // Do not underline a trailing line break or carriage return.
  while (end > start + 1 && /[\r\n]/.test(source.text[end - 1] ?? "")) end--;
  return { file: source.path, start, end };
}
