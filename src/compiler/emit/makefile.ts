//! The generated Makefile (DESIGN.md section 4): consumes the IrModule (only its name
//! and source path), produces the text of `Makefile`. Called by the emitter next to the
//! eBPF C and user-space C emitters; every file name comes from names.ts so the three
//! outputs and the runner agree.
//!
//! Build graph:  $(BTF) ──bpftool btf dump──▶ vmlinux.h
//!               NAME.bpf.c + vmlinux.h ──clang -target bpf──▶ NAME.bpf.o
//!               NAME.bpf.o ──bpftool gen skeleton──▶ NAME.skel.h
//!               NAME.c + NAME.skel.h (+ NAME.h) ──$(CC) … -lbpf──▶ NAME
//!
//! Variables meant to be overridden on the command line (`make CFLAGS=-Werror`):
//!   BTF            kernel BTF to generate vmlinux.h from (default: the running kernel's)
//!   CLANG BPFTOOL  tool names/paths; CC is make's own variable
//!   ARCH           __TARGET_ARCH_ suffix (derived from `uname -m`)
//!   CFLAGS LDFLAGS extra flags for the user-space binary (empty by default, so that
//!                  overriding them never drops the base flags)
//!   BPF_CFLAGS     extra flags for the eBPF object
//!   LIBBPF_INCLUDE directory holding `bpf/libbpf.h` of a libbpf built elsewhere
//!   LIBBPF_LIB     directory holding its libbpf.so / libbpf.a (an rpath is added)
//!   ARGS           arguments for `make run`

import type { IrModule } from "../ir.js";
import { kernelCompatGuard } from "../names.js";
import { hasKernelModule } from "./kmod-c.js";
import { moduleRules } from "./kmod-makefile.js";
import {
  binaryFileName,
  bpfObjectFileName,
  bpfSourceFileName,
  generatedBanner,
  sharedHeaderFileName,
  skeletonHeaderFileName,
  skeletonName,
  testBinaryFileName,
  testSourceFileName,
  userSourceFileName,
} from "../names.js";

/**
 * `uname -m` → the `__TARGET_ARCH_x` name bpf_tracing.h expects. A sed chain keeps the
 * Makefile free of shell `case`, which reads badly inside `$(shell …)`.
 */
const archRewrites: readonly (readonly [string, string])[] = [
  ["x86_64", "x86"],
  ["i.86", "x86"],
  ["aarch64", "arm64"],
  ["arm.*", "arm"],
  ["ppc64.*", "powerpc"],
  ["s390x", "s390"],
  ["riscv64", "riscv"],
  ["loongarch64", "loongarch"],
  ["mips.*", "mips"],
];

/**
 * A program implementing a struct_ops type the compiling kernel's BTF lacks carries
 * its own declarations of it, guarded by `KS_HAVE_<OPS>` (emit/kernel-compat-c.ts):
 * defined here when the vmlinux.h being built against has the struct (a recursive
 * variable, so it is read after vmlinux.h exists).
 */
function compatLines(module: IrModule): string[] {
  const compat = module.kernelCompat;
  if (!compat) return [];
  return [
    `# ${compat.opsType} was not in the kernel BTF this program was compiled against; when this`,
    "# vmlinux.h has it, the eBPF C uses vmlinux.h's declarations instead of its own.",
    `KS_COMPAT_CFLAGS = $(shell grep -qs '^struct ${compat.opsType} {' vmlinux.h && echo -D${kernelCompatGuard(compat.opsType)})`,
    "",
  ];
}

