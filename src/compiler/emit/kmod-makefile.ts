//! Makefile rules for the kernel module (emitted only with `@kfunc`/`@private`):
//!   make module            build NAME_kfuncs.ko with kbuild (`KDIR`: the kernel's build tree)
//!   make install-module    load it (insmod; "File exists" when loaded already is not an error)
//!   make uninstall-module  unload it (rmmod; refused while eBPF programs use its kfuncs)
//!   test-module            (test mode) built before NAME.test when a build tree exists, else a note
//! `all` does not depend on `module`: the eBPF object and the loader build on machines
//! without a kernel build tree; the loader loads the module itself when it runs.
//! `clean` removes kbuild's outputs by name: kbuild's own `clean` would also delete
//! `*.mod.c`, i.e. our module source.

import type { IrModule } from "../ir.js";
import { kernelModuleFileName, kernelModuleName, moduleSourceFileName } from "../names.js";

export function moduleRules(module: IrModule, test = false): string[] {
  const name = module.name;
  const ko = kernelModuleFileName(name);
  const kmod = kernelModuleName(name);
  const source = moduleSourceFileName(name);
  const object = source.replace(/\.c$/, ".o");
  const testRules = test ? [
    "",
    "# The tests run what this machine can load: the module is built for them when a kernel",
    "# build tree exists; without it (or when it does not build) the tests of programs",
    "# calling its kfuncs are reported skipped, with the reason.",
    ".PHONY: test-module",
    "test-module:",
    `\t@if test -d $(KDIR); then $(MAKE) -s --no-print-directory module || echo "note: ${ko} did not build: the tests of programs calling its kfuncs will be skipped" >&2; \\`,
    `\telse echo "note: ${ko} not built (no kernel build tree at $(KDIR); pass KDIR=): the tests of programs calling its kfuncs will be skipped" >&2; fi`,
  ] : [];
  return [
    "",
    "# --- kernel module of the @kfunc/@private functions (not part of `all`) ---",
    "# make module KDIR=/path/to/linux-headers    build " + ko,
    "# make install-module / uninstall-module     insmod / rmmod it (root)",
    "KDIR ?= /lib/modules/$(shell uname -r)/build",
    "",
    ".PHONY: module install-module uninstall-module clean-module",
    `module: ${ko}`,
    "",
    `${ko}: ${source} Kbuild $(wildcard ${name}.h)`,
    "\t@test -d $(KDIR) || { echo \"make module: no kernel build tree at $(KDIR); install the running kernel's headers package (linux-headers-$$(uname -r)) or pass KDIR=\" >&2; exit 1; }",
    "\t$(MAKE) -C $(KDIR) M=$(CURDIR) modules",
    "",
    `install-module: ${ko}`,
    "# Already loaded (insmod: File exists) counts as done.",
    `\tinsmod ./${ko} || test -d /sys/module/${kmod}`,
    "",
    "uninstall-module:",
    `\trmmod ${kmod}`,
    "",
    "clean: clean-module",
    "clean-module:",
    `\trm -f ${ko} ${kmod}.o ${kmod}.mod ${kmod}.mod.c ${kmod}.mod.o ${object} Module.symvers modules.order .module-common.o`,
    `\trm -f .${kmod}.*.cmd .${object}.cmd .${ko}.cmd .Module.symvers.cmd .modules.order.cmd .module-common.o.cmd`,
    ...testRules,
  ];
}
