//! The loader's verifier report: when the kernel rejects a program, the generated
//! loader writes libbpf's whole output (the complete verifier log: libbpf grows its own
//! log buffer while the kernel answers ENOSPC) to `NAME.verifier.log` and prints a
//! mapped diagnostic:
//!
//!   error[E0452]: the kernel verifier rejected program 'p': <plain words>
//!     --> app.ks:9 (app.bpf.c:22)
//!      = the verifier said: R0 invalid mem access 'map_value_or_null'
//!      = help: …
//!      = note: full verifier log: app.verifier.log
//!
//! The explanations are generated from the same table as `kernelscript check --kernel`
//! (`verifier/patterns.ts`, wording from `catalog/verifier.ts`), matched the same way:
//! patterns in order, each against every line of the complaint, all substrings of one
//! alternative in one line (`strstr`). The complaint is what follows the last
//! instruction line, without state dumps and statistics; the location is the most
//! recent `@ NAME.bpf.c:N` line info before that instruction whose C line the compiler
//! mapped (or, for an unreleased reference, the instruction that acquired it).

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { bpfSourceFileName, verifierLogFileName } from "../../names.js";
import { verifierPatterns } from "../../verifier/patterns.js";
import { verifierUnrecognised } from "../../diagnostics/catalog/verifier.js";
import { weakKfuncs } from "../ebpf-c.js";
import { pasteRuntimeC } from "./runtime-c.js";

/** Line prefixes that are never the complaint (see `isNoise` in verifier/log.ts). */
const noisePrefixes = [
  "processed ", "verification time", "stack depth", "-- ", "libbpf:", ";", "from ", "func#", "Func#", "caller:", "callee:",
  "cur state:", "old state:", "mark_precise:", "last_idx", "regs=", "parent ", "propagating ", "Live regs", "returning from callee", "to caller at",
];

/** Emits the explanation table and `ks_report_verifier_log()` (needs `ks_line_map`). */
export function emitVerifierReport(w: CWriter, module: IrModule): void {
  emitVerifierTables(w);

  pasteRuntimeC(w, "verifier-lines");
  w.comment("The weak kfuncs of the object (C name, .ks name, the module providing them), for E0469.");
  w.line("struct ks_weak_kfunc { const char *c_name, *name, *module; };");
  w.line("static const struct ks_weak_kfunc ks_weak_kfuncs[] = {");
  w.indent();
  for (const k of weakKfuncs(module)) w.line(`{ ${cString(k.cName)}, ${cString(k.name)}, ${k.module !== undefined ? cString(k.module) : "NULL"} },`);
  w.line("{ NULL, NULL, NULL },");
  w.dedent();
  w.line("};");
  w.line();
  pasteRuntimeC(w, "verifier-kfunc");
  w.line(`#define KS_BPF_SOURCE ${cString(bpfSourceFileName(module.name))}`);
  w.line(`#define KS_VERIFIER_LOG ${cString(verifierLogFileName(module.name))}`);
  pasteRuntimeC(w, "verifier-report");
}

/**
 * The explanation tables: generated from the catalogue, so the same in every loader
 * (the emit goldens show them once, by name, like the runtime-c files).
 */
export function emitVerifierTables(w: CWriter): void {
  const maxNeedles = Math.max(...verifierPatterns.flatMap((p) => p.anyOf.map((a) => a.length)));
  const maxMarks = Math.max(1, ...verifierPatterns.map((p) => p.logHas?.length ?? 0));
  w.comment("Verifier messages explained: generated from the compiler's catalogue (E0450-E0479).");
  w.block("struct ks_verifier_pattern", () => {
    w.line(`const char *needles[${maxNeedles + 1}];`);
    w.comment("The pattern applies only when the log also holds one of these (none: always).");
    w.line(`const char *log_has[${maxMarks + 1}];`);
    w.line("int entry;");
  }, ";");
  w.block("struct ks_verifier_entry", () => {
    w.line("const char *code, *summary, *help, *points_to;");
    w.line("int at_program;");
    w.comment("E0469: the explanation names the kfunc and its module (runtime-c/verifier-kfunc.c).");
    w.line("int unresolved_kfunc;");
  }, ";");
  w.line("static const struct ks_verifier_entry ks_verifier_entries[] = {");
  w.indent();
  for (const p of verifierPatterns) {
    w.line(`{ ${cString(p.entry.code)}, ${cString(p.entry.summary)}, ${cString(p.entry.help)}, ${p.pointsTo ? cString(p.pointsTo) : "NULL"}, ${p.at === "program" ? 1 : 0}, ${p.unresolvedKfunc ? 1 : 0} },`);
  }
  w.line(`{ ${cString(verifierUnrecognised.code)}, ${cString("the kernel's verifier refused it (its message is quoted below)")}, ${cString(verifierUnrecognised.help)}, NULL, 0, 0 },`);
  w.dedent();
  w.line("};");
  w.line("static const struct ks_verifier_pattern ks_verifier_patterns[] = {");
  w.indent();
  verifierPatterns.forEach((p, i) => {
    const marks = `{ ${[...(p.logHas ?? []).map(cString), "NULL"].join(", ")} }`;
    for (const all of p.anyOf) w.line(`{ { ${[...all.map(cString), "NULL"].join(", ")} }, ${marks}, ${i} },`);
  });
  w.line("{ { NULL }, { NULL }, -1 },");
  w.dedent();
  w.line("};");
  w.line(`static const char *const ks_verifier_noise[] = { ${[...noisePrefixes.map(cString), "NULL"].join(", ")} };`);
  w.line();
}