export function emitMakefile(module: IrModule, test = false): string {
  const name = module.name;
  const bpfSource = bpfSourceFileName(name);
  const bpfObject = bpfObjectFileName(name);
  const skeleton = skeletonHeaderFileName(name);
  const userSource = userSourceFileName(name);
  const header = sharedHeaderFileName(name);
  const binary = binaryFileName(name);
  const python = (module.handover?.pythonModules.length ?? 0) > 0;
  // One link line for the loader and the test binary: both embed CPython when the
  // program imports Python modules.
  const linkRecipe = (source: string) => python
    ? `\t$(CC) -O2 -g -Wall -I. $(PYTHON_CPPFLAGS) $(LIBBPF_CPPFLAGS) $(CFLAGS) ${source} -o $@ $(LIBBPF_LDFLAGS) -lbpf -lelf -lz $(PYTHON_LDFLAGS) $(LDFLAGS)`
    : `\t$(CC) -O2 -g -Wall -I. $(LIBBPF_CPPFLAGS) $(CFLAGS) ${source} -o $@ $(LIBBPF_LDFLAGS) -lbpf -lelf -lz $(LDFLAGS)`;
  const sed = archRewrites.map(([from, to]) => `-e 's/^${from}$$/${to}/'`).join(" ");

  const testSource = testSourceFileName(name);
  const testBinary = testBinaryFileName(name);
  const lines: string[] = [
    generatedBanner(module.sourcePath, "make"),
    "#",
    "# make            build the eBPF object, its skeleton and the loader binary",
    "# make run        build, then run ./" + binary + " $(ARGS) (loading eBPF needs root)",
    ...(test ? ["# make test       build ./" + testBinary + " and run the @test functions in the kernel (root)"] : []),
    "# make clean      remove everything this Makefile generated",
    "#",
    "# Overridable: BTF, CLANG, BPFTOOL, CC, ARCH, CFLAGS, BPF_CFLAGS, LDFLAGS,",
    "# LIBBPF_INCLUDE (dir with bpf/libbpf.h), LIBBPF_LIB (dir with libbpf.so), ARGS.",
    "",
    "BTF ?= /sys/kernel/btf/vmlinux",
    "CLANG ?= clang",
    "BPFTOOL ?= bpftool",
    `ARCH ?= $(shell uname -m | sed ${sed})`,
    "CFLAGS ?=",
    "BPF_CFLAGS ?=",
    "LDFLAGS ?=",
    "LIBBPF_INCLUDE ?=",
    "LIBBPF_LIB ?=",
    "ARGS ?=",
    ...(python ? [
      "# Embedded CPython for the imported Python modules (python3-dev / libpython3-dev).",
      "PYTHON3_CONFIG ?= python3-config",
      "PYTHON_CPPFLAGS := $(shell $(PYTHON3_CONFIG) --includes)",
      "PYTHON_LDFLAGS := $(shell $(PYTHON3_CONFIG) --embed --ldflags)",
    ] : []),
    "",
    "comma := ,",
    "LIBBPF_CPPFLAGS := $(if $(LIBBPF_INCLUDE),-I$(LIBBPF_INCLUDE))",
    "LIBBPF_LDFLAGS := $(if $(LIBBPF_LIB),-L$(LIBBPF_LIB) -Wl$(comma)-rpath$(comma)$(LIBBPF_LIB))",
    "",
    test ? ".PHONY: all clean run test" : ".PHONY: all clean run",
    "# A failed recipe must not leave a half-written target that looks up to date.",
    ".DELETE_ON_ERROR:",
    "",
    `all: ${binary}`,
    "",
    "# Generated once; `make clean` (or deleting it) regenerates it, e.g. after BTF= changes.",
    "vmlinux.h:",
    "\t$(BPFTOOL) btf dump file $(BTF) format c > $@.tmp",
    "\tmv $@.tmp $@",
    "",
    ...compatLines(module),
    `${bpfObject}: ${bpfSource} vmlinux.h`,
    `\t$(CLANG) -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -I. $(LIBBPF_CPPFLAGS)${module.kernelCompat ? " $(KS_COMPAT_CFLAGS)" : ""} $(BPF_CFLAGS) -c $< -o $@`,
    "",
    `${skeleton}: ${bpfObject}`,
    `\t$(BPFTOOL) gen skeleton $< name ${skeletonName(name)} > $@.tmp`,
    "\tmv $@.tmp $@",
    "",
    // NAME.h exists only when the program shares types; $(wildcard) makes it a
    // prerequisite exactly then.
    `${binary}: ${userSource} ${skeleton} $(wildcard ${header})`,
    linkRecipe(userSource),
    "",
    `run: ${binary}`,
    `\t./${binary} $(ARGS)`,
    "",
    ...(test ? [
      // With a kernel module, the test binary loads it when it can: build it first when a
      // kernel build tree exists (order-only: the binary does not depend on it).
      `${testBinary}: ${testSource} ${skeleton} $(wildcard ${header})${hasKernelModule(module) ? " | test-module" : ""}`,
      linkRecipe(testSource),
      "",
      `test: ${testBinary}`,
      `\t./${testBinary} $(ARGS)`,
      "",
    ] : []),
    "clean:",
    `\trm -f ${binary}${test ? ` ${testBinary}` : ""} ${bpfObject} ${skeleton} vmlinux.h vmlinux.h.tmp ${skeleton}.tmp`,
  ];
  if (hasKernelModule(module)) lines.push(...moduleRules(module, test));
  return lines.join("\n") + "\n";
}
