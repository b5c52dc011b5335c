//! lower(): Semantics (+ the AST it annotates) → Ir.
//!
//! Runs only on programs the checker accepted, so every name resolves and every
//! expression has a type; a missing entry is a compiler bug (InternalError), never a
//! user error. Map operations become explicit IR nodes, literals get their final
//! integer types, and `print` formats get conversions that match their arguments.

import type * as ast from "../ast.js";
import type { Semantics, FunctionInfo, Symbol } from "../check/semantics.js";
import { defaultLiteralType } from "../check/conversions.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { boolType, u64 } from "../types.js";
import { lowerPrint } from "./print-format.js";
import { lowerNew, lowerPointerBinding, lowerRingbufCall, lowerRingbufStatement } from "./lower-ringbuf.js";
import { programTypeFor } from "../kernel/program-types.js";

export class InternalError extends Error {}

export function lower(semantics: Semantics, name: string): ir.IrModule {
  const programs: ir.IrProgram[] = [];
  const helpers: ir.IrFunction[] = [];
  const userFunctions: ir.IrFunction[] = [];
  for (const info of semantics.functions) {
    if (info.decl.kind !== "FunctionDecl" || !info.decl.body) continue;
    const fn = lowerFunction(semantics, info, info.decl.body);
    switch (info.role.kind) {
      case "program": {
        const programInfo = info.role.info;
        programs.push({ ...fn, programType: programTypeFor(programInfo, info.role.target), section: programInfo.section(info.role.target), target: info.role.target });
        break;
      }
      case "helper": helpers.push(fn); break;
      case "userspace": userFunctions.push(fn); break;
      default: break;
    }
  }
  return {
    name,
    sourcePath: semantics.sourcePath,
    structs: semantics.userStructs,
    enums: semantics.userEnums,
    typedefs: semantics.typedefs,
    maps: semantics.maps.map((m) => ({
      name: m.name,
      mapKind: m.type.mapKind,
      keyType: m.type.key,
      valueType: m.type.value,
      maxEntries: m.type.maxEntries,
      flags: m.flags,
      pinned: m.pinned,
      span: m.decl.span,
    })),
    globals: [],
    programs,
    helpers,
    userFunctions,
    hasUserMain: userFunctions.some((f) => f.name === "main"),
  };
}

/** Per-function lowering state. */
class FunctionLowering {
  constructor(readonly semantics: Semantics) {}

  typeOf(expr: ast.Expr): Type {
    const type = this.semantics.exprTypes.get(expr);
    if (!type) throw new InternalError(`no type recorded for ${expr.kind} at ${expr.span.start}`);
    if (type.kind === "intLiteral") return defaultLiteralType(type.value);
    if (type.kind === "error") throw new InternalError(`error type reached lowering at ${expr.span.start}`);
    return type;
  }

  symbolOf(expr: ast.NameExpr): Symbol {
    const symbol = this.semantics.references.get(expr);
    if (!symbol) throw new InternalError(`unresolved name ${expr.name.name}`);
    return symbol;
  }

  mapName(expr: ast.Expr): string | undefined {
    if (expr.kind !== "NameExpr") return undefined;
    const symbol = this.semantics.references.get(expr);
    return symbol?.kind === "map" ? symbol.info.name : undefined;
  }

  block(statements: readonly ast.Stmt[]): ir.IrStmt[] {
    return statements.flatMap((s) => this.statement(s));
  }

