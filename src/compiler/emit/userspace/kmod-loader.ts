//! The loader's half of the kernel module (only with `@kfunc`/`@private`): before the
//! skeleton is opened, `ks_load_kernel_module()` loads `NAME_kfuncs.ko` from the
//! directory of the loader binary with finit_module(2), so the eBPF object's kfunc calls
//! resolve against the module's BTF when it loads (upstream loaded the object first).
//! - already loaded (EEXIST, or no .ko but /sys/module/NAME_kfuncs exists): fine;
//! - one-line causes for the usual failures: .ko missing (`make module`), EPERM
//!   (privileges, lockdown, signature enforcement), ENOSYS (no module support),
//!   ENOEXEC (built for another kernel);
//! - a module without BTF cannot serve kfuncs: checked through /sys/kernel/btf/NAME_kfuncs.
//! The test binary (`optional`) loads what the machine can load instead: see
//! `emitOptionalModule`.
//! Unloading policy: the loader never unloads the module. Programs of other processes
//! may use it, and the kernel refuses `rmmod` while loaded programs reference its BTF;
//! `make uninstall-module` removes it when nothing uses it.

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { kernelModuleFileName, kernelModuleName, programName } from "../../names.js";

export function hasModuleToLoad(module: IrModule): boolean {
  return module.kernelModule.length > 0;
}

/**
 * `optional` (the test binary): the module's absence is not an error; its callers are
 * left unloaded (`ks_prepare_module_callers`) and `ks_unloaded_reason` says why.
 */
export function emitKernelModuleLoader(w: CWriter, module: IrModule, optional = false): void {
  if (optional) {
    emitOptionalModule(w, module);
    return;
  }
  if (!hasModuleToLoad(module)) return;
  emitModuleProblem(w, module);
  const ko = kernelModuleFileName(module.name);
  const kmod = kernelModuleName(module.name);
  w.comment(`Loads ${ko} (next to this binary) before the eBPF object: its kfuncs must exist when the object loads.`);
  w.block("static KS_UNUSED int ks_load_kernel_module(void)", () => {
    w.line("char why[PATH_MAX + 256];");
    w.line("if (ks_kernel_module_problem(why, sizeof(why)) == 0) return 0;");
    w.line(`fprintf(stderr, "error: cannot load kernel module ${kmod}: %s\\n", why);`);
    w.line("return -1;");
  });
  w.line();
}

/** `ks_kernel_module_problem(why, size)`: 0 once the module is loaded, else -1 and the cause in `why`. */
function emitModuleProblem(w: CWriter, module: IrModule): void {
  const ko = kernelModuleFileName(module.name);
  const kmod = kernelModuleName(module.name);
  for (const header of ["fcntl.h", "limits.h", "sys/syscall.h"]) w.line(`#include <${header}>`);
  w.line();
  w.comment(`Loads ${ko} from the directory of this binary with finit_module: 0, or -1 with the cause in why.`);
  w.block("static int ks_kernel_module_problem(char *why, size_t size)", () => {
    w.line("static bool loaded;");
    w.line("if (loaded) return 0;");
    w.line("char path[PATH_MAX];");
    w.line("ssize_t n = readlink(\"/proc/self/exe\", path, sizeof(path) - 1);");
    w.line("char *slash = n > 0 ? memchr(path, '/', (size_t)n) : NULL;");
    w.block("if (!slash)", () => {
      w.line('snprintf(why, size, "cannot find the directory of this program (/proc/self/exe)");');
      w.line("return -1;");
    });
    w.line("path[n] = '\\0';");
    w.line("slash = strrchr(path, '/');");
    w.line(`const char *file = ${cString(ko)};`);
    w.block("if ((size_t)(slash + 1 - path) + strlen(file) + 1 > sizeof(path))", () => {
      w.line('snprintf(why, size, "the path of this program is too long");');
      w.line("return -1;");
    });
    w.line("strcpy(slash + 1, file);");
    w.line("int fd = open(path, O_RDONLY | O_CLOEXEC);");
    w.block("if (fd < 0)", () => {
      w.line("int err = errno;");
      w.block(`if (err == ENOENT && access(${cString(`/sys/module/${kmod}`)}, F_OK) == 0)`, () => {
        w.line("loaded = true;");
        w.line("return 0;");
      });
      w.line("if (err == ENOENT)");
      w.line(`\tsnprintf(why, size, "%s: %s (build it with 'make module'; it needs this kernel's build tree, KDIR=...)", path, strerror(err));`);
      w.line("else");
      w.line(`\tsnprintf(why, size, "cannot open %s: %s", path, strerror(err));`);
      w.line("return -1;");
    });
    w.line("long rc = syscall(SYS_finit_module, fd, \"\", 0);");
    w.line("int err = errno;");
    w.line("close(fd);");
    w.block("if (rc != 0 && err != EEXIST)", () => {
      w.line('const char *hint = "";');
      w.line("if (err == EPERM)");
      w.line(`\thint = " (loading modules needs root with CAP_SYS_MODULE; kernel lockdown and module signature enforcement refuse unsigned modules)";`);
      w.line("else if (err == ENOSYS)");
      w.line(`\thint = " (this kernel has no module support: CONFIG_MODULES is off)";`);
      w.line("else if (err == ENOEXEC)");
      w.line(`\thint = " (the module was built for another kernel: rebuild it with 'make module' against this kernel's headers)";`);
      w.line('snprintf(why, size, "finit_module: %s%s", strerror(err), hint);');
      w.line("return -1;");
    });
    w.block(`if (access(${cString(`/sys/kernel/btf/${kmod}`)}, F_OK) != 0)`, () => {
      w.line(`snprintf(why, size, "the module is loaded but has no BTF (/sys/kernel/btf/${kmod} is absent), so its kfuncs cannot be called: rebuild it with pahole installed, on a kernel with CONFIG_DEBUG_INFO_BTF_MODULES");`);
      w.line("return -1;");
    });
    w.line("loaded = true;");
    w.line("return 0;");
  });
  w.line();
}

