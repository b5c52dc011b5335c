//! Every name occurrence in the syntax trees, with what it refers to: the table that
//! hover, definition, references, rename and semantic tokens read. Made once per
//! analysis from the checker's side tables (`references`, `declarations`, `exprTypes`,
//! `moduleCalls`, `patternConstants`); names the checker did not resolve (a syntax
//! error, an unknown name) get a referent from what they look like, or none.
//!
//! Two occurrences refer to the same thing when their `key`s are equal. Declared things
//! are keyed by the span of their declaring name, so a local, a map and an enum constant
//! are told apart even when they share a name; struct fields by struct and field name.

import type * as ast from "../ast.js";
import { forEachChild } from "../ast.js";
import type { Span } from "../source.js";
import type { ConfigInfo, FunctionInfo, MapInfo, Semantics, StructOpsInfo, Symbol } from "../check/semantics.js";
import type { MapKind, MapType, StructField, Type } from "../types.js";
import { mapKindSpellings } from "../kernel/map-kinds.js";
import { resolveRelative } from "../host.js";

/** What a name means. */
export type Referent =
  | { readonly kind: "symbol"; readonly symbol: Symbol }
  /** A field of a struct (user or kernel); `field` absent when the struct lacks it. */
  | { readonly kind: "field"; readonly owner: string; readonly origin: "user" | "kernel"; readonly name: string; readonly field: StructField | undefined }
  | { readonly kind: "configField"; readonly config: ConfigInfo; readonly name: string }
  /** A struct, enum or alias name, or a built-in type. */
  | { readonly kind: "type"; readonly name: string }
  | { readonly kind: "mapMethod"; readonly map: MapType; readonly name: string }
  | { readonly kind: "mapKind"; readonly mapKind: MapKind; readonly spelling: string }
  | { readonly kind: "attribute"; readonly name: string }
  /** A name the program does not declare: a built-in function, a BPF helper, or unknown. */
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "module"; readonly alias: string; readonly path: string }
  /** The file an `include` or `import` names, resolved against the file naming it. */
  | { readonly kind: "file"; readonly path: string }
  /** A declared function that the checker did not keep (a body-less header declaration). */
  | { readonly kind: "declaredFunction"; readonly decl: ast.FunctionDecl | ast.ExternDecl };

export interface Occurrence {
  readonly span: Span;
  readonly key: string;
  readonly referent: Referent;
  /** This occurrence declares the thing (its definition). */
  readonly declaration: boolean;
}

export interface OccurrenceIndex {
  /** The occurrence whose span contains `offset` (its end included: the cursor after a name). */
  at(file: string, offset: number): Occurrence | undefined;
  /** Every occurrence of `key`, declarations included, in file and source order. */
  withKey(key: string): readonly Occurrence[];
  /** The occurrences in `file`, in source order. */
  inFile(file: string): readonly Occurrence[];
}

export function declarationKey(span: Span): string {
  return `decl:${span.file}:${span.start}`;
}

export function fieldKey(owner: string, name: string): string {
  return `field:${owner}.${name}`;
}

/** The key of what `symbol` names. */
export function symbolKey(symbol: Symbol): string {
  switch (symbol.kind) {
    case "local": case "entry": return declarationKey(symbol.span);
    case "global": case "config": case "map": case "function": case "structOps": return declarationKey(symbol.info.decl.name.span);
    case "constant": return symbol.span ? declarationKey(symbol.span) : `constant:${symbol.name}`;
  }
}

export function referentKey(referent: Referent): string {
  switch (referent.kind) {
    case "symbol": return symbolKey(referent.symbol);
    case "field": return fieldKey(referent.owner, referent.name);
    case "configField": return `configField:${referent.config.name}.${referent.name}`;
    case "type": return `type:${referent.name}`;
    case "mapMethod": return `method:${referent.map.mapKind}.${referent.name}`;
    case "mapKind": return `mapKind:${referent.mapKind}`;
    case "attribute": return `attribute:${referent.name}`;
    case "builtin": return `builtin:${referent.name}`;
    case "module": return `module:${referent.path}`;
    case "file": return `file:${referent.path}`;
    case "declaredFunction": return declarationKey(referent.decl.name.span);
  }
}

/** The struct a value of type `t` has fields of (through one pointer: `.` dereferences). */
export function structNameOf(t: Type | undefined): { readonly name: string; readonly origin: "user" | "kernel" } | undefined {
  if (!t) return undefined;
  const target = t.kind === "pointer" ? t.target : t;
  return target.kind === "struct" ? { name: target.name, origin: target.origin } : undefined;
}

