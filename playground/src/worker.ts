// The compiler in a Web Worker: the page posts the editor's text, the worker answers with
// diagnostics (as editor markers and as the CLI renders them) and the generated files.
// A compile runs here so that typing never waits for one. Only the pure core is used
// (src/compiler/: no Node APIs); the Host reads the edited file from the request and
// every other file from the examples bundled in at build time. There is no kernel here:
// no BTF, no tracefs, so kernel types come from the core's built-in table only.

import { files as exampleFiles, menu } from "playground:examples";
import { compile, formatSource, makeSourceFile, type Host, type SourceSet } from "../../src/compiler/index.js";
import { analyzeFile, complete, DocumentView, hover, type Analysis } from "../../src/compiler/service/index.js";
import type { Request, Response } from "./protocol.js";
import { markersOf, renderText } from "./diagnostic-data.js";
import { runTests } from "./run-tests.js";

const scope = self as unknown as { postMessage(message: Response): void; onmessage: ((event: MessageEvent<Request>) => void) | null };

function post(message: Response): void {
  scope.postMessage(message);
}

/** The edited file from the request, every other file from the bundled examples. */
function hostFor(path: string, text: string): Host {
  // Own keys only: `include "constructor"` must find no file, not Object's prototype.
  return { readFile: (file) => (file === path ? text : Object.hasOwn(exampleFiles, file) ? exampleFiles[file] : undefined) };
}

function compileRequest(id: number, path: string, text: string): Response {
  const started = performance.now();
  const result = compile(path, hostFor(path, text), {});
  if (result.semantics !== undefined) lastCheckedText = { path, text };
  return {
    kind: "compiled",
    id,
    markers: markersOf(result.diagnostics, result.sources, path),
    rendered: renderText(result.diagnostics, result.sources, path),
    files: result.files.map((f) => ({ path: f.path, text: f.text })),
    errors: result.diagnostics.filter((d) => d.severity === "error").length,
    warnings: result.diagnostics.filter((d) => d.severity === "warning").length,
    milliseconds: performance.now() - started,
  };
}

function formatRequest(id: number, path: string, text: string): Response {
  const result = formatSource(path, text);
  switch (result.kind) {
    case "formatted":
      return { kind: "formatted", id, text: result.text, rendered: "" };
    case "notParsed": {
      const sources: SourceSet = new Map([[path, makeSourceFile(path, text)]]);
      return { kind: "formatted", id, text: undefined, rendered: renderText(result.diagnostics, sources, path) };
    }
    case "internalError":
      return { kind: "formatted", id, text: undefined, rendered: `error: ${result.message}` };
  }
}

// The language service answers from the last analysis that checked, seen through the
// current text (as the language server does), so completion works mid-edit, when the text
// does not parse. The live compile remembers the last text whose front end passed.
let lastCheckedText: { readonly path: string; readonly text: string } | undefined;
let lastChecked: Analysis | undefined;

function viewOf(path: string, text: string): DocumentView {
  const analysis = analyzeFile(path, hostFor(path, text));
  if (analysis.semantics !== undefined) {
    lastChecked = analysis;
    return new DocumentView(analysis, text);
  }
  if (lastCheckedText?.path === path && (lastChecked?.path !== path || lastChecked.text !== lastCheckedText.text)) {
    lastChecked = analyzeFile(path, hostFor(path, lastCheckedText.text));
  }
  return new DocumentView(lastChecked?.path === path && lastChecked.semantics !== undefined ? lastChecked : analysis, text);
}

function handle(request: Request): Response {
  switch (request.kind) {
    case "compile":
      return compileRequest(request.id, request.path, request.text);
    case "format":
      return formatRequest(request.id, request.path, request.text);
    case "run":
      return { kind: "ran", id: request.id, ...runTests(request.path, hostFor(request.path, request.text)) };
    case "complete": {
      const view = viewOf(request.path, request.text);
      const word = /\w*$/.exec(request.text.slice(0, request.offset))![0];
      const items = complete(view, request.path, request.offset, hostFor(request.path, request.text));
      return { kind: "completions", id: request.id, from: request.offset - word.length, items: items.map((i) => ({ label: i.label, type: i.kind, ...(i.detail === undefined ? {} : { detail: i.detail }) })) };
    }
    case "hover": {
      const answer = hover(viewOf(request.path, request.text), request.path, request.offset);
      return answer === undefined
        ? { kind: "hovered", id: request.id, from: request.offset, to: request.offset, text: undefined }
        : { kind: "hovered", id: request.id, from: answer.span.start, to: answer.span.end, text: answer.contents };
    }
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  try {
    post(handle(request));
  } catch (error) {
    post({ kind: "crashed", id: request.id, message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
  }
};

post({ kind: "ready", examples: menu.map((path) => ({ path, text: exampleFiles[path] ?? "" })) });
