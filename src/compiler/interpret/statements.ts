//! Statements of the IR, executed (with expressions.ts, the interpreter's evaluator),
//! and function calls: locals, `defer` slots run in reverse at every exit, `throw`/`try`
//! as values travelling up to the nearest matching `catch`, loops run as written (the
//! `lowering` of a loop only says how the C is shaped; its meaning is the same), each
//! statement and iteration one step of the budget.

import type * as ir from "../ir.js";
import type { Span } from "../source.js";
import { InternalFault, NotExact, TailCalled, Thrown } from "./faults.js";
import { arithmetic, integerView } from "./integers.js";
import { type Value, asAgg, asInt, load, nullPointer } from "./memory.js";
import { Evaluator, isNull, type Location } from "./expressions.js";
import { Frame, type RunState } from "./frame.js";
import type { Side } from "./machine.js";
import { formatPrint } from "./printf.js";
import { testCall } from "./runs.js";

export type Flow = undefined | "break" | "continue" | { readonly value: Value | undefined };

/** The most tail calls one run may make (the kernel's MAX_TAIL_CALL_CNT). */
export const maxTailCalls = 33;

/** The `entry` binding a place is rooted in (`e` in `e.count`), if any. */
function placeRoot(p: ir.IrPlace): string | undefined {
  const root = (e: ir.IrExpr): string | undefined =>
    e.kind === "entry" ? e.name : e.kind === "field" && !e.viaPointer ? root(e.target) : e.kind === "index" ? root(e.target) : undefined;
  return p.kind === "entry" ? p.name : p.kind === "field" && !p.viaPointer ? root(p.target) : p.kind === "index" ? root(p.target) : undefined;
}

export class Interpreter extends Evaluator {
  testCall(e: Extract<ir.IrExpr, { kind: "testCall" }>, frame: Frame): Value {
    return testCall(this, e, frame);
  }

  /** Calls `fn` with `args`; `run` when it is a program run's entry. */
  callFunction(fn: ir.IrFunction, args: readonly Value[], side: Side, _caller: Frame | undefined, span: Span, run?: RunState): Value {
    this.m.enter(span);
    const frame = new Frame(fn, side, run ?? _caller?.run, this.layouts);
    try {
      fn.params.forEach((p, i) => {
        const local = frame.declare(p.name, p.type);
        this.write(this.localLocation(local), args[i] ?? this.zero(p.type));
      });
      for (const slot of fn.frame?.defers ?? []) for (const c of slot.captures) frame.declareOuter(c.name, c.type);
      let result: Value | undefined;
      try {
        const flow = this.statements(fn.body, frame);
        if (flow !== undefined && flow !== "break" && flow !== "continue") result = flow.value;
      } finally {
        this.runDefers(fn, frame);
      }
      if (fn.returnType.kind === "void") return 0n;
      return result === undefined ? this.zero(fn.returnType) : this.coerce(result, fn.returnType);
    } finally {
      this.m.leave();
    }
  }

  private runDefers(fn: ir.IrFunction, frame: Frame): void {
    const slots = fn.frame?.defers ?? [];
    while (frame.armed.length > 0) {
      const index = frame.armed.pop()!;
      const slot = slots.find((s) => s.index === index);
      if (slot) this.statement(slot.action, frame);
    }
  }

  statements(body: readonly ir.IrStmt[], frame: Frame): Flow {
    for (const s of body) {
      const flow = this.statement(s, frame);
      if (flow !== undefined) return flow;
    }
    return undefined;
  }

  private scoped(body: readonly ir.IrStmt[], frame: Frame, bind?: () => void): Flow {
    frame.push();
    try {
      bind?.();
      return this.statements(body, frame);
    } finally {
      frame.pop();
    }
  }

  private keyBytes(map: string, key: ir.IrExpr, frame: Frame, span: Span): Uint8Array {
    const store = this.m.map(map, span);
    return this.m.bytesOf(store.map.keyType, this.coerce(this.expr(key, frame), store.map.keyType));
  }

