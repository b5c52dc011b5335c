//! The launcher `bin/kernelscript` runs, bundled alone into build/bundle/launch.js (it
//! makes sense only there): it answers `--help` and `--version` itself, without loading
//! the compiler, and otherwise loads the rest of the CLI, bundled with the compiler core
//! into build/bundle/kernelscript.cjs, through V8's code cache (code-cache.ts).

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { answerOf, closableWriter } from "./answers.js";
import { cacheDirectory } from "../runner/cache-dir.js";
import { loadCommonJs } from "./code-cache.js";
import { parseArgv, type ParsedArgv } from "./options.js";

export function launch(): void {
  const request = parsedOrUndefined(process.argv.slice(2));
  if (request && request.kind !== "command") {
    closableWriter(process.stdout)(answerOf(request));
    return;
  }
  // Everything else, usage errors included, is main.ts's (it parses the command line again).
  const bundle = fileURLToPath(new URL("./kernelscript.cjs", import.meta.url));
  const cli = (process.env["KS_DEBUG"] === "1" ? loadForDebugging(bundle) : loadCommonJs(bundle, cacheDirectory(process.env))) as typeof import("./main.js");
  cli.runFromProcess();
}

/**
 * With KS_DEBUG=1 stack traces are shown: the bundle is then loaded as a plain module,
 * with source maps on, so they name the TypeScript sources (a `vm.Script` gets none).
 */
function loadForDebugging(bundle: string): unknown {
  process.setSourceMapsEnabled(true);
  return createRequire(bundle)(bundle);
}

function parsedOrUndefined(argv: readonly string[]): ParsedArgv | undefined {
  try {
    return parseArgv(argv);
  } catch {
    return undefined;
  }
}
