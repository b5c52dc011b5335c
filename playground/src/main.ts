// The playground page: a KernelScript editor on the left, what the compiler makes of it
// on the right (NAME.bpf.c and the loader NAME.c side by side, the other files, the
// tests), the diagnostics as the CLI prints them under the editor and as markers in it.
// Every compile runs in the worker (worker.ts), debounced after each edit.

import { basicSetup } from "codemirror";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap } from "@codemirror/view";
import { cpp } from "@codemirror/lang-cpp";
import { lintGutter, setDiagnostics, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { kernelscript } from "./kernelscript-language.js";
import { CompilerClient } from "./compiler-client.js";
import { decodeShare, encodeShare } from "./share.js";
import { cLinesAt, mappedLineHighlighting, showMappedLines, type LineMapping } from "./source-map.js";
import { parseLineMap } from "../../src/compiler/verifier/line-map.js";
import type { ExampleFile, MarkerData, OutputFile, TestResultData } from "./protocol.js";
import { markdownLines, withLocationLinks } from "./text-views.js";

const defaultExample = "seed_packet_filter.ks";
/** After the last keystroke, before compiling. */
const compileDelayMs = 200;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

// bench/playground.ts reads these marks (time from navigation start).
performance.mark("kernelscript-page-script");
const client = startCompiler();

/** The worker, or (where the browser refuses to start one) a page that says why. */
function startCompiler(): CompilerClient {
  try {
    return new CompilerClient(new URL("./compiler-worker.js", import.meta.url));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    element("status").textContent = "the compiler could not start";
    element("diagnostics").textContent =
      `The browser refused to start the compiler's worker (${reason}).\n` +
      "Serve the playground's folder over HTTP, e.g. `python3 -m http.server -d build/playground`: browsers do not start workers for pages opened from file://.";
    throw error;
  }
}
void client.ready.then(() => performance.mark("kernelscript-worker-ready"));

/** The main file's path as the worker's Host knows it (an example's, so its includes resolve). */
let currentPath = defaultExample;
let compileTimer: ReturnType<typeof setTimeout> | undefined;
let latestCompile = 0;
let outputs: readonly OutputFile[] = [];
/** The text `outputs` were compiled from, and its line map (NAME.bpf.map.json). */
let outputSource: string | undefined;
let lineMap: readonly LineMapping[] = [];
let mappedCLines: readonly number[] = [];
let firstOutputShown = false;

// ---------------------------------------------------------------------------------------
// Editors

const completionSource = async (context: CompletionContext): Promise<CompletionResult | null> => {
  const word = context.matchBefore(/[\w@]*/);
  const before = context.state.sliceDoc(Math.max(0, context.pos - 2), context.pos);
  if (!context.explicit && (!word || word.from === word.to) && !/(\.|->|@)$/.test(before)) return null;
  const answer = await client.ask("complete", { path: currentPath, text: context.state.doc.toString(), offset: context.pos }, "completions");
  if (context.aborted || answer.items.length === 0) return null;
  return { from: answer.from, options: answer.items.map((item) => ({ label: item.label, type: item.type, ...(item.detail === undefined ? {} : { detail: item.detail }) })), validFor: /^\w*$/ };
};

const hoverSource = hoverTooltip(async (view, pos) => {
  const answer = await client.ask("hover", { path: currentPath, text: view.state.doc.toString(), offset: pos }, "hovered");
  if (answer.text === undefined) return null;
  const text = answer.text;
  return {
    pos: answer.from,
    end: answer.to,
    create: () => {
      const dom = document.createElement("div");
      dom.className = "hover";
      dom.append(...markdownLines(text));
      return { dom };
    },
  };
});

const editor = new EditorView({
  parent: element("editor"),
  state: EditorState.create({
    doc: "",
    extensions: [
      // Before basicSetup's keymaps: Mod-Enter would otherwise insert a blank line.
      keymap.of([{ key: "Mod-Enter", run: () => (void run(), true) }, { key: "Shift-Alt-f", run: () => (void format(), true) }]),
      basicSetup,
      kernelscript,
      lintGutter(),
      autocompletion({ override: [completionSource] }),
      hoverSource,
      EditorView.updateListener.of((update) => {
        if (update.docChanged) scheduleCompile();
        else if (update.selectionSet) showCForCursor();
      }),
    ],
  }),
});

function readOnlyView(parent: HTMLElement, ...extensions: Extension[]): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({ doc: "", extensions: [basicSetup, ...extensions, EditorState.readOnly.of(true), EditorView.editable.of(false)] }),
  });
}

