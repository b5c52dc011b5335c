// Output is never lost on Ctrl-C: a user main prints before its `while (sleep(…))` loop,
// in it and a final report after it; SIGINT ends the loop, the rest of main runs, and
// every line arrives, with stdout a file, a pipe and a pseudo-terminal (util-linux
// `script`), with main's exit code and the tracepoint link gone. And a main that never
// asks whether to stop still ends on a second SIGINT (128 + 2), detached; and dispatch
// with a timeout returns after it.

import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileAndBuild, eventually, kernelTests, repoRoot } from "./helpers.js";

const kernelTest = kernelTests("shutdown-output.test", kernelSkipReason());
const fixture = (name: string): string => join(repoRoot, "tests", "kernel", "fixtures", name);

function bpftool(args: readonly string[]): string {
  const result = spawnSync("bpftool", args, { encoding: "utf8" });
  return `${result.stdout}${result.stderr}`;
}

/** Links of loaded programs named `name` (bpftool shows 15 characters of a name). */
function linksOf(name: string): string[] {
  const ids = [...bpftool(["prog", "show"]).matchAll(/^(\d+): \S+\s+name (\S+)/gm)].filter((m) => name.startsWith(m[2]!)).map((m) => m[1]!);
  return bpftool(["link", "show"]).split("\n").filter((line) => ids.some((id) => new RegExp(`\\bprog ${id}\\b`).test(line)));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
}

/** Every line the fixture printed, in order, checked whole: ticks 1..N without a gap. */
function assertComplete(output: string): void {
  const lines = output.replace(/\r\n/g, "\n").split("\n");
  assert.equal(lines[0], "before the loop", output);
  const ticks = lines.slice(1).filter((l) => l.startsWith("tick "));
  assert.ok(ticks.length >= 2, output);
  assert.deepEqual(ticks, ticks.map((_, i) => `tick ${i + 1}`), "every tick, in order");
  const report = lines[1 + ticks.length];
  assert.equal(report, `final report: ${ticks.length} ticks, running() = 0`, output);
  assert.equal(lines.slice(2 + ticks.length).join("\n"), "last words without a newline", "the unfinished last line too");
}

const interval = (ms: number): Promise<void> => sleep(ms);

/** Runs the loader with stdout `into`, SIGINTs it once `ready()` holds, returns the exit. */
async function runAndInterrupt(child: ChildProcess, target: () => number | undefined, ready: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const done = exited(child);
  assert.ok(await eventually(() => ready(), 10_000), "the loader printed its ticks");
  assert.ok(linksOf("shutdown_count_kills").length === 1, "attached while it runs");
  const pid = target();
  assert.ok(pid !== undefined, "found the loader's pid");
  process.kill(pid, "SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const result = await done;
  clearTimeout(timer);
  return result;
}

kernelTest("SIGINT with stdout a file: every line, the final report and exit code 3", async () => {
  const build = compileAndBuild(fixture("shutdown_output.ks"));
  const dir = mkdtempSync(join(tmpdir(), "ks-shutdown-"));
  try {
    const file = join(dir, "out.txt");
    const fd = openSync(file, "w");
    const child = spawn(build.binary, [], { stdio: ["ignore", fd, "pipe"] });
    closeSync(fd);
    const exit = await runAndInterrupt(child, () => child.pid, () => readFileSync(file, "utf8").includes("tick 3\n"));
    assert.deepEqual(exit, { code: 3, signal: null });
    assertComplete(readFileSync(file, "utf8"));
    assert.ok(await eventually(() => linksOf("shutdown_count_kills").length === 0), "detached");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    build.cleanup();
  }
});

kernelTest("SIGINT with stdout a pipe: every line, the final report and exit code 3", async () => {
  const build = compileAndBuild(fixture("shutdown_output.ks"));
  try {
    const child = spawn(build.binary, [], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    const exit = await runAndInterrupt(child, () => child.pid, () => out.includes("tick 3\n"));
    assert.deepEqual(exit, { code: 3, signal: null });
    assertComplete(out);
    assert.ok(await eventually(() => linksOf("shutdown_count_kills").length === 0), "detached");
  } finally {
    build.cleanup();
  }
});

kernelTest("SIGINT with stdout a terminal (a pty from script): every line, the final report and exit code 3", async () => {
  if (spawnSync("script", ["--version"]).status !== 0) assert.fail("util-linux script is needed for a pseudo-terminal");
  const build = compileAndBuild(fixture("shutdown_output.ks"));
  try {
    // script -e passes the command's exit status on; -f flushes what it copies at once.
    const child = spawn("script", ["-qfec", `${build.binary}; exit $?`, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    // The loader is a child of the shell script runs: signal the loader itself, as a Ctrl-C would.
    const loaderPid = (): number | undefined => {
      const found = spawnSync("pgrep", ["-f", "-n", `^${build.binary}$`], { encoding: "utf8" }).stdout.trim();
      return found === "" ? undefined : Number(found);
    };
    const exit = await runAndInterrupt(child, loaderPid, () => out.includes("tick 3\r\n"));
    assert.deepEqual(exit, { code: 3, signal: null });
    assertComplete(out);
    assert.ok(await eventually(() => linksOf("shutdown_count_kills").length === 0), "detached");
  } finally {
    build.cleanup();
  }
});

kernelTest("a main that never asks to stop: the first SIGINT only asks, the second ends it (130), detached, its output kept", async () => {
  const build = compileAndBuild(fixture("shutdown_busy.ks"));
  try {
    const child = spawn(build.binary, [], { stdio: ["ignore", "pipe", "pipe"] });
    const done = exited(child);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
    try {
      assert.ok(await eventually(() => out.includes("spinning\n"), 10_000), "main started its loop");
      assert.equal(linksOf("busy_count_kills").length, 1);
      child.kill("SIGINT");
      await interval(300);
      assert.equal(child.exitCode, null, "still running after the first SIGINT: main never asked");
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      const exit = await done;
      clearTimeout(timer);
      assert.deepEqual(exit, { code: 130, signal: null });
      assert.equal(out, "spinning\n");
      assert.ok(await eventually(() => linksOf("busy_count_kills").length === 0), "detached");
    } finally {
      child.kill("SIGKILL");
    }
  } finally {
    build.cleanup();
  }
});

kernelTest("dispatch(rb, 300ms) returns 0 after 300 ms without records; dispatch(rb, 0) at once", () => {
  const build = compileAndBuild(fixture("dispatch_timeout.ks"));
  try {
    const result = spawnSync(build.binary, [], { encoding: "utf8", timeout: 10_000 });
    assert.equal(result.status, 0, result.stderr);
    const m = /^waited (-?\d+) after (\d+) ms; polled (-?\d+) after (\d+) ms$/m.exec(result.stdout);
    assert.ok(m, result.stdout);
    assert.equal(m[1], "0");
    assert.ok(Number(m[2]) >= 300 && Number(m[2]) < 1000, `took ${m[2]} ms`);
    assert.equal(m[3], "0");
    assert.ok(Number(m[4]) < 100, `dispatch(rb, 0) took ${m[4]} ms`);
  } finally {
    build.cleanup();
  }
});