  /** `place op= value` at `loc`. */
  private assignAt(loc: Location, op: ir.IrAssignOp, value: Value, span: Span): void {
    if (op === "=") {
      this.write(loc, value);
      return;
    }
    const current = this.read(loc);
    if (typeof current !== "bigint") {
      if (current.kind === "ptr" && (op === "+" || op === "-") && loc.type.kind === "pointer") {
        const size = Math.max(1, this.layouts.sizeOf(loc.type.target));
        const n = Number(BigInt.asIntN(64, asInt(value))) * size;
        this.write(loc, { kind: "ptr", mem: current.mem, off: current.off + (op === "+" ? n : -n) });
        return;
      }
      throw new InternalFault(`compound assignment on a ${current.kind}`, span);
    }
    const t = integerView(loc.type);
    if (!t) throw new InternalFault(`compound assignment on type ${loc.type.kind}`, span);
    this.write(loc, arithmetic(op, t, current, asInt(value)));
  }

  private entryLocation(map: string, key: Uint8Array, frame: Frame, span: Span, create: boolean): Location | undefined {
    const store = this.m.map(map, span);
    const valueType = store.map.valueType;
    let mem = frame.side === "kernel" ? store.lookup(key, this.cpu(frame)) : store.lookupAll(key)?.[0];
    if (!mem && create) {
      store.update(key, asAgg(this.zero(valueType)), 1n, frame.side === "kernel" ? this.cpu(frame) : undefined);
      mem = frame.side === "kernel" ? store.lookup(key, this.cpu(frame)) : store.lookupAll(key)?.[0];
    }
    return mem ? { kind: "mem", mem, off: 0, type: valueType } : undefined;
  }

  statement(s: ir.IrStmt, frame: Frame): Flow {
    this.m.step(s.span);
    if (s.kind === "while" || s.kind === "forRange" || s.kind === "forMap") {
      const outer = this.m.loop;
      this.m.loop = s.span;
      try {
        return this.execute(s, frame);
      } finally {
        this.m.loop = outer;
      }
    }
    return this.execute(s, frame);
  }

