// The language server's latency as an editor sees it: `bin/kernelscript lsp --stdio` on
// a generated 5,000-line program (bench/generate.ts), driven over stdio with
// vscode-jsonrpc. A line is typed one character at a time inside a function, at typing
// speed; after each keystroke (`didChange`) a completion and a hover are asked at once,
// and the time from sending the change to each answer is recorded. Also measured: the
// first check after opening, and a check after a pause in typing (change → published
// diagnostics), which runs after the server's debounce (150 ms). Printed, never asserted.
//
//   make bench
//   node build/bench/lsp.js [--lines N] [--rounds N] [--interval MS] [--each]

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import {
  InitializeRequest, InitializedNotification, ShutdownRequest, ExitNotification, PublishDiagnosticsNotification,
  DidOpenTextDocumentNotification, DidChangeTextDocumentNotification, CompletionRequest, HoverRequest,
  type PublishDiagnosticsParams, type Position,
} from "vscode-languageserver-protocol";
import { count, loadCompiler, repoRoot } from "./common.js";
import { makeGenerator } from "./generate.js";
import { median } from "./stats.js";

const argv = process.argv;
const option = (name: string, fallback: number, least: number): number => {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? count(name, argv[at + 1], least) : fallback;
};
const targetLines = option("lines", 5000, 100);
const rounds = option("rounds", 3, 1);
const interval = option("interval", 60, 0);

const compiler = await loadCompiler([]);
const generator = makeGenerator(compiler);
const text = generator.program(Math.ceil(targetLines / generator.linesPerCopy));
const dir = mkdtempSync(join(tmpdir(), "ks-bench-lsp-"));
const path = join(dir, "bench.ks");
writeFileSync(path, text);
const uri = pathToFileURL(path).href;

const child = spawn(process.execPath, [join(repoRoot, "bin", "kernelscript"), "lsp", "--stdio"], {
  cwd: dir, stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, KS_LSP_DEBOUNCE_MS: undefined, KS_CACHE_DIR: join(dir, "cache") },
});
const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
let onDiagnostics: ((p: PublishDiagnosticsParams) => void) | undefined;
connection.onNotification(PublishDiagnosticsNotification.type, (p) => onDiagnostics?.(p));
connection.listen();
const nextDiagnostics = (): Promise<PublishDiagnosticsParams> => new Promise((resolve) => { onDiagnostics = resolve; });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {}, workspaceFolders: null });
await connection.sendNotification(InitializedNotification.type, {});

let started = performance.now();
const opened = nextDiagnostics();
await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "kernelscript", version: 1, text } });
const firstDiagnostics = await opened;
const openMs = performance.now() - started;

// Typed at the start of the first XDP program's body; hovered: `ctx` further down.
const lines = text.split("\n");
const fnLine = lines.findIndex((l) => /^fn classify_1_0\(ctx/.test(l));
const hoverLine = lines.findIndex((l, i) => i > fnLine && l.includes("ctx.header(0)"));
if (fnLine < 0 || hoverLine < 0) throw new Error("bench: the generated program no longer has classify_1_0 and ctx.header(0)");
const typed = "        var probe = ctx.data_end - ctx.";

let version = 1;
const completionMs: number[] = [];
const hoverMs: number[] = [];
const checkMs: number[] = [];
let fieldsOffered = 0;
for (let round = 0; round < rounds; round++) {
  const at: Position = { line: fnLine + 1, character: 0 };
  await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: at, end: at }, text: "\n" }] });
  for (let i = 0; i < typed.length; i++) {
    const position: Position = { line: fnLine + 1, character: i };
    started = performance.now();
    await connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: position, end: position }, text: typed[i]! }],
    });
    const cursor: Position = { line: fnLine + 1, character: i + 1 };
    const completion = connection.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: cursor }).then((r) => {
      completionMs.push(performance.now() - started);
      return r;
    });
    const hover = connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: hoverLine + 1, character: lines[hoverLine]!.indexOf("ctx.header(0)") + 1 } }).then((r) => {
      hoverMs.push(performance.now() - started);
      return r;
    });
    const [items] = await Promise.all([completion, hover]);
    if (i === typed.length - 1) {
      const list = Array.isArray(items) ? items : items?.items ?? [];
      fieldsOffered = list.filter((item) => item.label === "data" || item.label === "ingress_ifindex").length;
    }
    await sleep(interval);
  }
  // A pause: the line is removed and the server checks the whole file once.
  started = performance.now();
  const checked = nextDiagnostics();
  await connection.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: ++version }, contentChanges: [{ range: { start: { line: fnLine + 1, character: 0 }, end: { line: fnLine + 2, character: 0 } }, text: "" }],
  });
  await checked;
  checkMs.push(performance.now() - started);
}

await connection.sendRequest(ShutdownRequest.type);
await connection.sendNotification(ExitNotification.type);
connection.dispose();
rmSync(dir, { recursive: true, force: true });

if (argv.includes("--each")) console.log(`completion ms per keystroke: ${completionMs.map((v) => v.toFixed(0)).join(" ")}`);
const p90 = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)] ?? NaN;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
console.log(`language server on a ${lines.length}-line program (examples repeated, bench/generate.ts); ${completionMs.length} keystrokes every ${interval} ms`);
console.log(`  open → first diagnostics (${firstDiagnostics.diagnostics.length}): ${ms(openMs)} (BTF read once, whole check)`);
console.log(`  keystroke → completion: median ${ms(median(completionMs))}, p90 ${ms(p90(completionMs))}, max ${ms(Math.max(...completionMs))} (kernel fields offered after \`ctx.\`: ${fieldsOffered === 2 ? "yes" : "NO"})`);
console.log(`  keystroke → hover:      median ${ms(median(hoverMs))}, p90 ${ms(p90(hoverMs))}, max ${ms(Math.max(...hoverMs))}`);
console.log(`  pause → diagnostics:    median ${ms(median(checkMs))} (debounce 150 ms + a whole check)`);
