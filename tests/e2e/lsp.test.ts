// `kernelscript lsp --stdio` driven over stdio by a real client library (vscode-jsonrpc
// with the protocol's request types), on example files: diagnostics as the text changes,
// hover, definition across an include and an import, references, completion (a kernel
// struct's fields from BTF, map methods, mid-edit), rename, formatting, document symbols
// and semantic tokens.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  HoverRequest, DefinitionRequest, ReferencesRequest, CompletionRequest, RenameRequest, PrepareRenameRequest,
  DocumentFormattingRequest, DocumentSymbolRequest, SemanticTokensRequest, type CompletionItem, type CompletionList,
  type Hover, type Location, type MarkupContent, type WorkspaceEdit, type DocumentSymbol, type TextEdit,
  type SemanticTokens, ResponseError, DidOpenTextDocumentNotification,
} from "vscode-languageserver-protocol";
import { repoRoot } from "../harness/golden.js";
import { LspClient, positionIn, textOf, uriOf } from "../harness/lsp-client.js";
import { formatSource } from "../../src/compiler/index.js";
import { semanticTokenModifiers, semanticTokenTypes } from "../../src/compiler/service/index.js";

const read = (path: string): string => readFileSync(join(repoRoot, path), "utf8");
const hoverText = (hover: Hover | null): string => (hover?.contents as MarkupContent | undefined)?.value ?? "";
const labels = (items: CompletionItem[] | CompletionList | null): string[] =>
  (Array.isArray(items) ? items : items?.items ?? []).map((item) => item.label);

