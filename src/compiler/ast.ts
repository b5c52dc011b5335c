//! The syntax tree produced by `parse/parser.ts`.
//!
//! Plain readonly data in discriminated unions (`kind`), every node with a `span`.
//! The tree is syntax only: names are not resolved and types are not checked. After a
//! syntax error the parser still returns a tree, with `ErrorExpr`/`ErrorStmt`/`ErrorDecl`
//! nodes where it could not make sense of the input. The checker never mutates it.
//!
//! `forEachChild` at the bottom is the only code that knows every node's children.

import type { Span } from "./source.js";

export interface Ident {
  readonly kind: "Ident";
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Types as written in the source
// ---------------------------------------------------------------------------------------

export type TypeExpr =
  | NamedType
  | GenericType
  | PointerType
  | ArrayType
  | StrType
  | FunctionType
  | ErrorType;

/** `u32`, `bool`, `xdp_md`, `XdpContext`, `MyStruct`, `IpAddress` … resolved by the checker. */
export interface NamedType {
  readonly kind: "NamedType";
  readonly name: Ident;
  readonly span: Span;
}

/**
 * `hash<u32, u64>(1024)`, `HashMap<u32, u64>`, `ringbuf<Event>(8192)`.
 * The checker decides whether `name` is a map kind; `capacity` is the `(N)` suffix.
 */
export interface GenericType {
  readonly kind: "GenericType";
  readonly name: Ident;
  readonly args: readonly TypeExpr[];
  readonly capacity: Expr | undefined;
  readonly span: Span;
}

/** `*T` */
export interface PointerType {
  readonly kind: "PointerType";
  readonly target: TypeExpr;
  readonly span: Span;
}

/** `T[N]` (upstream) or `[T; N]` (SPEC form). */
export interface ArrayType {
  readonly kind: "ArrayType";
  readonly element: TypeExpr;
  readonly size: Expr;
  readonly span: Span;
}

/** `str(N)` */
export interface StrType {
  readonly kind: "StrType";
  readonly size: Expr;
  readonly span: Span;
}

/** `fn(i32, b: u32) -> i32` */
export interface FunctionType {
  readonly kind: "FunctionType";
  readonly params: readonly FunctionTypeParam[];
  readonly returnType: TypeExpr;
  readonly span: Span;
}

export interface FunctionTypeParam {
  readonly name: Ident | undefined;
  readonly type: TypeExpr;
  readonly span: Span;
}

export interface ErrorType {
  readonly kind: "ErrorType";
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------

export type Expr =
  | IntLiteral
  | BoolLiteral
  | StringLiteral
  | CharLiteral
  | NullLiteral
  | NameExpr
  | BinaryExpr
  | UnaryExpr
  | CallExpr
  | IndexExpr
  | FieldExpr
  | StructLiteral
  | ArrayLiteral
  | MatchExpr
  | NewExpr
  | CastExpr
  | SizeofExpr
  | ParenExpr
  | AssignExpr
  | ErrorExpr;

/**
 * What every expression node has: `id`, its number in the order the parser made the
 * expressions (unique in the process, from `nextExprId`), so that the checker's side
 * tables about expressions are arrays indexed by it rather than hash maps keyed by the
 * node (check/expr-table.ts). Nodes made without the parser may lack it.
 */
export interface ExprNode {
  readonly id?: number;
}

let exprIds = 0;

/** A new expression number (see `ExprNode`). */
export function nextExprId(): number {
  return exprIds++;
}

export interface IntLiteral extends ExprNode {
  readonly kind: "IntLiteral";
  readonly value: bigint;
  /** The spelling in the source (`0xFF`, `1_000`), kept for generated C and the formatter. */
  readonly text: string;
  /** Set on a duration literal (`250ms`): `value` is then nanoseconds (parse/durations.ts). */
  readonly duration?: true;
  readonly span: Span;
}

export interface BoolLiteral extends ExprNode {
  readonly kind: "BoolLiteral";
  readonly value: boolean;
  readonly span: Span;
}

export interface StringLiteral extends ExprNode {
  readonly kind: "StringLiteral";
  /** The decoded value (escapes processed). */
  readonly value: string;
  readonly span: Span;
}

export interface CharLiteral extends ExprNode {
  readonly kind: "CharLiteral";
  /** The decoded byte value. */
  readonly value: number;
  readonly span: Span;
}

export interface NullLiteral extends ExprNode {
  readonly kind: "NullLiteral";
  readonly span: Span;
}

export interface NameExpr extends ExprNode {
  readonly kind: "NameExpr";
  readonly name: Ident;
  readonly span: Span;
}

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "%"
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "&&" | "||"
  | "&" | "|" | "^" | "<<" | ">>";

export interface BinaryExpr extends ExprNode {
  readonly kind: "BinaryExpr";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

/** `-x`, `!x`, `~x`, `*p` (dereference), `&x` (address-of). */
export type UnaryOp = "-" | "!" | "~" | "*" | "&";

export interface UnaryExpr extends ExprNode {
  readonly kind: "UnaryExpr";
  readonly op: UnaryOp;
  readonly operand: Expr;
  readonly span: Span;
}

export interface CallExpr extends ExprNode {
  readonly kind: "CallExpr";
  readonly callee: Expr;
  readonly args: readonly Expr[];
  readonly span: Span;
}

export interface IndexExpr extends ExprNode {
  readonly kind: "IndexExpr";
  readonly target: Expr;
  readonly index: Expr;
  readonly span: Span;
}

/** `a.b` (`arrow: false`) or `a->b` (`arrow: true`). */
export interface FieldExpr extends ExprNode {
  readonly kind: "FieldExpr";
  readonly target: Expr;
  readonly field: Ident;
  readonly arrow: boolean;
  readonly span: Span;
}

export interface StructLiteral extends ExprNode {
  readonly kind: "StructLiteral";
  readonly typeName: Ident;
  readonly fields: readonly FieldInit[];
  readonly span: Span;
}

export interface FieldInit {
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export interface ArrayLiteral extends ExprNode {
  readonly kind: "ArrayLiteral";
  readonly elements: readonly Expr[];
  readonly span: Span;
}

export interface MatchExpr extends ExprNode {
  readonly kind: "MatchExpr";
  readonly scrutinee: Expr;
  readonly arms: readonly MatchArm[];
  readonly span: Span;
}

export interface MatchArm {
  readonly pattern: Pattern;
  /** An expression arm (`80: XDP_PASS`) or a block arm (`default: { …; v }`). */
  readonly body: Expr | Block;
  readonly span: Span;
}

export type Pattern =
  | { readonly kind: "LiteralPattern"; readonly literal: IntLiteral | StringLiteral | CharLiteral | BoolLiteral | UnaryExpr; readonly span: Span }
  | { readonly kind: "NamePattern"; readonly name: Ident; readonly span: Span }
  | { readonly kind: "DefaultPattern"; readonly span: Span };

/** `new T()` / `new T(GFP_ATOMIC)` */
export interface NewExpr extends ExprNode {
  readonly kind: "NewExpr";
  readonly type: TypeExpr;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** `x as u16` */
export interface CastExpr extends ExprNode {
  readonly kind: "CastExpr";
  readonly expr: Expr;
  readonly type: TypeExpr;
  readonly span: Span;
}

/** `sizeof(T)` */
export interface SizeofExpr extends ExprNode {
  readonly kind: "SizeofExpr";
  readonly type: TypeExpr;
  readonly span: Span;
}

/** `( e )` — kept so the formatter and diagnostics see what the user wrote. */
export interface ParenExpr extends ExprNode {
  readonly kind: "ParenExpr";
  readonly expr: Expr;
  readonly span: Span;
}

/**
 * `(m[k] += v)`: a compound assignment used as a value (written in parentheses), the
 * entry's value after the update (check/compound-values.ts says where it may stand).
 */
export interface AssignExpr extends ExprNode {
  readonly kind: "AssignExpr";
  readonly target: Expr;
  readonly op: AssignOp;
  readonly value: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface ErrorExpr extends ExprNode {
  readonly kind: "ErrorExpr";
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------

export type Stmt =
  | VarStmt
  | AssignStmt
  | ExprStmt
  | IfStmt
  | WhileStmt
  | ForRangeStmt
  | ForInStmt
  | BreakStmt
  | ContinueStmt
  | ReturnStmt
  | DeleteStmt
  | ThrowStmt
  | TryStmt
  | DeferStmt
  | BlockStmt
  | ErrorStmt;

export interface Block {
  readonly kind: "Block";
  readonly statements: readonly Stmt[];
  readonly span: Span;
}

/** `var x: T = e`, `let x = e` (seed-sketch synonym), `const X: T = e`. */
export interface VarStmt {
  readonly kind: "VarStmt";
  readonly keyword: "var" | "let" | "const";
  readonly name: Ident;
  readonly type: TypeExpr | undefined;
  readonly init: Expr | undefined;
  readonly span: Span;
}

export type AssignOp = "=" | "+=" | "-=" | "*=" | "/=" | "%=" | "&=" | "|=" | "^=" | "<<=" | ">>=";

/** `x = e`, `m[k] += e`, `p->f = e`, `*p = e` … the target is any expression; the checker decides. */
export interface AssignStmt {
  readonly kind: "AssignStmt";
  readonly target: Expr;
  readonly op: AssignOp;
  readonly value: Expr;
  readonly opSpan: Span;
  readonly span: Span;
}

export interface ExprStmt {
  readonly kind: "ExprStmt";
  readonly expr: Expr;
  readonly span: Span;
}

/**
 * `if (c) {…} else …`. With `binding` it is the declaration-as-condition form
 * `if (var binding = condition) {…}`: the then-branch runs when `condition` (a map
 * lookup or a pointer) is present, with `binding` in scope only there.
 */
export interface IfStmt {
  readonly kind: "IfStmt";
  readonly binding: Ident | undefined;
  /** `if (var h: *T = …)`: the declared type of the binding (packet headers need it). */
  readonly bindingType?: TypeExpr | undefined;
  readonly condition: Expr;
  readonly then: Block;
  readonly else: Block | IfStmt | undefined;
  readonly span: Span;
}

export interface WhileStmt {
  readonly kind: "WhileStmt";
  readonly condition: Expr;
  readonly body: Block;
  readonly span: Span;
}

/** `for (i in start..end) {…}`: half-open range. */
export interface ForRangeStmt {
  readonly kind: "ForRangeStmt";
  readonly variable: Ident;
  readonly start: Expr;
  readonly end: Expr;
  readonly body: Block;
  readonly span: Span;
}

/** `for (k, v) in m {…}` / `for (k in m) {…}`: iteration over a map (user space). */
export interface ForInStmt {
  readonly kind: "ForInStmt";
  readonly key: Ident;
  readonly value: Ident | undefined;
  readonly iterable: Expr;
  readonly body: Block;
  readonly span: Span;
}

export interface BreakStmt {
  readonly kind: "BreakStmt";
  readonly span: Span;
}

export interface ContinueStmt {
  readonly kind: "ContinueStmt";
  readonly span: Span;
}

export interface ReturnStmt {
  readonly kind: "ReturnStmt";
  readonly value: Expr | undefined;
  readonly span: Span;
}

/** `delete m[k]` or `delete p`. */
export interface DeleteStmt {
  readonly kind: "DeleteStmt";
  readonly target: Expr;
  readonly span: Span;
}

export interface ThrowStmt {
  readonly kind: "ThrowStmt";
  readonly value: Expr;
  readonly span: Span;
}

export interface TryStmt {
  readonly kind: "TryStmt";
  readonly body: Block;
  readonly catches: readonly CatchClause[];
  readonly span: Span;
}

/** `catch 1 {…}` or `catch _ {…}` (`pattern` undefined). */
export interface CatchClause {
  readonly pattern: IntLiteral | undefined;
  readonly body: Block;
  readonly span: Span;
}

export interface DeferStmt {
  readonly kind: "DeferStmt";
  readonly expr: Expr;
  readonly span: Span;
}

/** A bare `{ … }` block used as a statement. */
export interface BlockStmt {
  readonly kind: "BlockStmt";
  readonly block: Block;
  readonly span: Span;
}

export interface ErrorStmt {
  readonly kind: "ErrorStmt";
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Declarations
// ---------------------------------------------------------------------------------------

/** `@xdp`, `@tc("ingress")`, `@flags(rdonly | numa_node(2))`. */
export interface Attribute {
  readonly kind: "Attribute";
  readonly name: Ident;
  /** `undefined` for a bare `@name`; otherwise the parenthesised arguments. */
  readonly args: readonly Expr[] | undefined;
  readonly span: Span;
}

export type Decl =
  | IncludeDecl
  | LicenseDecl
  | ImportDecl
  | ExternDecl
  | StructDecl
  | EnumDecl
  | TypeAliasDecl
  | ConfigDecl
  | GlobalVarDecl
  | FunctionDecl
  | ImplDecl
  | ErrorDecl;

export interface SourceFileAst {
  readonly kind: "SourceFileAst";
  readonly path: string;
  readonly decls: readonly Decl[];
  readonly span: Span;
}

/** `include "xdp.kh"` */
export interface IncludeDecl {
  readonly kind: "IncludeDecl";
  readonly path: StringLiteral;
  readonly span: Span;
}

/**
 * `license "Dual MIT/GPL"`: the eBPF object's license string (check/license.ts). `license`
 * is contextual: only an identifier `license` followed by a string at top level.
 */
export interface LicenseDecl {
  readonly kind: "LicenseDecl";
  readonly keyword: Ident;
  readonly value: StringLiteral;
  readonly span: Span;
}

/** `import utils from "./utils.ks"` */
export interface ImportDecl {
  readonly kind: "ImportDecl";
  readonly name: Ident;
  readonly path: StringLiteral;
  readonly span: Span;
}

export interface Param {
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly span: Span;
}

/** `extern bpf_ktime_get_ns() -> u64` */
export interface ExternDecl {
  readonly kind: "ExternDecl";
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly returnType: TypeExpr | undefined;
  readonly span: Span;
}

export interface StructDecl {
  readonly kind: "StructDecl";
  readonly attributes: readonly Attribute[];
  readonly name: Ident;
  readonly fields: readonly StructField[];
  readonly span: Span;
}

export interface StructField {
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly span: Span;
}

export interface EnumDecl {
  readonly kind: "EnumDecl";
  readonly name: Ident;
  readonly variants: readonly EnumVariant[];
  readonly span: Span;
}

export interface EnumVariant {
  readonly name: Ident;
  /** An integer literal or a negated one. */
  readonly value: Expr | undefined;
  readonly span: Span;
}

/** `type Port = u16` */
export interface TypeAliasDecl {
  readonly kind: "TypeAliasDecl";
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly span: Span;
}

/** `config net { limit: u32 = 5, on: bool, }` */
export interface ConfigDecl {
  readonly kind: "ConfigDecl";
  readonly name: Ident;
  readonly fields: readonly ConfigField[];
  readonly span: Span;
}

export interface ConfigField {
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly default: Expr | undefined;
  readonly span: Span;
}

/**
 * A global variable or map: `[@flags(…)] [pin] [local] var name [: T] [= e]`.
 * Maps are globals whose type is a map type (`hash<K, V>(N)`, `HashMap<K, V>`).
 */
export interface GlobalVarDecl {
  readonly kind: "GlobalVarDecl";
  readonly attributes: readonly Attribute[];
  readonly pin: boolean;
  readonly local: boolean;
  readonly name: Ident;
  readonly type: TypeExpr | undefined;
  readonly init: Expr | undefined;
  readonly span: Span;
}

/**
 * `[@attr…] fn name(params) [-> [returnName:] T] { … }`. Un-attributed functions are
 * user space; `@xdp`, `@tc(…)`, … are eBPF programs; `@helper`, `@kfunc`, `@private`,
 * `@test` are the other kinds. `body` is absent only for body-less declarations in
 * `.kh` headers.
 */
export interface FunctionDecl {
  readonly kind: "FunctionDecl";
  readonly attributes: readonly Attribute[];
  readonly name: Ident;
  readonly params: readonly Param[];
  readonly returnType: TypeExpr | undefined;
  /** Go-style named result: `-> r: u64`. */
  readonly returnName: Ident | undefined;
  readonly body: Block | undefined;
  readonly span: Span;
}

/** `@struct_ops("tcp_congestion_ops") impl my_cc { fn …  name: "x", }` */
export interface ImplDecl {
  readonly kind: "ImplDecl";
  readonly attributes: readonly Attribute[];
  readonly name: Ident;
  readonly items: readonly ImplItem[];
  readonly span: Span;
}

export type ImplItem = FunctionDecl | ImplField;

export interface ImplField {
  readonly kind: "ImplField";
  readonly name: Ident;
  readonly value: Expr;
  readonly span: Span;
}

export interface ErrorDecl {
  readonly kind: "ErrorDecl";
  readonly span: Span;
}

export type Node =
  | SourceFileAst
  | Decl
  | ImplField
  | Stmt
  | Block
  | Expr
  | TypeExpr
  | Attribute
  | Ident;

export function assertNever(value: never): never {
  throw new Error(`internal: unexpected node ${JSON.stringify(value)}`);
}

/**
 * Calls `visit` on each direct child node of `node`, in source order. Non-node parts
 * (params, fields, match arms, catch clauses) are descended into so their nodes are
 * visited.
 */
export function forEachChild(node: Node, visit: (child: Node) => void): void {
  switch (node.kind) {
    case "SourceFileAst": return each(node.decls, visit);
    case "IncludeDecl": return visit(node.path);
    case "LicenseDecl": visit(node.keyword); return visit(node.value);
    case "ImportDecl": visit(node.name); return visit(node.path);
    case "ExternDecl":
      visit(node.name);
      for (const p of node.params) { visit(p.name); visit(p.type); }
      return opt(node.returnType, visit);
    case "StructDecl":
      each(node.attributes, visit);
      visit(node.name);
      for (const f of node.fields) { visit(f.name); visit(f.type); }
      return;
    case "EnumDecl":
      visit(node.name);
      for (const v of node.variants) { visit(v.name); opt(v.value, visit); }
      return;
    case "TypeAliasDecl": visit(node.name); return visit(node.type);
    case "ConfigDecl":
      visit(node.name);
      for (const f of node.fields) { visit(f.name); visit(f.type); opt(f.default, visit); }
      return;
    case "GlobalVarDecl":
      each(node.attributes, visit); visit(node.name); opt(node.type, visit); return opt(node.init, visit);
    case "FunctionDecl":
      each(node.attributes, visit);
      visit(node.name);
      for (const p of node.params) { visit(p.name); visit(p.type); }
      opt(node.returnName, visit);
      opt(node.returnType, visit);
      return opt(node.body, visit);
    case "ImplDecl": each(node.attributes, visit); visit(node.name); return each(node.items, visit);
    case "ImplField": visit(node.name); return visit(node.value);
    case "ErrorDecl": return;
    case "Attribute": visit(node.name); return each(node.args, visit);
    case "Ident": return;
    case "Block": return each(node.statements, visit);
    case "VarStmt": visit(node.name); opt(node.type, visit); return opt(node.init, visit);
    case "AssignStmt": visit(node.target); return visit(node.value);
    case "ExprStmt": return visit(node.expr);
    case "IfStmt": opt(node.binding, visit); opt(node.bindingType, visit); visit(node.condition); visit(node.then); return opt(node.else, visit);
    case "WhileStmt": visit(node.condition); return visit(node.body);
    case "ForRangeStmt": visit(node.variable); visit(node.start); visit(node.end); return visit(node.body);
    case "ForInStmt": visit(node.key); opt(node.value, visit); visit(node.iterable); return visit(node.body);
    case "BreakStmt": case "ContinueStmt": case "ErrorStmt": return;
    case "ReturnStmt": return opt(node.value, visit);
    case "DeleteStmt": return visit(node.target);
    case "ThrowStmt": return visit(node.value);
    case "TryStmt":
      visit(node.body);
      for (const c of node.catches) { opt(c.pattern, visit); visit(c.body); }
      return;
    case "DeferStmt": return visit(node.expr);
    case "BlockStmt": return visit(node.block);
    case "IntLiteral": case "BoolLiteral": case "StringLiteral": case "CharLiteral":
    case "NullLiteral": case "ErrorExpr": return;
    case "NameExpr": return visit(node.name);
    case "BinaryExpr": visit(node.left); return visit(node.right);
    case "AssignExpr": visit(node.target); return visit(node.value);
    case "UnaryExpr": return visit(node.operand);
    case "CallExpr": visit(node.callee); return each(node.args, visit);
    case "IndexExpr": visit(node.target); return visit(node.index);
    case "FieldExpr": visit(node.target); return visit(node.field);
    case "StructLiteral":
      visit(node.typeName);
      for (const f of node.fields) { visit(f.name); visit(f.value); }
      return;
    case "ArrayLiteral": return each(node.elements, visit);
    case "MatchExpr":
      visit(node.scrutinee);
      for (const arm of node.arms) {
        const p = arm.pattern;
        if (p.kind === "LiteralPattern") visit(p.literal);
        else if (p.kind === "NamePattern") visit(p.name);
        visit(arm.body);
      }
      return;
    case "NewExpr": visit(node.type); return each(node.args, visit);
    case "CastExpr": visit(node.expr); return visit(node.type);
    case "SizeofExpr": return visit(node.type);
    case "ParenExpr": return visit(node.expr);
    case "NamedType": return visit(node.name);
    case "GenericType": visit(node.name); each(node.args, visit); return opt(node.capacity, visit);
    case "PointerType": return visit(node.target);
    case "ArrayType": visit(node.element); return visit(node.size);
    case "StrType": return visit(node.size);
    case "FunctionType":
      for (const p of node.params) { opt(p.name, visit); visit(p.type); }
      return visit(node.returnType);
    case "ErrorType": return;
    default: return assertNever(node);
  }
}

// Plain functions, not closures made on every call: the tree walks call forEachChild
// for every node (about a million times for a 100k-line file).
function each(nodes: readonly Node[] | undefined, visit: (child: Node) => void): void {
  if (nodes) for (let i = 0; i < nodes.length; i++) visit(nodes[i]!);
}

function opt(child: Node | undefined, visit: (child: Node) => void): void {
  if (child) visit(child);
}

/** `expr` without the parentheses around it: `((x))` is `x`. Every pass that looks at
 * the shape of an expression (a literal, a name, a call) asks through this. */
export function unparenthesize(expr: Expr): Expr {
  while (expr.kind === "ParenExpr") expr = expr.expr;
  return expr;
}
