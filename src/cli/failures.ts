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

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

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