export function buildOccurrences(trees: ReadonlyMap<string, ast.SourceFileAst>, semantics: Semantics | undefined): OccurrenceIndex {
  const found: Occurrence[] = [];
  const add = (span: Span, referent: Referent, declaration = false): void => {
    found.push({ span, key: referentKey(referent), referent, declaration });
  };
  const tables = new DeclarationTables(semantics);
  const moduleAliases = new Map<string, string>();
  for (const tree of trees.values()) {
    for (const decl of tree.decls) if (decl.kind === "ImportDecl") moduleAliases.set(`${tree.path}\0${decl.name.name}`, decl.path.value);
  }

  const visit = (node: ast.Node, file: string): void => {
    switch (node.kind) {
      case "FunctionDecl": case "ExternDecl": {
        const info = tables.functions.get(node);
        add(node.name.span, info ? { kind: "symbol", symbol: { kind: "function", info } } : { kind: "declaredFunction", decl: node }, true);
        break;
      }
      case "GlobalVarDecl": {
        const map = tables.maps.get(node);
        const global = semantics?.globals.find((g) => g.decl === node);
        if (map) add(node.name.span, { kind: "symbol", symbol: { kind: "map", info: map } }, true);
        else if (global) add(node.name.span, { kind: "symbol", symbol: { kind: "global", info: global } }, true);
        break;
      }
      case "ConfigDecl": {
        const config = semantics?.configs.find((c) => c.decl === node);
        if (config) {
          add(node.name.span, { kind: "symbol", symbol: { kind: "config", info: config } }, true);
          for (const field of node.fields) add(field.name.span, { kind: "configField", config, name: field.name.name }, true);
        }
        break;
      }
      case "StructDecl":
        add(node.name.span, { kind: "type", name: node.name.name }, true);
        for (const field of node.fields) add(field.name.span, fieldReferent(semantics, node.name.name, field.name.name), true);
        break;
      case "EnumDecl":
        add(node.name.span, { kind: "type", name: node.name.name }, true);
        for (const variant of node.variants) {
          add(variant.name.span, { kind: "symbol", symbol: { kind: "constant", name: variant.name.name, value: 0n, type: { kind: "enum", name: node.name.name, origin: "user" }, inC: true, span: variant.name.span } }, true);
        }
        break;
      case "TypeAliasDecl":
        add(node.name.span, { kind: "type", name: node.name.name }, true);
        break;
      case "ImplDecl": {
        const ops = tables.structOps.get(node);
        if (ops) add(node.name.span, { kind: "symbol", symbol: { kind: "structOps", info: ops } }, true);
        break;
      }
      case "ImportDecl":
        add(node.name.span, { kind: "module", alias: node.name.name, path: node.path.value }, true);
        add(node.path.span, { kind: "file", path: resolveRelative(file, node.path.value) });
        break;
      case "IncludeDecl":
        add(node.path.span, { kind: "file", path: resolveRelative(file, node.path.value) });
        break;
      case "NameExpr": {
        const symbol = semantics?.references.get(node);
        const modulePath = moduleAliases.get(`${file}\0${node.name.name}`);
        if (symbol) add(node.name.span, { kind: "symbol", symbol });
        else if (modulePath !== undefined) add(node.name.span, { kind: "module", alias: node.name.name, path: modulePath });
        else add(node.name.span, { kind: "builtin", name: node.name.name });
        break;
      }
      case "FieldExpr": {
        const referent = memberReferent(semantics, node);
        if (referent) add(node.field.span, referent);
        break;
      }
      case "CallExpr": {
        const info = semantics?.moduleCalls.get(node);
        if (info && node.callee.kind === "FieldExpr") {
          visit(node.callee.target, file);
          add(node.callee.field.span, { kind: "symbol", symbol: { kind: "function", info } });
          for (const arg of node.args) visit(arg, file);
          return;
        }
        break;
      }
      case "NamedType":
        add(node.name.span, { kind: "type", name: node.name.name });
        return;
      case "GenericType": {
        const mapKind = mapKindSpellings.get(node.name.name);
        if (mapKind) add(node.name.span, { kind: "mapKind", mapKind, spelling: node.name.name });
        break;
      }
      case "StructLiteral":
        add(node.typeName.span, { kind: "type", name: node.typeName.name });
        for (const field of node.fields) add(field.name.span, fieldReferent(semantics, node.typeName.name, field.name.name));
        for (const field of node.fields) visit(field.value, file);
        return;
      case "Attribute":
        add(node.name.span, { kind: "attribute", name: node.name.name });
        break;
      case "MatchExpr":
        for (const arm of node.arms) {
          if (arm.pattern.kind !== "NamePattern") continue;
          const constant = semantics?.patternConstants.get(arm.pattern.name);
          if (constant) add(arm.pattern.name.span, { kind: "symbol", symbol: constant });
        }
        break;
      default:
        break;
    }
    forEachChild(node, (child) => {
      // Names are recorded by their parents, which know what they mean.
      if (child.kind !== "Ident") visit(child, file);
    });
  };
  for (const [file, tree] of trees) visit(tree, file);
  if (semantics) {
    // A local re-typed by its first assignment (`var x = null`) is in the table twice: once.
    const declared = new Set<Span>();
    for (const symbol of semantics.declarations.values()) {
      if ((symbol.kind !== "local" && symbol.kind !== "entry") || !trees.has(symbol.span.file) || declared.has(symbol.span)) continue;
      declared.add(symbol.span);
      add(symbol.span, { kind: "symbol", symbol }, true);
    }
  }
  return indexOf(found);
}

