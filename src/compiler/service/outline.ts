//! The document's outline (symbols) and its semantic colouring (tokens). Both read the
//! current text: the outline from its recovered parse, the tokens from the lexer, with
//! names classified by the analysis (through `DocumentView`'s offset translation).

import type * as ast from "../ast.js";
import { makeSourceFile, type Span } from "../source.js";
import { parse } from "../parse/parser.js";
import { lex } from "../parse/lexer.js";
import { isKeyword } from "../parse/token.js";
import { Diagnostics } from "../diagnostics/diagnostic.js";
import { primitiveTypes } from "../types.js";
import { builtinNames } from "../check/builtin-calls.js";
import { mapKindSpellings } from "../kernel/map-kinds.js";
import type { DocumentView } from "./queries.js";
import type { Occurrence } from "./occurrences.js";

export type OutlineKind = "function" | "map" | "variable" | "struct" | "enum" | "field" | "enumMember" | "config" | "type" | "module" | "impl";

export interface OutlineSymbol {
  readonly name: string;
  readonly kind: OutlineKind;
  readonly detail: string;
  /** The whole declaration. */
  readonly span: Span;
  /** Its name. */
  readonly selection: Span;
  readonly children: readonly OutlineSymbol[];
}

/** The top-level declarations of `text` and their members. */
export function documentSymbols(path: string, text: string): OutlineSymbol[] {
  const tree = parse(makeSourceFile(path, text), new Diagnostics());
  return tree.decls.flatMap((decl) => symbolOf(decl));
}

function symbolOf(decl: ast.Decl): OutlineSymbol[] {
  const leaf = (name: ast.Ident, kind: OutlineKind, detail: string, span: Span, children: OutlineSymbol[] = []): OutlineSymbol[] =>
    [{ name: name.name, kind, detail, span, selection: name.span, children }];
  switch (decl.kind) {
    case "FunctionDecl": return leaf(decl.name, "function", decl.attributes.map((a) => `@${a.name.name}`).join(" "), decl.span);
    case "ExternDecl": return leaf(decl.name, "function", "extern", decl.span);
    case "GlobalVarDecl": {
      const isMap = decl.type?.kind === "GenericType" && mapKindSpellings.has(decl.type.name.name);
      return leaf(decl.name, isMap ? "map" : "variable", isMap && decl.type?.kind === "GenericType" ? decl.type.name.name : "", decl.span);
    }
    case "StructDecl":
      return leaf(decl.name, "struct", "", decl.span, decl.fields.flatMap((f) => leaf(f.name, "field", "", f.span)));
    case "EnumDecl":
      return leaf(decl.name, "enum", "", decl.span, decl.variants.flatMap((v) => leaf(v.name, "enumMember", "", v.span)));
    case "ConfigDecl":
      return leaf(decl.name, "config", "", decl.span, decl.fields.flatMap((f) => leaf(f.name, "field", "", f.span)));
    case "TypeAliasDecl": return leaf(decl.name, "type", "", decl.span);
    case "ImplDecl":
      return leaf(decl.name, "impl", decl.attributes.map((a) => `@${a.name.name}`).join(" "),
        decl.span, decl.items.flatMap((item) => item.kind === "FunctionDecl" ? leaf(item.name, "function", "", item.span) : leaf(item.name, "field", "", item.span)));
    case "ImportDecl": return leaf(decl.name, "module", decl.path.value, decl.span);
    case "IncludeDecl": case "LicenseDecl": case "ErrorDecl": return [];
  }
}

/** The standard LSP token types (no custom legend: editors colour them as they are). */
export const semanticTokenTypes = [
  "keyword", "type", "function", "variable", "parameter", "property", "enumMember", "macro", "string", "number", "comment", "operator", "namespace",
] as const;
export type SemanticTokenType = (typeof semanticTokenTypes)[number];
export const semanticTokenModifiers = ["declaration", "readonly", "defaultLibrary"] as const;
export type SemanticTokenModifier = (typeof semanticTokenModifiers)[number];

export interface SemanticToken {
  /** Offset in the current text; a token never spans lines. */
  readonly start: number;
  readonly length: number;
  readonly type: SemanticTokenType;
  readonly modifiers: readonly SemanticTokenModifier[];
}

const brackets = new Set(["{", "}", "(", ")", "[", "]", ",", ";", ":", ".", "->"]);

