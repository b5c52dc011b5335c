//! AST → indented text, for golden tests and `--dump-ast`.
//!
//! One node per line: `Kind key-attributes line:col-line:col`, children indented by two
//! spaces in source order. Names are shown on their node's line rather than as separate
//! `Ident` lines. A `role:` prefix marks the few children whose role is not obvious from
//! their kind and position (`returns:`, `capacity:`, `else:`). The end position is
//! exclusive (the column just after the node). Output is deterministic.

import type {
  Attribute, Block, Decl, Expr, ImplItem, MatchArm, Param, Pattern, SourceFileAst, Stmt, TypeExpr,
} from "../ast.js";
import { assertNever } from "../ast.js";
import { lineColumnOf, type SourceFile, type Span } from "../source.js";

export function printAst(ast: SourceFileAst, file: SourceFile): string {
  return new AstPrinter(file).sourceFile(ast);
}

class AstPrinter {
  private readonly out: string[] = [];
  private depth = 0;

  constructor(private readonly file: SourceFile) {}

  sourceFile(ast: SourceFileAst): string {
    this.node("SourceFile", ast.span, () => ast.decls.forEach((d) => this.decl(d)));
    return this.out.join("\n") + "\n";
  }

  private where(span: Span): string {
    const a = lineColumnOf(this.file, span.start);
    const b = lineColumnOf(this.file, span.end);
    return `${a.line}:${a.column}-${b.line}:${b.column}`;
  }

  private node(header: string, span: Span, children?: () => void, role?: string): void {
    const prefix = role === undefined ? "" : `${role}: `;
    this.out.push(`${"  ".repeat(this.depth)}${prefix}${header} ${this.where(span)}`);
    if (!children) return;
    this.depth++;
    children();
    this.depth--;
  }

  private attributes(list: readonly Attribute[]): void {
    for (const a of list) {
      const bare = a.args === undefined ? " (bare)" : "";
      this.node(`Attribute @${a.name.name}${bare}`, a.span, () => a.args?.forEach((e) => this.expr(e)));
    }
  }

  private params(list: readonly Param[]): void {
    for (const p of list) this.node(`Param ${p.name.name}`, p.span, () => this.type(p.type));
  }

  private decl(d: Decl): void {
    switch (d.kind) {
      case "LicenseDecl":
        return this.node(`LicenseDecl ${JSON.stringify(d.value.value)}`, d.span);
      case "IncludeDecl":
        return this.node(`IncludeDecl ${JSON.stringify(d.path.value)}`, d.span);
      case "ImportDecl":
        return this.node(`ImportDecl ${d.name.name} from ${JSON.stringify(d.path.value)}`, d.span);
      case "ExternDecl":
        return this.node(`ExternDecl ${d.name.name}`, d.span, () => {
          this.params(d.params);
          if (d.returnType) this.type(d.returnType, "returns");
        });
      case "StructDecl":
        return this.node(`StructDecl ${d.name.name}`, d.span, () => {
          this.attributes(d.attributes);
          for (const f of d.fields) this.node(`Field ${f.name.name}`, f.span, () => this.type(f.type));
        });
      case "EnumDecl":
        return this.node(`EnumDecl ${d.name.name}`, d.span, () => {
          for (const v of d.variants) this.node(`Variant ${v.name.name}`, v.span, v.value && (() => this.expr(v.value!)));
        });
      case "TypeAliasDecl":
        return this.node(`TypeAliasDecl ${d.name.name}`, d.span, () => this.type(d.type));
      case "ConfigDecl":
        return this.node(`ConfigDecl ${d.name.name}`, d.span, () => {
          for (const f of d.fields) {
            this.node(`ConfigField ${f.name.name}`, f.span, () => {
              this.type(f.type);
              if (f.default) this.expr(f.default);
            });
          }
        });
      case "GlobalVarDecl": {
        const flags = `${d.pin ? " pin" : ""}${d.local ? " local" : ""}`;
        return this.node(`GlobalVarDecl ${d.name.name}${flags}`, d.span, () => {
          this.attributes(d.attributes);
          if (d.type) this.type(d.type);
          if (d.init) this.expr(d.init);
        });
      }
      case "FunctionDecl":
      case "ImplDecl":
        return this.implItem(d);
      case "ErrorDecl":
        return this.node("ErrorDecl", d.span);
      default:
        return assertNever(d);
    }
  }

