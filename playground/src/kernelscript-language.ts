// KernelScript highlighting for CodeMirror: a small stream tokenizer whose word lists are
// the compiler's own tables (the lexer's keywords, the primitive type names, the map
// kinds), so a keyword added to the language is coloured here without an edit.

import { StreamLanguage, type StreamParser } from "@codemirror/language";
import { KEYWORDS } from "../../src/compiler/parse/token.js";
import { primitiveTypes } from "../../src/compiler/types.js";
import { mapKindSpellings } from "../../src/compiler/kernel/map-kinds.js";

const literals = new Set(["true", "false", "null"]);
const keywords = new Set<string>(KEYWORDS.filter((k) => !literals.has(k)));
const typeNames = new Set<string>([...primitiveTypes.keys(), ...mapKindSpellings.keys()]);

interface State {
  /** Inside a `/* … *\/` comment that continues on the next line. */
  inBlockComment: boolean;
}

function skipBlockComment(stream: Parameters<StreamParser<State>["token"]>[0], state: State): string {
  while (!stream.eol()) {
    if (stream.match("*/")) {
      state.inBlockComment = false;
      return "comment";
    }
    stream.next();
  }
  return "comment";
}

const parser: StreamParser<State> = {
  name: "kernelscript",
  startState: () => ({ inBlockComment: false }),
  token(stream, state) {
    if (state.inBlockComment) return skipBlockComment(stream, state);
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("/*")) {
      state.inBlockComment = true;
      return skipBlockComment(stream, state);
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    if (stream.match(/^'(?:[^'\\]|\\.)*'?/)) return "string";
    if (stream.match(/^@[A-Za-z_]\w*/)) return "meta";
    if (stream.match(/^(?:0x[0-9a-fA-F_]+|0b[01_]+|\d[\d_]*(?:\.\d+)?)(?:[a-z]+)?/)) return "number";
    const word = stream.match(/^[A-Za-z_]\w*/) as RegExpMatchArray | null;
    if (word) {
      const text = word[0];
      if (keywords.has(text)) return "keyword";
      if (literals.has(text)) return "atom";
      if (typeNames.has(text) || /^[A-Z]/.test(text)) return "typeName";
      if (stream.match(/^\s*\(/, false)) return "variableName.function";
      return "variableName";
    }
    if (stream.match(/^(?:->|=>|[-+*/%&|^!<>=]=?|<<=?|>>=?|&&|\|\||[~?:])/)) return "operator";
    stream.next();
    return "punctuation";
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
};

export const kernelscript = StreamLanguage.define(parser);