  private execute(s: ir.IrStmt, frame: Frame): Flow {
    switch (s.kind) {
      case "declare": {
        const local = frame.declare(s.name, s.type);
        if (s.init) this.write(this.localLocation(local), this.expr(s.init, frame));
        return undefined;
      }
      case "assign": {
        const value = this.expr(s.value, frame);
        const loc = this.locatePlace(s.target, frame);
        this.assignAt(loc, s.op, value, s.span);
        const root = frame.side === "user" ? placeRoot(s.target) : undefined;
        const entry = root === undefined ? undefined : frame.userEntries.get(root);
        if (entry) {
          const binding = this.read(this.localLocation(frame.lookup(root!)));
          const store = this.m.map(entry.map, s.span);
          const copy = this.read(this.deref(binding, store.map.valueType, s.span));
          store.update(entry.key, this.m.aggOf(store.map.valueType, copy), 0n, undefined);
        }
        return undefined;
      }
      case "mapUpdate": {
        const store = this.m.map(s.map, s.span);
        const key = this.keyBytes(s.map, s.key, frame, s.span);
        const value = this.m.aggOf(store.map.valueType, this.coerce(this.expr(s.value, frame), store.map.valueType));
        store.update(key, value, 0n, frame.side === "kernel" ? this.cpu(frame) : undefined);
        return undefined;
      }
      case "mapCompound": {
        const store = this.m.map(s.map, s.span);
        const key = this.keyBytes(s.map, s.key, frame, s.span);
        const value = asInt(this.expr(s.value, frame));
        const t = integerView(store.map.valueType);
        if (!t) throw new InternalFault("a compound update of a map value that is no integer", s.span);
        let after = 0n;
        if (frame.side === "kernel") {
          const mem = store.lookup(key, this.cpu(frame));
          if (mem) {
            after = arithmetic(s.op, t, asInt(load(this.layouts, mem, 0, store.map.valueType)), value);
            this.write({ kind: "mem", mem, off: 0, type: store.map.valueType }, after);
          } else {
            const created = arithmetic(s.op, t, 0n, value);
            if (store.update(key, this.m.aggOf(store.map.valueType, created), 1n, this.cpu(frame)) === 0n) after = created;
          }
        } else {
          const all = store.lookupAll(key);
          const current = all ? asInt(this.sumOverCpus(all, store.map.valueType)) : 0n;
          const next = arithmetic(s.op, t, current, value);
          if (store.update(key, this.m.aggOf(store.map.valueType, next), 0n, undefined) === 0n) after = next;
        }
        if (s.result) this.write(this.localLocation(frame.declare(s.result.name, s.result.type)), after);
        return undefined;
      }
      case "mapDelete":
        this.m.map(s.map, s.span).delete(this.keyBytes(s.map, s.key, frame, s.span));
        return undefined;
      case "expr":
        this.expr(s.expr, frame);
        return undefined;
      case "if":
        if (this.condition(s.condition, frame)) return this.scoped(s.then, frame);
        return s.else ? this.scoped(s.else, frame) : undefined;
      case "ifMapEntry": {
        const key = this.m.bytesOf(s.keyType, this.coerce(this.expr(s.key, frame), s.keyType));
        const store = this.m.map(s.map, s.span);
        if (frame.side === "kernel") {
          const mem = store.lookup(key, this.cpu(frame));
          if (!mem) return s.else ? this.scoped(s.else, frame) : undefined;
          return this.scoped(s.then, frame, () => {
            this.write(this.localLocation(frame.declare(s.binding, { kind: "pointer", target: s.valueType })), { kind: "ptr", mem, off: 0 });
          });
        }
        const all = store.lookupAll(key);
        if (!all) return s.else ? this.scoped(s.else, frame) : undefined;
        return this.scoped(s.then, frame, () => {
          const copy = frame.declare(`%copy:${s.binding}`, s.valueType);
          this.write(this.localLocation(copy), this.sumOverCpus(all, s.valueType));
          this.write(this.localLocation(frame.declare(s.binding, { kind: "pointer", target: s.valueType })), { kind: "ptr", mem: copy.mem, off: 0 });
          frame.userEntries.set(s.binding, { map: s.map, key });
        });
      }
      case "ifPacketHeader": {
        const offset = Number(BigInt.asUintN(64, asInt(this.expr(s.offset, frame))));
        const data = this.expr({ kind: "contextField", context: s.context, field: "data", type: { kind: "pointer", target: { kind: "int", bits: 8, signed: false }, packet: true }, span: s.span }, frame);
        if (typeof data === "bigint" || data.kind !== "ptr" || !data.mem) throw new InternalFault("a packet header of a context without packet data", s.span);
        const size = this.layouts.sizeOf(s.header);
        if (data.off + offset + size > data.mem.bytes.length || offset > Number(s.maxOffset)) return s.else ? this.scoped(s.else, frame) : undefined;
        return this.scoped(s.then, frame, () => {
          this.write(this.localLocation(frame.declare(s.binding, { kind: "pointer", target: s.header, header: true })), { kind: "ptr", mem: data.mem, off: data.off + offset });
        });
      }
      case "while":
        for (;;) {
          this.m.step(s.span);
          if (!this.condition(s.condition, frame)) return undefined;
          const flow = this.scoped(s.body, frame);
          if (flow === "break") return undefined;
          if (flow !== undefined && flow !== "continue") return flow;
        }
      case "forRange": {
        const t = integerView(s.variableType);
        const start = asInt(this.coerce(this.expr(s.start, frame), s.variableType));
        const end = asInt(this.expr(s.end, frame));
        for (let i = start; i < end;) {
          this.m.step(s.span);
          const current = i;
          const flow = this.scoped(s.body, frame, () => this.write(this.localLocation(frame.declare(s.variable, s.variableType)), current));
          if (flow === "break") return undefined;
          if (flow !== undefined && flow !== "continue") return flow;
          const next = t ? arithmetic("+", t, i, 1n) : i + 1n;
          if (next <= i) return undefined;
          i = next;
        }
        return undefined;
      }
      case "forMap": {
        const store = this.m.map(s.map, s.span);
        for (const entry of store.all()) {
          this.m.step(s.span);
          const flow = this.scoped(s.body, frame, () => {
            this.write(this.localLocation(frame.declare(s.key, s.keyType)), this.m.valueOf(s.keyType, entry.key.slice()));
            if (s.value !== undefined) {
              const value = frame.side === "kernel" ? load(this.layouts, entry.values[store.perCpu ? this.cpu(frame) : 0]!, 0, s.valueType) : this.sumOverCpus(entry.values, s.valueType);
              this.write(this.localLocation(frame.declare(s.value, s.valueType)), value);
            }
          });
          if (flow === "break") return undefined;
          if (flow !== undefined && flow !== "continue") return flow;
        }
        return undefined;
      }
      case "break": return "break";
      case "continue": return "continue";
      case "return": return { value: s.value ? this.expr(s.value, frame) : undefined };
      case "print": {
        const args = s.args.map((a) => ({ value: this.expr(a, frame), type: a.type }));
        if (s.variant === "sprintf") {
          const target = this.locate(s.args[0]!, frame);
          const text = formatPrint(s.format, args.slice(1));
          this.write(target, this.stringValue(text, target.type));
          if (s.result) this.write(this.localLocation(frame.declare(s.result, { kind: "int", bits: 32, signed: true })), BigInt(text.length));
          return undefined;
        }
        const text = formatPrint(s.format, args);
        const newline = s.variant === "printf" || s.variant === "eprintf" ? "" : "\n";
        if (frame.side === "kernel") this.m.tracePipe.push(text);
        else this.m.output += text + newline;
        if (s.result) this.write(this.localLocation(frame.declare(s.result, { kind: "int", bits: 32, signed: true })), BigInt(text.length + newline.length));
        return undefined;
      }
      case "block": return this.scoped(s.body, frame);
      case "tailCall": {
        const run = frame.run;
        if (run && this.m.programs.has(s.target) && run.tailCalls < maxTailCalls) {
          run.tailCalls++;
          throw new TailCalled(s.target);
        }
        return { value: this.expr(s.fallback, frame) };
      }
      case "mapEntryAssign": {
        const key = this.m.bytesOf(s.keyType, this.coerce(this.expr(s.key, frame), s.keyType));
        const value = this.expr(s.value, frame);
        const loc = this.entryLocation(s.map, key, frame, s.span, true);
        if (!loc || loc.kind !== "mem") return undefined;
        return this.scoped([], frame, () => {
          this.write(this.localLocation(frame.declare(s.binding, { kind: "pointer", target: s.valueType })), { kind: "ptr", mem: loc.mem, off: 0 });
          this.assignAt(this.locatePlace(s.target, frame), s.op, value, s.span);
          if (frame.side === "user") {
            const store = this.m.map(s.map, s.span);
            store.update(key, this.m.aggOf(s.valueType, load(this.layouts, loc.mem, 0, s.valueType)), 0n, undefined);
          }
        });
      }
      case "declareAlias": {
        const keyLocal = frame.declare(s.keyName, s.keyType);
        this.write(this.localLocation(keyLocal), this.expr(s.key, frame));
        const key = this.m.bytesOf(s.keyType, this.read(this.localLocation(keyLocal)));
        const copy = frame.declare(s.name, s.valueType);
        const pointer = frame.declare(s.pointer, { kind: "pointer", target: s.valueType });
        const loc = this.entryLocation(s.map, key, frame, s.span, false);
        if (loc && loc.kind === "mem") {
          const store = this.m.map(s.map, s.span);
          const value = frame.side === "kernel" ? this.read(loc) : this.sumOverCpus(store.lookupAll(key)!, s.valueType);
          this.write(this.localLocation(copy), value);
          this.write(this.localLocation(pointer), frame.side === "kernel" ? { kind: "ptr", mem: loc.mem, off: 0 } : { kind: "ptr", mem: copy.mem, off: 0 });
        } else {
          this.write(this.localLocation(pointer), nullPointer);
        }
        return undefined;
      }
      case "aliasWriteBack": {
        const pointer = this.read(this.localLocation(frame.lookup(s.pointer)));
        if (isNull(pointer)) return undefined;
        const store = this.m.map(s.map, s.span);
        const key = this.m.bytesOf(store.map.keyType, this.read(this.localLocation(frame.lookup(s.keyName))));
        if (frame.side === "user") {
          const copy = this.read(this.localLocation(frame.lookup(s.alias)));
          store.update(key, this.m.aggOf(store.map.valueType, copy), 0n, undefined);
          return undefined;
        }
        // The same place, rooted at the entry instead of the copy.
        const entry = this.deref(pointer, store.map.valueType, s.span);
        if (entry.kind !== "mem") return undefined;
        frame.push();
        try {
          frame.bind(s.alias, { mem: entry.mem, off: entry.off, type: store.map.valueType });
          const entryPlace = this.locatePlace(s.place, frame);
          if (s.update) this.assignAt(entryPlace, s.update.op, this.expr(s.update.value, frame), s.span);
          else {
            frame.pop();
            const value = this.read(this.locatePlace(s.place, frame));
            frame.push();
            this.write(entryPlace, value);
          }
        } finally {
          frame.pop();
        }
        return undefined;
      }
      case "throw": throw new Thrown(asInt(this.expr(s.value, frame)), s.origin);
      case "try": {
        try {
          return this.scoped(s.body, frame);
        } catch (error) {
          if (!(error instanceof Thrown)) throw error;
          const handler = s.catches.find((c) => c.pattern === undefined || c.pattern === error.code);
          if (!handler) throw error;
          return this.scoped(handler.body, frame);
        }
      }
      case "tryCall": {
        const fn = frame.side === "user" ? this.m.userFunctions.get(s.callee) ?? this.m.kernelFunctions.get(s.callee) : this.m.kernelFunctions.get(s.callee);
        if (!fn) throw new NotExact(`\`${s.callee}\``, "a function the interpreter cannot find", s.span);
        const args = s.args.map((a) => this.expr(a, frame));
        const value = this.callFunction(fn, args, frame.side === "user" && this.m.userFunctions.has(s.callee) ? "user" : frame.side, frame, s.span);
        if (s.result !== undefined) this.write(this.localLocation(frame.declare(s.result, s.type)), value);
        return undefined;
      }
      case "defer": {
        const slot = frame.fn.frame?.defers.find((d) => d.index === s.slot);
        if (!slot) throw new InternalFault(`defer slot ${s.slot} missing`, s.span);
        slot.captures.forEach((c, i) => this.write(this.localLocation(frame.lookup(c.name)), this.expr(s.values[i]!, frame)));
        frame.armed.push(s.slot);
        return undefined;
      }
      case "ringbufRelease": {
        const record = this.expr(s.record, frame);
        if (isNull(record)) return undefined;
        if (typeof record === "bigint" || record.kind !== "ptr" || !record.mem) throw new InternalFault("a ring buffer record that is no pointer", s.span);
        const store = this.m.map(s.map, s.span);
        if (s.op === "submit") {
          const list = this.m.records.get(s.map) ?? [];
          list.push({ bytes: record.mem.bytes.slice() });
          this.m.records.set(s.map, list);
        } else {
          store.ringUsed = Math.max(0, store.ringUsed - (8 + Math.ceil(record.mem.bytes.length / 8) * 8));
        }
        return undefined;
      }
      case "objectDelete": this.expr(s.pointer, frame); return undefined;
      case "onEvent": throw new NotExact("`on_event()`", "records are read with `next()` in tests", s.span);
      case "ifPointer": {
        const value = this.expr(s.value, frame);
        if (isNull(value)) return s.else ? this.scoped(s.else, frame) : undefined;
        return this.scoped(s.then, frame, () => this.write(this.localLocation(frame.declare(s.binding, s.type)), value));
      }
    }
  }
}
