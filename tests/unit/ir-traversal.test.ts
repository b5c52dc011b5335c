// "One IR traversal" as a tidy check (next to tidy.test.ts): only src/compiler/ir-walk.ts
// knows every IR node's children, so a new node kind cannot be silently skipped by a
// pass's private walker. With the TypeScript checker (types, not text):
//
// - every `switch` over the `kind` of an IR statement, expression or place, anywhere
//   under src/compiler/, is exhaustive and has no `default:` (so the compiler makes each
//   switch handle a new kind);
// - outside ir-walk.ts, the C writer (which turns each statement into C), the
//   reference interpreter (which executes each) and the flow-sensitive reference analysis, no code reads a statement's nested bodies
//   (`.then`, `.else`, `.body`, `.catches`, a value block's `.body`): passes walk them
//   through ir-walk.ts.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import ts from "typescript";
import { checkedProgram } from "../harness/ts-program.js";
import { casesIn, repoRoot } from "../harness/golden.js";

const compilerDir = join(repoRoot, "src", "compiler");
const irFile = join(compilerDir, "ir.ts");

/** Files that may read nested statement lists: the traversal itself, the C writer, the reference analysis. */
const bodyReaders = new Set([
  "src/compiler/ir-walk.ts",
  "src/compiler/emit/c-code.ts",
  "src/compiler/emit/loops-c.ts",
  "src/compiler/emit/errors-c.ts",
  "src/compiler/emit/pointers-c.ts",
  "src/compiler/emit/packets-c.ts",
  "src/compiler/analyze/references.ts",
  // The reference interpreter executes each statement as the C writer writes it: an evaluator, not a pass.
  "src/compiler/interpret/statements.ts",
  "src/compiler/interpret/expressions.ts",
]);

const bodyProperties = new Set(["then", "else", "body", "catches"]);

/** Violations in `files` (absolute paths), as `path:line: reason`; `extra` adds in-memory files. */
function traversalViolations(files: readonly string[], extra: ReadonlyMap<string, string> = new Map()): string[] {
  const { program, checker } = checkedProgram(files, extra);

  // The declarations of the IR unions' members: a type is IR when each of its constituents is one of them.
  const irMembers = new Set<ts.Node>();
  const irSource = program.getSourceFile(irFile);
  if (!irSource) throw new Error("ir.ts is not in the program");
  irSource.forEachChild((node) => {
    if (ts.isTypeAliasDeclaration(node) && ["IrStmt", "IrExpr", "IrPlace"].includes(node.name.text) && ts.isUnionTypeNode(node.type)) {
      for (const member of node.type.types) irMembers.add(member);
    }
    if (ts.isInterfaceDeclaration(node) && node.name.text === "IrCatch") irMembers.add(node);
  });
  assert.ok(irMembers.size > 60, "found the IR node types in ir.ts");
  const isIrType = (type: ts.Type): boolean => {
    const parts = type.isUnion() ? type.types : [type];
    return parts.length > 0 && parts.every((t) => (t.symbol?.declarations ?? []).some((d) => irMembers.has(d)));
  };

  const found: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!files.includes(source.fileName) && !extra.has(source.fileName)) continue;
    const file = relative(repoRoot, source.fileName);
    const where = (node: ts.Node): string => `${file}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isSwitchStatement(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "kind" &&
          isIrType(checker.getTypeAtLocation(node.expression.expression))) {
        const clauses = node.caseBlock.clauses;
        if (clauses.some((c) => ts.isDefaultClause(c))) found.push(`${where(node)}: a switch over IR kinds with \`default:\` (list every kind)`);
        const kindType = checker.getTypeAtLocation(node.expression);
        const kinds = (kindType.isUnion() ? kindType.types : [kindType]).map((t) => (t.isStringLiteral() ? t.value : "?"));
        const covered = new Set(clauses.flatMap((c) => (ts.isCaseClause(c) && ts.isStringLiteralLike(c.expression) ? [c.expression.text] : [])));
        const missing = kinds.filter((k) => !covered.has(k));
        if (missing.length > 0) found.push(`${where(node)}: a switch over IR kinds missing ${missing.join(", ")}`);
      }
      if (ts.isPropertyAccessExpression(node) && bodyProperties.has(node.name.text) && !bodyReaders.has(file) &&
          isIrType(checker.getTypeAtLocation(node.expression))) {
        found.push(`${where(node)}: reads \`.${node.name.text}\` of an IR node (walk nested bodies with ir-walk.ts)`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe("one IR traversal", () => {
  it("src/compiler/: IR kind switches are exhaustive without default, and only ir-walk.ts, the C writer and the reference analysis read nested bodies", () => {
    const files = casesIn(compilerDir, ".ts");
    const violations = traversalViolations(files);
    assert.deepEqual(violations, [], `walk the IR through src/compiler/ir-walk.ts:\n${violations.join("\n")}`);
  });

  it("the check itself catches what it should", () => {
    const probe = join(compilerDir, "lower", "tidy-probe.ts");
    const text = [
      'import type * as ir from "../ir.js";',
      'import type * as ast from "../ast.js";',
      "export function count(s: ir.IrStmt): number {",
      "  switch (s.kind) {",
      '    case "if": return count(s.then[0]!) + (s.else?.length ?? 0);',
      "    default: return 0;",
      "  }",
      "}",
      "export function partial(e: ir.IrExpr): number {",
      "  switch (e.kind) {",
      '    case "int": return 1;',
      '    case "valueBlock": return e.body.length;',
      "  }",
      "  return 0;",
      "}",
      "export function astIsFine(s: ast.Stmt): number {",
      "  switch (s.kind) {",
      '    case "IfStmt": return s.then.statements.length;',
      "    default: return 0;",
      "  }",
      "}",
    ].join("\n");
    const found = traversalViolations([], new Map([[probe, text]]));
    const at = "src/compiler/lower/tidy-probe.ts";
    assert.deepEqual(found.map((v) => v.replace(/missing .*/, "missing …")), [
      `${at}:4: a switch over IR kinds with \`default:\` (list every kind)`,
      `${at}:4: a switch over IR kinds missing …`,
      `${at}:5: reads \`.then\` of an IR node (walk nested bodies with ir-walk.ts)`,
      `${at}:5: reads \`.else\` of an IR node (walk nested bodies with ir-walk.ts)`,
      `${at}:10: a switch over IR kinds missing …`,
      `${at}:12: reads \`.body\` of an IR node (walk nested bodies with ir-walk.ts)`,
    ]);
    // Every kind but the two handled.
    assert.match(found[4]!, /missing string, bool, .*, escapeSlot, tracing, stringRead$/);
    assert.doesNotMatch(found[4]!, /\b(int|valueBlock)\b/);
  });
});
