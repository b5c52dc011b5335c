//! C for the statements of the functions-pointers work: tail calls, assignments into
//! map entries (`m[k].f op= v`), lookup aliases (`var s = m[k]`) and their write-back,
//! and plain blocks. Called from `CCodeEmitter.statement` for either side.

import type * as ir from "../ir.js";
import type { CCodeEmitter, MapAccessorUse, Side } from "./c-code.js";
import { cDeclaration, cTypeName, isAggregate, wordAlignedDeclaration } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { escapeSlotName, localName, mapName, tailCallMapName, temporaryName } from "../names.js";
import { atomicUpdate } from "./globals-c.js";
import { mapKinds } from "../kernel/map-kinds.js";

type PointerStatement = Extract<ir.IrStmt, { kind: "tailCall" | "mapEntryAssign" | "declareAlias" | "aliasWriteBack" | "block" }>;

export function emitPointerStatement(code: CCodeEmitter, w: CWriter, side: Side, accessors: MapAccessorUse, s: PointerStatement): void {
  switch (s.kind) {
    case "tailCall":
      w.comment(`tail call to ${s.target}; falls through when slot ${s.index} is empty or the chain limit is reached`);
      w.line(`bpf_tail_call(${code.expr(s.context)}, &${tailCallMapName}, ${s.index});`);
      w.line(`return ${code.expr(s.fallback)};`);
      return;
    case "block":
      w.block("", () => code.statements(s.body));
      return;
    case "mapEntryAssign":
      emitMapEntryAssign(code, w, side, accessors, s);
      return;
    case "declareAlias": {
      const name = localName(s.name);
      const pointer = localName(s.pointer);
      const keyName = localName(s.keyName);
      const lookup = accessors.note(s.map, "lookup");
      w.line(`${cDeclaration(s.keyType, keyName)} = ${code.expr(s.key)};`);
      // A struct copied out of a map whose values are 8-byte aligned is copied in 8-byte
      // words (map-kinds.ts `alignedValues`): both ends must be known aligned, or clang 14
      // copies byte by byte and spills past the stack limit (a 150-byte struct of bytes).
      const words = side === "kernel" && mapKinds[s.mapKind].alignedValues === true && isAggregate(s.valueType);
      w.line(`${words ? wordAlignedDeclaration(s.valueType, name) : cDeclaration(s.valueType, name)};`);
      if (side === "kernel") {
        w.comment(`${s.name} is a copy of the entry (zero when absent); ${pointer} points into the map`);
        w.line(`${cTypeName(s.valueType)} *${pointer} = ${lookup}(&${keyName});`);
        w.line(`if (${pointer})`);
        w.line(words ? `    __builtin_memcpy(&${name}, __builtin_assume_aligned(${pointer}, 8), sizeof(${name}));` : `    ${name} = *${pointer};`);
        w.line("else");
        w.line(`    __builtin_memset(&${name}, 0, sizeof(${name}));`);
      } else {
        w.comment(`${s.name} is a copy of the entry (zero when absent); ${pointer} is NULL when absent`);
        w.line(`${cTypeName(s.valueType)} *${pointer} = ${lookup}(&${keyName}, &${name});`);
        w.line(`if (!${pointer})`);
        w.line(`    memset(&${name}, 0, sizeof(${name}));`);
      }
      w.line(`(void)${pointer};`);
      if (s.unread) w.line(`(void)${name};`);
      return;
    }
    case "aliasWriteBack":
      if (side === "kernel") {
        const entry: ir.IrExpr = { kind: "entry", name: s.pointer, type: s.place.type, span: s.span };
        const inEntry = code.place(reroot(s.place, s.alias, entry));
        w.line(`if (${code.localRef(s.pointer)})`);
        // Other CPUs update the entry too: apply the same change to it atomically.
        if (s.update) w.line(`    ${atomicUpdate(side, s.update.op, s.place.type, `&${inEntry}`, code.expr(s.update.value))}`);
        else w.line(`    ${inEntry} = ${code.place(s.place)};`);
      } else {
        w.line(`if (${localName(s.pointer)})`);
        w.line(`    ${accessors.note(s.map, "set")}(${localName(s.keyName)}, ${localName(s.alias)});`);
      }
      return;
  }
}

