//! The eBPF stack (512 bytes, of which clang lets a program use 504): the locals of a program plus, because helpers are inlined,
//! those of every helper it calls (transitively). Loop callbacks (`bpf_loop()`,
//! `bpf_for_each_map_elem()`) are separate frames on the same call chain: the chain's
//! size is the program's frame (including each callback's context struct) plus its
//! deepest chain of callback frames (copies of the captured variables, the loop
//! bindings, the body's locals). Over the limit is E0402, with the largest variables
//! named per frame so the user knows what to move into a per-CPU map.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import * as safety from "../diagnostics/catalog/safety.js";
import type * as ir from "../ir.js";
import { sizeOf, type TypeTables } from "../types.js";

/**
 * The kernel gives a program 512 bytes of stack, but clang's BPF backend refuses any
 * stack slot at fp-512 or below ("Looks like the BPF stack limit of 512 bytes is
 * exceeded"), and it lays locals out in 8-byte slots: measured with clang 14, one
 * `char[504]` (or `u64[63]`) compiles, `char[505]`, `char[252]` twice or `char[500]`
 * and `char[5]` do not. So each variable counts rounded up to 8 bytes and the frame must
 * stay within 504.
 */
const stackLimit = 504;
const slotBytes = (bytes: number): number => Math.ceil(bytes / 8) * 8;

interface Variable {
  readonly name: string;
  readonly bytes: number;
}

/** One stack frame: its variables and the callback frames called from it. */
interface Frame {
  readonly variables: Variable[];
  readonly callbacks: Frame[];
}

function chainSize(frame: Frame): number {
  const own = frame.variables.reduce((sum, v) => sum + slotBytes(v.bytes), 0);
  return own + Math.max(0, ...frame.callbacks.map(chainSize));
}

/** The variables of the deepest chain, callback ones prefixed with where they live. */
function chainVariables(frame: Frame, prefix: string): Variable[] {
  const own = frame.variables.map((v) => ({ name: `${prefix}${v.name}`, bytes: v.bytes }));
  const deepest = [...frame.callbacks].sort((a, b) => chainSize(b) - chainSize(a))[0];
  return deepest ? [...own, ...chainVariables(deepest, `${prefix}loop callback::`)] : own;
}

export function checkStackUsage(module: ir.IrModule, diags: Diagnostics): void {
  const tables: TypeTables = {
    structs: new Map(module.structs.map((s) => [s.name, s])),
    enums: new Map(module.enums.map((e) => [e.name, e])),
  };
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  const frameOf = (statements: readonly ir.IrStmt[], seed: Variable[], visiting: Set<string>, fn?: ir.IrFunction): Frame => {
    // Parameters arrive in registers; only locals take stack.
    const frame: Frame = { variables: [...seed], callbacks: [] };
    const calls = new Set<string>();
    collect(statements, frame, calls, tables, (body, bindings) => frameOf(body, bindings, visiting));
    if (fn) frame.variables.push(...errorFrameVariables(fn, tables));
    for (const callee of calls) {
      const helper = helpers.get(callee);
      if (!helper || visiting.has(callee)) continue;
      visiting.add(callee);
      const inlined = frameOf(helper.body, [], visiting, helper);
      frame.variables.push(...inlined.variables.map((v) => ({ name: `${callee}::${v.name}`, bytes: v.bytes })));
      frame.callbacks.push(...inlined.callbacks);
      visiting.delete(callee);
    }
    return frame;
  };
  for (const program of module.programs) {
    const frame = frameOf(program.body, [], new Set([program.name]), program);
    const total = chainSize(frame);
    if (total > stackLimit) {
      const largest = chainVariables(frame, "").sort((a, b) => b.bytes - a.bytes).slice(0, 4)
        .map((v) => `\`${v.name}\` ${v.bytes} B`).join(", ");
      diags.report(safety.stackLimitExceeded, program.span, program.name, total, largest);
    }
  }
}

type CallbackFrameOf = (body: readonly ir.IrStmt[], bindings: Variable[]) => Frame;

/** Bytes of a callback's context struct: captured values (pointers for arrays and bindings), start, flow, return slot. */
function contextBytes(captures: readonly ir.IrCapture[], tables: TypeTables): number {
  return captures.reduce((sum, c) => sum + capturedBytes(c, tables), 0) + 24;
}

/** Arrays, structs and map-value bindings travel as pointers; scalars are copied. */
function capturedBytes(c: ir.IrCapture, tables: TypeTables): number {
  return c.entry || c.type.kind === "array" || c.type.kind === "struct" ? 8 : sizeOf(c.type, tables);
}

