//! Hover, go to definition, references and rename over an `Analysis`, asked about the
//! text as it is now (`DocumentView`): offsets are translated to the analysed text and
//! the answers back, so a request right after a keystroke is answered from the last
//! analysis without waiting for a new check (positions inside the edit have no answer).

import type * as ast from "../ast.js";
import { forEachChild } from "../ast.js";
import type { Span } from "../source.js";
import { typeToString, primitiveTypes } from "../types.js";
import { isKeyword } from "../parse/token.js";
import { OffsetMap, type Analysis } from "./analysis.js";
import type { Occurrence } from "./occurrences.js";
import { describeReferent } from "./describe.js";

/** An analysis and the current text of its main file. */
export class DocumentView {
  private readonly offsets: OffsetMap;

  constructor(readonly analysis: Analysis, readonly text: string) {
    this.offsets = new OffsetMap(analysis.text, text);
  }

  /** Whether the analysis was made from exactly this text. */
  get fresh(): boolean {
    return this.offsets.unchanged;
  }

  get editStart(): number {
    return this.offsets.editStart;
  }

  /** The analysed offset of a current offset in `file` (other files are as analysed). */
  toAnalysed(file: string, offset: number): number | undefined {
    return file === this.analysis.path ? this.offsets.toOld(offset) : offset;
  }

  /** The current span of an analysed one; undefined when the edit touched it. */
  toCurrent(span: Span): Span | undefined {
    if (span.file !== this.analysis.path) return span;
    // The characters at both ends must have survived the edit (the end is exclusive).
    const start = this.offsets.toNew(span.start);
    const last = span.end > span.start ? this.offsets.toNew(span.end - 1) : start;
    const end = last === undefined ? undefined : span.end > span.start ? last + 1 : last;
    return start === undefined || end === undefined ? undefined : { file: span.file, start, end };
  }

  occurrenceAt(file: string, offset: number): Occurrence | undefined {
    const analysed = this.toAnalysed(file, offset);
    return analysed === undefined ? undefined : this.analysis.occurrences().at(file, analysed);
  }
}

export interface HoverAnswer {
  readonly span: Span;
  /** Markdown. */
  readonly contents: string;
}

export function hover(view: DocumentView, file: string, offset: number): HoverAnswer | undefined {
  const occurrence = view.occurrenceAt(file, offset);
  if (occurrence) {
    const contents = describeReferent(occurrence.referent, view.analysis.semantics);
    const span = view.toCurrent(occurrence.span);
    if (contents && span) return { span, contents };
  }
  // Not a name: the type of the innermost expression with one.
  const analysed = view.toAnalysed(file, offset);
  const semantics = view.analysis.semantics;
  const tree = view.analysis.trees.get(file);
  if (analysed === undefined || !semantics || !tree) return undefined;
  let typed: { expr: ast.Expr; text: string } | undefined;
  for (const node of nodesAt(tree, analysed)) {
    if (!("id" in node)) continue;
    const t = semantics.exprTypes.get(node as ast.Expr);
    if (t && t.kind !== "error") typed = { expr: node as ast.Expr, text: typeToString(t) };
  }
  const span = typed && view.toCurrent(typed.expr.span);
  return typed && span ? { span, contents: "```kernelscript\n" + typed.text + "\n```" } : undefined;
}

/** The nodes whose span contains `offset`, outermost first. */
export function nodesAt(tree: ast.SourceFileAst, offset: number): ast.Node[] {
  const path: ast.Node[] = [];
  let current: ast.Node | undefined = tree;
  while (current) {
    path.push(current);
    let next: ast.Node | undefined;
    forEachChild(current, (child) => {
      if (!next && child.span.start <= offset && offset <= child.span.end) next = child;
    });
    current = next;
  }
  return path;
}

