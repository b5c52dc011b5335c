//! Completion: what may be written at the cursor. It works mid-edit, when the text does
//! not parse (`counts.`, `ctx->`): the receiver before the dot is read from the current
//! text, and its type from the last analysis, found by its position when the edit did
//! not touch it, else by its name in the enclosing function and the file's scope.

import type * as ast from "../ast.js";
import type { Host } from "../host.js";
import type { Semantics, Symbol } from "../check/semantics.js";
import { primitiveTypes, typeToString, type Type } from "../types.js";
import { KEYWORDS } from "../parse/token.js";
import { mapKinds, mapKindSpellings, mapOperations, mapExtraAttributes } from "../kernel/map-kinds.js";
import { programTypes, functionRoleAttributes } from "../kernel/program-types.js";
import { builtinNames } from "../check/builtin-calls.js";
import { aggregationAttributes } from "../check/aggregations.js";
import type { DocumentView } from "./queries.js";
import { nodesAt } from "./queries.js";
import { typeOfSymbol } from "./occurrences.js";

export type CompletionKind = "keyword" | "variable" | "function" | "field" | "method" | "struct" | "enumMember" | "module" | "constant" | "type" | "attribute" | "event";

export interface CompletionItem {
  readonly label: string;
  readonly kind: CompletionKind;
  /** A type or signature shown beside the label. */
  readonly detail?: string;
}

/** The completions at `offset` of the current text of `file`. */
export function complete(view: DocumentView, file: string, offset: number, host: Host): CompletionItem[] {
  const text = file === view.analysis.path ? view.text : (view.analysis.result.sources.get(file)?.text ?? "");
  const before = text.slice(Math.max(0, offset - 400), offset);
  const lineBefore = before.slice(before.lastIndexOf("\n") + 1);

  const attributeArgument = /@(\w+)\s*\(\s*"([^"]*)$/.exec(lineBefore);
  if (attributeArgument) return attributeTargets(attributeArgument[1]!, host);
  if (/@\w*$/.test(lineBefore)) return attributes();
  const literal = structLiteralFields(view, before);
  if (literal) return literal;
  const member = /([A-Za-z_]\w*(?:\s*(?:\.|->)\s*[A-Za-z_]\w*|\s*\[[^[\]]*\])*)\s*(?:\.|->)\s*\w*$/.exec(before);
  if (member) {
    const chainStart = offset - before.length + member.index;
    return members(view, file, chainStart, member[1]!);
  }
  return names(view, file, offset);
}

/**
 * `Flow { packets: 1, by|`: the fields of the struct not given yet. A name before `{` that
 * is a type annotation or a result type (`-> Flow {`) opens a body, not a literal.
 */
function structLiteralFields(view: DocumentView, before: string): CompletionItem[] | undefined {
  const match = /([A-Za-z_]\w*)\s*\{([^{}]*)$/.exec(before);
  if (!match || /(->|:|\b(?:struct|enum|config|impl|fn))\s*$/.test(before.slice(0, match.index))) return undefined;
  // Inside a field's value (`packets: 1 + x`), not at a field's name.
  const given = match[2]!;
  if (given.slice(given.lastIndexOf(",") + 1).includes(":")) return undefined;
  const layout = view.analysis.semantics?.tables.structs.get(match[1]!);
  if (!layout) return undefined;
  const named = new Set([...given.matchAll(/([A-Za-z_]\w*)\s*:/g)].map((m) => m[1]!));
  return layout.fields.filter((f) => !named.has(f.name)).map((f) => ({ label: f.name, kind: "field" as const, detail: typeToString(f.type) }));
}

function attributes(): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const info of programTypes) {
    if (info.attribute) items.push({ label: info.attribute, kind: "attribute", detail: `${info.label} program (${info.bpfProgType})` });
  }
  for (const name of functionRoleAttributes) items.push({ label: name, kind: "attribute", detail: "function kind" });
  for (const name of ["flags", ...mapExtraAttributes, ...aggregationAttributes]) items.push({ label: name, kind: "attribute", detail: "map attribute" });
  return unique(items);
}

