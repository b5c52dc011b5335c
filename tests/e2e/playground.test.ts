// The browser playground (playground/, built into build/playground/ by `make build`) in a
// real headless browser: Debian's chromium driven by playwright-core, the page served
// over HTTP on 127.0.0.1. It loads, an example picked from the menu shows its C (the same
// bytes the core gives in Node), an error typed into the editor shows the CLI's diagnostic
// text and a lint marker on the right line and columns (UTF-16 offsets after a
// surrogate pair), a share link opened in a new page restores the source, and the Run
// button runs the tests on the interpreter. A screenshot is left in
// build/playground-screenshot.png for review. The tests share one page and build on each
// other's state, in order (a user's session), so run the file whole.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { compile, formatSource, renderDiagnostics } from "../../src/compiler/index.js";
import { unknownName } from "../../src/compiler/diagnostics/catalog/names.js";
import { repoRoot } from "../harness/golden.js";
import { launchChromium, missingForBrowser, playgroundDir, serveDirectory, type LaunchedBrowser, type StaticServer } from "../harness/browser.js";

const missing = missingForBrowser();
const example = "socket_filter.ks";
const exampleText = readFileSync(join(repoRoot, "examples", example), "utf8");
const screenshot = join(repoRoot, "build", "playground-screenshot.png");

/** What the page exposes for tests (main.ts): the views draw only their visible lines. */
interface PlaygroundHandle {
  source(): string;
  path(): string;
  output(suffix: string): string | undefined;
  select(from: number, to: number): void;
  lineOf(node: unknown): number;
  coordsOf(offset: number): { x: number; y: number };
  mappedC(): string[];
  cursor(): { line: number; column: number };
}
declare const kernelscriptPlayground: PlaygroundHandle;
/** The little of the page's DOM the callbacks below read (they run in the browser; this program has no DOM types). */
interface PageElement {
  readonly textContent: string | null;
  readonly className: string;
  readonly hidden: boolean;
}
declare const document: { readonly body: { readonly dataset: Record<string, string | undefined> }; getElementById(id: string): PageElement | null };

async function waitForCompileAfter(page: Page, previous: string | undefined): Promise<void> {
  await page.waitForFunction((before) => document.body.dataset["compiled"] !== undefined && document.body.dataset["compiled"] !== before, previous);
}