  statement(stmt: ast.Stmt): ir.IrStmt[] {
    const span = stmt.span;
    switch (stmt.kind) {
      case "VarStmt": {
        const symbol = this.semantics.declarations.get(stmt);
        if (!symbol || symbol.kind !== "local") throw new InternalError("undeclared local");
        return [{
          kind: "declare", name: localIdentifier(symbol), type: symbol.type, init: stmt.init ? this.expr(stmt.init) : undefined,
          unread: this.semantics.unreadLocals.has(symbol.id), span,
        }];
      }
      case "AssignStmt": return [this.assignment(stmt)];
      case "ExprStmt": {
        if (stmt.expr.kind === "CallExpr" && stmt.expr.callee.kind === "NameExpr" && stmt.expr.callee.name.name === "print" &&
            !this.semantics.references.has(stmt.expr.callee)) {
          const args = stmt.expr.args.map((a) => this.expr(a));
          const literal = stmt.expr.args[0]?.kind === "StringLiteral" ? stmt.expr.args[0].value : undefined;
          return [lowerPrint(literal, literal === undefined ? args : args.slice(1), span)];
        }
        const ringbufStatement = lowerRingbufStatement(this, stmt.expr, span);
        if (ringbufStatement) return [ringbufStatement];
        return [{ kind: "expr", expr: this.expr(stmt.expr), span }];
      }
      case "IfStmt": {
        const elseBranch = stmt.else === undefined ? undefined
          : stmt.else.kind === "Block" ? this.block(stmt.else.statements) : this.statement(stmt.else);
        const pointerBinding = stmt.binding &&
          lowerPointerBinding(this, stmt, this.semantics.declarations.get(stmt), () => this.block(stmt.then.statements), elseBranch);
        if (pointerBinding) return [pointerBinding];
        if (stmt.binding) {
          const symbol = this.semantics.declarations.get(stmt);
          const condition = stmt.condition.kind === "ParenExpr" ? stmt.condition.expr : stmt.condition;
          if (!symbol || symbol.kind !== "entry" || condition.kind !== "IndexExpr") throw new InternalError("bad if-var");
          const map = this.mapName(condition.target);
          if (!map) throw new InternalError("if-var without map");
          const keyType = this.semantics.maps.find((m) => m.name === map)?.type.key;
          if (!keyType) throw new InternalError("if-var on unknown map");
          return [{
            kind: "ifMapEntry", binding: localIdentifier(symbol), map, key: this.expr(condition.index), keyType, valueType: symbol.type,
            then: this.block(stmt.then.statements), else: elseBranch, span,
          }];
        }
        return [{ kind: "if", condition: this.expr(stmt.condition), then: this.block(stmt.then.statements), else: elseBranch, span }];
      }
      case "WhileStmt":
        return [{ kind: "while", condition: this.expr(stmt.condition), body: this.block(stmt.body.statements), span }];
      case "ForRangeStmt": {
        const symbol = this.semantics.declarations.get(stmt);
        if (!symbol || symbol.kind !== "local") throw new InternalError("undeclared loop variable");
        return [{
          kind: "forRange", variable: localIdentifier(symbol), variableType: symbol.type,
          start: this.expr(stmt.start), end: this.expr(stmt.end), body: this.block(stmt.body.statements), span,
        }];
      }
      case "BreakStmt": return [{ kind: "break", span }];
      case "ContinueStmt": return [{ kind: "continue", span }];
      case "ReturnStmt": return [{ kind: "return", value: stmt.value ? this.expr(stmt.value) : undefined, span }];
      case "DeleteStmt": {
        const target = stmt.target;
        const map = target.kind === "IndexExpr" ? this.mapName(target.target) : undefined;
        if (!map || target.kind !== "IndexExpr") return [{ kind: "objectDelete", pointer: this.expr(target), span }];
        if (!map) throw new InternalError("delete of non-map");
        return [{ kind: "mapDelete", map, key: this.expr(target.index), span }];
      }
      case "BlockStmt": return this.block(stmt.block.statements);
      case "ForInStmt": case "ThrowStmt": case "TryStmt": case "DeferStmt": case "ErrorStmt":
        throw new InternalError(`${stmt.kind} reached lowering`);
    }
  }

  assignment(stmt: ast.AssignStmt): ir.IrStmt {
    const span = stmt.span;
    const op: ir.IrAssignOp = stmt.op === "=" ? "=" : (stmt.op.slice(0, -1) as ir.IrArithOp);
    const target = stmt.target;
    if (target.kind === "IndexExpr") {
      const map = this.mapName(target.target);
      if (map) {
        const key = this.expr(target.index);
        const value = this.expr(stmt.value);
        return op === "=" ? { kind: "mapUpdate", map, key, value, span } : { kind: "mapCompound", map, key, op, value, span };
      }
    }
    return { kind: "assign", target: this.place(target), op, value: this.expr(stmt.value), span };
  }

  place(target: ast.Expr): ir.IrPlace {
    switch (target.kind) {
      case "NameExpr": {
        const symbol = this.symbolOf(target);
        if (symbol.kind === "local") return { kind: "local", name: localIdentifier(symbol), type: symbol.type };
        if (symbol.kind === "entry") return { kind: "entry", name: localIdentifier(symbol), type: symbol.type };
        if (symbol.kind === "global") return { kind: "global", name: symbol.info.name, type: symbol.info.type };
        throw new InternalError("assignment to non-variable");
      }
      case "FieldExpr": {
        const base = this.expr(target.target);
        return { kind: "field", target: base, field: target.field.name, viaPointer: base.type.kind === "pointer", type: this.typeOf(target) };
      }
      case "IndexExpr":
        return { kind: "index", target: this.expr(target.target), index: this.expr(target.index), type: this.typeOf(target) };
      case "UnaryExpr":
        return { kind: "deref", pointer: this.expr(target.operand), type: this.typeOf(target) };
      default: throw new InternalError(`bad assignment target ${target.kind}`);
    }
  }

