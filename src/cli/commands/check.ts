//! `kernelscript check FILE.ks [--format json]`: every diagnostic, no output files.
//! It runs the full pipeline, not only the front end, because the eBPF safety rules
//! (E04xx) are found on the IR and a "clean" check must mean the file compiles.

import { renderDiagnostics, toJson } from "../../compiler/index.js";
import { booleanFlag, stringFlag, type CommandContext } from "../context.js";
import { ExitCode } from "../failures.js";
import { compileInMemory } from "./compile.js";

export async function runCheck(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const file = parsed.args[0]!;
  const result = await compileInMemory(io, file, false, booleanFlag(parsed, "test"));
  const hasErrors = result.diagnostics.some((d) => d.severity === "error");
  if (stringFlag(parsed, "format") === "json") {
    // Machine-readable output goes to stdout, so it can be piped while stderr stays free.
    io.writeStdout(JSON.stringify(toJson(result.diagnostics, result.sources), null, 2) + "\n");
  } else if (result.diagnostics.length > 0) {
    io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
  } else {
    io.writeStdout(`${file}: no errors\n`);
  }
  return hasErrors ? ExitCode.programErrors : ExitCode.ok;
}
