//! Exit codes (DESIGN.md section 5) and the exceptions commands throw to reach them.
//! Only the CLI throws these; `main.ts` turns each into its message and exit code.

export const ExitCode = {
  ok: 0,
  /** The user's program has errors; the diagnostics were printed. */
  programErrors: 1,
  /** Bad command-line usage; the usage text was printed. */
  usage: 2,
  /** The environment lacks a tool, header, privilege or BTF; the fix was printed. */
  environment: 3,
  /** A bug in kernelscript (BSD sysexits EX_SOFTWARE). */
  internal: 70,
} as const;

/** Stopped by a signal: 128 + its number, as shells report it (SIGHUP 129, SIGINT 130, SIGTERM 143). */
export type InterruptedExitCode = 129 | 130 | 143;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode] | InterruptedExitCode;

/** The signals a command cleans up after before it stops. */
export type InterruptSignal = "SIGHUP" | "SIGINT" | "SIGTERM";

const interruptExitCodes: Readonly<Record<InterruptSignal, InterruptedExitCode>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** Bad command line: unknown command or flag, missing argument. Exit 2 with usage. */
export class UsageError extends Error {
  /** The command whose usage to print, or undefined for the top-level usage. */
  readonly command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}

/** Something to install or enable before the command can work. Exit 3 with the fix. */
export class EnvironmentError extends Error {
  /** One line per thing that is missing. */
  readonly problems: readonly string[];
  /** The exact command or step that fixes it. */
  readonly fix: string;
  constructor(problems: readonly string[], fix: string) {
    super(problems.join("; "));
    this.name = "EnvironmentError";
    this.problems = problems;
    this.fix = fix;
  }
}

/**
 * A failure that is kernelscript's fault but not an exception in our own code, e.g. the
 * generated C failing to build. Exit 70 with the "please report" lines.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InternalError";
  }
}


/**
 * The command was stopped by SIGINT/SIGTERM/SIGHUP after it undid its partial work
 * (e.g. a build's staging directory). Exit 128 + the signal's number, message on stderr.
 */
export class Interrupted extends Error {
  readonly signal: InterruptSignal;
  constructor(signal: InterruptSignal, message: string) {
    super(message);
    this.name = "Interrupted";
    this.signal = signal;
  }
  get exitCode(): InterruptedExitCode {
    return interruptExitCodes[this.signal];
  }
}
