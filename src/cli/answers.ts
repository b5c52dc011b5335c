//! What the command line answers without the compiler: `--help`, `help COMMAND`,
//! `COMMAND --help` and `--version`. `main.ts` answers them through here, and so does
//! the launcher (`launch.ts`) before it loads the rest of the CLI.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { commandHelp, generalHelp, type ParsedArgv, type ParsedCommand } from "./options.js";
import { repoRoot } from "../runner/paths.js";

/** The text printed for a help or version request. */
export function answerOf(request: Exclude<ParsedArgv, ParsedCommand>): string {
  switch (request.kind) {
    case "help": return request.command ? commandHelp(request.command) : generalHelp();
    case "version": return `kernelscript ${packageVersion()}\n`;
  }
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version?: string };
  return manifest.version ?? "unknown";
}

/**
 * A process stream that stops writing, quietly, once its reader is gone: `kernelscript
 * build … | head` closes our stdout after a few lines, which is the reader's choice,
 * not an error of ours (EPIPE; Node ignores SIGPIPE). The command still runs to its
 * end and its exit code says how that went; only further output is dropped.
 */
export function closableWriter(stream: NodeJS.WriteStream): (text: string) => void {
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
