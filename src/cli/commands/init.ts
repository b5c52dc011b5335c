//! `kernelscript init KIND NAME [--btf PATH] [-o DIR]`: reads the kernel's BTF (and the
//! tracepoints tracefs lists), hands them to the pure generator, and writes the project
//! directory atomically. Refusals (unknown kind or target, bad name, existing directory)
//! are usage errors (exit 2) with the suggestion as the message's second line.

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { initProject } from "../../compiler/project/init-project.js";
import { stringFlag, type CommandContext } from "../context.js";
import { EnvironmentError, ExitCode, UsageError } from "../failures.js";
import { defaultKernelBtfPath } from "../node-host.js";
import { replaceOutputDirectory, resolveOutputTarget } from "../output-directory.js";
import { listTracepoints, readTracepointFormat } from "../tracefs.js";

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
  const runningKernel = btfPath === defaultKernelBtfPath;
  const result = initProject({
    kind, name, btf, btfPath,
    tracepoints: runningKernel ? listTracepoints(io.env, io.cwd) : undefined,
    tracepointFormat: (category, event) => (runningKernel ? readTracepointFormat(io.env, io.cwd, category, event) : undefined),
  });
  if (!result.ok) throw new UsageError(`${result.message}\n  = help: ${result.help}`, "init");
  replaceOutputDirectory(target, result.files);
  io.writeStdout(
    `created ${target.shown}/ with ${result.files.map((f) => f.path).join(", ")}\n` +
      `next: cd ${target.shown} && kernelscript build ${name}.ks && sudo ./${name}/${name}${result.run}\n`,
  );
  return ExitCode.ok;
}
