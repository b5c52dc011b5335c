//! Which compound assignments write memory that other CPUs write at the same time, so
//! that `x += v` / `x -= v` on a 32- or 64-bit integer there is one atomic instruction
//! (`__sync_fetch_and_add`) whichever way the code reaches that memory: the language
//! operation has one meaning, not one per syntax.
//!
//! Shared: globals (and config blocks), and the values of maps that are not per-CPU,
//! reached in eBPF through `m[k].f`, an entry binding (`if (var e = m[k])`), a lookup
//! alias (`var s = m[k]`: the entry, not the copy; lower.ts updates both) or a pointer;
//! `m[k] += v` on a whole value uses the same rule in its accessor (map-accessors.ts). A pointer is followed to what was ever stored in its variable (`&m[k]`,
//! `&s`, `&global`, another pointer; flow-insensitively, over the whole function);
//! private memory (locals, `new` objects, ring-buffer records, per-CPU entries) stays
//! plain, and anything unknown (parameters, call results) counts as shared: an atomic
//! add on private memory is only slower, a plain one on shared memory loses updates.
//! Packet memory is never atomic (the verifier refuses atomics on packet pointers).
//!
//! User space works on copies of map entries (written back with one update), so there
//! only globals are shared (they are the object's memory, mapped by the skeleton).

import * as ast from "../ast.js";
import type { Semantics, Symbol } from "../check/semantics.js";
import { mapKinds } from "../kernel/map-kinds.js";
import { unparenthesize } from "../ast.js";
import { mapInfoNamed } from "./map-infos.js";

type Memory = "shared" | "private" | "none";

const join = (a: Memory, b: Memory): Memory => (a === "shared" || b === "shared" ? "shared" : a === "private" || b === "private" ? "private" : "none");

export class SharedMemory {
  private facts: { readonly sources: Map<number, ast.Expr[]>; readonly entryMaps: Map<number, string> } | undefined;

  constructor(private readonly semantics: Semantics, private readonly body: ast.Block, private readonly kernel: boolean) {}

  /**
   * What each pointer variable (by symbol id) was given (its initializer and assigned
   * values), and the map each entry binding (`if (var e = m[k])`) points into. Found on
   * first need: asking about a map or a plain variable needs no walk of the function.
   */
  private get pointerFacts(): { readonly sources: Map<number, ast.Expr[]>; readonly entryMaps: Map<number, string> } {
    return (this.facts ??= this.scan());
  }

  private scan(): { readonly sources: Map<number, ast.Expr[]>; readonly entryMaps: Map<number, string> } {
    const semantics = this.semantics;
    const sources = new Map<number, ast.Expr[]>();
    const entryMaps = new Map<number, string>();
    const record = (symbol: Symbol | undefined, value: ast.Expr): void => {
      if (symbol?.kind !== "local" || symbol.type.kind !== "pointer") return;
      const list = sources.get(symbol.id);
      if (list) list.push(value);
      else sources.set(symbol.id, [value]);
    };
    const visit = (node: ast.Node): void => {
      if (node.kind === "VarStmt" && node.init) record(semantics.declarations.get(node), node.init);
      if (node.kind === "AssignStmt" && node.op === "=") {
        const target = unparenthesize(node.target);
        if (target.kind === "NameExpr") record(semantics.references.get(target), node.value);
      }
      if (node.kind === "IfStmt" && node.binding) {
        const symbol = semantics.declarations.get(node);
        const condition = unparenthesize(node.condition);
        const map = condition.kind === "IndexExpr" ? this.mapOf(condition.target) : undefined;
        if (symbol?.kind === "entry" && map) entryMaps.set(symbol.id, map);
        else record(symbol, node.condition);
      }
      ast.forEachChild(node, visit);
    };
    visit(this.body);
    return { sources, entryMaps };
  }

  /** Whether eBPF code shares the values of `map` with other CPUs (it is not per-CPU). */
  isSharedMap(map: string): boolean {
    return this.kernel && this.mapMemory(map) === "shared";
  }

