//! What `build` (and later `run`/`test`) needs from the machine, checked before any work
//! so the user gets one message listing everything missing and the exact command that
//! installs it (exit 3), instead of a make or clang failure halfway through.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { EnvironmentError } from "./failures.js";
import { defaultKernelBtfPath } from "./node-host.js";
import type { InterruptWatch } from "./interrupts.js";

/** One thing the build needs: how to detect it, and which Debian/Ubuntu package has it. */
interface Requirement {
  readonly description: string;
  readonly present: (env: Environment) => boolean;
  readonly packages: readonly string[];
}

export interface Environment {
  readonly PATH?: string | undefined;
  readonly BTF?: string | undefined;
  readonly [name: string]: string | undefined;
}

const headerDirectories = ["/usr/include", "/usr/local/include"];

function hasHeader(relativePath: string): boolean {
  return headerDirectories.some((dir) => existsSync(join(dir, relativePath)));
}

/** The absolute path of `command` found on PATH, like `command -v`, without spawning. */
export function findExecutable(command: string, env: Environment): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; keep looking along PATH.
    }
  }
  return undefined;
}

const buildRequirements: readonly Requirement[] = [
  { description: "`make` (runs the generated Makefile)", present: (env) => !!findExecutable("make", env), packages: ["make"] },
  {
    description: "`clang` (compiles the eBPF program)",
    present: (env) => !!findExecutable("clang", env),
    packages: ["clang", "llvm"],
  },
  {
    description: "a C compiler `cc` (compiles the loader)",
    present: (env) => !!findExecutable("cc", env),
    packages: ["gcc"],
  },
  {
    description: "`bpftool` (generates vmlinux.h and the skeleton)",
    present: (env) => !!findExecutable("bpftool", env),
    packages: ["bpftool"],
  },
  { description: "libbpf headers (/usr/include/bpf/libbpf.h)", present: () => hasHeader("bpf/libbpf.h"), packages: ["libbpf-dev"] },
  { description: "libelf headers (/usr/include/libelf.h)", present: () => hasHeader("libelf.h"), packages: ["libelf-dev"] },
  { description: "zlib headers (/usr/include/zlib.h)", present: () => hasHeader("zlib.h"), packages: ["zlib1g-dev"] },
];

/** Throws `EnvironmentError` naming every missing tool, header or BTF file. */
export function requireBuildToolchain(env: Environment, isRoot: boolean): void {
  const problems: string[] = [];
  const packages = new Set<string>();
  for (const requirement of buildRequirements) {
    if (requirement.present(env)) continue;
    problems.push(`missing ${requirement.description}`);
    for (const name of requirement.packages) packages.add(name);
  }
  const fixes: string[] = [];
  if (packages.size > 0) {
    fixes.push(`${isRoot ? "" : "sudo "}apt-get install -y ${[...packages].join(" ")}`);
  }
  const btf = env.BTF !== undefined && env.BTF !== "" ? env.BTF : defaultKernelBtfPath;
  if (!existsSync(btf)) {
    problems.push(`missing kernel BTF at ${btf} (vmlinux.h is generated from it)`);
    fixes.push(
      env.BTF ? `point BTF= at an existing vmlinux file (BTF=${env.BTF} does not exist)` : "use a kernel built with CONFIG_DEBUG_INFO_BTF=y, or set BTF=/path/to/vmlinux",
    );
  }
  if (problems.length > 0) throw new EnvironmentError(problems, fixes.join("\n"));
}

/** Where make's output goes: the command's own streams (which ignore a closed reader). */
export interface MakeOutput {
  readonly env: Environment;
  readonly writeStdout: (text: string) => void;
  readonly writeStderr: (text: string) => void;
}

/**
 * Runs `make -C dir [TARGETS…]`, forwarding its output to ours; resolves to make's exit status
 * (128 + N when a signal ended it).
 *
 * make's output comes through pipes we read, never our own stdout handed down: when
 * our reader goes away (`kernelscript build … | head`), our writes stop quietly while
 * make and its compilers keep writing into the pipe we drain, so a closed stdout can
 * never kill the build halfway (SIGPIPE) and leave a half-built directory.
 *
 * make runs in a process group of its own: on the first signal of `interrupts` the
 * whole group (make, clang, cc, bpftool) gets that signal; the promise resolves when
 * make has exited.
 */
export function runMake(dir: string, output: MakeOutput, interrupts: InterruptWatch, targets: readonly string[] = []): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("make", ["--no-print-directory", "-C", dir, ...targets], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...output.env },
      detached: true,
    });
    child.stdout!.setEncoding("utf8").on("data", (text: string) => output.writeStdout(text));
    child.stderr!.setEncoding("utf8").on("data", (text: string) => output.writeStderr(text));
    const stopWatching = interrupts.onSignal((signal) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    });
    child.on("error", (error) => {
      stopWatching();
      reject(error);
    });
    child.on("close", (code, signal) => {
      stopWatching();
      resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0));
    });
  });
}
