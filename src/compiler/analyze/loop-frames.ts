//! Loop callbacks nest as eBPF call frames: a callback loop inside a callback loop is a
//! call from one callback to the next. The kernel allows 8 frames per call chain (the
//! program's own frame included; helpers are inlined and take none), so at most 7
//! callback loops may nest. Deeper nesting is E0504 at the loop that would need frame 9.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as codegen from "../diagnostics/catalog/codegen.js";
import type * as ir from "../ir.js";

const maxCallFrames = 8;

export function checkLoopFrames(module: ir.IrModule, diags: Diagnostics): void {
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  const reported = new Set<ir.IrStmt>();
  const walk = (statements: readonly ir.IrStmt[], frames: number, visiting: ReadonlySet<string>): void => {
    const calls = (e: ir.IrExpr | undefined): void => {
      if (!e) return;
      if (e.kind === "call") {
        const helper = helpers.get(e.callee);
        if (helper && !visiting.has(helper.name)) walk(helper.body, frames, new Set([...visiting, helper.name]));
      }
      for (const child of subExpressions(e)) calls(child);
    };
    for (const s of statements) {
      for (const e of statementExpressions(s)) calls(e);
      switch (s.kind) {
        case "if": case "ifMapEntry": walk(s.then, frames, visiting); walk(s.else ?? [], frames, visiting); break;
        case "while": case "forRange": case "forMap": {
          const inner = s.lowering.kind === "callback" ? frames + 1 : frames;
          if (inner > maxCallFrames && !reported.has(s)) {
            reported.add(s);
            diags.report(codegen.loopNestingTooDeep, s.span, inner - 1);
            break;
          }
          walk(s.body, inner, visiting);
          break;
        }
        default: break;
      }
    }
  };
  for (const program of module.programs) walk(program.body, 1, new Set([program.name]));
}

function statementExpressions(s: ir.IrStmt): (ir.IrExpr | undefined)[] {
  switch (s.kind) {
    case "declare": return [s.init];
    case "assign": return [s.value];
    case "mapUpdate": case "mapCompound": return [s.key, s.value];
    case "mapDelete": return [s.key];
    case "expr": return [s.expr];
    case "if": return [s.condition];
    case "ifMapEntry": return [s.key];
    case "while": return [s.condition];
    case "forRange": return [s.start, s.end];
    case "return": return [s.value];
    case "print": return [...s.args];
    case "forMap": case "break": case "continue": return [];
  }
}

function subExpressions(e: ir.IrExpr): ir.IrExpr[] {
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
