//! Kernel types from BTF written out as KernelScript declarations, for the `.kh` headers
//! `kernelscript init` generates: structs (members of anonymous structs and unions
//! lifted, as the checker sees them), enums with their values, and function-pointer
//! members as `fn(…) -> T` types with the kernel's real prototypes.
//!
//! Typedefs are resolved to what they name (KernelScript has no kernel typedefs);
//! pointers keep the struct they point to (`*sock`), which the checker resolves from
//! BTF; a struct embedded by value is written out too, so the header is complete.

import type { Btf, BtfType } from "../kernel/btf.js";
import { isKeyword } from "../parse/token.js";

export interface RenderedTypes {
  /** Declarations in dependency order (an embedded struct before the one embedding it). */
  readonly declarations: readonly string[];
  /** Names written, for "which kernel types does this project use". */
  readonly names: readonly string[];
}

export class BtfRenderer {
  private readonly done = new Set<string>();
  private readonly out: string[] = [];
  private readonly names: string[] = [];

  constructor(private readonly btf: Btf) {}

  /** Adds the struct or union `name` (and the structs it embeds by value). */
  addStruct(name: string, methodsAsFunctions = false): boolean {
    const found = this.btf.findStruct(name);
    if (!found) return false;
    this.struct(found, methodsAsFunctions);
    return true;
  }

  /** Adds the enum `name`; false when BTF has none. */
  addEnum(name: string): boolean {
    const found = this.btf.find(name, ["enum", "enum64"]);
    if (!found || (found.kind !== "enum" && found.kind !== "enum64")) return false;
    if (this.done.has(`enum ${name}`)) return true;
    this.done.add(`enum ${name}`);
    const lines = [`// enum ${name} (${found.values.length} value${found.values.length === 1 ? "" : "s"}, from BTF)`, `enum ${name} {`];
    for (const value of found.values) lines.push(`    ${value.name} = ${value.value},`);
    lines.push("}");
    this.out.push(lines.join("\n"));
    this.names.push(`enum ${name}`);
    return true;
  }

  result(): RenderedTypes {
    return { declarations: [...this.out], names: [...this.names] };
  }

  /** The KernelScript spelling of BTF type `id`, adding embedded structs as needed. */
  typeName(id: number): string {
    const type = this.btf.resolve(id);
    switch (type.kind) {
      case "void": return "void";
      case "int":
        if (type.isBool) return "bool";
        if (type.isChar || (type.size === 1 && type.name === "char")) return "char";
        if (type.size === 1 || type.size === 2 || type.size === 4 || type.size === 8) return `${type.signed ? "i" : "u"}${type.size * 8}`;
        return `u8[${type.size}]`;
      case "ptr": {
        const target = this.btf.resolve(type.typeId);
        switch (target.kind) {
          case "struct": case "union": case "fwd":
            return target.name !== "" ? `*${target.name}` : "*u8";
          case "int": case "enum": case "enum64": case "ptr":
            return `*${this.typeName(type.typeId)}`;
          default:
            // void *, function pointers and the like: opaque bytes.
            return "*u8";
        }
      }
      case "array":
        return `${this.typeName(type.elementId)}[${type.length}]`;
      case "struct": case "union":
        if (type.name === "") return `u8[${type.size}]`;
        this.struct(type, false);
        return type.name;
      case "enum": case "enum64":
        if (type.name !== "" && this.addEnum(type.name)) return type.name;
        return `${type.signed ? "i" : "u"}${Math.max(1, type.size) * 8}`;
      case "fwd":
        return "u8[0]";
      case "float":
      case "func": case "func_proto": case "var": case "datasec": case "decl_tag":
      case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
        return "u8[0]";
    }
  }

  /** `fn(sk: *sock, ack: u32) -> void` for a function prototype. */
  prototype(proto: Extract<BtfType, { kind: "func_proto" }>): string {
    const params = paramNames(this.btf, proto).map((name, i) => `${name}: ${this.typeName(proto.params[i]!.typeId)}`);
    return `fn(${params.join(", ")}) -> ${this.typeName(proto.returnId)}`;
  }

  private struct(found: Extract<BtfType, { kind: "struct" | "union" }>, methodsAsFunctions: boolean): void {
    const key = `struct ${found.name}`;
    if (this.done.has(key)) return;
    this.done.add(key);
    const body: string[] = [];
    this.members(found, methodsAsFunctions, body, "");
    const kind = found.kind === "union" ? "union (its members share storage; read one)" : "struct";
    this.out.push([`// ${kind} ${found.name}: ${found.size} bytes (from BTF)`, `struct ${found.name} {`, ...body, "}"].join("\n"));
    this.names.push(key);
  }

  private members(found: Extract<BtfType, { kind: "struct" | "union" }>, methodsAsFunctions: boolean, body: string[], via: string): void {
    for (const member of found.members) {
      const resolved = this.btf.resolve(member.typeId);
      if (member.name === "") {
        if (resolved.kind === "struct" || resolved.kind === "union") {
          this.members(resolved, methodsAsFunctions, body, `anonymous ${resolved.kind}`);
        }
        continue;
      }
      const notes: string[] = [];
      if (via) notes.push(`in an ${via}`);
      if (member.bitSize > 0) notes.push(`bitfield of ${member.bitSize} bits`);
      let typeText: string;
      const target = resolved.kind === "ptr" ? this.btf.resolve(resolved.typeId) : undefined;
      if (methodsAsFunctions && target?.kind === "func_proto") typeText = this.prototype(target);
      else typeText = this.typeName(member.typeId);
      if (/\[0\]$/.test(typeText)) {
        // Flexible array members and opaque kinds have no KernelScript spelling.
        body.push(`    // ${member.name}: variable-length or opaque in C; not readable as a field`);
        continue;
      }
      body.push(`    ${member.name}: ${typeText},${notes.length > 0 ? ` // ${notes.join(", ")}` : ""}`);
    }
  }
}

/** Parameter names that are KernelScript keywords get a trailing underscore. */
export function safeName(name: string): string {
  return isKeyword(name) ? `${name}_` : name;
}

/**
 * Parameter names of a prototype: BTF's own, or (function-pointer prototypes carry
 * none) one made from the type: `sk` for a `*sock`, the struct's name for other struct
 * pointers, `argN` otherwise.
 */
export function paramNames(btf: Btf, proto: Extract<BtfType, { kind: "func_proto" }>): string[] {
  const used = new Set<string>();
  return proto.params.map((param, i) => {
    let name = param.name;
    if (name === "") {
      const type = btf.resolve(param.typeId);
      const target = type.kind === "ptr" ? btf.resolve(type.typeId) : undefined;
      name = target && (target.kind === "struct" || target.kind === "union") && target.name !== ""
        ? (target.name === "sock" ? "sk" : target.name)
        : `arg${i}`;
      if (used.has(name)) name = `${name}${i}`;
    }
    used.add(name);
    return safeName(name);
  });
}