/** Where what is named at `offset` is declared (nothing for built-in and kernel names). */
export function definition(view: DocumentView, file: string, offset: number): Span[] {
  const occurrence = view.occurrenceAt(file, offset);
  if (!occurrence) return [];
  // An include or import path: the file it names, when it was read.
  if (occurrence.referent.kind === "file") {
    return view.analysis.result.sources.has(occurrence.referent.path) ? [{ file: occurrence.referent.path, start: 0, end: 0 }] : [];
  }
  const declarations = view.analysis.occurrences().withKey(occurrence.key).filter((o) => o.declaration);
  return declarations.flatMap((o) => view.toCurrent(o.span) ?? []);
}

export function references(view: DocumentView, file: string, offset: number, includeDeclaration: boolean): Span[] {
  const occurrence = view.occurrenceAt(file, offset);
  if (!occurrence) return [];
  return view.analysis.occurrences().withKey(occurrence.key)
    .filter((o) => includeDeclaration || !o.declaration)
    .flatMap((o) => view.toCurrent(o.span) ?? []);
}

export type RenameAnswer =
  | { readonly kind: "edits"; readonly edits: readonly { readonly span: Span; readonly newText: string }[] }
  | { readonly kind: "refused"; readonly reason: string };

/** Where rename may start: the name's span, or why not. */
export function prepareRename(view: DocumentView, file: string, offset: number): { readonly span: Span; readonly placeholder: string } | { readonly kind: "refused"; readonly reason: string } {
  const occurrence = view.occurrenceAt(file, offset);
  const refusal = occurrence ? renameRefusal(view, occurrence) : "there is no name here";
  if (refusal || !occurrence) return { kind: "refused", reason: refusal ?? "there is no name here" };
  const span = view.toCurrent(occurrence.span);
  if (!span) return { kind: "refused", reason: "the file changed here since it was last checked" };
  return { span, placeholder: (view.analysis.result.sources.get(span.file)?.text ?? view.text).slice(occurrence.span.start, occurrence.span.end) };
}

export function rename(view: DocumentView, file: string, offset: number, newName: string): RenameAnswer {
  const occurrence = view.occurrenceAt(file, offset);
  if (!occurrence) return { kind: "refused", reason: "there is no name here" };
  const refusal = renameRefusal(view, occurrence);
  if (refusal) return { kind: "refused", reason: refusal };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName)) return { kind: "refused", reason: `\`${newName}\` is not an identifier` };
  if (isKeyword(newName)) return { kind: "refused", reason: `\`${newName}\` is a keyword` };
  if (primitiveTypes.has(newName)) return { kind: "refused", reason: `\`${newName}\` is a built-in type` };
  const edits: { span: Span; newText: string }[] = [];
  for (const o of view.analysis.occurrences().withKey(occurrence.key)) {
    const span = view.toCurrent(o.span);
    if (!span) return { kind: "refused", reason: "the file changed since it was last checked" };
    edits.push({ span, newText: newName });
  }
  return { kind: "edits", edits };
}

/** Why the thing named by `occurrence` cannot be renamed, or undefined when it can. */
function renameRefusal(view: DocumentView, occurrence: Occurrence): string | undefined {
  const referent = occurrence.referent;
  switch (referent.kind) {
    case "builtin": return `\`${referent.name}\` is built in, not declared in the program`;
    case "attribute": return "attributes name program types; they cannot be renamed";
    case "mapKind": return "map kinds are part of the language";
    case "mapMethod": return "map methods are part of the language";
    case "module": case "file": return "rename the file instead";
    case "field": if (referent.origin === "kernel") return `\`${referent.owner}\` is a kernel struct: its fields are the kernel's`; break;
    case "type": if (primitiveTypes.has(referent.name)) return `\`${referent.name}\` is a built-in type`; break;
    case "symbol": if (referent.symbol.kind === "constant" && !referent.symbol.span) return `\`${referent.symbol.name}\` is a built-in constant`; break;
    case "configField": case "declaredFunction": break;
  }
  const declarations = view.analysis.occurrences().withKey(occurrence.key).filter((o) => o.declaration);
  if (declarations.length === 0) return "it is not declared in the program (a kernel or built-in name)";
  if (referent.kind === "type" && view.analysis.semantics?.tables.structs.get(referent.name)?.origin === "kernel") {
    return `\`${referent.name}\` is a kernel struct`;
  }
  return undefined;
}