  private implItem(item: ImplItem | Decl): void {
    switch (item.kind) {
      case "FunctionDecl": {
        const named = item.returnName ? ` -> ${item.returnName.name}` : "";
        const bodiless = item.body ? "" : " (no body)";
        return this.node(`FunctionDecl ${item.name.name}${named}${bodiless}`, item.span, () => {
          this.attributes(item.attributes);
          this.params(item.params);
          if (item.returnType) this.type(item.returnType, "returns");
          if (item.body) this.block(item.body);
        });
      }
      case "ImplDecl":
        return this.node(`ImplDecl ${item.name.name}`, item.span, () => {
          this.attributes(item.attributes);
          item.items.forEach((i) => this.implItem(i));
        });
      case "ImplField":
        return this.node(`ImplField ${item.name.name}`, item.span, () => this.expr(item.value));
      default:
        return this.decl(item);
    }
  }

  private block(b: Block, role?: string): void {
    this.node("Block", b.span, () => b.statements.forEach((s) => this.stmt(s)), role);
  }

  private stmt(s: Stmt, role?: string): void {
    switch (s.kind) {
      case "VarStmt":
        return this.node(`VarStmt ${s.keyword} ${s.name.name}`, s.span, () => {
          if (s.type) this.type(s.type);
          if (s.init) this.expr(s.init);
        });
      case "AssignStmt":
        return this.node(`AssignStmt ${s.op}`, s.span, () => {
          this.expr(s.target);
          this.expr(s.value);
        });
      case "ExprStmt":
        return this.node("ExprStmt", s.span, () => this.expr(s.expr));
      case "IfStmt": {
        const binding = s.binding ? ` var ${s.binding.name}` : "";
        return this.node(`IfStmt${binding}`, s.span, () => {
          if (s.bindingType) this.type(s.bindingType);
          this.expr(s.condition);
          this.block(s.then);
          if (s.else?.kind === "Block") this.block(s.else, "else");
          else if (s.else) this.stmt(s.else, "else");
        }, role);
      }
      case "WhileStmt":
        return this.node("WhileStmt", s.span, () => {
          this.expr(s.condition);
          this.block(s.body);
        });
      case "ForRangeStmt":
        return this.node(`ForRangeStmt ${s.variable.name}`, s.span, () => {
          this.expr(s.start);
          this.expr(s.end);
          this.block(s.body);
        });
      case "ForInStmt": {
        const value = s.value ? `, ${s.value.name}` : "";
        return this.node(`ForInStmt ${s.key.name}${value}`, s.span, () => {
          this.expr(s.iterable);
          this.block(s.body);
        });
      }
      case "BreakStmt":
        return this.node("BreakStmt", s.span);
      case "ContinueStmt":
        return this.node("ContinueStmt", s.span);
      case "ReturnStmt":
        return this.node("ReturnStmt", s.span, s.value && (() => this.expr(s.value!)));
      case "DeleteStmt":
        return this.node("DeleteStmt", s.span, () => this.expr(s.target));
      case "ThrowStmt":
        return this.node("ThrowStmt", s.span, () => this.expr(s.value));
      case "TryStmt":
        return this.node("TryStmt", s.span, () => {
          this.block(s.body);
          for (const clause of s.catches) {
            const pattern = clause.pattern ? clause.pattern.text : "_";
            this.node(`Catch ${pattern}`, clause.span, () => this.block(clause.body));
          }
        });
      case "DeferStmt":
        return this.node("DeferStmt", s.span, () => this.expr(s.expr));
      case "BlockStmt":
        return this.node("BlockStmt", s.span, () => this.block(s.block));
      case "ErrorStmt":
        return this.node("ErrorStmt", s.span);
      default:
        return assertNever(s);
    }
  }

