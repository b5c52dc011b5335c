// What the tool tests of examples/tools/ share: build a tool, start it, find the eBPF
// programs and links it created (by program id, so programs of the same name loaded by
// anything else do not count), and check after SIGINT that the final report was printed,
// the exit status is 0 and none of them is left in the kernel.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { startLoader, type LoaderProcess } from "../../src/runner/loader.js";
import { compileAndBuild, eventually, repoRoot } from "./helpers.js";

interface BpfProgram { readonly id: number; readonly name?: string }
interface BpfLink { readonly id: number; readonly prog_id: number }

function bpftoolJson<T>(...args: string[]): T[] {
  const text = execFileSync("bpftool", ["-j", ...args], { encoding: "utf8" });
  return JSON.parse(text || "[]") as T[];
}

function programIds(names: readonly string[]): Set<number> {
  return new Set(bpftoolJson<BpfProgram>("prog", "show").filter((p) => p.name !== undefined && names.includes(p.name)).map((p) => p.id));
}

export interface RunningTool {
  readonly loader: LoaderProcess;
  /** The ids of the programs this run loaded (present after it attached). */
  readonly programs: ReadonlySet<number>;
  /** The links to them. */
  readonly links: ReadonlySet<number>;
}

/**
 * Builds `examples/tools/NAME.ks`, starts it with `args` and waits until each of
 * `programs` is attached (the default main says so; a tool with its own `main` names
 * the line it prints once it has attached everything: `ready`); then runs `body` and
 * cleans up (SIGKILL if still running).
 */
export async function withTool(name: string, programs: readonly string[], args: readonly string[], body: (tool: RunningTool) => Promise<void>, ready?: string): Promise<void> {
  const build = compileAndBuild(join(repoRoot, "examples", "tools", `${name}.ks`));
  const before = programIds(programs);
  const loader = startLoader([build.binary, ...args]);
  try {
    if (ready !== undefined) await loader.waitFor(ready);
    else for (const program of programs) await loader.waitFor(`attached ${program} (`);
    const mine = new Set([...programIds(programs)].filter((id) => !before.has(id)));
    assert.equal(mine.size, programs.length, `one new program per name of ${programs.join(", ")}`);
    const links = new Set(bpftoolJson<BpfLink>("link", "show").filter((l) => mine.has(l.prog_id)).map((l) => l.id));
    assert.equal(links.size, programs.length, "each program attached through a link");
    await body({ loader, programs: mine, links });
  } finally {
    await loader.stop("SIGKILL");
    build.cleanup();
  }
}

/** SIGINT: exit 0 with the final report on stdout, and nothing of the run left in the kernel. */
export async function stopAndCheckDetached(tool: RunningTool): Promise<string> {
  const exit = await tool.loader.stop("SIGINT");
  assert.deepEqual(exit, { code: 0, signal: null }, tool.loader.stderr());
  const stdout = tool.loader.stdout();
  assert.match(stdout, /^--- final ---$/m, "the final report is printed");
  // The kernel frees a closed tracing (tp_btf, fentry) program after an RCU grace
  // period: it may still be listed for a moment after the loader exited.
  const gone = (): boolean => {
    const programs = new Set(bpftoolJson<BpfProgram>("prog", "show").map((p) => p.id));
    const links = new Set(bpftoolJson<BpfLink>("link", "show").map((l) => l.id));
    return [...tool.programs].every((id) => !programs.has(id)) && [...tool.links].every((id) => !links.has(id));
  };
  await eventually(gone, 3000);
  const programs = new Set(bpftoolJson<BpfProgram>("prog", "show").map((p) => p.id));
  for (const id of tool.programs) assert.ok(!programs.has(id), `program ${id} is gone after exit`);
  const links = new Set(bpftoolJson<BpfLink>("link", "show").map((l) => l.id));
  for (const id of tool.links) assert.ok(!links.has(id), `link ${id} is gone after exit`);
  return stdout.slice(stdout.lastIndexOf("--- final ---"));
}

/** Runs a command to completion (the events a tool must see). */
export function run(command: string, args: readonly string[], input?: string): string {
  return execFileSync(command, args, { encoding: "utf8", ...(input !== undefined ? { input } : {}) });
}
