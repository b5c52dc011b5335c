//! Every command's entry, by name. `main.ts` imports this module only when a command
//! runs, so `--help`, `--version` and usage errors never load the compiler.

import type { CommandContext } from "../context.js";
import type { ExitCode } from "../failures.js";
import { runBuild } from "./build.js";
import { runCheck } from "./check.js";
import { runCompile } from "./compile.js";
import { runTest } from "./test.js";
import { runExplain } from "./explain.js";
import { runInit } from "./init.js";
import { runFmt } from "./fmt.js";
import { runLsp } from "./lsp.js";
import { runRun } from "./run.js";
import { runCompletion } from "./completion.js";
import { runPackage } from "./package.js";

export type CommandRunner = (context: CommandContext) => Promise<ExitCode>;

export const runners: Readonly<Record<string, CommandRunner>> = {
  compile: runCompile,
  build: runBuild,
  check: runCheck,
  test: runTest,
  explain: runExplain,
  init: runInit,
  fmt: runFmt,
  lsp: runLsp,
  run: runRun,
  completion: runCompletion,
  package: runPackage,
};
