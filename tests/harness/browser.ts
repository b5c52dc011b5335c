// The browser playground under test and bench: build/playground/ served over HTTP on
// 127.0.0.1 (the page starts a module Web Worker, which browsers refuse from file://),
// and Debian's chromium driven by playwright-core (no browser download: the system's).

import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { repoRoot } from "./golden.js";

export const playgroundDir = join(repoRoot, "build", "playground");
export const chromiumPath = "/usr/bin/chromium";

const contentTypes: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json",
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` read-only on 127.0.0.1 at a free port; with `noStore`, every answer says
 * `Cache-Control: no-store`, so each page load is a first visit (bench/playground.ts).
 */
export async function serveDirectory(dir: string, options: { noStore?: boolean } = {}): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, {
      "content-type": contentTypes[extname(file)] ?? "application/octet-stream",
      ...(options.noStore === true ? { "cache-control": "no-store" } : {}),
    });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the static server has no port");
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Headless chromium with a fresh profile (playwright passes it as --user-data-dir), removed on close. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "play-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1600, height: 900 },
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
      ],
    });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function missingForBrowser(): string | undefined {
  if (!existsSync(chromiumPath)) return `${chromiumPath} is missing (apt-get install chromium; make test installs it as root)`;
  if (!existsSync(join(playgroundDir, "index.html"))) return "build/playground/ is missing (make build builds it)";
  return undefined;
}