/**
 * One lookup; an absent entry is created zeroed first, so `m[k].f += v` behaves like
 * `m[k] += v`. `+=`/`-=` on shared maps are atomic, as for whole values.
 */
function emitMapEntryAssign(code: CCodeEmitter, w: CWriter, side: Side, accessors: MapAccessorUse, s: Extract<ir.IrStmt, { kind: "mapEntryAssign" }>): void {
  const id = code.nextTemporary();
  const key = temporaryName("key", id);
  const binding = localName(s.binding);
  const lookup = accessors.note(s.map, "lookup");
  const target = code.place(s.target);
  const value = code.expr(s.value);
  const assignment = s.op === "=" ? `${target} = ${value};` : `${code.compound(s.op, s.target, target, s.value)};`;
  w.block("", () => {
    w.line(`${cDeclaration(s.keyType, key)} = ${code.expr(s.key)};`);
    if (side === "kernel") {
      w.line(`${cTypeName(s.valueType)} *${binding} = ${lookup}(&${key});`);
      // An array's lookup misses only past max_entries, where an insert fails too.
      if (!mapKinds[s.mapKind].everyIndexPresent) w.block(`if (!${binding})`, () => {
        w.comment("absent: create it zeroed, then update it in place");
        w.line(`${cDeclaration(s.valueType, "__ks_zero")};`);
        w.line("__builtin_memset(&__ks_zero, 0, sizeof(__ks_zero));");
        w.line(`bpf_map_update_elem(&${mapName(s.map)}, &${key}, &__ks_zero, BPF_NOEXIST);`);
        w.line(`${binding} = ${lookup}(&${key});`);
      });
      w.line(`if (${binding})`);
      w.line(`    ${(s.atomic ? atomicUpdate(side, s.op, s.target.type, `&${target}`, value) : undefined) ?? assignment}`);
    } else {
      w.line(`${cDeclaration(s.valueType, "__ks_copy")};`);
      w.line("memset(&__ks_copy, 0, sizeof(__ks_copy));");
      w.line(`${lookup}(&${key}, &__ks_copy);`);
      w.line(`${cTypeName(s.valueType)} *${binding} = &__ks_copy;`);
      w.line(assignment);
      w.line(`${accessors.note(s.map, "set")}(${key}, __ks_copy);`);
    }
  });
}

/** `place` with the local `alias` at its root replaced by `root`. */
function reroot(place: ir.IrPlace, alias: string, root: ir.IrExpr): ir.IrPlace {
  const expr = (e: ir.IrExpr): ir.IrExpr => {
    if (e.kind === "local" && e.name === alias) return { ...root, type: e.type };
    if (e.kind === "field") return { ...e, target: expr(e.target) };
    if (e.kind === "index") return { ...e, target: expr(e.target) };
    return e;
  };
  switch (place.kind) {
    case "local": return place.name === alias ? { kind: "entry", name: (root as { name: string }).name, type: place.type } : place;
    case "field": return { ...place, target: expr(place.target) };
    case "index": return { ...place, target: expr(place.target) };
    case "global": case "entry": case "deref": return place;
  }
}

/** The per-CPU arrays keeping the locals that `@helper`s return pointers to (lower-escapes.ts). */
export function emitEscapeSlotMaps(w: CWriter, slots: readonly ir.IrEscapeSlot[]): void {
  for (const slot of slots) {
    w.block("struct", () => {
      w.line("__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);");
      w.line("__uint(max_entries, 1);");
      w.line("__type(key, __u32);");
      w.line(`__type(value, ${cTypeName(slot.type)});`);
    }, ` ${escapeSlotName(slot.helper, slot.local)} SEC(".maps");`);
    w.line();
  }
}

/** This CPU's slot of `helper`'s `local` (a pointer that may be null). */
export function escapeSlotLookup(e: Extract<ir.IrExpr, { kind: "escapeSlot" }>): string {
  return `((${cTypeName(e.type)})bpf_map_lookup_elem(&${escapeSlotName(e.helper, e.local)}, &(__u32){0}))`;
}
