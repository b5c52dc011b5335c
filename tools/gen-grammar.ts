// Writes the TextMate grammar of KernelScript (editors/vscode/syntaxes/) from the
// compiler's own tables: the lexer's keywords, the primitive type names, the map kinds'
// spellings, the duration units and the print-format conversions. The rules around them
// (what a type annotation is, where a parameter list starts) are written here once.
//
//   node build/tools/gen-grammar.js      (after `make build`)
//
// tests/unit/grammar.test.ts fails when the committed files differ from what this writes,
// and tokenizes every example with the grammar.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KEYWORDS, type KeywordKind } from "../src/compiler/parse/token.js";
import { durationUnits } from "../src/compiler/parse/durations.js";
import { primitiveTypes } from "../src/compiler/types.js";
import { mapKindSpellings } from "../src/compiler/kernel/map-kinds.js";
import { formatConversionChars, formatFlagChars, formatLengthModifiers } from "../src/compiler/check/format-string.js";

export const grammarPath = "editors/vscode/syntaxes/kernelscript.tmLanguage.json";
export const markdownGrammarPath = "editors/vscode/syntaxes/kernelscript.markdown.tmLanguage.json";
export const scopeName = "source.kernelscript";

/**
 * The scope of every keyword of the lexer. A `Record` over the lexer's own union, so a
 * keyword added to `KEYWORDS` does not compile until it has a scope here.
 */
export const keywordScopes: Readonly<Record<KeywordKind, string>> = {
  fn: "storage.type.function",
  extern: "storage.modifier.extern",
  include: "keyword.control.import",
  import: "keyword.control.import",
  from: "keyword.control.import",
  pin: "storage.modifier",
  local: "storage.modifier",
  type: "storage.type.type",
  struct: "storage.type.struct",
  enum: "storage.type.enum",
  impl: "storage.type.impl",
  config: "storage.type.config",
  var: "storage.type",
  let: "storage.type",
  const: "storage.type",
  if: "keyword.control.conditional",
  else: "keyword.control.conditional",
  match: "keyword.control.conditional",
  default: "keyword.control.conditional",
  for: "keyword.control.loop",
  while: "keyword.control.loop",
  in: "keyword.control.loop",
  break: "keyword.control.flow",
  continue: "keyword.control.flow",
  return: "keyword.control.flow",
  try: "keyword.control.exception",
  catch: "keyword.control.exception",
  throw: "keyword.control.exception",
  defer: "keyword.control.defer",
  new: "keyword.operator.new",
  delete: "keyword.operator.delete",
  as: "keyword.operator.cast",
  sizeof: "keyword.operator.sizeof",
  true: "constant.language.boolean",
  false: "constant.language.boolean",
  null: "constant.language.null",
};

type Rule = Readonly<Record<string, unknown>>;

const ks = (scope: string): string => `${scope}.kernelscript`;
const include = (name: string): Rule => ({ include: `#${name}` });
/** `\b(?:a|b|c)\b` for words (every table here holds plain `\w+` words). */
const words = (list: Iterable<string>): string => {
  const all = [...new Set(list)];
  for (const word of all) if (!/^\w+$/.test(word)) throw new Error(`not a plain word: ${word}`);
  return `\\b(?:${all.join("|")})\\b`;
};
const charClass = (chars: string): string => `[${chars.replace(/[-\\\]^]/g, "\\$&")}]`;

const name = "[A-Za-z_][A-Za-z0-9_]*";
/** Where a type written after `:` ends: the value, the next item, the body, the line. */
const typeEnd = "(?=[=,;){}]|$)";

/** The keywords grouped by scope, in the lexer's order. */
function keywordRules(): Rule[] {
  const byScope = new Map<string, string[]>();
  for (const keyword of KEYWORDS) {
    const scope = keywordScopes[keyword];
    byScope.set(scope, [...(byScope.get(scope) ?? []), keyword]);
  }
  return [...byScope].map(([scope, list]) => ({ match: words(list), name: ks(scope) }));
}

