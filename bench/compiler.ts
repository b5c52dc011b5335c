// The compiler as a user meets it, in wall time of whole commands (start-up included),
// each measured in interleaved rounds in one run with the yardsticks beside it:
//
// - start-up: `kernelscript check` of the seed sketch and `kernelscript --help` against
//   `node -e ''` (the floor every Node program pays);
// - throughput: `check` of generated 1k, 10k and 100k-line programs (bench/generate.ts):
//   lines/s, the time each further 1,000 lines cost beyond the smallest program (the same
//   when time is linear) and peak RSS (bench/rss-hook.cjs);
// - `kernelscript build` of the seed into a directory built before (the second, warm
//   build), against a baseline checkout's.
//
//   node build/bench/compiler.js [--rounds 11] [--build-rounds 5] [--sizes 1000,10000,100000]
//                                [--baseline DIR | --baseline-commit SHA] [--json PATH]
//
// --baseline DIR: a checkout (after `make build`) measured the same way, interleaved.
// --baseline-commit SHA: that checkout is made here (`git worktree add` into
// build/bench/baseline, then `make build`) unless it already is.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { count, loadCompiler, repoRoot } from "./common.js";
import { makeGenerator } from "./generate.js";
import { formatRatio, median, ratio, renderTable } from "./stats.js";

const { values: options } = parseArgs({
  options: {
    rounds: { type: "string", default: "11" },
    "build-rounds": { type: "string", default: "5" },
    "size-rounds": { type: "string", default: "3" },
    sizes: { type: "string", default: "1000,10000,100000" },
    baseline: { type: "string" },
    "baseline-commit": { type: "string" },
    json: { type: "string", default: join(repoRoot, "build", "bench", "compiler.json") },
  },
});

const rounds = count("rounds", options.rounds, 1);
const buildRounds = count("build-rounds", options["build-rounds"], 1);
const sizeRounds = count("size-rounds", options["size-rounds"], 1);
const sizes = (options.sizes ?? "").split(",").map((size) => count("sizes", size, 1));
const work = join(repoRoot, "build", "bench", "compiler");
const seed = join(repoRoot, "examples", "seed_packet_filter.ks");

/** A checkout whose `bin/kernelscript` is measured. */
interface Checkout {
  readonly label: string;
  readonly root: string;
}

function run(command: string, args: readonly string[], cwd = repoRoot): void {
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`bench: ${command} ${args.join(" ")} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
}

/** `--baseline DIR`, or the worktree of `--baseline-commit SHA` (made and built here when needed). */
function baselineCheckout(): Checkout | undefined {
  if (options.baseline) return { label: "baseline", root: resolve(options.baseline) };
  const commit = options["baseline-commit"];
  if (!commit) return undefined;
  const root = join(repoRoot, "build", "bench", "baseline");
  const head = existsSync(root) ? spawnSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" }).stdout.trim() : "";
  const wanted = spawnSync("git", ["rev-parse", `${commit}^{commit}`], { cwd: repoRoot, encoding: "utf8" }).stdout.trim();
  if (!wanted) {
    console.error(`bench: --baseline-commit ${commit} names no commit of this repository`);
    process.exit(2);
  }
  if (head !== wanted) {
    if (existsSync(root)) run("git", ["worktree", "remove", "--force", root]);
    console.log(`making the baseline checkout of ${commit} in ${root}`);
    run("git", ["worktree", "add", "--detach", root, wanted]);
  }
  if (!existsSync(join(root, "build", "src", "cli", "main.js"))) run("make", ["-C", root, "build"]);
  return { label: `baseline ${wanted.slice(0, 7)}`, root };
}

interface Timing {
  readonly ms: number;
  /** Peak RSS in MB when asked for. */
  readonly rssMb: number | undefined;
}

const rssFile = join(work, "rss.txt");

/** Runs `argv` once; its wall time (spawn to exit) and, with `rss`, its peak RSS. Exits on failure. */
function timeCommand(argv: readonly string[], rss = false): Timing {
  const env = rss
    ? { ...process.env, NODE_OPTIONS: `--require ${join(repoRoot, "bench", "rss-hook.cjs")}`, KS_BENCH_RSS_FILE: rssFile }
    : process.env;
  rmSync(rssFile, { force: true });
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    console.error(`bench: ${argv.join(" ")} exited with ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
  return { ms, rssMb: rss && existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) / 1024 : undefined };
}

/**
 * Runs every command once per round, the order rotating each round (so none always
 * follows another), after one unmeasured warm-up run each; the timings per command.
 */
function interleaved(commands: readonly (readonly string[])[], roundCount: number, rss = false): Timing[][] {
  for (const argv of commands) timeCommand(argv, rss);
  const timings: Timing[][] = commands.map(() => []);
  for (let round = 0; round < roundCount; round++) {
    for (let k = 0; k < commands.length; k++) {
      const which = (k + round) % commands.length;
      timings[which]!.push(timeCommand(commands[which]!, rss));
    }
    process.stdout.write(".");
  }
  process.stdout.write("\n");
  return timings;
}

