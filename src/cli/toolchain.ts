//! What `build` (and later `run`/`test`) needs from the machine, checked before any work
//! so the user gets one message listing everything missing and the exact command that
//! installs it (exit 3), instead of a make or clang failure halfway through.

import { accessSync, constants, existsSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { spawn } from "node:child_process";
import { EnvironmentError } from "./failures.js";
import { defaultKernelBtfPath } from "./node-host.js";

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

/** Runs `make -C dir`, its output going to ours; resolves to make's exit status. */
export function runMake(dir: string, env: Environment): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("make", ["--no-print-directory", "-C", dir], { stdio: ["ignore", "inherit", "inherit"], env: { ...env } });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
