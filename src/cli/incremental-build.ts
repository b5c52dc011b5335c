//! What `build` puts into its staging directory before make runs, so that make does only
//! the work whose inputs changed (make decides by modification times, as always):
//!
//! - `vmlinux.h` from the cache (runner/vmlinux-header.ts), dated when the cache made
//!   it: make then never dumps the kernel's BTF again, and a product built against the
//!   same header stays newer than it.
//! - The previous build's products (`NAME.bpf.o`, `NAME.skel.h`, `NAME`) with their
//!   dates, and each emitted file byte-identical to the previous one with its previous
//!   date: unchanged sources then leave their products up to date, a changed one makes
//!   what depends on it again. Reused only when the previous output's Makefile is the
//!   same and make's inputs from the environment (compilers, flags, BTF, PATH) are those
//!   of the previous build, recorded in the cache directory per output directory.
//!
//! Without a usable cache directory nothing is reused and make builds everything.

import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import type { EmittedFile } from "../compiler/index.js";
import { cacheDirectory, writeCacheFile } from "../runner/cache-dir.js";
import { cachedVmlinuxHeaderOf } from "../runner/vmlinux-header.js";
import { defaultKernelBtfPath } from "./node-host.js";
import { findExecutable, type Environment } from "./toolchain.js";

/** Variables the generated Makefile reads from the environment (makefile.mk), and PATH. */
const makeInputs = [
  "PATH", "BTF", "CLANG", "CC", "BPFTOOL", "ARCH", "CFLAGS", "BPF_CFLAGS", "LDFLAGS",
  "LIBBPF_INCLUDE", "LIBBPF_LIB", "PYTHON3_CONFIG", "KDIR", "MAKEFLAGS",
] as const;

export interface IncrementalBuild {
  /** After a successful build: remembers its inputs, so the next build may reuse its products. */
  readonly remember: () => void;
}

/** Fills `staging` (the emitted files already written) with what make need not make again. */
export function prepareIncrementalBuild(
  staging: string, target: string, files: readonly EmittedFile[], name: string, env: Environment,
): IncrementalBuild {
  const cacheDir = cacheDirectory(env);
  if (cacheDir === undefined) return { remember: () => {} };
  provideVmlinuxHeader(staging, cacheDir, env);
  const inputs = inputsFingerprint(env);
  const records = join(cacheDir, "builds");
  const record = hash(target).slice(0, 32);
  if (readRecord(join(records, record)) === inputs && sameFile(files, target, "Makefile")) {
    reuseProducts(staging, target, files, name);
  }
  return {
    remember: () => {
      if (writeCacheFile(records, record, inputs)) forgetOldRecords(records);
    },
  };
}

/** Past this many output directories remembered, the older half is forgotten. */
const keptRecords = 512;

function forgetOldRecords(dir: string): void {
  try {
    const names = readdirSync(dir);
    if (names.length <= keptRecords) return;
    const byAge = names.map((name) => ({ path: join(dir, name), used: statSync(join(dir, name)).mtimeMs })).sort((a, b) => a.used - b.used);
    for (const old of byAge.slice(0, names.length - keptRecords / 2)) rmSync(old.path, { force: true });
  } catch {
    // Another build tidied up at the same time.
  }
}

function provideVmlinuxHeader(staging: string, cacheDir: string, env: Environment): void {
  const btf = env.BTF !== undefined && env.BTF !== "" ? env.BTF : defaultKernelBtfPath;
  const tool = env.BPFTOOL !== undefined && env.BPFTOOL !== "" ? env.BPFTOOL : "bpftool";
  const bpftool = tool.includes("/") ? tool : findExecutable(tool, env);
  if (bpftool === undefined) return;
  const header = cachedVmlinuxHeaderOf(btf, bpftool, cacheDir);
  if (header === undefined) return;
  const copy = join(staging, "vmlinux.h");
  copyFileSync(header, copy);
  chmodSync(copy, 0o644);
  keepDate(header, copy);
}

function reuseProducts(staging: string, target: string, files: readonly EmittedFile[], name: string): void {
  for (const file of files) {
    if (sameFile(files, target, file.path)) keepDate(join(target, file.path), join(staging, file.path));
  }
  for (const product of [`${name}.bpf.o`, `${name}.skel.h`, name]) {
    const previous = join(target, product);
    if (!existsSync(previous)) continue;
    copyFileSync(previous, join(staging, product));
    keepDate(previous, join(staging, product));
  }
}

/** Whether the emitted file `path` has the same bytes as the previous output's. */
function sameFile(files: readonly EmittedFile[], target: string, path: string): boolean {
  const emitted = files.find((file) => file.path === path);
  if (!emitted) return false;
  try {
    return readFileSync(join(target, path), "utf8") === emitted.text;
  } catch {
    return false;
  }
}

/** `to` gets `from`'s modification time (to the microsecond: seconds as a double; a Date would cut it to the millisecond). */
function keepDate(from: string, to: string): void {
  const stat = statSync(from);
  utimesSync(to, stat.atimeMs / 1000, stat.mtimeMs / 1000);
}

function inputsFingerprint(env: Environment): string {
  return hash(JSON.stringify(makeInputs.map((variable) => [variable, env[variable] ?? null])));
}

function readRecord(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