function collect(statements: readonly ir.IrStmt[], frame: Frame, calls: Set<string>, tables: TypeTables, callbackFrame: CallbackFrameOf): void {
  const out = frame.variables;
  const loop = (s: Extract<ir.IrStmt, { kind: "while" | "forRange" | "forMap" }>, bindings: Variable[]): void => {
    if (s.lowering.kind !== "callback") {
      out.push(...bindings);
      collect(s.body, frame, calls, tables, callbackFrame);
      return;
    }
    out.push({ name: "loop context", bytes: contextBytes(s.lowering.captures, tables) });
    const copies = s.lowering.captures.filter((c) => c.type.kind !== "struct" || c.entry)
      .map((c) => ({ name: c.name, bytes: capturedBytes(c, tables) }));
    frame.callbacks.push(callbackFrame(s.body, [...bindings, ...copies]));
  };
  const visitExpr = (e: ir.IrExpr | undefined): void => {
    if (!e) return;
    if (e.kind === "call") calls.add(e.callee);
    // String results and match values are C temporaries on the stack.
    if (e.kind === "strConcat" || e.kind === "strConvert") out.push({ name: "string temporary", bytes: sizeOf(e.type, tables) });
    if (e.kind === "valueBlock") {
      out.push({ name: "match value", bytes: sizeOf(e.type, tables) });
      collect(e.body, frame, calls, tables, callbackFrame);
    }
    for (const child of childExprs(e)) visitExpr(child);
  };
  for (const s of statements) {
    switch (s.kind) {
      case "declare": out.push({ name: s.name, bytes: sizeOf(s.type, tables) }); visitExpr(s.init); break;
      case "ifMapEntry":
        out.push({ name: `${s.binding} key`, bytes: sizeOf(s.keyType, tables) });
        visitExpr(s.key);
        collect(s.then, frame, calls, tables, callbackFrame);
        collect(s.else ?? [], frame, calls, tables, callbackFrame);
        break;
      case "if": visitExpr(s.condition); collect(s.then, frame, calls, tables, callbackFrame); collect(s.else ?? [], frame, calls, tables, callbackFrame); break;
      case "while": visitExpr(s.condition); loop(s, []); break;
      case "forRange": visitExpr(s.start); visitExpr(s.end); loop(s, [{ name: s.variable, bytes: sizeOf(s.variableType, tables) }]); break;
      case "forMap":
        loop(s, [{ name: s.key, bytes: sizeOf(s.keyType, tables) }, ...(s.value ? [{ name: s.value, bytes: sizeOf(s.valueType, tables) }] : [])]);
        break;
      case "ifPacketHeader":
        visitExpr(s.offset);
        collect(s.then, frame, calls, tables, callbackFrame);
        collect(s.else ?? [], frame, calls, tables, callbackFrame);
        break;
      case "assign": case "mapUpdate": case "mapCompound": case "expr": case "return": case "print": case "mapDelete":
        for (const e of statementExprs(s)) visitExpr(e);
        break;
      case "ifPointer":
        out.push({ name: s.binding, bytes: 8 });
        visitExpr(s.value);
        collect(s.then, frame, calls, tables, callbackFrame);
        collect(s.else ?? [], frame, calls, tables, callbackFrame);
        break;
      case "ringbufRelease": visitExpr(s.record); break;
      case "objectDelete": visitExpr(s.pointer); break;
      case "break": case "continue": case "onEvent": break;
      case "block": collect(s.body, frame, calls, tables, callbackFrame); break;
      case "try":
        collect(s.body, frame, calls, tables, callbackFrame);
        for (const c of s.catches) collect(c.body, frame, calls, tables, callbackFrame);
        break;
      case "throw": visitExpr(s.value); break;
      case "defer": s.values.forEach(visitExpr); break;
      case "tryCall":
        calls.add(s.callee);
        s.args.forEach(visitExpr);
        if (s.result) out.push({ name: s.result, bytes: sizeOf(s.type, tables) });
        break;
    }
  }
}

/** The error state, the exit-path result and the defer slots (emit/errors-c.ts). */
function errorFrameVariables(fn: ir.IrFunction, tables: TypeTables): Variable[] {
  const frame = fn.frame;
  if (!frame) return [];
  const out: Variable[] = [];
  if (frame.handles) out.push({ name: "(error state)", bytes: 16 });
  if ((frame.throws || frame.handles || frame.defers.length > 0) && fn.returnType.kind !== "void") out.push({ name: "(return value)", bytes: sizeOf(fn.returnType, tables) });
  for (const slot of frame.defers) {
    out.push({ name: `(defer ${slot.index} flag)`, bytes: 1 });
    for (const capture of slot.captures) out.push({ name: `(defer ${slot.index} argument)`, bytes: sizeOf(capture.type, tables) });
  }
  return out;
}

function statementExprs(s: ir.IrStmt): (ir.IrExpr | undefined)[] {
  switch (s.kind) {
    case "assign": return [s.value];
    case "mapUpdate": return [s.key, s.value];
    case "mapCompound": return [s.key, s.value];
    case "mapDelete": return [s.key];
    case "expr": return [s.expr];
    case "return": return [s.value];
    case "print": return [...s.args];
    default: return [];
  }
}

function childExprs(e: ir.IrExpr): ir.IrExpr[] {
  switch (e.kind) {
    case "binary": case "strConcat": case "strEquals": return [e.left, e.right];
    case "strConvert": case "strBytes": return [e.value];
    case "strIndex": return [e.target, e.index];
    case "unary": return [e.operand];
    case "cast": return [e.expr];
    case "byteOrder": return [e.operand];
    case "field": return [e.target];
    case "contextField": return [e.context];
    case "index": return [e.target, e.index];
    case "mapLookup": case "mapContains": return [e.key];
    case "call": case "builtin": return [...e.args];
    case "structLiteral": return e.fields.map((f) => f.value);
    case "arrayLiteral": return [...e.elements];
    default: return [];
  }
}
