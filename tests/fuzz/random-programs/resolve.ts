//! Fills in the self-checks of a generated program from what the oracle saw: a check
//! that always saw one value compares against it; one that saw several (inside a loop,
//! or a helper called with different arguments) folds its value into the program's
//! hash, which is checked once at the end; one that never ran keeps an arbitrary
//! expected value, and the branch it sits in is marked unreachable (reaching it fails).

import * as I from "./integers.js";
import { interpret, OracleError } from "./interpret.js";
import type { Expr, Program, Stmt, Ty } from "./model.js";
import { scaffoldNames } from "./model.js";
import { intTy, sameValue, zeroValue } from "./model.js";
import { exprType } from "./types-of.js";

/** The packet BPF_PROG_TEST_RUN gives every program (prog-run's default frame). */
export const PACKET_LENGTH = 64n;

export function resolveChecks(program: Program): void {
  const hash = { name: scaffoldNames(program.prefix).hash, type: intTy(I.u64), global: true };
  let run = interpret(program, { packetLength: PACKET_LENGTH });
  // First pass: remove markers of branches that run; fold checks that vary into the hash.
  const rewrite = (stmts: Stmt[], foldInto: "hash" | "sink"): void => {
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i]!;
      if (s.k === "unreachable" && run.reached.has(s.id)) {
        stmts.splice(i--, 1);
        continue;
      }
      if (s.k === "check") {
        const seen = run.observations.get(s.id);
        if (!seen) {
          s.dead = true;
          s.expected = zeroValue(exprType(s.value));
        } else if (seen.values.length === 1) {
          s.expected = seen.values[0]!;
        } else {
          stmts[i] = foldInto === "hash" ? hashUpdate(hash, s.value) : sink(s);
        }
      }
      for (const body of childBodies(s)) rewrite(body, foldInto);
    }
  };
  rewrite(program.body, "hash");
  // Helpers with effects are called only as whole statements, in a known order; pure
  // ones may sit in any expression, where C leaves the order open: no hash there.
  for (const h of program.helpers) rewrite(h.body, h.effects ? "hash" : "sink");

  // Later passes: checks that read the hash see its final value; nothing else may move.
  for (let pass = 0; ; pass++) {
    run = interpret(program, { packetLength: PACKET_LENGTH });
    let changed = false;
    const verify = (stmts: readonly Stmt[]): void => {
      for (const s of stmts) {
        if (s.k === "unreachable" && run.reached.has(s.id)) throw new OracleError(`marker ${s.id} reached after resolution`);
        if (s.k === "check" && !s.dead) {
          const seen = run.observations.get(s.id);
          if (!seen || seen.values.length !== 1) throw new OracleError(`check ${s.id} (${s.note}) changed after resolution`);
          if (!sameValue(seen.values[0]!, s.expected!)) {
            s.expected = seen.values[0]!;
            changed = true;
          }
        }
        for (const body of childBodies(s)) verify(body);
      }
    };
    verify(program.body);
    program.helpers.forEach((h) => verify(h.body));
    if (!changed) return;
    if (pass > 3) throw new OracleError("checks do not settle");
  }
}

/** `hash = hash * 31 + (value as u64)` (a string contributes its first byte). */
function hashUpdate(hash: { name: string; type: Ty; global: boolean }, value: Expr): Stmt {
  const t = exprType(value);
  const scalar: Expr = t.k === "str" ? { k: "index", target: value, index: { k: "int", t: I.u32, v: 0n, typed: false }, type: { k: "char" } } : value;
  const hashVar: Expr = { k: "var", ref: hash };
  return {
    k: "assign",
    place: { k: "var", ref: hash },
    op: "=",
    value: {
      k: "arith", op: "+", t: I.u64,
      l: { k: "arith", op: "*", t: I.u64, l: hashVar, r: { k: "int", t: I.u64, v: 31n, typed: false } },
      r: { k: "cast", e: scalar, to: intTy(I.u64) },
    },
  };
}

/** `let _cN = value`: keeps the read (no unused-variable warning) without an effect. */
function sink(s: Stmt & { k: "check" }): Stmt {
  return { k: "decl", name: `_c${s.id}`, type: exprType(s.value), init: s.value, annotate: false, constant: true };
}

export function childBodies(s: Stmt): Stmt[][] {
  switch (s.k) {
    case "if": return s.else ? [s.then, s.else] : [s.then];
    case "for": case "while": return [s.body];
    case "match": return s.arms.map((a) => a.body);
    case "ifEntry": return s.else ? [s.then, s.else] : [s.then];
    default: return [];
  }
}

/** The first check that ran with an integer or bool expected value, in program order. */
export function firstLiveCheck(program: Program): (Stmt & { k: "check" }) | undefined {
  const search = (stmts: readonly Stmt[]): (Stmt & { k: "check" }) | undefined => {
    for (const s of stmts) {
      if (s.k === "check" && !s.dead && (typeof s.expected === "bigint" || typeof s.expected === "boolean")) return s;
      for (const body of childBodies(s)) {
        const found = search(body);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(program.body);
}

/**
 * Makes `check` expect one more than the right value (negated for a bool), still a value
 * of the check's type (otherwise the compiler would refuse the program): the program must
 * then fail naming that check. Returns the right value.
 */
export function expectOneOff(check: Stmt & { k: "check" }): bigint | boolean {
  const right = check.expected!;
  const t = exprType(check.value);
  check.expected = typeof right === "boolean" ? !right
    : t.k === "int" ? I.wrap((right as bigint) + 1n, t.t) : ((right as bigint) + 1n) & 0xffn;
  return right as bigint | boolean;
}
