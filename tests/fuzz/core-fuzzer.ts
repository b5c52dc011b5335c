// Mutation fuzzing of the whole compiler core (issue 11): parse → check → lower →
// analyze → emit, in-process, on mutated real programs. Used by tests/fuzz/core.test.ts
// (a fixed-seed batch in `make test`) and tools/fuzz-core.ts (`make fuzz-core N=…`).
//
// Seeds are every `.ks` of examples/ and tests/cases/ (and the reference examples in
// /work/shared/upstream/examples when that directory exists). An input is one seed with
// one to four mutations, chosen by a PRNG seeded from (run seed, input index), so any
// input can be regenerated from those two numbers: token-level (delete, duplicate, swap
// tokens, splice a piece of another seed in), byte-level (flip, NUL, invalid UTF-8, a
// stray byte-order mark, CRLF/CR line endings) and pathological (deep nesting of every
// construct, a 1 MB line, a 40-digit literal). Properties checked for each input: the
// core throws nothing, every diagnostic has a catalogue code and a span inside the file
// it names, and rendering (text and JSON) works.

import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { compile } from "../../src/compiler/pipeline.js";
import { lex } from "../../src/compiler/parse/lexer.js";
import { Diagnostics, type Diagnostic } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile, type SourceSet } from "../../src/compiler/source.js";
import { renderDiagnostics, toJson } from "../../src/compiler/diagnostics/render.js";
import { allEntries } from "../../src/compiler/diagnostics/catalog/index.js";
import { KEYWORDS, PUNCTUATION } from "../../src/compiler/parse/token.js";
import { deepConstructs } from "../harness/deep-inputs.js";

export const repoRoot = new URL("../../..", import.meta.url).pathname.replace(/\/$/, "");
const upstreamExamples = "/work/shared/upstream/examples";

export interface Seed {
  /** Absolute path: includes and imports resolve next to it, from the real files. */
  readonly path: string;
  readonly text: string;
  /** Meant to compile (not an error case): most inputs start from one, to reach every stage. */
  readonly valid: boolean;
}

function ksFilesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...ksFilesUnder(path));
    else if (name.endsWith(".ks")) out.push(path);
  }
  return out;
}

export function loadSeeds(): Seed[] {
  const paths = [
    ...ksFilesUnder(join(repoRoot, "examples")),
    ...ksFilesUnder(join(repoRoot, "tests", "cases")),
    ...ksFilesUnder(upstreamExamples),
  ];
  const errorCases = /\/tests\/cases\/(errors|parse)\//;
  return paths.map((path) => ({ path, text: readFileSync(path, "utf8"), valid: !errorCases.test(path) }));
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

/** The PRNG for input `index` of run `seed`: inputs are independent of each other. */
export function randomFor(seed: number, index: number): Random {
  return new Random(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35));
}

export interface FuzzInput {
  readonly seed: Seed;
  readonly text: string;
  /** What was done to the seed, for the report. */
  readonly mutations: readonly string[];
}

const vocabulary = [...KEYWORDS, ...PUNCTUATION, "x", "ctx", "u32", "u64", "hash", "ringbuf", "str", "XDP_PASS", "0", "1", "\n"];

/** Token boundaries of `text` (the real lexer's spans; comments and gaps lie between). */
function tokenSpans(text: string): { start: number; end: number }[] {
  return lex(makeSourceFile("f.ks", text), new Diagnostics()).filter((t) => t.kind !== "EOF").map((t) => t.span);
}

type Mutation = (random: Random, text: string, seeds: readonly Seed[]) => [string, string];

/** Statement-level spots: the starts of lines inside braces (most are statements of a body). */
function lineStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = text.indexOf("\n"); i >= 0 && i < text.length - 1; i = text.indexOf("\n", i + 1)) {
    if (/^\s+\S/.test(text.slice(i + 1, i + 40))) starts.push(i + 1);
  }
  return starts;
}

