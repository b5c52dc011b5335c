// `kernelscript run` through the real bin/kernelscript: a program whose `main` loads an
// eBPF program, prints its arguments and exits with a code it was given; the build is
// incremental (the second run makes nothing); SIGINT reaches the loader once (its
// "stopping" line and exit code come back), also when the signal comes right after the
// build; a loader whose `kernelscript` is killed stops by itself; a loader killed by a
// signal gives 128 + N; without root, exit 3 with the `sudo` line and nothing built.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliPath, runCli } from "../harness/cli.js";
import { main } from "../../src/cli/main.js";
import type { InterruptSignal } from "../../src/cli/failures.js";

const program = `var seen: u64 = 0

struct Args {
    code: i32,
    wait: bool,
    word: str(32),
}

@xdp fn runme_pass(ctx: XdpContext) -> XdpAction {
    seen += 1
    return XDP_PASS
}

fn main(args: Args) -> i32 {
    var _prog = load(runme_pass)
    print("loaded; word=%s; exit code %d", args.word, args.code)
    if (args.wait) {
        print("waiting for a signal")
        while (running()) {
            sleep(20ms)
        }
        print("stopping after a signal")
        return 7
    }
    return args.code
}
`;

const notRoot = process.getuid?.() !== 0 ? "needs root (the loader loads eBPF programs)" : undefined;

let work: string;
let cache: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), "ks-run-test-"));
  cache = join(work, "cache");
  chmodSync(work, 0o755);
  writeFileSync(join(work, "runme.ks"), program, { mode: 0o644 });
});

after(() => rmSync(work, { recursive: true, force: true }));

/** `promise`, or a rejection naming `what` after 30 s: a process that never ends fails the test instead of holding the suite. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after 30 s waiting for ${what}`)), 30_000);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Kills any loader of this test still running (after a failure: it would keep the test's pipes open). */
function stopLeftoverLoaders(): void {
  spawnSync("pkill", ["-KILL", "-f", `^${join(cache, "run")}/`]);
}

/** The build directory `run` chose in the cache (there is one per source file). */
function runDirectory(): string {
  const entries = readdirSync(join(cache, "run"));
  assert.equal(entries.length, 1, `one build directory in the cache: ${entries.join(", ")}`);
  assert.match(entries[0]!, /^runme-[0-9a-f]{16}$/);
  return join(cache, "run", entries[0]!);
}

