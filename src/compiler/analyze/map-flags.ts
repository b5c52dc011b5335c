//! Map accesses that a map's `@flags(…)` forbid: `rdonly`/`wronly` restrict what user
//! space may do through the bpf() syscall, `rdonly_prog`/`wronly_prog` what eBPF
//! programs may do (the verifier enforces those). Either would only fail at run time
//! (EPERM, a verifier rejection); here each forbidden access is E0437 on its line.
//! Map kinds whose entries eBPF code may not read or write whatever the flags say (the
//! row's `programAccess`: redirect and socket maps) get E1374 the same way.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import { mapAccessForbiddenByFlags } from "../diagnostics/catalog/safety.js";
import { programMapAccess } from "../diagnostics/catalog/types-redirect-maps.js";
import { mapKinds } from "../kernel/map-kinds.js";
import type * as ir from "../ir.js";
import { walkStatements, type IrWalker } from "../ir-walk.js";
import type { Span } from "../source.js";

type Side = "user" | "kernel";
type Access = "write" | "read";

/** The flag bit forbidding each access on each side, and its `@flags` name. */
const forbidding: Record<Side, Record<Access, readonly [number, string]>> = {
  user: { write: [0x8, "rdonly"], read: [0x10, "wronly"] },
  kernel: { write: [0x80, "rdonly_prog"], read: [0x100, "wronly_prog"] },
};


export function checkMapFlags(module: ir.IrModule, diags: Diagnostics): void {
  const maps = new Map(module.maps.filter((m) => m.flags !== 0 || mapKinds[m.mapKind].programAccess !== undefined).map((m) => [m.name, m]));
  if (maps.size === 0) return;

  const access = (side: Side, kind: Access, map: string, span: Span): void => {
    const info = maps.get(map);
    if (!info) return;
    const [bit, flag] = forbidding[side][kind];
    const limit = side === "kernel" ? mapKinds[info.mapKind].programAccess : undefined;
    if (limit === "none" || (limit === "readOnly" && kind === "write")) {
      diags.report(programMapAccess, span, map, info.mapKind, kind, limit === "readOnly", mapKinds[info.mapKind].innerMaps === true);
    } else if ((info.flags & bit) !== 0) {
      diags.report(mapAccessForbiddenByFlags, span, map, kind, side, flag, info.span);
    }
  };

  /** The `ifMapEntry` binding a place writes through, if any (`e.f = v`, `e = v`). */
  const entryRoot = (p: ir.IrPlace | ir.IrExpr): string | undefined => {
    if (p.kind === "entry") return p.name;
    if (p.kind === "field" || p.kind === "index") return entryRoot(p.target);
    return undefined;
  };

  // Context: the `ifMapEntry` bindings in scope, each with its map.
  const walker = (side: Side): IrWalker<ReadonlyMap<string, string>> => ({
    statement: (s, entries) => {
      switch (s.kind) {
        case "mapUpdate": case "mapDelete": case "aliasWriteBack": access(side, "write", s.map, s.span); return;
        case "mapCompound": case "mapEntryAssign":
          access(side, "read", s.map, s.span);
          access(side, "write", s.map, s.span);
          return;
        case "declareAlias": case "ifMapEntry": case "forMap": access(side, "read", s.map, s.span); return;
        case "assign": {
          const root = entryRoot(s.target);
          const map = root === undefined ? undefined : entries.get(root);
          if (map !== undefined) access(side, "write", map, s.span);
          return;
        }
        case "declare": case "expr": case "if": case "ifPacketHeader": case "while": case "forRange": case "break":
        case "continue": case "return": case "print": case "block": case "tailCall": case "throw": case "try":
        case "tryCall": case "defer": case "ringbufRelease": case "objectDelete": case "onEvent": case "ifPointer":
          return;
      }
    },
    expression: (e) => {
      if (e.kind === "mapLookup" || e.kind === "mapContains" || e.kind === "mapEntryPointer") access(side, "read", e.map, e.span);
      // Queue/stack/perf/per-CPU operations: push and output write, peek and per_cpu read, pop both.
      // (`redirect`, `inner_get` and the cgroup array tests go through their own helpers,
      // which these kinds exist for: no lookup of an entry.)
      const ownHelper = (m: string): boolean => m === "redirect" || m === "inner_get" || m === "task_under_cgroup" || m === "skb_under_cgroup";
      if (e.kind === "mapMethod" && e.method !== "dropped" && e.method !== "cpus" && !ownHelper(e.method)) {
        const writes = e.method === "push" || e.method === "output" || e.method === "cgroup_store";
        if (!writes) access(side, "read", e.map, e.span);
        if (writes || e.method === "pop") access(side, "write", e.map, e.span);
      }
    },
    body: (b, owner, entries) =>
      owner.kind === "ifMapEntry" && b.role === "then" ? new Map([...entries, [owner.binding, owner.map]]) : entries,
  });

  for (const fn of [...module.programs, ...module.helpers]) walkStatements(fn.body, walker("kernel"), new Map());
  for (const fn of module.userFunctions) walkStatements(fn.body, walker("user"), new Map());
}
