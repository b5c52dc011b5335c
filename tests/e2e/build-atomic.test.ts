// `kernelscript build` is atomic (issue 11, item 4): the output directory is either the
// previous one, untouched, or the complete new one: after a failure of any step (clang,
// bpftool, cc, make itself), after SIGINT/SIGTERM during the build, and with a closed
// stdout (`build … | head`), which is not an error: the build finishes and only the
// writing stops. No temporary sibling is left behind on any of these paths.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, runCli } from "../harness/cli.js";
import { seedSketch } from "../harness/seed-sketch.js";
import { buildSkipReason } from "../../src/runner/capabilities.js";

const toolchainMissing = buildSkipReason();

let work: string;
let fakeBin: string;
/** What `D` held after the first, successful build: path → content hash, mode, mtime. */
let baseline: Map<string, string>;

/** Every entry under `dir` with its content hash, mode and modification time. */
function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(dir, relative)).sort()) {
      const path = join(relative, name);
      const stats = lstatSync(join(dir, path));
      if (stats.isDirectory()) {
        entries.set(path, `dir ${stats.mode} ${stats.mtimeMs}`);
        walk(path);
      } else {
        const hash = createHash("sha256").update(readFileSync(join(dir, path))).digest("hex");
        entries.set(path, `${hash} ${stats.mode} ${stats.mtimeMs}`);
      }
    }
  };
  walk("");
  return entries;
}

/** Hidden staging siblings (`.NAME.tmp-…`) left in the working directory. */
function leftovers(): string[] {
  return readdirSync(work).filter((name) => name.startsWith("."));
}

function script(name: string, text: string): string {
  const path = join(fakeBin, name);
  writeFileSync(path, `#!/bin/sh\n${text}\n`);
  chmodSync(path, 0o755);
  return path;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // A zombie still answers signal 0 until reaped; it has finished all the same.
  const state = /^\d+ \(.*\) (\S)/.exec(existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "")?.[1];
  return state === undefined || state === "Z";
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), "ks-build-atomic-"));
  fakeBin = join(work, ".fake-bin");
  mkdirSync(fakeBin);
  writeFileSync(join(work, "seed.ks"), seedSketch);
  if (toolchainMissing) return;
  const run = await runCli(["build", "seed.ks", "-o", "D", "--no-kernel-check"], { cwd: work });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  baseline = snapshot(join(work, "D"));
  assert.ok(baseline.has("seed") && baseline.has("seed.bpf.o"), "the first build is complete");
});

after(() => rmSync(work, { recursive: true, force: true }));

function assertUnchanged(context: string): void {
  assert.deepEqual(snapshot(join(work, "D")), baseline, `${context}: D is exactly the previous output`);
  assert.deepEqual(leftovers().filter((name) => name !== ".fake-bin"), [], `${context}: no temporary sibling left`);
}