const mutations: readonly (readonly [number, Mutation])[] = [
  // Mild ones, which keep many programs valid so later stages get inputs too.
  [4, (random, text) => {
    const tokens = lex(makeSourceFile("f.ks", text), new Diagnostics()).filter((t) => t.kind === "Int");
    if (tokens.length === 0) return [text, "no literal to change"];
    const t = random.pick(tokens);
    const value = random.pick(["0", "1", "2", "7", "63", "64", "255", "256", "65535", "4294967295", "0x80000000", "-1", "1 << 31", "(1 << 63)"]);
    return [text.slice(0, t.span.start) + value + text.slice(t.span.end), `literal := ${value}`];
  }],
  [3, (random, text) => {
    const tokens = lex(makeSourceFile("f.ks", text), new Diagnostics())
      .filter((t) => ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "<", ">", "==", "!=", "&&", "||"].includes(t.kind));
    if (tokens.length === 0) return [text, "no operator to change"];
    const t = random.pick(tokens);
    const op = random.pick(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "<", "<=", "==", "!=", "&&", "||"]);
    return [text.slice(0, t.span.start) + op + text.slice(t.span.end), `operator ${t.kind} := ${op}`];
  }],
  [3, (random, text) => {
    const starts = lineStarts(text);
    if (starts.length === 0) return [text, "no statement to wrap"];
    const at = random.pick(starts);
    const end = text.indexOf("\n", at);
    const line = text.slice(at, end < 0 ? text.length : end);
    const depth = random.pick([1, 2, 10, 40, 97, 98, 99, 100, 101, 500]);
    const [open, close] = random.pick([["if (true) {\n", "}\n"], ["{\n", "}\n"], ["for (i in 0..2) {\n", "}\n"], ["try {\n", "} catch _ {\n}\n"]]);
    return [text.slice(0, at) + open.repeat(depth) + line + "\n" + close.repeat(depth) + text.slice(at + line.length + 1), `wrap a line in ${JSON.stringify(open.trim())} ×${depth}`];
  }],
  [2, (random, text) => {
    const starts = lineStarts(text);
    if (starts.length === 0) return [text, "no line to duplicate"];
    const at = random.pick(starts);
    const end = text.indexOf("\n", at);
    const line = text.slice(at, end < 0 ? text.length : end + 1);
    return [text.slice(0, at) + line + line + text.slice(at + line.length), "duplicate a line"];
  }],
  [2, (random, text) => {
    const at = random.int(text.length + 1);
    const filler = random.pick([" ", "\n", "\t", " /* comment */ ", "// comment\n", "\n\n\n"]);
    return [text.slice(0, at) + filler + text.slice(at), `insert ${JSON.stringify(filler)}`];
  }],
  // Destructive ones.
  [6, (random, text) => {
    const tokens = tokenSpans(text);
    if (tokens.length === 0) return [text, "nothing to delete"];
    const first = random.int(tokens.length);
    const last = Math.min(tokens.length - 1, first + random.int(random.next() < 0.8 ? 1 : 12));
    return [text.slice(0, tokens[first]!.start) + text.slice(tokens[last]!.end), `delete tokens ${first}..${last}`];
  }],
  [4, (random, text) => {
    const tokens = tokenSpans(text);
    if (tokens.length === 0) return [text, "nothing to duplicate"];
    const first = random.int(tokens.length);
    const last = Math.min(tokens.length - 1, first + random.int(8));
    const piece = text.slice(tokens[first]!.start, tokens[last]!.end);
    return [text.slice(0, tokens[last]!.end) + " " + piece + text.slice(tokens[last]!.end), `duplicate tokens ${first}..${last}`];
  }],
  [4, (random, text) => {
    const tokens = tokenSpans(text);
    if (tokens.length < 2) return [text, "nothing to swap"];
    let a = random.int(tokens.length);
    let b = random.int(tokens.length);
    if (a > b) [a, b] = [b, a];
    if (a === b) return [text, "swap a token with itself"];
    const ta = tokens[a]!;
    const tb = tokens[b]!;
    return [text.slice(0, ta.start) + text.slice(tb.start, tb.end) + text.slice(ta.end, tb.start) + text.slice(ta.start, ta.end) + text.slice(tb.end), `swap tokens ${a} and ${b}`];
  }],
  [4, (random, text) => {
    const tokens = tokenSpans(text);
    const at = tokens.length === 0 ? 0 : tokens[random.int(tokens.length)]!.start;
    const word = random.pick(vocabulary);
    return [`${text.slice(0, at)}${word} ${text.slice(at)}`, `insert ${JSON.stringify(word)}`];
  }],
  [4, (random, text, seeds) => {
    const other = random.pick(seeds);
    const from = random.int(other.text.length + 1);
    const piece = other.text.slice(from, from + 1 + random.int(400));
    const at = random.int(text.length + 1);
    return [text.slice(0, at) + piece + text.slice(at), `splice ${piece.length} characters of ${other.path.slice(repoRoot.length + 1)}`];
  }],
  [2, (random, text) => {
    const construct = random.pick(deepConstructs);
    const depth = random.pick([50, 99, 100, 101, 300, 5000, 20_000]);
    return [random.next() < 0.5 ? construct.make(depth) : text + "\n" + construct.make(depth), `deep ${construct.name} ×${depth}`];
  }],
  [2, (random, text) => {
    const open = random.pick(["(", "[", "{", "*", "-", "!", "fn (", "if x {", "match x {", "<"]);
    const depth = random.pick([100, 101, 1000, 20_000]);
    const at = random.int(text.length + 1);
    const close = random.next() < 0.5 ? ({ "(": ")", "[": "]", "{": "}", "<": ">" } as Record<string, string>)[open] ?? "" : "";
    return [text.slice(0, at) + open.repeat(depth) + close.repeat(depth) + text.slice(at), `nest ${JSON.stringify(open)} ×${depth}`];
  }],
  [1, (random, text) => {
    const unit = random.pick(["$", "x", "a + ", "(", "0", "\"", "/*", "é", "\u{1f600}", " "]);
    const line = unit.repeat(Math.ceil(1_000_000 / unit.length));
    const at = random.int(text.length + 1);
    return [`${text.slice(0, at)}\n${line}\n${text.slice(at)}`, `1 MB line of ${JSON.stringify(unit)}`];
  }],
  [2, (random, text) => {
    const tokens = lex(makeSourceFile("f.ks", text), new Diagnostics()).filter((t) => t.kind === "Int");
    const digits = Array.from({ length: 40 }, () => String(random.int(10))).join("");
    const literal = random.pick([digits, `0x${digits}`, `-${digits}`, `${digits}u64`, "0xffffffffffffffff", "18446744073709551616"]);
    if (tokens.length === 0) return [`${text}\nvar big: u64 = ${literal}\n`, "40-digit literal in a global"];
    const t = random.pick(tokens);
    return [text.slice(0, t.span.start) + literal + text.slice(t.span.end), `literal ${literal.slice(0, 12)}…`];
  }],
  [2, (random, text) => {
    const at = random.int(text.length + 1);
    const count = 1 + random.int(4);
    return [text.slice(0, at) + "\0".repeat(count) + text.slice(at), `${count} NUL bytes`];
  }],
  [2, (random, text) => {
    // What a file with invalid UTF-8 reads as (U+FFFD), and lone surrogates (an editor's buffer).
    const bytes = Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe].filter(() => random.next() < 0.6));
    const bad = random.next() < 0.5 ? bytes.toString("utf8") : random.pick(["\ud800", "\udfff", "a\ud83d", "\ud83d\u0041"]);
    const at = random.int(text.length + 1);
    return [text.slice(0, at) + bad + text.slice(at), "invalid UTF-8"];
  }],
  [2, (random, text) => {
    const at = random.next() < 0.6 ? 0 : random.int(text.length + 1);
    return [`${text.slice(0, at)}\ufeff${text.slice(at)}`, at === 0 ? "byte-order mark" : "byte-order mark inside"];
  }],
  [2, (random, text) => {
    const eol = random.pick(["\r\n", "\r", "\n\r"]);
    return [text.replace(/\n/g, eol), `line endings ${JSON.stringify(eol)}`];
  }],
  [3, (random, text) => {
    if (text.length === 0) return [text, "nothing to flip"];
    const at = random.int(text.length);
    const c = String.fromCharCode(32 + random.int(95));
    return [text.slice(0, at) + c + text.slice(at + 1), `byte ${at} := ${JSON.stringify(c)}`];
  }],
];
const totalWeight = mutations.reduce((sum, [weight]) => sum + weight, 0);