  private expr(e: Expr, role?: string): void {
    if (role !== undefined) {
      // Roles are rare (`capacity:`); render the node, then prefix its first line.
      const at = this.out.length;
      this.expr(e);
      const indent = "  ".repeat(this.depth);
      this.out[at] = `${indent}${role}: ${this.out[at]!.slice(indent.length)}`;
      return;
    }
    switch (e.kind) {
      case "IntLiteral": {
        const shown = e.text === e.value.toString() ? e.text : `${e.text} = ${e.value}`;
        return this.node(`IntLiteral ${shown}`, e.span);
      }
      case "BoolLiteral":
        return this.node(`BoolLiteral ${e.value}`, e.span);
      case "StringLiteral":
        return this.node(`StringLiteral ${JSON.stringify(e.value)}`, e.span);
      case "CharLiteral":
        return this.node(`CharLiteral ${e.value}`, e.span);
      case "NullLiteral":
        return this.node("NullLiteral", e.span);
      case "NameExpr":
        return this.node(`NameExpr ${e.name.name}`, e.span);
      case "AssignExpr":
        return this.node(`AssignExpr ${e.op}`, e.span, () => {
          this.expr(e.target);
          this.expr(e.value);
        });
      case "BinaryExpr":
        return this.node(`BinaryExpr ${e.op}`, e.span, () => {
          this.expr(e.left);
          this.expr(e.right);
        });
      case "UnaryExpr":
        return this.node(`UnaryExpr ${e.op}`, e.span, () => this.expr(e.operand));
      case "CallExpr":
        return this.node("CallExpr", e.span, () => {
          this.expr(e.callee);
          e.args.forEach((a) => this.expr(a));
        });
      case "IndexExpr":
        return this.node("IndexExpr", e.span, () => {
          this.expr(e.target);
          this.expr(e.index);
        });
      case "FieldExpr":
        return this.node(`FieldExpr ${e.arrow ? "->" : "."}${e.field.name}`, e.span, () => this.expr(e.target));
      case "StructLiteral":
        return this.node(`StructLiteral ${e.typeName.name}`, e.span, () => {
          for (const f of e.fields) this.node(`FieldInit ${f.name.name}`, f.span, () => this.expr(f.value));
        });
      case "ArrayLiteral":
        return this.node("ArrayLiteral", e.span, () => e.elements.forEach((x) => this.expr(x)));
      case "MatchExpr":
        return this.node("MatchExpr", e.span, () => {
          this.expr(e.scrutinee);
          e.arms.forEach((arm) => this.arm(arm));
        });
      case "NewExpr":
        return this.node("NewExpr", e.span, () => {
          this.type(e.type);
          e.args.forEach((a) => this.expr(a));
        });
      case "CastExpr":
        return this.node("CastExpr", e.span, () => {
          this.expr(e.expr);
          this.type(e.type);
        });
      case "SizeofExpr":
        return this.node("SizeofExpr", e.span, () => this.type(e.type));
      case "ParenExpr":
        return this.node("ParenExpr", e.span, () => this.expr(e.expr));
      case "ErrorExpr":
        return this.node("ErrorExpr", e.span);
      default:
        return assertNever(e);
    }
  }

  private arm(arm: MatchArm): void {
    this.node(`Arm ${patternText(arm.pattern)}`, arm.span, () => {
      if (arm.body.kind === "Block") this.block(arm.body);
      else this.expr(arm.body);
    });
  }

  private type(t: TypeExpr, role?: string): void {
    switch (t.kind) {
      case "NamedType":
        return this.node(`NamedType ${t.name.name}`, t.span, undefined, role);
      case "GenericType":
        return this.node(`GenericType ${t.name.name}`, t.span, () => {
          t.args.forEach((a) => this.type(a));
          if (t.capacity) this.expr(t.capacity, "capacity");
        }, role);
      case "PointerType":
        return this.node("PointerType", t.span, () => this.type(t.target), role);
      case "ArrayType":
        return this.node("ArrayType", t.span, () => {
          this.type(t.element);
          this.expr(t.size);
        }, role);
      case "StrType":
        return this.node("StrType", t.span, () => this.expr(t.size), role);
      case "FunctionType":
        return this.node("FunctionType", t.span, () => {
          for (const p of t.params) {
            this.node(`Param ${p.name ? p.name.name : "_"}`, p.span, () => this.type(p.type));
          }
          this.type(t.returnType, "returns");
        }, role);
      case "ErrorType":
        return this.node("ErrorType", t.span, undefined, role);
      default:
        return assertNever(t);
    }
  }
}

function patternText(p: Pattern): string {
  switch (p.kind) {
    case "DefaultPattern":
      return "default";
    case "NamePattern":
      return p.name.name;
    case "LiteralPattern": {
      const lit = p.literal;
      switch (lit.kind) {
        case "IntLiteral": return lit.text;
        case "StringLiteral": return JSON.stringify(lit.value);
        case "CharLiteral": return `char ${lit.value}`;
        case "BoolLiteral": return String(lit.value);
        case "UnaryExpr": return lit.operand.kind === "IntLiteral" ? `-${lit.operand.text}` : "-?";
        default: return assertNever(lit);
      }
    }
    default:
      return assertNever(p);
  }
}
