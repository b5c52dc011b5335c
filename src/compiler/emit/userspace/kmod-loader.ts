//! The loader's half of the kernel module (only with `@kfunc`/`@private`): before the
//! skeleton is opened, `ks_load_kernel_module()` loads `NAME_kfuncs.ko` from the
//! directory of the loader binary with finit_module(2), so the eBPF object's kfunc calls
//! resolve against the module's BTF when it loads (upstream loaded the object first).
//! - already loaded (EEXIST, or no .ko but /sys/module/NAME_kfuncs exists): fine;
//! - one-line causes for the usual failures: .ko missing (`make module`), EPERM
//!   (privileges, lockdown, signature enforcement), ENOSYS (no module support),
//!   ENOEXEC (built for another kernel);
//! - a module without BTF cannot serve kfuncs: checked through /sys/kernel/btf/NAME_kfuncs.
//! Unloading policy: the loader never unloads the module. Programs of other processes
//! may use it, and the kernel refuses `rmmod` while loaded programs reference its BTF;
//! `make uninstall-module` removes it when nothing uses it.

import type { IrModule } from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { kernelModuleFileName, kernelModuleName } from "../names.js";

export function hasModuleToLoad(module: IrModule): boolean {
  return module.kernelModule.length > 0;
}

export function emitKernelModuleLoader(w: CWriter, module: IrModule): void {
  if (!hasModuleToLoad(module)) return;
  const ko = kernelModuleFileName(module.name);
  const kmod = kernelModuleName(module.name);
  for (const header of ["fcntl.h", "limits.h", "sys/syscall.h"]) w.line(`#include <${header}>`);
  w.line();
  w.comment(`Loads ${ko} (next to this binary) before the eBPF object: its kfuncs must exist when the object loads.`);
  w.block("static int ks_load_kernel_module(void)", () => {
    w.line("static bool loaded;");
    w.line("if (loaded) return 0;");
    w.line("char path[PATH_MAX];");
    w.line("ssize_t n = readlink(\"/proc/self/exe\", path, sizeof(path) - 1);");
    w.line("char *slash = n > 0 ? memchr(path, '/', (size_t)n) : NULL;");
    w.block("if (!slash)", () => {
      w.line("fprintf(stderr, \"error: cannot find the directory of this program (/proc/self/exe)\\n\");");
      w.line("return -1;");
    });
    w.line("path[n] = '\\0';");
    w.line("slash = strrchr(path, '/');");
    w.line(`const char *file = ${cString(ko)};`);
    w.block("if ((size_t)(slash + 1 - path) + strlen(file) + 1 > sizeof(path))", () => {
      w.line("fprintf(stderr, \"error: the path of this program is too long\\n\");");
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
      w.line(`\tfprintf(stderr, "error: kernel module %s not found: build it with 'make module' (needs this kernel's build tree, KDIR=...)\\n", path);`);
      w.line("else");
      w.line(`\tfprintf(stderr, "error: cannot open kernel module %s: %s\\n", path, strerror(err));`);
      w.line("return -1;");
    });
    w.line("long rc = syscall(SYS_finit_module, fd, \"\", 0);");
    w.line("int err = errno;");
    w.line("close(fd);");
    w.block("if (rc != 0 && err != EEXIST)", () => {
      w.line("if (err == EPERM)");
      w.line(`\tfprintf(stderr, "error: the kernel refused to load %s (EPERM): loading modules needs root (CAP_SYS_MODULE), and kernel lockdown or module signature enforcement rejects unsigned modules\\n", path);`);
      w.line("else if (err == ENOSYS)");
      w.line(`\tfprintf(stderr, "error: this kernel cannot load modules (finit_module: ENOSYS, CONFIG_MODULES is off)\\n");`);
      w.line("else if (err == ENOEXEC)");
      w.line(`\tfprintf(stderr, "error: %s was built for another kernel (ENOEXEC); rebuild it with 'make module' against this kernel's headers\\n", path);`);
      w.line("else");
      w.line(`\tfprintf(stderr, "error: cannot load kernel module %s: %s\\n", path, strerror(err));`);
      w.line("return -1;");
    });
    w.block(`if (access(${cString(`/sys/kernel/btf/${kmod}`)}, F_OK) != 0)`, () => {
      w.line(`fprintf(stderr, "error: kernel module ${kmod} is loaded but has no BTF, so its kfuncs cannot be called: rebuild it with pahole installed on a kernel with CONFIG_DEBUG_INFO_BTF_MODULES\\n");`);
      w.line("return -1;");
    });
    w.line("loaded = true;");
    w.line("return 0;");
  });
  w.line();
}