function pickMutation(random: Random): Mutation {
  let n = random.int(totalWeight);
  for (const [weight, mutation] of mutations) {
    if (n < weight) return mutation;
    n -= weight;
  }
  return mutations[0]![1];
}

/** Input `index` of run `seed`: deterministic. */
export function makeInput(seeds: readonly Seed[], seed: number, index: number): FuzzInput {
  const random = randomFor(seed, index);
  const valid = seeds.filter((s) => s.valid);
  const base = random.next() < 0.75 && valid.length > 0 ? random.pick(valid) : random.pick(seeds);
  let text = base.text;
  const done: string[] = [];
  const count = random.next() < 0.5 ? 1 : 1 + random.int(4);
  for (let i = 0; i < count; i++) {
    const [next, what] = pickMutation(random)(random, text, seeds);
    text = next;
    done.push(what);
  }
  return { seed: base, text, mutations: done };
}

export interface FuzzOutcome {
  /** Milliseconds for compile and rendering. */
  readonly ms: number;
  readonly diagnostics: number;
  /** Files emitted (the input went through every stage). */
  readonly files: number;
  /** Broken properties (an exception is one of them). */
  readonly problems: readonly string[];
}

const knownCodes = new Set(allEntries.map((entry) => entry.code));
const fileCache = new Map<string, string | undefined>();

