// "All wording in the catalogue" as a tidy check (next to tidy.test.ts): the sentences
// a user reads live in src/compiler/diagnostics/catalog/*.ts, so they can be reviewed,
// kept consistent and documented in one place. Code outside src/compiler/diagnostics/
// hands a diagnostic data only. With the TypeScript compiler API (syntax, plus the
// checker to follow a name to its declaration), over every file of src/:
//
// - Sinks: every call of `report(…)` (the collector's `diags.report(entry, span, …args)`,
//   the parser's `c.report(…)`, every local function named `report`), and every call of
//   a wrapper: a function or method, in any file, whose parameter reaches a sink's
//   argument (found to a fixed point: `Cursor.expect(kind, where)` → `Cursor.error` →
//   `diags.report`; `checkExprAs(…, context)` → `checkAssignable` → `diags.report`).
//   A wrapper's callers are checked for the arguments it hands on.
// - Allowed in a sink's arguments: identifiers and names from the user's source, type
//   names (`typeToString(t)`), numbers, spans, catalogue entries, reason keys
//   (`"unsignedCompare"`, `{ kind: "mapKey", map }`), single tokens and code made of
//   them (`"u32"`, `"{"`, `` `${call}()` ``, `` `${map}.${field}` ``): any string literal or
//   piece of a template literal without two words in a row.
// - Refused: a string literal or template text holding two words separated by white
//   space (`"an index"`, `` `takes ${n} arguments` ``) — English, which belongs in the
//   catalogue entry, chosen there by a key. The same holds one step away: a variable of
//   the checked files given such text (its initialiser or a later assignment), and text
//   made by a function of the checked files whose result is passed (`describeToken(t)`)
//   or kept in a variable that is (`const problem = f(…)`). `throw`n internal errors are
//   no diagnostics; `typeToString` spells types (see `dataSpellers`).
// - What this does not see: text further away (a table row's field, a value two calls
//   deep). The catalogue entries take closed unions of reason keys, not `string`,
//   wherever a call site chooses among sentences, so the type checker keeps such text out.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import ts from "typescript";
import { checkedProgram } from "../harness/ts-program.js";
import { casesIn, repoRoot } from "../harness/golden.js";

const catalogueDir = join(repoRoot, "src", "compiler", "diagnostics");

/** Stands for a `${…}` substitution of a template literal. */
const hole = "\uE000";

/**
 * Two words in a row: a letter run, white space, then a letter or a substitution
 * (`takes ${n}`), or a substitution, white space and a letter (`${n} arguments`). Two
 * substitutions with a space between them are data put side by side, not wording.
 */
const wordingPattern = new RegExp(`\\p{L}[\\p{L}'’-]*\\s+[\\p{L}${hole}]|${hole}\\s+\\p{L}`, "u");

function isWording(text: string): boolean {
  return wordingPattern.test(text);
}

/** The literal texts inside `node` that are wording, with their nodes. */
function wordingIn(node: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && isWording(n.text)) found.push(n);
    else if (ts.isTemplateExpression(n)) {
      if (isWording([n.head.text, ...n.templateSpans.map((span) => span.literal.text)].join(hole))) found.push(n);
      for (const span of n.templateSpans) visit(span.expression);
      return;
    }
    // An internal error is no diagnostic (`throw new Error("internal: …")`).
    if (ts.isThrowStatement(n)) return;
    // A nested function (a callback building text) is part of the argument too.
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

function isReportCall(node: ts.CallExpression): boolean {
  const callee = node.expression;
  return (ts.isIdentifier(callee) && callee.text === "report") || (ts.isPropertyAccessExpression(callee) && callee.name.text === "report");
}

/**
 * Functions that spell data the messages quote, and so may hold two words in a row: a
 * type's name (`typeToString`: `u32`, `*xdp_md`, and the pseudo-type of an integer
 * literal, named `integer literal`), as ARCHITECTURE.md's "Adding a diagnostic" lists
 * "types as text with `typeToString`" among the data a call site passes.
 */
const dataSpellers: ReadonlySet<string> = new Set(["typeToString"]);

function isDataSpeller(fn: FunctionLike): boolean {
  return ts.isFunctionDeclaration(fn) && fn.name !== undefined && dataSpellers.has(fn.name.text);
}

type FunctionLike = ts.FunctionDeclaration | ts.MethodDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.ConstructorDeclaration;

function isFunctionLike(node: ts.Node): node is FunctionLike {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isConstructorDeclaration(node);
}

