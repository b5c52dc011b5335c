// How the setting `kernelscript.server.path` becomes the command the extension starts.
// No `vscode` import here: tests/unit/grammar-extension.test.ts runs this file in Node.

/** The language server's command line; the client appends `--stdio` (TransportKind.stdio). */
export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
}

export interface ServerPlace {
  /** The first workspace folder's path, if a folder is open. */
  readonly workspaceFolder: string | undefined;
  /** The user's home directory. */
  readonly home: string;
}

export const defaultServerPath = "kernelscript";

/** `kernelscript.server.path` → `PATH kernelscript lsp`, or why the setting cannot be used. */
export function serverCommand(setting: string | undefined, place: ServerPlace): ServerCommand | { readonly problem: string } {
  let path = (setting ?? "").trim();
  if (path === "") path = defaultServerPath;
  if (path.includes("${workspaceFolder}")) {
    if (place.workspaceFolder === undefined) return { problem: `${path} names \${workspaceFolder}, but no folder is open` };
    path = path.replaceAll("${workspaceFolder}", place.workspaceFolder);
  }
  if (path === "~" || path.startsWith("~/")) path = joinPath(place.home, path.slice(2));
  // A bare name is looked up on PATH by the operating system; any other relative path
  // means the open folder (`bin/kernelscript` in a checkout of KernelScript).
  if (!isAbsolute(path) && /[\\/]/.test(path)) {
    if (place.workspaceFolder === undefined) return { problem: `${path} is a relative path, but no folder is open to find it in` };
    path = joinPath(place.workspaceFolder, path);
  }
  return { command: path, args: ["lsp"] };
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

function joinPath(base: string, rest: string): string {
  if (rest === "") return base;
  return `${base.replace(/[\\/]+$/, "")}/${rest.replace(/^\.\//, "")}`;
}