/** Tokens of the main file's current text, in order. */
export function semanticTokens(view: DocumentView): SemanticToken[] {
  const path = view.analysis.path;
  const tokens = lex(makeSourceFile(path, view.text), new Diagnostics());
  const params = parameterSpans(view.analysis.trees.get(path));
  const out: SemanticToken[] = [];
  const push = (start: number, end: number, type: SemanticTokenType, modifiers: readonly SemanticTokenModifier[] = []): void => {
    // One token per line: a block comment or a string over several lines is cut at each break.
    let from = start;
    for (let i = start; i < end; i++) {
      const c = view.text.charCodeAt(i);
      if (c === 10 || c === 13) {
        if (i > from) out.push({ start: from, length: i - from, type, modifiers });
        from = i + 1;
      }
    }
    if (end > from) out.push({ start: from, length: end - from, type, modifiers });
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    for (const comment of token.leadingComments) push(comment.span.start, comment.span.end, "comment");
    const { start, end } = token.span;
    switch (token.kind) {
      case "EOF": break;
      case "Int": push(start, end, "number"); break;
      case "String": case "Char": push(start, end, "string"); break;
      case "Ident": {
        if (tokens[i - 1]?.kind === "@") { push(tokens[i - 1]!.span.start, end, "macro"); break; }
        const occurrence = view.occurrenceAt(path, start);
        const classified = occurrence && occurrence.span.start === view.toAnalysed(path, start) ? classify(occurrence, params) : undefined;
        if (classified) push(start, end, classified.type, classified.modifiers);
        else if (primitiveTypes.has(token.text) || mapKindSpellings.has(token.text)) push(start, end, "type", ["defaultLibrary"]);
        else if (builtinNames.includes(token.text) && tokens[i + 1]?.kind === "(") push(start, end, "function", ["defaultLibrary"]);
        else push(start, end, "variable");
        break;
      }
      default:
        if (token.kind === "@") break;
        if (isKeyword(token.kind)) push(start, end, "keyword");
        else if (!brackets.has(token.kind)) push(start, end, "operator");
    }
  }
  return out;
}

function parameterSpans(tree: ast.SourceFileAst | undefined): Set<number> {
  const starts = new Set<number>();
  const visitFunction = (decl: ast.FunctionDecl): void => { for (const p of decl.params) starts.add(p.name.span.start); };
  for (const decl of tree?.decls ?? []) {
    if (decl.kind === "FunctionDecl") visitFunction(decl);
    if (decl.kind === "ImplDecl") for (const item of decl.items) if (item.kind === "FunctionDecl") visitFunction(item);
  }
  return starts;
}

function classify(occurrence: Occurrence, params: ReadonlySet<number>): { type: SemanticTokenType; modifiers: SemanticTokenModifier[] } | undefined {
  const modifiers: SemanticTokenModifier[] = occurrence.declaration ? ["declaration"] : [];
  const referent = occurrence.referent;
  switch (referent.kind) {
    case "symbol": {
      const symbol = referent.symbol;
      switch (symbol.kind) {
        case "local": case "entry": {
          if (symbol.kind === "local" && symbol.isConst) modifiers.push("readonly");
          return { type: params.has(symbol.span.start) ? "parameter" : "variable", modifiers };
        }
        case "global": return { type: "variable", modifiers };
        case "map": return { type: "namespace", modifiers };
        case "config": return { type: "namespace", modifiers };
        case "function": return { type: "function", modifiers };
        case "structOps": return { type: "type", modifiers };
        case "constant": return { type: "enumMember", modifiers: [...modifiers, "readonly", ...(symbol.span ? [] : ["defaultLibrary" as const])] };
      }
      break;
    }
    case "field": case "configField": return { type: "property", modifiers };
    case "type": return { type: "type", modifiers: primitiveTypes.has(referent.name) ? ["defaultLibrary"] : modifiers };
    case "mapMethod": return { type: "function", modifiers: ["defaultLibrary"] };
    case "mapKind": return { type: "type", modifiers: ["defaultLibrary"] };
    case "attribute": return { type: "macro", modifiers };
    case "builtin": return { type: "function", modifiers: ["defaultLibrary"] };
    case "module": return { type: "namespace", modifiers };
    case "declaredFunction": return { type: "function", modifiers };
    case "file": return undefined;
  }
  return undefined;
}
