//! Loops → C, for both sides (the policy that picks a lowering is lower/lower-loops.ts).
//!
//! C loops: `for (T i = a, __ks_endN = b; i < __ks_endN; i++)` evaluates the end once,
//! as the language promises; `#pragma unroll` marks small constant ranges. User-space
//! map loops walk `bpf_map_get_next_key()`, fetching the next key before the body runs
//! so that deleting the current entry cannot restart the walk.
//!
//! Callback loops (eBPF): the body becomes a static function called by `bpf_loop()` or
//! `bpf_for_each_map_elem()`. Its context struct (on the caller's stack) holds a copy of
//! every scalar variable the body only reads, a pointer for arrays, structs and
//! map-value bindings, the range start, and a flow flag plus return slot for `return`.
//! Scalars the body writes live in a per-CPU scratch map (`__ks_loop_scratch`, one
//! member per callback) instead: the verifier tracks stack values exactly, so a counter
//! that changes on every iteration and is later compared (`if (total > N)`) would make
//! it re-verify the callback once per value; values loaded from a map are unknown to
//! it, so the callback is verified once. The callback copies the variables into locals
//! of the same names (so the body's C is the same as in a C loop), and every way out
//! (`break`, `continue`, `return`, the end) jumps to one exit label that writes the
//! changed variables back; after the call, the caller copies them back and returns if
//! the body did. XDP and TC programs do not interrupt each other on one CPU, so one
//! per-CPU scratch entry is enough. Range loops with a
//! runtime bound run `end - start` iterations (0 when `end <= start`), at most
//! 8,388,608 (1 << 23): `bpf_loop()` refuses larger counts, so the count is clamped.

import { expressionContains, isCallbackLoop, someStatement, walkStatements, type IrLoop } from "../ir-walk.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { cString, type CCodeEmitter } from "./c-code.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { localName, loopCallbackName, temporaryName, mapName, loopContextStructName, userMapFunctionName } from "../names.js";

type LoopStmt = IrLoop;
type CallbackLowering = Extract<ir.LoopLowering, { kind: "callback" }>;

const maxLoops = 8388608;

interface Callback {
  readonly name: string;
  readonly loop: LoopStmt;
  readonly lowering: CallbackLowering;
  /** Whether the body (or a callback nested in it) can `return` from the function. */
  readonly returns: boolean;
}

/** Every callback loop of one KernelScript function, numbered in source order. */
export class LoopCallbacks {
  private readonly byLoop = new Map<ir.IrStmt, Callback>();
  readonly list: Callback[] = [];

  constructor(functionName: string, readonly returnType: Type, body: readonly ir.IrStmt[]) {
    // Every block kind, match values included: a loop is a callback wherever it is.
    walkStatements<undefined>(body, {
      statement: (s) => {
        if (!isCallbackLoop(s) || s.lowering.kind !== "callback") return;
        const callback: Callback = { name: loopCallbackName(functionName, this.list.length), loop: s, lowering: s.lowering, returns: someStatement(s.body, (x) => x.kind === "return") };
        this.list.push(callback);
        this.byLoop.set(s, callback);
      },
    }, undefined);
  }

  get(loop: ir.IrStmt): Callback | undefined {
    return this.byLoop.get(loop);
  }

  /** Context structs and prototypes: written before the function. */
  declarations(w: CWriter): void {
    for (const cb of this.list) {
      w.withOrigin(cb.loop.span, () => {
        const scratch = cb.lowering.captures.filter(inScratch);
        if (scratch.length > 0) {
          w.block(`struct ${cb.name}_vars`, () => {
            for (const capture of scratch) w.line(`${captureDeclaration(capture, localName(capture.name))};`);
          }, ";");
        }
        w.block(`struct ${loopContextStructName(cb.name)}`, () => {
          for (const capture of cb.lowering.captures) {
            if (!inScratch(capture)) w.line(`${captureDeclaration(capture, localName(capture.name))};`);
          }
          if (scratch.length > 0) w.line(`struct ${cb.name}_vars *vars;`);
          if (cb.loop.kind === "forRange") w.line(`${cDeclaration(cb.loop.variableType, "start")};`);
          if (cb.returns) {
            w.line("int flow;");
            if (this.returnType.kind !== "void") w.line(`${cDeclaration(this.returnType, "ret")};`);
          }
          // An empty struct is not C: keep one member.
          if (cb.lowering.captures.length === 0 && cb.loop.kind !== "forRange" && !cb.returns) w.line("int unused;");
        }, ";");
        w.line(`static long ${cb.name}(${callbackParameters(cb.loop)});`);
      });
    }
    if (this.list.length > 0) w.line();
  }

