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
//!
//! Nothing here loads `node:crypto` (~5 ms of a `check`): the identity is stored as it is,
//! and the cache file's name comes from a small FNV-1a hash of the bundle's path.

import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { writeCacheFile } from "../runner/cache-dir.js";

/** The exports of the CommonJS file at `path`, compiled with the code cache kept in `cacheDir` (if any). */
export function loadCommonJs(path: string, cacheDir: string | undefined): unknown {
  // The bundle is ASCII (tools/bundle-cli.mjs checks), so Latin-1 reads it exactly, and
  // far faster than UTF-8: Node 20 decodes UTF-8 at tens of MB/s (~40 ms for the bundle).
  const source = readFileSync(path, "latin1");
  const stat = statSync(path);
  // One line (JSON escapes line breaks), compared byte for byte with the cache file's first.
  const identity = JSON.stringify([path, stat.size, stat.mtimeMs, stat.ino, process.version, process.arch]);
  // One cache file per bundle path: a rebuilt bundle's cache replaces its old one.
  const cacheName = `code-${fnv1a64(path)}.bin`;
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
  const header = Buffer.from(`${identity}\n`);
  if (bytes.length <= header.length || !bytes.subarray(0, header.length).equals(header)) return undefined;
  return bytes.subarray(header.length);
}

/** 64-bit FNV-1a of `text`'s UTF-16 code units, as 16 hex digits: a file name, not a checksum. */
export function fnv1a64(text: string): string {
  const prime = 0x100000001b3n;
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) hash = BigInt.asUintN(64, (hash ^ BigInt(text.charCodeAt(i))) * prime);
  return hash.toString(16).padStart(16, "0");
}
