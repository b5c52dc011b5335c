//! The command-line entry point: argv → command → exit code.
//!
//! Every way out goes through `main`, which maps outcomes to the exit codes of
//! DESIGN.md section 5: 0 ok, 1 program errors, 2 usage, 3 environment, 70 internal
//! error. No exception escapes as a bare stack trace; the stack is shown only with
//! KS_DEBUG=1.

import type { CliIo } from "./context.js";
import { EnvironmentError, ExitCode, InternalError, Interrupted, UsageError, type InterruptSignal } from "./failures.js";
import { findCommand, parseArgv, usageLine, type ParsedCommand } from "./options.js";
import { answerOf, closableWriter } from "./answers.js";

export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let parsed: ParsedCommand | undefined;
  try {
    const request = parseArgv(argv);
    if (request.kind !== "command") {
      io.writeStdout(answerOf(request));
      return ExitCode.ok;
    }
    parsed = request;
    // Lets the tests reach the internal-error path without a real compiler bug.
    if (io.env["KS_TEST_INTERNAL_ERROR"] === "1") {
      throw new Error("deliberate failure requested by KS_TEST_INTERNAL_ERROR=1");
    }
    // Loaded only now: `--help`, `--version` and usage errors never load the compiler.
    const { runners } = await import("./commands/index.js");
    const runner = runners[parsed.command.name];
    // Every command of the tables has a runner (tests/e2e/cli.test.ts); one without is our bug.
    if (!runner) throw new Error(`the command \`${parsed.command.name}\` has no runner`);
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