const medianMs = (timings: readonly Timing[]): number => median(timings.map((t) => t.ms));
const peakRss = (timings: readonly Timing[]): number => Math.max(...timings.map((t) => t.rssMb ?? NaN));

const checkouts: Checkout[] = [{ label: "this checkout", root: repoRoot }];
const baseline = baselineCheckout();
if (baseline) checkouts.push(baseline);
const cli = (checkout: Checkout): string => join(checkout.root, "bin", "kernelscript");
mkdirSync(work, { recursive: true });
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : "–");

// 1. Start-up.
console.log(`start-up: ${rounds} interleaved rounds`);
const node = [process.execPath, "-e", ""];
const startupCommands = [
  { label: "node -e ''", argv: node },
  ...checkouts.flatMap((checkout) => [
    { label: `kernelscript check seed (${checkout.label})`, argv: [cli(checkout), "check", seed] },
    { label: `kernelscript --help (${checkout.label})`, argv: [cli(checkout), "--help"] },
  ]),
];
const startupTimings = interleaved(startupCommands.map((c) => c.argv), rounds);
const nodeMs = medianMs(startupTimings[0]!);
const startup = startupCommands.map((command, i) => ({
  command: command.label, medianMs: medianMs(startupTimings[i]!), vsNode: ratio(nodeMs, medianMs(startupTimings[i]!)),
  ms: startupTimings[i]!.map((t) => t.ms),
}));

// 2. Throughput.
const generator = makeGenerator(await loadCompiler([]));
const programs = sizes.map((size) => {
  const copies = Math.max(1, Math.round(size / generator.linesPerCopy));
  const text = generator.program(copies);
  const path = join(work, `generated-${size}.ks`);
  writeFileSync(path, text);
  return { size, path, lines: text.split("\n").length };
});
console.log(`throughput: check of ${programs.map((p) => p.lines).join(", ")} lines, ${sizeRounds} interleaved rounds`);
const sizeCommands = checkouts.flatMap((checkout) => programs.map((program) => ({ checkout, program, argv: [cli(checkout), "check", program.path] })));
const sizeTimings = interleaved(sizeCommands.map((c) => c.argv), sizeRounds, true);
// Linearity without start-up: the time each further 1,000 lines cost beyond the smallest
// program, from the same interleaved rounds (start-up and load cancel out).
const throughput = sizeCommands.map(({ checkout, program }, i) => {
  const wall = medianMs(sizeTimings[i]!);
  const smallest = sizeCommands.findIndex((c) => c.checkout === checkout);
  const extraLines = program.lines - sizeCommands[smallest]!.program.lines;
  return {
    checkout: checkout.label, lines: program.lines, medianMs: wall, linesPerSecond: program.lines / (wall / 1000),
    msPer1kLinesBeyondSmallest: extraLines > 0 ? (wall - medianMs(sizeTimings[smallest]!)) / (extraLines / 1000) : NaN,
    peakRssMb: peakRss(sizeTimings[i]!),
  };
});

// 3. The second (warm) build of the seed.
console.log(`build: kernelscript build of the seed into a built directory, ${buildRounds} interleaved rounds`);
const buildCommands = checkouts.map((checkout, i) => [cli(checkout), "build", seed, "-o", join(work, `seed-build-${i}`)]);
const buildTimings = interleaved(buildCommands, buildRounds);
const builds = checkouts.map((checkout, i) => ({ checkout: checkout.label, medianMs: medianMs(buildTimings[i]!), ms: buildTimings[i]!.map((t) => t.ms) }));

console.log();
console.log(renderTable(
  ["command", "median wall ms", "vs node -e ''"],
  startup.map((s) => [s.command, ms(s.medianMs), formatRatio(s.vsNode)]),
  ["left", "right", "right"],
));
console.log();
console.log(renderTable(
  ["check of", "compiler", "median wall ms", "lines/s", "ms per further 1k lines", "peak RSS MB"],
  throughput.map((t) => [
    `${t.lines} lines`, t.checkout, ms(t.medianMs), ms(t.linesPerSecond),
    Number.isFinite(t.msPer1kLinesBeyondSmallest) ? t.msPer1kLinesBeyondSmallest.toFixed(1) : "–", ms(t.peakRssMb),
  ]),
  ["right", "left", "right", "right", "right", "right"],
));
console.log();
console.log(renderTable(
  ["kernelscript build of the seed (warm)", "median wall ms", baseline ? `vs ${baseline.label}` : ""],
  builds.map((b) => [b.checkout, ms(b.medianMs), baseline ? formatRatio(ratio(builds[1]!.medianMs, b.medianMs)) : ""]),
  ["left", "right", "right"],
));

const json = { node: process.version, rounds, sizeRounds, buildRounds, checkouts, startup, throughput, builds };
mkdirSync(dirname(options.json!), { recursive: true });
writeFileSync(options.json!, `${JSON.stringify(json, null, 2)}\n`);
console.log(`wrote ${options.json}`);