  /** Whether a compound assignment to `target` writes memory other CPUs (or user space) write too. */
  isShared(target: ast.Expr): boolean {
    return this.place(target, new Set()) === "shared";
  }

  /** The memory a place (`x`, `x.f`, `x[i]`, `p.f`, `*p`) lies in. */
  private place(e: ast.Expr, visiting: Set<number>): Memory {
    e = unparenthesize(e);
    switch (e.kind) {
      case "NameExpr": {
        const symbol = this.semantics.references.get(e);
        if (symbol?.kind === "global" || symbol?.kind === "config") return "shared";
        if (symbol?.kind === "entry" && this.kernel) return this.mapMemory(this.pointerFacts.entryMaps.get(symbol.id));
        return "private";
      }
      case "FieldExpr":
        return e.arrow || this.isPointer(e.target) ? this.pointee(e.target, visiting) : this.place(e.target, visiting);
      case "IndexExpr":
        if (this.mapOf(e.target)) return this.kernel ? this.mapMemory(this.mapOf(e.target)) : "private";
        return this.isPointer(e.target) ? this.pointee(e.target, visiting) : this.place(e.target, visiting);
      case "UnaryExpr":
        return e.op === "*" ? this.pointee(e.operand, visiting) : "private";
      default:
        return "private";
    }
  }

  /** The memory the pointer value `e` points into. */
  private pointee(e: ast.Expr, visiting: Set<number>): Memory {
    e = unparenthesize(e);
    const type = this.semantics.exprTypes.get(e);
    if (type?.kind === "pointer" && (type.packet || type.header)) return "private";
    if (!this.kernel) return "private";
    switch (e.kind) {
      case "NullLiteral": return "none";
      case "NewExpr": return "private";
      case "CastExpr": return this.pointee(e.expr, visiting);
      case "UnaryExpr": {
        if (e.op !== "&") return "shared";
        const operand = unparenthesize(e.operand);
        // `&s` of a lookup alias is the pointer into the entry.
        const alias = operand.kind === "NameExpr" ? this.semantics.references.get(operand) : undefined;
        if (alias?.kind === "local" && alias.mapAlias) return this.mapMemory(alias.mapAlias);
        return this.place(operand, visiting);
      }
      case "NameExpr": {
        const symbol = this.semantics.references.get(e);
        if (symbol?.kind !== "local") return "shared";
        const sources = this.pointerFacts.sources.get(symbol.id);
        // Parameters and pointers never given a value here: where they point is unknown.
        if (!sources) return "shared";
        if (visiting.has(symbol.id)) return "none";
        visiting.add(symbol.id);
        const memory = sources.reduce<Memory>((m, source) => join(m, this.pointee(source, visiting)), "none");
        visiting.delete(symbol.id);
        return memory;
      }
      case "CallExpr":
        // A ring-buffer record is this program's until it is submitted.
        return this.isReserve(e) ? "private" : "shared";
      default:
        return "shared";
    }
  }

  private mapMemory(map: string | undefined): Memory {
    const kind = mapInfoNamed(this.semantics, map)?.type.mapKind;
    return kind !== undefined && mapKinds[kind].perCpu ? "private" : "shared";
  }

  private mapOf(e: ast.Expr): string | undefined {
    const target = unparenthesize(e);
    if (target.kind !== "NameExpr") return undefined;
    const symbol = this.semantics.references.get(target);
    return symbol?.kind === "map" ? symbol.info.name : undefined;
  }

  private isPointer(e: ast.Expr): boolean {
    return this.semantics.exprTypes.get(unparenthesize(e))?.kind === "pointer";
  }

  private isReserve(call: ast.CallExpr): boolean {
    const callee = unparenthesize(call.callee);
    return callee.kind === "FieldExpr" && callee.field.name === "reserve" &&
      mapInfoNamed(this.semantics, this.mapOf(callee.target))?.type.mapKind === "ringbuf";
  }
}

