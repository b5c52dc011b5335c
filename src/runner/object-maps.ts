//! The maps of a built eBPF object as bpfman will see them, for the bytecode image's
//! `io.ebpf.maps` label: every BTF-defined map of the `.maps` section (the compiler's
//! own included: tail-call arrays, loop scratch, stack maps …) with its type, and the
//! global-data sections libbpf makes array maps of (`.bss`, `.data`, `.rodata…`).
//! Read from the object's BTF with `bpftool -j btf dump`, map types numbered by the
//! `enum bpf_map_type` of the build's own `vmlinux.h`, so nothing here lists map types.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

interface BtfType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly type_id?: number;
  readonly nr_elems?: number;
  readonly members?: readonly { readonly name: string; readonly type_id: number }[];
  readonly vars?: readonly { readonly type_id: number }[];
}

/** `BPF_MAP_TYPE_HASH = 1,` … of `vmlinux.h`: number → kernel name. */
export function bpfMapTypeNames(vmlinuxHeader: string): Map<number, string> {
  const names = new Map<number, string>();
  const body = /enum bpf_map_type \{([^}]*)\}/.exec(vmlinuxHeader)?.[1] ?? "";
  for (const match of body.matchAll(/\b(BPF_MAP_TYPE_\w+)\s*=\s*(\d+)/g)) {
    const value = Number(match[2]);
    // The first name of a value is the kernel's (a later one is a deprecated alias).
    if (!names.has(value)) names.set(value, match[1]!);
  }
  return names;
}

/**
 * Name → kernel map type name (`BPF_MAP_TYPE_HASH`) of every map of `objectPath`.
 * Throws when bpftool fails or the object has no BTF.
 */
export function objectMaps(objectPath: string, vmlinuxHeaderPath: string, bpftool = "bpftool"): Map<string, string> {
  const run = spawnSync(bpftool, ["-j", "btf", "dump", "file", objectPath, "format", "raw"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`bpftool btf dump ${objectPath} failed: ${run.stderr || run.error?.message}`);
  const types = (JSON.parse(run.stdout) as { types: BtfType[] }).types;
  const byId = new Map(types.map((t) => [t.id, t]));
  const typeNames = bpfMapTypeNames(readFileSync(vmlinuxHeaderPath, "utf8"));
  const maps = new Map<string, string>();
  for (const section of types.filter((t) => t.kind === "DATASEC")) {
    if (section.name === ".maps") {
      for (const entry of section.vars ?? []) {
        const variable = byId.get(entry.type_id)!;
        maps.set(variable.name, typeNames.get(mapTypeNumber(byId, variable)) ?? "BPF_MAP_TYPE_UNSPEC");
      }
    } else if (/^\.(bss|data|rodata)(\.|$)/.test(section.name)) {
      maps.set(section.name, "BPF_MAP_TYPE_ARRAY");
    }
  }
  return maps;
}

/** A BTF-defined map's `type` member is `int (*type)[N]`: N is the map type. */
function mapTypeNumber(byId: ReadonlyMap<number, BtfType>, variable: BtfType): number {
  let struct = byId.get(variable.type_id!);
  while (struct && (struct.kind === "TYPEDEF" || struct.kind === "VOLATILE" || struct.kind === "CONST")) struct = byId.get(struct.type_id!);
  const member = struct?.members?.find((m) => m.name === "type");
  const pointer = member ? byId.get(member.type_id) : undefined;
  const array = pointer ? byId.get(pointer.type_id!) : undefined;
  return array?.nr_elems ?? 0;
}
