// Uprobes, uretprobes and USDT probes in the kernel: the test builds a C binary with
// `cc -O0` (tests/kernel/fixtures/probe_target.c: noinline functions and a
// DTRACE_PROBE2 of sys/sdt.h), compiles a program probing it (its path written into the
// attributes), starts the default loader, runs the binary and asserts the arguments,
// return values, hit counts and USDT arguments the maps hold; the loader must detach
// on SIGINT. A probe on a symbol the binary lacks stops the loader with the cause.
// A `stack_trace` map: a uprobe records the user stack's id, user space prints its
// frames symbolised (leaf ← branch ← main of the binary) while the process runs.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { parseSnapshots, startLoader } from "../../src/runner/loader.js";
import { compileAndBuild, kernelTests, outsideKernelLock, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("user-probes.test", kernelSkipReason());

/** Builds the probed binary into `dir` (cc -O0, with the sdt.h notes). */
function buildTarget(dir: string): string {
  const binary = join(dir, "probe_target");
  const cc = spawnSync("cc", ["-O0", "-g", "-o", binary, join(repoRoot, "tests", "kernel", "fixtures", "probe_target.c")], { encoding: "utf8" });
  assert.equal(cc.status, 0, cc.stderr);
  return binary;
}

/** The offset of `symbol`'s second instruction (an instruction boundary inside it), from llvm-objdump. */
function secondInstructionOffset(binary: string, symbol: string): number {
  const dump = spawnSync("llvm-objdump", ["-d", `--disassemble-symbols=${symbol}`, binary], { encoding: "utf8" });
  assert.equal(dump.status, 0, dump.stderr);
  const start = new RegExp(`^([0-9a-f]+) <${symbol}>:`, "m").exec(dump.stdout);
  const addresses = [...dump.stdout.matchAll(/^\s+([0-9a-f]+):/gm)].map((m) => parseInt(m[1]!, 16));
  assert.ok(start && addresses.length >= 2, dump.stdout);
  return addresses[1]! - parseInt(start[1]!, 16);
}

function stackSource(binary: string): string {
  return `
var stacks: stack_trace(64)
var user_ids: hash<u32, i64>(16)

@uprobe("${binary}:leaf")
fn in_leaf() -> i32 {
    user_ids[pid()] = stacks.user_stack()
    return 0
}

fn main() -> i32 {
    var p = load(in_leaf)
    if (attach(p, "${binary}:leaf", 0) != 0) {
        return 1
    }
    print("attached")
    var printed: u32 = 0
    var waited: u32 = 0
    while (printed == 0 && waited < 100) {
        sleep(100ms)
        waited += 1
        for (who, id) in user_ids {
            print("user stack %lld of %u:", id, who)
            stacks.print_user_stack(id, who)
            printed += 1
        }
    }
    return 0
}
`;
}

function runTarget(binary: string, calls: number, seed: number): number {
  const run = spawnSync(binary, [String(calls), String(seed)], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  return Number(run.stdout.trim());
}

function probesSource(binary: string, offset: number): string {
  return `
var entries: hash<i64, i64>(64)
var sums: hash<i64, u64>(64)
var scaled: hash<i32, u64>(64)
var inside_scale: array<u32, u64>(1)
var steps: hash<i64, i64>(64)

// Entry: the arguments as declared (registers).
@uprobe("${binary}:add_numbers")
fn on_add(a: i64, b: i64) -> i32 {
    entries[a] = b
    return 0
}

// Return: the value returned, 64-bit and 32-bit.
@uretprobe("${binary}:add_numbers")
fn on_add_return(sum: i64) -> i32 {
    sums[sum] += 1
    return 0
}

@uretprobe("${binary}:scale")
fn on_scale_return(result: i32) -> i32 {
    scaled[result] += 1
    return 0
}

// Inside the function, at an instruction boundary past its entry.
@uprobe("${binary}:scale+${offset}")
fn in_scale() -> i32 {
    inside_scale[0] += 1
    return 0
}

// The USDT probe ksprobe:step(i, total): its arguments located through the notes.
@usdt("${binary}:ksprobe:step")
fn on_step(i: i64, total: i64) -> i32 {
    steps[i] = total
    return 0
}
`;
}

kernelTest("uprobe, uretprobe, an offset uprobe and a USDT probe see exactly what the binary passed and returned", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-user-probes-"));
  try {
    const { binary, build } = outsideKernelLock(() => {
      const binary = buildTarget(dir);
      const offset = secondInstructionOffset(binary, "scale");
      assert.ok(offset > 0);
      const ks = join(dir, "user_probes.ks");
      writeFileSync(ks, probesSource(binary, offset));
      return { binary, build: compileAndBuild(ks) };
    });
    try {
      // Before the loader: nothing is counted from this run.
      runTarget(binary, 2, 5);
      const loader = startLoader([build.binary, "--interval", "0.1"]);
      try {
        await loader.waitFor(`attached on_add (uprobe) to ${binary}:add_numbers`);
        await loader.waitFor(`attached on_add_return (uretprobe) to ${binary}:add_numbers`);
        await loader.waitFor(`attached in_scale (uprobe) to ${binary}:scale+`);
        await loader.waitFor(`attached on_step (usdt) to ${binary}:ksprobe:step`);
        const calls = 6;
        const seed = 1000;
        const total = runTarget(binary, calls, seed);
        await loader.waitFor(new RegExp(`^steps\\[${calls - 1}\\] = ${total}$`, "m"));
        const exit = await loader.stop("SIGINT");
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        assert.match(loader.stderr(), /detached everything/);
        const maps = parseSnapshots(loader.stdout()).at(-1)!.maps;
        const entries = maps.get("entries")!.entries;
        const sums = maps.get("sums")!.entries;
        const scaled = maps.get("scaled")!.entries;
        const steps = maps.get("steps")!.entries;
        let running = 0;
        for (let i = 0; i < calls; i++) {
          assert.equal(entries.get(String(i)), String(seed), `add_numbers(${i}, ${seed})`);
          assert.equal(sums.get(String(i + seed)), "1", `add_numbers returned ${i + seed}`);
          assert.equal(scaled.get(String(i * 3 - 1)), "1", `scale(${i}) returned ${i * 3 - 1}`);
          running += i + seed + i * 3 - 1;
          assert.equal(steps.get(String(i)), String(running), `ksprobe:step(${i}, …)`);
        }
        assert.equal(entries.size, calls);
        assert.equal(sums.size, calls);
        assert.equal(scaled.size, calls);
        assert.equal(steps.size, calls);
        assert.equal(running, total);
        assert.equal(maps.get("inside_scale")!.entries.get("0"), String(calls));
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("a uprobe on a symbol the binary lacks: the loader names it and exits 1", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-user-probes-"));
  try {
    const build = outsideKernelLock(() => {
      const binary = buildTarget(dir);
      const ks = join(dir, "missing_symbol.ks");
      writeFileSync(ks, `var hits: array<u32, u64>(1)\n\n@uprobe("${binary}:no_such_function")\nfn on_missing() -> i32 {\n    hits[0] += 1\n    return 0\n}\n`);
      return compileAndBuild(ks);
    });
    try {
      const loader = startLoader([build.binary, "--interval", "0.1"]);
      try {
        const exit = await loader.exited;
        assert.deepEqual(exit, { code: 1, signal: null }, loader.stderr());
        assert.match(loader.stderr(), /^error: cannot attach probe 'on_missing' to .*:no_such_function: no such binary, or no function 'no_such_function' in its symbols$/m);
        assert.doesNotMatch(loader.stderr(), /cannot load/);
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("stack_trace: a uprobe's user stack id is printed by user space as the binary's functions, innermost first", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-user-probes-"));
  try {
    const { binary, build } = outsideKernelLock(() => {
      const binary = buildTarget(dir);
      const ks = join(dir, "user_stacks.ks");
      writeFileSync(ks, stackSource(binary));
      return { binary, build: compileAndBuild(ks) };
    });
    try {
      const loader = startLoader([build.binary]);
      try {
        await loader.waitFor("attached");
        // leaf() is called once, then the process sleeps 3 s: its mappings stay readable.
        const target = spawn(binary, ["1", "0", "3000"], { stdio: "ignore" });
        const exit = await loader.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, loader.stderr());
        const lines = loader.stdout().split("\n");
        const header = lines.findIndex((line) => new RegExp(`^user stack \\d+ of ${target.pid}:$`).test(line));
        assert.ok(header >= 0, loader.stdout());
        const frames = lines.slice(header + 1, header + 4).map((line) => line.trim());
        assert.match(frames[0]!, /^leaf\+0$/, loader.stdout());
        assert.match(frames[1]!, /^branch\+\d+$/, loader.stdout());
        assert.match(frames[2]!, /^main\+\d+$/, loader.stdout());
        target.kill("SIGKILL");
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("task_storage: each process counts its own calls in its task's value, read back through a pid-keyed map", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-user-probes-"));
  try {
    const { binary, build } = outsideKernelLock(() => {
      const binary = buildTarget(dir);
      const ks = join(dir, "task_counts.ks");
      writeFileSync(ks, `
var counts: task_storage<u64>
var seen: hash<u32, u64>(64)

// The task's own count: a global counter would give every process the sum.
@uprobe("${binary}:add_numbers")
fn on_add(a: i64, b: i64) -> i32 {
    var n = counts.get() + 1
    counts.set(n)
    seen[pid()] = n
    return 0
}
`);
      return { binary, build: compileAndBuild(ks) };
    });
    try {
      const loader = startLoader([build.binary, "--interval", "0.1"]);
      try {
        await loader.waitFor(`attached on_add (uprobe) to ${binary}:add_numbers`);
        // Two processes at once, 4 and 7 calls.
        const run = (calls: number): Promise<number> => new Promise((resolve, reject) => {
          const child = spawn(binary, [String(calls), "1"], { stdio: "ignore" });
          child.on("error", reject);
          child.on("exit", (code) => (code === 0 ? resolve(child.pid!) : reject(new Error(`exit ${code}`))));
        });
        const [four, seven] = await Promise.all([run(4), run(7)]);
        await loader.waitFor(new RegExp(`^seen\\[${seven}\\] = 7$`, "m"));
        await loader.waitFor(new RegExp(`^seen\\[${four}\\] = 4$`, "m"));
        assert.deepEqual(await loader.stop("SIGINT"), { code: 0, signal: null }, loader.stderr());
        const seen = parseSnapshots(loader.stdout()).at(-1)!.maps.get("seen")!.entries;
        assert.equal(seen.get(String(four)), "4");
        assert.equal(seen.get(String(seven)), "7");
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

kernelTest("user_ringbuf: records user space pushes are drained by a uprobe, each through the handler, and counted exactly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ks-user-probes-"));
  try {
    const { binary, build } = outsideKernelLock(() => {
      const binary = buildTarget(dir);
      const ks = join(dir, "user_ringbuf.ks");
      writeFileSync(ks, `
struct Command {
    value: u64,
    tag: u32,
}

var inbox: user_ringbuf<Command>(4096)
var totals: array<u32, u64>(3)

@helper
fn handle(cmd: *Command) -> i64 {
    totals[0] += cmd.value
    totals[1] += 1
    totals[2] += cmd.tag as u64
    return 0
}

@uprobe("${binary}:add_numbers")
fn on_add(a: i64, b: i64) -> i32 {
    inbox.drain(handle)
    return 0
}

fn main() -> i32 {
    var p = load(on_add)
    if (attach(p, "${binary}:add_numbers", 0) != 0) {
        return 1
    }
    for (i in 1..6) {
        if (!inbox.push(Command { value: i * 100, tag: i })) {
            return 2
        }
    }
    print("pushed")
    var waited: u32 = 0
    while (totals[1] < 5 && waited < 100) {
        sleep(100ms)
        waited += 1
    }
    print("drained %llu records, values %llu, tags %llu", totals[1], totals[0], totals[2])
    return 0
}
`);
      return { binary, build: compileAndBuild(ks) };
    });
    try {
      const loader = startLoader([build.binary]);
      try {
        await loader.waitFor("pushed");
        // Before the binary runs nothing drains: the program runs only on its calls.
        runTarget(binary, 1, 0);
        assert.deepEqual(await loader.exited, { code: 0, signal: null }, loader.stderr());
        assert.match(loader.stdout(), /^drained 5 records, values 1500, tags 15$/m);
      } finally {
        await loader.stop("SIGKILL");
      }
    } finally {
      build.cleanup();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
