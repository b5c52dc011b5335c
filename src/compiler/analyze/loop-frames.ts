//! Loop callbacks nest as eBPF call frames: a callback loop inside a callback loop is a
//! call from one callback to the next. The kernel allows 8 frames per call chain (the
//! program's own frame included; helpers are inlined and take none), so at most 7
//! callback loops may nest. Deeper nesting is E0504 at the loop that would need frame 9.

import { exprChildren, statementParts } from "../ir-walk.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as codegen from "../diagnostics/catalog/codegen.js";
import type * as ir from "../ir.js";

const maxCallFrames = 8;

export function checkLoopFrames(module: ir.IrModule, diags: Diagnostics): void {
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  const reported = new Set<ir.IrStmt>();
  const walk = (statements: readonly ir.IrStmt[], frames: number, visiting: ReadonlySet<string>, inCallback = false): void => {
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
      // A callback is a function of its own: control transfers out of the loop's
      // function (errors, defers, tail calls) cannot be written from inside it yet.
      const transfer = s.kind === "throw" || s.kind === "try" || s.kind === "tryCall" || s.kind === "defer" || s.kind === "tailCall";
      if (inCallback && transfer) {
        const what = s.kind === "tailCall" ? "a tail call" : s.kind === "defer" ? "`defer`" : "error handling (`throw`, `try`, or a call that may throw)";
        diags.report(codegen.notSupportedYet, s.span, `${what} inside a loop that becomes a \`bpf_loop()\` callback (a runtime or very large bound)`);
      }
      switch (s.kind) {
        case "if": case "ifMapEntry": case "ifPacketHeader": walk(s.then, frames, visiting, inCallback); walk(s.else ?? [], frames, visiting, inCallback); break;
        case "while": case "forRange": case "forMap": {
          const inner = s.lowering.kind === "callback" ? frames + 1 : frames;
          if (inner > maxCallFrames && !reported.has(s)) {
            reported.add(s);
            diags.report(codegen.loopNestingTooDeep, s.span, inner - 1);
            break;
          }
          walk(s.body, inner, visiting, inCallback || s.lowering.kind === "callback");
          break;
        }
        default:
          for (const b of statementParts(s).bodies) walk(b.statements, frames, visiting, inCallback);
          break;
      }
    }
  };
  for (const program of module.programs) walk(program.body, 1, new Set([program.name]));
}

function statementExpressions(s: ir.IrStmt): readonly ir.IrExpr[] {
  return statementParts(s).exprs;
}

function subExpressions(e: ir.IrExpr): readonly ir.IrExpr[] {
  return exprChildren(e);
}
