// "One place per fact" for program types, as a tidy check: every fact about a program
// type is a column of kernel/program-types.ts, so no other file under src/ may decide by
// naming program types. With the TypeScript checker (types, not text), outside
// src/compiler/kernel/program-types.ts:
//
// - no comparison of a program type with a literal (`p.programType === "xdp"`, also
//   `!==`), where a program type is an expression of type `ProgramType` or anything named
//   `programType`;
// - no `case "xdp":` in a switch over a program type;
// - no list of program types: a literal of type `ProgramType` in an array or as a call
//   argument (`present.has("tc")`, `programTypes: ["xdp", "tc"]`), or an array literal
//   of program type names searched for a program type (`["tp_btf", …].includes(t)`);
// - no table per program type: `Record<ProgramType, …>` or an object literal whose keys
//   are program type names.
//
// Allowed: switches over a column's own union (`info.attach.kind`), and naming one type
// to read its row (`programTypeInfo.kprobe`). Other unions that happen to share names
// (the `init` kinds of project/init-project.ts) are not program types.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import ts from "typescript";
import { checkedProgram } from "../harness/ts-program.js";
import { casesIn, repoRoot } from "../harness/golden.js";
import { programTypes } from "../../src/compiler/kernel/program-types.js";

const catalogue = "src/compiler/kernel/program-types.ts";
const typeNames: ReadonlySet<string> = new Set(programTypes.map((info) => info.programType));