function readReal(path: string): string | undefined {
  if (!fileCache.has(path)) {
    try {
      fileCache.set(path, readFileSync(path, "utf8"));
    } catch {
      fileCache.set(path, undefined);
    }
  }
  return fileCache.get(path);
}

/** Runs the whole core on one input and checks the properties. */
export function runInput(input: FuzzInput, btf?: Uint8Array): FuzzOutcome {
  const problems: string[] = [];
  const start = performance.now();
  let diagnostics = 0;
  let files = 0;
  try {
    const host = {
      // The mutated text is the main file; includes and imports next to it are the real ones.
      readFile: (path: string) => (path === input.seed.path ? input.text : path.startsWith(dirname(input.seed.path)) ? readReal(path) : undefined),
      readKernelBtf: btf ? () => btf : undefined,
    };
    const result = compile(input.seed.path, host);
    diagnostics = result.diagnostics.length;
    files = result.files.length;
    problems.push(...diagnosticProblems(result.diagnostics, result.sources));
    renderDiagnostics(result.diagnostics, result.sources, { color: false, inputName: input.seed.path });
    JSON.stringify(toJson(result.diagnostics, result.sources));
    if (result.files.length > 0 && result.diagnostics.some((d) => d.severity === "error")) problems.push("files emitted despite errors");
  } catch (error) {
    problems.push(`exception: ${error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error)}`);
  }
  return { ms: performance.now() - start, diagnostics, files, problems };
}

function diagnosticProblems(diagnostics: readonly Diagnostic[], sources: SourceSet): string[] {
  const problems: string[] = [];
  for (const d of diagnostics) {
    if (!knownCodes.has(d.code)) problems.push(`diagnostic without a catalogue code: ${JSON.stringify(d.code)} ${d.message}`);
    for (const label of [d.primary, ...d.secondary]) {
      const source = sources.get(label.span.file);
      const { start, end } = label.span;
      if (!source) problems.push(`${d.code}: span in a file that was not read: ${label.span.file}`);
      else if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= source.text.length)) {
        problems.push(`${d.code}: span [${start}, ${end}) outside ${label.span.file} (${source.text.length} characters)`);
      }
    }
  }
  return problems;
}