const bpfView = readOnlyView(element("bpf-c"), cpp(), mappedLineHighlighting);
const loaderView = readOnlyView(element("loader-c"), cpp());
const otherView = readOnlyView(element("other-file"), cpp());

function replaceText(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

// ---------------------------------------------------------------------------------------
// Compiling and showing the results

function scheduleCompile(): void {
  clearTimeout(compileTimer);
  element("status").textContent = "editing…";
  compileTimer = setTimeout(() => void compileNow(), compileDelayMs);
}

function lintDiagnostics(markers: readonly MarkerData[], length: number): LintDiagnostic[] {
  return markers.map((m) => ({
    from: Math.min(m.from, length),
    to: Math.min(Math.max(m.to, m.from), length),
    severity: m.severity,
    message: m.message,
    source: m.code,
  }));
}

async function compileNow(): Promise<void> {
  const text = editor.state.doc.toString();
  const path = currentPath;
  const answer = client.ask("compile", { path, text }, "compiled");
  const id = client.lastId;
  latestCompile = id;
  let result;
  try {
    result = await answer;
  } catch (error) {
    showCrash(error);
    return;
  }
  // A newer compile is on its way; its answer will be shown instead.
  if (id !== latestCompile || editor.state.doc.toString() !== text) return;
  editor.dispatch(setDiagnostics(editor.state, lintDiagnostics(result.markers, editor.state.doc.length)));
  showDiagnostics(result.rendered, result.errors, result.warnings);
  const status = result.errors > 0
    ? `${plural(result.errors, "error")}${result.warnings > 0 ? `, ${plural(result.warnings, "warning")}` : ""}`
    : `compiled in ${result.milliseconds.toFixed(0)} ms${result.warnings > 0 ? `, ${plural(result.warnings, "warning")}` : ""}`;
  element("status").textContent = status;
  document.body.dataset["compiled"] = String(id);
  document.body.dataset["compileMs"] = result.milliseconds.toFixed(1);
  if (result.files.length > 0) {
    showOutputs(result.files);
    outputSource = text;
    lineMap = parseLineMap(result.files.find((f) => f.path.endsWith(".bpf.map.json"))?.text ?? "")?.mappings ?? [];
  }
  // With errors the views keep the last C this file compiled to, and say so (playground.css).
  else if (outputs.length > 0) document.body.dataset["outputStale"] = "true";
  else {
    const name = currentPath.slice(currentPath.lastIndexOf("/") + 1).replace(/\.ks$/, "");
    element("bpf-c-name").textContent = `${name}.bpf.c: none, the file has errors`;
    element("loader-c-name").textContent = `${name}.c: none, the file has errors`;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function showDiagnostics(rendered: string, errors: number, warnings: number): void {
  const pane = element("diagnostics");
  pane.replaceChildren(...(rendered === "" ? ["no diagnostics"] : withLocationLinks(rendered, currentPath, goTo)));
  pane.className = errors > 0 ? "has-errors" : warnings > 0 ? "has-warnings" : "clean";
}

/** Puts the cursor at 1-based line:column of the edited file (a diagnostic's location). */
function goTo(lineNumber: number, column: number): void {
  if (lineNumber > editor.state.doc.lines) return;
  const target = editor.state.doc.line(lineNumber);
  editor.dispatch({ selection: { anchor: Math.min(target.from + column - 1, target.to) }, scrollIntoView: true });
  editor.focus();
}

function showOutputs(files: readonly OutputFile[]): void {
  outputs = files;
  delete document.body.dataset["outputStale"];
  const bpf = files.find((f) => f.path.endsWith(".bpf.c"));
  const loader = files.find((f) => f.path.endsWith(".c") && !f.path.endsWith(".bpf.c") && !f.path.endsWith(".mod.c"));
  element("bpf-c-name").textContent = bpf?.path ?? "(no eBPF C)";
  element("loader-c-name").textContent = loader?.path ?? "(no loader)";
  replaceText(bpfView, bpf?.text ?? "");
  replaceText(loaderView, loader?.text ?? "");
  const select = element<HTMLSelectElement>("other-files");
  const chosen = select.value;
  select.replaceChildren(...files.map((f) => new Option(f.path, f.path)));
  select.value = files.some((f) => f.path === chosen) ? chosen : (files[0]?.path ?? "");
  // The "all files" view is filled when it is shown: a hidden C view still costs a parse.
  if (currentTab === "files") showOtherFile();
  if (!firstOutputShown) {
    firstOutputShown = true;
    // From navigation start (performance's time origin) to the first C on screen: bench/playground.ts reads it.
    performance.mark("kernelscript-first-output");
    document.body.dataset["firstOutputMs"] = performance.now().toFixed(1);
  }
}

/** The eBPF C lines made from the statement under the cursor, while the outputs are of this text. */
function showCForCursor(): void {
  if (outputSource !== editor.state.doc.toString()) return;
  const head = editor.state.selection.main.head;
  const line = editor.state.doc.lineAt(head);
  mappedCLines = cLinesAt(lineMap, currentPath, line.number, head - line.from + 1);
  showMappedLines(bpfView, mappedCLines);
}

function showOtherFile(): void {
  const chosen = element<HTMLSelectElement>("other-files").value;
  replaceText(otherView, outputs.find((f) => f.path === chosen)?.text ?? "");
}

function showCrash(error: unknown): void {
  const pane = element("diagnostics");
  pane.className = "has-errors";
  pane.textContent = `internal error in the playground's compiler (a bug; please report it with the share link):\n${error instanceof Error ? error.message : String(error)}`;
  element("status").textContent = "internal error";
}

// ---------------------------------------------------------------------------------------
// Tabs, examples, format, share, run

let currentTab = "";

function showTab(name: string): void {
  currentTab = name;
  if (name === "files") showOtherFile();
  for (const tab of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) tab.setAttribute("aria-selected", String(tab.dataset["tab"] === name));
  for (const pane of document.querySelectorAll<HTMLElement>("[data-pane]")) pane.hidden = pane.dataset["pane"] !== name;
  // A view measured while hidden has no size; ask it to measure again.
  for (const view of [bpfView, loaderView, otherView]) view.requestMeasure();
}

/** Another file: the views must not show the last one's C as this one's. */
function clearOutputs(): void {
  outputs = [];
  outputSource = undefined;
  lineMap = [];
  mappedCLines = [];
  delete document.body.dataset["outputStale"];
  for (const view of [bpfView, loaderView, otherView]) replaceText(view, "");
  element("other-files").replaceChildren();
  element("bpf-c-name").textContent = "…";
  element("loader-c-name").textContent = "…";
}

function loadFile(path: string, text: string): void {
  if (path !== currentPath) clearOutputs();
  currentPath = path;
  element("file-name").textContent = path;
  const menu = element<HTMLSelectElement>("examples");
  menu.value = [...menu.options].some((o) => o.value === path) ? path : "";
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text }, selection: { anchor: 0 } });
  editor.scrollDOM.scrollTop = 0;
  clearTimeout(compileTimer);
  void compileNow();
}

