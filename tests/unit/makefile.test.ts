// The generated Makefile: its text contract (banner, targets, skeleton name) and, by
// asking make itself (`make -n`), the commands it really runs with overridden variables.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emitMakefile } from "../../src/compiler/emit/makefile.js";
import { generatedBanner, skeletonName } from "../../src/compiler/names.js";
import type { IrModule } from "../../src/compiler/ir.js";

function moduleNamed(name: string): IrModule {
  return {
    name, sourcePath: `examples/${name}.ks`, structs: [], enums: [], typedefs: [], maps: [], globals: [], configs: [], structOps: [],
    programs: [], helpers: [], userFunctions: [], hasUserMain: false, license: { text: "GPL", span: undefined, gplCompatible: true }, externs: [], tailCallTargets: [], kernelModule: [],
  };
}

const makefile = emitMakefile(moduleNamed("seed"));

test("first line is the generated banner", () => {
  assert.equal(makefile.split("\n")[0], generatedBanner("examples/seed.ks", "make"));
});

test("all is the default target and builds the binary", () => {
  // The file names are variables of the program's lines; the shared rules use them.
  assert.match(makefile, /^KS_BINARY := seed$/m);
  const firstTarget = makefile.split("\n").find((l) => /^[A-Za-z0-9_.$()-]+:/.test(l) && !l.startsWith(".") && !/^\w+ :?=/.test(l));
  assert.equal(firstTarget, "all: $(KS_BINARY)");
  assert.match(makefile, /^\.PHONY: all clean run test static$/m);
});

test("`make static` links the loader statically, under the names.ts name (kernelscript package)", () => {
  assert.match(makefile, /^KS_STATIC_BINARY := seed\.static$/m);
  assert.match(makefile, /^static: \$\(KS_STATIC_BINARY\)$/m);
  assert.match(makefile, /^\t\$\(CC\) .* -static .*\$\(STATIC_LIBS\)/m);
  assert.match(makefile, /^clean:\n\trm -f \$\(KS_BINARY\) \$\(KS_STATIC_BINARY\) /m);
});

test("skeleton is generated under the names.ts skeleton name", () => {
  assert.equal(skeletonName("seed"), "seed_bpf");
  assert.match(makefile, /^KS_SKELETON := seed_bpf$/m);
  assert.match(makefile, /\$\(BPFTOOL\) gen skeleton \$< name \$\(KS_SKELETON\) > \$@\.tmp/);
});

test("project names with dashes give a C identifier skeleton name", () => {
  assert.match(emitMakefile(moduleNamed("my-app")), /^KS_SKELETON := my_app_bpf$/m);
});

test("overridable variables use ?=", () => {
  for (const variable of ["BTF", "CLANG", "BPFTOOL", "ARCH", "CFLAGS", "BPF_CFLAGS", "LDFLAGS", "LIBBPF_INCLUDE", "LIBBPF_LIB", "ARGS"]) {
    assert.match(makefile, new RegExp(`^${variable} \\?=`, "m"), variable);
  }
  assert.match(makefile, /^BTF \?= \/sys\/kernel\/btf\/vmlinux$/m);
});

function dryRun(args: readonly string[], target = "all"): string {
  const dir = mkdtempSync(join(tmpdir(), "ks-makefile-"));
  try {
    writeFileSync(join(dir, "Makefile"), makefile);
    for (const file of ["seed.bpf.c", "seed.c"]) writeFileSync(join(dir, file), "");
    const result = spawnSync("make", ["-n", "-C", dir, target, ...args], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const haveMake = spawnSync("sh", ["-c", "command -v make"]).status === 0;

test("make -n: the full build chain in order", { skip: haveMake ? false : "make is not installed" }, () => {
  const commands = dryRun([]).split("\n").filter((l) => /^(bpftool|clang|cc|mv)\b/.test(l));
  assert.match(commands[0]!, /^bpftool btf dump file \/sys\/kernel\/btf\/vmlinux format c > vmlinux\.h\.tmp$/);
  const clang = commands.find((l) => l.startsWith("clang"))!;
  assert.match(clang, /^clang -O2 -g -target bpf -D__TARGET_ARCH_\w+ -Wall .* -c seed\.bpf\.c -o seed\.bpf\.o$/);
  assert.ok(commands.findIndex((l) => l.startsWith("bpftool gen skeleton seed.bpf.o name seed_bpf")) > commands.indexOf(clang));
  assert.match(commands.at(-1)!, /^cc -O2 -g -Wall .*seed\.c -o seed .*-lbpf -lelf -lz/);
});

test("make -n: ARCH comes from uname -m", { skip: haveMake ? false : "make is not installed" }, () => {
  const machine = spawnSync("uname", ["-m"], { encoding: "utf8" }).stdout.trim();
  const expected: Record<string, string> = { x86_64: "x86", aarch64: "arm64", s390x: "s390", riscv64: "riscv" };
  if (expected[machine]) assert.match(dryRun([]), new RegExp(`-D__TARGET_ARCH_${expected[machine]} `));
  assert.match(dryRun(["ARCH=arm64"]), /-D__TARGET_ARCH_arm64 /);
});

test("make -n: CFLAGS/BPF_CFLAGS add to the base flags, never replace them", { skip: haveMake ? false : "make is not installed" }, () => {
  const out = dryRun(["CFLAGS=-Werror", "BPF_CFLAGS=-Werror -DX=1"]);
  assert.match(out, /^clang -O2 -g -target bpf .*-Wall .*-Werror -DX=1 -c seed\.bpf\.c/m);
  assert.match(out, /^cc -O2 -g -Wall .*-Werror seed\.c -o seed/m);
});

test("make -n: a libbpf built elsewhere (include dir, lib dir with rpath), another BTF", { skip: haveMake ? false : "make is not installed" }, () => {
  const out = dryRun(["LIBBPF_INCLUDE=/opt/libbpf/include", "LIBBPF_LIB=/opt/libbpf/lib", "BTF=/tmp/other.btf"]);
  assert.match(out, /^bpftool btf dump file \/tmp\/other\.btf format c/m);
  assert.match(out, /^clang .*-I\/opt\/libbpf\/include .*-c seed\.bpf\.c/m);
  assert.match(out, /^cc .*-I\/opt\/libbpf\/include .*-L\/opt\/libbpf\/lib -Wl,-rpath,\/opt\/libbpf\/lib -lbpf -lelf -lz/m);
});

test("make -n run passes ARGS; clean removes what was generated", { skip: haveMake ? false : "make is not installed" }, () => {
  assert.match(dryRun(["ARGS=-i veth0 --count 1"], "run"), /^\.\/seed -i veth0 --count 1$/m);
  const clean = dryRun([], "clean");
  for (const file of ["seed", "seed.bpf.o", "seed.skel.h", "vmlinux.h"]) assert.match(clean, new RegExp(` ${file.replace(/\./g, "\\.")}( |$)`, "m"));
});

test("a long project name gives a skeleton name bpftool keeps whole (at most 63 characters)", () => {
  const name = skeletonName("skeleton-name-of-a-project-whose-file-stem-is-longer-than-sixty-characters");
  assert.equal(name.length, 63);
  assert.match(name, /^skeleton_name_of_a_project_\w+_bpf$/);
  assert.equal(skeletonName("a".repeat(59)), `${"a".repeat(59)}_bpf`);
});
