// Two test-run traces (`kernelscript test --trace`, docs/language/testing.md "Traces")
// compared field by field: the differential test runs every example's tests in the
// kernel and in the interpreter and requires equal traces. Every difference is reported
// where it is — the test, the run's index, the field; for a packet the first differing
// byte offset; for a map the key with both values, or the keys only one side has — so
// a disagreement names the bug without rerunning anything.

import { readFileSync } from "node:fs";

export interface TraceRun {
  readonly program: string;
  readonly retval: number;
  /** Lowercase hex of the packet after the run; null for runs without one. */
  readonly packet: string | null;
}

export type TraceStatus = "pass" | "fail" | "skip";

export interface TraceTest {
  readonly name: string;
  readonly status: TraceStatus;
  readonly runs: readonly TraceRun[];
  /** By the map's `.ks` name: `[keyHex, valueHex]` pairs sorted by key. */
  readonly maps: Readonly<Record<string, readonly (readonly [string, string])[]>>;
}

export interface Trace {
  readonly version: 1;
  readonly tests: readonly TraceTest[];
}

/** One disagreement: where (test, run index, field) and what each side has. */
export interface TraceDifference {
  readonly test: string | undefined;
  readonly run?: number;
  /** `status`, `runs`, `program`, `retval`, `packet`, `maps`, `maps.NAME`, `tests`, `version`. */
  readonly field: string;
  readonly message: string;
}

/** The two sides' names in messages. */
export interface TraceSides {
  readonly left: string;
  readonly right: string;
}

const defaultSides: TraceSides = { left: "kernel", right: "interpreter" };

/** Reads and checks a trace file: a malformed one is an Error saying what is wrong and where. */
export function readTrace(path: string): Trace {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`${path}: not a JSON trace: ${(error as Error).message}`);
  }
  return checkTrace(value, path);
}

/** The trace format's rules on parsed JSON (keys in order, no extra keys, lowercase hex, maps sorted by key). */
export function checkTrace(value: unknown, where = "trace"): Trace {
  const fail = (path: string, what: string): never => {
    throw new Error(`${where}: ${path}: ${what}`);
  };
  const object = (v: unknown, path: string, keys: readonly string[]): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "not an object");
    const actual = Object.keys(v as object);
    if (actual.join(",") !== keys.join(",")) fail(path, `keys are ${JSON.stringify(actual)}, the format has ${JSON.stringify(keys)} in that order`);
    return v as Record<string, unknown>;
  };
  const array = (v: unknown, path: string): readonly unknown[] => (Array.isArray(v) ? v : fail(path, "not an array"));
  const hex = (v: unknown, path: string): string => {
    if (typeof v !== "string" || !/^(?:[0-9a-f]{2})*$/.test(v)) fail(path, `not lowercase hex of whole bytes: ${JSON.stringify(v)}`);
    return v as string;
  };
  const top = object(value, "the trace", ["version", "tests"]);
  if (top.version !== 1) fail("version", `is ${JSON.stringify(top.version)}, not 1`);
  const tests = array(top.tests, "tests").map((t, i): TraceTest => {
    const test = object(t, `tests[${i}]`, ["name", "status", "runs", "maps"]);
    const at = `tests[${i}] (${String(test.name)})`;
    if (typeof test.name !== "string") fail(at, "name is not a string");
    if (test.status !== "pass" && test.status !== "fail" && test.status !== "skip") fail(at, `status is ${JSON.stringify(test.status)}`);
    const runs = array(test.runs, `${at}.runs`).map((r, j): TraceRun => {
      const run = object(r, `${at}.runs[${j}]`, ["program", "retval", "packet"]);
      if (typeof run.program !== "string") fail(`${at}.runs[${j}]`, "program is not a string");
      if (typeof run.retval !== "number" || !Number.isInteger(run.retval) || run.retval < 0 || run.retval > 0xffffffff) {
        fail(`${at}.runs[${j}]`, `retval ${JSON.stringify(run.retval)} is not an unsigned 32-bit number`);
      }
      const packet = run.packet === null ? null : hex(run.packet, `${at}.runs[${j}].packet`);
      return { program: run.program as string, retval: run.retval as number, packet };
    });
    if (typeof test.maps !== "object" || test.maps === null || Array.isArray(test.maps)) fail(`${at}.maps`, "not an object");
    const maps: Record<string, (readonly [string, string])[]> = {};
    for (const [name, entries] of Object.entries(test.maps as object)) {
      const pairs = array(entries, `${at}.maps.${name}`).map((e, k): readonly [string, string] => {
        const pair = array(e, `${at}.maps.${name}[${k}]`);
        if (pair.length !== 2) fail(`${at}.maps.${name}[${k}]`, "not a [key, value] pair");
        return [hex(pair[0], `${at}.maps.${name}[${k}][0]`), hex(pair[1], `${at}.maps.${name}[${k}][1]`)];
      });
      pairs.forEach((p, k) => {
        if (k > 0 && pairs[k - 1]![0] >= p[0]) fail(`${at}.maps.${name}[${k}]`, `key ${p[0]} is not after ${pairs[k - 1]![0]} (sorted, each key once)`);
      });
      maps[name] = pairs;
    }
    return { name: test.name as string, status: test.status as TraceStatus, runs, maps };
  });
  return { version: 1, tests };
}

