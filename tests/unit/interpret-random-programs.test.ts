// The random self-checking programs (tests/fuzz/random-programs) on the reference
// interpreter: a fixed-seed batch must all return XDP_PASS with an empty failure record
// (every value the interpreter computed equals the oracle's), and the same machinery
// must see a wrong value: one program's expected value changed by one fails, naming
// that check. More, with random seeds: `make fuzz-interpret N=…`.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generateProgram } from "../fuzz/random-programs/generate.js";
import { expectOneOff, firstLiveCheck } from "../fuzz/random-programs/resolve.js";
import { allFeatures } from "../fuzz/random-programs/generate-expr.js";
import { interpretBatch, interpretPrograms, type InterpretFailure } from "../fuzz/random-programs/interpret-runner.js";

const FIRST_SEED = 20_261_207;
const COUNT = 300;
const BATCH = 25;

function describeFailures(failures: readonly InterpretFailure[]): string {
  return failures.map((f) => `seed ${f.seed} (${f.stage}): ${f.summary}`).join("\n");
}


describe("interpreter: random self-checking programs", () => {
  it(`${COUNT} programs (seeds ${FIRST_SEED}..${FIRST_SEED + COUNT - 1}) compute every value right`, () => {
    const failures: InterpretFailure[] = [];
    for (let first = 0; first < COUNT; first += BATCH) {
      const seeds = Array.from({ length: Math.min(BATCH, COUNT - first) }, (_, i) => FIRST_SEED + first + i);
      failures.push(...interpretBatch(seeds, { features: allFeatures }));
    }
    assert.equal(failures.length, 0, describeFailures(failures));
  });

  it("a program whose expected value is wrong by one returns XDP_DROP and names that check", () => {
    const program = generateProgram(FIRST_SEED, "p0_", { features: allFeatures });
    const check = firstLiveCheck(program);
    assert.ok(check, "the program has a check that runs");
    const right = expectOneOff(check);
    const failures = interpretPrograms([program]);
    assert.equal(failures.length, 1, describeFailures(failures));
    assert.equal(failures[0]!.stage, "run");
    assert.match(failures[0]!.summary, /^returned 1 \(XDP_PASS is 2\); 1 check\(s\) failed/);
    assert.match(failures[0]!.summary, new RegExp(`check ${check.id} \\(`));
    check.expected = right;
    assert.deepEqual(interpretPrograms([program]), []);
  });
});
