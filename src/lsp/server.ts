//! `kernelscript lsp`: the language server, on `vscode-languageserver` over stdio. It
//! serves the pure language service (src/compiler/service/) and adds only what needs
//! Node: the documents the editor has open (a Host that reads them before the disk),
//! scheduling, and the protocol's shapes.
//!
//! Latency: a change only marks its document and schedules a check after a short pause
//! (`debounceMs`); requests in between are answered at once from the last analysis
//! (offsets translated through the edit, `DocumentView`), and while the text does not
//! parse from the last analysis that had semantics. Rename and references are asked
//! rarely and must be exact: they check first when the text changed.

import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  createConnection, TextDocuments, TextDocumentSyncKind, CompletionItemKind, SymbolKind, ResponseError, ErrorCodes,
  SemanticTokensBuilder, type Connection, type DocumentSymbol, type Location, type TextEdit, type CompletionItem,
  type MessageReader, type MessageWriter, type SemanticTokens,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Host, SourceFile } from "../compiler/index.js";
import { makeSourceFile } from "../compiler/index.js";
import {
  analyzeFile, DocumentView, hover, definition, references, prepareRename, rename, complete, documentSymbols,
  semanticTokens, semanticTokenTypes, semanticTokenModifiers, type Analysis, type CompletionKind, type OutlineKind, type OutlineSymbol,
} from "../compiler/service/index.js";
import { NodeHost } from "../cli/node-host.js";
import { offsetOf, positionOf, rangeOf, toLspDiagnostic, uriOf } from "./positions.js";
import { formatDocument } from "./formatting.js";

export interface ServerOptions {
  readonly reader: MessageReader;
  readonly writer: MessageWriter;
  /** What relative paths are relative to. */
  readonly cwd: string;
  /** Pause after the last change before checking (default 150 ms; `KS_LSP_DEBOUNCE_MS`). */
  readonly debounceMs?: number;
}

/** One open document and what is known about it. */
interface DocumentState {
  readonly uri: string;
  readonly path: string;
  /** The last analysis, of the text at its time. */
  analysis: Analysis | undefined;
  /** The last analysis with semantics (the text parsed and checked). */
  lastGood: Analysis | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** URIs diagnostics were published for, to clear them when they go away. */
  published: Set<string>;
  /** The last semantic tokens, with the analysis and text they were made from. */
  tokens?: { readonly analysis: Analysis; readonly text: string; readonly result: SemanticTokens };
}

