//! `vmlinux.h` (every type of the kernel's BTF as C, `bpftool btf dump … format c`) made
//! once per BTF and kept in the cache directory (cache-dir.ts), instead of by each
//! build's Makefile: dumping takes ~0.2 s and the file is several MB.
//!
//! The key is a SHA-256 of the BTF file's bytes and of the bpftool that dumps it (its
//! path, size and modification time): the header is a function of exactly these, so a
//! cached header is used only for the BTF it came from. The bytes are hashed rather than
//! trusting size and time: /sys/kernel/btf/vmlinux carries no useful modification time,
//! and another kernel (or a `BTF=` file rewritten in place) may have the same size.
//! Hashing ~5 MB costs ~10 ms, against ~200 ms for dumping.

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeCacheFile } from "./cache-dir.js";

/** Keeps the headers of this many BTF files (a few kernels, a few `BTF=` files). */
const keptHeaders = 4;

/**
 * The cached `vmlinux.h` of `btf`, dumped by `bpftool` into `cacheDir` first when it is
 * not there yet. Undefined when it cannot be made (no bpftool, unreadable BTF) or kept
 * (the cache directory is not writable): the caller then does without (the generated
 * Makefile dumps it itself, and reports why it cannot).
 */
export function cachedVmlinuxHeaderOf(btf: string, bpftool: string, cacheDir: string): string | undefined {
  const key = headerKey(btf, bpftool);
  if (key === undefined) return undefined;
  // A directory per BTF holding `vmlinux.h` under its own name, so that `-I DIR` finds it.
  const headers = join(cacheDir, "vmlinux");
  const header = join(headers, key, "vmlinux.h");
  if (existsSync(header)) return header;
  const dump = spawnSync(bpftool, ["btf", "dump", "file", btf, "format", "c"], { maxBuffer: 256 * 1024 * 1024 });
  if (dump.status !== 0 || !dump.stdout || dump.stdout.length === 0) return undefined;
  if (!writeCacheFile(join(headers, key), "vmlinux.h", dump.stdout)) return undefined;
  forgetOldHeaders(headers);
  return header;
}

function headerKey(btf: string, bpftool: string): string | undefined {
  try {
    const tool = statSync(bpftool);
    return createHash("sha256")
      .update(`${bpftool}\0${tool.size}\0${tool.mtimeMs}\0`)
      .update(readFileSync(btf))
      .digest("hex")
      .slice(0, 32);
  } catch {
    return undefined;
  }
}

/** Removes all but the most recently made headers. */
function forgetOldHeaders(dir: string): void {
  try {
    const headers = readdirSync(dir)
      .map((name) => ({ path: join(dir, name), made: statSync(join(dir, name)).mtimeMs }))
      .sort((a, b) => b.made - a.made);
    for (const old of headers.slice(keptHeaders)) rmSync(old.path, { recursive: true, force: true });
  } catch {
    // Another process tidied up at the same time: nothing to do.
  }
}
