//! Kernel types for the checker, taken from the kernel's BTF when the Host has it:
//! struct and union layouts (tracepoint contexts, probe arguments, `task_struct` …),
//! enums and their constants, and kernel function prototypes. Without BTF (the
//! playground) every lookup answers `undefined` and only the built-in table applies.
//!
//! Layouts are converted on demand and cached: a struct's members refer to other
//! structs by name, which are converted only when something looks into them.

import type { Btf, BtfType } from "./btf.js";
import { btfTracepoints, type BtfTracepoints } from "./tracepoints.js";
import type { EnumLayout, StructLayout, Type } from "../types.js";
import { boolType, charType, u8, voidType } from "../types.js";

export interface KernelFunction {
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: Type }[];
  readonly returnType: Type;
  readonly variadic: boolean;
}

export type OpsMember =
  | { readonly kind: "method"; readonly name: string; readonly params: readonly { readonly name: string; readonly type: Type }[]; readonly returnType: Type }
  | { readonly kind: "field"; readonly name: string; readonly type: Type };

export class KernelTypes {
  private readonly structCache = new Map<string, StructLayout | null>();
  private readonly enumCache = new Map<string, EnumLayout | null>();
  private enumConstants: Map<string, { readonly enumName: string; readonly value: bigint }> | undefined;
  /** Names given to anonymous structs and unions met as member types. */
  private readonly anonymous = new Map<string, number>();

  /** `btf` is read lazily: indexing the kernel's BTF costs ~0.1 s, so only on need. */
  constructor(private readonly loadBtf: () => Btf | undefined) {}

  private btfValue: Btf | undefined | null = null;
  private get btf(): Btf | undefined {
    if (this.btfValue === null) this.btfValue = this.loadBtf();
    return this.btfValue;
  }

  /** Whether kernel BTF is available at all (for diagnostics that depend on it). */
  get available(): boolean {
    return this.btf !== undefined;
  }

  struct(name: string): StructLayout | undefined {
    const cached = this.structCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const btf = this.btf;
    const anonymousId = this.anonymous.get(name);
    const found = anonymousId !== undefined ? btf?.type(anonymousId) : btf?.findStruct(name);
    if (!btf || !found || (found.kind !== "struct" && found.kind !== "union")) {
      this.structCache.set(name, null);
      return undefined;
    }
    const layout: StructLayout = {
      name,
      origin: "kernel",
      fields: this.members(btf, found.members),
      size: found.size,
      anonymous: anonymousId !== undefined,
    };
    this.structCache.set(name, layout);
    return layout;
  }

  enum(name: string): EnumLayout | undefined {
    const cached = this.enumCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.btf?.find(name, ["enum", "enum64"]);
    const layout: EnumLayout | null = found && (found.kind === "enum" || found.kind === "enum64")
      ? { name, origin: "kernel", constants: found.values }
      : null;
    this.enumCache.set(name, layout);
    return layout ?? undefined;
  }

  /** The kernel enum constant `name` (e.g. `BPF_ANY`, `TCP_CA_Open`). */
  enumConstant(name: string): { readonly enumName: string; readonly value: bigint } | undefined {
    const btf = this.btf;
    if (!btf) return undefined;
    if (!this.enumConstants) {
      this.enumConstants = new Map();
      for (const enumName of btf.namesOf(["enum", "enum64"])) {
        const found = btf.find(enumName, ["enum", "enum64"]);
        if (found?.kind !== "enum" && found?.kind !== "enum64") continue;
        for (const constant of found.values) {
          if (!this.enumConstants.has(constant.name)) this.enumConstants.set(constant.name, { enumName, value: constant.value });
        }
      }
    }
    return this.enumConstants.get(name);
  }

  /** The prototype of the kernel function `name` (fentry targets, kfuncs). */
  function(name: string): KernelFunction | undefined {
    const btf = this.btf;
    const proto = btf?.findFunction(name);
    if (!btf || !proto) return undefined;
    return {
      name,
      params: proto.params.map((p) => ({ name: p.name, type: this.convert(btf, p.typeId) })),
      returnType: this.convert(btf, proto.returnId),
      variadic: proto.variadic,
    };
  }

  /**
   * The arguments a raw BTF tracepoint passes: the prototype of the kernel's
   * `btf_trace_<event>` typedef (a function pointer), without its first `void *`.
   */
  rawTracepoint(event: string): KernelFunction | undefined {
    const btf = this.btf;
    const typedef = btf?.find(`btf_trace_${event}`, ["typedef"]);
    if (!btf || typedef?.kind !== "typedef") return undefined;
    const pointer = btf.resolve(typedef.typeId);
    const proto = pointer.kind === "ptr" ? btf.resolve(pointer.typeId) : undefined;
    if (proto?.kind !== "func_proto") return undefined;
    return {
      name: event,
      params: proto.params.slice(1).map((p) => ({ name: p.name, type: this.convert(btf, p.typeId) })),
      returnType: this.convert(btf, proto.returnId),
      variadic: proto.variadic,
    };
  }