/** The function a call calls, when the checked files declare it (through imports and methods). */
function calledFunction(checker: ts.TypeChecker, call: ts.CallExpression): FunctionLike | undefined {
  let symbol = checker.getSymbolAtLocation(call.expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (!declaration) return undefined;
  if (isFunctionLike(declaration)) return declaration;
  if ((ts.isVariableDeclaration(declaration) || ts.isPropertyAssignment(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer && isFunctionLike(declaration.initializer)) {
    return declaration.initializer;
  }
  return undefined;
}

/**
 * Violations in `files` (absolute paths), as `path:line: text`; `extra` adds in-memory files.
 *
 * A sink is a report call (every argument) or a call of a wrapper (the arguments its
 * wrapper hands on). Wrappers are found across files to a fixed point: a function whose
 * parameter appears in an argument of a sink is a wrapper for that parameter
 * (`Cursor.expect(kind, context)`, `checkExprAs(…, context)`, `reportMismatch(…)`).
 */
function wordingViolations(files: readonly string[], extra: ReadonlyMap<string, string> = new Map()): string[] {
  const { program, checker } = checkedProgram(files, extra);
  const checked = program.getSourceFiles().filter((source) => files.includes(source.fileName) || extra.has(source.fileName));

  const functions: FunctionLike[] = [];
  const collect = (n: ts.Node): void => {
    if (isFunctionLike(n) && n.body) functions.push(n);
    ts.forEachChild(n, collect);
  };
  checked.forEach(collect);

  // The parameters (by index) each wrapper hands to a sink.
  const forwarded = new Map<FunctionLike, Set<number>>();
  /** The arguments of `call` that reach a diagnostic, or undefined when it is no sink. */
  const sinkArguments = (call: ts.CallExpression): ts.Expression[] | undefined => {
    if (isReportCall(call)) return [...call.arguments];
    const fn = calledFunction(checker, call);
    const indexes = fn && forwarded.get(fn);
    if (!fn || !indexes) return undefined;
    const last = fn.parameters.length - 1;
    const rest = last >= 0 && fn.parameters[last]!.dotDotDotToken ? last : undefined;
    return call.arguments.filter((_, i) => indexes.has(rest !== undefined && i > rest ? rest : i));
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const fn of functions) {
      const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? checker.getSymbolAtLocation(p.name) : undefined));
      const indexes = forwarded.get(fn) ?? new Set<number>();
      const before = indexes.size;
      const mark = (m: ts.Node): void => {
        if (ts.isIdentifier(m)) {
          const symbol = checker.getSymbolAtLocation(m);
          const index = symbol === undefined ? -1 : params.indexOf(symbol);
          if (index >= 0) indexes.add(index);
        }
        ts.forEachChild(m, mark);
      };
      const scan = (n: ts.Node): void => {
        if (ts.isCallExpression(n)) sinkArguments(n)?.forEach(mark);
        ts.forEachChild(n, scan);
      };
      scan(fn.body!);
      if (indexes.size > before) {
        forwarded.set(fn, indexes);
        changed = true;
      }
    }
  }

  // Every value given to a variable of the checked files: its initialiser and the right
  // side of each assignment to it.
  const assignedValues = new Map<ts.Symbol, ts.Expression[]>();
  const collectAssignments = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
      const symbol = checker.getSymbolAtLocation(n.left);
      if (symbol) assignedValues.set(symbol, [...(assignedValues.get(symbol) ?? []), n.right]);
    }
    ts.forEachChild(n, collectAssignments);
  };
  checked.forEach(collectAssignments);
  const valuesOf = (name: ts.Identifier): ts.Expression[] => {
    let symbol = checker.getSymbolAtLocation(name);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.valueDeclaration;
    if (!symbol || !declaration || !ts.isVariableDeclaration(declaration) || !checked.includes(declaration.getSourceFile())) return [];
    const initial = declaration.initializer && !isFunctionLike(declaration.initializer) ? [declaration.initializer] : [];
    return [...initial, ...(assignedValues.get(symbol) ?? [])];
  };

  const found: string[] = [];
  for (const source of checked) {
    const file = relative(repoRoot, source.fileName);
    const where = (node: ts.Node): string => {
      const at = node.getSourceFile();
      return `${relative(repoRoot, at.fileName)}:${at.getLineAndCharacterOfPosition(node.getStart(at)).line + 1}`;
    };
    const line = (node: ts.Node): string => where(node).split(":").pop()!;
    const show = (node: ts.Node): string => node.getText(node.getSourceFile()).replace(/\s+/g, " ").slice(0, 100);
    const checkArgument = (arg: ts.Expression): void => {
      for (const text of wordingIn(arg)) found.push(`${where(text)}: ${show(text)}`);
      const visit = (n: ts.Node): void => {
        // One step away: a variable holding such text (its initialiser or any value
        // assigned to it), or the result of a function of the checked files that makes
        // such text (`describeToken(t)`; `const problem = f(…)`, then `problem.why`).
        const calls: ts.CallExpression[] = ts.isCallExpression(n) ? [n] : [];
        if (ts.isIdentifier(n)) {
          for (const value of valuesOf(n)) {
            for (const text of wordingIn(value)) found.push(`${where(text)}: ${show(text)} (passed as \`${n.text}\` at ${file}:${line(n)})`);
            if (ts.isCallExpression(value)) calls.push(value);
          }
        }
        for (const call of calls) {
          const fn = calledFunction(checker, call);
          if (!fn?.body || !checked.includes(fn.getSourceFile()) || isDataSpeller(fn)) continue;
          for (const text of wordingIn(fn.body)) found.push(`${where(text)}: ${show(text)} (made by \`${show(call.expression)}\`, passed at ${file}:${line(n)})`);
        }
        if (!isFunctionLike(n)) ts.forEachChild(n, visit);
      };
      visit(arg);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node)) sinkArguments(node)?.forEach(checkArgument);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...new Set(found)];
}