async function format(): Promise<void> {
  const answer = await client.ask("format", { path: currentPath, text: editor.state.doc.toString() }, "formatted");
  if (answer.text !== undefined) replaceText(editor, answer.text);
  else showDiagnostics(answer.rendered, 1, 0);
}

async function share(): Promise<void> {
  const fragment = await encodeShare(currentPath, editor.state.doc.toString());
  const url = new URL(location.href);
  url.hash = fragment;
  history.replaceState(null, "", url);
  const field = element<HTMLInputElement>("share-link");
  field.value = url.href;
  field.hidden = false;
  field.select();
  try {
    await navigator.clipboard.writeText(url.href);
    element("status").textContent = "share link copied";
  } catch {
    element("status").textContent = "share link below the toolbar";
  }
}

function showTests(tests: readonly TestResultData[], rendered: string): void {
  const list = element("tests");
  list.replaceChildren();
  for (const test of tests) {
    const item = document.createElement("li");
    item.className = `test ${test.status}`;
    item.dataset["status"] = test.status;
    const head = document.createElement("div");
    const mark = test.status === "pass" ? "✓" : test.status === "fail" ? "✗" : "–";
    head.textContent = `${mark} ${test.name} (${test.status}, ${test.durationMs.toFixed(1)} ms)${test.line === undefined ? "" : ` line ${test.line}`}`;
    item.append(head);
    const tracePipe = test.tracePipe.length === 0 ? "" : test.tracePipe.map((line) => `trace_pipe: ${line}`).join("\n");
    for (const extra of [test.message, test.output, tracePipe]) {
      if (extra === undefined || extra === "") continue;
      const pre = document.createElement("pre");
      pre.textContent = extra;
      item.append(pre);
    }
    list.append(item);
  }
  const summary = element("tests-summary");
  const passed = tests.filter((t) => t.status === "pass").length;
  const failed = tests.filter((t) => t.status === "fail").length;
  summary.textContent = tests.length === 0 ? rendered || "no tests ran" : `${passed} passed, ${failed} failed, ${tests.length - passed - failed} skipped${rendered === "" ? "" : `\n\n${rendered}`}`;
}

