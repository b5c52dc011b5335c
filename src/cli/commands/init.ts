//! `kernelscript init KIND NAME [--btf PATH] [-o DIR]`: reads the kernel's BTF (and the
//! tracepoints tracefs lists), hands them to the pure generator, and writes the project
//! directory atomically. Refusals (unknown kind or target, bad name, existing directory)
//! are usage errors (exit 2) with the suggestion as the message's second line.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { initProject } from "../../compiler/kernel/init-project.js";
import { stringFlag, type CommandContext } from "../context.js";
import { EnvironmentError, ExitCode, UsageError } from "../failures.js";
import { defaultKernelBtfPath } from "../node-host.js";
import { replaceOutputDirectory, resolveOutputTarget } from "../output-directory.js";

const tracefsRoots = ["/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"];

export async function runInit(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const [kind, name] = parsed.args as [string, string];
  const btfPath = stringFlag(parsed, "btf") ?? defaultKernelBtfPath;
  const target = resolveOutputTarget(stringFlag(parsed, "output") ?? name, io.cwd);
  if (existsSync(target.absolute)) {
    throw new UsageError(`\`${target.shown}\` already exists; init never writes into an existing directory\n  = help: choose another NAME, or another place with -o DIR`, "init");
  }
  let btf: Uint8Array;
  try {
    btf = readFileSync(resolve(io.cwd, btfPath));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EnvironmentError(
      [`cannot read the kernel's BTF at \`${btfPath}\` (${code})`],
      btfPath === defaultKernelBtfPath
        ? "run on a kernel built with CONFIG_DEBUG_INFO_BTF=y, or pass a BTF file with --btf PATH"
        : "check the path given with --btf",
    );
  }
  const result = initProject({ kind, name, btf, btfPath, tracepoints: btfPath === defaultKernelBtfPath ? listTracepoints() : undefined });
  if (!result.ok) throw new UsageError(`${result.message}\n  = help: ${result.help}`, "init");
  replaceOutputDirectory(target, result.files);
  io.writeStdout(
    `created ${target.shown}/ with ${result.files.map((f) => f.path).join(", ")}\n` +
      `next: cd ${target.shown} && kernelscript build ${name}.ks && sudo ./${name}/${name}\n`,
  );
  return ExitCode.ok;
}

/** `category/event` for every tracepoint tracefs lists, or undefined when unreadable. */
function listTracepoints(): string[] | undefined {
  for (const root of tracefsRoots) {
    let categories: string[];
    try {
      categories = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      continue;
    }
    const names: string[] = [];
    for (const category of categories) {
      try {
        for (const event of readdirSync(join(root, category), { withFileTypes: true })) {
          if (event.isDirectory()) names.push(`${category}/${event.name}`);
        }
      } catch {
        // An unreadable category is skipped; the others still answer.
      }
    }
    if (names.length > 0) return names;
  }
  return undefined;
}
