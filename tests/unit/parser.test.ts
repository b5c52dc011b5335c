import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import type { Expr, FunctionDecl, SourceFileAst, Stmt } from "../../src/compiler/ast.js";

function parseText(text: string): { ast: SourceFileAst; codes: string[] } {
  const diags = new Diagnostics();
  const ast = parse(makeSourceFile("t.ks", text), diags);
  return { ast, codes: diags.all.map((d) => d.code) };
}

function body(text: string): Stmt[] {
  const { ast, codes } = parseText(`fn f() {\n${text}\n}`);
  assert.deepEqual(codes, [], `unexpected diagnostics for ${text}`);
  return [...((ast.decls[0] as FunctionDecl).body?.statements ?? [])];
}

/** Fully parenthesised rendering of an expression, to check shapes. */
function shape(e: Expr): string {
  switch (e.kind) {
    case "BinaryExpr": return `(${shape(e.left)} ${e.op} ${shape(e.right)})`;
    case "UnaryExpr": return `(${e.op}${shape(e.operand)})`;
    case "CastExpr": return `(${shape(e.expr)} as ${e.type.kind === "NamedType" ? e.type.name.name : e.type.kind})`;
    case "NameExpr": return e.name.name;
    case "IntLiteral": return e.text;
    case "ParenExpr": return shape(e.expr);
    case "CallExpr": return `${shape(e.callee)}(${e.args.map(shape).join(", ")})`;
    case "IndexExpr": return `${shape(e.target)}[${shape(e.index)}]`;
    case "FieldExpr": return `${shape(e.target)}${e.arrow ? "->" : "."}${e.field.name}`;
    default: return e.kind;
  }
}

function exprOf(text: string): string {
  const [stmt] = body(`var r = ${text}`);
  assert.equal(stmt?.kind, "VarStmt");
  return shape((stmt as Extract<Stmt, { kind: "VarStmt" }>).init!);
}

test("precedence climbs from || to postfix", () => {
  assert.equal(exprOf("a || b && c == d | e ^ f & g << h + i * j"), "(a || (b && (c == (d | (e ^ (f & (g << (h + (i * j)))))))))");
  assert.equal(exprOf("a - b - c"), "((a - b) - c)");
  assert.equal(exprOf("-a as u16 + b"), "(((-a) as u16) + b)");
  assert.equal(exprOf("*p->f[1]"), "(*p->f[1])");
  assert.equal(exprOf("!f(x).y"), "(!f(x).y)");
  assert.equal(exprOf("a < b == c"), "((a < b) == c)");
});

test("a newline ends a statement unless the expression is unfinished", () => {
  assert.deepEqual(body("var b = a\n-c").map((s) => s.kind), ["VarStmt", "ExprStmt"]);
  assert.deepEqual(body("var x = a &\n 1").map((s) => s.kind), ["VarStmt"]);
  assert.deepEqual(body("var y = (a\n - c)").map((s) => s.kind), ["VarStmt"]);
  assert.deepEqual(body("f\n(x)").map((s) => s.kind), ["ExprStmt", "ExprStmt"]);
  assert.deepEqual(body("var a = 1 var b = 2").map((s) => s.kind), ["VarStmt", "VarStmt"]);
});

test("two expressions on one line with nothing between them are an error, not two statements", () => {
  for (const text of ["hits[1] = 20 20", "m[1] = 42 m[2] = 43", "f(x) g(y)"]) {
    const diags = new Diagnostics();
    parse(makeSourceFile("t.ks", `fn main() -> i32 {\n${text}\nreturn 0\n}\n`), diags);
    assert.deepEqual(diags.all.map((d) => [d.code, d.message]), [["E0110", diags.all[0]!.message]], text);
    assert.match(diags.all[0]!.message, /^expected `;` or a line break after this statement, found /);
  }
});

test("return before a newline, `}` or `;` is naked", () => {
  const stmts = body("return\nx");
  assert.equal(stmts[0]?.kind === "ReturnStmt" && stmts[0].value, undefined);
  assert.equal(stmts.length, 2);
});

test("un-parenthesised conditions do not take struct literals", () => {
  const [stmt] = body("if x == S { g() }");
  assert.equal(stmt?.kind, "IfStmt");
  const [paren] = body("if (x == S { a: 1 }) { g() }");
  assert.ok(paren?.kind === "IfStmt" && paren.condition.kind === "BinaryExpr" && paren.condition.right.kind === "StructLiteral");
});

test("`>>` closes nested generic arguments", () => {
  const { ast, codes } = parseText("var m : hash<u32, array<u32, u64>>(4)");
  assert.deepEqual(codes, []);
  const decl = ast.decls[0];
  assert.ok(decl?.kind === "GlobalVarDecl" && decl.type?.kind === "GenericType");
  assert.equal(decl.type.args[1]?.kind, "GenericType");
  assert.ok(decl.type.capacity !== undefined);
});

test("spans: statements start at their keyword, children lie within parents", () => {
  const text = "fn f() {\n  var abc = 1 + 2\n}";
  const { ast } = parseText(text);
  const stmt = (ast.decls[0] as FunctionDecl).body!.statements[0]!;
  assert.equal(text.slice(stmt.span.start, stmt.span.end), "var abc = 1 + 2");
});

test("recovery reports several errors and keeps later declarations", () => {
  const { ast, codes } = parseText("fn a() { var x = }\nstruct S { a: u32 b: u32 }\nx = 1\nfn b() -> u32 { return 1 }");
  assert.deepEqual(codes, ["E0111", "E0110", "E0113"]);
  assert.deepEqual(ast.decls.map((d) => d.kind), ["FunctionDecl", "StructDecl", "ErrorDecl", "FunctionDecl"]);
});