  /** Callbacks with variables in the scratch map (members of `struct __ks_loop_scratch`). */
  scratchMembers(): string[] {
    return this.list.filter((cb) => cb.lowering.captures.some(inScratch)).map((cb) => cb.name);
  }

  /** The callback functions: written after the function. */
  definitions(w: CWriter, makeEmitter: (frame: CallbackFrame) => CCodeEmitter): void {
    for (const cb of this.list) {
      const frame = new CallbackFrame(cb, this.returnType);
      const code = makeEmitter(frame);
      w.withOrigin(cb.loop.span, () => w.block(`static long ${cb.name}(${callbackParameters(cb.loop)})`, () => frame.body(w, code)));
      w.line();
    }
  }
}

/** The state of one callback body being written: how `break`/`continue`/`return` leave it. */
export class CallbackFrame {
  private exitUsed = false;
  /** Struct variables the body reaches through the context's pointer: name → C lvalue. */
  readonly aliases = new Map<string, string>();

  constructor(private readonly cb: Callback, private readonly returnType: Type) {
    for (const capture of cb.lowering.captures) {
      if (byPointer(capture)) this.aliases.set(capture.name, `(*__ks_c->${localName(capture.name)})`);
    }
  }

  restoreAliases(saved: ReadonlyMap<string, string>): void {
    this.aliases.clear();
    for (const [name, text] of saved) this.aliases.set(name, text);
  }

  /** Leaves the callback: ends the loop (`break`, `return`) or the iteration (`continue`). */
  exit(w: CWriter, how: { loop: "break" | "continue" } | { returning: string }): void {
    if ("returning" in how) {
      if (this.returnType.kind !== "void") w.line(`__ks_c->ret = ${how.returning};`);
      w.line("__ks_c->flow = 1;");
    }
    if (!("loop" in how) || how.loop === "break") w.line("__ks_stop = 1;");
    w.line("goto __ks_out;");
    this.exitUsed = true;
  }

  body(w: CWriter, code: CCodeEmitter): void {
    const { cb } = this;
    const loop = cb.loop;
    w.line(`struct ${loopContextStructName(cb.name)} *__ks_c = __ks_data;`);
    // Nothing to read from the context (see `declarations`): keep -Wunused-variable quiet.
    if (cb.lowering.captures.length === 0 && loop.kind !== "forRange" && !cb.returns) w.line("(void)__ks_c;");
    w.line("long __ks_stop = 0;");
    if (loop.kind === "forRange") {
      const v = localName(loop.variable);
      w.line(`${cDeclaration(loop.variableType, v)} = (${cTypeName(loop.variableType)})(__ks_c->start + __ks_index);`);
      w.line(`(void)${v};`);
    }
    if (loop.kind === "forMap") {
      for (const [name, type, source] of [[loop.key, loop.keyType, "__ks_key"], [loop.value, loop.valueType, "__ks_value"]] as const) {
        if (name === undefined) continue;
        w.line(`${cDeclaration(type, localName(name))};`);
        w.line(`__builtin_memcpy(&${localName(name)}, ${source}, sizeof(${localName(name)}));`);
        w.line(`(void)${localName(name)};`);
      }
    }
    for (const capture of cb.lowering.captures) {
      const name = localName(capture.name);
      if (!byPointer(capture)) w.line(`${captureDeclaration(capture, name)} = __ks_c->${inScratch(capture) ? "vars->" : ""}${name};`);
    }
    if (loop.kind === "while") {
      w.block(`if (!(${code.condition(loop.condition)}))`, () => {
        w.line("__ks_stop = 1;");
        w.line("goto __ks_out;");
      });
      this.exitUsed = true;
    }
    w.block("", () => code.statements(loop.body));
    if (this.exitUsed) w.line("__ks_out:");
    for (const capture of cb.lowering.captures) {
      if (inScratch(capture)) w.line(`__ks_c->vars->${localName(capture.name)} = ${localName(capture.name)};`);
    }
    w.line("return __ks_stop;");
  }
}

function callbackParameters(loop: LoopStmt): string {
  return loop.kind === "forMap"
    ? "struct bpf_map *__ks_map, const void *__ks_key, void *__ks_value, void *__ks_data"
    : "__u32 __ks_index, void *__ks_data";
}

/** Scalars the body writes: kept in the per-CPU scratch map while the loop runs. */
function inScratch(capture: ir.IrCapture): boolean {
  return capture.written && !byPointer(capture);
}

