//! `make fuzz-interpret N=… [SEED=…]`: N random self-checking programs (seeds SEED,
//! SEED+1, …; a random SEED when none is given) on the reference interpreter, no kernel
//! needed. Prints counts and every failing seed (its program under
//! build/fuzz-interpret/seed-S/program.ks); exits 1 when anything failed.
//!
//!   node build/tests/fuzz/random-programs/fuzz-interpret.js [--n N] [--seed S] [--batch B] [--out DIR]

import { randomInt } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { repoRoot } from "../../../src/runner/paths.js";
import { allFeatures } from "./generate-expr.js";
import { interpretBatch, type InterpretFailure } from "./interpret-runner.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "2000" },
    seed: { type: "string" },
    batch: { type: "string", default: "25" },
    out: { type: "string", default: join(repoRoot, "build", "fuzz-interpret") },
  },
});

const count = Number(values.n);
const base = values.seed !== undefined && values.seed !== "" ? Number(values.seed) : randomInt(0, 2 ** 31);
const batch = Number(values.batch);
for (const [name, n] of [["N", count], ["SEED", base], ["BATCH", batch]] as const) {
  if (!Number.isInteger(n) || n < (name === "SEED" ? 0 : 1) || n > 0xffffffff) {
    console.error(`error: ${name} must be a ${name === "SEED" ? "non-negative" : "positive"} integer`);
    process.exit(2);
  }
}
const seeds = Array.from({ length: count }, (_, i) => (base + i) >>> 0);
const started = Date.now();
console.log(`random programs on the interpreter: ${count} (seeds ${seeds[0]}..${seeds[seeds.length - 1]})`);
const failures: InterpretFailure[] = [];
for (let i = 0; i < seeds.length; i += batch) {
  const found = interpretBatch(seeds.slice(i, i + batch), { features: allFeatures });
  for (const f of found) {
    failures.push(f);
    console.log(`FAIL seed ${f.seed} (${f.stage}): ${f.summary}`);
    const dir = join(values.out!, `seed-${f.seed}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "failure.txt"), `seed ${f.seed}\nstage: ${f.stage}\n${f.summary}\n`);
    if (f.source) writeFileSync(join(dir, "program.ks"), f.source);
  }
  if ((i / batch) % 10 === 9) console.log(`  ${Math.min(i + batch, count)}/${count} programs, ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
console.log(`random programs on the interpreter: ${count} run (seeds ${seeds[0]}..${seeds[seeds.length - 1]}), ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failures.length > 0) {
  console.log(`failing seeds: ${failures.map((f) => f.seed).join(" ")}`);
  process.exit(1);
}
