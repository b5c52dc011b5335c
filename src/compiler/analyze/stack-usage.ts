//! The 512-byte eBPF stack: the locals of a program plus, because helpers are inlined,
//! those of every helper it calls (transitively). Over the limit is E0402, with the
//! largest variables named so the user knows what to move into a per-CPU map.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as safety from "../diagnostics/catalog/safety.js";
import type * as ir from "../ir.js";
import { sizeOf, type TypeTables } from "../types.js";

const stackLimit = 512;

interface Variable {
  readonly name: string;
  readonly bytes: number;
}

export function checkStackUsage(module: ir.IrModule, diags: Diagnostics): void {
  const tables: TypeTables = {
    structs: new Map(module.structs.map((s) => [s.name, s])),
    enums: new Map(module.enums.map((e) => [e.name, e])),
  };
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  const variablesOf = (fn: ir.IrFunction, visiting: Set<string>): Variable[] => {
    // Parameters arrive in registers; only locals take stack.
    const own: Variable[] = [];
    const calls = new Set<string>();
    collect(fn.body, own, calls, tables);
    for (const callee of calls) {
      const helper = helpers.get(callee);
      if (!helper || visiting.has(callee)) continue;
      visiting.add(callee);
      own.push(...variablesOf(helper, visiting).map((v) => ({ name: `${callee}::${v.name}`, bytes: v.bytes })));
      visiting.delete(callee);
    }
    return own;
  };
  for (const program of module.programs) {
    const variables = variablesOf(program, new Set([program.name]));
    const total = variables.reduce((sum, v) => sum + v.bytes, 0);
    if (total > stackLimit) {
      const largest = [...variables].sort((a, b) => b.bytes - a.bytes).slice(0, 4)
        .map((v) => `\`${v.name}\` ${v.bytes} B`).join(", ");
      diags.report(safety.stackLimitExceeded, program.span, program.name, total, largest);
    }
  }
}

function collect(statements: readonly ir.IrStmt[], out: Variable[], calls: Set<string>, tables: TypeTables): void {
  const visitExpr = (e: ir.IrExpr | undefined): void => {
    if (!e) return;
    if (e.kind === "call") calls.add(e.callee);
    for (const child of childExprs(e)) visitExpr(child);
  };
  for (const s of statements) {
    switch (s.kind) {
      case "declare": out.push({ name: s.name, bytes: sizeOf(s.type, tables) }); visitExpr(s.init); break;
      case "ifMapEntry":
        out.push({ name: `${s.binding} key`, bytes: sizeOf(s.keyType, tables) });
        visitExpr(s.key);
        collect(s.then, out, calls, tables);
        collect(s.else ?? [], out, calls, tables);
        break;
      case "if": visitExpr(s.condition); collect(s.then, out, calls, tables); collect(s.else ?? [], out, calls, tables); break;
      case "while": visitExpr(s.condition); collect(s.body, out, calls, tables); break;
      case "forRange": out.push({ name: s.variable, bytes: sizeOf(s.variableType, tables) }); collect(s.body, out, calls, tables); break;
      case "assign": case "mapUpdate": case "mapCompound": case "expr": case "return": case "print": case "mapDelete":
        for (const e of statementExprs(s)) visitExpr(e);
        break;
      case "ifPointer":
        out.push({ name: s.binding, bytes: 8 });
        visitExpr(s.value);
        collect(s.then, out, calls, tables);
        collect(s.else ?? [], out, calls, tables);
        break;
      case "ringbufRelease": visitExpr(s.record); break;
      case "objectDelete": visitExpr(s.pointer); break;
      case "break": case "continue": case "onEvent": break;
    }
  }
}

function statementExprs(s: ir.IrStmt): (ir.IrExpr | undefined)[] {
  switch (s.kind) {
    case "assign": return [s.value];
    case "mapUpdate": return [s.key, s.value];
    case "mapCompound": return [s.key, s.value];
    case "mapDelete": return [s.key];
    case "expr": return [s.expr];
    case "return": return [s.value];
    case "print": return [...s.args];
    default: return [];
  }
}

function childExprs(e: ir.IrExpr): ir.IrExpr[] {
  switch (e.kind) {
    case "binary": return [e.left, e.right];
    case "unary": return [e.operand];
    case "cast": return [e.expr];
    case "field": return [e.target];
    case "contextField": return [e.context];
    case "index": return [e.target, e.index];
    case "mapLookup": case "mapContains": return [e.key];
    case "call": case "builtin": return [...e.args];
    case "structLiteral": return e.fields.map((f) => f.value);
    case "arrayLiteral": return [...e.elements];
    default: return [];
  }
}