/** The per-CPU map holding the written variables of every callback loop (see the top). */
export function emitLoopScratchMap(w: CWriter, members: readonly string[]): void {
  if (members.length === 0) return;
  w.block("struct __ks_loop_scratch", () => {
    for (const name of members) w.line(`struct ${name}_vars ${name};`);
  }, ";");
  w.block("struct", () => {
    w.line("__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);");
    w.line("__uint(max_entries, 1);");
    w.line("__type(key, __u32);");
    w.line("__type(value, struct __ks_loop_scratch);");
  }, " __ks_loop_scratch SEC(\".maps\");");
  w.line();
}

/** Structs are reached through a pointer to the caller's variable instead of copied. */
function byPointer(capture: ir.IrCapture): boolean {
  return !capture.entry && capture.type.kind === "struct";
}

/** The C declaration of a captured variable (context member and callback local alike). */
function captureDeclaration(capture: ir.IrCapture, name: string): string {
  if (capture.entry || byPointer(capture)) return `${cTypeName(capture.type)} *${name}`;
  if (capture.type.kind === "array") return cDeclaration(capture.type.element, `(*${name})`);
  return cDeclaration(capture.type, name);
}

// ---------------------------------------------------------------------------------------
// Loop statements
// ---------------------------------------------------------------------------------------

export function emitLoop(code: CCodeEmitter, w: CWriter, s: LoopStmt): void {
  const callback = code.loops?.get(s);
  if (callback) {
    emitCallbackCall(code, w, callback);
    return;
  }
  // The IR asked for a callback: writing a C loop instead would be a different program.
  if (s.lowering.kind === "callback") throw new Error(`internal: a callback loop at ${s.span.start} was not found by LoopCallbacks`);
  switch (s.kind) {
    case "while":
      w.block(`while (${code.condition(s.condition)})`, () => code.inCLoop(() => code.statements(s.body)));
      return;
    case "forRange": {
      const v = localName(s.variable);
      const decl = cDeclaration(s.variableType, v);
      const start = code.expr(s.start);
      let header: string;
      if (isConstant(s.end)) {
        header = `for (${decl} = ${start}; ${v} < ${code.expr(s.end)}; ${v}++)`;
      } else {
        // The end is evaluated once, before the first iteration.
        const end = temporaryName("end", code.temporary());
        header = `for (${decl} = ${start}, ${end} = ${code.expr(s.end)}; ${v} < ${end}; ${v}++)`;
      }
      if (s.lowering.kind !== "unrolled") {
        w.block(header, () => code.inCLoop(() => code.statements(s.body)));
        return;
      }
      // Unrolling is a hint: if clang cannot, the loop stays one the verifier walks.
      // Inside a value block (one line of C) the pragmas are operators.
      const pragma = (text: string): void => { w.line(code.inline ? `_Pragma(${cString(text)})` : `#pragma ${text}`); };
      pragma("clang diagnostic push");
      pragma('clang diagnostic ignored "-Wpass-failed"');
      pragma("unroll");
      w.block(header, () => code.inCLoop(() => code.statements(s.body)));
      pragma("clang diagnostic pop");
      return;
    }
    case "forMap":
      emitUserMapLoop(code, w, s);
      return;
  }
}

/** Expression kinds a constant range end is made of (casts and arithmetic of constants). */
const constantKinds: ReadonlySet<ir.IrExpr["kind"]> = new Set(["int", "constant", "sizeof", "cast", "unary", "binary"]);

function isConstant(e: ir.IrExpr): boolean {
  return !expressionContains(e, (x) => !constantKinds.has(x.kind));
}



function emitCallbackCall(code: CCodeEmitter, w: CWriter, cb: Callback): void {
  const ctx = temporaryName("loop", code.temporary());
  const scratch = cb.lowering.captures.filter(inScratch);
  w.block("", () => {
    w.line(`struct ${loopContextStructName(cb.name)} ${ctx};`);
    w.line(`__builtin_memset(&${ctx}, 0, sizeof(${ctx}));`);
    const run = (): void => {
      for (const capture of cb.lowering.captures) {
        const name = code.localRef(capture.name);
        const member = inScratch(capture) ? `${ctx}.vars->` : `${ctx}.`;
        w.line(`${member}${localName(capture.name)} = ${byPointer(capture) ? `&${name}` : name};`);
      }
      emitLoopHelperCall(code, w, cb, ctx);
      for (const capture of scratch) w.line(`${code.localRef(capture.name)} = ${ctx}.vars->${localName(capture.name)};`);
      if (cb.returns) {
        w.block(`if (${ctx}.flow)`, () => code.returnWith(code.loops!.returnType.kind === "void" ? undefined : `${ctx}.ret`));
      }
    };
    if (scratch.length === 0) {
      run();
      return;
    }
    const zero = temporaryName("zero", code.temporary());
    const entry = temporaryName("scratch", code.temporary());
    w.line(`__u32 ${zero} = 0;`);
    w.line(`struct __ks_loop_scratch *${entry} = bpf_map_lookup_elem(&__ks_loop_scratch, &${zero});`);
    // A per-CPU array always has entry 0; the check is for the verifier.
    w.block(`if (${entry})`, () => {
      w.line(`${ctx}.vars = &${entry}->${cb.name};`);
      run();
    });
  });
}

