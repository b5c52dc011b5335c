//! TC attach for the loader runtime. The direction is the program's `@tc("ingress")`
//! argument, kept in a table by program name (the section is plain `tc`, which libbpf
//! 1.1 and bpftool 7.1 know).
//!
//! - libbpf >= 1.3: a TCX link (kernel 6.6+), released by the kernel when the loader
//!   dies; the program's expected attach type is set before load for that. A kernel
//!   without TCX (EINVAL/EOPNOTSUPP) falls back to clsact.
//! - libbpf 1.1 (Debian 12): a clsact qdisc (created if missing) and a filter at a
//!   priority of our own with a handle the kernel picks, so each loader's filter is its
//!   own. That is not a link: `ks_release_tc` removes this loader's filter (by priority,
//!   handle and program id) on every exit path the loader can catch, and the qdisc only
//!   when no filter of anyone is left on it and a kernelscript loader created it. What
//!   SIGKILL leaves is removed by the next start of the same program: each filter has
//!   an owner record in /run/kernelscript/tc/ that its loader keeps flock()ed, so a
//!   record whose lock is free belongs to a dead loader (`runtime-c/tc-clsact.c`).

import type { IrModule } from "../../ir.js";
import { programTypeInfo } from "../../kernel/program-types.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { pasteRuntimeC } from "./runtime-c.js";
import { binaryFileName, programName } from "../../names.js";

const tcxAvailable = "(LIBBPF_MAJOR_VERSION > 1 || (LIBBPF_MAJOR_VERSION == 1 && LIBBPF_MINOR_VERSION >= 3))";

/** Programs attached by this file's code: their type's loader pieces include the TC attach. */
function tcPrograms(module: IrModule): { name: string; egress: boolean }[] {
  return module.programs
    .filter((p) => programTypeInfo[p.programType].loaderPieces.some((piece) => "generated" in piece && piece.generated === "tcAttach"))
    .map((p) => ({ name: p.name, egress: p.target === "egress" }));
}

/** Before load (libbpf >= 1.3): TCX links need the program's attach type. */
export function tcBeforeLoad(module: IrModule): string[] {
  const programs = tcPrograms(module);
  if (programs.length === 0) return [];
  // By value: a newer libbpf is often built against older UAPI headers (Debian 12's
  // linux/bpf.h is 6.1's), which lack the TCX names; the values are kernel ABI (6.6+).
  return [
    `#if ${tcxAvailable}`,
    ...programs.map((p) => `bpf_program__set_expected_attach_type(ks_skel->progs.${programName(p.name)}, (enum bpf_attach_type)${p.egress ? "47 /* BPF_TCX_EGRESS */" : "46 /* BPF_TCX_INGRESS */"});`),
    "#endif",
  ];
}

export function emitTcAttach(w: CWriter, module: IrModule): void {
  const programs = tcPrograms(module);
  if (programs.length === 0) return;
  w.line("static const struct { const char *name; int egress; } ks_tc_directions[] = {");
  w.indent();
  for (const p of programs) w.line(`{ ${cString(programName(p.name))}, ${p.egress ? 1 : 0} },`);
  w.dedent();
  w.line("};");
  w.line();
  w.comment("TC: target is an interface name; the direction comes from @tc(\"ingress\"/\"egress\").");
  w.block("static int ks_attach_tc(struct bpf_program *prog, const char *target, __u32 flags, struct ks_attachment *slot)", () => {
    w.line("(void)flags;");
    w.block("if (!target || !*target)", () => {
      w.line('fprintf(stderr, "error: TC program \'%s\' needs a network interface to attach to\\n", bpf_program__name(prog));');
      w.line("return -1;");
    });
    w.line("unsigned int ifindex = if_nametoindex(target);");
    w.block("if (ifindex == 0)", () => {
      w.line('fprintf(stderr, "error: no network interface named \'%s\' (see `ip link show`)\\n", target);');
      w.line("return -1;");
    });
    w.line("int egress = 0;");
    w.line("for (size_t i = 0; i < sizeof(ks_tc_directions) / sizeof(ks_tc_directions[0]); i++)");
    w.line("    if (strcmp(ks_tc_directions[i].name, bpf_program__name(prog)) == 0) egress = ks_tc_directions[i].egress;");
    w.line("int err = 0;");
    w.line(`#if ${tcxAvailable}`);
    w.line("slot->link = bpf_program__attach_tcx(prog, (int)ifindex, NULL);");
    w.line("if (slot->link) return 0;");
    w.line("err = -errno;");
    w.comment("No TCX in this kernel (before 6.6): fall back to clsact.");
    w.line("if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUP) err = ks_attach_clsact(prog, ifindex, egress, slot);");
    w.line("#else");
    w.line("err = ks_attach_clsact(prog, ifindex, egress, slot);");
    w.line("#endif");
    w.block("if (err)", () => {
      w.line("char what[160];");
      w.line('snprintf(what, sizeof(what), "cannot attach TC program \'%s\' to %s (%s)", bpf_program__name(prog), target, egress ? "egress" : "ingress");');
      w.line("ks_explain_errno(what, err);");
      w.line("return -1;");
    });
    w.line("return 0;");
  });
  w.line();
}

/**
 * `ks_attach_clsact` and `ks_release_tc` (runtime-c/tc-clsact.c); a stub release when the
 * module has no TC program. Emitted before the attach functions.
 */
export function emitTcRelease(w: CWriter, module: IrModule): void {
  if (tcPrograms(module).length === 0) {
    w.block("static void ks_release_tc(struct ks_attachment *a)", () => w.line("(void)a;"));
    w.line();
    return;
  }
  w.comment("A priority no other tool is likely to use; the kernel gives each filter its own handle.");
  w.line("#define KS_TC_PRIORITY 0x4b53");
  w.line(`#define KS_LOADER_NAME ${cString(binaryFileName(module.name))}`);
  w.line();
  pasteRuntimeC(w, "tc-clsact");
}