describe("the browser playground", { skip: missing }, () => {
  let server: StaticServer;
  let chromium: LaunchedBrowser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    server = await serveDirectory(playgroundDir);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
  });

  after(async () => {
    if (page) await page.screenshot({ path: screenshot }).catch(() => undefined);
    await chromium?.close();
    await server?.close();
  });

  it("loads and compiles the default example", async () => {
    await page.goto(server.url);
    await page.waitForSelector("body[data-first-output-ms]");
    assert.equal(await page.textContent("#bpf-c-name"), "seed_packet_filter.bpf.c");
    // The menu: every examples/*.ks and examples/tools/*.ks, by directory.
    const onDisk = (dir: string): string[] => readdirSync(join(repoRoot, "examples", dir)).filter((f) => f.endsWith(".ks")).sort();
    const menu = await page.$$eval("#examples optgroup", (groups) => groups.map((g) => [g.getAttribute("label"), [...g.querySelectorAll("option")].map((o) => o.getAttribute("value"))]));
    assert.deepEqual(menu, [["examples", onDisk(".")], ["examples/tools", onDisk("tools").map((f) => `tools/${f}`)]]);
    assert.deepEqual(pageErrors, []);
  });

  it("says it needs a web server when opened from file://", async () => {
    const local = await chromium.context.newPage();
    try {
      await local.goto(pathToFileURL(join(playgroundDir, "index.html")).href);
      await local.waitForFunction(() => document.getElementById("status")?.textContent === "needs a web server");
      assert.match((await local.textContent("#diagnostics"))!, /python3 -m http\.server -d build\/playground/);
    } finally {
      await local.close();
    }
  });

  it("completes and hovers names through the language service, mid-edit", async () => {
    // "packet_co" typed before a statement: the text no longer parses, the last checked analysis answers.
    await page.evaluate(() => {
      const at = kernelscriptPlayground.source().indexOf("return XDP_PASS");
      kernelscriptPlayground.select(at, at);
    });
    await page.keyboard.type("packet_co");
    await page.keyboard.press("Control+Space");
    const option = page.locator(".cm-tooltip-autocomplete li", { hasText: "packet_counts" });
    await option.waitFor();
    assert.match((await option.textContent())!, /packet_counts.*u32, u64/);
    await page.keyboard.press("Escape");
    for (let i = 0; i < "packet_co".length; i++) await page.keyboard.press("Backspace");
    await page.waitForFunction(() => document.getElementById("diagnostics")?.textContent === "no diagnostics");

    const point = await page.evaluate(() => kernelscriptPlayground.coordsOf(kernelscriptPlayground.source().indexOf("packet_counts") + 3));
    await page.mouse.move(point.x, point.y);
    const tooltip = page.locator(".cm-tooltip-hover");
    await tooltip.waitFor();
    assert.match((await tooltip.textContent())!, /BPF_MAP_TYPE_HASH/);
    await page.mouse.move(0, 0);
  });

  it("shows the C of an example picked from the menu, as the core makes it in Node", async () => {
    const compiled = await page.evaluate(() => document.body.dataset["compiled"]);
    await page.selectOption("#examples", example);
    await waitForCompileAfter(page, compiled);
    await page.waitForFunction(() => document.getElementById("bpf-c-name")?.textContent === "socket_filter.bpf.c");
    const expected = compile(example, { readFile: (p) => (p === example ? exampleText : undefined) }).files;
    const bpf = await page.evaluate(() => kernelscriptPlayground.output(".bpf.c"));
    const loader = await page.evaluate(() => kernelscriptPlayground.output("socket_filter.c"));
    assert.equal(bpf, expected.find((f) => f.path === "socket_filter.bpf.c")?.text);
    assert.equal(loader, expected.find((f) => f.path === "socket_filter.c")?.text);
    assert.match(bpf!, /^SEC\("socket"\)$/m);
    // On screen too: the views draw the text, with C highlighting.
    assert.match((await page.textContent("#bpf-c .cm-content"))!, /SEC\(".maps"\)/);
    assert.equal(await page.textContent("#diagnostics"), "no diagnostics");

    // Every generated file is listed under "all files".
    await page.click("[data-tab=files]");
    const listed = await page.$$eval("#other-files option", (options) => options.map((o) => o.getAttribute("value")));
    assert.deepEqual(listed, expected.map((f) => f.path));
    await page.selectOption("#other-files", "Makefile");
    assert.match((await page.textContent("#other-file .cm-content"))!, /generated by kernelscript/);
    await page.click("[data-tab=c]");
  });

  it("compiles every example of the menu as the core does in Node without BTF (same diagnostics, same files)", async () => {
    const menu = await page.$$eval("#examples option", (options) => options.map((o) => o.getAttribute("value") ?? "").filter((v) => v !== ""));
    const readExample = (path: string): string | undefined => {
      try {
        return readFileSync(join(repoRoot, "examples", ...path.split("/")), "utf8");
      } catch {
        return undefined;
      }
    };
    for (const path of menu) {
      const expected = compile(path, { readFile: readExample });
      const rendered = expected.diagnostics.length === 0 ? "no diagnostics" : renderDiagnostics(expected.diagnostics, expected.sources, { color: false, inputName: path });
      const compiled = await page.evaluate(() => document.body.dataset["compiled"]);
      await page.selectOption("#examples", path);
      await waitForCompileAfter(page, compiled);
      assert.equal(await page.textContent("#diagnostics"), rendered, path);
      if (expected.files.length > 0) {
        assert.deepEqual(await page.$$eval("#other-files option", (options) => options.map((o) => o.getAttribute("value"))), expected.files.map((f) => f.path), path);
        assert.equal(await page.evaluate(() => kernelscriptPlayground.output(".bpf.c")), expected.files.find((f) => f.path.endsWith(".bpf.c"))?.text, path);
      } else {
        // Not the previous example's C shown as this one's.
        assert.equal(await page.evaluate(() => kernelscriptPlayground.output(".bpf.c")), undefined, path);
        assert.match((await page.textContent("#bpf-c-name"))!, /: none, the file has errors$/, path);
      }
    }
    // The tests below work on this example.
    const compiled = await page.evaluate(() => document.body.dataset["compiled"]);
    await page.selectOption("#examples", example);
    await waitForCompileAfter(page, compiled);
  });

  it("highlights the eBPF C made from the statement under the cursor", async () => {
    const at = exampleText.indexOf("large_udp[0] += 1") + 2;
    await page.evaluate(([from]) => kernelscriptPlayground.select(from!, from!), [at]);
    await page.waitForFunction(() => kernelscriptPlayground.mappedC().length > 0);
    const lines = await page.evaluate(() => kernelscriptPlayground.mappedC());
    assert.ok(lines.some((line) => line.includes("large_udp")), lines.join("\n"));
    assert.ok(await page.locator("#bpf-c .cm-line.ks-mapped").count() >= 1);
  });

  it("shows a typed error as the CLI renders it and as a marker at its line and columns", async () => {
    const statement = "large_udp[0] += 1";
    const start = exampleText.indexOf(statement);
    const line = exampleText.slice(0, start).split("\n").length;
    const compiled = await page.evaluate(() => document.body.dataset["compiled"]);
    await page.evaluate(([from, to]) => kernelscriptPlayground.select(from!, to!), [start, start + "large_udp".length]);
    // A surrogate pair before the name on its line: columns and offsets are UTF-16 units.
    await page.keyboard.type("/* 🐝 */ large_udpz");
    await waitForCompileAfter(page, compiled);
    await page.waitForFunction(() => document.getElementById("diagnostics")?.className === "has-errors");

    const rendered = (await page.textContent("#diagnostics"))!;
    const column = "/* 🐝 */ ".length + (start - exampleText.lastIndexOf("\n", start));
    assert.match(rendered, new RegExp(`^error\\[${unknownName.code}\\]: cannot find \`large_udpz\` in this scope$`, "m"));
    assert.ok(rendered.includes(`--> ${example}:${line}:${column}`), rendered);
    assert.match(rendered, /help: did you mean `large_udp`\?/);

    const marker = page.locator("#editor .cm-lintRange-error");
    assert.equal(await marker.count(), 1);
    assert.equal(await marker.textContent(), "large_udpz");
    assert.equal(await marker.evaluate((node) => kernelscriptPlayground.lineOf(node)), line);
    assert.equal(await page.locator("#editor .cm-gutter-lint .cm-lint-marker-error").count(), 1);
    assert.match((await page.textContent("#status"))!, /^1 error/);

    // The location in the text is a link to the place.
    await page.evaluate(() => kernelscriptPlayground.select(0, 0));
    await page.click("#diagnostics a.location");
    assert.deepEqual(await page.evaluate(() => kernelscriptPlayground.cursor()), { line, column });
  });

  it("restores the source from a share link in a new page", async () => {
    const source = await page.evaluate(() => kernelscriptPlayground.source());
    await page.click("#share");
    await page.waitForFunction(() => document.getElementById("share-link")?.hidden === false);
    const link = await page.inputValue("#share-link");
    assert.match(link, /#v1:socket_filter\.ks:[\w-]+$/);
    const second = await chromium.context.newPage();
    try {
      await second.goto(link);
      await second.waitForFunction(() => document.body.dataset["compiled"] !== undefined);
      assert.equal(await second.evaluate(() => kernelscriptPlayground.source()), source);
      assert.equal(await second.evaluate(() => kernelscriptPlayground.path()), example);
      assert.equal(await second.locator("#editor .cm-lintRange-error").textContent(), "large_udpz");
      // A damaged link opens the default example rather than a broken page.
      await second.goto(`${server.url}#v1:socket_filter.ks:not-deflate-data`);
      await second.reload();
      await second.waitForFunction(() => document.body.dataset["compiled"] !== undefined);
      assert.equal(await second.evaluate(() => kernelscriptPlayground.path()), "seed_packet_filter.ks");
    } finally {
      await second.close();
    }
  });

  it("formats the file with the Format button as kernelscript fmt does", async () => {
    await page.evaluate(() => {
      const at = kernelscriptPlayground.source().indexOf("fn udp_headers");
      kernelscriptPlayground.select(at, at + "fn udp_headers".length);
    });
    await page.keyboard.type("fn   udp_headers");
    const unformatted = await page.evaluate(() => kernelscriptPlayground.source());
    const expected = formatSource(example, unformatted);
    assert.equal(expected.kind, "formatted");
    assert.ok(expected.kind === "formatted" && expected.changed && expected.text.includes("fn udp_headers("));
    await page.click("#format");
    await page.waitForFunction((text) => kernelscriptPlayground.source() === text, expected.text);
  });

  it("runs the tests on the interpreter with the Run button", async () => {
    const compiled = await page.evaluate(() => document.body.dataset["compiled"]);
    await page.selectOption("#examples", example);
    await waitForCompileAfter(page, compiled);
    await page.click("#run");
    await page.waitForFunction(() => !/^running/.test(document.getElementById("tests-summary")?.textContent ?? "running"));
    const names = [...exampleText.matchAll(/@test\s+fn\s+(\w+)/g)].map((m) => m[1]);
    const results = await page.$$eval("#tests li", (items) => items.map((item) => ({ status: item.getAttribute("data-status"), text: item.textContent })));
    assert.equal(results.length, names.length, await page.textContent("#tests-summary") ?? "");
    for (const [index, name] of names.entries()) {
      assert.ok(results[index]?.text?.includes(name!), `${name} in ${results[index]?.text}`);
      assert.equal(results[index]?.status, "pass", results[index]?.text ?? "");
    }
    assert.match((await page.textContent("#tests-summary"))!, new RegExp(`^${names.length} passed, 0 failed`));
  });

  it("shows a test the edit breaks as failed, with the interpreter's message", async () => {
    const assertion = "pad_to(200) }) == 64)";
    const at = exampleText.indexOf(assertion) + assertion.length - 3;
    await page.evaluate(([from, to]) => kernelscriptPlayground.select(from!, to!), [at, at + 2]);
    await page.keyboard.type("65");
    // Ctrl-Enter in the editor is the Run button.
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(() => /failed/.test(document.getElementById("tests-summary")?.textContent ?? ""));
    const first = page.locator("#tests li").first();
    assert.equal(await first.getAttribute("data-status"), "fail");
    assert.match((await first.textContent())!, /keeps_the_first_64_bytes_of_udp/);
    assert.ok(await first.locator("pre").count() >= 1, "the failure's message is shown");
    assert.match((await page.textContent("#tests-summary"))!, /^2 passed, 1 failed/);
    // Back to the passing file for the screenshot.
    await page.keyboard.press("Control+z");
    await page.click("#run");
    await page.waitForFunction(() => /^\d+ passed, 0 failed/.test(document.getElementById("tests-summary")?.textContent ?? ""));
    // The screenshot (after all tests) with the file from its start and its compile settled.
    await page.evaluate(() => kernelscriptPlayground.select(0, 0));
    await page.waitForFunction(() => /^compiled/.test(document.getElementById("status")?.textContent ?? ""));
    assert.deepEqual(pageErrors, []);
  });
});
