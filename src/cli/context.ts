//! What a command receives: its parsed arguments and the process's edges (output
//! streams, environment, working directory), passed in so tests can run commands
//! in-process with captured output.

import type { ParsedCommand } from "./options.js";
import type { Environment } from "./toolchain.js";
import type { InterruptSignal } from "./failures.js";

export interface CliIo {
  readonly writeStdout: (text: string) => void;
  readonly writeStderr: (text: string) => void;
  readonly env: Environment;
  readonly cwd: string;
  /** Colour diagnostics (stderr is a terminal and NO_COLOR is unset). */
  readonly color: boolean;
  readonly isRoot: boolean;
  /**
   * Calls `listener` on SIGINT/SIGTERM/SIGHUP instead of letting the signal end the
   * process, until the returned function is called. Commands that leave partial work
   * behind (a running make, a staging directory) subscribe while it exists. Absent when
   * commands run in-process (tests): signals then keep their default action.
   */
  readonly onInterrupt?: (listener: (signal: InterruptSignal) => void) => () => void;
}

export interface CommandContext {
  readonly parsed: ParsedCommand;
  readonly io: CliIo;
}

/** `string` flag value, or undefined when absent. */
export function stringFlag(parsed: ParsedCommand, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === "string" ? value : undefined;
}

export function booleanFlag(parsed: ParsedCommand, name: string): boolean {
  return parsed.flags.get(name) === true;
}
