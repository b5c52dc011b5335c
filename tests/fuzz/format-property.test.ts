// Properties of the formatter on programs nobody wrote by hand: whatever parses is
// formatted (the core's own check found the same tree and the same comments: never an
// internal error), formatting again changes nothing, and a file that does not parse is
// reported, not formatted. Three sources of programs: random layout (white space, line
// breaks and comments) put between the tokens of real files; the core fuzzer's token and
// byte mutations of real files; expressions generated from the grammar, with and without
// parentheses, in a function body.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatSource } from "../../src/compiler/index.js";
import { lex } from "../../src/compiler/parse/lexer.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { makeSourceFile } from "../../src/compiler/source.js";
import { loadSeeds, makeInput } from "./core-fuzzer.js";

const seeds = loadSeeds();
const parsedSeeds = seeds.filter((seed) => formatSource(seed.path, seed.text).kind === "formatted");

/** How many inputs of the current property were formatted (the rest had syntax errors). */
let formattedCount = 0;

/** The property: formatted (or refused for syntax errors), and a fixed point after one pass. */
function formatsStably(path: string, text: string): void {
  const result = formatSource(path, text);
  if (result.kind === "formatted") formattedCount++;
  assert.notEqual(result.kind, "internalError", result.kind === "internalError" ? `${result.message}\n--- input ---\n${text}` : "");
  if (result.kind !== "formatted") return;
  const again = formatSource(path, result.text);
  assert.equal(again.kind, "formatted");
  if (again.kind === "formatted") assert.equal(again.text, result.text, `not idempotent; input:\n${text}`);
}

const gaps = ["", " ", "  ", "\t", "\n", "\n\n\n", "\r\n", "/* c */", " /* two\n lines */ ", "// c\n", "\n// own line\n", ";", ";\n"];

describe("format properties", () => {
  it("random layout between the tokens of real files", () => {
    formattedCount = 0;
    fc.assert(
      fc.property(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...gaps)), { minLength: 1, maxLength: 12 }),
        (seedIndex, edits) => {
          const seed = parsedSeeds[seedIndex % parsedSeeds.length]!;
          const tokens = lex(makeSourceFile(seed.path, seed.text), new Diagnostics());
          // Insert at token ends, from the last offset back so earlier offsets stay valid.
          const spots = edits.map(([at, gap]) => [tokens[at % tokens.length]!.span.end, gap] as const).sort((a, b) => b[0] - a[0]);
          let text = seed.text;
          for (const [offset, gap] of spots) text = text.slice(0, offset) + gap + text.slice(offset);
          formatsStably(seed.path, text);
        },
      ),
      { numRuns: 150, seed: 17 },
    );
    assert.ok(formattedCount > 30, `only ${formattedCount} of the inputs parsed: the property says little`);
  });

  it("the core fuzzer's mutations of real files", () => {
    formattedCount = 0;
    fc.assert(
      fc.property(fc.nat(), (index) => {
        const input = makeInput(seeds, 17, index);
        formatsStably(input.seed.path, input.text);
      }),
      { numRuns: 150, seed: 17 },
    );
    assert.ok(formattedCount > 30, `only ${formattedCount} of the inputs parsed: the property says little`);
  });

  const { expr } = fc.letrec<{ expr: string; atom: string }>((tie) => ({
    atom: fc.oneof(
      fc.constantFrom("x", "ctx", "0", "42", "0xFF", "1_000", "250ms", "'a'", '"s\\n"', "true", "null", "none", "XDP_PASS"),
      tie("expr").map((e) => `(${e})`),
    ),
    expr: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tie("atom"),
      fc.tuple(tie("expr"), fc.constantFrom("+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "&", "|", "^", "<<", ">>"), tie("expr")).map(([l, op, r]) => `${l} ${op} ${r}`),
      fc.tuple(fc.constantFrom("-", "!", "~", "*", "&"), tie("atom")).map(([op, e]) => `${op}${e}`),
      fc.tuple(tie("atom"), fc.array(tie("expr"), { maxLength: 4 })).map(([f, args]) => `${f}(${args.join(", ")})`),
      fc.tuple(tie("atom"), fc.constantFrom(".", "->"), fc.constantFrom("f", "data", "type")).map(([e, dot, name]) => `${e}${dot}${name}`),
      fc.tuple(tie("atom"), tie("expr")).map(([e, i]) => `${e}[${i}]`),
      fc.tuple(tie("atom"), fc.constantFrom("u32", "u8", "*u8", "i64")).map(([e, t]) => `${e} as ${t}`),
      fc.array(fc.tuple(fc.constantFrom("a", "b", "type"), tie("expr")), { maxLength: 3 }).map((fields) => `T { ${fields.map(([n, v]) => `${n}: ${v}`).join(", ")} }`),
      fc.array(tie("expr"), { maxLength: 4 }).map((elements) => `[${elements.join(", ")}]`),
      fc.tuple(tie("atom"), tie("expr")).map(([s, v]) => `match (${s}) {\n1: ${v},\ndefault: { return ${v} }\n}`),
    ),
  }));

  it("generated expressions, long and short, in statements and conditions", () => {
    formattedCount = 0;
    fc.assert(
      fc.property(expr, expr, (a, b) => {
        const text = `fn f(x: u32) -> i32 {\n    var v = ${a}\n    if (${b}) {\n        m[${a}] += ${b}\n    }\n    return ${b}\n}\n`;
        formatsStably("generated.ks", text);
      }),
      { numRuns: 300, seed: 17 },
    );
    assert.ok(formattedCount > 60, `only ${formattedCount} of the inputs parsed: the property says little`);
  });
});
