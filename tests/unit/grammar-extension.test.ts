// The VS Code extension in editors/vscode/: its manifest points at files that exist and
// agree with the grammar; its language configuration parses and indents as intended;
// `kernelscript.server.path` becomes the right command line; and, when `make vsix` has
// installed the extension's own dependencies from its lock file, it packages into a .vsix
// holding exactly the files the extension needs.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { repoRoot } from "../harness/golden.js";
import { cliPath } from "../harness/cli.js";
import { scopeName } from "../../tools/gen-grammar.js";
import { innermost, tokenizeText } from "./grammar-tokens.js";

const extensionDir = join(repoRoot, "editors", "vscode");
const readJson = (path: string): any => JSON.parse(readFileSync(join(extensionDir, path), "utf8"));
const manifest = readJson("package.json");

describe("VS Code extension manifest", () => {
  it("contributes the language for .ks and .kh with a configuration file that exists", () => {
    const [language, ...others] = manifest.contributes.languages;
    assert.equal(others.length, 0);
    assert.equal(language.id, "kernelscript");
    assert.deepEqual(language.extensions, [".ks", ".kh"]);
    assert.ok(existsSync(join(extensionDir, language.configuration)), language.configuration);
    assert.ok(manifest.activationEvents.includes("onLanguage:kernelscript"));
  });

  it("contributes grammars that exist, with the scope names they declare", () => {
    const grammars: { language?: string; scopeName: string; path: string; injectTo?: string[] }[] = manifest.contributes.grammars;
    for (const grammar of grammars) {
      assert.ok(existsSync(join(extensionDir, grammar.path)), grammar.path);
      assert.equal(readJson(grammar.path).scopeName, grammar.scopeName, grammar.path);
    }
    const main = grammars.filter((grammar) => grammar.language === "kernelscript");
    assert.deepEqual(main.map((grammar) => grammar.scopeName), [scopeName]);
    assert.deepEqual(grammars.filter((grammar) => grammar.injectTo !== undefined).map((grammar) => grammar.injectTo), [["text.html.markdown"]]);
  });

  it("colours the server's semantic tokens with scopes the grammar uses (attributes are `macro`)", () => {
    const grammarText = readFileSync(join(extensionDir, "syntaxes", "kernelscript.tmLanguage.json"), "utf8");
    const [entry, ...others] = manifest.contributes.semanticTokenScopes;
    assert.equal(others.length, 0);
    assert.equal(entry.language, "kernelscript");
    assert.deepEqual(Object.keys(entry.scopes), ["macro"]);
    for (const scope of Object.values(entry.scopes).flat() as string[]) assert.ok(grammarText.includes(`"${scope}"`), scope);
  });

  it("runs the bundle its build script makes from src/extension.ts", () => {
    assert.equal(manifest.main, "./dist/extension.js");
    assert.match(manifest.scripts.bundle, /^esbuild src\/extension\.ts --bundle .*--external:vscode .*--outfile=dist\/extension\.js/);
    assert.ok(existsSync(join(extensionDir, "src", "extension.ts")));
    assert.ok(manifest.dependencies["vscode-languageclient"], "the client library");
    assert.ok(manifest.devDependencies["@vscode/vsce"], "the official packaging tool");
    const lock = readJson("package-lock.json");
    for (const name of ["vscode-languageclient", "@vscode/vsce", "esbuild", "typescript", "@types/vscode"]) {
      assert.ok(lock.packages[`node_modules/${name}`], `${name} is in editors/vscode/package-lock.json`);
    }
  });

  it("declares the settings and the command the extension reads and registers", () => {
    const source = readFileSync(join(extensionDir, "src", "extension.ts"), "utf8");
    const properties = manifest.contributes.configuration.properties;
    assert.equal(properties["kernelscript.server.path"].default, "kernelscript");
    for (const key of Object.keys(properties)) {
      const [section, ...rest] = key.split(".");
      assert.equal(section, "kernelscript", key);
      // vscode-languageclient reads `<client id>.trace.server` itself.
      if (key === "kernelscript.trace.server") assert.match(source, /new LanguageClient\("kernelscript"/);
      else assert.ok(source.includes(`"${rest.join(".")}"`), `src/extension.ts reads ${key}`);
    }
    for (const command of manifest.contributes.commands) {
      assert.ok(source.includes(`registerCommand("${command.command}"`), `src/extension.ts registers ${command.command}`);
    }
    assert.match(source, /transport: TransportKind\.stdio/, "the client starts the server with --stdio");
  });
});

describe("language configuration", () => {
  const configuration = readJson("language-configuration.json");

  it("names the comment delimiters the grammar tokenizes as comments", async () => {
    const line = await tokenizeText(`${configuration.comments.lineComment} note`);
    assert.deepEqual(innermost(line.lines[0]!.tokens).map(([, scope]) => scope), ["punctuation.definition.comment.kernelscript", "comment.line.double-slash.kernelscript"]);
    const [open, close] = configuration.comments.blockComment;
    const block = await tokenizeText(`${open} note ${close}`);
    assert.deepEqual(innermost(block.lines[0]!.tokens).map(([, scope]) => scope), [
      "punctuation.definition.comment.begin.kernelscript", "comment.block.kernelscript", "punctuation.definition.comment.end.kernelscript",
    ]);
  });

  it("has patterns that compile as JavaScript regular expressions (what VS Code runs)", () => {
    const patterns = [
      configuration.wordPattern,
      configuration.indentationRules.increaseIndentPattern,
      configuration.indentationRules.decreaseIndentPattern,
      configuration.folding.markers.start,
      configuration.folding.markers.end,
      ...configuration.onEnterRules.flatMap((rule: { beforeText: string; afterText?: string }) => [rule.beforeText, rule.afterText ?? ""]),
    ];
    for (const pattern of patterns) assert.doesNotThrow(() => new RegExp(pattern), pattern);
  });

  it("indents after an opening bracket and outdents at a closing one", () => {
    const increase = new RegExp(configuration.indentationRules.increaseIndentPattern);
    const decrease = new RegExp(configuration.indentationRules.decreaseIndentPattern);
    for (const line of ["@xdp fn f(ctx: *xdp_md) -> xdp_action {", "    match (x) {", "var a = [", "    print(\"a\","]) {
      assert.ok(increase.test(line), `indent after: ${line}`);
    }
    for (const line of ["var m: hash<u32, u64>(1024)", "if (x) { return 1 }", "x = 1 // {", "print(\"{\")"]) {
      assert.ok(!increase.test(line), `no indent after: ${line}`);
    }
    for (const line of ["}", "    })", "  ]"]) assert.ok(decrease.test(line), `outdent: ${line}`);
    assert.ok(!decrease.test("x = {}"));
  });

  it("auto-closes every bracket pair", () => {
    const closes = new Map(configuration.autoClosingPairs.map((pair: { open: string; close: string }) => [pair.open, pair.close]));
    for (const [open, close] of configuration.brackets) assert.equal(closes.get(open), close, open);
  });

  it("takes a whole word or number at a time", () => {
    const word = new RegExp(configuration.wordPattern, "g");
    assert.deepEqual("packet_counts[ctx.ingress_ifindex] += 250ms".match(word), ["packet_counts", "ctx", "ingress_ifindex", "250ms"]);
  });
});

interface ServerCommandModule {
  serverCommand(setting: string | undefined, place: { workspaceFolder: string | undefined; home: string }): { command: string; args: string[] } | { problem: string };
}

/** editors/vscode/src/server-command.ts, bundled by esbuild (the root's) and imported. */
async function loadServerCommand(): Promise<ServerCommandModule> {
  const result = await build({ entryPoints: [join(extensionDir, "src", "server-command.ts")], bundle: true, write: false, format: "esm", platform: "node", logLevel: "silent" });
  const code = result.outputFiles[0]!.text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`) as Promise<ServerCommandModule>;
}

describe("kernelscript.server.path", () => {
  const place = { workspaceFolder: "/work/project", home: "/home/user" };

  it("becomes `PATH lsp` (the client adds --stdio)", async () => {
    const { serverCommand } = await loadServerCommand();
    const cases: [string | undefined, string][] = [
      [undefined, "kernelscript"],
      ["", "kernelscript"],
      ["  kernelscript  ", "kernelscript"],
      ["/opt/ks/bin/kernelscript", "/opt/ks/bin/kernelscript"],
      ["bin/kernelscript", "/work/project/bin/kernelscript"],
      ["./bin/kernelscript", "/work/project/bin/kernelscript"],
      ["~/.local/bin/kernelscript", "/home/user/.local/bin/kernelscript"],
      ["${workspaceFolder}/bin/kernelscript", "/work/project/bin/kernelscript"],
    ];
    for (const [setting, command] of cases) {
      assert.deepEqual(serverCommand(setting, place), { command, args: ["lsp"] }, String(setting));
    }
  });

  it("says why a relative path cannot be used without an open folder", async () => {
    const { serverCommand } = await loadServerCommand();
    const noFolder = { workspaceFolder: undefined, home: "/home/user" };
    assert.deepEqual(serverCommand("kernelscript", noFolder), { command: "kernelscript", args: ["lsp"] });
    assert.match((serverCommand("bin/kernelscript", noFolder) as { problem: string }).problem, /relative path, but no folder is open/);
    assert.match((serverCommand("${workspaceFolder}/ks", noFolder) as { problem: string }).problem, /no folder is open/);
  });
});

/**
 * A minimal LSP client over a child's stdio (Content-Length framing, JSON-RPC 2.0):
 * enough to check the contract the extension relies on, without VS Code.
 */
class StdioClient {
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, (message: any) => void>();
  readonly notifications: any[] = [];
  readonly exited: Promise<number | null>;

  constructor(private readonly child: import("node:child_process").ChildProcessWithoutNullStreams) {
    child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    this.exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  }

  request(method: string, params: unknown): Promise<any> {
    const id = this.nextId++;
    this.send({ jsonrpc: "2.0", id, method, params });
    return new Promise((resolve) => this.pending.set(id, resolve));
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: "2.0", method, params });
  }

  private send(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"))?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString("utf8"));
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      if (message.id !== undefined && this.pending.has(message.id)) {
        this.pending.get(message.id)!(message);
        this.pending.delete(message.id);
      } else if (message.method !== undefined) {
        this.notifications.push(message);
      }
    }
  }
}

/** Every semantic token type the LSP specification (3.17) defines: a client colours these without a custom legend. */
const standardTokenTypes = new Set([
  "namespace", "type", "class", "enum", "interface", "struct", "typeParameter", "parameter", "variable", "property",
  "enumMember", "event", "function", "method", "macro", "keyword", "modifier", "comment", "string", "number", "regexp",
  "operator", "decorator",
]);

describe("the language server the extension starts", () => {
  it("answers on stdio as `PATH lsp --stdio`, with standard semantic token types and diagnostics with codes", { timeout: 60_000 }, async () => {
    const { serverCommand } = await loadServerCommand();
    // As in a checkout of KernelScript: `bin/kernelscript`, relative to the open folder.
    const command = serverCommand("bin/kernelscript", { workspaceFolder: repoRoot, home: tmpdir() });
    assert.ok("command" in command);
    assert.equal(command.command, cliPath);
    // vscode-languageclient appends `--stdio` for TransportKind.stdio.
    const child = spawn(process.execPath, [command.command, ...command.args, "--stdio"], { cwd: repoRoot, stdio: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    const client = new StdioClient(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
    try {
      const initialized = await Promise.race([
        client.request("initialize", { processId: process.pid, rootUri: null, capabilities: {} }),
        client.exited.then((code) => { throw new Error(`the server exited (${code}) before answering: ${stderr}`); }),
      ]);
      const legend: string[] = initialized.result.capabilities.semanticTokensProvider.legend.tokenTypes;
      assert.deepEqual(legend.filter((type) => !standardTokenTypes.has(type)), [], "custom token types need a legend in the extension");
      const mapped = Object.keys(manifest.contributes.semanticTokenScopes[0].scopes);
      for (const type of mapped) assert.ok(legend.includes(type), `the server sends no ${type} tokens`);
      client.notify("initialized", {});
      const uri = "file:///tmp/editor-check.ks";
      client.notify("textDocument/didOpen", { textDocument: { uri, languageId: "kernelscript", version: 1, text: "@xdp fn f(ctx: *xdp_md) -> xdp_action {\n    return XDP_PAS\n}\n" } });
      const deadline = Date.now() + 20_000;
      while (!client.notifications.some((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri && n.params.diagnostics.length > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const published = client.notifications.find((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri && n.params.diagnostics.length > 0);
      assert.ok(published, `no diagnostics for the opened file: ${stderr}`);
      assert.equal(published.params.diagnostics[0].code, "E0201");
      await client.request("shutdown", null);
      client.notify("exit", null);
      assert.equal(await client.exited, 0);
    } finally {
      child.kill();
    }
  });
});

describe("VS Code extension package (.vsix)", () => {
  const vsce = join(extensionDir, "node_modules", ".bin", "vsce");
  const installed = existsSync(vsce);

  it("type-checks, bundles and packages with @vscode/vsce into a .vsix of the bundle, grammars, configuration and README", () => {
    assert.ok(installed, "the extension's tools are not installed: `make check`, `make test` and `make vsix` install them from editors/vscode/package-lock.json");
    const out = mkdtempSync(join(tmpdir(), "ks-vsix-"));
    try {
      execFileSync("npm", ["run", "--silent", "build"], { cwd: extensionDir, stdio: "pipe" });
      const vsix = join(out, "kernelscript.vsix");
      execFileSync(vsce, ["package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", vsix], { cwd: extensionDir, stdio: "pipe" });
      const listing = execFileSync("python3", ["-m", "zipfile", "-l", vsix], { encoding: "utf8" });
      const files = listing.split("\n").slice(1).map((line) => line.split(/\s+/)[0]!).filter((name) => name !== "").sort();
      assert.deepEqual(files, [
        "[Content_Types].xml",
        "extension.vsixmanifest",
        "extension/dist/extension.js",
        "extension/language-configuration.json",
        "extension/package.json",
        "extension/readme.md",
        "extension/syntaxes/kernelscript.markdown.tmLanguage.json",
        "extension/syntaxes/kernelscript.tmLanguage.json",
      ]);
      // The client library is bundled in: the extension needs nothing but VS Code at run time.
      const bundle = readFileSync(join(extensionDir, "dist", "extension.js"), "utf8");
      const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]!);
      assert.deepEqual([...new Set(required.filter((name) => !name.startsWith("node:") && !isNodeBuiltin(name)))], ["vscode"]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

function isNodeBuiltin(name: string): boolean {
  return builtinModules.includes(name);
}
