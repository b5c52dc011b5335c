// What the random self-checking programs (tests/fuzz/random-programs) contain, counted
// over a batch of generated programs: every integer width and signedness in arithmetic,
// shifts, comparisons and casts; division and remainder; nested control flow (if/else,
// else-if chains, match statements and values); loops of each kind with known trip
// counts; structs, arrays, strings; maps of every kind written and read back by checks.
// A construct the generator stopped writing fails here, so coverage cannot shrink unseen.

import { test } from "node:test";
import assert from "node:assert/strict";
import { generateProgram } from "../fuzz/random-programs/generate.js";
import { forEachSubExpr } from "../fuzz/random-programs/generate-expr.js";
import { intName } from "../fuzz/random-programs/integers.js";
import type { Expr, Program, Stmt, Ty } from "../fuzz/random-programs/model.js";
import { childBodies } from "../fuzz/random-programs/resolve.js";

const PROGRAMS = 200;
const FIRST_SEED = 7000;

function tyName(t: Ty): string {
  return t.k === "int" ? intName(t.t) : t.k;
}

/** Counts of named constructs over programs. */
function census(programs: readonly Program[]): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (name: string): void => void counts.set(name, (counts.get(name) ?? 0) + 1);
  const expr = (e: Expr, inCheck: boolean): void => {
    count(`expr ${e.k}`);
    switch (e.k) {
      case "arith": count(`arith ${e.op}`); count(`arith ${intName(e.t)}`); break;
      case "shift": count(`shift ${e.op}`); count(`shift ${intName(e.t)}`); break;
      case "compare": count(`compare ${e.op}`); count(`compare ${e.t === "bool" ? "bool" : intName(e.t)}`); break;
      case "cast": count(`cast to ${tyName(e.to)}`); break;
      case "neg": count(`neg ${intName(e.t)}`); break;
      case "compl": count(`compl ${intName(e.t)}`); break;
      case "mapGet": case "mapHas": if (inCheck) count(`check reads map ${e.map.kind}`); break;
      case "index":
        count(`index into ${e.target.k === "str" || tyName(e.type) === "char" ? "string" : "array"}`);
        if (e.index.k === "arith" && e.index.op === "%") count("index by a remainder");
        break;
      default: break;
    }
    forEachSubExpr(e, (x) => expr(x, inCheck));
  };
  const stmts = (list: readonly Stmt[], depth: number): void => {
    for (const s of list) {
      count(`stmt ${s.k}`);
      if (depth >= 2 && (s.k === "if" || s.k === "for" || s.k === "while" || s.k === "match" || s.k === "ifEntry")) count("control flow nested 3 deep");
      switch (s.k) {
        case "decl": count(`decl ${tyName(s.type)}`); expr(s.init, false); break;
        case "assign": count(`assign ${s.op}`); expr(s.value, false); break;
        case "if":
          expr(s.cond, false);
          if (s.else) count(s.else.length === 1 && s.else[0]!.k === "if" ? "else if" : "else");
          break;
        case "for": {
          const runtime = s.end.k !== "int";
          count(runtime ? "for with a run-time bound" : "for with a constant bound");
          expr(s.start, false);
          expr(s.end, false);
          break;
        }
        case "match": count(s.arms.some((a) => a.pattern === undefined) ? "match with default" : "match without default"); expr(s.scrutinee, false); break;
        case "mapSet": count(`map write ${s.map.kind}`); expr(s.key, false); expr(s.value, false); break;
        case "mapOp": count(`map ${s.op}`); expr(s.key, false); expr(s.value, false); break;
        case "mapField": count(`map field ${s.op}`); expr(s.key, false); expr(s.value, false); break;
        case "mapDelete": expr(s.key, false); break;
        case "ifEntry": expr(s.key, false); break;
        case "check": count(`check of ${s.dead ? "dead code" : "a value"}`); expr(s.value, true); break;
        case "return": if (s.value) expr(s.value, false); break;
        case "call": expr(s.call, false); break;
        default: break;
      }
      for (const body of childBodies(s)) stmts(body, depth + 1);
    }
  };
  for (const p of programs) {
    count(`structs ${Math.min(p.structs.length, 1)}`);
    for (const m of p.maps) count(`map kind ${m.kind}`);
    for (const m of p.maps) count(`map value ${tyName(m.value)}`);
    stmts(p.body, 0);
    for (const h of p.helpers) stmts(h.body, 1);
  }
  return counts;
}

test(`random programs: ${PROGRAMS} generated programs cover every construct the generator promises`, () => {
  const programs = Array.from({ length: PROGRAMS }, (_, i) => generateProgram(FIRST_SEED + i, "p0_"));
  const counts = census(programs);
  const widths = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];
  const expected = [
    ...widths.flatMap((w) => [`arith ${w}`, `shift ${w}`, `compare ${w}`, `cast to ${w}`, `compl ${w}`, `decl ${w}`]),
    ...["i8", "i16", "i32", "i64"].map((w) => `neg ${w}`),
    ...["+", "-", "*", "/", "%", "&", "|", "^"].map((op) => `arith ${op}`),
    "shift <<", "shift >>",
    ...["==", "!=", "<", "<=", ">", ">="].map((op) => `compare ${op}`), "compare bool",
    "cast to bool", "cast to char", "expr logic", "expr not",
    ...["+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="].map((op) => `assign ${op}`),
    "stmt if", "else", "else if", "stmt match", "match with default", "match without default", "expr match",
    "for with a constant bound", "stmt while", "stmt break", "stmt continue", "stmt return",
    "control flow nested 3 deep",
    "structs 1", "decl struct", "expr structLit", "expr field",
    "decl array", "expr arrayLit", "index into array",
    "decl str", "expr str", "expr concat", "expr strEq", "index into string", "decl char", "decl bool",
    ...["hash", "array", "percpu_hash", "percpu_array", "lru_hash"].flatMap((k) => [`map kind ${k}`, `map write ${k}`, `check reads map ${k}`]),
    "map value struct", "map +=", "map -=", "map field =", "map field +=", "stmt mapDelete", "stmt ifEntry", "expr mapHas",
    "expr call", "stmt call", "expr packetLength",
    "check of a value", "stmt unreachable",
  ];
  const missing = expected.filter((name) => !counts.get(name));
  assert.deepEqual(missing, [], `constructs no program of seeds ${FIRST_SEED}..${FIRST_SEED + PROGRAMS - 1} contains`);
  // Every construct is on by default: loops with a run-time bound (bpf_loop() callbacks)
  // and run-time array indexes of any form (`k % 5` as well as masks).
  assert.ok((counts.get("for with a run-time bound") ?? 0) > 0, "run-time bounds");
  assert.ok((counts.get("index by a remainder") ?? 0) > 0, "`k % N` indexes");
  // Most values are checked where they are computed: on average dozens of checks per program.
  const checks = counts.get("check of a value")!;
  assert.ok(checks / PROGRAMS >= 20, `${checks} checks in ${PROGRAMS} programs`);
});
