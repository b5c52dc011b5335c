//! Loop callbacks nest as eBPF call frames: a callback loop inside a callback loop is a
//! call from one callback to the next. The kernel allows 8 frames per call chain (the
//! program's own frame included; helpers are inlined and take none), so at most 7
//! callback loops may nest. Deeper nesting is E0504 at the loop that would need frame 9.

import { isLoop, skipBody, walkStatements } from "../ir-walk.js";
import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as codegen from "../diagnostics/catalog/codegen.js";
import type * as ir from "../ir.js";
import { helpersReachingLoops, walkedFacts, type FunctionFactsTable } from "./function-facts.js";

const maxCallFrames = 8;

/** Where a statement is: how many call frames its chain has, whether inside a callback, which helpers are being walked. */
interface Place {
  readonly frames: number;
  readonly inCallback: boolean;
  readonly visiting: ReadonlySet<string>;
}

export function checkLoopFrames(module: ir.IrModule, diags: Diagnostics, facts: FunctionFactsTable): void {
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  // Without a loop on the way there is no callback frame and nothing to report: only
  // code that reaches a loop is walked.
  const reachingLoops = helpersReachingLoops(helpers, facts);
  const reported = new Set<ir.IrStmt>();
  // Helpers are inlined: their loops count in the caller's chain. Their own errors and
  // defers stay inside them (an error leaving one is the caller's hoisted call).
  const call = (callee: string, at: Place): void => {
    const helper = helpers.get(callee);
    if (helper && reachingLoops.has(helper.name) && !at.visiting.has(helper.name)) walk(helper.body, { frames: at.frames, inCallback: false, visiting: new Set([...at.visiting, helper.name]) });
  };
  const walk = (statements: readonly ir.IrStmt[], start: Place): void => walkStatements<Place>(statements, {
    statement: (s, at) => {
      // A callback is a function of its own: control transfers out of the loop's
      // function (errors, defers, tail calls) cannot be written from inside it yet.
      const transfer = s.kind === "throw" || s.kind === "try" || s.kind === "tryCall" || s.kind === "defer" || s.kind === "tailCall";
      if (at.inCallback && transfer) {
        const construct = s.kind === "tailCall" ? "tailCall" : s.kind === "defer" ? "defer" : "errorHandling";
        diags.report(codegen.notSupportedYet, s.span, { kind: "inLoopCallback", construct });
      }
      if (s.kind === "tryCall") call(s.callee, at);
    },
    expression: (e, at) => {
      if (e.kind === "call") call(e.callee, at);
    },
    body: (_body, owner, at) => {
      if (!isLoop(owner)) return at;
      const callback = owner.lowering.kind === "callback";
      const frames = callback ? at.frames + 1 : at.frames;
      if (frames > maxCallFrames) {
        if (!reported.has(owner)) {
          reported.add(owner);
          diags.report(codegen.loopNestingTooDeep, owner.span, frames - 1);
        }
        return skipBody;
      }
      return { frames, inCallback: at.inCallback || callback, visiting: at.visiting };
    },
  }, start);
  for (const program of module.programs) {
    const own = walkedFacts(facts, program);
    if (!own.hasLoop && ![...own.callees].some((callee) => reachingLoops.has(callee))) continue;
    walk(program.body, { frames: 1, inCallback: false, visiting: new Set([program.name]) });
  }
}