/** The `bpf_loop()` / `bpf_for_each_map_elem()` call itself. */
function emitLoopHelperCall(code: CCodeEmitter, w: CWriter, cb: Callback, ctx: string): void {
  const loop = cb.loop;
    switch (loop.kind) {
      case "forRange": {
        const t = cTypeName(loop.variableType);
        w.line(`${ctx}.start = ${code.expr(loop.start)};`);
        if (cb.lowering.iterations !== undefined) {
          callIfIterations(w, cb.lowering.iterations, `bpf_loop(${cb.lowering.iterations}, ${cb.name}, &${ctx}, 0);`);
        } else {
          const end = temporaryName("end", code.temporary());
          const count = temporaryName("count", code.temporary());
          w.line(`${t} ${end} = ${code.expr(loop.end)};`);
          w.line(`__u64 ${count} = ${end} > ${ctx}.start ? (__u64)${end} - (__u64)${ctx}.start : 0;`);
          w.line(`if (${count} > ${maxLoops})`);
          w.line(`    ${count} = ${maxLoops};`);
          // Called only with a count above zero: see callIfIterations.
          w.line(`if (${count} > 0)`);
          w.line(`    bpf_loop((__u32)${count}, ${cb.name}, &${ctx}, 0);`);
        }
        break;
      }
      case "while":
        callIfIterations(w, cb.lowering.iterations ?? maxLoops, `bpf_loop(${cb.lowering.iterations ?? maxLoops}, ${cb.name}, &${ctx}, 0);`);
        break;
      case "forMap":
        w.line(`bpf_for_each_map_elem(&${mapName(loop.map)}, ${cb.name}, &${ctx}, 0);`);
        break;
    }
}

/**
 * A `bpf_loop()` call the verifier may see with a count of 0 must not be reachable:
 * with R1 known to be 0 the verifier never visits the callback, removes its code as
 * dead, yet keeps the live instruction that loads the callback's address, which then
 * points past the removed function; kernel 6.18 refuses the program with "verifier
 * bug: No program to jit at insn N (subprog < 0)" (EFAULT). So a run-time count is
 * tested first (`if (count > 0)`: where the verifier knows it is 0, the call and the
 * address load are dead code together), and a constant count of 0 makes no call.
 */
function callIfIterations(w: CWriter, iterations: number, call: string): void {
  if (iterations > 0) {
    w.line(call);
    return;
  }
  // Kept in the C (inside `if (0)`) so the callback function is still used.
  w.line("if (0)");
  w.line(`    ${call}`);
}

/** User space: every entry of the map, the next key fetched before the body runs. */
function emitUserMapLoop(code: CCodeEmitter, w: CWriter, s: Extract<ir.IrStmt, { kind: "forMap" }>): void {
  const n = code.temporary();
  const next = temporaryName("next", n);
  const more = temporaryName("more", n);
  const fd = temporaryName("fd", n);
  const key = localName(s.key);
  w.block("", () => {
    w.line(`int ${fd} = bpf_map__fd(ks_skel->maps.${mapName(s.map)});`);
    w.line(`${cDeclaration(s.keyType, next)};`);
    w.line(`int ${more} = bpf_map_get_next_key(${fd}, NULL, &${next}) == 0;`);
    w.block(`while (${more})`, () => {
      w.line(`${cDeclaration(s.keyType, key)};`);
      w.line(`__builtin_memcpy(&${key}, &${next}, sizeof(${key}));`);
      w.line(`${more} = bpf_map_get_next_key(${fd}, &${key}, &${next}) == 0;`);
      w.line(`(void)${key};`);
      if (s.value !== undefined) {
        const value = localName(s.value);
        w.line(`${cDeclaration(s.valueType, value)};`);
        // Deleted since the key was fetched: skip it.
        w.line(`if (${userMapFunctionName(s.map, "lookup")}(&${key}, &${value}) != 0)`);
        w.line("    continue;");
        w.line(`(void)${value};`);
      }
      code.inCLoop(() => code.statements(s.body));
    });
  });
}
