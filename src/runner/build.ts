//! Builds a directory of emitted files (NAME.bpf.c, NAME.c, NAME.h, Makefile) with its
//! own Makefile, the same way a user would run `make` there.

import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { findExecutable } from "../cli/toolchain.js";
import { cachedVmlinuxHeaderOf } from "./vmlinux-header.js";

export interface BuildOptions {
  /** Adds -Werror to both compilers (CFLAGS / BPF_CFLAGS), as the e2e tests do. */
  readonly werror?: boolean;
  /** A vmlinux.h to copy in instead of dumping the kernel's BTF again. */
  readonly vmlinuxHeader?: string;
  /** Extra `VAR=value` make arguments. */
  readonly makeArgs?: readonly string[];
}

export interface BuildResult {
  readonly ok: boolean;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
  /** Project name, from the NAME.bpf.c found in the directory. */
  readonly name: string;
  readonly bpfObject: string;
  readonly skeleton: string;
  readonly binary: string;
}

export function projectNameIn(dir: string): string {
  const source = readdirSync(dir).find((f) => f.endsWith(".bpf.c"));
  if (!source) throw new Error(`no *.bpf.c in ${dir}`);
  return source.slice(0, -".bpf.c".length);
}

export function buildOutputDir(dir: string, options: BuildOptions = {}): BuildResult {
  const { name, args } = prepareBuild(dir, options);
  const result = spawnSync("make", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return buildResult(dir, name, result.status, result.stdout ?? "", (result.stderr ?? "") + (result.error ? String(result.error) : ""));
}

/**
 * `buildOutputDir` without blocking the event loop, so a test file can build several
 * outputs at once (one per core) while each build's steps stay in order.
 */
export function buildOutputDirAsync(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const { name, args } = prepareBuild(dir, options);
  return new Promise((resolveBuild) => {
    const child = spawn("make", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => { stderr += chunk; });
    child.on("error", (error) => { stderr += String(error); });
    child.on("close", (status) => resolveBuild(buildResult(dir, name, status, stdout, stderr)));
  });
}

function prepareBuild(dir: string, options: BuildOptions): { name: string; args: string[] } {
  const name = projectNameIn(dir);
  if (options.vmlinuxHeader && !existsSync(join(dir, "vmlinux.h"))) {
    copyFileSync(options.vmlinuxHeader, join(dir, "vmlinux.h"));
  }
  const args = ["-C", dir];
  if (options.werror) args.push("CFLAGS=-Werror", "BPF_CFLAGS=-Werror");
  args.push(...(options.makeArgs ?? []));
  return { name, args };
}

function buildResult(dir: string, name: string, status: number | null, stdout: string, stderr: string): BuildResult {
  return {
    ok: status === 0,
    status,
    stdout,
    stderr,
    dir,
    name,
    bpfObject: join(dir, `${name}.bpf.o`),
    skeleton: join(dir, `${name}.skel.h`),
    binary: join(dir, name),
  };
}

/**
 * The `vmlinux.h` of `btf`, made once in `cacheDir` and reused while the BTF stays the
 * same (the CLI's `build` keeps its own in the user's cache directory the same way:
 * vmlinux-header.ts).
 */
export function cachedVmlinuxHeader(cacheDir: string, btf = "/sys/kernel/btf/vmlinux"): string {
  const bpftool = findExecutable("bpftool", process.env);
  if (bpftool === undefined) throw new Error("bpftool is not on PATH (it dumps vmlinux.h)");
  const header = cachedVmlinuxHeaderOf(btf, bpftool, cacheDir);
  if (header === undefined) throw new Error(`cannot make vmlinux.h from ${btf} in ${cacheDir}`);
  return header;
}
