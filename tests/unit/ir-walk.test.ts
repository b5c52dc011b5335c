// src/compiler/ir-walk.ts is the only code that knows every IR node's children. This
// checks that knowledge against the nodes themselves: for a sample of every statement
// kind (the table is typed by kind, so a new kind needs a sample), every expression and
// statement reachable through the node's own fields (found by reflection) is reached by
// walkStatements, and the contexts `body` gives reach each nested list.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type * as ir from "../../src/compiler/ir.js";
import { someExpression, someStatement, statementParts, walkStatements } from "../../src/compiler/ir-walk.js";
import type { Type } from "../../src/compiler/types.js";

const span = { file: "t.ks", start: 0, end: 0 };
const u32: Type = { kind: "int", bits: 32, signed: false };
let counter = 0;
/** A distinct leaf expression (a named constant), so each slot can be told apart. */
const e = (): ir.IrExpr => ({ kind: "constant", name: `E${counter++}`, value: 0n, type: u32, span });
/** A statement holding a distinct expression. */
const st = (): ir.IrStmt => ({ kind: "expr", expr: e(), span });
const body = (): ir.IrStmt[] => [st()];
const place = (): ir.IrPlace => ({ kind: "index", target: e(), index: e(), type: u32 });
const callback: ir.LoopLowering = { kind: "callback", iterations: undefined, captures: [] };

/** One sample per statement kind, every optional part present. */
const samples: { readonly [K in ir.IrStmt["kind"]]: () => Extract<ir.IrStmt, { kind: K }> } = {
  declare: () => ({ kind: "declare", name: "x", type: u32, init: e(), unread: false, span }),
  assign: () => ({ kind: "assign", target: place(), op: "+", value: e(), atomic: false, span }),
  mapUpdate: () => ({ kind: "mapUpdate", map: "m", key: e(), value: e(), span }),
  mapCompound: () => ({ kind: "mapCompound", map: "m", key: e(), op: "+", value: e(), span }),
  mapDelete: () => ({ kind: "mapDelete", map: "m", key: e(), span }),
  expr: () => st() as Extract<ir.IrStmt, { kind: "expr" }>,
  if: () => ({ kind: "if", condition: e(), then: body(), else: body(), span }),
  ifMapEntry: () => ({ kind: "ifMapEntry", binding: "b", map: "m", key: e(), keyType: u32, valueType: u32, then: body(), else: body(), span }),
  ifPacketHeader: () => ({
    kind: "ifPacketHeader", binding: "h", context: e(), offset: e(), header: u32, maxOffset: 0n, constantOffset: undefined,
    then: body(), else: body(), span,
  }),
  while: () => ({ kind: "while", condition: e(), body: body(), lowering: callback, span }),
  forRange: () => ({ kind: "forRange", variable: "i", variableType: u32, start: e(), end: e(), body: body(), lowering: callback, span }),
  forMap: () => ({ kind: "forMap", map: "m", key: "k", keyType: u32, value: "v", valueType: u32, body: body(), lowering: callback, span }),
  break: () => ({ kind: "break", span }),
  continue: () => ({ kind: "continue", span }),
  return: () => ({ kind: "return", value: e(), span }),
  print: () => ({ kind: "print", format: "%d %d", args: [e(), e()], span }),
  block: () => ({ kind: "block", body: body(), span }),
  tailCall: () => ({ kind: "tailCall", target: "t", index: 0, context: e(), fallback: e(), span }),
  mapEntryAssign: () => ({
    kind: "mapEntryAssign", binding: "b", map: "m", mapKind: "hash", key: e(), keyType: u32, valueType: u32, target: place(), op: "+", value: e(), atomic: true, span,
  }),
  declareAlias: () => ({ kind: "declareAlias", name: "s", pointer: "p", keyName: "k", map: "m", mapKind: "hash", key: e(), keyType: u32, valueType: u32, unread: false, span }),
  aliasWriteBack: () => ({ kind: "aliasWriteBack", alias: "s", pointer: "p", keyName: "k", map: "m", place: place(), update: { op: "+", value: e() }, span }),
  throw: () => ({ kind: "throw", value: e(), origin: "f at t.ks:1", span }),
  try: () => ({ kind: "try", body: body(), catches: [{ pattern: 1n, body: body(), span }, { pattern: undefined, body: body(), span }], span }),
  tryCall: () => ({ kind: "tryCall", result: "r", callee: "f", args: [e(), e()], type: u32, span }),
  defer: () => ({ kind: "defer", slot: 0, values: [e(), e()], span }),
  ringbufRelease: () => ({ kind: "ringbufRelease", op: "submit", map: "rb", record: e(), ifReserved: false, span }),
  objectDelete: () => ({ kind: "objectDelete", pointer: e(), span }),
  onEvent: () => ({ kind: "onEvent", map: "rb", handler: "h", span }),
  ifPointer: () => ({ kind: "ifPointer", binding: "q", type: u32, value: e(), then: body(), else: body(), span }),
};

