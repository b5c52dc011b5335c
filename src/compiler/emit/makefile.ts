//! The generated Makefile (DESIGN.md section 4): consumes the IrModule (only its name
//! and source path), produces the text of `Makefile`. Called by the emitter next to the
//! eBPF C and user-space C emitters; every file name comes from names.ts so the three
//! outputs and the runner agree.
//!
//! Build graph:  $(BTF) ──bpftool btf dump──▶ vmlinux.h
//!               NAME.bpf.c + vmlinux.h ──clang -target bpf──▶ NAME.bpf.o
//!               NAME.bpf.o ──bpftool gen skeleton──▶ NAME.skel.h
//!               NAME.c + NAME.skel.h (+ NAME.h) ──$(CC) … -lbpf──▶ NAME
//!               the same, `-static` ──▶ NAME.static (`make static`; `kernelscript package`)
//!
//! This file writes the program's file names as `KS_*` variables and the help lines;
//! the rules themselves, the same for every program, are `userspace/runtime-c/makefile.mk`.
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
//!   STATIC_LIBS    what `make static` links (default: pkg-config's static libs of libbpf)

import type { IrModule } from "../ir.js";
import { kernelCompatGuard } from "../names.js";
import { hasKernelModule } from "./kmod-c.js";
import { moduleRules } from "./kmod-makefile.js";
import { runtimeC } from "./userspace/runtime-c.generated.js";
import {
  binaryFileName,
  bpfObjectFileName,
  bpfSourceFileName,
  generatedBanner,
  sharedHeaderFileName,
  skeletonHeaderFileName,
  staticBinaryFileName,
  skeletonName,
  testBinaryFileName,
  testSourceFileName,
  userSourceFileName,
} from "../names.js";

/**
 * A program implementing a struct_ops type the compiling kernel's BTF lacks carries
 * its own declarations of it, guarded by `KS_HAVE_<OPS>` (emit/kernel-compat-c.ts):
 * makefile.mk defines it when the vmlinux.h being built against has the struct.
 */
function compatLines(module: IrModule): string[] {
  const compat = module.kernelCompat;
  if (!compat) return [];
  return [`KS_COMPAT_OPS := ${compat.opsType}`, `KS_COMPAT_GUARD := ${kernelCompatGuard(compat.opsType)}`];
}

export function emitMakefile(module: IrModule, test = false): string {
  const name = module.name;
  const binary = binaryFileName(name);
  const lines: string[] = [
    generatedBanner(module.sourcePath, "make"),
    "#",
    "# make            build the eBPF object, its skeleton and the loader binary",
    "# make run        build, then run ./" + binary + " $(ARGS) (loading eBPF needs root)",
    ...(test ? ["# make test       build ./" + testBinaryFileName(name) + " and run the @test functions in the kernel (root)"] : []),
    "# make static     build ./" + staticBinaryFileName(name) + ": the loader with libbpf, libelf and zlib linked in",
    "# make clean      remove everything this Makefile generated",
    "#",
    "# Overridable: BTF, CLANG, BPFTOOL, CC, ARCH, CFLAGS, BPF_CFLAGS, LDFLAGS,",
    "# LIBBPF_INCLUDE (dir with bpf/libbpf.h), LIBBPF_LIB (dir with libbpf.so), ARGS,",
    "# STATIC_LIBS (what `make static` links).",
    "",
    `KS_BPF_SOURCE := ${bpfSourceFileName(name)}`,
    `KS_BPF_OBJECT := ${bpfObjectFileName(name)}`,
    `KS_SKELETON := ${skeletonName(name)}`,
    `KS_SKELETON_HEADER := ${skeletonHeaderFileName(name)}`,
    `KS_SHARED_HEADER := ${sharedHeaderFileName(name)}`,
    `KS_USER_SOURCE := ${userSourceFileName(name)}`,
    `KS_BINARY := ${binary}`,
    `KS_STATIC_BINARY := ${staticBinaryFileName(name)}`,
    ...(test ? [`KS_TEST_SOURCE := ${testSourceFileName(name)}`, `KS_TEST_BINARY := ${testBinaryFileName(name)}`] : []),
    // With a kernel module, the test binary loads it when it can: build it first when a
    // kernel build tree exists (order-only: the binary does not depend on it).
    ...(test && hasKernelModule(module) ? ["KS_TEST_FIRST := test-module"] : []),
    ...((module.handover?.pythonModules.length ?? 0) > 0 ? ["KS_PYTHON := 1"] : []),
    ...compatLines(module),
    "",
    runtimeC["makefile.mk"].replace(/\n+$/, ""),
  ];
  if (hasKernelModule(module)) lines.push(...moduleRules(module, test));
  return lines.join("\n") + "\n";
}
