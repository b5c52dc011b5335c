//! What this machine can do for the runner and the kernel tests: root, a working bpf()
//! system call, kernel BTF, and the build tools. Each check returns a reason string when
//! something is missing, so a skipped test says exactly why.

import { spawnSync } from "node:child_process";
import { findExecutable } from "../cli/toolchain.js";
import { existsSync } from "node:fs";

export interface Capabilities {
  readonly root: boolean;
  /** bpf() answers (checked with `bpftool prog list`, which needs it). */
  readonly bpf: boolean;
  readonly btf: boolean;
  readonly tools: Readonly<Record<"clang" | "bpftool" | "make" | "cc" | "ip" | "nsenter", boolean>>;
  readonly libbpfHeaders: boolean;
}

/** `command -v NAME` without a shell: one process less per tool (~20–80 ms each). */
function hasTool(name: string): boolean {
  return findExecutable(name, process.env) !== undefined;
}

let cached: Capabilities | undefined;

export function detectCapabilities(): Capabilities {
  if (cached) return cached;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  const tools = {
    clang: hasTool("clang"),
    bpftool: hasTool("bpftool"),
    make: hasTool("make"),
    cc: hasTool("cc"),
    ip: hasTool("ip"),
    nsenter: hasTool("nsenter"),
  };
  let bpf = false;
  if (root && tools.bpftool) {
    bpf = spawnSync("bpftool", ["prog", "list"], { stdio: "ignore" }).status === 0;
  } else if (root) {
    bpf = existsSync("/proc/sys/kernel/unprivileged_bpf_disabled");
  }
  cached = {
    root,
    bpf,
    btf: existsSync("/sys/kernel/btf/vmlinux"),
    tools,
    libbpfHeaders: existsSync("/usr/include/bpf/libbpf.h") || existsSync("/usr/local/include/bpf/libbpf.h"),
  };
  return cached;
}

/** Why generated code cannot be built here (clang, bpftool, make, cc, libbpf, BTF). */
export function buildSkipReason(caps = detectCapabilities()): string | undefined {
  for (const tool of ["clang", "bpftool", "make", "cc"] as const) {
    if (!caps.tools[tool]) return `${tool} is not installed (apt-get install clang bpftool make gcc)`;
  }
  if (!caps.libbpfHeaders) return "libbpf headers are missing (apt-get install libbpf-dev)";
  if (!caps.btf) return "the kernel has no BTF at /sys/kernel/btf/vmlinux (needed for vmlinux.h)";
  return undefined;
}

/** Why programs cannot be loaded into this kernel (privileges, bpf()). */
export function kernelSkipReason(caps = detectCapabilities()): string | undefined {
  if (!caps.root) return "not running as root: loading eBPF programs needs root";
  if (!caps.bpf) return "the bpf() system call is not available (bpftool prog list failed)";
  return buildSkipReason(caps);
}

/** Why veth/namespace tests cannot run (kernel reasons plus iproute2/nsenter). */
export function networkSkipReason(caps = detectCapabilities()): string | undefined {
  const kernel = kernelSkipReason(caps);
  if (kernel) return kernel;
  if (!caps.tools.ip) return "iproute2 (`ip`) is not installed";
  if (!caps.tools.nsenter) return "nsenter (util-linux) is not installed";
  return undefined;
}
