//! Loads the bundled CLI (build/bundle/kernelscript.cjs) with V8's code cache: Node 20
//! has no compile cache for modules, so the launcher compiles the CommonJS bundle itself
//! as a `vm.Script` with the `cachedData` a previous run left in the cache directory.
//! Parsing and compiling the ~1 MB bundle is most of a small `check` otherwise.
//!
//! V8 checks its cache against its version, flags and the source's length only, so the
//! cache file also records the bundle's identity (size, modification time, inode) and the
//! Node version: a rebuilt bundle never runs with the code of the old one. The cache is
//! written after the command ran (so it holds every function that run compiled), only
//! when there was none or V8 refused it.

import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { writeCacheFile } from "../runner/cache-dir.js";

/** The exports of the CommonJS file at `path`, compiled with the code cache kept in `cacheDir` (if any). */
export function loadCommonJs(path: string, cacheDir: string | undefined): unknown {
  const source = readFileSync(path, "utf8");
  const stat = statSync(path);
  const identity = hex(`${path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}\0${process.version}\0${process.arch}`);
  // One cache file per bundle path: a rebuilt bundle's cache replaces its old one.
  const cacheName = `code-${hex(path).slice(0, 16)}.bin`;
  const cached = cacheDir === undefined ? undefined : readCache(join(cacheDir, cacheName), identity);
  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapper, { filename: path, ...(cached ? { cachedData: cached } : {}) });
  if (cacheDir !== undefined && (!cached || script.cachedDataRejected === true)) {
    process.once("exit", () => {
      const header = Buffer.from(`${identity}\n`);
      writeCacheFile(cacheDir, cacheName, Buffer.concat([header, script.createCachedData()]));
    });
  }
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run(module.exports, createRequire(path), module, path, dirname(path));
  return module.exports;
}

/** The V8 data of the cache file when it was made for `identity`. */
function readCache(file: string, identity: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const header = identity.length + 1;
  if (bytes.length <= header || bytes.toString("latin1", 0, header) !== `${identity}\n`) return undefined;
  return bytes.subarray(header);
}

function hex(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}
