// Mutation fuzzing of the whole compiler core, as many inputs as asked:
//
//   make fuzz-core N=100000 [SEED=1234] [OUT=build/fuzz-core]
//   node build/tools/fuzz-core.js --n 100000 [--seed 1234] [--out DIR] [--limit-ms 2000] [--btf-every 1000]
//
// Inputs come from tests/fuzz/core-fuzzer.ts: input i of a run is made from (seed, i)
// only, so every input can be regenerated. The core runs in a worker thread; the main
// thread watches it, so an input that hangs is caught (the worker is replaced and the run
// goes on). An input that throws, breaks a property (catalogue codes, spans inside their
// file) or takes longer than the limit is saved to OUT with a note of what was done to
// its seed. Time per input is CPU time (this machine is shared; wall time is reported
// too). Every `--btf-every`-th input is compiled with the kernel's BTF (parsing it costs
// about a second per compile, so BTF inputs are not held to the limit).

import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadSeeds, makeInput, repoRoot, runInput } from "../tests/fuzz/core-fuzzer.js";

interface Options {
  readonly n: number;
  readonly seed: number;
  readonly out: string;
  readonly limitMs: number;
  readonly btfEvery: number;
  /** How long the worker may be silent on one input before it counts as a hang. */
  readonly hangMs: number;
}

interface Done {
  readonly type: "done";
  readonly index: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly btf: boolean;
  readonly files: number;
  readonly problems: readonly string[];
}

