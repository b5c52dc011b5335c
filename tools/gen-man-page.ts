// Writes the man page build/man/kernelscript.1 from the CLI's option tables
// (src/cli/man-page.ts); run by `make build`, shipped in the npm package (`man`).
//
//   node build/tools/gen-man-page.js

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { manPage } from "../src/cli/man-page.js";
import { repoRoot } from "../src/runner/paths.js";

const version = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const dir = join(repoRoot, "build", "man");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "kernelscript.1"), manPage(version));
