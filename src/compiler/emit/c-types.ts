//! KernelScript types as C type names. Both sides use the kernel's fixed-width names
//! (`__u32`, `__s64`): vmlinux.h defines them for the eBPF side and <linux/types.h> for
//! user space, so one shared header (`NAME.h`) serves both.

import type { Type } from "../types.js";
import { localName, stringStructName } from "../names.js";

/** The C spelling of `type` before a declarator (`__u32`, `struct flow`, `__u8 *`). */
export function cTypeName(type: Type): string {
  switch (type.kind) {
    case "int": return type.byteOrder === "big" ? `__be${type.bits}` : `__${type.signed ? "s" : "u"}${type.bits}`;
    case "bool": return "bool";
    // Unsigned, so a byte above 127 compares and widens as the value KernelScript means.
    case "char": return "__u8";
    case "void": return "void";
    case "str": return `struct ${stringStructName(type.size)}`;
    case "array": return cTypeName(type.element);
    // A pointer to an array needs its declarator: `__u8 (*)[4]`.
    case "pointer": return type.target.kind === "array" ? cDeclaration(type, "") : `${cTypeName(type.target)} *`;
    case "struct": return `struct ${type.name}`;
    case "enum": return `enum ${type.name}`;
    case "function": return "void *";
    case "programHandle": case "programRef": return "int";
    case "map": case "null": case "intLiteral": case "error":
      throw new Error(`internal: type ${type.kind} has no C spelling`);
  }
}

/** A C declaration of `name` with `type`: handles array declarators (`__u8 buf[16]`). */
/**
 * Structs and arrays: what clang 14 copies byte by byte unless it knows both ends are
 * 8-byte aligned, running out of eBPF stack on a large one (a 150-byte struct of bytes).
 */
export function isAggregate(type: Type): boolean {
  return type.kind === "struct" || type.kind === "array";
}

/** `cDeclaration`, aligned to 8 bytes when the type is an aggregate, so copies go in words. */
export function wordAlignedDeclaration(type: Type, name: string): string {
  return isAggregate(type) ? `${cDeclaration(type, name)} __attribute__((aligned(8)))` : cDeclaration(type, name);
}

export function cDeclaration(type: Type, name: string): string {
  if (type.kind === "array") {
    const dims: number[] = [];
    let element: Type = type;
    while (element.kind === "array") {
      dims.push(element.length);
      element = element.element;
    }
    return `${cTypeName(element)} ${name}${dims.map((d) => `[${d}]`).join("")}`;
  }
  if (type.kind === "pointer" && type.target.kind === "array") return cDeclaration(type.target, `(*${name})`);
  if (type.kind === "function") {
    // A C function pointer: `__s32 (*name)(__s32, __s32)`.
    return `${cTypeName(type.returnType)} (*${name})(${type.params.map((p) => cDeclaration(p, "").trimEnd()).join(", ") || "void"})`;
  }
  const base = cTypeName(type);
  return base.endsWith("*") ? `${base}${name}` : `${base} ${name}`;
}

/**
 * `name` declared with a const-qualified `type`: `const struct flow x`, but for a pointer
 * the pointer itself is const (`__u8 *const x`), not what it points to.
 */
export function cConstDeclaration(type: Type, name: string): string {
  if (type.kind === "pointer" || type.kind === "function") return cDeclaration(type, `const ${name}`);
  return `const ${cDeclaration(type, name)}`;
}

/**
 * A parameter of a user function or program: declared under the same C name every
 * reference to it uses (`localName`: `index` → `index_`, so libc's `index` never clashes).
 */
export function cParameter(param: { readonly type: Type; readonly name: string }): string {
  return cDeclaration(param.type, localName(param.name));
}
