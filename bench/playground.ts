// The browser playground's cost to a visitor: page weight (the bytes of build/playground/
// a browser fetches, raw and gzip-compressed as a static host would send them) and the
// time to first compile in Debian's chromium, from navigation start to the first C output
// on screen (main.ts marks it, and when its script started and the worker said it was
// ready), each load a first visit (the server forbids caching).
// Also the worker's own compile time of the default example once warm (after an edit).
// The server is on 127.0.0.1, so download time over a real network is not in these
// numbers: add the gzip size over your bandwidth.
//
//   make bench
//   node build/bench/playground.js [--rounds N]     (JSON in build/bench/playground.json)

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { launchChromium, missingForBrowser, playgroundDir, serveDirectory } from "../tests/harness/browser.js";
import { repoRoot } from "./common.js";
import type { Page } from "playwright-core";
import { median } from "./stats.js";

/** The page's body (these callbacks run in the browser; this program has no DOM types). */
declare const document: { readonly body: { readonly dataset: Record<string, string | undefined> } };

/** A number main.ts writes on the page's body (`data-…`). */
async function bodyNumber(page: Page, key: string): Promise<number> {
  return Number(await page.evaluate((name) => document.body.dataset[name], key));
}

const roundsAt = process.argv.indexOf("--rounds");
const rounds = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : 9;

const missing = missingForBrowser();
if (missing !== undefined) {
  console.log(`playground bench skipped: ${missing}`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------
// Page weight

const files = readdirSync(playgroundDir).filter((f) => statSync(join(playgroundDir, f)).isFile()).sort();
const fetched = files.filter((f) => !f.endsWith(".map"));
console.log("page weight of build/playground/ (what a browser fetches; source maps only by developer tools)");
console.log("file                          bytes    gzip -9");
let totalRaw = 0;
let totalGzip = 0;
const weights: { file: string; bytes: number; gzip: number }[] = [];
for (const file of fetched) {
  const bytes = readFileSync(join(playgroundDir, file));
  const gzip = gzipSync(bytes, { level: 9 }).length;
  totalRaw += bytes.length;
  totalGzip += gzip;
  weights.push({ file, bytes: bytes.length, gzip });
  console.log(`${file.padEnd(26)} ${String(bytes.length).padStart(9)} ${String(gzip).padStart(10)}`);
}
console.log(`${"total".padEnd(26)} ${String(totalRaw).padStart(9)} ${String(totalGzip).padStart(10)}`);
const maps = files.filter((f) => f.endsWith(".map")).reduce((sum, f) => sum + statSync(join(playgroundDir, f)).size, 0);
console.log(`(source maps beside them: ${maps} bytes)`);

// ---------------------------------------------------------------------------------------
// Time to first compile

const server = await serveDirectory(playgroundDir, { noStore: true });
const chromium = await launchChromium();
const pageScript: number[] = [];
const workerReady: number[] = [];
const firstOutput: number[] = [];
const firstCompile: number[] = [];
const warmCompile: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const page = await chromium.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector("body[data-first-output-ms]", { timeout: 60_000 });
    firstOutput.push(await bodyNumber(page, "firstOutputMs"));
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])));
    pageScript.push(marks["kernelscript-page-script"] ?? NaN);
    workerReady.push(marks["kernelscript-worker-ready"] ?? NaN);
    firstCompile.push(await bodyNumber(page, "compileMs"));
    // A space typed at the end: one more compile of the same program, the worker now warm.
    const before = await page.evaluate(() => document.body.dataset["compiled"]);
    await page.click("#editor .cm-content");
    await page.keyboard.press("Control+End");
    await page.keyboard.type(" ");
    await page.waitForFunction((previous) => document.body.dataset["compiled"] !== previous, before);
    warmCompile.push(await bodyNumber(page, "compileMs"));
    await page.close();
  }
} finally {
  await chromium.close();
  await server.close();
}

const row = (label: string, values: readonly number[]): string =>
  `${label.padEnd(44)} ${median(values).toFixed(0).padStart(7)} ${Math.min(...values).toFixed(0).padStart(7)} ${Math.max(...values).toFixed(0).padStart(7)}`;
console.log(`\ntime to first compile in chromium (${rounds} first visits, served from 127.0.0.1; default example seed_packet_filter.ks)`);
console.log(`${"ms".padEnd(44)} ${"median".padStart(7)} ${"min".padStart(7)} ${"max".padStart(7)}`);
console.log(row("navigation start → the page's script runs", pageScript));
console.log(row("navigation start → the worker is ready", workerReady));
console.log(row("navigation start → first C output shown", firstOutput));
console.log(row("  of which the worker's first compile", firstCompile));
console.log(row("worker's compile after an edit (warm)", warmCompile));

const json = join(repoRoot, "build", "bench", "playground.json");
mkdirSync(dirname(json), { recursive: true });
writeFileSync(json, `${JSON.stringify({ rounds, weights, pageScript, workerReady, firstOutput, firstCompile, warmCompile }, null, 2)}\n`);
