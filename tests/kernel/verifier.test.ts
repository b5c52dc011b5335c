// Every example (examples/*.ks) and every emit golden case (tests/cases/emit/*.ks) is
// built with -Werror and loaded into the kernel: each of its eBPF programs must pass
// the verifier. Behaviour is tested elsewhere; this is the "all we accept is real" net.

import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { runPrograms } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

function ksFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".ks")).sort().map((f) => join(dir, f));
}

const BPF_PROG_TYPE_TRACING = 26;
const BPF_PROG_TYPE_STRUCT_OPS = 27;

/**
 * Refusals that are this machine's limits: fentry under lockdown (EPERM), and struct_ops
 * programs whose ops type the kernel's BTF lacks (sched_ext_ops here; prog-run decides
 * that from BTF, and fails instead when the object holds any other program).
 */
function machineLimit(p: { type: number; refused?: string }): boolean {
  if (p.type === BPF_PROG_TYPE_TRACING) return true;
  return p.type === BPF_PROG_TYPE_STRUCT_OPS && /^struct_ops type \w+ is not in this kernel's BTF/.test(p.refused ?? "");
}
/** prog-run's reason for a program whose module kfunc is unresolved (weak __ksym, module not loaded). */
const unresolvedKfuncReason = "calls a kfunc no loaded BTF provides";

const kernelTest = kernelTests("verifier.test", kernelSkipReason());
const sources = [
  ...ksFilesIn(join(repoRoot, "examples")),
  ...ksFilesIn(join(repoRoot, "examples", "upstream")),
  ...ksFilesIn(join(repoRoot, "tests", "cases", "emit")),
];

for (const ksPath of sources) {
  const label = ksPath.slice(repoRoot.length + 1);
  kernelTest(`${label}: every program passes the verifier`, () => {
    const build = compileAndBuild(ksPath);
    try {
      // No runs: prog-run loads the whole object (a rejection throws with the
      // verifier's log) and lists the programs it loaded.
      const result = runPrograms(build.bpfObject, []);
      const sections = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8").match(/^SEC\("(?!\.maps|license)[^"]*"\)$/gm) ?? [];
      assert.ok(sections.length > 0, "the example has eBPF programs");
      assert.equal(result.programs.length, sections.length, "one loaded program per SEC()");
      // The only programs allowed not to load are those this kernel refuses outright:
      // fentry under lockdown (EPERM), struct_ops programs whose ops type the kernel's
      // BTF lacks (machineLimit), and those calling a kfunc of the file's own kernel
      // module, which cannot be loaded here (no module support): the machine's limits;
      // the verifier has rejected none, and every other program of the same object was
      // loaded without them.
      const refused = result.programs.filter((p) => p.refused !== undefined);
      const hasModule = existsSync(join(build.dir, `${build.name}.mod.c`));
      assert.deepEqual(result.programs.filter((p) => !p.loaded && p.refused === undefined).map((p) => p.name), []);
      const boundary = (p: (typeof refused)[number]): boolean =>
        machineLimit(p) || (hasModule && p.refused!.startsWith(unresolvedKfuncReason));
      assert.deepEqual(refused.filter((p) => !boundary(p)).map((p) => p.name), []);
      for (const p of refused) console.log(`${label}: ${p.name} not loaded here: ${p.refused}`);
    } finally {
      build.cleanup();
    }
  });
}