/** Every difference between two traces (empty: equal). */
export function compareTraces(left: Trace, right: Trace, sides: TraceSides = defaultSides): TraceDifference[] {
  const out: TraceDifference[] = [];
  if (left.version !== right.version) {
    out.push({ test: undefined, field: "version", message: `version: ${sides.left} ${left.version}, ${sides.right} ${right.version}` });
  }
  const rightByName = new Map(right.tests.map((t) => [t.name, t]));
  const leftNames = new Set(left.tests.map((t) => t.name));
  for (const test of left.tests) {
    const other = rightByName.get(test.name);
    if (!other) out.push({ test: test.name, field: "tests", message: `test ${test.name}: only in the ${sides.left}'s trace` });
    else compareTest(test, other, sides, out);
  }
  for (const test of right.tests) {
    if (!leftNames.has(test.name)) out.push({ test: test.name, field: "tests", message: `test ${test.name}: only in the ${sides.right}'s trace` });
  }
  const common = (tests: readonly TraceTest[], names: ReadonlySet<string>): string[] => tests.map((t) => t.name).filter((n) => names.has(n));
  const leftOrder = common(left.tests, new Set(right.tests.map((t) => t.name)));
  const rightOrder = common(right.tests, leftNames);
  if (leftOrder.join("\0") !== rightOrder.join("\0")) {
    out.push({ test: undefined, field: "tests", message: `the tests ran in another order: ${sides.left} ${leftOrder.join(", ")}; ${sides.right} ${rightOrder.join(", ")}` });
  }
  return out;
}

function compareTest(left: TraceTest, right: TraceTest, sides: TraceSides, out: TraceDifference[]): void {
  const test = left.name;
  if (left.status !== right.status) {
    out.push({ test, field: "status", message: `test ${test}: status ${sides.left} ${left.status}, ${sides.right} ${right.status}` });
  }
  const runs = Math.max(left.runs.length, right.runs.length);
  if (left.runs.length !== right.runs.length) {
    out.push({ test, field: "runs", message: `test ${test}: ${sides.left} ran ${left.runs.length} program(s), ${sides.right} ${right.runs.length}` });
  }
  for (let i = 0; i < runs; i++) {
    const a = left.runs[i];
    const b = right.runs[i];
    const at = `test ${test}, run ${i}`;
    if (!a || !b) {
      const [side, only] = a ? [sides.left, a] : [sides.right, b!];
      out.push({ test, run: i, field: "runs", message: `${at}: only the ${side} ran it (${only.program}, retval ${only.retval})` });
      continue;
    }
    if (a.program !== b.program) out.push({ test, run: i, field: "program", message: `${at}: program ${sides.left} ${a.program}, ${sides.right} ${b.program}` });
    if (a.retval !== b.retval) out.push({ test, run: i, field: "retval", message: `${at} (${a.program}): retval ${sides.left} ${a.retval}, ${sides.right} ${b.retval}` });
    const packet = packetDifference(a.packet, b.packet, sides);
    if (packet) out.push({ test, run: i, field: "packet", message: `${at} (${a.program}): packet ${packet}` });
  }
  const names = [...new Set([...Object.keys(left.maps), ...Object.keys(right.maps)])].sort();
  for (const name of names) {
    const a = left.maps[name];
    const b = right.maps[name];
    const at = `test ${test}, map ${name}`;
    if (!a || !b) {
      out.push({ test, field: `maps.${name}`, message: `${at}: only in the ${a ? sides.left : sides.right}'s trace` });
      continue;
    }
    compareEntries(a, b, sides, (message) => out.push({ test, field: `maps.${name}`, message: `${at}: ${message}` }));
  }
}

/** Where two packets differ, in words; undefined when equal. */
export function packetDifference(a: string | null, b: string | null, sides: TraceSides = defaultSides): string | undefined {
  if (a === b) return undefined;
  if (a === null || b === null) return `${sides.left} ${a === null ? "null" : `${a.length / 2} bytes`}, ${sides.right} ${b === null ? "null" : `${b.length / 2} bytes`}`;
  const length = Math.min(a.length, b.length) / 2;
  let offset = 0;
  while (offset < length && a.slice(offset * 2, offset * 2 + 2) === b.slice(offset * 2, offset * 2 + 2)) offset++;
  const sizes = a.length === b.length ? "" : `; length ${sides.left} ${a.length / 2}, ${sides.right} ${b.length / 2}`;
  if (offset === length) return `${sides.left} and ${sides.right} agree on the first ${length} bytes${sizes}`;
  const byte = (hex: string): string => `0x${hex.slice(offset * 2, offset * 2 + 2)}`;
  return `first differs at byte ${offset}: ${sides.left} ${byte(a)}, ${sides.right} ${byte(b)}${sizes}`;
}

function compareEntries(
  left: readonly (readonly [string, string])[],
  right: readonly (readonly [string, string])[],
  sides: TraceSides,
  report: (message: string) => void,
): void {
  const rightValues = new Map(right);
  const leftKeys = new Set(left.map(([k]) => k));
  for (const [key, value] of left) {
    const other = rightValues.get(key);
    if (other === undefined) report(`key ${key}: only the ${sides.left} has it (value ${value})`);
    else if (other !== value) report(`key ${key}: value ${sides.left} ${value}, ${sides.right} ${other}${firstByte(value, other)}`);
  }
  for (const [key, value] of right) {
    if (!leftKeys.has(key)) report(`key ${key}: only the ${sides.right} has it (value ${value})`);
  }
}

function firstByte(a: string, b: string): string {
  let i = 0;
  while (i < Math.min(a.length, b.length) && a.slice(i, i + 2) === b.slice(i, i + 2)) i += 2;
  return ` (first differing byte ${i / 2}${a.length === b.length ? "" : `; ${a.length / 2} and ${b.length / 2} bytes`})`;
}

/** The differences as lines for an assertion message. */
export function formatDifferences(differences: readonly TraceDifference[]): string {
  return differences.map((d) => `  ${d.message}`).join("\n");
}
