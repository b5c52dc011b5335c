//! The language service: editor features as pure functions over the core's results,
//! shared by the language server (src/lsp/) and the browser playground. Positions are
//! offsets into a file's text (UTF-16 code units, as LSP counts them by default).

export { analyzeFile, OffsetMap, type Analysis } from "./analysis.js";
export type { Occurrence, OccurrenceIndex, Referent } from "./occurrences.js";
export { DocumentView, hover, definition, references, prepareRename, rename, type HoverAnswer, type RenameAnswer } from "./queries.js";
export { complete, type CompletionItem, type CompletionKind } from "./completion.js";
export {
  documentSymbols, semanticTokens, semanticTokenTypes, semanticTokenModifiers,
  type OutlineSymbol, type OutlineKind, type SemanticToken, type SemanticTokenType, type SemanticTokenModifier,
} from "./outline.js";