type Message = { readonly type: "start"; readonly index: number } | Done;

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const number = (name: string, fallback: number): number => {
    const text = value(name);
    if (text === undefined || text === "") return fallback;
    const parsed = Number(text);
    if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} wants a non-negative number, got ${JSON.stringify(text)}`);
    return parsed;
  };
  return {
    n: number("n", 1000),
    seed: number("seed", Math.floor(Math.random() * 0xffffffff)),
    out: value("out") || join(repoRoot, "build", "fuzz-core"),
    limitMs: number("limit-ms", 2000),
    btfEvery: number("btf-every", 1000),
    hangMs: number("hang-ms", 120_000),
  };
}

// ---------------------------------------------------------------------------------------
// Worker: runs inputs from `start` on and reports each one.

function work(data: { seed: number; start: number; end: number; btfEvery: number }): void {
  const seeds = loadSeeds();
  const btf = data.btfEvery > 0 && existsSync("/sys/kernel/btf/vmlinux") ? readFileSync("/sys/kernel/btf/vmlinux") : undefined;
  for (let index = data.start; index < data.end; index++) {
    parentPort!.postMessage({ type: "start", index } satisfies Message);
    const input = makeInput(seeds, data.seed, index);
    const withBtf = btf !== undefined && index % data.btfEvery === data.btfEvery - 1;
    const cpuBefore = process.cpuUsage();
    const outcome = runInput(input, withBtf ? btf : undefined);
    const cpu = process.cpuUsage(cpuBefore);
    parentPort!.postMessage({
      type: "done", index, cpuMs: (cpu.user + cpu.system) / 1000, wallMs: outcome.ms, btf: withBtf,
      files: outcome.files, problems: outcome.problems,
    } satisfies Message);
  }
}

// ---------------------------------------------------------------------------------------
// Main thread: starts workers, watches for hangs, saves failures, prints the summary.

async function main(options: Options): Promise<number> {
  mkdirSync(options.out, { recursive: true });
  const seeds = loadSeeds();
  console.log(`fuzz-core: ${options.n} inputs, seed ${options.seed}, ${seeds.length} seed files, limit ${options.limitMs} ms CPU per input, failures to ${options.out}`);
  const stats = {
    done: 0, full: 0, exceptions: 0, propertyFailures: 0, slow: 0, hangs: 0, btf: 0,
    maxCpu: { ms: 0, index: -1 }, maxWall: { ms: 0, index: -1 }, maxBtfCpu: { ms: 0, index: -1 },
  };
  const save = (index: number, why: readonly string[]): void => {
    const input = makeInput(seeds, options.seed, index);
    const base = join(options.out, `seed-${options.seed}-input-${index}`);
    writeFileSync(`${base}.ks`, input.text);
    writeFileSync(`${base}.txt`, [
      `seed file: ${input.seed.path}`, `mutations: ${input.mutations.join("; ")}`,
      `regenerate: makeInput(loadSeeds(), ${options.seed}, ${index}) in tests/fuzz/core-fuzzer.ts`, "", ...why, "",
    ].join("\n"));
  };
  const started = Date.now();
  let next = 0;
  while (next < options.n) {
    next = await new Promise<number>((resolve) => {
      const worker = new Worker(new URL(import.meta.url), {
        workerData: { seed: options.seed, start: next, end: options.n, btfEvery: options.btfEvery },
        resourceLimits: { maxOldGenerationSizeMb: 4096 },
      });
      let current = next;
      let timer: NodeJS.Timeout | undefined;
      const watch = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stats.hangs++;
          save(current, [`hang: no result after ${options.hangMs} ms`]);
          console.log(`input ${current}: HANG (over ${options.hangMs} ms), worker replaced`);
          void worker.terminate().then(() => resolve(current + 1));
        }, options.hangMs);
      };
      watch();
      worker.on("message", (message: Message) => {
        if (message.type === "start") {
          current = message.index;
          watch();
          return;
        }
        stats.done++;
        if (message.files > 0) stats.full++;
        const problems = [...message.problems];
        if (message.btf) {
          stats.btf++;
          if (message.cpuMs > stats.maxBtfCpu.ms) stats.maxBtfCpu = { ms: message.cpuMs, index: message.index };
        } else {
          if (message.cpuMs > stats.maxCpu.ms) stats.maxCpu = { ms: message.cpuMs, index: message.index };
          if (message.wallMs > stats.maxWall.ms) stats.maxWall = { ms: message.wallMs, index: message.index };
          if (message.cpuMs > options.limitMs) {
            stats.slow++;
            problems.push(`slow: ${message.cpuMs.toFixed(0)} ms CPU (${message.wallMs.toFixed(0)} ms wall), limit ${options.limitMs} ms`);
          }
        }
        if (message.problems.some((p) => p.startsWith("exception"))) stats.exceptions++;
        else if (message.problems.length > 0) stats.propertyFailures++;
        if (problems.length > 0) {
          save(message.index, problems);
          console.log(`input ${message.index}: ${problems[0]!.split("\n")[0]}`);
        }
        if (stats.done % 5000 === 0) {
          console.log(`… ${stats.done} inputs, ${((Date.now() - started) / 1000).toFixed(0)} s, slowest ${stats.maxCpu.ms.toFixed(0)} ms CPU`);
        }
      });
      worker.on("error", (error: Error) => {
        // Out of memory in the worker (its heap is limited) or anything thrown outside the
        // compile call: a failure of the input it was on; a fresh worker goes on after it.
        clearTimeout(timer);
        stats.exceptions++;
        save(current, [`worker died: ${error.message}`]);
        console.log(`input ${current}: worker died: ${error.message}`);
        resolve(current + 1);
      });
      worker.on("exit", () => {
        clearTimeout(timer);
        resolve(Math.max(current + 1, options.n));
      });
    });
  }
  const seconds = (Date.now() - started) / 1000;
  console.log([
    `fuzz-core summary (seed ${options.seed}):`,
    `  inputs:             ${stats.done} (${stats.full} went through every stage and emitted C; ${stats.btf} with kernel BTF)`,
    `  exceptions:         ${stats.exceptions}`,
    `  property failures:  ${stats.propertyFailures} (diagnostic codes, spans, output despite errors)`,
    `  hangs:              ${stats.hangs}`,
    `  over ${options.limitMs} ms CPU:    ${stats.slow}`,
    `  slowest input:      ${stats.maxCpu.ms.toFixed(0)} ms CPU (input ${stats.maxCpu.index}: ${describe(seeds, options.seed, stats.maxCpu.index)})`,
    `  slowest wall time:  ${stats.maxWall.ms.toFixed(0)} ms (input ${stats.maxWall.index})`,
    `  slowest with BTF:   ${stats.maxBtfCpu.ms.toFixed(0)} ms CPU (input ${stats.maxBtfCpu.index})`,
    `  time:               ${seconds.toFixed(0)} s (${(seconds * 1000 / Math.max(1, stats.done)).toFixed(1)} ms per input)`,
  ].join("\n"));
  return stats.exceptions + stats.propertyFailures + stats.slow + stats.hangs > 0 ? 1 : 0;
}

function describe(seeds: Parameters<typeof makeInput>[0], seed: number, index: number): string {
  if (index < 0) return "none";
  const input = makeInput(seeds, seed, index);
  return `${input.seed.path.slice(repoRoot.length + 1)}; ${input.mutations.join("; ")}`;
}

if (isMainThread) {
  main(parseOptions(process.argv.slice(2))).then((code) => process.exit(code), (error: unknown) => {
    console.error(error);
    process.exit(2);
  });
} else {
  work(workerData as { seed: number; start: number; end: number; btfEvery: number });
}
