//! Array parameters keep their value meaning. C passes an array parameter as a pointer
//! to the caller's array, so a function that writes into its parameter (`b[0] = 0`) or
//! takes its address would change the caller's array. Such a parameter arrives under a
//! temporary name and is copied into a local of its own name first: the callee works on
//! its copy, as it does with every other parameter. Parameters only read stay pointers.

import type * as ast from "../ast.js";
import { forEachChild, unparenthesize } from "../ast.js";
import type * as ir from "../ir.js";
import type { FunctionInfo, Semantics } from "../check/semantics.js";

export interface ArrayParams {
  readonly params: readonly ir.IrParam[];
  /** The copies, before the body. */
  readonly copies: readonly ir.IrStmt[];
}

export function arrayParams(semantics: Semantics, info: FunctionInfo, body: ast.Block, temporary: (purpose: string) => string): ArrayParams {
  const decl = info.decl;
  const written = decl.kind === "FunctionDecl" ? writtenArrayParams(semantics, decl, body) : new Set<string>();
  const copies: ir.IrStmt[] = [];
  const params = info.params.map((p) => {
    if (!written.has(p.name)) return { name: p.name, type: p.type };
    const incoming = temporary("param");
    copies.push({
      kind: "declare", name: p.name, type: p.type, init: { kind: "local", name: incoming, type: p.type, span: info.span }, unread: false, span: info.span,
    });
    return { name: incoming, type: p.type };
  });
  return { params, copies };
}

/** Names of array parameters the body assigns into or takes the address of. */
function writtenArrayParams(semantics: Semantics, decl: ast.FunctionDecl, body: ast.Block): Set<string> {
  const arrays = new Map<unknown, string>();
  for (const param of decl.params) {
    const symbol = semantics.declarations.get(param.name);
    if (symbol?.kind === "local" && symbol.type.kind === "array") arrays.set(symbol, param.name.name);
  }
  const written = new Set<string>();
  if (arrays.size === 0) return written;
  const note = (target: ast.Expr): void => {
    let e = unparenthesize(target);
    while (e.kind === "IndexExpr" || (e.kind === "FieldExpr" && !e.arrow)) e = unparenthesize(e.target);
    const name = e.kind === "NameExpr" ? arrays.get(semantics.references.get(e)) : undefined;
    if (name) written.add(name);
  };
  const visit = (node: ast.Node): void => {
    if (node.kind === "AssignStmt") note(node.target);
    else if (node.kind === "UnaryExpr" && node.op === "&") note(node.operand);
    forEachChild(node, visit);
  };
  visit(body);
  return written;
}
