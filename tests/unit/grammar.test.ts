// The TextMate grammar of KernelScript (editors/vscode/syntaxes/), tokenized with the
// libraries VS Code uses: it is what tools/gen-grammar.ts makes from the compiler's
// tables; it tokenizes every example and test case the way the lexer does (keywords,
// literals, comments at the same places; error highlights exactly where the lexer
// reports a bad literal or escape); and a table of snippets pins the scope of each token
// of every construct.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { casesIn, repoRoot } from "../harness/golden.js";
import { grammarFiles, keywordScopes } from "../../tools/gen-grammar.js";
import { KEYWORDS, type Token as LexToken } from "../../src/compiler/parse/token.js";
import { lex } from "../../src/compiler/parse/lexer.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { forEachChild, type Ident, type Node } from "../../src/compiler/ast.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { lineColumnOf, makeSourceFile } from "../../src/compiler/source.js";
import { invalidEscape, malformedNumber } from "../../src/compiler/diagnostics/catalog/syntax.js";
import { unknownDurationUnit } from "../../src/compiler/diagnostics/catalog/types-runtime.js";
import { innermost, loadGrammars, tokenizeText, type FileTokens, type Token } from "./grammar-tokens.js";

const suffix = ".kernelscript";
const short = (scope: string): string => (scope.endsWith(suffix) ? scope.slice(0, -suffix.length) : scope);

/** `text → innermost scope` of each token of the first line of `source`. */
async function scopesOf(source: string): Promise<[string, string][]> {
  const tokens = await tokenizeText(source);
  return innermost(tokens.lines[0]!.tokens).map(([text, scope]) => [text, short(scope)]);
}

/** The `.ks`/`.kh` files of the examples (ours and the reference implementation's) and of tests/cases. */
function sourceFiles(): { examples: string[]; cases: string[] } {
  const ks = (dir: string): string[] => (existsSync(dir) ? [...casesIn(dir, ".ks"), ...casesIn(dir, ".kh")] : []);
  const upstream = join(repoRoot, "..", "shared", "upstream", "examples");
  return {
    examples: [...ks(join(repoRoot, "examples")), ...ks(upstream)],
    cases: ks(join(repoRoot, "tests", "cases")),
  };
}

/** Grammar tokens by start offset. */
function tokensByStart(tokens: FileTokens): Map<number, Token> {
  return new Map(tokens.lines.flatMap((line) => line.tokens.map((token) => [token.start, token] as const)));
}

/**
 * Where the grammar disagrees with the lexer on a file the lexer accepts: keywords
 * (unless they name a field: `.type`, `{ type: 1 }`), numbers, strings, characters and
 * comments must start a token of their scope.
 */
function disagreements(path: string, text: string, tokens: FileTokens, lexed: readonly LexToken[]): string[] {
  const byStart = tokensByStart(tokens);
  const found: string[] = [];
  const where = (offset: number): string => {
    const at = lineColumnOf(makeSourceFile(path, text), offset);
    return `${relative(repoRoot, path)}:${at.line}:${at.column}`;
  };
  const expect = (offset: number, what: string, accepts: (scope: string) => boolean): void => {
    const token = byStart.get(offset);
    const scope = token?.scopes.at(-1) ?? "(inside another token)";
    if (!accepts(scope)) found.push(`${where(offset)}: ${what} is ${scope}`);
  };
  lexed.forEach((token, index) => {
    for (const comment of token.leadingComments) {
      expect(comment.span.start, `comment ${JSON.stringify(comment.text.slice(0, 20))}`, (scope) => scope.startsWith("punctuation.definition.comment"));
    }
    const previous = lexed[index - 1]?.kind;
    const next = lexed[index + 1]?.kind;
    switch (token.kind) {
      case "Int":
        return expect(token.span.start, `number ${token.text}`, (scope) => scope.startsWith("constant.numeric."));
      case "String":
        return expect(token.span.start, "string", (scope) => scope === `punctuation.definition.string.begin${suffix}`);
      case "Char":
        return expect(token.span.start, `char ${token.text}`, (scope) => scope === `punctuation.definition.string.begin${suffix}`);
      default:
        if (!(KEYWORDS as readonly string[]).includes(token.kind)) return;
        if (previous === "." || previous === "->" || (next === ":" && !["default", "true", "false", "null"].includes(token.kind))) {
          return expect(token.span.start, `field name ${token.text}`, (scope) => scope === `variable.other.property${suffix}`);
        }
        return expect(token.span.start, `keyword ${token.text}`, (scope) => scope === keywordScopes[token.kind as keyof typeof keywordScopes] + suffix);
    }
  });
  return found;
}


