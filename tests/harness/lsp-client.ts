// A language client for the tests: `bin/kernelscript lsp --stdio` as a child process,
// driven with vscode-jsonrpc and the protocol's request types, as an editor would.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import {
  InitializeRequest, InitializedNotification, ShutdownRequest, ExitNotification, PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, type PublishDiagnosticsParams, type Position,
  type Range,
} from "vscode-languageserver-protocol";
import { cliPath } from "./cli.js";
import { repoRoot } from "./golden.js";

export function uriOf(pathInRepo: string): string {
  return pathToFileURL(join(repoRoot, pathInRepo)).href;
}

/** The LSP position of the `occurrence`-th `needle` in `text`, `offset` characters into it. */
export function positionIn(text: string, needle: string, offset = 0, occurrence = 0): Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`\`${needle}\` (#${occurrence}) is not in the text`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - (before.lastIndexOf("\n") + 1) };
}

/** The text a range covers. */
export function textOf(text: string, range: Range): string {
  const lines = text.split("\n");
  const offset = (p: Position): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(offset(range.start), offset(range.end));
}

export class LspClient {
  readonly connection: MessageConnection;
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams[]>();
  private readonly waiters: { uri: string; test: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  private readonly versions = new Map<string, number>();
  stderr = "";

  private constructor(readonly child: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.on("data", (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const list = this.diagnostics.get(params.uri) ?? [];
      list.push(params);
      this.diagnostics.set(params.uri, list);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.test(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
    });
    this.connection.listen();
  }

  /** Starts the server and initializes it. */
  static async start(): Promise<LspClient> {
    const cacheDir = mkdtempSync(join(tmpdir(), "ks-lsp-cache-"));
    const child = spawn(process.execPath, [cliPath, "lsp", "--stdio"], {
      cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, KS_DEBUG: undefined, KS_CACHE_DIR: cacheDir, KS_LSP_DEBOUNCE_MS: "20" },
    });
    child.on("exit", () => rmSync(cacheDir, { recursive: true, force: true }));
    const client = new LspClient(child);
    await client.connection.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: pathToFileURL(repoRoot).href, workspaceFolders: null,
      capabilities: { textDocument: { rename: { prepareSupport: true }, publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } } },
    });
    await client.connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** The next diagnostics published for `uri` that pass `test`. */
  nextDiagnostics(uri: string, test: (p: PublishDiagnosticsParams) => boolean = () => true): Promise<PublishDiagnosticsParams> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} in 60 s; server stderr: ${this.stderr}`)), 60_000);
      this.waiters.push({ uri, test, resolve: (p) => { clearTimeout(timer); resolve(p); } });
    });
  }

  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const published = this.nextDiagnostics(uri);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "kernelscript", version: 1, text } });
    return published;
  }

  /** Replaces `range` with `text` (an incremental change); resolves once sent. */
  async change(uri: string, range: Range, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.on("exit", (code) => resolve(code)));
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