/** Starts serving; the returned connection is listening. */
export function startServer(options: ServerOptions): Connection {
  const connection = createConnection(options.reader, options.writer);
  const documents = new TextDocuments(TextDocument);
  const disk = new NodeHost(options.cwd);
  const states = new Map<string, DocumentState>();
  const debounceMs = options.debounceMs ?? 150;
  const diagnosticsDoc = findDiagnosticsDoc();

  const openText = (path: string): string | undefined => documents.get(uriOf(path))?.getText();
  const host: Host = {
    readFile: (path) => openText(path) ?? disk.readFile(path),
    readKernelBtf: () => disk.readKernelBtf(),
    readTracepoints: () => disk.readTracepoints(),
    readTracepointFormat: (category, event) => disk.readTracepointFormat(category, event),
  };

  const stateOf = (uri: string): DocumentState => {
    let state = states.get(uri);
    if (!state) {
      state = { uri, path: fileURLToPath(uri), analysis: undefined, lastGood: undefined, timer: undefined, published: new Set() };
      states.set(uri, state);
    }
    return state;
  };

  /** Only `.ks` files are programs; a `.kh` header is served through a program that includes it. */
  const isProgram = (uri: string): boolean => !uri.endsWith(".kh");

  const checkNow = (state: DocumentState): Analysis | undefined => {
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    let analysis: Analysis;
    try {
      analysis = analyzeFile(state.path, host);
    } catch (error) {
      // A bug of the compiler on this text: said once in the editor's log; the server
      // goes on serving from the last analysis.
      connection.console.error(`internal compiler error while checking ${state.path}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      return undefined;
    }
    state.analysis = analysis;
    if (analysis.semantics) state.lastGood = analysis;
    publish(state, analysis);
    // The occurrence index is made now, while the editor is idle, not by the next request.
    setImmediate(() => {
      if (state.analysis === analysis) analysis.occurrences();
    });
    return analysis;
  };

  const publish = (state: DocumentState, analysis: Analysis): void => {
    const byUri = new Map<string, ReturnType<typeof toLspDiagnostic>[]>([[state.uri, []]]);
    for (const diagnostic of analysis.result.diagnostics) {
      const converted = toLspDiagnostic(diagnostic, analysis.result.sources);
      if (!converted) continue;
      if (diagnosticsDoc) converted.codeDescription = { href: `${diagnosticsDoc}#${diagnostic.code}` };
      const uri = uriOf(diagnostic.primary.span.file);
      byUri.set(uri, [...(byUri.get(uri) ?? []), converted]);
    }
    for (const uri of state.published) if (!byUri.has(uri)) byUri.set(uri, []);
    state.published = new Set([...byUri].filter(([, list]) => list.length > 0).map(([uri]) => uri));
    const version = documents.get(state.uri)?.version;
    for (const [uri, list] of byUri) {
      void connection.sendDiagnostics({ uri, diagnostics: list.flatMap((d) => d ?? []), ...(uri === state.uri && version !== undefined ? { version } : {}) });
    }
  };

  // The last change or request: a check (hundreds of ms for a large file, and nothing
  // else runs meanwhile) waits until the editor has been quiet for `debounceMs`.
  let lastActivity = 0;
  const arm = (state: DocumentState, delay: number): void => {
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      state.timer = undefined;
      const quiet = performance.now() - lastActivity;
      if (quiet < debounceMs) arm(state, debounceMs - quiet);
      else if (documents.get(state.uri)) checkNow(state);
    }, delay);
  };
  const schedule = (state: DocumentState): void => {
    lastActivity = performance.now();
    arm(state, debounceMs);
  };

  /** The programs whose last analysis read `path` (a header or module changed). */
  const dependents = (path: string): DocumentState[] =>
    [...states.values()].filter((s) => s.path !== path && s.analysis?.result.sources.has(path));

  documents.onDidOpen(({ document }) => {
    if (isProgram(document.uri)) checkNow(stateOf(document.uri));
  });
  documents.onDidChangeContent(({ document }) => {
    const path = fileURLToPath(document.uri);
    if (isProgram(document.uri)) schedule(stateOf(document.uri));
    for (const state of dependents(path)) schedule(state);
  });
  documents.onDidClose(({ document }) => {
    const state = states.get(document.uri);
    if (state?.timer) clearTimeout(state.timer);
    states.delete(document.uri);
    for (const uri of state?.published ?? []) void connection.sendDiagnostics({ uri, diagnostics: [] });
    // The programs including it read it from the disk again.
    for (const other of dependents(fileURLToPath(document.uri))) schedule(other);
  });

  /**
   * What a request about `uri` is answered from: the program's view of its current text,
   * and the file the position is in (a header is answered through a program including it).
   * `exact` checks first when the text changed since the last analysis.
   */
  const viewFor = (uri: string, exact = false): { view: DocumentView; file: string; source: SourceFile } | undefined => {
    lastActivity = performance.now();
    const path = fileURLToPath(uri);
    let state = states.get(uri);
    if (!state || !isProgram(uri)) state = dependents(path)[0];
    if (!state) return undefined;
    const document = documents.get(state.uri);
    const text = document?.getText() ?? state.analysis?.text ?? "";
    if (!state.analysis || (exact && state.analysis.text !== text) || (exact && state.timer)) checkNow(state);
    const base = state.analysis?.semantics ? state.analysis : (state.lastGood ?? state.analysis);
    if (!base) return undefined;
    const view = new DocumentView(base, text);
    const fileText = path === state.path ? text : (openText(path) ?? base.result.sources.get(path)?.text ?? "");
    return { view, file: path, source: makeSourceFile(path, fileText) };
  };

  /** The current source of `path` for positions in answers. */
  const sourceOf = (view: DocumentView, path: string): SourceFile | undefined => {
    if (path === view.analysis.path) return makeSourceFile(path, view.text);
    const open = openText(path);
    if (open !== undefined) return makeSourceFile(path, open);
    return view.analysis.result.sources.get(path);
  };

  const locationsOf = (view: DocumentView, spans: readonly { file: string; start: number; end: number }[]): Location[] => {
    const sources = new Map<string, SourceFile | undefined>();
    return spans.flatMap((span) => {
      if (!sources.has(span.file)) sources.set(span.file, sourceOf(view, span.file));
      const source = sources.get(span.file);
      return source ? [{ uri: uriOf(span.file), range: rangeOf(source, span) }] : [];
    });
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      completionProvider: { triggerCharacters: [".", ">", "@", "\""] },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...semanticTokenTypes], tokenModifiers: [...semanticTokenModifiers] }, full: true },
    },
    serverInfo: { name: "kernelscript" },
  }));

  connection.onHover(({ textDocument, position }) => {
    const found = viewFor(textDocument.uri);
    if (!found) return null;
    const answer = hover(found.view, found.file, offsetOf(found.source, position));
    if (!answer) return null;
    const source = sourceOf(found.view, answer.span.file);
    return { contents: { kind: "markdown", value: answer.contents }, ...(source ? { range: rangeOf(source, answer.span) } : {}) };
  });

  connection.onDefinition(({ textDocument, position }) => {
    const found = viewFor(textDocument.uri);
    return found ? locationsOf(found.view, definition(found.view, found.file, offsetOf(found.source, position))) : null;
  });

  connection.onReferences(({ textDocument, position, context }) => {
    const found = viewFor(textDocument.uri, true);
    return found ? locationsOf(found.view, references(found.view, found.file, offsetOf(found.source, position), context.includeDeclaration)) : null;
  });

  connection.onPrepareRename(({ textDocument, position }) => {
    const found = viewFor(textDocument.uri, true);
    if (!found) return null;
    const answer = prepareRename(found.view, found.file, offsetOf(found.source, position));
    if ("kind" in answer) throw new ResponseError(ErrorCodes.InvalidRequest, answer.reason);
    return { range: rangeOf(found.source, answer.span), placeholder: answer.placeholder };
  });

  connection.onRenameRequest(({ textDocument, position, newName }) => {
    const found = viewFor(textDocument.uri, true);
    if (!found) return null;
    const answer = rename(found.view, found.file, offsetOf(found.source, position), newName);
    if (answer.kind === "refused") throw new ResponseError(ErrorCodes.InvalidRequest, answer.reason);
    const changes: Record<string, TextEdit[]> = {};
    for (const edit of answer.edits) {
      const source = sourceOf(found.view, edit.span.file);
      if (!source) continue;
      (changes[uriOf(edit.span.file)] ??= []).push({ range: rangeOf(source, edit.span), newText: edit.newText });
    }
    return { changes };
  });

  connection.onCompletion(({ textDocument, position }) => {
    const found = viewFor(textDocument.uri);
    if (!found) return [];
    return complete(found.view, found.file, offsetOf(found.source, position), host).map((item): CompletionItem => ({
      label: item.label, kind: completionKinds[item.kind], ...(item.detail ? { detail: item.detail } : {}),
    }));
  });

  connection.onDocumentSymbol(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return [];
    const path = fileURLToPath(textDocument.uri);
    const source = makeSourceFile(path, document.getText());
    const convert = (symbol: OutlineSymbol): DocumentSymbol => ({
      name: symbol.name, kind: symbolKinds[symbol.kind], ...(symbol.detail ? { detail: symbol.detail } : {}),
      range: rangeOf(source, symbol.span), selectionRange: rangeOf(source, symbol.selection), children: symbol.children.map(convert),
    });
    return documentSymbols(path, document.getText()).map(convert);
  });

  connection.languages.semanticTokens.on(({ textDocument }) => {
    const found = viewFor(textDocument.uri);
    const builder = new SemanticTokensBuilder();
    if (!found || found.file !== found.view.analysis.path) return builder.build();
    // Editors ask again after every change; the same text and analysis give the same tokens.
    const state = states.get(textDocument.uri);
    const cached = state?.tokens;
    if (cached && cached.analysis === found.view.analysis && cached.text === found.view.text) return cached.result;
    const source = makeSourceFile(found.file, found.view.text);
    for (const token of semanticTokens(found.view)) {
      const position = positionOf(source, token.start);
      const modifiers = token.modifiers.reduce((bits, m) => bits | (1 << semanticTokenModifiers.indexOf(m)), 0);
      builder.push(position.line, position.character, token.length, semanticTokenTypes.indexOf(token.type), modifiers);
    }
    const result = builder.build();
    if (state) state.tokens = { analysis: found.view.analysis, text: found.view.text, result };
    return result;
  });

  connection.onDocumentFormatting(({ textDocument }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return null;
    const path = fileURLToPath(textDocument.uri);
    const answer = formatDocument(path, document.getText());
    if (answer.kind === "refused") throw new ResponseError(ErrorCodes.InvalidRequest, answer.reason);
    if (!answer.changed) return [];
    const source = makeSourceFile(path, document.getText());
    return [{ range: rangeOf(source, { file: path, start: 0, end: source.text.length }), newText: answer.text }];
  });

  documents.listen(connection);
  connection.listen();
  return connection;
}

