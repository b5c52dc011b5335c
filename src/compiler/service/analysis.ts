//! One analysis of a document for the language service: the checker's result for the
//! text as it was, the syntax trees of every file read, and (made on first use) the
//! index of every name occurrence. An editor asks questions about the text as it is
//! *now*; between two analyses the text changes, so positions are translated through
//! `OffsetMap` (the part both texts share before and after the edit keeps its meaning).

import type { Host } from "../host.js";
import type * as ast from "../ast.js";
import { diagnose, type CheckOptions, type CheckResult } from "../pipeline.js";
import type { Semantics } from "../check/semantics.js";
import { makeSourceFile } from "../source.js";
import { parse } from "../parse/parser.js";
import { Diagnostics } from "../diagnostics/diagnostic.js";
import { buildOccurrences, type OccurrenceIndex } from "./occurrences.js";

export interface Analysis {
  /** The main file's path, as the Host knows it. */
  readonly path: string;
  /** The main file's text this analysis was made from. */
  readonly text: string;
  readonly result: CheckResult;
  /** The last semantics of this analysis (absent when the text did not parse or check). */
  readonly semantics: Semantics | undefined;
  /** Syntax trees by path: the checker's, or the recovered parse of the main file alone. */
  readonly trees: ReadonlyMap<string, ast.SourceFileAst>;
  /** Every name occurrence in `trees` with what it refers to (built on first use). */
  occurrences(): OccurrenceIndex;
}

/**
 * Checks the file at `path` (read through `host`) as `kernelscript check` does (the IR's
 * safety analyses included, so the editor shows what the command line would) and
 * prepares the service's tables.
 */
export function analyzeFile(path: string, host: Host, options: CheckOptions = {}): Analysis {
  const result = diagnose(path, host, options);
  const text = result.sources.get(path)?.text ?? "";
  const semantics = result.semantics;
  // Without semantics (syntax errors) the recovered tree still serves outlines and colours.
  const trees = semantics?.syntaxTrees ?? new Map([[path, parse(makeSourceFile(path, text), new Diagnostics())]]);
  let index: OccurrenceIndex | undefined;
  return {
    path, text, result, semantics, trees,
    occurrences: () => (index ??= buildOccurrences(trees, semantics)),
  };
}

/**
 * Offsets of the current text translated to the text of an older analysis: one edited
 * region found by the longest common prefix and suffix. Offsets before it are the same,
 * offsets after it move by the length difference, offsets inside it have no counterpart.
 */
export class OffsetMap {
  private readonly prefix: number;
  private readonly suffix: number;
  private readonly delta: number;

  constructor(readonly oldText: string, readonly newText: string) {
    const max = Math.min(oldText.length, newText.length);
    let prefix = 0;
    while (prefix < max && oldText.charCodeAt(prefix) === newText.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < max - prefix && oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)) suffix++;
    this.prefix = prefix;
    this.suffix = suffix;
    this.delta = newText.length - oldText.length;
  }

  get unchanged(): boolean {
    return this.delta === 0 && this.prefix === this.oldText.length;
  }

  /** Where the edited region starts (the same offset in both texts). */
  get editStart(): number {
    return this.prefix;
  }

  /**
   * The old text's offset of the character at `offset` in the new text, or undefined
   * when that character is part of the edit.
   */
  toOld(offset: number): number | undefined {
    if (offset < this.prefix) return offset;
    if (offset >= this.newText.length - this.suffix) return offset - this.delta;
    return undefined;
  }

  /** The new text's offset of the character at `offset` in the old text, or undefined when the edit replaced it. */
  toNew(offset: number): number | undefined {
    if (offset < this.prefix) return offset;
    if (offset >= this.oldText.length - this.suffix) return offset + this.delta;
    return undefined;
  }
}
