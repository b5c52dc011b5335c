//! `make fuzz N=… [SEED=…] [JOBS=…] [BATCH=…]`: generates N random self-checking
//! programs (seeds SEED, SEED+1, …; a random SEED when none is given), runs them in the
//! kernel in batches, JOBS batches at a time, and saves every failing program with what
//! went wrong under build/fuzz-random/seed-S/ (a program that fails before it runs also
//! cut down by reduce.ts, for at most --reduce-seconds, as program.min.ks). Prints
//! counts, seeds and time; exits 1 when anything failed.
//!
//!   node build/tests/fuzz/random-programs/fuzz.js [--n N] [--seed S] [--jobs J] [--batch B]
//!                                                [--out DIR] [--print] [--reduce-seconds S]
//! --print writes the program of each seed to stdout instead of running it.

import { randomInt } from "node:crypto";
import { availableParallelism, tmpdir } from "node:os";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { testVmlinuxHeader } from "../../harness/build-cache.js";
import { kernelSkipReason } from "../../../src/runner/capabilities.js";
import { repoRoot } from "../../../src/runner/paths.js";
import { generateProgram, type GenerateOptions } from "./generate.js";
import { allFeatures } from "./generate-expr.js";
import { programSource, runBatch, type Failure } from "./run.js";
import { reduce } from "./reduce.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "100" },
    seed: { type: "string" },
    jobs: { type: "string" },
    batch: { type: "string", default: "25" },
    out: { type: "string", default: join(repoRoot, "build", "fuzz-random") },
    "reduce-seconds": { type: "string", default: "60" },
    print: { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
  },
});

const count = positive(values.n!, "N");
const base = values.seed !== undefined && values.seed !== "" ? positive(values.seed, "SEED", true) : randomInt(0, 2 ** 31);
const jobs = values.jobs ? positive(values.jobs, "JOBS") : Math.max(1, availableParallelism());
const batchSize = positive(values.batch!, "BATCH");
const seeds = Array.from({ length: count }, (_, i) => (base + i) >>> 0);
const generate: GenerateOptions = { features: allFeatures };

function positive(text: string, name: string, zeroOk = false): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1) || n > 0xffffffff) {
    console.error(`error: ${name} must be a ${zeroOk ? "non-negative" : "positive"} integer, not \`${text}\``);
    process.exit(2);
  }
  return n;
}

if (values.print) {
  for (const seed of seeds) process.stdout.write(programSource(generateProgram(seed, "p0_", generate)));
  process.exit(0);
}

const skip = kernelSkipReason();
if (skip) {
  console.error(`error: cannot run programs in the kernel here: ${skip}`);
  process.exit(3);
}

const vmlinuxHeader = testVmlinuxHeader();
const workDir = join(tmpdir(), `ks-fuzz-${process.pid}`);
mkdirSync(workDir, { recursive: true });

const started = Date.now();
const batches: number[][] = [];
for (let i = 0; i < seeds.length; i += batchSize) batches.push(seeds.slice(i, i + batchSize));
console.log(`random programs: ${count} (seeds ${seeds[0]}..${seeds[seeds.length - 1]}), batches of ${batchSize}, ${jobs} at a time`);

let ran = 0;
let makefileBuilds = 0;
const failures: Failure[] = [];
let next = 0;
async function worker(): Promise<void> {
  while (next < batches.length) {
    const index = next++;
    // Every tenth batch is also built through its generated Makefile (loader included).
    const result = await runBatch(batches[index]!, { workDir, vmlinuxHeader, generate, makefile: index % 10 === 0, keep: values.keep! });
    ran += result.ran;
    makefileBuilds += result.makefileBuilds;
    for (const f of result.failures) {
      failures.push(f);
      save(f);
      console.log(`FAIL seed ${f.seed} (${f.stage}): ${f.summary}`);
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`  ${ran}/${count} programs, ${failures.length} failed, ${seconds.toFixed(0)} s\n`);
  }
}

function save(f: Failure): void {
  const dir = join(values.out!, `seed-${f.seed}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "failure.txt"), `seed ${f.seed}\nstage: ${f.stage}\n${f.summary}\n\n${f.details}\n`);
  if (f.source) writeFileSync(join(dir, "program.ks"), f.source);
  if (f.bpfC) writeFileSync(join(dir, "program.bpf.c"), f.bpfC);
  // A wrong value needs the oracle to stay meaningful; failures before the run do not.
  const seconds = Number(values["reduce-seconds"]);
  if (f.source && f.stage !== "run" && f.stage !== "generate" && seconds > 0) {
    try {
      const reduced = reduce(f.source, () => {}, seconds);
      writeFileSync(join(dir, "program.min.ks"), reduced);
    } catch (error) {
      writeFileSync(join(dir, "reduce.txt"), `not reduced: ${String(error)}\n`);
    }
  }
}

await Promise.all(Array.from({ length: Math.min(jobs, batches.length) }, worker));
rmSync(workDir, { recursive: true, force: true });
const seconds = (Date.now() - started) / 1000;
console.log(`random programs: ${ran} run in the kernel (seeds ${seeds[0]}..${seeds[seeds.length - 1]}), ${failures.length} failed, ` +
  `${makefileBuilds} also built through the generated Makefile, ${seconds.toFixed(1)} s`);
if (failures.length > 0) {
  console.log(`failing seeds: ${failures.map((f) => f.seed).join(" ")}`);
  console.log(`saved under ${values.out}/seed-*/ (program.ks, program.min.ks when reduced, failure.txt, program.bpf.c)`);
  process.exit(1);
}
