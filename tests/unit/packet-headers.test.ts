// The built-in packet header table (src/compiler/kernel/headers.ts) must describe the
// kernel's structs exactly: the compiler proves bounds with these sizes and bitfield
// widths while the C uses vmlinux.h. Checked against the running kernel's BTF.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { Btf, type BtfMember } from "../../src/compiler/kernel/btf.js";
import { packetHeaders } from "../../src/compiler/kernel/headers.js";

const vmlinux = "/sys/kernel/btf/vmlinux";
const skip = existsSync(vmlinux) ? false : `${vmlinux} is absent (kernel built without BTF)`;

/** Members by name, looking through anonymous structs and unions as C does. */
function flatMembers(btf: Btf, members: readonly BtfMember[]): Map<string, BtfMember> {
  const out = new Map<string, BtfMember>();
  for (const m of members) {
    if (m.name) {
      out.set(m.name, m);
      continue;
    }
    const inner = btf.type(m.typeId);
    if (inner && (inner.kind === "struct" || inner.kind === "union")) {
      for (const [name, member] of flatMembers(btf, inner.members)) out.set(name, member);
    }
  }
  return out;
}

test("packet headers: sizes, fields and bitfield widths match the kernel's BTF", { skip }, () => {
  const btf = new Btf(readFileSync(vmlinux));
  for (const header of packetHeaders) {
    const struct = btf.findStruct(header.name);
    assert.ok(struct, `${header.name} is in the kernel's BTF`);
    assert.equal(struct.size, header.size, `sizeof(struct ${header.name})`);
    const members = flatMembers(btf, struct.members);
    for (const field of header.fields) {
      const first = (field.c ?? field.name).split(".")[0]!.replace(/\[.*$/, "");
      const member = members.get(first);
      assert.ok(member, `${header.name}.${first} exists`);
      if (field.bits !== undefined) assert.equal(member.bitSize, field.bits, `${header.name}.${field.name} is ${field.bits} bits`);
    }
  }
});