function repository(): Record<string, Rule> {
  const units = Object.keys(durationUnits).sort((a, b) => b.length - a.length);
  const formatSpecifier = `%%|%${charClass(formatFlagChars)}*\\*?${charClass(formatFlagChars)}*${charClass(formatLengthModifiers)}*${charClass([...formatConversionChars].join(""))}`;
  return {
    comments: {
      patterns: [
        {
          name: ks("comment.block"),
          begin: "/\\*",
          end: "\\*/",
          beginCaptures: { 0: { name: ks("punctuation.definition.comment.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.comment.end") } },
        },
        {
          name: ks("comment.line.double-slash"),
          match: "(//).*$",
          captures: { 1: { name: ks("punctuation.definition.comment") } },
        },
      ],
    },
    strings: {
      patterns: [
        {
          // A raw line break is part of a string (the lexer keeps it), so it may span lines.
          name: ks("string.quoted.double"),
          begin: "\"",
          end: "\"",
          beginCaptures: { 0: { name: ks("punctuation.definition.string.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.string.end") } },
          patterns: [include("escapes"), { name: ks("constant.other.placeholder"), match: formatSpecifier }],
        },
        {
          // A character literal never spans lines (E0106 at the line's end).
          name: ks("string.quoted.single"),
          begin: "'",
          end: "'|$",
          beginCaptures: { 0: { name: ks("punctuation.definition.string.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.string.end") } },
          patterns: [include("escapes")],
        },
      ],
    },
    escapes: {
      patterns: [
        { name: ks("constant.character.escape"), match: "\\\\(?:[ntr\\\\'\"0]|x[0-9A-Fa-f]{2})" },
        { name: ks("invalid.illegal.unknown-escape"), match: "\\\\." },
      ],
    },
    numbers: {
      // `_` only between digits; `1.5` and `12ab` are errors (E0103), shown as such.
      patterns: [
        { name: ks("constant.numeric.hex"), match: "\\b0[xX][0-9A-Fa-f](?:_?[0-9A-Fa-f])*\\b(?!\\.[0-9])" },
        { name: ks("constant.numeric.octal"), match: "\\b0[oO][0-7](?:_?[0-7])*\\b(?!\\.[0-9])" },
        { name: ks("constant.numeric.binary"), match: "\\b0[bB][01](?:_?[01])*\\b(?!\\.[0-9])" },
        {
          name: ks("constant.numeric.duration"),
          match: `\\b[0-9](?:_?[0-9])*(${units.join("|")})\\b(?!\\.[0-9])`,
          captures: { 1: { name: ks("keyword.other.unit") } },
        },
        { name: ks("constant.numeric.decimal"), match: "\\b[0-9](?:_?[0-9])*\\b(?!\\.[0-9])" },
        { name: ks("invalid.illegal.numeric"), match: "\\b[0-9][A-Za-z0-9_]*(?:\\.[0-9][A-Za-z0-9_]*)?" },
      ],
    },
    keywords: { patterns: keywordRules() },
    attributes: {
      patterns: [
        {
          name: ks("meta.attribute"),
          begin: `(@)\\s*(${name})\\s*(\\()`,
          end: "\\)",
          beginCaptures: {
            1: { name: ks("punctuation.definition.attribute") },
            2: { name: ks("entity.name.function.decorator") },
            3: { name: ks("punctuation.definition.arguments.begin") },
          },
          endCaptures: { 0: { name: ks("punctuation.definition.arguments.end") } },
          patterns: [include("expression")],
        },
        {
          name: ks("meta.attribute"),
          match: `(@)\\s*(${name})`,
          captures: { 1: { name: ks("punctuation.definition.attribute") }, 2: { name: ks("entity.name.function.decorator") } },
        },
      ],
    },
    import: {
      match: `\\b(import)\\s+(${name})\\s+(from)\\b`,
      captures: {
        1: { name: ks(keywordScopes.import) },
        2: { name: ks("entity.name.namespace") },
        3: { name: ks(keywordScopes.from) },
      },
    },
    license: {
      // `license "GPL"` declares the licence; elsewhere `license` is an ordinary name.
      match: "^\\s*(license)\\b(?=\\s*\")",
      captures: { 1: { name: ks("keyword.other.license") } },
    },
    "function-declaration": {
      // `fn NAME(params) -> T` and `extern NAME(params) -> T`: the declaration owns its
      // return type, so `(p)->field` elsewhere is a field access, not a return type. It
      // ends at the body, or after `)` or the return type (a header's declaration).
      begin: `\\b(?:(fn)|(extern))\\s+(${name})\\s*(?=\\()`,
      end: "(?<=\\))(?!\\s*->)|(?=[{;])|$",
      beginCaptures: {
        1: { name: ks(keywordScopes.fn) },
        2: { name: ks(keywordScopes.extern) },
        3: { name: ks("entity.name.function") },
      },
      name: ks("meta.function"),
      patterns: [
        {
          begin: "\\(",
          end: "\\)",
          beginCaptures: { 0: { name: ks("punctuation.definition.parameters.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.parameters.end") } },
          name: ks("meta.function.parameters"),
          patterns: [include("comments"), include("parameter"), { name: ks("punctuation.separator.comma"), match: "," }],
        },
        include("return-type"),
      ],
    },
    parameter: {
      begin: `(${name})\\s*(:)`,
      end: "(?=[,)])",
      beginCaptures: { 1: { name: ks("variable.parameter") }, 2: { name: ks("punctuation.separator.type") } },
      patterns: [include("type")],
    },
    "return-type": {
      // `) -> T` and `) -> name: T` (a named result) of a declaration; in a function type
      // `->` is `type`'s.
      begin: "(?<=\\))\\s*(->)",
      end: "(?=[{;=]|$)",
      beginCaptures: { 1: { name: ks("keyword.operator.arrow") } },
      name: ks("meta.function.return-type"),
      patterns: [
        include("comments"),
        {
          match: `(${name})\\s*(:)`,
          captures: { 1: { name: ks("variable.other.readwrite") }, 2: { name: ks("punctuation.separator.type") } },
        },
        include("type"),
      ],
    },
    type: {
      patterns: [
        include("comments"),
        {
          // `fn(u32, x: u64) -> i32`
          begin: "\\b(fn)\\s*(\\()",
          end: "\\)",
          beginCaptures: { 1: { name: ks(keywordScopes.fn) }, 2: { name: ks("punctuation.definition.parameters.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.parameters.end") } },
          patterns: [include("parameter"), include("type"), { name: ks("punctuation.separator.comma"), match: "," }],
        },
        { name: ks("keyword.operator.arrow"), match: "->" },
        {
          // `str(16)`: a string of at most 15 bytes.
          begin: "\\b(str)\\s*(\\()",
          end: "\\)",
          beginCaptures: { 1: { name: ks("support.type.primitive") }, 2: { name: ks("punctuation.section.parens.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.parens.end") } },
          patterns: [include("expression")],
        },
        {
          // `[T; N]` and the size of `T[N]`.
          begin: "\\[",
          end: "\\]",
          beginCaptures: { 0: { name: ks("punctuation.section.brackets.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.brackets.end") } },
          patterns: [
            include("comments"),
            include("numbers"),
            include("constants"),
            { name: ks("punctuation.separator.array-size"), match: ";" },
            include("type"),
            include("operators"),
          ],
        },
        {
          // `hash<K, V>`
          begin: "<",
          end: ">",
          beginCaptures: { 0: { name: ks("punctuation.definition.type-arguments.begin") } },
          endCaptures: { 0: { name: ks("punctuation.definition.type-arguments.end") } },
          patterns: [include("type"), { name: ks("punctuation.separator.comma"), match: "," }],
        },
        {
          // A map's capacity: `hash<K, V>(1024)`, `stack_trace(256)`.
          begin: "\\(",
          end: "\\)",
          beginCaptures: { 0: { name: ks("punctuation.section.parens.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.parens.end") } },
          patterns: [include("expression")],
        },
        { name: ks("storage.modifier.pointer"), match: "\\*" },
        // Not a type, but shown as what it is (`a: 42` is E0112).
        include("numbers"),
        include("primitive-types"),
        include("map-kinds"),
        { name: ks("entity.name.type"), match: `\\b${name}\\b` },
      ],
    },
    "primitive-types": {
      patterns: [{ name: ks("support.type.primitive"), match: words(["str", ...primitiveTypes.keys()]) }],
    },
    "map-kinds": {
      patterns: [{ name: ks("support.type.map"), match: words(mapKindSpellings.keys()) }],
    },
    struct: {
      begin: `\\b(struct)\\s+(${name})`,
      end: "(?<=\\})|(?=;)",
      beginCaptures: { 1: { name: ks(keywordScopes.struct) }, 2: { name: ks("entity.name.type.struct") } },
      name: ks("meta.struct"),
      patterns: [include("comments"), { ...bracedItems([include("field-declaration")]) }],
    },
    config: {
      begin: `\\b(config)\\s+(${name})`,
      end: "(?<=\\})|(?=;)",
      beginCaptures: { 1: { name: ks(keywordScopes.config) }, 2: { name: ks("entity.name.type.config") } },
      name: ks("meta.config"),
      patterns: [include("comments"), { ...bracedItems([include("field-declaration"), include("initial-value")]) }],
    },
    enum: {
      begin: `\\b(enum)\\s+(${name})`,
      end: "(?<=\\})|(?=;)",
      beginCaptures: { 1: { name: ks(keywordScopes.enum) }, 2: { name: ks("entity.name.type.enum") } },
      name: ks("meta.enum"),
      patterns: [
        include("comments"),
        { ...bracedItems([include("initial-value"), { name: ks("variable.other.enummember"), match: `\\b${name}\\b` }]) },
      ],
    },
    impl: {
      // `impl NAME { field: value, fn op(…) {…} }` (struct_ops).
      begin: `\\b(impl)\\s+(${name})`,
      end: "(?<=\\})|(?=;)",
      beginCaptures: { 1: { name: ks(keywordScopes.impl) }, 2: { name: ks("entity.name.type.impl") } },
      name: ks("meta.impl"),
      patterns: [
        include("comments"),
        {
          ...bracedItems([
            include("attributes"),
            include("function-declaration"),
            include("block"),
            {
              begin: `\\b(${name})\\s*(:)`,
              end: "(?=[,;}]|$)",
              beginCaptures: { 1: { name: ks("variable.other.property") }, 2: { name: ks("punctuation.separator.colon") } },
              patterns: [include("expression")],
            },
          ]),
        },
      ],
    },
    "field-declaration": {
      begin: `\\b(${name})\\s*(:)`,
      end: typeEnd,
      beginCaptures: { 1: { name: ks("variable.other.property") }, 2: { name: ks("punctuation.separator.type") } },
      patterns: [include("type")],
    },
    "initial-value": {
      // `= value` of an enum constant or a config field.
      begin: "=",
      end: "(?=[,;}]|$)",
      beginCaptures: { 0: { name: ks("keyword.operator.assignment") } },
      patterns: [include("expression")],
    },
    "type-alias": {
      begin: `\\b(type)\\s+(${name})\\s*(=)`,
      end: "(?=;|$)",
      beginCaptures: {
        1: { name: ks(keywordScopes.type) },
        2: { name: ks("entity.name.type.alias") },
        3: { name: ks("keyword.operator.assignment") },
      },
      patterns: [include("type")],
    },
    "variable-declaration": {
      patterns: [
        {
          begin: `\\b(var|let|const)\\s+(${name})\\s*(:)`,
          end: typeEnd,
          beginCaptures: {
            1: { name: ks(keywordScopes.var) },
            2: { name: ks("variable.other.readwrite") },
            3: { name: ks("punctuation.separator.type") },
          },
          patterns: [include("type")],
        },
        {
          match: `\\b(var|let|const)\\s+(${name})`,
          captures: { 1: { name: ks(keywordScopes.var) }, 2: { name: ks("variable.other.readwrite") } },
        },
      ],
    },
    "type-operators": {
      patterns: [
        {
          // `x as *u8`, `new T(…)`: one type without `<…>` or `[N]` (those would compare or index).
          match: `\\b(?:(as)|(new))\\s+((?:\\*\\s*)*)(${name})`,
          captures: {
            1: { name: ks(keywordScopes.as) },
            2: { name: ks(keywordScopes.new) },
            3: { name: ks("storage.modifier.pointer") },
            4: { patterns: [include("primitive-types"), include("map-kinds"), { name: ks("entity.name.type"), match: ".+" }] },
          },
        },
        {
          begin: "\\b(sizeof)\\s*(\\()",
          end: "\\)",
          beginCaptures: { 1: { name: ks(keywordScopes.sizeof) }, 2: { name: ks("punctuation.section.parens.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.parens.end") } },
          patterns: [include("type")],
        },
      ],
    },
    "field-key": {
      // `{ packet: big }` in a struct literal; not `default:`, `TINY:` or `true:` arms of a match.
      match: `\\b(?!(?:default|true|false|null)\\b)(?![A-Z][A-Z0-9_]*\\b)(${name})\\s*(?=:)`,
      captures: { 1: { name: ks("variable.other.property") } },
    },
    calls: {
      patterns: [
        {
          match: `(?<!\\.)(\\.|->)\\s*(${name})\\s*(?=\\()`,
          captures: { 1: { name: ks("punctuation.accessor") }, 2: { name: ks("entity.name.function.member") } },
        },
        {
          match: `(?<!\\.)(\\.|->)\\s*(${name})`,
          captures: { 1: { name: ks("punctuation.accessor") }, 2: { name: ks("variable.other.property") } },
        },
        { match: `\\b(${name})\\s*(?=\\()`, captures: { 1: { name: ks("entity.name.function") } } },
      ],
    },
    constants: {
      // `XDP_PASS`, `ETH_P_IP`, user enum constants: upper-case names by convention.
      patterns: [{ name: ks("constant.other"), match: "\\b[A-Z][A-Z0-9_]*\\b" }],
    },
    operators: {
      // Longest spellings first. `*`/`&` directly before an operand, with no operand
      // before them, are a dereference / an address (`*p`, `&x`, `a * *p`).
      patterns: [
        { name: ks("keyword.operator.assignment.compound"), match: "<<=|>>=|\\+=|-=|\\*=|/=|%=|&=|\\|=|\\^=" },
        { name: ks("keyword.operator.comparison"), match: "==|!=|<=|>=" },
        { name: ks("keyword.operator.logical"), match: "&&|\\|\\||!" },
        { name: ks("keyword.operator.bitwise.shift"), match: "<<|>>" },
        { name: ks("keyword.operator.range"), match: "\\.\\." },
        { name: ks("keyword.operator.arrow"), match: "->" },
        { name: ks("keyword.operator.comparison"), match: "<|>" },
        { name: ks("keyword.operator.assignment"), match: "=" },
        { name: ks("keyword.operator.dereference"), match: "(?<![A-Za-z0-9_)\\]'\"])\\*(?=[A-Za-z_(*])" },
        { name: ks("keyword.operator.address-of"), match: "(?<![A-Za-z0-9_)\\]'\"])&(?=[A-Za-z_(])" },
        { name: ks("keyword.operator.arithmetic"), match: "[-+*/%]" },
        { name: ks("keyword.operator.bitwise"), match: "[&|^~]" },
      ],
    },
    punctuation: {
      patterns: [
        { name: ks("punctuation.separator.comma"), match: "," },
        { name: ks("punctuation.terminator.statement"), match: ";" },
        { name: ks("punctuation.separator.colon"), match: ":" },
        { name: ks("punctuation.accessor"), match: "\\." },
      ],
    },
    groups: {
      // Brackets nest, so a `,` inside them does not end a config default or an impl field.
      patterns: [
        {
          begin: "\\(",
          end: "\\)",
          beginCaptures: { 0: { name: ks("punctuation.section.parens.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.parens.end") } },
          patterns: [{ include: "$self" }],
        },
        {
          begin: "\\[",
          end: "\\]",
          beginCaptures: { 0: { name: ks("punctuation.section.brackets.begin") } },
          endCaptures: { 0: { name: ks("punctuation.section.brackets.end") } },
          patterns: [{ include: "$self" }],
        },
      ],
    },
    block: {
      begin: "\\{",
      end: "\\}",
      beginCaptures: { 0: { name: ks("punctuation.section.block.begin") } },
      endCaptures: { 0: { name: ks("punctuation.section.block.end") } },
      patterns: [{ include: "$self" }],
    },
    expression: {
      // Order matters where two rules match at the same place: the first one wins.
      patterns: [
        include("comments"),
        include("strings"),
        include("numbers"),
        include("type-operators"),
        include("variable-declaration"),
        include("field-key"),
        include("keywords"),
        include("calls"),
        include("constants"),
        include("primitive-types"),
        { name: ks("entity.name.type"), match: "\\b[A-Z][A-Za-z0-9_]*[a-z][A-Za-z0-9_]*\\b" },
        include("operators"),
        include("groups"),
        include("punctuation"),
        { name: ks("variable.other"), match: `\\b${name}\\b` },
      ],
    },
  };
}

