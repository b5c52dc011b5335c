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
import { isAddressableValue } from "../ir.js";
import { isLoop, skipBody, walkStatements, type IrLoop } from "../ir-walk.js";
import { sizeOf, type TypeTables } from "../types.js";
import { factsOf, recordExpression, recordStatement, type FunctionFacts, type FunctionFactsTable } from "./function-facts.js";

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

/**
 * One stack frame: its variables, its largest statement temporary and the callback frames
 * called from it. Temporaries (a map key whose address a helper takes, a struct literal
 * written to a map) live for one statement: clang reuses their slots, so only the largest
 * counts (measured: two 496-byte literals in two map updates build, one 504-byte literal
 * plus its key does not).
 */
interface Frame {
  readonly variables: Variable[];
  temporary: Variable | undefined;
  readonly callbacks: Frame[];
}

/** What inlining a helper adds to its caller's frame, and the helpers inlined with it (itself included). */
interface Inlined {
  readonly variables: readonly Variable[];
  readonly callbacks: readonly Frame[];
  readonly helpers: ReadonlySet<string>;
}

function someIn(names: ReadonlySet<string>, set: ReadonlySet<string>): boolean {
  for (const name of names) if (set.has(name)) return true;
  return false;
}

function ownVariables(frame: Frame): Variable[] {
  return frame.temporary ? [...frame.variables, frame.temporary] : frame.variables;
}

function chainSize(frame: Frame): number {
  const own = ownVariables(frame).reduce((sum, v) => sum + slotBytes(v.bytes), 0);
  return own + Math.max(0, ...frame.callbacks.map(chainSize));
}

/** The variables of the deepest chain, callback ones prefixed with where they live. */
function chainVariables(frame: Frame, prefix: string): Variable[] {
  const own = ownVariables(frame).map((v) => ({ name: `${prefix}${v.name}`, bytes: v.bytes }));
  const deepest = [...frame.callbacks].sort((a, b) => chainSize(b) - chainSize(a))[0];
  return deepest ? [...own, ...chainVariables(deepest, `${prefix}loop callback::`)] : own;
}

/** Also fills `facts` in for every program and helper (function-facts.ts). */
export function checkStackUsage(module: ir.IrModule, diags: Diagnostics, facts: FunctionFactsTable): void {
  const tables: TypeTables = {
    structs: new Map(module.structs.map((s) => [s.name, s])),
    enums: new Map(module.enums.map((e) => [e.name, e])),
  };
  const helpers = new Map(module.helpers.map((h) => [h.name, h]));
  const reached = new Set<string>();
  // A helper's inlined variables, worked out once for all its callers: a helper called
  // from many programs was walked again for each. What a helper inlines depends on its
  // callers only when the recursion guard (`visiting`) cuts a call off, so an answer is
  // kept only if no cut happened while working it out, and reused only where none of
  // the helpers it inlined is being visited.
  const inlinedHelpers = new Map<string, Inlined>();
  let cuts = 0;
  const inline = (helper: ir.IrFunction, visiting: Set<string>): Inlined => {
    const known = inlinedHelpers.get(helper.name);
    if (known && !someIn(known.helpers, visiting)) return known;
    const cutsBefore = cuts;
    const helpersWithin = new Set([helper.name]);
    visiting.add(helper.name);
    const frame = frameOf(helper.body, aggregateParams(helper, tables), visiting, factsOf(facts, helper), helpersWithin, helper);
    visiting.delete(helper.name);
    const inlined: Inlined = {
      variables: ownVariables(frame).map((v) => ({ name: `${helper.name}::${v.name}`, bytes: v.bytes })),
      callbacks: frame.callbacks,
      helpers: helpersWithin,
    };
    if (cuts === cutsBefore) inlinedHelpers.set(helper.name, inlined);
    return inlined;
  };
  /** `helpersWithin` collects the helpers inlined into the frame (and its callback frames). */
  const frameOf = (
    statements: readonly ir.IrStmt[], seed: Variable[], visiting: Set<string>, owner: FunctionFacts, helpersWithin: Set<string>, fn?: ir.IrFunction,
  ): Frame => {
    // Parameters arrive in registers, except structs and arrays (`seed`: copies).
    const frame: Frame = { variables: [...seed], temporary: undefined, callbacks: [] };
    const calls = new Set<string>();
    collect(statements, frame, calls, tables, owner, (body, bindings) => frameOf(body, bindings, visiting, owner, helpersWithin));
    if (fn) frame.variables.push(...errorFrameVariables(fn, tables));
    for (const callee of calls) {
      const helper = helpers.get(callee);
      if (!helper) continue;
      if (visiting.has(callee)) {
        cuts++;
        continue;
      }
      reached.add(callee);
      const inlined = inline(helper, visiting);
      for (const name of inlined.helpers) helpersWithin.add(name);
      frame.variables.push(...inlined.variables);
      frame.callbacks.push(...inlined.callbacks);
    }
    return frame;
  };
  for (const program of module.programs) {
    const frame = frameOf(program.body, [], new Set([program.name]), factsOf(facts, program), new Set(), program);
    const total = chainSize(frame);
    if (total > stackLimit) {
      const largest = largestVariables(frame);
      diags.report(safety.stackLimitExceeded, program.span, program.name, total, largest);
    }
  }
  // A helper no program calls never runs, so its frame cannot break a program; it is
  // still worth saying that the first call would (the reference's safety_demo expects
  // exactly this warning).
  for (const helper of module.helpers) {
    if (reached.has(helper.name)) continue;
    const frame = frameOf(helper.body, [], new Set([helper.name]), factsOf(facts, helper), new Set(), helper);
    const total = chainSize(frame);
    if (total > stackLimit) diags.report(safety.uncalledHelperOverStack, helper.span, helper.name, total, largestVariables(frame));
  }
}

