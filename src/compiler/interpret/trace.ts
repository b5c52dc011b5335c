//! The test-run trace (TRACE.md): what every `@test` observed — its status, each run's
//! program, return value and packet, and the traced maps' bytes at the end — in the one
//! JSON shape both test modes write, so a differential test can compare them.

import type { MapStore } from "./maps.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { toHex } from "./memory.js";
import type { RunRecord } from "./machine.js";

export interface TraceTest {
  readonly name: string;
  readonly status: "pass" | "fail" | "skip";
  readonly runs: readonly RunRecord[];
  readonly maps: Readonly<Record<string, readonly (readonly [string, string])[]>>;
}

export interface TestTrace {
  readonly version: 1;
  readonly tests: readonly TraceTest[];
}


/** The traced maps' contents: `[keyHex, valueHex]` sorted by key; per-CPU maps give CPU 0's value. */
export function traceMaps(maps: ReadonlyMap<string, MapStore>): Record<string, (readonly [string, string])[]> {
  const out: Record<string, (readonly [string, string])[]> = {};
  for (const [name, store] of maps) {
    if (mapKinds[store.map.mapKind].offKernel?.traced !== true) continue;
    const pairs = store.all().map((e) => [toHex(e.key), toHex(e.values[0]!.bytes)] as const);
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out[name] = pairs;
  }
  return out;
}

/** TRACE.md's JSON, keys in its order. */
export function traceToJson(trace: TestTrace): string {
  const tests = trace.tests.map((t) => ({
    name: t.name,
    status: t.status,
    runs: t.runs.map((r) => ({ program: r.program, retval: r.retval, packet: r.packet })),
    maps: Object.fromEntries(Object.entries(t.maps).map(([k, v]) => [k, v.map(([a, b]) => [a, b])])),
  }));
  return JSON.stringify({ version: 1, tests }, null, 2) + "\n";
}
