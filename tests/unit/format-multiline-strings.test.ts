// The formatter around string literals that span lines (found by the format property
// test, tests/fuzz/format-property.test.ts): the line breaks inside such a string are
// part of its value and are kept as written (a lone `\r`, `\r\n`), and a block comment
// that starts on a line continuing such a string keeps its lines, so formatting twice
// gives what formatting once gave.

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatSource } from "../../src/compiler/index.js";

function formatted(text: string): string {
  const result = formatSource("strings.ks", text);
  assert.equal(result.kind, "formatted", result.kind === "formatted" ? "" : JSON.stringify(result));
  return result.kind === "formatted" ? result.text : "";
}

const program = (lineBreak: string): string => [
  "fn kept() -> i32 {",
  "    if (1 > 0) {",
  `        var s = "a${lineBreak}   b" /* c */ + 1 /* two`,
  " lines */ ",
  "        var t = 2",
  "    }",
  "    return 0",
  "}",
  "",
].join(lineBreak);

for (const [name, lineBreak] of [["\\n", "\n"], ["\\r\\n", "\r\n"], ["a lone \\r", "\r"]] as const) {
  test(`fmt: a string spanning lines with ${name} keeps its value, and formatting is stable`, () => {
    const once = formatted(program(lineBreak));
    assert.ok(once.includes(`"a${lineBreak}   b"`), `the string's line break is kept: ${JSON.stringify(once)}`);
    assert.ok(once.includes("/* two\n lines */\n"), `the comment's second line stays as written: ${JSON.stringify(once)}`);
    assert.equal(formatted(once), once, "formatting again changes nothing");
  });
}
