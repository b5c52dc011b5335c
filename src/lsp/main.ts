//! The entry of the language server's bundle (build/bundle/lsp-server.cjs, loaded by
//! `kernelscript lsp` only: the other commands never load `vscode-languageserver`).

import { StreamMessageReader, StreamMessageWriter } from "vscode-languageserver/node";
import { startServer } from "./server.js";

/**
 * Serves LSP on stdin/stdout until the client says `exit` (the library then ends the
 * process: 0 after `shutdown`, 1 without, as the protocol says) or stdin closes.
 */
export function serveStdio(cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const debounce = Number(env["KS_LSP_DEBOUNCE_MS"]);
  return new Promise((resolve) => {
    const connection = startServer({
      reader: new StreamMessageReader(process.stdin),
      writer: new StreamMessageWriter(process.stdout),
      cwd,
      ...(Number.isFinite(debounce) && debounce >= 0 ? { debounceMs: debounce } : {}),
    });
    connection.onExit(() => resolve());
    process.stdin.on("close", () => resolve());
  });
}
