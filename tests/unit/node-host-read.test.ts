// NodeHost.readFile decodes sources its own way for speed (ASCII as Latin-1, the rest
// through Buffer#toString): the strings must be exactly what readFileSync's "utf8" gives.
// NodeHost.readTracepoints keeps a list once it has one, never an empty answer.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultKernelBtfPath, NodeHost } from "../../src/cli/node-host.js";

test("readFile gives the same text as readFileSync(path, \"utf8\") for ASCII, UTF-8 and broken UTF-8", () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-node-host-"));
  try {
    const samples: Record<string, Buffer> = {
      "ascii.ks": Buffer.from("fn main() -> i32 {\r\n  return 0 // \x7f\n}\n", "latin1"),
      "utf8.ks": Buffer.from("\ufefffn main() -> i32 { // café → ✓ 🐝\n  return 0\n}\n", "utf8"),
      "latin1-bytes.ks": Buffer.from([0x61, 0xe9, 0x62, 0xff, 0x0a]),
      "truncated.ks": Buffer.from([0x61, 0xe2, 0x82]),
      "empty.ks": Buffer.alloc(0),
    };
    const host = new NodeHost(dir);
    for (const [name, bytes] of Object.entries(samples)) {
      writeFileSync(join(dir, name), bytes);
      assert.equal(host.readFile(name), readFileSync(join(dir, name), "utf8"), name);
    }
    assert.equal(host.readFile("missing.ks"), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readTracepoints: a tracefs with nothing readable is asked again, a list is kept", () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-node-host-"));
  try {
    const host = new NodeHost(dir, defaultKernelBtfPath, { KS_TRACEFS: "tracefs" });
    assert.equal(host.readTracepoints(), undefined, "no tracefs yet");
    mkdirSync(join(dir, "tracefs", "events", "sched", "sched_process_exec"), { recursive: true });
    assert.deepEqual(host.readTracepoints(), ["sched/sched_process_exec"], "read again once it is there");
    mkdirSync(join(dir, "tracefs", "events", "sched", "sched_switch"));
    assert.deepEqual(host.readTracepoints(), ["sched/sched_process_exec"], "the list found is kept");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