/**
 * The test binary's rule: the module is tried once; when it is unavailable, every
 * program needing it (`IrModule.moduleKfuncCallers`) gets autoload off before each
 * load, so the other programs load and run, and a test running one of them is skipped
 * with `ks_unloaded_reason(program)`.
 */
function emitOptionalModule(w: CWriter, module: IrModule): void {
  const callers = hasModuleToLoad(module) ? module.moduleKfuncCallers ?? [] : [];
  if (callers.length === 0) {
    w.block("static KS_UNUSED const char *ks_unloaded_reason(const char *program)", () => {
      w.line("(void)program;");
      w.line("return NULL;");
    });
    w.line();
    w.line("static void ks_prepare_module_callers(struct bpf_object *obj) { (void)obj; }");
    w.line();
    return;
  }
  emitModuleProblem(w, module);
  const kmod = kernelModuleName(module.name);
  w.comment(`Programs that cannot load without ${kmod}, each with what it needs from it.`);
  w.line("static const struct { const char *program; const char *needs; } ks_module_callers[] = {");
  w.indent();
  for (const c of callers) {
    const needs = c.via === undefined ? `${c.program} calls ${c.kfunc} of module ${kmod}` : `${c.program} tail-calls ${c.via}, which calls ${c.kfunc} of module ${kmod}`;
    w.line(`{ ${cString(programName(c.program))}, ${cString(needs)} },`);
  }
  w.line("{ NULL, NULL },");
  w.dedent();
  w.line("};");
  w.line("static int ks_module_state; /* 0: not tried, 1: loaded, -1: unavailable */");
  w.line("static char ks_module_problem[PATH_MAX + 256];");
  w.line("static char ks_unloaded_text[PATH_MAX + 512];");
  w.line();
  w.comment("Before each load: with the module unavailable, its callers stay unloaded.");
  w.block("static void ks_prepare_module_callers(struct bpf_object *obj)", () => {
    w.line("if (ks_module_state == 0) ks_module_state = ks_kernel_module_problem(ks_module_problem, sizeof(ks_module_problem)) == 0 ? 1 : -1;");
    w.line("if (ks_module_state > 0) return;");
    w.block("for (int i = 0; ks_module_callers[i].program; i++)", () => {
      w.line("struct bpf_program *prog = bpf_object__find_program_by_name(obj, ks_module_callers[i].program);");
      w.line("if (prog) bpf_program__set_autoload(prog, false);");
    });
  });
  w.line();
  w.comment("Why `program` was left unloaded, or NULL when it was not.");
  w.block("static KS_UNUSED const char *ks_unloaded_reason(const char *program)", () => {
    w.line("if (ks_module_state >= 0) return NULL;");
    w.block("for (int i = 0; ks_module_callers[i].program; i++)", () => {
      w.block("if (strcmp(ks_module_callers[i].program, program) == 0)", () => {
        w.line('snprintf(ks_unloaded_text, sizeof(ks_unloaded_text), "%s, which could not be loaded: %s", ks_module_callers[i].needs, ks_module_problem);');
        w.line("return ks_unloaded_text;");
      });
    });
    w.line("return NULL;");
  });
  w.line();
}
