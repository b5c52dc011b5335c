// The helper tables: the generated prototypes (tools/gen-bpf-helpers.ts from libbpf's
// bpf_helper_defs.h) are up to date, and the hand-written verifier argument kinds
// (kernel/bpf-helper-args.ts) agree with them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { currentHelperTable, defaultHelperHeader, helperTablePath } from "../../tools/gen-bpf-helpers.js";
import { helperPrototypes } from "../../src/compiler/kernel/bpf-helper-prototypes.js";
import { helperArgKind, helperArgTypes } from "../../src/compiler/kernel/bpf-helper-args.js";
import { helperPrototype, legacyHelpers } from "../../src/compiler/kernel/bpf-helpers.js";
import { repoRoot } from "../harness/golden.js";

test(`${helperTablePath} is what tools/gen-bpf-helpers.ts makes of ${defaultHelperHeader}`, { skip: existsSync(defaultHelperHeader) ? false : `no ${defaultHelperHeader}` }, () => {
  assert.equal(readFileSync(join(repoRoot, helperTablePath), "utf8"), currentHelperTable(), "regenerate: node build/tools/gen-bpf-helpers.js");
});

test("the prototype table has every helper libbpf 1.1 declares, by id", () => {
  assert.equal(helperPrototypes.length, 211);
  assert.deepEqual(helperPrototypes.map((h) => h.id), helperPrototypes.map((_, i) => i + 1));
  assert.deepEqual(helperPrototype("bpf_trace_printk"), {
    id: 6, name: "bpf_trace_printk", returns: "long",
    params: [{ name: "fmt", type: "const char *" }, { name: "fmt_size", type: "__u32" }], variadic: true,
  });
});

test("every helper with verifier argument kinds is a helper libbpf declares, with as many C parameters", () => {
  assert.ok(helperArgTypes.size >= 120, `${helperArgTypes.size} helpers have argument kinds`);
  for (const [name, args] of helperArgTypes) {
    const proto = helperPrototype(name);
    assert.ok(proto, `${name} is in bpf_helper_defs.h`);
    assert.equal(args.length, proto.params.length, `${name}: ${args.length} argument types, ${proto.params.length} C parameters`);
    for (const arg of args) assert.match(arg, /^ARG_[A-Z_]+( \| [A-Z_]+)*$/, `${name}: ${arg}`);
  }
  for (const name of legacyHelpers.keys()) assert.ok(helperArgTypes.has(name), `${name} (callable by name) has argument kinds`);
});

test("kernel argument types read as the checker's kinds", () => {
  assert.deepEqual(helperArgKind("ARG_ANYTHING"), { kind: "anything" });
  assert.deepEqual(helperArgKind("ARG_CONST_SIZE"), { kind: "size", zeroAllowed: false });
  assert.deepEqual(helperArgKind("ARG_CONST_ALLOC_SIZE_OR_ZERO"), { kind: "size", zeroAllowed: true });
  assert.deepEqual(helperArgKind("ARG_CONST_MAP_PTR"), { kind: "map" });
  assert.deepEqual(helperArgKind("ARG_PTR_TO_CTX_OR_NULL"), { kind: "context", nullable: true });
  assert.deepEqual(helperArgKind("ARG_PTR_TO_MEM | MEM_RDONLY"), { kind: "pointer", nullable: false, memory: true, what: "a pointer to memory the helper reads" });
  assert.deepEqual(helperArgKind("ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY"), { kind: "pointer", nullable: true, memory: true, what: "a pointer to memory the helper reads" });
  assert.deepEqual(helperArgKind("ARG_PTR_TO_STACK_OR_NULL"), { kind: "pointer", nullable: true, memory: true, what: "a pointer to memory" });
  assert.deepEqual(helperArgKind("ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE"), { kind: "pointer", nullable: false, memory: false, what: "a socket the kernel gave the program" });
});
