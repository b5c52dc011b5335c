//! The reference implementation's examples (KernelScript 0.1.1), measured *as written*:
//! the files in `../shared/upstream/examples/` beside the repository, never copied into
//! it. For each example: what `kernelscript check` prints, whether it builds with
//! -Werror, and each eBPF program's verdict from this kernel (loaded, refused at the
//! machine's boundary with the reason, or rejected by the verifier). Shared by the
//! kernel test (tests/kernel/upstream-verbatim.test.ts) and tools/upstream-table.ts.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildOutputDir } from "./build.js";
import { compileToDirectory } from "./compile.js";
import { repoRoot } from "./paths.js";
import { verifyBuiltObject } from "./verify.js";

/** The examples, as the repository's tests reach them: `../shared/upstream/examples`. */
export const verbatimDir = resolve(repoRoot, "..", "shared", "upstream", "examples");
/** The same directory as written on the command line (relative to the repository root). */
export const verbatimDirFromRoot = "../shared/upstream/examples";

/** Names (without `.ks`) of the examples, sorted; throws when the directory is missing. */
export function verbatimExamples(): string[] {
  if (!existsSync(verbatimDir)) {
    throw new Error(`the reference examples are missing: ${verbatimDir} (the repository expects shared/ beside it)`);
  }
  return readdirSync(verbatimDir).filter((f) => f.endsWith(".ks")).sort().map((f) => f.slice(0, -".ks".length));
}

export interface CheckRun {
  readonly code: number;
  /** Exactly what `kernelscript check` wrote on stderr (the diagnostics; empty when clean). */
  readonly stderr: string;
}

/** `kernelscript check ../shared/upstream/examples/NAME.ks`, run from the repository root. */
export function checkVerbatim(name: string): CheckRun {
  const run = spawnSync(process.execPath, [join(repoRoot, "bin", "kernelscript"), "check", `${verbatimDirFromRoot}/${name}.ks`], {
    cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", KS_DEBUG: undefined }, maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status ?? -1, stderr: run.stderr ?? "" };
}

export type ProgramVerdict =
  | { readonly name: string; readonly verdict: "loaded" }
  | { readonly name: string; readonly verdict: "refused"; readonly reason: string }
  | { readonly name: string; readonly verdict: "rejected"; readonly code: string; readonly message: string };

export interface VerbatimRow {
  readonly name: string;
  readonly check: CheckRun;
  /** The first error `check` reported (`error[E0302]: …`), when it did not check clean. */
  readonly firstError: string | undefined;
  readonly warnings: number;
  /** undefined: not attempted (check failed). */
  readonly built: boolean | undefined;
  /** make's output when the build failed. */
  readonly buildOutput: string;
  readonly programs: readonly ProgramVerdict[];
}

/** Short reasons for the table; the full one stays in `ProgramVerdict.reason`. */
export function boundaryCause(reason: string): string {
  const missingOps = /struct_ops type (\w+) is not in this kernel's BTF/.exec(reason);
  if (missingOps) return `no ${missingOps[1]} in this kernel's BTF`;
  if (/E0469|kfunc/.test(reason)) return "kfunc of a kernel module: CONFIG_MODULES off";
  if (/EPERM/.test(reason)) return "fentry refused under lockdown (EPERM)";
  return reason;
}

/**
 * Checks, builds (-Werror) and verifier-loads one example. Needs root and the
 * toolchain for the build and load steps; `vmlinuxHeader` is the cached vmlinux.h.
 */
export function measureVerbatim(name: string, vmlinuxHeader: string): VerbatimRow {
  const check = checkVerbatim(name);
  const errors = check.stderr.split("\n").filter((l) => /^error\[E\d{4}\]/.test(l));
  const warnings = check.stderr.split("\n").filter((l) => /^warning\[W\d{4}\]/.test(l)).length;
  const base = { name, check, firstError: errors[0], warnings };
  if (check.code !== 0) return { ...base, built: undefined, buildOutput: "", programs: [] };
  const dir = mkdtempSync(join(tmpdir(), `ks-verbatim-${name}-`));
  try {
    compileToDirectory(join(verbatimDir, `${name}.ks`), dir);
    const build = buildOutputDir(dir, { werror: true, vmlinuxHeader });
    if (!build.ok) return { ...base, built: false, buildOutput: `${build.stdout}${build.stderr}`, programs: [] };
    const verified = verifyBuiltObject({ object: build.bpfObject, sourceDir: verbatimDir });
    const programs = verified.programs.map((p): ProgramVerdict => {
      if (p.loaded) return { name: p.name, verdict: "loaded" };
      if (p.refused) return { name: p.name, verdict: "refused", reason: p.refusedBecause ?? "refused by this kernel" };
      return { name: p.name, verdict: "rejected", code: p.diagnostic?.code ?? "?", message: p.diagnostic?.message ?? "" };
    });
    return { ...base, built: true, buildOutput: "", programs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summary table (Markdown), one row per example. */
export function verbatimTable(rows: readonly VerbatimRow[]): string[] {
  const built = rows.filter((r) => r.built).length;
  const clean = rows.filter((r) => r.built && r.programs.every((p) => p.verdict !== "rejected")).length;
  const lines = [
    `Builds: ${built} of ${rows.length}; every loadable program passes the verifier: ${clean} of ${rows.length}.`,
    "",
    "| example | check | builds | programs loaded | refused at this kernel's boundary | first error (exact) |",
    "|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const check = r.firstError ? "**error**" : r.warnings > 0 ? `${r.warnings} warning${r.warnings === 1 ? "" : "s"}` : "clean";
    const builds = r.built === undefined ? "—" : r.built ? "yes" : "**no**";
    const loaded = r.built ? `${r.programs.filter((p) => p.verdict === "loaded").length}/${r.programs.length}` : "—";
    const refused = r.programs.filter((p) => p.verdict === "refused") as { name: string; reason: string }[];
    const rejected = r.programs.filter((p) => p.verdict === "rejected") as { name: string; code: string; message: string }[];
    const causes = [...new Set(refused.map((p) => boundaryCause(p.reason)))];
    const refusedText = refused.length > 0 ? `${refused.map((p) => p.name).join(", ")}: ${causes.join("; ")}` : "";
    const errorText = r.firstError ?? (r.built === false ? "build failed" : rejected.map((p) => `${p.name}: verifier ${p.code} ${p.message}`).join("; "));
    lines.push(`| ${r.name} | ${check} | ${builds} | ${loaded} | ${escapeCell(refusedText)} | ${escapeCell(errorText)} |`);
  }
  return lines;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|");
}