  /** Every event with a raw BTF tracepoint (for did-you-mean). */
  rawTracepointNames(): string[] {
    return (this.btf?.namesOf(["typedef"]) ?? []).filter((n) => n.startsWith("btf_trace_")).map((n) => n.slice("btf_trace_".length));
  }

  /**
   * The members of a struct_ops type (`tcp_congestion_ops`): function-pointer members
   * as methods with their prototype, the others as data fields.
   */
  opsMembers(name: string): readonly OpsMember[] | undefined {
    const btf = this.btf;
    const found = btf?.findStruct(name);
    if (!btf || !found) return undefined;
    return found.members.filter((m) => m.name !== "").map((member): OpsMember => {
      const type = btf.resolve(member.typeId);
      if (type.kind === "ptr") {
        const target = btf.resolve(type.typeId);
        if (target.kind === "func_proto") {
          return {
            kind: "method",
            name: member.name,
            params: target.params.map((p) => ({ name: p.name, type: this.convert(btf, p.typeId) })),
            returnType: this.convert(btf, target.returnId),
          };
        }
      }
      return { kind: "field", name: member.name, type: this.convert(btf, member.typeId) };
    });
  }

  /** The tracepoint events and syscalls the BTF describes (tracepoints.ts), read once. */
  tracepoints(): BtfTracepoints | undefined {
    if (this.tracepointCache === null) this.tracepointCache = this.btf ? btfTracepoints(this.btf) : undefined;
    return this.tracepointCache;
  }
  private tracepointCache: BtfTracepoints | undefined | null = null;

  /** Every kernel function name (for did-you-mean). */
  functionNames(): string[] {
    return this.btf?.namesOf(["func"]) ?? [];
  }

  /** Members as fields; members of anonymous structs/unions are lifted, as in C. */
  private members(btf: Btf, members: readonly { readonly name: string; readonly typeId: number }[]): { name: string; type: Type }[] {
    const fields: { name: string; type: Type }[] = [];
    for (const member of members) {
      if (member.name === "") {
        const inner = btf.resolve(member.typeId);
        if (inner.kind === "struct" || inner.kind === "union") fields.push(...this.members(btf, inner.members));
        continue;
      }
      fields.push({ name: member.name, type: this.convert(btf, member.typeId) });
    }
    return fields;
  }

  /** A BTF type as a KernelScript type. */
  convert(btf: Btf, id: number): Type {
    const type = btf.resolve(id);
    return this.convertResolved(btf, type);
  }

  private convertResolved(btf: Btf, type: BtfType): Type {
    switch (type.kind) {
      case "void": return voidType;
      case "int":
        if (type.isBool) return boolType;
        if (type.isChar || (type.size === 1 && type.name === "char")) return charType;
        if (type.size === 1 || type.size === 2 || type.size === 4 || type.size === 8) {
          return { kind: "int", bits: (type.size * 8) as 8 | 16 | 32 | 64, signed: type.signed };
        }
        return { kind: "array", element: u8, length: type.size };
      case "ptr": {
        const target = btf.resolve(type.typeId);
        // Function pointers are opaque to KernelScript code (eBPF cannot call them).
        if (target.kind === "func_proto") return { kind: "pointer", target: u8 };
        return { kind: "pointer", target: this.convertResolved(btf, target) };
      }
      case "array":
        return { kind: "array", element: this.convert(btf, type.elementId), length: type.length };
      case "struct": case "union": {
        if (type.name !== "") return { kind: "struct", name: type.name, origin: "kernel" };
        const name = `(anonymous ${type.kind} #${type.id})`;
        this.anonymous.set(name, type.id);
        return { kind: "struct", name, origin: "kernel" };
      }
      case "enum": case "enum64":
        if (type.name !== "") return { kind: "enum", name: type.name, origin: "kernel" };
        return { kind: "int", bits: type.size >= 8 ? 64 : type.size >= 4 ? 32 : type.size >= 2 ? 16 : 8, signed: type.signed };
      case "fwd":
        return { kind: "struct", name: type.name, origin: "kernel" };
      case "float":
      case "func": case "func_proto": case "var": case "datasec": case "decl_tag":
      case "typedef": case "volatile": case "const": case "restrict": case "type_tag":
        // Not values KernelScript code can use; bytes of the right size at least.
        return { kind: "array", element: u8, length: 0 };
    }
  }
}