describe("kernelscript run", { skip: notRoot }, () => {
  it("builds, passes the arguments, returns the loader's exit code; the second run rebuilds nothing", async () => {
    const first = await runCli(["run", "runme.ks", "--", "--code", "5", "--word", "hello world"], { cwd: work, env: { KS_CACHE_DIR: cache } });
    assert.equal(first.code, 5, first.stderr);
    assert.equal(first.stdout, "loaded; word=hello world; exit code 5\n", "stdout is the loader's alone");
    assert.match(first.stderr, /clang .*-c runme\.bpf\.c/, "the first run compiles (make's output is on stderr)");
    assert.deepEqual(readdirSync(work).sort(), ["cache", "runme.ks"], "nothing is written into the working directory");
    const loader = join(runDirectory(), "runme");
    const built = statSync(loader).mtimeMs;

    const second = await runCli(["run", "runme.ks", "--", "--code", "0", "--word", "again"], { cwd: work, env: { KS_CACHE_DIR: cache } });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, "loaded; word=again; exit code 0\n");
    assert.doesNotMatch(second.stderr, /clang|\bcc\b|bpftool/, "nothing is compiled again");
    assert.match(second.stderr, /Nothing to be done/);
    // Carried over from the previous build with its date (to the microsecond: utimes), not made again.
    assert.ok(Math.abs(statSync(loader).mtimeMs - built) < 0.01, `the loader keeps its build time (${statSync(loader).mtimeMs} vs ${built})`);
  });

  it("passes SIGINT to the loader once: it stops its loop and its exit code is returned", async () => {
    const child = spawn(process.execPath, [cliPath, "run", "runme.ks", "--", "--wait", "--word", "w"], {
      cwd: work,
      env: { ...process.env, KS_CACHE_DIR: cache, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const waiting = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("waiting for a signal")) resolve();
      });
    });
    // `exit`, not `close`: a loader left behind by a dead `kernelscript` keeps the pipes open.
    const exited = new Promise<string>((resolve) => child.on("exit", (code, signal) => resolve(signal ?? String(code))));
    try {
      await within(Promise.race([waiting, exited]), "the loader's first lines");
      assert.ok(stdout.includes("waiting for a signal"), `the loader started: ${stdout}${stderr}`);
      child.kill("SIGINT");
      assert.equal(await within(exited, "kernelscript's exit"), "7", `kernelscript ends with the loader's code (not killed by the signal): ${stderr}`);
      await within(new Promise<void>((resolve) => (child.stdout.closed ? resolve() : child.stdout.on("close", resolve))), "the loader's end");
      assert.equal(stdout, "loaded; word=w; exit code 0\nwaiting for a signal\nstopping after a signal\n");
    } finally {
      stopLeftoverLoaders();
      child.stdout.destroy();
      child.stderr.destroy();
    }
  });

  it("a signal between the build and the loader's start: the loader is not started, exit 130", async () => {
    // The command in this process with a simulated signal source: the signal comes the
    // moment the build gives its handler back. Someone must still be listening then (a
    // real process without a handler dies of the signal and could leave a loader behind).
    const listeners = new Set<(signal: InterruptSignal) => void>();
    let sent = false;
    let unheard = false;
    let stdout = "";
    let stderr = "";
    const code = await main(["run", "runme.ks", "--", "--code", "5"], {
      writeStdout: (text) => void (stdout += text),
      writeStderr: (text) => void (stderr += text),
      env: { ...process.env, KS_CACHE_DIR: cache, NO_COLOR: "1" },
      cwd: work,
      color: false,
      isRoot: true,
      onInterrupt: (listener) => {
        listeners.add(listener);
        return () => {
          listeners.delete(listener);
          if (sent) return;
          sent = true;
          if (listeners.size === 0) unheard = true;
          for (const other of [...listeners]) other("SIGINT");
        };
      },
    });
    assert.equal(unheard, false, "a listener was there when the signal came");
    assert.equal(code, 130, stderr);
    assert.match(stderr, /run interrupted before the loader started/);
    assert.equal(stdout, "", "the loader did not run");
  });

  it("a loader whose kernelscript is killed (SIGKILL) stops by itself, as on SIGTERM", async () => {
    const child = spawn(process.execPath, [cliPath, "run", "runme.ks", "--", "--wait"], {
      cwd: work,
      env: { ...process.env, KS_CACHE_DIR: cache, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    const waiting = new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("waiting for a signal")) resolve();
      });
    });
    // The loader inherited our pipe: it closes when the loader has ended.
    const loaderEnded = new Promise<void>((resolve) => child.stdout.on("close", resolve));
    try {
      await within(waiting, "the loader's first lines");
      child.kill("SIGKILL");
      await within(loaderEnded, "the loader to stop after kernelscript was killed");
      assert.equal(stdout, "loaded; word=; exit code 0\nwaiting for a signal\nstopping after a signal\n", "the loader left its loop as on a stop signal");
    } finally {
      stopLeftoverLoaders();
      child.stdout.destroy();
      child.stderr.destroy();
    }
  });

  it("returns 128 + N when a signal kills the loader", async () => {
    const child = spawn(process.execPath, [cliPath, "run", "runme.ks", "--", "--wait"], {
      cwd: work,
      env: { ...process.env, KS_CACHE_DIR: cache },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await within(new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("waiting") && resolve())), "the loader's first line");
    const loader = join(runDirectory(), "runme");
    // The loader is the process running the built file (its own process group, under ours).
    const found = spawnSync("pgrep", ["-f", "-P", String(child.pid), `^${loader} `], { encoding: "utf8" });
    const pid = Number(found.stdout.trim());
    assert.ok(Number.isInteger(pid) && pid > 0, `the loader's pid: ${found.stdout}${found.stderr}`);
    process.kill(pid, "SIGKILL");
    assert.equal(await within(exited, "kernelscript's exit"), 128 + 9);
  });

  it("builds into -o DIR when given", async () => {
    const run = await runCli(["run", "runme.ks", "-o", "out", "--", "--code", "3"], { cwd: work, env: { KS_CACHE_DIR: cache } });
    assert.equal(run.code, 3, run.stderr);
    assert.ok(existsSync(join(work, "out", "runme")), "the loader is in out/");
    rmSync(join(work, "out"), { recursive: true });
  });

  it("without root: exit 3, says what needs root and the sudo command, builds nothing", async () => {
    const setpriv = spawnSync("setpriv", ["--version"]);
    if (setpriv.status !== 0) return assert.fail("setpriv (util-linux) is needed to run a command as nobody");
    const nobodyCache = join(work, "nobody-cache");
    const run = spawnSync(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, cliPath, "run", "runme.ks", "--", "--word", "a b"],
      { cwd: work, env: { ...process.env, KS_CACHE_DIR: nobodyCache, NO_COLOR: "1" }, encoding: "utf8" },
    );
    assert.equal(run.status, 3, run.stderr);
    assert.match(run.stderr, /^error: `kernelscript run` starts the loader of runme\.ks, which loads its eBPF programs into the kernel: that needs root$/m);
    assert.match(run.stderr, /^ {2}= fix: sudo kernelscript run runme\.ks -- --word 'a b'$/m);
    assert.equal(run.stdout, "");
    assert.ok(!existsSync(join(nobodyCache, "run")), "nothing was built");
  });
});