/** What the parser says a token is, as the scopes the grammar may give it. */
interface Expectation {
  readonly offset: number;
  readonly what: string;
  readonly scopes: readonly string[];
}

const typeScopes = ["support.type.primitive", "support.type.map", "entity.name.type"];

/** Declared names, parameters, fields, attributes, calls and types of a parsed file. */
function parserExpectations(ast: Node): Expectation[] {
  const found: Expectation[] = [];
  const expect = (name: Ident | undefined, what: string, ...scopes: string[]): void => {
    if (name !== undefined && name.name !== "") found.push({ offset: name.span.start, what: `${what} ${name.name}`, scopes });
  };
  const visit = (node: Node): void => {
    switch (node.kind) {
      case "FunctionDecl":
      case "ExternDecl":
        expect(node.name, "function", "entity.name.function");
        for (const param of node.params) expect(param.name, "parameter", "variable.parameter");
        if (node.kind === "FunctionDecl") expect(node.returnName, "named result", "variable.other.readwrite");
        break;
      case "StructDecl":
        expect(node.name, "struct", "entity.name.type.struct");
        for (const field of node.fields) expect(field.name, "field", "variable.other.property");
        break;
      case "ConfigDecl":
        expect(node.name, "config", "entity.name.type.config");
        for (const field of node.fields) expect(field.name, "config field", "variable.other.property");
        break;
      case "EnumDecl":
        expect(node.name, "enum", "entity.name.type.enum");
        for (const variant of node.variants) expect(variant.name, "enum constant", "variable.other.enummember");
        break;
      case "TypeAliasDecl": expect(node.name, "alias", "entity.name.type.alias"); break;
      case "ImplDecl": expect(node.name, "impl", "entity.name.type.impl"); break;
      case "ImplField": expect(node.name, "impl field", "variable.other.property"); break;
      case "ImportDecl": expect(node.name, "module", "entity.name.namespace"); break;
      case "Attribute": expect(node.name, "attribute", "entity.name.function.decorator"); break;
      case "GlobalVarDecl": case "VarStmt": expect(node.name, "variable", "variable.other.readwrite"); break;
      case "IfStmt": expect(node.binding, "binding", "variable.other.readwrite"); break;
      case "NamedType": case "GenericType": expect(node.name, "type", ...typeScopes); break;
      case "StrType": found.push({ offset: node.span.start, what: "str type", scopes: ["support.type.primitive"] }); break;
      case "PointerType": found.push({ offset: node.span.start, what: "pointer type", scopes: ["storage.modifier.pointer"] }); break;
      case "FieldExpr": expect(node.field, "field", "variable.other.property", "entity.name.function.member"); break;
      case "StructLiteral":
        for (const field of node.fields) expect(field.name, "field", "variable.other.property");
        break;
      case "CallExpr":
        if (node.callee.kind === "NameExpr") expect(node.callee.name, "called function", "entity.name.function");
        break;
      default:
        break;
    }
    forEachChild(node, visit);
  };
  visit(ast);
  return found;
}