describe("build: a closed stdout", () => {
  it("finishes the build, exits 0 and leaves a complete output", { timeout: 180_000 }, (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    // head reads make's first line and exits; every later write meets a closed pipe.
    const run = spawnSync("bash", ["-c", `"${process.execPath}" "${cliPath}" build seed.ks -o piped --no-kernel-check | head -1 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1" },
    });
    assert.match(run.stderr, /status=0$/m, run.stderr);
    assert.doesNotMatch(run.stderr, /internal compiler error/);
    for (const product of ["seed", "seed.bpf.o", "seed.skel.h", "seed.c", "Makefile"]) {
      assert.ok(existsSync(join(work, "piped", product)), `piped/${product} exists`);
    }
    assert.ok(!existsSync(join(work, "piped", "vmlinux.h.tmp")), "no half-written file");
    assert.deepEqual(leftovers().filter((name) => name !== ".fake-bin"), []);
    rmSync(join(work, "piped"), { recursive: true });
  });
});

describe("build: a failed step leaves the previous output untouched", () => {
  const steps: { step: string; env: () => Record<string, string> }[] = [
    { step: "bpftool btf dump (vmlinux.h)", env: () => ({ BPFTOOL: script("bpftool-no-btf", 'echo "fake bpftool: cannot dump" >&2; exit 1') }) },
    { step: "clang (the eBPF object)", env: () => ({ CLANG: script("clang-fails", 'echo "fake clang: error" >&2; exit 1') }) },
    {
      step: "bpftool gen skeleton",
      env: () => ({ BPFTOOL: script("bpftool-no-skeleton", '[ "$1" = gen ] && { echo "fake bpftool: gen failed" >&2; exit 1; }\nexec bpftool "$@"') }),
    },
    { step: "cc (the loader)", env: () => ({ CC: script("cc-fails", 'echo "fake cc: error" >&2; exit 1') }) },
    {
      step: "make itself",
      env: () => {
        const dir = join(fakeBin, "make-dir");
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, "make"), '#!/bin/sh\necho "fake make: broken" >&2\nexit 2\n');
        chmodSync(join(dir, "make"), 0o755);
        return { PATH: `${dir}:${process.env.PATH ?? ""}` };
      },
    },
  ];
  for (const { step, env } of steps) {
    it(`${step}: exit 70, D unchanged, no staging left`, { timeout: 180_000 }, async (t) => {
      if (toolchainMissing) return t.skip(toolchainMissing);
      const run = await runCli(["build", "seed.ks", "-o", "D", "--no-kernel-check"], { cwd: work, env: env() });
      assert.equal(run.code, 70, run.stderr);
      assert.match(run.stderr, /did not build: make exited with status \d+ \(its output is above\); `D` was left unchanged/);
      assertUnchanged(step);
    });
  }

  it("removes staging directories a killed build left, and only those", { timeout: 60_000 }, async (t) => {
    if (toolchainMissing) return t.skip(toolchainMissing);
    const dead = spawnSync("true").pid!;
    const abandoned = join(work, `.D.tmp-${dead}-abcdef`);
    const live = join(work, `.D.tmp-${process.pid}-ghijkl`);
    mkdirSync(abandoned);
    mkdirSync(live);
    const run = await runCli(["build", "seed.ks", "-o", "D", "--no-kernel-check"], { cwd: work, env: { CLANG: script("clang-fails", "exit 1") } });
    assert.equal(run.code, 70, run.stderr);
    assert.ok(!existsSync(abandoned), "the staging of a process that no longer exists is removed");
    assert.ok(existsSync(live), "the staging of a running process is kept");
    rmSync(live, { recursive: true });
    assertUnchanged("after the clean-up");
  });
});

describe("build: interrupted", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal} during the build stops make and its children, exits ${code}, D unchanged`, { timeout: 120_000 }, async (t) => {
      if (toolchainMissing) return t.skip(toolchainMissing);
      const pidFile = join(work, `.fake-bin/slow-clang-${signal}.pid`);
      const slowClang = script(`slow-clang-${signal}`, `echo $$ > '${pidFile}'\nexec sleep 120`);
      const child = spawn(process.execPath, [cliPath, "build", "seed.ks", "-o", "D", "--no-kernel-check"], {
        cwd: work,
        env: { ...process.env, NO_COLOR: "1", CLANG: slowClang },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on("close", (status) => resolve(status)));
      const deadline = Date.now() + 60_000;
      while (!existsSync(pidFile) || readFileSync(pidFile, "utf8").trim() === "") {
        assert.ok(Date.now() < deadline, `clang never started: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const clangPid = Number(readFileSync(pidFile, "utf8"));
      child.kill(signal);
      assert.equal(await exited, code, stderr);
      assert.match(stderr, /kernelscript: build interrupted \(make stopped\); `D` was left unchanged/);
      for (let i = 0; i < 100 && !processGone(clangPid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(processGone(clangPid), "the compiler make started is stopped too");
      assertUnchanged(signal);
    });
  }
});
