//! `kernelscript run FILE.ks [-o DIR] [-- ARGS]`: compile, build (incrementally: make
//! redoes only what changed since the last run), then run the loader with ARGS and exit
//! with its exit code (a loader killed by signal N: 128 + N, as a shell says it).
//!
//! Where the build goes: `-o DIR` when given (as `build -o DIR`); otherwise a directory
//! of the cache (`<cache>/run/NAME-<hash of the file's absolute path>`), so running a
//! file leaves nothing in the working directory and the next run of the same file
//! rebuilds nothing; with caching off (`KS_CACHE_DIR=`) a temporary directory, removed
//! after the run. The loader runs in the user's working directory, so relative paths in
//! ARGS mean what they say.
//!
//! The loader loads eBPF programs, which needs root: without it `run` stops with exit 3
//! and the `sudo` command line, after compiling (program errors come first) and before
//! building. make's output goes to stderr; stdout is the loader's alone.
//!
//! Signals: the loader runs in a process group of its own and SIGINT/SIGTERM/SIGHUP
//! that reach `kernelscript` are passed to it once (a Ctrl-C in the terminal reaches
//! only our group; the loader takes a second signal as "end now", so it must not get
//! the terminal's copy and ours). The loader then detaches and exits; its code is ours.
//! Our handlers are in place before the loader is started: a signal that came in
//! between would otherwise end `kernelscript` with the default action and leave the
//! loader running, attached, with nobody to stop it. A signal that arrives after the
//! build and before the loader starts means the loader is not started at all. When
//! `kernelscript` ends without passing a signal on (killed by SIGKILL), the loader gets
//! SIGTERM from the kernel (PR_SET_PDEATHSIG, asked for by KS_RUN_PARENT) and stops.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, constants as osConstants } from "node:os";
import { join, resolve } from "node:path";
import { baseNameOf } from "../../compiler/host.js";
import { stringFlag, type CliIo, type CommandContext } from "../context.js";
import { EnvironmentError, ExitCode, Interrupted, type InterruptSignal } from "../failures.js";
import { checkOutputTarget, resolveOutputTarget, type OutputTarget } from "../output-directory.js";
import { requireBuildToolchain } from "../toolchain.js";
import { cacheDirectory } from "../../runner/cache-dir.js";
import { buildAtomically } from "./build.js";
import { compileInMemory, denyWarningsFlag, reportDiagnostics } from "./compile.js";

export async function runRun(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const explicit = stringFlag(parsed, "output");
  const chosen = explicit === undefined ? undefined : resolveOutputTarget(explicit, io.cwd);
  if (chosen) checkOutputTarget(chosen, io.cwd, file, "run");
  const result = await compileInMemory(io, file, true, false, "warning", denyWarningsFlag(context));
  if (reportDiagnostics(io, result, file)) return ExitCode.programErrors;
  requireRoot(io, file, parsed.passThrough);
  requireBuildToolchain(io.env, io.isRoot);

  const name = baseNameOf(file);
  const { target, temporary } = chosen ? { target: chosen, temporary: false } : defaultTarget(io, file, name);
  const forwarding = forwardInterrupts(io);
  try {
    await buildAtomically(io, target, result.files, name, { env: io.env, writeStdout: io.writeStderr, writeStderr: io.writeStderr });
    if (forwarding.early !== undefined) throw new Interrupted(forwarding.early, "run interrupted before the loader started");
    return await runLoader(io, join(target.absolute, name), parsed.passThrough, forwarding);
  } finally {
    forwarding.stop();
    if (temporary) rmSync(target.absolute, { recursive: true, force: true });
  }
}

/** Exit 3 with the `sudo` command line when not root. */
function requireRoot(io: CliIo, file: string, args: readonly string[]): void {
  if (io.isRoot) return;
  const rest = args.length > 0 ? ` -- ${args.map(shellWord).join(" ")}` : "";
  throw new EnvironmentError(
    [`\`kernelscript run\` starts the loader of ${file}, which loads its eBPF programs into the kernel: that needs root`],
    `sudo kernelscript run ${shellWord(file)}${rest}`,
  );
}

/** A word as a shell reads it back (quoted when it has anything but safe characters). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The cache's directory for this source file, or a temporary one when there is no cache. */
function defaultTarget(io: CliIo, file: string, name: string): { target: OutputTarget; temporary: boolean } {
  const cache = cacheDirectory(io.env);
  if (cache !== undefined) {
    const key = createHash("sha256").update(resolve(io.cwd, file)).digest("hex").slice(0, 16);
    const dir = join(cache, "run", `${name}-${key}`);
    return { target: { shown: dir, absolute: dir }, temporary: false };
  }
  const dir = mkdtempSync(join(tmpdir(), `kernelscript-run-${name}-`));
  return { target: { shown: dir, absolute: dir }, temporary: true };
}

/** Where the signals that reach us go: nowhere yet (the first is remembered), then to the loader's group. */
interface InterruptForwarding {
  /** The first signal that came before there was a loader to pass it to. */
  readonly early: InterruptSignal | undefined;
  /** From now on signals go to the process group `pid` leads. */
  forwardTo(pid: number): void;
  stop(): void;
}

function forwardInterrupts(io: CliIo): InterruptForwarding {
  let early: InterruptSignal | undefined;
  let group: number | undefined;
  const unsubscribe = io.onInterrupt?.((signal) => {
    if (group === undefined) {
      early ??= signal;
      return;
    }
    try {
      process.kill(-group, signal);
    } catch {
      // Already gone.
    }
  });
  return {
    get early() {
      return early;
    },
    forwardTo(pid) {
      group = pid;
    },
    stop() {
      unsubscribe?.();
    },
  };
}

/**
 * Runs the loader with the terminal's streams and `args`; resolves to its exit code, or
 * 128 + N when signal N ended it. Signals that reach us meanwhile are passed on: libuv
 * catches them in its handler and they reach `forwarding` on a later turn of the event
 * loop, after `spawn` has returned, so none is lost between the two.
 */
function runLoader(io: CliIo, loader: string, args: readonly string[], forwarding: InterruptForwarding): Promise<ExitCode> {
  return new Promise((resolvePromise, reject) => {
    // KS_RUN_PARENT: the loader stops by itself when we end, however (runtime-c/fleet.c).
    const env = { ...io.env, KS_RUN_PARENT: String(process.pid) };
    const child = spawn(loader, [...args], { cwd: io.cwd, env, stdio: "inherit", detached: true });
    if (child.pid !== undefined) forwarding.forwardTo(child.pid);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      // The loader's own exit code is ours, whatever it is (its meaning is the program's).
      resolvePromise((code ?? 128 + (signal ? osConstants.signals[signal] : 0)) as ExitCode);
    });
  });
}
