// One constant folder (check/constants.ts) for sizes, enum values, `const`s, offsets
// and loop bounds (issue 11, item 3): it follows the language's integer rules, never
// builds a number wider than 64 bits, and says why a constant operation has no value.
// Before, `check/constants.ts` shifted by any count (`u8[1 << 4000000000]` ran out of
// BigInt memory, exit 70) while `check/loops.ts` refused counts over 63.

import { test } from "node:test";
import assert from "node:assert/strict";
import type * as ast from "../../src/compiler/ast.js";
import { foldBinary, foldConstant, type Folded } from "../../src/compiler/check/constants.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { invalidSize, type FoldProblem } from "../../src/compiler/diagnostics/catalog/types.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { compile, type CompileResult } from "../../src/compiler/pipeline.js";

/** Folds the initialiser of `var a = EXPR` (names are no constants here). */
function foldText(expr: string): Folded {
  const ast = parse(makeSourceFile("c.ks", `var a = ${expr}\n`), new Diagnostics());
  const decl = ast.decls[0] as ast.GlobalVarDecl;
  return foldConstant(decl.init!, { name: () => ({ kind: "unknown" }) });
}

/** Why an operation has no value, as E0322 words it ("a division by zero"). */
const whyText = (why: FoldProblem): string => invalidSize.text({ kind: "invalid", why }).message.replace(/^.*, found /, "");

const valueOf = (expr: string): bigint | string => {
  const folded = foldText(expr);
  return folded.kind === "value" ? folded.value : folded.kind === "invalid" ? `invalid: ${whyText(folded.why)}` : "unknown";
};

test("arithmetic follows C: truncating division, remainder with the dividend's sign", () => {
  assert.equal(valueOf("7 / 2"), 3n);
  assert.equal(valueOf("-7 / 2"), -3n);
  assert.equal(valueOf("-7 % 2"), -1n);
  assert.equal(valueOf("(1 << 63) >> 60"), 8n);
  assert.equal(valueOf("~0"), -1n);
  assert.equal(valueOf("0xff & 0x0f | 0x100 ^ 1"), 0x10fn ^ 0n);
  assert.equal(valueOf("'a' + 1"), 98n);
});

test("shift counts outside 0..63 have no value, however large", () => {
  assert.match(String(valueOf("1 << 64")), /^invalid: a shift by 64 bits/);
  assert.match(String(valueOf("1 << 4000000000")), /^invalid: a shift by 4000000000 bits/);
  assert.match(String(valueOf("1 << 0xffffffffffffffff")), /^invalid: a shift by 18446744073709551615 bits/);
  assert.match(String(valueOf("1 >> -1")), /^invalid: a shift by -1 bits/);
  assert.deepEqual(foldBinary("<<", 1n, 10n ** 30n), { kind: "shiftCount", count: 10n ** 30n, max: 63n });
});

test("values that do not fit 64 bits have no value, so nothing grows without bound", () => {
  assert.equal(valueOf("0xffffffffffffffff"), (1n << 64n) - 1n);
  assert.equal(valueOf("-0x8000000000000000"), -(1n << 63n));
  assert.match(String(valueOf("0xffffffffffffffff + 1")), /^invalid: a value that does not fit in 64 bits/);
  assert.match(String(valueOf("-0x8000000000000000 - 1")), /^invalid/);
  const product = Array.from({ length: 99 }, () => "0xffffffff").join(" * ");
  assert.match(String(valueOf(product)), /^invalid/);
});

test("division and remainder by a constant zero have no value", () => {
  assert.equal(valueOf("1 / 0"), "invalid: a division by zero");
  assert.equal(valueOf("1 % (2 - 2)"), "invalid: a remainder of a division by zero");
});

test("what is no integer arithmetic is no constant", () => {
  assert.equal(valueOf("x + 1"), "unknown");
  assert.equal(valueOf("1 < 2"), "unknown");
  assert.equal(valueOf("f(1)"), "unknown");
});

function compileText(text: string): CompileResult {
  return compile("c.ks", { readFile: (path) => (path === "c.ks" ? text : undefined) });
}

const program = (body: string, decls = ""): string =>
  `${decls}\n@xdp\nfn p(ctx: *xdp_md) -> xdp_action {\n${body}\n  return XDP_PASS\n}\n`;

for (const [what, text] of [
  ["an array size `u8[1 << 4000000000]`", program("  var a: u8[1 << 4000000000]\n  a[0] = 1")],
  ["a map capacity", `var m: hash<u32, u32>(1 << 4000000000)\n${program("")}`],
  ["a `const` of `1 << 0xffffffffffffffff`", program("  const c: u32 = 1 << 0xffffffffffffffff")],
  ["an enum value", program("", "enum E { A = 1 << 4000000000 }")],
  ["a loop bound", program("  for (i in 0..(1 << 4000000000)) {\n  }")],
  ["a string index", program("  var s: str(8) = \"abc\"\n  var c = s[1 << 0xffffffffffffffff]")],
  ["a global initialiser", `var g: u64 = 1 << 4000000000\n${program("")}`],
] as const) {
  test(`a huge constant shift in ${what} is no internal error`, () => {
    const result = compileText(text);
    assert.ok(result.diagnostics.every((d) => d.code.length > 0));
  });
}

test("an array size names the reason its constant has no value", () => {
  const result = compileText(program("  var a: u8[1 << 4000000000]\n  a[0] = 1"));
  const size = result.diagnostics.find((d) => d.code === "E0322");
  assert.match(size?.message ?? "", /a shift by 4000000000 bits \(a constant shift count is 0 to 63\)/);
});

test("sizes and loop bounds fold the same expression the same way", () => {
  // `(1 << 64) >> 60` was 16 as an array size and not a constant as a loop bound.
  for (const [expr, expected] of [["(1 << 63) >> 60", 8n], ["(1 << 64) >> 60", undefined], ["0x7fffffff * 2 + 1", 0xffffffffn]] as const) {
    const result = compileText(program(`  var a: u8[${expr}]\n  a[0] = 1\n  for (i in 0..${expr}) {\n    a[0] = a[0] + 1\n  }`));
    const loop = [...(result.semantics?.loops.values() ?? [])].find((f) => f.kind === "range");
    const sizeError = result.diagnostics.some((d) => d.code === "E0322");
    if (expected === undefined) {
      assert.ok(sizeError, `${expr}: not a size`);
    } else {
      assert.ok(!sizeError, `${expr}: a size`);
      assert.equal(loop?.kind === "range" ? loop.end : "none", expected, expr);
    }
  }
});
