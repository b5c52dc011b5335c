//! `textDocument/formatting`: the whole document through the core's `formatSource`
//! (the same layout as `kernelscript fmt`), or why it cannot be formatted.

import { formatSource } from "../compiler/index.js";

export type FormattingAnswer =
  | { readonly kind: "formatted"; readonly text: string; readonly changed: boolean }
  | { readonly kind: "refused"; readonly reason: string };

export function formatDocument(path: string, text: string): FormattingAnswer {
  const result = formatSource(path, text);
  switch (result.kind) {
    case "formatted": return result;
    case "notParsed": {
      const first = result.diagnostics[0];
      return { kind: "refused", reason: `the file has syntax errors${first ? ` (${first.code}: ${first.message})` : ""}; it is formatted once it parses` };
    }
    case "internalError": return { kind: "refused", reason: result.message };
  }
}
