// Every emit golden case (tests/cases/emit/*.ks) and every example (examples/*.ks,
// examples/tools/*.ks, examples/upstream/*.ks) is compiled through the compiler API, the emitted C is built
// once by the generated Makefile with -Werror on both sides (`clang -O2 -g -target bpf
// -Wall -Werror` for NAME.bpf.c, bpftool for the skeleton, `cc -Wall -Werror` for NAME.c;
// vmlinux.h dumped once per kernel into build/cache), and, where this machine can load
// programs, the object is loaded into the kernel: each of its eBPF programs must pass the
// verifier. A golden only shows the output did not change; this shows it is valid C that
// links against this machine's libbpf and that the kernel accepts. Behaviour is tested
// elsewhere; this is the "all we accept is real" net.
//
// Two builds run at a time (the machine's cores); each build's steps stay in order.

import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type BuildResult } from "../../src/runner/build.js";
import { buildSkipReason, kernelSkipReason } from "../../src/runner/capabilities.js";
import { compileToDirectory } from "../../src/runner/compile.js";
import { repoRoot } from "../../src/runner/paths.js";
import { runPrograms } from "../../src/runner/prog-run.js";
import { buildCachedAsync, testVmlinuxHeader } from "../harness/build-cache.js";

function ksFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".ks")).sort().map((f) => join(dir, f));
}

const cases = [
  ...ksFilesIn(join(repoRoot, "tests", "cases", "emit")),
  ...ksFilesIn(join(repoRoot, "examples")),
  ...ksFilesIn(join(repoRoot, "examples", "tools")),
  // Our own equivalents of the reference implementation's examples (same names).
  ...ksFilesIn(join(repoRoot, "examples", "upstream")),
];
const skip = buildSkipReason();
const loadSkip = skip ?? kernelSkipReason();
let built = 0;
let loaded = 0;

after(() => {
  console.log(`emitted-C builds: ${built} of ${cases.length} built with -Werror${skip ? ` (skipped: ${skip})` : ""}`);
  console.log(`verifier: ${loaded} of ${cases.length} objects loaded${loadSkip ? ` (not loaded: ${loadSkip})` : ""}`);
});

const BPF_PROG_TYPE_TRACING = 26;
const BPF_PROG_TYPE_STRUCT_OPS = 27;
const BPF_PROG_TYPE_LSM = 29;

/**
 * Refusals that are this machine's limits: fentry/fexit and LSM under lockdown (EPERM), and struct_ops
 * programs whose ops type the kernel's BTF lacks (sched_ext_ops here; prog-run decides
 * that from BTF, and fails instead when the object holds any other program).
 */
function machineLimit(p: { type: number; refused?: string }): boolean {
  if (p.type === BPF_PROG_TYPE_TRACING || p.type === BPF_PROG_TYPE_LSM) return true;
  return p.type === BPF_PROG_TYPE_STRUCT_OPS && /^struct_ops type \w+ is not in this kernel's BTF/.test(p.refused ?? "");
}
/** prog-run's reason for a program whose module kfunc is unresolved (weak __ksym, module not loaded). */
const unresolvedKfuncReason = "calls a kfunc no loaded BTF provides";

/** Loads the whole object (a rejection throws with the verifier's log) and checks every program loaded or met this machine's limits. */
function assertEveryProgramLoads(label: string, build: BuildResult): void {
  const result = runPrograms(build.bpfObject, []);
  const sections = readFileSync(join(build.dir, `${build.name}.bpf.c`), "utf8").match(/^SEC\("(?!\.maps|license)[^"]*"\)$/gm) ?? [];
  assert.ok(sections.length > 0, "the source has eBPF programs");
  assert.equal(result.programs.length, sections.length, "one loaded program per SEC()");
  // The only programs allowed not to load are those this kernel refuses outright:
  // fentry under lockdown (EPERM), struct_ops programs whose ops type the kernel's BTF
  // lacks (machineLimit), and those calling a kfunc of the file's own kernel module,
  // which cannot be loaded here (no module support): the machine's limits; the verifier
  // has rejected none, and every other program of the same object was loaded without them.
  const refused = result.programs.filter((p) => p.refused !== undefined);
  const hasModule = existsSync(join(build.dir, `${build.name}.mod.c`));
  assert.deepEqual(result.programs.filter((p) => !p.loaded && p.refused === undefined).map((p) => p.name), []);
  const boundary = (p: (typeof refused)[number]): boolean =>
    machineLimit(p) || (hasModule && p.refused!.startsWith(unresolvedKfuncReason));
  assert.deepEqual(refused.filter((p) => !boundary(p)).map((p) => p.name), []);
  for (const p of refused) console.log(`${label}: ${p.name} not loaded here: ${p.refused}`);
}

describe("emitted C", { concurrency: Math.max(1, availableParallelism()) }, () => {
  for (const ksPath of cases) {
    const label = ksPath.slice(repoRoot.length + 1);
    const what = loadSkip ? "builds with -Werror" : "builds with -Werror and every program passes the verifier";
    it(`${label}: ${what}`, { skip: skip ?? false }, async () => {
      const dir = mkdtempSync(join(tmpdir(), `ks-emit-${basename(ksPath, ".ks")}-`));
      try {
        compileToDirectory(ksPath, dir);
        const build = await buildCachedAsync(dir, { werror: true, vmlinuxHeader: testVmlinuxHeader() });
        assert.ok(build.ok, `make failed for ${label}:\n${build.stdout}\n${build.stderr}`);
        for (const output of [build.bpfObject, build.skeleton, build.binary]) {
          assert.ok(existsSync(output) && statSync(output).size > 0, `${output} was produced`);
        }
        built++;
        if (loadSkip) return;
        assertEveryProgramLoads(label, build);
        loaded++;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
