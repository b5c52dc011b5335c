//! `kernelscript lsp [--stdio]`: the language server (src/lsp/) on stdin/stdout. It
//! lives in its own bundle, build/bundle/lsp-server.cjs (tools/bundle-cli.mjs), loaded
//! only here, so no other command pays for `vscode-languageserver` at start-up; the
//! unbundled tree (tests) loads src/lsp/ directly.

import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { CommandContext } from "../context.js";
import { ExitCode } from "../failures.js";

type ServerModule = typeof import("../../lsp/main.js");

export async function runLsp(context: CommandContext): Promise<ExitCode> {
  const server = await loadServer();
  await server.serveStdio(context.io.cwd, context.io.env);
  return ExitCode.ok;
}

async function loadServer(): Promise<ServerModule> {
  // Beside the CLI's bundle when running from it.
  const bundled = fileURLToPath(new URL("./lsp-server.cjs", import.meta.url));
  if (existsSync(bundled)) return createRequire(import.meta.url)(bundled) as ServerModule;
  // A specifier in a variable: esbuild leaves the import alone instead of bundling the server.
  const unbundled = "../../lsp/main.js";
  return (await import(unbundled)) as ServerModule;
}
