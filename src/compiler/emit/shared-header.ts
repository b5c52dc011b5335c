//! NAME.h: the user types both sides share (structs, enums, aliases), written with the
//! kernel's fixed-width names so one header serves the eBPF object and the loader.

import type * as ir from "../ir.js";
import { cDeclaration } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { generatedBanner, sharedHeaderGuard, structPaddingName } from "../names.js";
import type { StructLayout, TypeTables, Type } from "../types.js";
import { fieldAlignment, heldValueType, sizeOf } from "../types.js";
import { intLiteral } from "./c-code.js";
import { emitConfigStructs } from "./globals-c.js";
import { collectStringUse, emitStringStructs } from "./strings-c.js";
import { packetHeaderByName, packetHeaderLayouts } from "../kernel/headers.js";
import { pasteRuntimeC } from "./userspace/runtime-c.js";

export function needsSharedHeader(module: ir.IrModule): boolean {
  return module.structs.length > 0 || module.enums.length > 0 || module.typedefs.length > 0 || module.configs.length > 0 ||
    collectStringUse(module).sizes.size > 0;
}

export function emitSharedHeader(module: ir.IrModule): string {
  const w = new CWriter();
  const guard = sharedHeaderGuard(module.name);
  w.line(generatedBanner(module.sourcePath, "c"));
  w.line(`#ifndef ${guard}`);
  w.line(`#define ${guard}`);
  w.line();
  emitStringStructs(w, collectStringUse(module));
  if (module.structs.some((s) => s.fields.some((f) => holdsPacketHeader(f.type)))) {
    pasteRuntimeC(w, "packet-headers");
  }
  for (const e of module.enums) {
    w.block(`enum ${e.name}`, () => {
      for (const c of e.constants) w.line(`${c.name} = ${intLiteral(c.value, { kind: "int", bits: 64, signed: c.value < 0n })},`);
    }, ";");
    w.line();
  }
  // The packet headers' sizes and alignments too: a user struct may hold them by value.
  const tables: TypeTables = { structs: new Map([...packetHeaderLayouts, ...module.structs].map((s) => [s.name, s])), enums: new Map() };
  for (const s of module.structs) {
    w.block(`struct ${s.name}`, () => {
      for (const line of structMembers(s, tables)) w.line(line);
    }, ";");
    w.line();
  }
  for (const t of module.typedefs) {
    w.line(`typedef ${cDeclaration(t.type, t.name)};`);
  }
  if (module.typedefs.length > 0) w.line();
  emitConfigStructs(w, module);
  w.line(`#endif /* ${guard} */`);
  return w.toString();
}

/**
 * The members of a user struct, with the gaps C would leave between and after them
 * written out as `__u8` arrays. Map keys are compared byte for byte, and C leaves padding
 * unspecified: clang stores only the fields of a compound literal and copies a struct
 * field by field, so `m[Key { a: 1, b: 2 }]` would otherwise hash whatever the stack
 * held in the gaps (a new entry per update). A named member is zeroed by every
 * initializer and copied by every copy; the layout is the one C would choose anyway.
 * Structs holding another kernel struct than a packet header (whose layout is BTF's) are
 * written as declared.
 */
function structMembers(layout: StructLayout, tables: TypeTables): string[] {
  const plain = layout.fields.map((f) => `${cDeclaration(f.type, f.name)}${f.align ? ` __attribute__((aligned(${f.align})))` : ""};`);
  if (!layout.fields.every((f) => layoutKnown(f.type, tables))) return plain;
  const lines: string[] = [];
  let offset = 0;
  let align = 1;
  let pads = 0;
  const padTo = (to: number): void => {
    if (to > offset) lines.push(`__u8 ${structPaddingName(pads++)}[${to - offset}];`);
    offset = to;
  };
  layout.fields.forEach((f, i) => {
    const a = fieldAlignment(f, tables);
    align = Math.max(align, a);
    padTo(Math.ceil(offset / a) * a);
    lines.push(plain[i]!);
    offset += sizeOf(f.type, tables);
  });
  padTo(Math.ceil(offset / align) * align);
  return lines;
}

/**
 * Whether a field holds a packet header by value (checked: the only kernel structs a
 * shared struct may hold, besides the UAPI contexts libbpf's headers define for the loader).
 */
function holdsPacketHeader(type: Type): boolean {
  const inner = heldValueType(type);
  return inner.kind === "struct" && inner.origin === "kernel" && packetHeaderByName.has(inner.name);
}

/**
 * Whether C's layout of `type` is known here: no kernel struct inside it but the packet
 * headers, wire formats whose size and alignment the header table gives as vmlinux.h
 * has them (kernel/headers.ts). A gap before a header needs its padding member as much
 * as any other: `SeenV4 { eth: ethhdr, ip: iphdr }` left stack bytes in the two bytes
 * between them (found by the differential test of the two test modes).
 */
function layoutKnown(type: Type, tables: TypeTables): boolean {
  switch (type.kind) {
    case "array": return layoutKnown(type.element, tables);
    case "struct": {
      if (type.origin === "kernel") return packetHeaderByName.has(type.name);
      const inner = tables.structs.get(type.name);
      return type.origin === "user" && inner !== undefined && inner.fields.every((f) => layoutKnown(f.type, tables));
    }
    default: return true;
  }
}