/** `@tracepoint("` → the running kernel's tracepoints (through the Host: tracefs). */
function attributeTargets(attribute: string, host: Host): CompletionItem[] {
  if (attribute !== "tracepoint") {
    const info = programTypes.find((p) => p.attribute === attribute);
    return (info?.targetChoices ?? []).map((label) => ({ label, kind: "event" as const }));
  }
  return (host.readTracepoints?.() ?? []).map((label) => ({ label, kind: "event" as const, detail: "tracepoint" }));
}

/** The members of what the chain `a.b[i]->c` (before the last dot) is. */
function members(view: DocumentView, file: string, chainStart: number, chain: string): CompletionItem[] {
  const semantics = view.analysis.semantics;
  if (!semantics) return [];
  const root = /^[A-Za-z_]\w*/.exec(chain)![0];
  const steps = [...chain.slice(root.length).matchAll(/(?:\.|->)\s*([A-Za-z_]\w*)|\[[^[\]]*\]/g)].map((m) => m[1] ?? "[]");
  const symbol = rootSymbol(view, file, chainStart, root);
  if (!symbol) {
    const alias = moduleAlias(view, file, root);
    return alias === undefined ? [] : moduleFunctions(semantics, alias);
  }
  if (steps.length === 0 && symbol.kind === "config") {
    return symbol.info.fields.map((f) => ({ label: f.name, kind: "field" as const, detail: typeToString(f.type) }));
  }
  let type: Type | undefined = typeOfSymbol(symbol);
  for (const step of steps) type = type && stepType(semantics, type, step);
  return type ? membersOf(semantics, type) : [];
}

function stepType(semantics: Semantics, type: Type, step: string): Type | undefined {
  if (step === "[]") {
    if (type.kind === "map") return type.value;
    if (type.kind === "array") return type.element;
    if (type.kind === "pointer") return type.target;
    return undefined;
  }
  const target = type.kind === "pointer" ? type.target : type;
  if (target.kind !== "struct") return undefined;
  return semantics.tables.structs.get(target.name)?.fields.find((f) => f.name === step)?.type;
}

function membersOf(semantics: Semantics, type: Type): CompletionItem[] {
  if (type.kind === "map") {
    return [...mapKinds[type.mapKind].methods].map(([name, operation]) => ({
      label: name, kind: "method" as const, detail: `${mapOperations[operation].side === "both" ? "" : `${mapOperations[operation].side === "kernel" ? "eBPF" : "user space"} · `}${typeToString(type)}`,
    }));
  }
  const target = type.kind === "pointer" ? type.target : type;
  if (target.kind !== "struct") return [];
  const layout = semantics.tables.structs.get(target.name);
  return (layout?.fields ?? []).map((f) => ({ label: f.name, kind: "field" as const, detail: `${typeToString(f.type)}${layout?.origin === "kernel" ? ` (${target.name}, BTF)` : ""}` }));
}

/** The symbol a name at `start` of the current text means. */
function rootSymbol(view: DocumentView, file: string, start: number, name: string): Symbol | undefined {
  const occurrence = view.occurrenceAt(file, start);
  if (occurrence?.referent.kind === "symbol" && occurrence.span.start === view.toAnalysed(file, start)) return occurrence.referent.symbol;
  const semantics = view.analysis.semantics;
  if (!semantics) return undefined;
  const locals = visibleLocals(view, file, start);
  const local = locals.get(name);
  if (local) return local;
  return fileScope(semantics).get(name);
}

/** Locals and parameters of the function enclosing `offset`, declared before it (the last one of a name wins). */
function visibleLocals(view: DocumentView, file: string, offset: number): Map<string, Symbol> {
  const found = new Map<string, Symbol>();
  const semantics = view.analysis.semantics;
  const tree = view.analysis.trees.get(file);
  const at = view.toAnalysed(file, offset) ?? view.editStart;
  if (!semantics || !tree) return found;
  const fn = nodesAt(tree, at).find((n): n is ast.FunctionDecl => n.kind === "FunctionDecl");
  if (!fn) return found;
  const symbols = [...semantics.declarations.values()]
    .filter((s): s is Extract<Symbol, { kind: "local" | "entry" }> => (s.kind === "local" || s.kind === "entry") && s.span.file === file && s.span.start >= fn.span.start && s.span.start < at)
    .sort((a, b) => a.span.start - b.span.start);
  for (const symbol of symbols) found.set(symbol.name, symbol);
  return found;
}

