// The KernelScript extension: the grammar and language configuration are declared in
// package.json; this starts the language server, `kernelscript lsp --stdio`, with
// vscode-languageclient, and restarts it when its settings change.

import * as os from "node:os";
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { serverCommand } from "./server-command";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("KernelScript");
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand("kernelscript.restartServer", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("kernelscript.server")) void restart();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  const settings = vscode.workspace.getConfiguration("kernelscript");
  if (!settings.get<boolean>("server.enabled", true)) return;
  const command = serverCommand(settings.get<string>("server.path"), {
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    home: os.homedir(),
  });
  if ("problem" in command) {
    void vscode.window.showErrorMessage(`KernelScript: kernelscript.server.path: ${command.problem}.`);
    return;
  }
  const serverOptions: ServerOptions = {
    command: command.command,
    args: [...command.args],
    transport: TransportKind.stdio,
    options: { cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "kernelscript" },
      { scheme: "untitled", language: "kernelscript" },
    ],
    outputChannel: output,
    traceOutputChannel: output,
  };
  client = new LanguageClient("kernelscript", "KernelScript", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (error) {
    client = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `KernelScript: could not start \`${command.command} lsp --stdio\` (${reason}). Highlighting still works; set kernelscript.server.path to the kernelscript command.`,
    );
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running !== undefined) await running.stop();
}

async function restart(): Promise<void> {
  await stop();
  await start();
}