function indexOf(found: readonly Occurrence[]): OccurrenceIndex {
  const byFile = new Map<string, Occurrence[]>();
  const byKey = new Map<string, Occurrence[]>();
  for (const occurrence of found) {
    pushTo(byFile, occurrence.span.file, occurrence);
    pushTo(byKey, occurrence.key, occurrence);
  }
  const byStart = (a: Occurrence, b: Occurrence): number => a.span.start - b.span.start;
  const order = (a: Occurrence, b: Occurrence): number =>
    a.span.file === b.span.file ? a.span.start - b.span.start : a.span.file < b.span.file ? -1 : 1;
  for (const list of byFile.values()) list.sort(byStart);
  for (const list of byKey.values()) list.sort(order);
  return {
    at(file, offset) {
      const list = byFile.get(file) ?? [];
      // The last occurrence starting at or before `offset` (names never nest).
      let low = 0;
      let high = list.length - 1;
      let best: Occurrence | undefined;
      while (low <= high) {
        const mid = (low + high) >> 1;
        const occurrence = list[mid]!;
        if (occurrence.span.start <= offset) { best = occurrence; low = mid + 1; } else high = mid - 1;
      }
      return best && offset <= best.span.end ? best : undefined;
    },
    withKey: (key) => byKey.get(key) ?? [],
    inFile: (file) => byFile.get(file) ?? [],
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Checker tables by declaration node (the checker keeps lists). */
class DeclarationTables {
  readonly functions = new Map<ast.Node, FunctionInfo>();
  readonly maps = new Map<ast.Node, MapInfo>();
  readonly structOps = new Map<ast.Node, StructOpsInfo>();

  constructor(semantics: Semantics | undefined) {
    if (!semantics) return;
    for (const info of semantics.functions) this.functions.set(info.decl, info);
    for (const ops of semantics.structOps) {
      this.structOps.set(ops.decl, ops);
      for (const method of ops.methods) this.functions.set(method.function.decl, method.function);
    }
    for (const map of semantics.maps) this.maps.set(map.decl, map);
  }
}

function fieldReferent(semantics: Semantics | undefined, owner: string, name: string): Referent {
  const layout = semantics?.tables.structs.get(owner);
  return { kind: "field", owner, origin: layout?.origin ?? "user", name, field: layout?.fields.find((f) => f.name === name) };
}

/** What `a.b` names: a struct field, a map method, a config field. */
export function memberReferent(semantics: Semantics | undefined, node: ast.FieldExpr): Referent | undefined {
  if (!semantics) return undefined;
  const name = node.field.name;
  // Map method calls are checked by their own rules, which may record neither the
  // receiver's reference nor its type: a bare name then means the map of that name.
  const targetName = node.target.kind === "NameExpr" ? node.target : undefined;
  const mapNamed = targetName && semantics.maps.find((m) => m.name === targetName.name.name);
  const targetSymbol: Symbol | undefined = targetName
    ? (semantics.references.get(targetName) ?? (mapNamed ? { kind: "map", info: mapNamed } : undefined))
    : undefined;
  if (targetSymbol?.kind === "config") return { kind: "configField", config: targetSymbol.info, name };
  // Some built-ins check their arguments by their own rules (`str(ctx.filename)`): the
  // receiver's type then comes from the symbol it names.
  const recorded = semantics.exprTypes.get(node.target);
  const targetType = recorded && recorded.kind !== "error" ? recorded : targetSymbol ? typeOfSymbol(targetSymbol) : undefined;
  if (targetType?.kind === "map") return { kind: "mapMethod", map: targetType, name };
  const owner = structNameOf(targetType);
  if (!owner) return undefined;
  const layout = semantics.tables.structs.get(owner.name);
  return { kind: "field", owner: owner.name, origin: layout?.origin ?? owner.origin, name, field: layout?.fields.find((f) => f.name === name) };
}

/** The type of a value-like symbol. */
export function typeOfSymbol(symbol: Symbol): Type | undefined {
  switch (symbol.kind) {
    case "local": case "entry": case "constant": return symbol.type;
    case "global": return symbol.info.type;
    case "map": return symbol.info.type;
    case "function": case "config": case "structOps": return undefined;
  }
}