const completionKinds: Readonly<Record<CompletionKind, CompletionItemKind>> = {
  keyword: CompletionItemKind.Keyword,
  variable: CompletionItemKind.Variable,
  function: CompletionItemKind.Function,
  field: CompletionItemKind.Field,
  method: CompletionItemKind.Method,
  struct: CompletionItemKind.Struct,
  enumMember: CompletionItemKind.EnumMember,
  module: CompletionItemKind.Module,
  constant: CompletionItemKind.Constant,
  type: CompletionItemKind.TypeParameter,
  attribute: CompletionItemKind.Keyword,
  event: CompletionItemKind.Event,
};

const symbolKinds: Readonly<Record<OutlineKind, SymbolKind>> = {
  function: SymbolKind.Function,
  map: SymbolKind.Object,
  variable: SymbolKind.Variable,
  struct: SymbolKind.Struct,
  enum: SymbolKind.Enum,
  field: SymbolKind.Field,
  enumMember: SymbolKind.EnumMember,
  config: SymbolKind.Namespace,
  type: SymbolKind.TypeParameter,
  module: SymbolKind.Module,
  impl: SymbolKind.Class,
};

/** `docs/diagnostics.md` of this installation, as a URL, when it is there. */
function findDiagnosticsDoc(): string | undefined {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = join(directory, "docs", "diagnostics.md");
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
    directory = dirname(directory);
  }
  return undefined;
}
