// Types nested through declarations (issue 11, items 8 and 10): struct chains, structs
// containing themselves, alias chains. The parser cannot bound these (each declaration
// is shallow), so check/type-nesting.ts does, without recursion: E0530 for a struct that
// contains itself by value, E0531 past 100 levels, one error per chain.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compile, type CompileResult } from "../../src/compiler/pipeline.js";
import { maxNesting } from "../../src/compiler/limits.js";
import { aliasChain, structChain } from "../harness/deep-inputs.js";

function compileText(text: string): CompileResult {
  return compile("types.ks", { readFile: (path) => (path === "types.ks" ? text : undefined) });
}

function errors(result: CompileResult): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
}

const program = (body: string): string => `@xdp
fn p(ctx: *xdp_md) -> xdp_action {
${body}
  return XDP_PASS
}
`;

test("a chain of 6,200 structs each holding the next by value is one E0531", () => {
  assert.deepEqual(errors(compileText(structChain(6200, "value"))), ["E0531"]);
});

test("a chain of 100,000 structs each holding the next by value is one E0531", () => {
  assert.deepEqual(errors(compileText(structChain(100_000, "value"))), ["E0531"]);
});

test("a chain of 6,200 structs linked through pointers compiles", () => {
  const result = compileText(structChain(6200, "pointer"));
  assert.deepEqual(errors(result), []);
  assert.ok(result.files.length > 0);
});

test("a chain of structs right below the nesting limit compiles", () => {
  const result = compileText(structChain(maxNesting - 2, "value"));
  assert.deepEqual(errors(result), []);
  assert.ok(result.files.length > 0);
});

test("10,000 pointer and array aliases each built on the previous one are one E0531", () => {
  for (const link of ["pointer", "array"] as const) {
    assert.deepEqual(errors(compileText(aliasChain(10_000, link))), ["E0531"], link);
  }
});

const selfContaining: readonly [string, string][] = [
  ["directly", "struct S { a: u32, s: S }"],
  ["in an array", "struct S { a: u32, s: S[2] }"],
  ["through another struct", "struct S { a: u32, t: T }\nstruct T { b: u32, s: S[1] }"],
  ["through a chain of three", "struct S { t: T }\nstruct T { u: U }\nstruct U { a: u32, s: S }"],
];
const uses: readonly [string, (decls: string) => string][] = [
  ["a ring-buffer record", (decls) => `${decls}\nvar rb: ringbuf<S>(4096)\n${program("  var r = rb.reserve()\n  if (r != null) {\n    rb.submit(r)\n  }")}`],
  ["a map value", (decls) => `${decls}\nvar m: hash<u32, S>(16)\n${program("  if (var e = m[1]) {\n    e.a = 1\n  }")}`],
  ["a local", (decls) => `${decls}\n${program("  var s: S\n  s.a = 1")}`],
  ["sizeof", (decls) => `${decls}\n${program("  var n = sizeof(S)\n  n = n + 1")}`],
  ["unused", (decls) => `${decls}\n${program("")}`],
];
for (const [how, decls] of selfContaining) {
  for (const [use, make] of uses) {
    test(`a struct containing itself ${how}, used as ${use}, is one E0530`, () => {
      const result = compileText(make(decls));
      assert.deepEqual(errors(result).filter((c) => c === "E0530"), ["E0530"], JSON.stringify(errors(result)));
      assert.deepEqual(result.files, []);
    });
  }
}

test("a struct held through a pointer to itself is fine", () => {
  const result = compileText(`struct Node { v: u32, next: *Node }\nvar m: hash<u32, Node>(16)\n${program("  if (var e = m[1]) {\n    e.v = 1\n  }")}`);
  assert.deepEqual(errors(result), []);
});

// Before the sizes were stored, the stack analysis of a local `W40` walked 2^40 fields
// (a W30 local ran 10 minutes before it was stopped): the timeout turns that hang into
// a failure.
test("40 levels of structs holding two of the previous one: sizes computed once, not 2^40 times", { timeout: 60_000 }, () => {
  const lines = ["struct W0 { a: u8 }"];
  for (let i = 1; i <= 40; i++) lines.push(`struct W${i} { a: W${i - 1}, b: W${i - 1} }`);
  const result = compileText(`${lines.join("\n")}\n${program("  var w: W40\n  var n = w.a")}`);
  // W40 is 2^40 bytes: far too large for the stack (E0402), but computing that is instant.
  assert.deepEqual(errors(result), ["E0402"]);
  assert.equal(result.semantics?.tables.structs.get("W40")?.size, 2 ** 40);
});