/** Every TypeScript file under src/ outside the diagnostics module (the catalogue and the collector). */
function sourcesOutsideCatalogue(): string[] {
  return casesIn(join(repoRoot, "src"), ".ts").filter((path) => !path.startsWith(catalogueDir + "/"));
}

describe("diagnostic wording", () => {
  it("lives in the catalogue: report(…) calls outside src/compiler/diagnostics/ pass data, not English", () => {
    const violations = wordingViolations(sourcesOutsideCatalogue());
    assert.deepEqual(violations, [], `move this wording into the catalogue entry (src/compiler/diagnostics/catalog/), chosen by a key:\n${violations.join("\n")}`);
  });

  it("the check itself catches what it should", () => {
    const probe = join(repoRoot, "src", "compiler", "check", "wording-probe.ts");
    const cursor = join(repoRoot, "src", "compiler", "parse", "wording-cursor.ts");
    const text = [
      "declare const ctx: { diags: { report(...args: unknown[]): void } };",
      "declare const entry: unknown, span: unknown, name: string, n: number;",
      'ctx.diags.report(entry, span, "arrays as map keys");',
      "ctx.diags.report(entry, span, `takes ${n} arguments`);",
      'ctx.diags.report(entry, span, n > 1 ? "u32" : "the header offset");',
      'const why = "it never changes";',
      "ctx.diags.report(entry, span, why);",
      "const report = (problem: string) => ctx.diags.report(entry, span, problem);",
      'report("it must return `i32`");',
      "ctx.diags.report(entry, span, name, `${name}()`, `${name}.${n}`, \"u32\", \"{\", \"unsignedCompare\", n, `*${name}`, `${name} ${n}`);",
      'const key = "wrap";',
      "ctx.diags.report(entry, span, key);",
      "function wrongSide(side: string, instead: string, n: number): void { ctx.diags.report(entry, span, side, { help: instead }); }",
      'wrongSide("user", "register handlers in user space", 2);',
      'const arity = (count: number, what: string) => ctx.diags.report(entry, span, count);',
      'arity(1, "one value");',
      // Wrappers in another file, a method among them (the parser's `c.expect(kind, where)`).
      'import { Cursor, expectName } from "../parse/wording-cursor.js";',
      'new Cursor().expect(")", "to close the index");',
      'expectName("after the field name");',
      'new Cursor().expect(")", "closeIndex");',
      // Text made by a function (`describeToken`), passed or kept in a variable first.
      'function describe(k: number): string { if (k < 0) throw new Error("internal: no wording"); return k === 0 ? "end of file" : "`;`"; }',
      "ctx.diags.report(entry, span, describe(n));",
      "const found = describe(n);",
      "ctx.diags.report(entry, span, found);",
      // A `let` given its text later.
      "let reason: string | undefined;",
      'if (n > 2) reason = "it is too big";',
      "ctx.diags.report(entry, span, reason);",
      // Type spellings are data.
      'function typeToString(t: number): string { return t === 0 ? "integer literal" : "u32"; }',
      "ctx.diags.report(entry, span, typeToString(n));",
    ].join("\n");
    const cursorText = [
      "declare const diags: { report(...args: unknown[]): void };",
      "export class Cursor {",
      "  expect(kind: string, where: string): void { this.error(kind, where); }",
      "  error(...args: unknown[]): void { diags.report(...args); }",
      "}",
      "export function expectName(where: string): void { new Cursor().error(where); }",
    ].join("\n");
    const at = "src/compiler/check/wording-probe.ts";
    assert.deepEqual(wordingViolations([], new Map([[probe, text], [cursor, cursorText]])), [
      `${at}:3: "arrays as map keys"`,
      `${at}:4: \`takes \${n} arguments\``,
      `${at}:5: "the header offset"`,
      `${at}:6: "it never changes" (passed as \`why\` at ${at}:7)`,
      `${at}:9: "it must return \`i32\`"`,
      `${at}:14: "register handlers in user space"`,
      `${at}:18: "to close the index"`,
      `${at}:19: "after the field name"`,
      `${at}:21: "end of file" (made by \`describe\`, passed at ${at}:22)`,
      `${at}:21: "end of file" (made by \`describe\`, passed at ${at}:24)`,
      `${at}:26: "it is too big" (passed as \`reason\` at ${at}:27)`,
    ]);
  });
});