describe("kernelscript lsp over stdio", () => {
  let client: LspClient;
  const tracing = "examples/tracing.ks";
  const tracingUri = uriOf(tracing);
  let tracingText = read(tracing);

  before(async () => {
    client = await LspClient.start();
  });

  after(async () => {
    assert.equal(await client.stop(), 0, "exit after shutdown is status 0");
  });

  it("publishes no diagnostics for a clean example", async () => {
    const published = await client.open(tracingUri, tracingText);
    assert.deepEqual(published.diagnostics, []);
  });

  it("hovers a map, a local and a kernel struct's field (BTF, with its C type)", async () => {
    const request = (needle: string, offset: number, occurrence = 0): Promise<Hover | null> =>
      client.connection.sendRequest(HoverRequest.type, { textDocument: { uri: tracingUri }, position: positionIn(tracingText, needle, offset, occurrence) });
    const map = hoverText(await request("last_true[0] =", 3));
    assert.match(map, /var last_true: hash<u32, Exec>\(1\)/);
    assert.match(map, /BPF_MAP_TYPE_HASH/);
    const local = hoverText(await request("read_sizes[log2(size)]", 17));
    assert.match(local, /var size: u64/);
    const field = hoverText(await request("ctx.args[2]", 5));
    assert.match(field, /trace_event_raw_sys_enter\.args: u64\[6\]/);
    assert.match(field, /kernel struct `trace_event_raw_sys_enter` \(BTF\): `__u64 args\[6\];`/);
    const helper = hoverText(await request("comm() == \"true\"", 1));
    assert.match(helper, /comm\(\) -> str\(16\)/);
  });

  it("reports an error as it is typed, with its code and range, and clears it after the fix", async () => {
    const anchor = positionIn(tracingText, "    return 0\n}\n\n// Raw tracepoints");
    const inserted = "    var oops: u32 = no_such_name\n";
    const broken = client.nextDiagnostics(tracingUri, (p) => p.diagnostics.length > 0);
    await client.change(tracingUri, { start: anchor, end: anchor }, inserted);
    tracingText = tracingText.slice(0, offsetOf(tracingText, anchor)) + inserted + tracingText.slice(offsetOf(tracingText, anchor));
    const published = await broken;
    const error = published.diagnostics.find((d) => d.code === "E0201");
    assert.ok(error, `E0201 among ${JSON.stringify(published.diagnostics.map((d) => d.code))}`);
    assert.equal(textOf(tracingText, error.range), "no_such_name");
    assert.match(typeof error.message === "string" ? error.message : error.message.value, /no_such_name/);
    assert.equal(error.source, "kernelscript");
    assert.match(error.codeDescription?.href ?? "", /diagnostics\.md#E0201$/);

    const cleared = client.nextDiagnostics(tracingUri, (p) => p.diagnostics.length === 0);
    const end = { line: anchor.line + 1, character: 0 };
    await client.change(tracingUri, { start: anchor, end }, "");
    tracingText = read(tracing);
    assert.deepEqual((await cleared).diagnostics, []);
  });

  it("completes a kernel struct's fields from BTF and map methods while the text does not parse", async () => {
    const anchor = positionIn(tracingText, "var size = ctx.args[2] as u64", "var size = ctx.args[2] as u64".length);
    await client.change(tracingUri, { start: anchor, end: anchor }, "\n    ctx.");
    const typed = { line: anchor.line + 1, character: "    ctx.".length };
    const fields = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: tracingUri }, position: typed }));
    // struct trace_event_raw_sys_enter { struct trace_entry ent; long id; unsigned long args[6]; … }
    for (const field of ["ent", "id", "args"]) assert.ok(fields.includes(field), `${field} in ${fields.join(", ")}`);
    await client.change(tracingUri, { start: anchor, end: { line: typed.line, character: typed.character } }, "\n    small_reads.");
    const methods = labels(await client.connection.sendRequest(CompletionRequest.type, {
      textDocument: { uri: tracingUri }, position: { line: anchor.line + 1, character: "    small_reads.".length },
    }));
    assert.deepEqual(methods.sort(), ["cpus", "per_cpu", "print"]);
    const cleared = client.nextDiagnostics(tracingUri, (p) => p.diagnostics.length === 0);
    await client.change(tracingUri, { start: anchor, end: { line: anchor.line + 1, character: "    small_reads.".length } }, "");
    await cleared;
  });

  it("completes names in scope and tracepoint names from the running kernel", async () => {
    const inFunction = positionIn(tracingText, "    read_sizes[log2(size)] += 1");
    const names = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: tracingUri }, position: inFunction }));
    for (const name of ["size", "ctx", "read_sizes", "last_true", "Exec", "u32", "if", "pid"]) assert.ok(names.includes(name), name);
    const inTarget = positionIn(tracingText, "@tracepoint(\"sched/", "@tracepoint(\"".length);
    const events = labels(await client.connection.sendRequest(CompletionRequest.type, { textDocument: { uri: tracingUri }, position: inTarget }));
    // (On a failure, what tracefs lists for this process too: a server that got nothing
    // from a tracefs that answers here is our bug, not the machine's.)
    const here = (): string => {
      try {
        return `${readdirSync("/sys/kernel/tracing/events/sched").length} sched entries in tracefs here`;
      } catch (error) {
        return `tracefs unreadable here: ${(error as Error).message}`;
      }
    };
    assert.ok(events.includes("sched/sched_process_exec"), `${events.length} completions (${events.slice(0, 5).join(", ")}); ${here()}`);
  });

  it("finds references and renames a map (the workspace edit), refusing a kernel name", async () => {
    const declaration = positionIn(tracingText, "var buckets", 4);
    const refs = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: tracingUri }, position: declaration, context: { includeDeclaration: true },
    })) as Location[];
    const expected = tracingText.split(/\bbuckets\[|var buckets/).length - 1;
    assert.equal(refs.length, expected);
    assert.ok(refs.every((r) => textOf(tracingText, r.range) === "buckets"));

    const prepared = await client.connection.sendRequest(PrepareRenameRequest.type, { textDocument: { uri: tracingUri }, position: declaration });
    assert.deepEqual(prepared && "placeholder" in prepared ? prepared.placeholder : undefined, "buckets");
    const edit = (await client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: tracingUri }, position: declaration, newName: "slots" })) as WorkspaceEdit;
    const edits: TextEdit[] = edit.changes?.[tracingUri] ?? [];
    assert.equal(edits.length, expected);
    assert.ok(edits.every((e) => e.newText === "slots" && textOf(tracingText, e.range) === "buckets"));

    const kernelField = positionIn(tracingText, "ctx.args[2]", 5);
    await assert.rejects(
      client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: tracingUri }, position: kernelField, newName: "argv" }),
      (error: unknown) => error instanceof ResponseError && /kernel struct/.test(error.message),
    );
    await assert.rejects(
      client.connection.sendRequest(RenameRequest.type, { textDocument: { uri: tracingUri }, position: declaration, newName: "while" }),
      (error: unknown) => error instanceof ResponseError && /keyword/.test(error.message),
    );
  });

  it("lists the document's symbols", async () => {
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: tracingUri } })) as DocumentSymbol[];
    const names = symbols.map((s) => s.name);
    for (const name of ["Exec", "last_true", "read_sizes", "on_exec", "on_read", "buckets", "bucket_of"]) assert.ok(names.includes(name), name);
    const exec = symbols.find((s) => s.name === "Exec");
    assert.deepEqual(exec?.children?.map((c) => c.name), ["pid", "ppid", "uid", "comm", "file"]);
  });

  it("colours tokens with the standard types", async () => {
    const tokens = (await client.connection.sendRequest(SemanticTokensRequest.type, { textDocument: { uri: tracingUri } })) as SemanticTokens;
    const decoded: { line: number; character: number; length: number; type: string; modifiers: string[] }[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      const [dLine, dChar, length, type, bits] = tokens.data.slice(i, i + 5) as [number, number, number, number, number];
      line += dLine;
      character = dLine === 0 ? character + dChar : dChar;
      decoded.push({ line, character, length, type: semanticTokenTypes[type]!, modifiers: semanticTokenModifiers.filter((_, b) => (bits & (1 << b)) !== 0) });
    }
    const at = (needle: string, offset = 0): (typeof decoded)[number] | undefined => {
      const p = positionIn(tracingText, needle, offset);
      return decoded.find((t) => t.line === p.line && t.character === p.character);
    };
    assert.equal(at("fn on_exec")?.type, "keyword");
    const map = at("var last_true", 4);
    assert.equal(map?.type, "namespace");
    assert.deepEqual(map?.modifiers, ["declaration"]);
    assert.equal(at("@tracepoint(\"sched")?.type, "macro");
    assert.equal(at("fn on_read(ctx", 11)?.type, "parameter");
    assert.equal(at("ctx.args[2]", 4)?.type, "property");
    assert.equal(at("\"sched/sched_process_exec\"")?.type, "string");
    assert.equal(at("// Tracing built-ins")?.type, "comment");
  });

  it("formats the document as `kernelscript fmt` does", async () => {
    const messy = tracingText.replace("    return 0\n}\n\n// Raw", "        return    0\n}\n\n// Raw");
    assert.notEqual(messy, tracingText);
    const lines = tracingText.split("\n");
    const whole = { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1]!.length } };
    await client.change(tracingUri, whole, messy);
    const edits = (await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri: tracingUri }, options: { tabSize: 4, insertSpaces: true },
    })) as TextEdit[];
    const expected = formatSource(join(repoRoot, tracing), messy);
    assert.equal(expected.kind, "formatted");
    assert.equal(edits.length, 1);
    assert.equal(edits[0]!.newText, expected.kind === "formatted" ? expected.text : "");
    assert.ok(!edits[0]!.newText.includes("return    0"));
  });

  it("goes to a definition across an include and across an import", async () => {
    const program = "tests/cases/emit/sched-ext-compat.ks";
    const header = "tests/cases/emit/sched-ext-compat.kh";
    const programText = read(program);
    await client.open(uriOf(program), programText);
    for (const [needle, offset, name] of [["SCX_DSQ_GLOBAL, 5000000", 0, "SCX_DSQ_GLOBAL"], ["p: *task_struct", 4, "task_struct"]] as const) {
      const [found] = (await client.connection.sendRequest(DefinitionRequest.type, {
        textDocument: { uri: uriOf(program) }, position: positionIn(programText, needle, offset + 2),
      })) as Location[];
      assert.equal(found?.uri, uriOf(header), name);
      assert.equal(textOf(read(header), found!.range), name);
    }
    const [file] = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uriOf(program) }, position: positionIn(programText, "include \"sched-ext-compat.kh\"", 10),
    })) as Location[];
    assert.deepEqual(file, { uri: uriOf(header), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    // Asked in the header itself: answered through the open program that includes it.
    const headerText = read(header);
    await client.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: uriOf(header), languageId: "kernelscript", version: 1, text: headerText } });
    const uses = (await client.connection.sendRequest(ReferencesRequest.type, {
      textDocument: { uri: uriOf(header) }, position: positionIn(headerText, "SCX_DSQ_GLOBAL", 1), context: { includeDeclaration: false },
    })) as Location[];
    assert.deepEqual(uses.map((u) => `${u.uri === uriOf(program) ? "program" : u.uri}:${textOf(programText, u.range)}`), ["program:SCX_DSQ_GLOBAL", "program:SCX_DSQ_GLOBAL"]);

    const demo = "examples/upstream/import_demo.ks";
    const demoText = read(demo);
    await client.open(uriOf(demo), demoText);
    const [fn] = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uriOf(demo) }, position: positionIn(demoText, "utils.too_short", 7),
    })) as Location[];
    const module = "examples/upstream/import/simple_utils.ks";
    assert.equal(fn?.uri, uriOf(module));
    assert.equal(textOf(read(module), fn!.range), "too_short");
    const [type] = (await client.connection.sendRequest(DefinitionRequest.type, {
      textDocument: { uri: uriOf(demo) }, position: positionIn(demoText, "Limits {", 1),
    })) as Location[];
    assert.equal(type?.uri, uriOf(module));
    assert.equal(textOf(read(module), type!.range), "Limits");
  });
});

function offsetOf(text: string, position: { line: number; character: number }): number {
  const lines = text.split("\n");
  return lines.slice(0, position.line).reduce((n, l) => n + l.length + 1, 0) + position.character;
}