describe("TextMate grammar", () => {
  it("is what tools/gen-grammar.ts makes from the compiler's tables (`node build/tools/gen-grammar.js` rewrites it)", () => {
    for (const [path, text] of grammarFiles()) {
      assert.equal(readFileSync(join(repoRoot, path), "utf8"), text, `${path} is out of date: run \`node build/tools/gen-grammar.js\``);
    }
  });

  it("gives every keyword of the lexer its scope", async () => {
    for (const keyword of KEYWORDS) {
      const scopes = await scopesOf(`${keyword} `);
      assert.deepEqual(scopes[0], [keyword, short(keywordScopes[keyword] + suffix)], keyword);
    }
  });

  it("tokenizes every example: no line given up, nothing left open at the end, no error highlight", async () => {
    const { examples } = sourceFiles();
    assert.ok(examples.length >= 40, `examples found: ${examples.length}`);
    const problems: string[] = [];
    for (const path of examples) {
      const tokens = await tokenizeText(readFileSync(path, "utf8"));
      const name = relative(repoRoot, path);
      if (tokens.openAtEnd !== 0) problems.push(`${name}: ${tokens.openAtEnd} rule(s) still open at the end`);
      for (const line of tokens.lines) {
        if (line.stoppedEarly) problems.push(`${name}:${line.line}: tokenizing stopped early`);
        for (const token of line.tokens) {
          if (token.scopes.some((scope) => scope.startsWith("invalid."))) problems.push(`${name}:${line.line}: ${token.text} highlighted as an error`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it("agrees with the lexer on every example and test case: keywords, literals and comments start where the lexer's do", async () => {
    const { examples, cases } = sourceFiles();
    const problems: string[] = [];
    let checked = 0;
    for (const path of [...examples, ...cases]) {
      const text = readFileSync(path, "utf8");
      const diags = new Diagnostics();
      const lexed = lex(makeSourceFile(path, text), diags);
      if (diags.hasErrors()) continue;
      checked++;
      problems.push(...disagreements(path, text, await tokenizeText(text), lexed));
    }
    assert.ok(checked >= 500, `files checked: ${checked}`);
    assert.deepEqual(problems.slice(0, 20), []);
  });

  it("agrees with the parser on every example and test case: declared names, parameters, fields, attributes, calls and types", async () => {
    const { examples, cases } = sourceFiles();
    const problems: string[] = [];
    let checked = 0;
    let tokens = 0;
    for (const path of [...examples, ...cases]) {
      const text = readFileSync(path, "utf8");
      const file = makeSourceFile(path, text);
      const diags = new Diagnostics();
      const ast = parse(file, diags);
      if (diags.hasErrors()) continue;
      checked++;
      const byStart = tokensByStart(await tokenizeText(text));
      for (const { offset, what, scopes } of parserExpectations(ast)) {
        tokens++;
        const scope = byStart.get(offset)?.scopes.at(-1) ?? "(inside another token)";
        if (!scopes.some((expected) => scope === expected + suffix)) {
          const at = lineColumnOf(file, offset);
          problems.push(`${relative(repoRoot, path)}:${at.line}:${at.column}: ${what} is ${scope}`);
        }
      }
    }
    assert.ok(checked >= 500 && tokens >= 10_000, `files checked: ${checked}, tokens: ${tokens}`);
    assert.deepEqual(problems.slice(0, 30), [], `${problems.length} disagreements`);
  });

  it("closes every rule at the end of each file that parses, and highlights errors on exactly the lines of bad literals and escapes", async () => {
    const { examples, cases } = sourceFiles();
    const literalErrors = new Set([invalidEscape.code, malformedNumber.code, unknownDurationUnit.code]);
    const problems: string[] = [];
    let withErrors = 0;
    for (const path of [...examples, ...cases]) {
      const text = readFileSync(path, "utf8");
      const file = makeSourceFile(path, text);
      const diags = new Diagnostics();
      parse(file, diags);
      const tokens = await tokenizeText(text);
      const name = relative(repoRoot, path);
      if (!diags.hasErrors() && tokens.openAtEnd !== 0) problems.push(`${name}: parses, but ${tokens.openAtEnd} rule(s) are open at the end`);
      const expected = new Set(diags.all.filter((d) => literalErrors.has(d.code)).map((d) => lineColumnOf(file, d.primary.span.start).line));
      const highlighted = new Set(tokens.lines.filter((line) => line.tokens.some((t) => t.scopes.some((s) => s.startsWith("invalid.")))).map((line) => line.line));
      if (expected.size > 0) withErrors++;
      const missing = [...expected].filter((line) => !highlighted.has(line));
      const extra = [...highlighted].filter((line) => !expected.has(line));
      if (missing.length > 0) problems.push(`${name}: lines ${missing.join(", ")} have a bad literal the grammar does not show`);
      if (extra.length > 0) problems.push(`${name}: lines ${extra.join(", ")} are highlighted as errors the lexer does not report`);
    }
    assert.ok(withErrors >= 4, `files with bad literals: ${withErrors}`);
    assert.deepEqual(problems, []);
  });

  // text → the innermost scope of each token (without `.kernelscript`), first line only.
  const constructs: readonly (readonly [string, string, readonly (readonly [string, string])[]])[] = [
    ["division is not a comment; `//` starts one", "total = a / b // half", [
      ["total", "variable.other"], ["=", "keyword.operator.assignment"], ["a", "variable.other"],
      ["/", "keyword.operator.arithmetic"], ["b", "variable.other"],
      ["//", "punctuation.definition.comment"], ["half", "comment.line.double-slash"],
    ]],
    ["`//` and `/*` inside a string; a block comment inside a line", 'x = "http://a/*b*/" /* note */ y', [
      ["x", "variable.other"], ["=", "keyword.operator.assignment"],
      ['"', "punctuation.definition.string.begin"], ["http://a/*b*/", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
      ["/*", "punctuation.definition.comment.begin"], ["note", "comment.block"], ["*/", "punctuation.definition.comment.end"],
      ["y", "variable.other"],
    ]],
    ["`*` in a type is a pointer, `&x` an address", "var p: *u8 = &buf[0]", [
      ["var", "storage.type"], ["p", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["*", "storage.modifier.pointer"], ["u8", "support.type.primitive"], ["=", "keyword.operator.assignment"],
      ["&", "keyword.operator.address-of"], ["buf", "variable.other"], ["[", "punctuation.section.brackets.begin"],
      ["0", "constant.numeric.decimal"], ["]", "punctuation.section.brackets.end"],
    ]],
    ["`*` after an operand multiplies, before one dereferences", "var y = a * *p & m", [
      ["var", "storage.type"], ["y", "variable.other.readwrite"], ["=", "keyword.operator.assignment"],
      ["a", "variable.other"], ["*", "keyword.operator.arithmetic"], ["*", "keyword.operator.dereference"], ["p", "variable.other"],
      ["&", "keyword.operator.bitwise"], ["m", "variable.other"],
    ]],
    ["`return *p` dereferences", "return *p", [["return", "keyword.control.flow"], ["*", "keyword.operator.dereference"], ["p", "variable.other"]]],
    ["an attribute with an argument, a program and its signature", '@tracepoint("sched/sched_switch") fn on_switch(ctx: *trace_event_raw_sched_switch) -> i32 {', [
      ["@", "punctuation.definition.attribute"], ["tracepoint", "entity.name.function.decorator"], ["(", "punctuation.definition.arguments.begin"],
      ['"', "punctuation.definition.string.begin"], ["sched/sched_switch", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
      [")", "punctuation.definition.arguments.end"],
      ["fn", "storage.type.function"], ["on_switch", "entity.name.function"], ["(", "punctuation.definition.parameters.begin"],
      ["ctx", "variable.parameter"], [":", "punctuation.separator.type"], ["*", "storage.modifier.pointer"],
      ["trace_event_raw_sched_switch", "entity.name.type"], [")", "punctuation.definition.parameters.end"],
      ["->", "keyword.operator.arrow"], ["i32", "support.type.primitive"], ["{", "punctuation.section.block.begin"],
    ]],
    ["attributes without arguments; `@test`", "@test @helper fn t() {}", [
      ["@", "punctuation.definition.attribute"], ["test", "entity.name.function.decorator"],
      ["@", "punctuation.definition.attribute"], ["helper", "entity.name.function.decorator"],
      ["fn", "storage.type.function"], ["t", "entity.name.function"], ["(", "punctuation.definition.parameters.begin"],
      [")", "punctuation.definition.parameters.end"], ["{", "punctuation.section.block.begin"], ["}", "punctuation.section.block.end"],
    ]],
    ["a map: kind, type arguments, capacity", "var m: hash<u32, str(16)>(1024)", [
      ["var", "storage.type"], ["m", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["hash", "support.type.map"], ["<", "punctuation.definition.type-arguments.begin"], ["u32", "support.type.primitive"],
      [",", "punctuation.separator.comma"], ["str", "support.type.primitive"], ["(", "punctuation.section.parens.begin"],
      ["16", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"], [">", "punctuation.definition.type-arguments.end"],
      ["(", "punctuation.section.parens.begin"], ["1024", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"],
    ]],
    ["a map kind spelled as a type name; one with a size only", "var c: PerCpuArray<u32, u64>(4)", [
      ["var", "storage.type"], ["c", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["PerCpuArray", "support.type.map"], ["<", "punctuation.definition.type-arguments.begin"], ["u32", "support.type.primitive"],
      [",", "punctuation.separator.comma"], ["u64", "support.type.primitive"], [">", "punctuation.definition.type-arguments.end"],
      ["(", "punctuation.section.parens.begin"], ["4", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"],
    ]],
    ["a map with a size only", "var traces: stack_trace(256)", [
      ["var", "storage.type"], ["traces", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["stack_trace", "support.type.map"], ["(", "punctuation.section.parens.begin"], ["256", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"],
    ]],
    ["numbers: hex, binary, octal, separators, durations; fractions and letters are errors", "n = 0xff + 0b1010 + 0o17 + 1_000 + 250ms + 1.5 + 12abc", [
      ["n", "variable.other"], ["=", "keyword.operator.assignment"], ["0xff", "constant.numeric.hex"], ["+", "keyword.operator.arithmetic"],
      ["0b1010", "constant.numeric.binary"], ["+", "keyword.operator.arithmetic"], ["0o17", "constant.numeric.octal"],
      ["+", "keyword.operator.arithmetic"], ["1_000", "constant.numeric.decimal"], ["+", "keyword.operator.arithmetic"],
      ["250", "constant.numeric.duration"], ["ms", "keyword.other.unit"], ["+", "keyword.operator.arithmetic"],
      ["1.5", "invalid.illegal.numeric"], ["+", "keyword.operator.arithmetic"], ["12abc", "invalid.illegal.numeric"],
    ]],
    ["print conversions and escapes in a string", 'print("%d %-5s %llu %% done\\n", a)', [
      ["print", "entity.name.function"], ["(", "punctuation.section.parens.begin"], ['"', "punctuation.definition.string.begin"],
      ["%d", "constant.other.placeholder"], ["%-5s", "constant.other.placeholder"], ["%llu", "constant.other.placeholder"],
      ["%%", "constant.other.placeholder"], ["done", "string.quoted.double"], ["\\n", "constant.character.escape"],
      ['"', "punctuation.definition.string.end"], [",", "punctuation.separator.comma"], ["a", "variable.other"], [")", "punctuation.section.parens.end"],
    ]],
    ["characters; an unknown escape is an error", "c = '\\n' + 'a' + '\\x41'; s = \"\\q\"", [
      ["c", "variable.other"], ["=", "keyword.operator.assignment"], ["'", "punctuation.definition.string.begin"],
      ["\\n", "constant.character.escape"], ["'", "punctuation.definition.string.end"], ["+", "keyword.operator.arithmetic"],
      ["'", "punctuation.definition.string.begin"], ["a", "string.quoted.single"], ["'", "punctuation.definition.string.end"],
      ["+", "keyword.operator.arithmetic"], ["'", "punctuation.definition.string.begin"], ["\\x41", "constant.character.escape"],
      ["'", "punctuation.definition.string.end"], [";", "punctuation.terminator.statement"], ["s", "variable.other"],
      ["=", "keyword.operator.assignment"], ['"', "punctuation.definition.string.begin"], ["\\q", "invalid.illegal.unknown-escape"],
      ['"', "punctuation.definition.string.end"],
    ]],
    ["a struct: fields with arrays and strings", "struct Point { x: u32, y: [u8; 4], ports: u16[2] }", [
      ["struct", "storage.type.struct"], ["Point", "entity.name.type.struct"], ["{", "punctuation.section.block.begin"],
      ["x", "variable.other.property"], [":", "punctuation.separator.type"], ["u32", "support.type.primitive"], [",", "punctuation.separator.comma"],
      ["y", "variable.other.property"], [":", "punctuation.separator.type"], ["[", "punctuation.section.brackets.begin"],
      ["u8", "support.type.primitive"], [";", "punctuation.separator.array-size"], ["4", "constant.numeric.decimal"],
      ["]", "punctuation.section.brackets.end"], [",", "punctuation.separator.comma"],
      ["ports", "variable.other.property"], [":", "punctuation.separator.type"], ["u16", "support.type.primitive"],
      ["[", "punctuation.section.brackets.begin"], ["2", "constant.numeric.decimal"], ["]", "punctuation.section.brackets.end"],
      ["}", "punctuation.section.block.end"],
    ]],
    ["an enum", "enum Color { RED = 1, GREEN }", [
      ["enum", "storage.type.enum"], ["Color", "entity.name.type.enum"], ["{", "punctuation.section.block.begin"],
      ["RED", "variable.other.enummember"], ["=", "keyword.operator.assignment"], ["1", "constant.numeric.decimal"],
      [",", "punctuation.separator.comma"], ["GREEN", "variable.other.enummember"], ["}", "punctuation.section.block.end"],
    ]],
    ["a config with defaults", "config settings { limit: u32 = 10, verbose: bool = false }", [
      ["config", "storage.type.config"], ["settings", "entity.name.type.config"], ["{", "punctuation.section.block.begin"],
      ["limit", "variable.other.property"], [":", "punctuation.separator.type"], ["u32", "support.type.primitive"],
      ["=", "keyword.operator.assignment"], ["10", "constant.numeric.decimal"], [",", "punctuation.separator.comma"],
      ["verbose", "variable.other.property"], [":", "punctuation.separator.type"], ["bool", "support.type.primitive"],
      ["=", "keyword.operator.assignment"], ["false", "constant.language.boolean"], ["}", "punctuation.section.block.end"],
    ]],
    ["an impl block: a field value and an operation", '@struct_ops("tcp_congestion_ops") impl my_ops { name: "x", fn init(sk: *u8) -> i32 { return 0 } }', [
      ["@", "punctuation.definition.attribute"], ["struct_ops", "entity.name.function.decorator"], ["(", "punctuation.definition.arguments.begin"],
      ['"', "punctuation.definition.string.begin"], ["tcp_congestion_ops", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
      [")", "punctuation.definition.arguments.end"], ["impl", "storage.type.impl"], ["my_ops", "entity.name.type.impl"],
      ["{", "punctuation.section.block.begin"], ["name", "variable.other.property"], [":", "punctuation.separator.colon"],
      ['"', "punctuation.definition.string.begin"], ["x", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
      [",", "punctuation.separator.comma"], ["fn", "storage.type.function"], ["init", "entity.name.function"],
      ["(", "punctuation.definition.parameters.begin"], ["sk", "variable.parameter"], [":", "punctuation.separator.type"],
      ["*", "storage.modifier.pointer"], ["u8", "support.type.primitive"], [")", "punctuation.definition.parameters.end"],
      ["->", "keyword.operator.arrow"], ["i32", "support.type.primitive"], ["{", "punctuation.section.block.begin"],
      ["return", "keyword.control.flow"], ["0", "constant.numeric.decimal"], ["}", "punctuation.section.block.end"], ["}", "punctuation.section.block.end"],
    ]],
    ["include", 'include "tc.kh"', [
      ["include", "keyword.control.import"], ['"', "punctuation.definition.string.begin"], ["tc.kh", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
    ]],
    ["import", 'import utils from "./utils.ks"', [
      ["import", "keyword.control.import"], ["utils", "entity.name.namespace"], ["from", "keyword.control.import"],
      ['"', "punctuation.definition.string.begin"], ["./utils.ks", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
    ]],
    ["license (a name elsewhere)", 'license "GPL"', [
      ["license", "keyword.other.license"], ['"', "punctuation.definition.string.begin"], ["GPL", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
    ]],
    ["an extern kfunc", "extern bpf_ktime_get_ns() -> u64", [
      ["extern", "storage.modifier.extern"], ["bpf_ktime_get_ns", "entity.name.function"], ["(", "punctuation.definition.parameters.begin"],
      [")", "punctuation.definition.parameters.end"], ["->", "keyword.operator.arrow"], ["u64", "support.type.primitive"],
    ]],
    ["a type alias of a function type", "type BinaryOp = fn(u32, x: u32) -> u32", [
      ["type", "storage.type.type"], ["BinaryOp", "entity.name.type.alias"], ["=", "keyword.operator.assignment"],
      ["fn", "storage.type.function"], ["(", "punctuation.definition.parameters.begin"], ["u32", "support.type.primitive"],
      [",", "punctuation.separator.comma"], ["x", "variable.parameter"], [":", "punctuation.separator.type"], ["u32", "support.type.primitive"],
      [")", "punctuation.definition.parameters.end"], ["->", "keyword.operator.arrow"], ["u32", "support.type.primitive"],
    ]],
    ["a named result", "fn frame_length(ctx: *xdp_md) -> len: u32 {", [
      ["fn", "storage.type.function"], ["frame_length", "entity.name.function"], ["(", "punctuation.definition.parameters.begin"],
      ["ctx", "variable.parameter"], [":", "punctuation.separator.type"], ["*", "storage.modifier.pointer"], ["xdp_md", "entity.name.type"],
      [")", "punctuation.definition.parameters.end"], ["->", "keyword.operator.arrow"], ["len", "variable.other.readwrite"],
      [":", "punctuation.separator.type"], ["u32", "support.type.primitive"], ["{", "punctuation.section.block.begin"],
    ]],
    ["a cast and sizeof take types", "var v = x as *u8 + sizeof(iphdr)", [
      ["var", "storage.type"], ["v", "variable.other.readwrite"], ["=", "keyword.operator.assignment"], ["x", "variable.other"],
      ["as", "keyword.operator.cast"], ["*", "storage.modifier.pointer"], ["u8", "support.type.primitive"], ["+", "keyword.operator.arithmetic"],
      ["sizeof", "keyword.operator.sizeof"], ["(", "punctuation.section.parens.begin"], ["iphdr", "entity.name.type"], [")", "punctuation.section.parens.end"],
    ]],
    ["match arms: constants, chars, strings, bools, default", "r = match (x) { TINY: 1, 'a': 2, \"s\": 3, true: 4, default: 5 }", [
      ["r", "variable.other"], ["=", "keyword.operator.assignment"], ["match", "keyword.control.conditional"],
      ["(", "punctuation.section.parens.begin"], ["x", "variable.other"], [")", "punctuation.section.parens.end"], ["{", "punctuation.section.block.begin"],
      ["TINY", "constant.other"], [":", "punctuation.separator.colon"], ["1", "constant.numeric.decimal"], [",", "punctuation.separator.comma"],
      ["'", "punctuation.definition.string.begin"], ["a", "string.quoted.single"], ["'", "punctuation.definition.string.end"],
      [":", "punctuation.separator.colon"], ["2", "constant.numeric.decimal"], [",", "punctuation.separator.comma"],
      ['"', "punctuation.definition.string.begin"], ["s", "string.quoted.double"], ['"', "punctuation.definition.string.end"],
      [":", "punctuation.separator.colon"], ["3", "constant.numeric.decimal"], [",", "punctuation.separator.comma"],
      ["true", "constant.language.boolean"], [":", "punctuation.separator.colon"], ["4", "constant.numeric.decimal"], [",", "punctuation.separator.comma"],
      ["default", "keyword.control.conditional"], [":", "punctuation.separator.colon"], ["5", "constant.numeric.decimal"], ["}", "punctuation.section.block.end"],
    ]],
    ["calls, a struct literal, kernel constants", "assert(test(packet_filter, TestRun { packet: big }) == XDP_DROP)", [
      ["assert", "entity.name.function"], ["(", "punctuation.section.parens.begin"], ["test", "entity.name.function"],
      ["(", "punctuation.section.parens.begin"], ["packet_filter", "variable.other"], [",", "punctuation.separator.comma"],
      ["TestRun", "entity.name.type"], ["{", "punctuation.section.block.begin"], ["packet", "variable.other.property"],
      [":", "punctuation.separator.colon"], ["big", "variable.other"], ["}", "punctuation.section.block.end"],
      [")", "punctuation.section.parens.end"], ["==", "keyword.operator.comparison"], ["XDP_DROP", "constant.other"], [")", "punctuation.section.parens.end"],
    ]],
    ["fields, methods, `->`, a keyword as a field name", "q.push(ctx.data_end); v = p->len + h.type", [
      ["q", "variable.other"], [".", "punctuation.accessor"], ["push", "entity.name.function.member"], ["(", "punctuation.section.parens.begin"],
      ["ctx", "variable.other"], [".", "punctuation.accessor"], ["data_end", "variable.other.property"], [")", "punctuation.section.parens.end"],
      [";", "punctuation.terminator.statement"], ["v", "variable.other"], ["=", "keyword.operator.assignment"], ["p", "variable.other"],
      ["->", "punctuation.accessor"], ["len", "variable.other.property"], ["+", "keyword.operator.arithmetic"], ["h", "variable.other"],
      [".", "punctuation.accessor"], ["type", "variable.other.property"],
    ]],
    ["`->` after a parenthesis is a field access (a return type only follows a declaration's parameters)", "v = (*p)->len", [
      ["v", "variable.other"], ["=", "keyword.operator.assignment"], ["(", "punctuation.section.parens.begin"],
      ["*", "keyword.operator.dereference"], ["p", "variable.other"], [")", "punctuation.section.parens.end"],
      ["->", "punctuation.accessor"], ["len", "variable.other.property"],
    ]],
    ["a range loop", "for (i in 0..10) { continue }", [
      ["for", "keyword.control.loop"], ["(", "punctuation.section.parens.begin"], ["i", "variable.other"], ["in", "keyword.control.loop"],
      ["0", "constant.numeric.decimal"], ["..", "keyword.operator.range"], ["10", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"],
      ["{", "punctuation.section.block.begin"], ["continue", "keyword.control.flow"], ["}", "punctuation.section.block.end"],
    ]],
    ["errors: try, throw, catch, defer", "try { throw 2 } catch 1 { defer done() }", [
      ["try", "keyword.control.exception"], ["{", "punctuation.section.block.begin"], ["throw", "keyword.control.exception"],
      ["2", "constant.numeric.decimal"], ["}", "punctuation.section.block.end"], ["catch", "keyword.control.exception"],
      ["1", "constant.numeric.decimal"], ["{", "punctuation.section.block.begin"], ["defer", "keyword.control.defer"],
      ["done", "entity.name.function"], ["(", "punctuation.section.parens.begin"], [")", "punctuation.section.parens.end"], ["}", "punctuation.section.block.end"],
    ]],
    ["a pinned global", "pin var hits: u32 = 0", [
      ["pin", "storage.modifier"], ["var", "storage.type"], ["hits", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["u32", "support.type.primitive"], ["=", "keyword.operator.assignment"], ["0", "constant.numeric.decimal"],
    ]],
    ["a typed binding in a condition", "if (var h: *iphdr = ctx.header(14)) { return XDP_PASS }", [
      ["if", "keyword.control.conditional"], ["(", "punctuation.section.parens.begin"], ["var", "storage.type"], ["h", "variable.other.readwrite"],
      [":", "punctuation.separator.type"], ["*", "storage.modifier.pointer"], ["iphdr", "entity.name.type"], ["=", "keyword.operator.assignment"],
      ["ctx", "variable.other"], [".", "punctuation.accessor"], ["header", "entity.name.function.member"], ["(", "punctuation.section.parens.begin"],
      ["14", "constant.numeric.decimal"], [")", "punctuation.section.parens.end"], [")", "punctuation.section.parens.end"],
      ["{", "punctuation.section.block.begin"], ["return", "keyword.control.flow"], ["XDP_PASS", "constant.other"], ["}", "punctuation.section.block.end"],
    ]],
    ["operators, longest first", "x <<= 2; z = a != b && !c || d >> 1", [
      ["x", "variable.other"], ["<<=", "keyword.operator.assignment.compound"], ["2", "constant.numeric.decimal"], [";", "punctuation.terminator.statement"],
      ["z", "variable.other"], ["=", "keyword.operator.assignment"], ["a", "variable.other"], ["!=", "keyword.operator.comparison"],
      ["b", "variable.other"], ["&&", "keyword.operator.logical"], ["!", "keyword.operator.logical"], ["c", "variable.other"],
      ["||", "keyword.operator.logical"], ["d", "variable.other"], [">>", "keyword.operator.bitwise.shift"], ["1", "constant.numeric.decimal"],
    ]],
    ["new, delete, null", "var o = new Counter(); delete m[k]; p = null", [
      ["var", "storage.type"], ["o", "variable.other.readwrite"], ["=", "keyword.operator.assignment"], ["new", "keyword.operator.new"],
      ["Counter", "entity.name.type"], ["(", "punctuation.section.parens.begin"], [")", "punctuation.section.parens.end"],
      [";", "punctuation.terminator.statement"], ["delete", "keyword.operator.delete"], ["m", "variable.other"],
      ["[", "punctuation.section.brackets.begin"], ["k", "variable.other"], ["]", "punctuation.section.brackets.end"],
      [";", "punctuation.terminator.statement"], ["p", "variable.other"], ["=", "keyword.operator.assignment"], ["null", "constant.language.null"],
    ]],
  ];

  for (const [what, source, expected] of constructs) {
    it(`scopes ${what}: ${source}`, async () => {
      assert.deepEqual(await scopesOf(source), expected.map(([text, scope]) => [text, scope]));
    });
  }

  it("ends a header's declaration (no body) with its line", async () => {
    const tokens = await tokenizeText("fn bpf_ktime(flags: u64) -> u64\nvar x: u32 = 1");
    assert.deepEqual(tokens.lines.map((line) => innermost(line.tokens).map(([text, scope]) => [text, short(scope)])), [
      [["fn", "storage.type.function"], ["bpf_ktime", "entity.name.function"], ["(", "punctuation.definition.parameters.begin"],
        ["flags", "variable.parameter"], [":", "punctuation.separator.type"], ["u64", "support.type.primitive"],
        [")", "punctuation.definition.parameters.end"], ["->", "keyword.operator.arrow"], ["u64", "support.type.primitive"]],
      [["var", "storage.type"], ["x", "variable.other.readwrite"], [":", "punctuation.separator.type"], ["u32", "support.type.primitive"],
        ["=", "keyword.operator.assignment"], ["1", "constant.numeric.decimal"]],
    ]);
    assert.ok(tokens.lines[1]!.tokens.every((token) => !token.scopes.includes("meta.function.kernelscript")));
    assert.equal(tokens.openAtEnd, 0);
  });

  it("keeps a block comment and a string open across lines, and closes them", async () => {
    const tokens = await tokenizeText('/* one\n two */ x = "a\nb" + 1');
    assert.deepEqual(tokens.lines.map((line) => innermost(line.tokens).map(([text, scope]) => [text, short(scope)])), [
      [["/*", "punctuation.definition.comment.begin"], ["one", "comment.block"]],
      [["two", "comment.block"], ["*/", "punctuation.definition.comment.end"], ["x", "variable.other"], ["=", "keyword.operator.assignment"],
        ['"', "punctuation.definition.string.begin"], ["a", "string.quoted.double"]],
      [["b", "string.quoted.double"], ['"', "punctuation.definition.string.end"], ["+", "keyword.operator.arithmetic"], ["1", "constant.numeric.decimal"]],
    ]);
    assert.equal(tokens.openAtEnd, 0);
  });

  it("highlights ```ks blocks in Markdown (the docs' code blocks)", async () => {
    const { markdown } = await loadGrammars();
    const tokens = await tokenizeText("Some text\n```ks\nvar x: u32 = 1\n```\nmore", markdown);
    const line = (n: number): [string, string][] => innermost(tokens.lines[n]!.tokens).map(([text, scope]) => [text, short(scope)]);
    assert.deepEqual(line(2), [
      ["var", "storage.type"], ["x", "variable.other.readwrite"], [":", "punctuation.separator.type"],
      ["u32", "support.type.primitive"], ["=", "keyword.operator.assignment"], ["1", "constant.numeric.decimal"],
    ]);
    assert.ok(tokens.lines[2]!.tokens.every((token) => token.scopes.includes("meta.embedded.block.kernelscript")));
    assert.ok(tokens.lines[4]!.tokens.every((token) => !token.scopes.includes("meta.embedded.block.kernelscript")), "the block ends at its fence");
    assert.equal(tokens.openAtEnd, 0);
  });
});
