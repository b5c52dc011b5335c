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

  w.block("static const char *ks_line_map_exact(int line)", () => {
    w.line("for (int i = 0; ks_line_map[i].origin; i++)");
    w.line("    if (ks_line_map[i].c_line == line) return ks_line_map[i].origin;");
    w.line("return NULL;");
  });
  w.line();

  w.comment("Instruction lines look like \"12: (85) call ...\" (libbpf >= 1.4 also writes \"12: <invalid kfunc call>\");");
  w.comment("state lines like \"12: R0=...\".");
  w.block("static bool ks_is_instruction(const char *line)", () => {
    w.line("const char *c = line;");
    w.line("if (*c < '0' || *c > '9') return false;");
    w.line("while (*c >= '0' && *c <= '9') c++;");
    w.line('return strncmp(c, ": (", 3) == 0 || strncmp(c, ": <invalid kfunc call>", 22) == 0;');
  });
  w.line();
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
  w.block("static bool ks_is_noise(const char *line, size_t len)", () => {
    w.line("if (len == 0) return true;");
    w.line("for (int i = 0; ks_verifier_noise[i]; i++)");
    w.line("    if (strncmp(line, ks_verifier_noise[i], strlen(ks_verifier_noise[i])) == 0) return true;");
    w.line("const char *c = line;");
    w.line("while (*c >= '0' && *c <= '9') c++;");
    w.line('return c > line && (strncmp(c, ": R", 3) == 0 || strncmp(c, ": frame", 7) == 0 || strncmp(c, ": safe", 6) == 0);');
  });
  w.line();

  const bpfSource = bpfSourceFileName(module.name);
  w.comment("The .ks origin of the last mapped line info in [from, until).");
  w.block("static const char *ks_origin_before(const char *from, const char *until, int *c_line)", () => {
    w.line(`const char *marker = "@ ${bpfSource}:";`);
    w.line("const char *origin = NULL;");
    w.line("for (const char *at = strstr(from, marker); at && at < until; at = strstr(at + 1, marker)) {");
    w.line("    int line = atoi(at + strlen(marker));");
    w.line("    const char *mapped = line > 0 ? ks_line_map_exact(line) : NULL;");
    w.line("    if (mapped) { origin = mapped; *c_line = line; }");
    w.line("}");
    w.line("return origin;");
  });
  w.line();

  const verifierLog = verifierLogFileName(module.name);
  w.comment("Set by the test binary under `kernelscript test`, which explains the log itself: write it, print nothing.");
  w.line("static bool ks_verifier_log_only;");
  w.line("static bool ks_verifier_log_written;");
  w.comment("On a verifier rejection: write the log to a file and print the mapped explanation.");
  w.block("static bool ks_report_verifier_log(void)", () => {
    w.line('char *begin = ks_log ? strstr(ks_log, "-- BEGIN PROG LOAD LOG --") : NULL;');
    w.line("if (!begin) return false;");
    w.line('char *end = strstr(begin, "-- END PROG LOAD LOG --");');
    w.line("if (!end) end = ks_log + ks_log_len;");
    w.line(`FILE *file = fopen(${cString(verifierLog)}, "w");`);
    w.block("if (file)", () => {
      w.line("ks_verifier_log_written = fwrite(ks_log, 1, ks_log_len, file) == ks_log_len;");
      w.line("if (fclose(file) != 0) ks_verifier_log_written = false;");
    });
    w.line("if (ks_verifier_log_only && ks_verifier_log_written) return true;");
    w.comment("libbpf names the program as \"prog 'NAME': -- BEGIN PROG LOAD LOG --\".");
    w.line('char program[128] = "?";');
    w.line("char *quote = begin;");
    w.line("while (quote > ks_log && *(quote - 1) != '\\n') quote--;");
    w.line(`char *named = strstr(quote, "prog '");`);
    w.block("if (named && named < begin)", () => {
      w.line("named += 6;");
      w.line("size_t len = strcspn(named, \"'\");");
      w.line("if (len >= sizeof(program)) len = sizeof(program) - 1;");
      w.line("memcpy(program, named, len);");
      w.line("program[len] = 0;");
    });
    w.comment("The complaint starts after the last instruction line.");
    w.line("char *body = strchr(begin, '\\n');");
    w.line("body = body ? body + 1 : end;");
    w.line("char *last_insn = NULL;");
    w.block("for (char *line = body; line && line < end; )", () => {
      w.line("if (ks_is_instruction(line)) last_insn = line;");
      w.line("char *next = strchr(line, '\\n');");
      w.line("line = next ? next + 1 : NULL;");
    });
    w.line("char *complaint = last_insn ? strchr(last_insn, '\\n') : body;");
    w.line("complaint = complaint ? complaint + (last_insn ? 1 : 0) : end;");
    w.comment("Match: patterns in order, each against every complaint line.");
    w.line("int entry = -1;");
    w.line("char said[512] = \"(the verifier printed no message)\";");
    w.line("char line_text[512];");
    w.block("for (int p = 0; ks_verifier_patterns[p].entry >= 0 && entry < 0; p++)", () => {
      w.line("bool applies = ks_verifier_patterns[p].log_has[0] == NULL;");
      w.block("for (int m = 0; ks_verifier_patterns[p].log_has[m] && !applies; m++)", () => {
        w.line("char *mark = strstr(begin, ks_verifier_patterns[p].log_has[m]);");
        w.line("applies = mark && mark < end;");
      });
      w.line("if (!applies) continue;");
      w.block("for (char *line = complaint; line && line < end; )", () => {
        w.line("char *next = strchr(line, '\\n');");
        w.line("size_t len = next ? (size_t)(next - line) : strlen(line);");
        w.line("if (len >= sizeof(line_text)) len = sizeof(line_text) - 1;");
        w.line("memcpy(line_text, line, len);");
        w.line("line_text[len] = 0;");
        w.block("if (!ks_is_noise(line_text, len))", () => {
          w.line("bool all = true;");
          w.line("for (int n = 0; ks_verifier_patterns[p].needles[n]; n++)");
          w.line("    if (!strstr(line_text, ks_verifier_patterns[p].needles[n])) all = false;");
          w.block("if (all)", () => {
            w.line("entry = ks_verifier_patterns[p].entry;");
            w.line("memcpy(said, line_text, len + 1);");
            w.line("break;");
          });
          w.comment("Without a match, the verifier's last complaint line is quoted.");
          w.line("if (entry < 0 && p == 0) memcpy(said, line_text, len + 1);");
        });
        w.line("line = next ? next + 1 : NULL;");
      });
    });
    w.line(`const int fallback = (int)(sizeof(ks_verifier_entries) / sizeof(ks_verifier_entries[0])) - 1;`);
    w.line("const struct ks_verifier_entry *e = &ks_verifier_entries[entry >= 0 ? entry : fallback];");
    w.comment("Where: the acquiring instruction (points_to), else the line info before the last instruction.");
    w.line("int c_line = 0;");
    w.line("const char *origin = NULL;");
    w.block("if (!e->at_program && e->points_to && strstr(said, e->points_to))", () => {
      w.line("char wanted[32];");
      w.line("snprintf(wanted, sizeof(wanted), \"\\n%d: (\", atoi(strstr(said, e->points_to) + strlen(e->points_to)));");
      w.line("char *insn = strstr(body, wanted);");
      w.line("if (insn && insn < end) origin = ks_origin_before(body, insn, &c_line);");
    });
    w.block("if (e->unresolved_kfunc)", () => {
      w.line("const char *call = ks_unresolved_kfunc_call(body, end);");
      w.line("char named[128] = \"\";");
      w.line("const struct ks_weak_kfunc *k = call ? ks_unresolved_kfunc(body, call, end, named, sizeof(named)) : NULL;");
      w.line("if (call) origin = ks_origin_before(body, call, &c_line);");
      w.line("const char *kfunc = k ? k->name : named[0] ? named : \"?\";");
      w.block("if (k && k->module)", () => {
        w.comment("The loader loaded (or found loaded) its module first: a loaded module without this kfunc is an older build.");
        w.line(`fprintf(stderr, "error[%s]: program '%s' calls kfunc '%s', which the loaded kernel module '%s' does not provide\\n", e->code, program, kfunc, k->module);`);
      });
      w.block("else", () => {
        w.line(`fprintf(stderr, "error[%s]: program '%s' calls kfunc '%s', which the running kernel does not have: the kernel module providing it is not loaded (or this kernel lacks it)\\n", e->code, program, kfunc);`);
      });
      w.line(`if (origin) fprintf(stderr, "  --> %s (${bpfSource}:%d)\\n", origin, c_line);`);
      w.line(`fprintf(stderr, "   = the verifier said: %s\\n", said);`);
      w.line("if (k && k->module)");
      w.line(`    fprintf(stderr, "   = help: an older build of '%s' is loaded: unload it (rmmod %s, or make uninstall-module) and run again, so this loader loads the new one\\n", k->module, k->module);`);
      w.line("else");
      w.line(`    fprintf(stderr, "   = help: load the module that provides '%s' (modprobe MODULE) and run again\\n", kfunc);`);
      w.line(`fprintf(stderr, "   = note: full verifier log: %s\\n", ${cString(verifierLog)});`);
      w.line("return true;");
    });
    w.line("if (!e->at_program && !origin && last_insn) origin = ks_origin_before(body, last_insn, &c_line);");
    w.line(`fprintf(stderr, "error[%s]: the kernel verifier rejected program '%s': %s\\n", e->code, program, e->summary);`);
    w.line(`if (origin) fprintf(stderr, "  --> %s (${bpfSource}:%d)\\n", origin, c_line);`);
    w.line(`else fprintf(stderr, "  --> program '%s'\\n", program);`);
    w.line(`fprintf(stderr, "   = the verifier said: %s\\n", said);`);
    w.line(`fprintf(stderr, "   = help: %s\\n", e->help);`);
    w.line(`fprintf(stderr, "   = note: full verifier log: %s\\n", ${cString(verifierLog)});`);
    w.line("return true;");
  });
  w.line();
}