  expr(expr: ast.Expr): ir.IrExpr {
    const span = expr.span;
    switch (expr.kind) {
      case "IntLiteral": return { kind: "int", value: expr.value, text: expr.text, type: this.typeOf(expr), span };
      case "CharLiteral": return { kind: "int", value: BigInt(expr.value), text: String(expr.value), type: this.typeOf(expr), span };
      case "BoolLiteral": return { kind: "bool", value: expr.value, type: boolType, span };
      case "StringLiteral": return { kind: "string", value: expr.value, type: this.typeOf(expr), span };
      case "NullLiteral": return { kind: "null", type: this.semantics.exprTypes.get(expr) ?? u64, span };
      case "ParenExpr": return this.expr(expr.expr);
      case "NameExpr": {
        const symbol = this.symbolOf(expr);
        switch (symbol.kind) {
          case "local": return { kind: "local", name: localIdentifier(symbol), type: symbol.type, span };
          case "entry": return { kind: "entry", name: localIdentifier(symbol), type: symbol.type, span };
          case "global": return { kind: "global", name: symbol.info.name, type: symbol.info.type, span };
          case "constant":
            return symbol.inC
              ? { kind: "constant", name: symbol.name, value: symbol.value, type: symbol.type, span }
              : { kind: "int", value: symbol.value, text: symbol.value.toString(), type: symbol.type, span };
          case "function":
            return { kind: "programRef", name: symbol.info.name, type: this.typeOf(expr), span };
          case "map": throw new InternalError("map used as value reached lowering");
        }
      }
      case "BinaryExpr": {
        if ((expr.op === "==" || expr.op === "!=") && (expr.left.kind === "NullLiteral" || expr.right.kind === "NullLiteral")) {
          const other = expr.left.kind === "NullLiteral" ? expr.right : expr.left;
          const inner = other.kind === "ParenExpr" ? other.expr : other;
          if (inner.kind === "IndexExpr") {
            const map = this.mapName(inner.target);
            if (map) {
              const contains: ir.IrExpr = { kind: "mapContains", map, key: this.expr(inner.index), type: boolType, span };
              return expr.op === "!=" ? contains : { kind: "unary", op: "!", operand: contains, type: boolType, span };
            }
          }
        }
        return { kind: "binary", op: expr.op, left: this.expr(expr.left), right: this.expr(expr.right), type: this.typeOf(expr), span };
      }
      case "UnaryExpr": {
        const type = this.typeOf(expr);
        if (expr.op === "-" && expr.operand.kind === "IntLiteral") {
          return { kind: "int", value: -expr.operand.value, text: `-${expr.operand.text}`, type, span };
        }
        return { kind: "unary", op: expr.op, operand: this.expr(expr.operand), type, span };
      }
      case "CastExpr": return { kind: "cast", expr: this.expr(expr.expr), type: this.typeOf(expr), span };
      case "SizeofExpr": {
        const of = this.semantics.typeOperands.get(expr.type);
        if (!of) throw new InternalError("sizeof without type");
        return { kind: "sizeof", of, type: u64, span };
      }
      case "IndexExpr": {
        const map = this.mapName(expr.target);
        if (map) return { kind: "mapLookup", map, key: this.expr(expr.index), type: this.typeOf(expr), span };
        return { kind: "index", target: this.expr(expr.target), index: this.expr(expr.index), type: this.typeOf(expr), span };
      }
      case "FieldExpr": {
        const target = this.expr(expr.target);
        const type = this.typeOf(expr);
        const isContext = target.type.kind === "pointer" && target.type.target.kind === "struct" && target.type.target.origin === "kernel";
        if (isContext) return { kind: "contextField", context: target, field: expr.field.name, type, span };
        return { kind: "field", target, field: expr.field.name, viaPointer: target.type.kind === "pointer", type, span };
      }
      case "CallExpr": {
        const ringbufCall = lowerRingbufCall(this, expr);
        if (ringbufCall) return ringbufCall;
        if (expr.callee.kind !== "NameExpr") throw new InternalError("indirect call reached lowering");
        const args = expr.args.map((a) => this.expr(a));
        const symbol = this.semantics.references.get(expr.callee);
        const type = this.typeOf(expr);
        if (!symbol) {
          const name = expr.callee.name.name;
          if (name === "load" || name === "attach" || name === "detach") {
            const first = args[0];
            const program = first?.kind === "programRef" ? first.name : undefined;
            return { kind: "builtin", name, args, program, type, span };
          }
          throw new InternalError(`builtin ${name} reached lowering as an expression`);
        }
        if (symbol.kind !== "function") throw new InternalError("call of non-function");
        return { kind: "call", callee: symbol.info.name, args, type, span };
      }
      case "StructLiteral": {
        const type = this.typeOf(expr);
        const struct = type.kind === "struct" ? type.name : expr.typeName.name;
        return { kind: "structLiteral", struct, fields: expr.fields.map((f) => ({ name: f.name.name, value: this.expr(f.value) })), type, span };
      }
      case "ArrayLiteral":
        return { kind: "arrayLiteral", elements: expr.elements.map((e) => this.expr(e)), type: this.typeOf(expr), span };
      case "NewExpr": return lowerNew(this, expr);
      case "MatchExpr": case "ErrorExpr":
        throw new InternalError(`${expr.kind} reached lowering`);
    }
  }
}

/**
 * The C name of a local. Source names are kept: every KernelScript block becomes a C
 * block, so shadowing means the same in both languages.
 */
function localIdentifier(symbol: Extract<Symbol, { kind: "local" | "entry" }>): string {
  return symbol.name;
}

function lowerFunction(semantics: Semantics, info: FunctionInfo, body: ast.Block): ir.IrFunction {
  const lowering = new FunctionLowering(semantics);
  return {
    name: info.name,
    params: info.params.map((p) => ({ name: p.name, type: p.type })),
    returnType: info.returnType,
    body: lowering.block(body.statements),
    span: info.span,
  };
}