/**
 * A helper's struct and array parameters: each is a copy of the caller's argument on the
 * stack, since C passes them by value (measured with clang 14: even a helper that only
 * reads a 300-byte struct parameter copies it, byte by byte).
 */
function aggregateParams(fn: ir.IrFunction, tables: TypeTables): Variable[] {
  return fn.params.filter((p) => p.type.kind === "struct" || p.type.kind === "array")
    .map((p) => ({ name: `${p.name} (a copy of the argument)`, bytes: sizeOf(p.type, tables) }));
}

/** The four largest variables of the deepest chain, for the notes of E0402/W0262. */
function largestVariables(frame: Frame): safety.StackVariable[] {
  return chainVariables(frame, "").sort((a, b) => b.bytes - a.bytes).slice(0, 4).map((v) => ({ name: v.name, bytes: v.bytes }));
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

/** Every variable of `statements` into `frame`; each callback loop's body into a frame of its own. */
function collect(
  statements: readonly ir.IrStmt[], frame: Frame, calls: Set<string>, tables: TypeTables, owner: FunctionFacts, callbackFrame: CallbackFrameOf,
): void {
  walkStatements<Frame>(statements, {
    statement: (s, into) => {
      recordStatement(owner, s);
      addStatementVariables(s, tables, into.variables);
      if (s.kind === "mapUpdate" || s.kind === "mapDelete" || s.kind === "mapCompound") keepLargest(into, statementTemporary(s, tables));
      if (s.kind === "tryCall") calls.add(s.callee);
    },
    expression: (e, into) => {
      recordExpression(owner, e);
      if (e.kind === "call") calls.add(e.callee);
      if (e.kind === "mapLookup" || e.kind === "mapEntryPointer" || e.kind === "mapContains") {
        // Named only when it is the largest so far: most lookups are not.
        const bytes = sizeOf(e.key.type, tables);
        if (slotBytes(bytes) > slotBytes(into.temporary?.bytes ?? 0)) into.temporary = { name: `key of ${e.map}`, bytes };
      }
      // String results and match values are C temporaries on the stack.
      if (e.kind === "strConcat" || e.kind === "strConvert") into.variables.push({ name: "string temporary", bytes: sizeOf(e.type, tables) });
      // `str(p)` and `comm()` fill a zeroed string of their own (emit/tracing-c.ts) and give
      // a copy of it: clang 14 keeps both (a lone `str(p, 240)` builds, `str(p, 256)` does not).
      if (e.kind === "stringRead" || (e.kind === "tracing" && e.type.kind === "str")) into.variables.push({ name: "string read and its copy", bytes: 2 * sizeOf(e.type, tables) });
      if (e.kind === "valueBlock") into.variables.push({ name: "match value", bytes: sizeOf(e.type, tables) });
    },
    body: (body, owner, into) => {
      if (!isLoop(owner)) return into;
      const bindings = loopBindings(owner, tables);
      if (owner.lowering.kind !== "callback") {
        into.variables.push(...bindings);
        return into;
      }
      into.variables.push({ name: "loop context", bytes: contextBytes(owner.lowering.captures, tables) });
      const copies = owner.lowering.captures.filter((c) => c.type.kind !== "struct" || c.entry)
        .map((c) => ({ name: c.name, bytes: capturedBytes(c, tables) }));
      into.callbacks.push(callbackFrame(body.statements, [...bindings, ...copies]));
      return skipBody;
    },
  }, frame);
}

function keepLargest(frame: Frame, temporary: Variable | undefined): void {
  if (temporary && slotBytes(temporary.bytes) > slotBytes(frame.temporary?.bytes ?? 0)) frame.temporary = temporary;
}

/** What a map write's helper call needs on the stack: its key, and the value when it is a literal. */
function statementTemporary(s: ir.IrStmt, tables: TypeTables): Variable | undefined {
  if (s.kind === "mapUpdate") {
    // A literal is a C temporary of its own, and so is a struct that is not a variable
    // (a helper's result, a map read): the map's accessor takes it by value. A variable is
    // handed over by address (emit/c-code.ts), so it costs nothing more.
    const temporary = s.value.kind === "structLiteral" || s.value.kind === "arrayLiteral" ||
      (s.value.type.kind === "struct" && !isAddressableValue(s.value));
    const value = temporary ? slotBytes(sizeOf(s.value.type, tables)) : 0;
    return { name: value > 0 ? `key and value written to ${s.map}` : `key of ${s.map}`, bytes: slotBytes(sizeOf(s.key.type, tables)) + value };
  }
  if (s.kind === "mapDelete" || s.kind === "mapCompound") return { name: `key of ${s.map}`, bytes: sizeOf(s.key.type, tables) };
  return undefined;
}

/** The variables a loop binds for its body (the range variable, the map loop's key and value). */
function loopBindings(s: IrLoop, tables: TypeTables): Variable[] {
  switch (s.kind) {
    case "while": return [];
    case "forRange": return [{ name: s.variable, bytes: sizeOf(s.variableType, tables) }];
    case "forMap": return [{ name: s.key, bytes: sizeOf(s.keyType, tables) }, ...(s.value ? [{ name: s.value, bytes: sizeOf(s.valueType, tables) }] : [])];
  }
}

/** The stack variables a statement's C declares (loop bindings aside: `loopBindings`), added to `into`. */
function addStatementVariables(s: ir.IrStmt, tables: TypeTables, into: Variable[]): void {
  switch (s.kind) {
    case "declare": into.push({ name: s.name, bytes: sizeOf(s.type, tables) }); return;
    case "ifMapEntry": into.push({ name: `${s.binding} key`, bytes: sizeOf(s.keyType, tables) }); return;
    case "ifPointer": into.push({ name: s.binding, bytes: 8 }); return;
    case "tryCall": if (s.result) into.push({ name: s.result, bytes: sizeOf(s.type, tables) }); return;
    case "mapCompound": if (s.result) into.push({ name: s.result.name, bytes: sizeOf(s.result.type, tables) }); return;
    // The copy, the pointer into the map and the key kept for writing back.
    case "declareAlias":
      into.push({ name: s.name, bytes: sizeOf(s.valueType, tables) }, { name: `${s.name} entry pointer`, bytes: 8 }, { name: `${s.name} key`, bytes: sizeOf(s.keyType, tables) });
      return;
    // The key and, for an absent entry, the zero value inserted first.
    case "mapEntryAssign":
      into.push({ name: "entry key", bytes: sizeOf(s.keyType, tables) }, { name: "new entry", bytes: sizeOf(s.valueType, tables) });
      return;
    case "assign": case "mapUpdate": case "mapDelete": case "expr": case "if": case "ifPacketHeader":
    case "while": case "forRange": case "forMap": case "break": case "continue": case "return": case "print": case "block":
    case "tailCall": case "aliasWriteBack": case "throw": case "try": case "defer": case "ringbufRelease": case "objectDelete":
    case "onEvent":
      return;
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