async function run(): Promise<void> {
  showTab("tests");
  element("tests-summary").textContent = "running…";
  element("tests").replaceChildren();
  try {
    const answer = await client.ask("run", { path: currentPath, text: editor.state.doc.toString() }, "ran");
    showTests(answer.tests, answer.rendered);
    if (answer.markers.length > 0) editor.dispatch(setDiagnostics(editor.state, lintDiagnostics(answer.markers, editor.state.doc.length)));
  } catch (error) {
    element("tests-summary").textContent = `internal error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function fillMenu(examples: readonly ExampleFile[]): void {
  const menu = element<HTMLSelectElement>("examples");
  // One group per directory of examples/ (the tour, then tools/).
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const example of examples) {
    const slash = example.path.lastIndexOf("/");
    const directory = slash < 0 ? "examples" : `examples/${example.path.slice(0, slash)}`;
    let group = groups.get(directory);
    if (!group) {
      group = Object.assign(document.createElement("optgroup"), { label: directory });
      groups.set(directory, group);
    }
    group.append(new Option(example.path.slice(slash + 1), example.path));
  }
  menu.replaceChildren(new Option("examples…", ""), ...groups.values());
  menu.addEventListener("change", () => {
    const example = examples.find((e) => e.path === menu.value);
    if (!example) return;
    // The page now shows an example, not the shared file: a reload must not bring that back.
    history.replaceState(null, "", location.pathname + location.search);
    element<HTMLInputElement>("share-link").hidden = true;
    loadFile(example.path, example.text);
  });
}

async function start(): Promise<void> {
  for (const tab of document.querySelectorAll<HTMLButtonElement>("[data-tab]")) tab.addEventListener("click", () => showTab(tab.dataset["tab"]!));
  element("other-files").addEventListener("change", showOtherFile);
  element("format").addEventListener("click", () => void format());
  element("share").addEventListener("click", () => void share());
  element("run").addEventListener("click", () => void run());
  showTab("c");
  const [examples, shared] = await Promise.all([client.ready, decodeShare(location.hash)]);
  fillMenu(examples);
  const first = shared ?? examples.find((e) => e.path === defaultExample) ?? examples[0];
  if (first) loadFile(first.path, first.text);
}

/** For the browser test and the bench: the editor's full text and the outputs (views draw only what is visible). */
(globalThis as { kernelscriptPlayground?: unknown }).kernelscriptPlayground = {
  source: () => editor.state.doc.toString(),
  path: () => currentPath,
  output: (suffix: string) => outputs.find((f) => f.path.endsWith(suffix))?.text,
  select: (from: number, to: number) => {
    editor.focus();
    editor.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  },
  lineOf: (node: Node) => editor.state.doc.lineAt(editor.posAtDOM(node)).number,
  /** 1-based line and column of the cursor. */
  cursor: () => {
    const head = editor.state.selection.main.head;
    const line = editor.state.doc.lineAt(head);
    return { line: line.number, column: head - line.from + 1 };
  },
  /** The text of the eBPF C lines highlighted for the cursor. */
  mappedC: () => mappedCLines.map((n) => bpfView.state.doc.line(n).text),
  /** The middle of the character at `offset` on screen. */
  coordsOf: (offset: number) => {
    const box = editor.coordsAtPos(offset, 1);
    return box === null ? undefined : { x: (box.left + box.right) / 2 + 1, y: (box.top + box.bottom) / 2 };
  },
};

void start();