/** `{ items }` of a struct, enum, config or impl: items separated by `,`, `;` or lines. */
function bracedItems(patterns: readonly Rule[]): Rule {
  return {
    begin: "\\{",
    end: "\\}",
    beginCaptures: { 0: { name: ks("punctuation.section.block.begin") } },
    endCaptures: { 0: { name: ks("punctuation.section.block.end") } },
    patterns: [
      include("comments"),
      ...patterns,
      { name: ks("punctuation.separator.comma"), match: "," },
      { name: ks("punctuation.terminator.statement"), match: ";" },
    ],
  };
}

/** The grammar of `.ks` and `.kh` files. */
export function kernelscriptGrammar(): Rule {
  return {
    $schema: "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
    name: "KernelScript",
    scopeName,
    fileTypes: ["ks", "kh"],
    comment: "Generated by tools/gen-grammar.ts from the compiler's tables; do not edit.",
    patterns: [
      include("comments"),
      include("attributes"),
      include("import"),
      include("license"),
      include("struct"),
      include("enum"),
      include("config"),
      include("impl"),
      include("type-alias"),
      include("function-declaration"),
      include("block"),
      include("expression"),
    ],
    repository: repository(),
  };
}

/** Highlights ```ks and ```kernelscript fenced blocks in Markdown (the docs use them). */
export function markdownInjectionGrammar(): Rule {
  return {
    comment: "Generated by tools/gen-grammar.ts; do not edit.",
    scopeName: "markdown.kernelscript.codeblock",
    injectionSelector: "L:text.html.markdown",
    patterns: [include("fenced-code-block")],
    repository: {
      "fenced-code-block": {
        begin: "(^|\\G)(\\s*)(`{3,}|~{3,})\\s*(?i:(ks|kernelscript)(?:\\s[^`~]*)?$)",
        end: "(^|\\G)(\\2|\\s{0,3})(\\3)\\s*$",
        name: "markup.fenced_code.block.markdown",
        beginCaptures: {
          3: { name: "punctuation.definition.markdown" },
          4: { name: "fenced_code.block.language.markdown" },
        },
        endCaptures: { 3: { name: "punctuation.definition.markdown" } },
        patterns: [
          {
            begin: "(^|\\G)(\\s*)(.*)",
            while: "(^|\\G)(?!\\s*([`~]{3,})\\s*$)",
            contentName: "meta.embedded.block.kernelscript",
            patterns: [{ include: scopeName }],
          },
        ],
      },
    },
  };
}

/** The generated files, path → text. */
export function grammarFiles(): ReadonlyMap<string, string> {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  return new Map([
    [grammarPath, json(kernelscriptGrammar())],
    [markdownGrammarPath, json(markdownInjectionGrammar())],
  ]);
}

function writeGrammars(): void {
  // build/tools/gen-grammar.js → the repository root.
  const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  for (const [path, text] of grammarFiles()) {
    const target = join(repoRoot, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) writeGrammars();