function listViolations(files: readonly string[], extra: ReadonlyMap<string, string> = new Map()): string[] {
  const { program, checker } = checkedProgram(files, extra);

  const isProgramTypeAlias = (type: ts.Type | undefined): boolean => type?.aliasSymbol?.name === "ProgramType";
  const isProgramTyped = (e: ts.Expression): boolean => {
    const inner = ts.isParenthesizedExpression(e) ? e.expression : e;
    if (ts.isPropertyAccessExpression(inner) && inner.name.text === "programType") return true;
    if (ts.isIdentifier(inner) && inner.text === "programType") return true;
    return isProgramTypeAlias(checker.getTypeAtLocation(inner));
  };
  const isTypeName = (e: ts.Node): e is ts.StringLiteralLike => ts.isStringLiteralLike(e) && typeNames.has(e.text);
  const comparisons = new Set([
    ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
    ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken,
  ]);

  const found: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!files.includes(source.fileName) && !extra.has(source.fileName)) continue;
    const file = relative(repoRoot, source.fileName);
    if (file === catalogue) continue;
    const where = (node: ts.Node): string => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isBinaryExpression(node) && comparisons.has(node.operatorToken.kind)) {
        const literal = isTypeName(node.left) ? node.left : isTypeName(node.right) ? node.right : undefined;
        const other = literal === node.left ? node.right : node.left;
        if (literal && isProgramTyped(other)) found.push(`${where(node)}: compares a program type with "${literal.text}"`);
      }
      if (ts.isSwitchStatement(node) && isProgramTyped(node.expression)) {
        for (const clause of node.caseBlock.clauses) {
          if (ts.isCaseClause(clause) && isTypeName(clause.expression)) found.push(`${where(clause)}: \`case "${clause.expression.text}"\` over a program type`);
        }
      }
      if (isTypeName(node) && (ts.isArrayLiteralExpression(node.parent) || ts.isCallExpression(node.parent)) &&
          isProgramTypeAlias(checker.getContextualType(node))) {
        found.push(`${where(node)}: lists the program type "${node.text}"`);
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ts.isArrayLiteralExpression(node.expression.expression) &&
          node.expression.expression.elements.some(isTypeName) && node.arguments.some(isProgramTyped)) {
        found.push(`${where(node)}: searches a list of program types`);
      }
      if (ts.isTypeReferenceNode(node) && node.typeName.getText(source) === "Record" && node.typeArguments?.[0] &&
          isProgramTypeAlias(checker.getTypeFromTypeNode(node.typeArguments[0]))) {
        found.push(`${where(node)}: a table per program type (Record<ProgramType, …>)`);
      }
      if (ts.isObjectLiteralExpression(node)) {
        const keys = node.properties.flatMap((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? [p.name.text] : []));
        if (keys.length >= 2 && keys.every((k) => typeNames.has(k))) found.push(`${where(node)}: a table keyed by program types (${keys.join(", ")})`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("program types are facts of one catalogue", () => {
  it("no file under src/ but kernel/program-types.ts compares, cases on, lists or tabulates program types", () => {
    const files = casesIn(join(repoRoot, "src"), ".ts");
    const violations = listViolations(files);
    assert.deepEqual(violations, [], `add a column to ${catalogue} and read it instead:\n${violations.join("\n")}`);
  });

  it("the check itself catches what it should, and leaves columns and other unions alone", () => {
    const probe = join(repoRoot, "src", "compiler", "emit", "tidy-probe.ts");
    const text = [
      'import type * as ir from "../ir.js";',
      'import { programTypeInfo, type ProgramType } from "../kernel/program-types.js";',
      "export function a(p: ir.IrProgram): boolean { return p.programType === \"xdp\" || \"tc\" !== p.programType; }",
      "export function b(t: ProgramType): number {",
      "  switch (t) {",
      '    case "kprobe": return 1;',
      "    default: return 0;",
      "  }",
      "}",
      "export function c(t: ProgramType, present: Set<ProgramType>): boolean {",
      '  return ["tp_btf", "probe"].includes(t) || present.has("tracepoint");',
      "}",
      'export const d: readonly ProgramType[] = ["perf_event"];',
      'export const e: Record<ProgramType, number> = {} as never;',
      "export const f = { xdp: 1, tc: 2 };",
      "export function fine(p: ir.IrProgram, kind: \"xdp\" | \"tc\" | \"dns\"): boolean {",
      '  const attach = programTypeInfo[p.programType].attach;',
      '  switch (attach.kind) { case "interface": return kind === "xdp"; default: return programTypeInfo.kprobe.label === "kprobe"; }',
      "}",
    ].join("\n");
    const found = listViolations([], new Map([[probe, text]]));
    const at = "src/compiler/emit/tidy-probe.ts";
    assert.deepEqual(found, [
      `${at}:3: compares a program type with "xdp"`,
      `${at}:3: compares a program type with "tc"`,
      `${at}:6: \`case "kprobe"\` over a program type`,
      `${at}:11: searches a list of program types`,
      `${at}:11: lists the program type "tracepoint"`,
      `${at}:13: lists the program type "perf_event"`,
      `${at}:14: a table per program type (Record<ProgramType, …>)`,
      `${at}:15: a table keyed by program types (xdp, tc)`,
    ]);
  });
});

describe("the catalogue is consistent", () => {
  it("each type, attribute and bpf_prog_type appears once with one loader label; runtime C pieces exist", async () => {
    const { runtimeC } = await import("../../src/compiler/emit/userspace/runtime-c.generated.js");
    const types = programTypes.map((info) => info.programType);
    assert.equal(new Set(types).size, types.length, "one row per program type");
    const attributes = programTypes.flatMap((info) => (info.attribute ? [info.attribute] : []));
    assert.equal(new Set(attributes).size, attributes.length, "one row per attribute");
    const labels = new Map<string, string>();
    for (const info of programTypes) {
      const label = labels.get(info.bpfProgType);
      assert.ok(label === undefined || label === info.loaderLabel, `${info.programType}: ${info.bpfProgType} is "${label}" elsewhere, not "${info.loaderLabel}"`);
      labels.set(info.bpfProgType, info.loaderLabel);
      for (const piece of info.loaderPieces) {
        if ("runtimeC" in piece) assert.ok(piece.runtimeC in runtimeC, `${info.programType}: runtime-c/${piece.runtimeC}.c exists`);
      }
      if (info.attach.kind === "interface" || info.attach.kind === "declaredTarget") {
        assert.ok(info.loaderPieces.length > 0, `${info.programType}: attaching by ${info.attach.function} needs loader code`);
      }
      if (info.packetAccess === "direct") assert.ok(info.contextStruct, `${info.programType}: direct packet access needs a context struct`);
      if (info.testRun.kind !== "unsupported") assert.ok(info.attribute, `${info.programType}: a test run names a program declared by an attribute`);
    }
  });
});
