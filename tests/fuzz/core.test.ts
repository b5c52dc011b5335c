// A fixed-seed batch of the core mutation fuzzer (tests/fuzz/core-fuzzer.ts) in
// `make test`: mutated programs through parse → check → lower → analyze → emit never
// throw, and every diagnostic has a catalogue code and a span inside its file. Any
// number more, with any seed: `make fuzz-core N=100000` (tools/fuzz-core.ts), which also
// holds each input to 2 s of CPU; here time is only reported.

import { test } from "node:test";
import assert from "node:assert/strict";
import { loadSeeds, makeInput, runInput } from "./core-fuzzer.js";

const seed = 20_251_206;
// `make check` (the fast lane) runs the first 300 of the batch; `make test` all 1000.
const count = Number(process.env.KS_CORE_FUZZ_INPUTS ?? 1000);

test(`core fuzzing: ${count} mutated programs (seed ${seed}) through every stage`, { timeout: 600_000 }, (t) => {
  const seeds = loadSeeds();
  let slowest = { ms: 0, index: -1 };
  let full = 0;
  const failures: string[] = [];
  for (let index = 0; index < count; index++) {
    const input = makeInput(seeds, seed, index);
    const outcome = runInput(input);
    if (outcome.files > 0) full++;
    if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, index };
    if (outcome.problems.length > 0) {
      failures.push(`input ${index} (${input.seed.path}; ${input.mutations.join("; ")}):\n${outcome.problems.join("\n")}`);
    }
  }
  t.diagnostic(`${count} inputs, ${full} through every stage; slowest: input ${slowest.index}, ${slowest.ms.toFixed(0)} ms`);
  assert.deepEqual(failures, []);
});
