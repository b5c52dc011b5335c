//! The kernel declarations a program implementing a struct_ops type this kernel's BTF
//! lacks needs in its eBPF C (check/struct-ops-compat.ts): written inside
//! `#ifndef KS_HAVE_<OPS>`, so the same C builds against a vmlinux.h that has them (the
//! generated Makefile defines the macro when its vmlinux.h declares the ops struct).
//! Structs declared without members are opaque: only forward-declared, so a kernel
//! type vmlinux.h always has is never redefined.

import type { KernelCompat } from "../ir.js";
import { cDeclaration } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { kernelCompatGuard } from "../names.js";


export function emitKernelCompat(w: CWriter, compat: KernelCompat | undefined): void {
  if (!compat) return;
  const guard = kernelCompatGuard(compat.opsType);
  w.line();
  w.comment(`\`${compat.opsType}\` was not in the kernel BTF at compile time: these kernel types come from the`);
  w.comment(`program's declarations. The Makefile defines ${guard} when vmlinux.h has them.`);
  w.line(`#ifndef ${guard}`);
  const opaque = compat.structs.filter((s) => s.fields.length === 0);
  for (const layout of opaque) w.line(`struct ${layout.name};`);
  for (const layout of compat.enums) {
    w.block(`enum ${layout.name}`, () => {
      for (const constant of layout.constants) w.line(`${constant.name} = ${enumValue(constant.value)},`);
    }, ";");
  }
  for (const layout of compat.structs) {
    if (layout.fields.length === 0) continue;
    w.block(`struct ${layout.name}`, () => {
      for (const field of layout.fields) w.line(`${cDeclaration(field.type, field.name)};`);
    }, ";");
  }
  w.line(`#endif /* ${guard} */`);
}

/** Enumerators beyond `int` are spelled as clang accepts them (as vmlinux.h does). */
function enumValue(value: bigint): string {
  if (value >= -(1n << 31n) && value < 1n << 31n) return value.toString();
  return value < 0n ? `${value}LL` : `0x${value.toString(16)}ULL`;
}