/** Maps, globals, configs, functions and user enum constants by name. */
function fileScope(semantics: Semantics): Map<string, Symbol> {
  const scope = new Map<string, Symbol>();
  for (const info of semantics.functions) scope.set(info.name, { kind: "function", info });
  for (const info of semantics.configs) scope.set(info.name, { kind: "config", info });
  for (const info of semantics.globals) scope.set(info.name, { kind: "global", info });
  for (const info of semantics.maps) scope.set(info.name, { kind: "map", info });
  for (const layout of semantics.userEnums) {
    for (const c of layout.constants) scope.set(c.name, { kind: "constant", name: c.name, value: c.value, type: { kind: "enum", name: layout.name, origin: "user" }, inC: true, span: undefined });
  }
  return scope;
}

function moduleAlias(view: DocumentView, file: string, name: string): string | undefined {
  const tree = view.analysis.trees.get(file);
  const decl = tree?.decls.find((d): d is ast.ImportDecl => d.kind === "ImportDecl" && d.name.name === name);
  return decl?.path.value;
}

function moduleFunctions(semantics: Semantics, path: string): CompletionItem[] {
  const file = path.replace(/^\.\//, "");
  return semantics.functions
    .filter((f) => f.span.file.endsWith(file) && f.span.file !== semantics.sourcePath && f.decl.kind === "FunctionDecl")
    .map((f) => ({ label: f.decl.name.name, kind: "function" as const, detail: signature(f.params, f.returnType) }));
}

function signature(params: readonly { readonly name: string; readonly type: Type }[], result: Type): string {
  return `fn(${params.map((p) => `${p.name}: ${typeToString(p.type)}`).join(", ")})${result.kind === "void" ? "" : ` -> ${typeToString(result)}`}`;
}

/** Everything a name may be at `offset`: locals, the file's names, types, built-ins, keywords. */
function names(view: DocumentView, file: string, offset: number): CompletionItem[] {
  const items: CompletionItem[] = [];
  const semantics = view.analysis.semantics;
  if (semantics) {
    for (const [name, symbol] of visibleLocals(view, file, offset)) items.push({ label: name, kind: "variable", detail: typeToString(typeOfSymbol(symbol) ?? { kind: "error" }) });
    for (const [name, symbol] of fileScope(semantics)) {
      if (symbol.kind === "function") {
        if (symbol.info.span.file === semantics.sourcePath || symbol.info.role.kind === "extern") items.push({ label: name, kind: "function", detail: signature(symbol.info.params, symbol.info.returnType) });
      } else if (symbol.kind === "constant") items.push({ label: name, kind: "enumMember", detail: typeToString(symbol.type) });
      else if (symbol.kind === "config") items.push({ label: name, kind: "module", detail: "config" });
      else items.push({ label: name, kind: "variable", detail: typeToString(typeOfSymbol(symbol) ?? { kind: "error" }) });
    }
    for (const layout of semantics.userStructs) items.push({ label: layout.name, kind: "struct", detail: "struct" });
    for (const layout of semantics.userEnums) items.push({ label: layout.name, kind: "type", detail: "enum" });
    for (const alias of semantics.typedefs) items.push({ label: alias.name, kind: "type", detail: typeToString(alias.type) });
  }
  for (const name of primitiveTypes.keys()) items.push({ label: name, kind: "type", detail: "built-in type" });
  for (const [spelling, kind] of mapKindSpellings) items.push({ label: spelling, kind: "type", detail: `map (${mapKinds[kind].bpfMapType})` });
  for (const name of builtinNames) items.push({ label: name, kind: "function", detail: "built-in" });
  for (const keyword of KEYWORDS) items.push({ label: keyword, kind: "keyword" });
  return unique(items);
}

function unique(items: readonly CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.label) && (seen.add(item.label), true));
}