/** Every statement and every leaf constant inside `node`'s own fields, found by reflection. */
function reachableByFields(node: unknown, out: { statements: Set<unknown>; leaves: Set<string> }): void {
  if (Array.isArray(node)) {
    node.forEach((x) => reachableByFields(x, out));
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  if (record["kind"] === "constant" && typeof record["name"] === "string") out.leaves.add(record["name"]);
  if (record["kind"] === "expr" && "expr" in record) out.statements.add(node);
  for (const [key, value] of Object.entries(record)) if (key !== "type" && key !== "span") reachableByFields(value, out);
}

describe("ir-walk", () => {
  for (const [kind, make] of Object.entries(samples)) {
    it(`${kind}: the walk reaches every expression and nested statement the node holds`, () => {
      const s = make() as ir.IrStmt;
      const fields = { statements: new Set<unknown>(), leaves: new Set<string>() };
      reachableByFields(s, fields);
      fields.statements.delete(s);
      const walked = { statements: new Set<unknown>(), leaves: new Set<string>() };
      walkStatements<undefined>([s], {
        statement: (x) => { if (x !== s) walked.statements.add(x); },
        expression: (x) => { if (x.kind === "constant") walked.leaves.add(x.name); },
      }, undefined);
      assert.deepEqual([...walked.leaves].sort(), [...fields.leaves].sort());
      assert.equal(walked.statements.size, fields.statements.size);
    });
  }

  it("a value block's statements are walked, with its result bound", () => {
    const inner = st();
    const value: ir.IrExpr = { kind: "valueBlock", result: "r", body: [inner], type: u32, span };
    const outer: ir.IrStmt = { kind: "return", value: { kind: "binary", op: "+", left: e(), right: value, type: u32, span }, span };
    assert.ok(someStatement([outer], (x) => x === inner));
    let binds: readonly string[] = [];
    walkStatements<undefined>([outer], { body: (b) => { binds = b.binds; return undefined; } }, undefined);
    assert.deepEqual(binds, ["r"]);
  });

  it("contexts: each nested list gets the context `body` returns, with its role and bindings", () => {
    const seen: string[] = [];
    const tree: ir.IrStmt[] = [samples.ifMapEntry(), samples.forRange(), samples.try()];
    walkStatements<string>(tree, {
      statement: (x, where) => { if (x.kind === "expr") seen.push(where); },
      body: (b, owner, where) => `${where}/${(owner as ir.IrStmt).kind}.${b.role}[${b.binds.join(",")}]`,
    }, "fn");
    assert.deepEqual(seen, [
      "fn/ifMapEntry.then[b]", "fn/ifMapEntry.else[]", "fn/forRange.loop[i]", "fn/try.try[]", "fn/try.catch[]", "fn/try.catch[]",
    ]);
  });

  it("statementParts lists declarations and statement-scoped names", () => {
    assert.deepEqual(statementParts(samples.declareAlias()).declares, ["s", "p", "k"]);
    assert.deepEqual(statementParts(samples.mapEntryAssign()).scoped, ["b"]);
    assert.ok(!someExpression([samples.break()], () => true));
  });
});
