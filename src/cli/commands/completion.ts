//! `kernelscript completion SHELL`: prints the completion script for bash, zsh or fish
//! (src/cli/completion.ts writes it from the option tables). SHELL was checked against
//! its choices when the command line was parsed.

import type { CommandContext } from "../context.js";
import { ExitCode } from "../failures.js";
import { completionScript } from "../completion.js";
import type { completionShells } from "../options.js";

export async function runCompletion(context: CommandContext): Promise<ExitCode> {
  const shell = context.parsed.args[0] as (typeof completionShells)[number];
  context.io.writeStdout(completionScript(shell));
  return ExitCode.ok;
}
