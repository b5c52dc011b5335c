// The representations behind the checker's side tables and literal types, which must
// answer exactly as the plain versions they replace (a `Map` keyed by node, `TextEncoder`).

import { test } from "node:test";
import assert from "node:assert/strict";
import { ExprTable } from "../../src/compiler/check/expr-table.js";
import { utf8Length } from "../../src/compiler/check/strings.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { forEachChild, type Expr, type Node } from "../../src/compiler/ast.js";

function expressionsOf(text: string): Expr[] {
  const ast = parse(makeSourceFile("t.ks", text), new Diagnostics());
  const found: Expr[] = [];
  const visit = (node: Node): void => {
    if ("id" in node && typeof node.id === "number") found.push(node as Expr);
    forEachChild(node, visit);
  };
  for (const decl of ast.decls) visit(decl);
  return found;
}

test("the parser numbers every expression once, in the order it makes them", () => {
  const exprs = expressionsOf("fn f(a: u32) -> u32 {\n  var b = (a + 1) * g(a, [1, 2][0])\n  return b\n}\nfn g(x: u32, y: u32) -> u32 { return x }\n");
  assert.ok(exprs.length > 10);
  const ids = exprs.map((e) => e.id!);
  assert.equal(new Set(ids).size, ids.length);
  // A second parse continues the numbers: nodes of different files never share one.
  const again = expressionsOf("fn h() -> u32 { return 1 }\n");
  assert.ok(again.every((e) => e.id! > Math.max(...ids)));
});

test("an ExprTable answers like a Map keyed by the node, numbered or not", () => {
  const exprs = expressionsOf("fn f() -> u32 {\n  var a = 1 + 2 * 3\n  return a + 4\n}\n");
  const unnumbered: Expr[] = [{ kind: "NullLiteral", span: { file: "t.ks", start: 0, end: 0 } }, { kind: "BoolLiteral", value: true, span: { file: "t.ks", start: 0, end: 0 } }];
  const table = new ExprTable<Expr, string>();
  const map = new Map<Expr, string>();
  const all = [...exprs, ...unnumbered];
  // Set in a scrambled order, some twice.
  for (const [i, e] of all.entries()) if (i % 2 === 1) { table.set(e, `odd ${i}`); map.set(e, `odd ${i}`); }
  for (const [i, e] of all.entries()) { table.set(e, `v${i}`); map.set(e, `v${i}`); }
  for (const e of all.slice(0, 3)) { table.set(e, "again"); map.set(e, "again"); }
  assert.equal(table.size, map.size);
  for (const e of all) {
    assert.equal(table.get(e), map.get(e));
    assert.equal(table.has(e), true);
  }
  assert.deepEqual(new Map(table), map);
  const other = expressionsOf("fn g() -> u32 { return 5 }\n");
  for (const e of other) {
    assert.equal(table.get(e), undefined);
    assert.equal(table.has(e), false);
  }
  const seen: string[] = [];
  table.forEach((value) => seen.push(value));
  assert.deepEqual(seen.sort(), [...map.values()].sort());
  assert.deepEqual([...table.keys()].length, map.size);
});

test("an ExprTable keeps expressions whose numbers lie far apart", () => {
  const table = new ExprTable<Expr, number>();
  const span = { file: "t.ks", start: 0, end: 0 };
  // Numbers below the first one set (5, 3) move the start down; one far below the rest
  // (more than a million) is kept aside; all answer the same.
  const far: Expr[] = [70_000, 5, 100_000, 3, 70_001, 256, 255, 5_000_000, 10, 1_000_000].map((id) => ({ kind: "NullLiteral", span, id }));
  far.forEach((e, i) => table.set(e, i));
  far.forEach((e, i) => assert.equal(table.get(e), i));
  far.forEach((e) => assert.equal(table.has(e), true));
  assert.equal(table.size, far.length);
  assert.deepEqual([...table.values()].sort(), far.map((_, i) => i).sort());
  const late = new ExprTable<Expr, number>();
  const [high, low]: Expr[] = [5_000_000, 1].map((id) => ({ kind: "NullLiteral", span, id }));
  late.set(high!, 1).set(low!, 2);
  assert.equal(late.get(high!), 1);
  assert.equal(late.get(low!), 2);
  assert.equal(late.size, 2);
});

test("utf8Length counts bytes as TextEncoder encodes them", () => {
  const cases = ["", "a", "é", "€", "\u07ff", "\u0800", "\uffff", "😀", "x😀y", "\ud800", "\udc00", "a\ud800b", "\ud800\ud800", "\udc00\ud800", "\ud83d"];
  for (const text of cases) assert.equal(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
});
