// Runs the real `bin/kernelscript` as a child process, the way users and CI do.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./golden.js";
import { main } from "../../src/cli/main.js";

export const cliPath = join(repoRoot, "bin", "kernelscript");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly cwd?: string;
  /** Added to (or, with `undefined` values, removed from) the inherited environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The environment a command runs with: this process's, without colour or debug output, plus `options.env`. */
function commandEnvironment(options: CliRunOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, NO_COLOR: "1", KS_DEBUG: undefined, ...options.env })) {
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Runs `kernelscript ...args`; never rejects on a non-zero exit code. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const env = commandEnvironment(options);
  return new Promise((resolve, reject) => {
    // Through node explicitly, so a PATH emptied by a test still finds the runtime.
    execFile(
      process.execPath,
      [cliPath, ...args],
      { cwd: options.cwd ?? repoRoot, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the CLI's `main` in this process with the environment and working directory a
 * child would get and its output captured: the same command code without the ~0.3 s
 * of a process start, for tests that run hundreds of commands (error cases). What only
 * a real process has (exit on a closed stdout, signals, argv from the shell) is tested
 * with `runCli`. Commands that run other programs (build) belong with `runCli`.
 */
export async function runCliInProcess(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const env = commandEnvironment(options);
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    writeStdout: (text) => { stdout += text; },
    writeStderr: (text) => { stderr += text; },
    env,
    cwd: options.cwd ?? repoRoot,
    color: false,
    isRoot: process.getuid?.() === 0,
  });
  return { code, stdout, stderr };
}

/** True when the text looks like a JavaScript stack trace leaked to the user. */
export function hasStackTrace(text: string): boolean {
  return /^\s{4}at /m.test(text) || text.includes("node:internal");
}
