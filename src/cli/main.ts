//! The command-line entry point: argv → command → exit code.
//!
//! Every way out goes through `main`, which maps outcomes to the exit codes of
//! DESIGN.md section 5: 0 ok, 1 program errors, 2 usage, 3 environment, 70 internal
//! error. No exception escapes as a bare stack trace; the stack is shown only with
//! KS_DEBUG=1.

import { readFileSync } from "node:fs";
import { type CliIo, type CommandContext } from "./context.js";
import { EnvironmentError, ExitCode, InternalError, Interrupted, UsageError, type InterruptSignal } from "./failures.js";
import { commandHelp, findCommand, generalHelp, parseArgv, usageLine, type ParsedCommand } from "./options.js";
import { runBuild } from "./commands/build.js";
import { runCheck } from "./commands/check.js";
import { runCompile } from "./commands/compile.js";
import { runTest } from "./commands/test.js";
import { runExplain } from "./commands/explain.js";
import { runInit } from "./commands/init.js";

type CommandRunner = (context: CommandContext) => Promise<ExitCode>;

const runners: Readonly<Record<string, CommandRunner>> = {
  compile: runCompile,
  build: runBuild,
  check: runCheck,
  test: runTest,
  explain: runExplain,
  init: runInit,
};

export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let parsed: ParsedCommand | undefined;
  try {
    const request = parseArgv(argv);
    if (request.kind === "help") {
      io.writeStdout(request.command ? commandHelp(request.command) : generalHelp());
      return ExitCode.ok;
    }
    if (request.kind === "version") {
      io.writeStdout(`kernelscript ${packageVersion()}\n`);
      return ExitCode.ok;
    }
    parsed = request;
    // Lets the tests reach the internal-error path without a real compiler bug.
    if (io.env["KS_TEST_INTERNAL_ERROR"] === "1") {
      throw new Error("deliberate failure requested by KS_TEST_INTERNAL_ERROR=1");
    }
    const runner = runners[parsed.command.name];
    if (!runner) {
      io.writeStderr(`error: \`kernelscript ${parsed.command.name}\` is not implemented yet\n`);
      return ExitCode.usage;
    }
    return await runner({ parsed, io });
  } catch (error) {
    return reportFailure(error, io, parsed);
  }
}

function reportFailure(error: unknown, io: CliIo, parsed: ParsedCommand | undefined): ExitCode {
  if (error instanceof UsageError) {
    const command = error.command === undefined ? undefined : findCommand(error.command);
    const usage = command ? usageLine(command) : "kernelscript COMMAND [OPTIONS]";
    const more = command ? `kernelscript ${command.name} --help` : "kernelscript --help";
    io.writeStderr(`error: ${error.message}\n\nUsage: ${usage}\nFor more information, run \`${more}\`.\n`);
    return ExitCode.usage;
  }
  if (error instanceof EnvironmentError) {
    const lines = error.problems.map((problem) => `error: ${problem}`);
    lines.push(...error.fix.split("\n").map((fix, i) => `${i === 0 ? "  = fix: " : "         "}${fix}`));
    io.writeStderr(lines.join("\n") + "\n");
    return ExitCode.environment;
  }
  if (error instanceof Interrupted) {
    io.writeStderr(`kernelscript: ${error.message}\n`);
    return error.exitCode;
  }
  reportInternalError(error, io, parsed);
  return ExitCode.internal;
}

function reportInternalError(error: unknown, io: CliIo, parsed: ParsedCommand | undefined): void {
  const message = error instanceof Error ? error.message : String(error);
  const input = parsed?.args[0];
  const lines = [
    `internal compiler error: ${message}`,
    "  = note: this is a bug in kernelscript, not in your program",
    `  = note: please report it on the KernelScript issue tracker with the input file${input ? ` (${input})` : ""} and this message`,
  ];
  if (io.env["KS_DEBUG"] === "1") {
    const stack = error instanceof Error && error.stack ? error.stack : String(error);
    lines.push("", stack);
  } else if (!(error instanceof InternalError)) {
    lines.push("  = note: run again with KS_DEBUG=1 to see where it failed");
  }
  io.writeStderr(lines.join("\n") + "\n");
}

function packageVersion(): string {
  // build/src/cli/main.js → package.json at the repository root.
  const url = new URL("../../../package.json", import.meta.url);
  const manifest = JSON.parse(readFileSync(url, "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

/**
 * A process stream that stops writing, quietly, once its reader is gone: `kernelscript
 * build … | head` closes our stdout after a few lines, which is the reader's choice,
 * not an error of ours (EPIPE; Node ignores SIGPIPE). The command still runs to its
 * end and its exit code says how that went; only further output is dropped.
 */
function closableWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", () => {
    // EPIPE, or ERR_STREAM_DESTROYED for writes after it: nobody reads any more.
    closed = true;
  });
  return (text) => {
    if (closed || stream.destroyed) return;
    stream.write(text);
  };
}

const interruptSignals: readonly InterruptSignal[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Runs `main` for the real process: its argv, streams, environment and exit code. */
export function runFromProcess(): void {
  const io: CliIo = {
    writeStdout: closableWriter(process.stdout),
    writeStderr: closableWriter(process.stderr),
    env: process.env,
    cwd: process.cwd(),
    color: process.stderr.isTTY === true && (process.env["NO_COLOR"] ?? "") === "",
    isRoot: process.getuid?.() === 0,
    onInterrupt: (listener) => {
      const handlers = interruptSignals.map((signal) => {
        const handler = (): void => listener(signal);
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      return () => {
        for (const [signal, handler] of handlers) process.off(signal, handler);
      };
    },
  };
  // Errors thrown outside the awaited chain (callbacks, stray rejections) still get
  // the internal-error treatment instead of Node's default stack dump.
  const onStray = (error: unknown): void => {
    reportInternalError(error, io, undefined);
    process.exit(ExitCode.internal);
  };
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    onStray,
  );
}
