//! Expressions and places of the IR, evaluated (an evaluator like the C writer: one
//! exhaustive switch per IR union, no `default:`). Integers are wrapped to their type
//! after every operation (integers.ts); aggregates are copies of their bytes; a place is
//! a location in memory (or a field of a kernel object), so writes land where the C's
//! would: in a local, a global, a map value in place, the packet.

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { Span } from "../source.js";
import { InternalFault, NotExact } from "./faults.js";
import { arithmetic, integerView, shift, swapBytes, wrap } from "./integers.js";
import {
  type Agg, type FieldSlot, type KObj, type Mem, type Ptr, type Value,
  asAgg, asInt, load, loadBits, newMem, nullPointer, store, storeBits,
} from "./memory.js";
import type { Frame, Local } from "./frame.js";
import type { Machine, Side } from "./machine.js";
import { mapMethod } from "./map-methods.js";
import { tracingOp, kernelHelper } from "./helpers.js";

/** Where a place is: bytes in memory (a bitfield when `slot` has bits) or a kernel object's field. */
export type Location =
  | { readonly kind: "mem"; readonly mem: Mem; readonly off: number; readonly type: Type; readonly slot?: FieldSlot }
  | { readonly kind: "kobj"; readonly obj: KObj; readonly field: string; readonly type: Type };

const arithmeticOps = new Set(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]);

export function isPointer(v: Value): v is Ptr {
  return typeof v !== "bigint" && v.kind === "ptr";
}

export function isNull(v: Value): boolean {
  return typeof v !== "bigint" && v.kind === "ptr" && v.mem === undefined;
}

/** The text of a `str(N)` / char array value: its bytes up to the first NUL. */
export function textOf(bytes: Uint8Array): Uint8Array {
  const end = bytes.indexOf(0);
  return end < 0 ? bytes : bytes.subarray(0, end);
}

export abstract class Evaluator {
  constructor(readonly m: Machine) {}

  abstract callFunction(fn: ir.IrFunction, args: readonly Value[], side: Side, frame: Frame | undefined, span: Span): Value;
  abstract testCall(e: Extract<ir.IrExpr, { kind: "testCall" }>, frame: Frame): Value;
  abstract statements(body: readonly ir.IrStmt[], frame: Frame): ReturnType<Evaluator["flowType"]>;
  /** Only for the type of `statements`' result. */
  protected flowType(): undefined | "break" | "continue" | { readonly value: Value | undefined } {
    return undefined;
  }

  get layouts() {
    return this.m.layouts;
  }

  zero(t: Type): Value {
    switch (t.kind) {
      case "str": case "array": case "struct": return { kind: "agg", bytes: new Uint8Array(this.layouts.sizeOf(t)), refs: new Map() };
      case "pointer": case "function": case "programHandle": case "programRef": case "map": case "null": return nullPointer;
      case "int": case "bool": case "char": case "enum": case "void": case "intLiteral": case "error": return 0n;
    }
  }

  /** `v` stored into a place of type `t`: integers wrapped, aggregates resized (a shorter string widened). */
  coerce(v: Value, t: Type): Value {
    const view = integerView(t);
    if (view && typeof v === "bigint") return t.kind === "bool" ? (v !== 0n ? 1n : 0n) : wrap(v, view);
    if ((t.kind === "str" || t.kind === "array" || t.kind === "struct") && typeof v !== "bigint" && v.kind === "agg") {
      const size = this.layouts.sizeOf(t);
      if (v.bytes.length === size) return v;
      const bytes = new Uint8Array(size);
      bytes.set(v.bytes.subarray(0, size));
      // A string keeps its last byte NUL.
      if (t.kind === "str") bytes[size - 1] = 0;
      return { kind: "agg", bytes, refs: v.refs };
    }
    return v;
  }

  read(loc: Location): Value {
    if (loc.kind === "kobj") {
      const v = loc.obj.fields.get(loc.field);
      if (v === undefined) throw new NotExact(`\`${loc.obj.struct}.${loc.field}\``, "the kernel fills it in from its own state (read through BTF); the interpreter does not model it", undefined);
      return v;
    }
    if (loc.slot?.bits) return loadBits(loc.mem, loc.slot, loc.off - loc.slot.offset);
    return load(this.layouts, loc.mem, loc.off, loc.type);
  }

  write(loc: Location, v: Value): void {
    if (loc.kind === "kobj") {
      if (!loc.obj.fields.has(loc.field)) throw new NotExact(`a write to \`${loc.obj.struct}.${loc.field}\``, "the interpreter does not model this kernel field", undefined);
      loc.obj.fields.set(loc.field, this.coerce(v, loc.type));
      return;
    }
    const value = this.coerce(v, loc.type);
    if (loc.slot?.bits) storeBits(loc.mem, loc.slot, loc.off - loc.slot.offset, asInt(value));
    else store(this.layouts, loc.mem, loc.off, loc.type, value);
  }

  /** A temporary location holding `v` (a field or element of a value that is not in memory). */
  temporary(t: Type, v: Value): Location {
    const mem = newMem(this.layouts.sizeOf(t), "temporary");
    store(this.layouts, mem, 0, t, v);
    return { kind: "mem", mem, off: 0, type: t };
  }

  localLocation(local: Local): Location {
    return { kind: "mem", mem: local.mem, off: local.off, type: local.type };
  }

  /** What a pointer value points at, as a location of `t`. */
  deref(p: Value, t: Type, span: Span): Location {
    if (typeof p === "bigint") throw new InternalFault("a dereference of an integer", span);
    if (p.kind === "kobj") return { kind: "mem", mem: newMem(0, "kernel object"), off: 0, type: t };
    if (p.kind !== "ptr") throw new InternalFault(`a dereference of a ${p.kind}`, span);
    if (!p.mem) throw new InternalFault("a dereference of a null pointer (the verifier refuses it)", span);
    return { kind: "mem", mem: p.mem, off: p.off, type: t };
  }

  fieldOf(base: Location, struct: Type, field: string, type: Type, span: Span): Location {
    if (base.kind === "kobj") throw new NotExact(`field \`${field}\``, "it is a member of a kernel object", span);
    if (struct.kind !== "struct") throw new InternalFault(`a field of a ${struct.kind}`, span);
    const slot = this.layouts.field(struct.name, field);
    return { kind: "mem", mem: base.mem, off: base.off + slot.offset, type, slot };
  }

  /** A field through a pointer: a kernel object's named field, or memory. */
  fieldVia(pointer: Value, struct: Type, field: string, type: Type, span: Span): Location {
    if (typeof pointer !== "bigint" && pointer.kind === "kobj") return { kind: "kobj", obj: pointer, field, type };
    const target = struct.kind === "pointer" ? struct.target : struct;
    if (target.kind === "struct" && !this.layouts.has(target.name)) {
      throw new NotExact(`\`${target.name}.${field}\``, "a kernel struct read through BTF: its value depends on the running kernel", span);
    }
    return this.fieldOf(this.deref(pointer, target, span), target, field, type, span);
  }

  elementOf(base: Location, container: Type, index: bigint, type: Type, constant: boolean, span: Span): Location {
    if (base.kind === "kobj") throw new NotExact("an element of a kernel object", "it is kernel memory", span);
    if (container.kind === "str") {
      const i = BigInt.asUintN(64, index);
      // At or past N: a write changes nothing and a read gives NUL (the C's bound check).
      if (i >= BigInt(container.size)) return { kind: "mem", mem: newMem(1, "past the string"), off: 0, type };
      return { kind: "mem", mem: base.mem, off: base.off + Number(i), type };
    }
    if (container.kind === "array") {
      // A run-time index is taken modulo the length (docs/language/integers.md).
      const i = constant ? Number(index) : Number(BigInt.asUintN(64, index) % BigInt(container.length));
      return { kind: "mem", mem: base.mem, off: base.off + i * this.layouts.sizeOf(container.element), type };
    }
    if (container.kind === "pointer") {
      return { kind: "mem", mem: base.mem, off: base.off + Number(index) * this.layouts.sizeOf(container.target), type };
    }
    throw new InternalFault(`an index into a ${container.kind}`, span);
  }

  locatePlace(p: ir.IrPlace, frame: Frame): Location {
    switch (p.kind) {
      case "local": return this.localLocation(frame.lookup(p.name));
      case "global": {
        const g = this.m.global(p.name);
        return { kind: "mem", mem: g.mem, off: 0, type: g.type };
      }
      case "entry": return this.deref(this.read(this.localLocation(frame.lookup(p.name))), p.type, { file: "", start: 0, end: 0 });
      case "field": {
        if (p.viaPointer) return this.fieldVia(this.expr(p.target, frame), p.target.type, p.field, p.type, p.target.span);
        return this.fieldOf(this.locate(p.target, frame), p.target.type, p.field, p.type, p.target.span);
      }
      case "index": {
        const base = p.target.type.kind === "pointer" ? this.deref(this.expr(p.target, frame), p.target.type.target, p.target.span) : this.locate(p.target, frame);
        return this.elementOf(base, p.target.type, asInt(this.expr(p.index, frame)), p.type, p.index.kind === "int", p.index.span);
      }
      case "deref": return this.deref(this.expr(p.pointer, frame), p.type, p.pointer.span);
    }
  }

  /** The location of an expression: its place when it has one, else a temporary holding its value. */
  locate(e: ir.IrExpr, frame: Frame): Location {
    // Expressions with a place of their own; any other value is held in a temporary.
    if (e.kind === "local" && e.orAddressOf === undefined) return this.localLocation(frame.lookup(e.name));
    if (e.kind === "global") return this.locatePlace({ kind: "global", name: e.name, storage: e.storage, type: e.type }, frame);
    if (e.kind === "entry") return this.locatePlace({ kind: "entry", name: e.name, type: e.type }, frame);
    if (e.kind === "field") return this.locatePlace({ kind: "field", target: e.target, field: e.field, viaPointer: e.viaPointer, type: e.type }, frame);
    if (e.kind === "index") return this.locatePlace({ kind: "index", target: e.target, index: e.index, type: e.type }, frame);
    if (e.kind === "contextField") return this.fieldVia(this.expr(e.context, frame), e.context.type, e.field, e.type, e.span);
    if (e.kind === "unary" && e.op === "*") return this.deref(this.expr(e.operand, frame), e.type, e.span);
    return this.temporary(e.type, this.expr(e, frame));
  }

  condition(e: ir.IrExpr, frame: Frame): boolean {
    const v = this.expr(e, frame);
    if (typeof v === "bigint") return v !== 0n;
    if (v.kind === "ptr") return v.mem !== undefined;
    return true;
  }

  expr(e: ir.IrExpr, frame: Frame): Value {
    switch (e.kind) {
      case "int": return e.value;
      case "bool": return e.value ? 1n : 0n;
      case "string": return this.stringValue(e.value, e.type);
      case "null": return nullPointer;
      case "constant": return e.value;
      case "local": {
        const v = this.read(this.localLocation(frame.lookup(e.name)));
        if (e.orAddressOf !== undefined && isNull(v)) {
          const copy = frame.lookup(e.orAddressOf);
          return { kind: "ptr", mem: copy.mem, off: copy.off };
        }
        return v;
      }
      case "global": case "entry": case "field": case "index": return this.read(this.locate(e, frame));
      case "binary": return this.binary(e, frame);
      case "unary": return this.unary(e, frame);
      case "cast": return this.cast(this.expr(e.expr, frame), e.expr.type, e.type, e.span);
      case "contextField": return this.read(this.locate(e, frame));
      case "mapLookup": return this.mapGet(e.map, e.key, e.type, frame, e.span);
      case "mapEntryPointer": {
        const store = this.m.map(e.map, e.span);
        const key = this.m.bytesOf(e.keyType, this.coerce(this.expr(e.key, frame), e.keyType));
        const mem = frame.side === "kernel" ? store.lookup(key, this.cpu(frame)) : store.lookupAll(key)?.[0];
        return mem ? { kind: "ptr", mem, off: 0 } : nullPointer;
      }
      case "mapContains": {
        const store = this.m.map(e.map, e.span);
        const keyType = store.map.keyType;
        return store.lookup(this.m.bytesOf(keyType, this.coerce(this.expr(e.key, frame), keyType)), this.cpu(frame)) ? 1n : 0n;
      }
      case "call": return this.callExpr(e, frame);
      case "functionRef": return { kind: "fn", name: e.name };
      case "callValue": {
        const callee = this.expr(e.callee, frame);
        if (typeof callee === "bigint" || callee.kind !== "fn") throw new InternalFault("a call through a value that is no function", e.span);
        const args = e.args.map((a) => this.expr(a, frame));
        return this.callNamed(callee.name, args, frame, e.span);
      }
      case "builtin": return this.builtin(e, frame);
      case "programRef": return { kind: "prog", name: e.name };
      case "structLiteral": {
        const mem = newMem(this.layouts.sizeOf(e.type), "struct literal");
        for (const f of e.fields) {
          const loc = this.fieldOf({ kind: "mem", mem, off: 0, type: e.type }, e.type, f.name, this.layouts.field(e.struct, f.name).type, e.span);
          this.write(loc, this.expr(f.value, frame));
        }
        return { kind: "agg", bytes: mem.bytes, refs: mem.refs };
      }
      case "arrayLiteral": {
        if (e.type.kind !== "array") throw new InternalFault("an array literal of a non-array type", e.span);
        const mem = newMem(this.layouts.sizeOf(e.type), "array literal");
        const size = this.layouts.sizeOf(e.type.element);
        e.elements.forEach((el, i) => {
          if (e.type.kind === "array" && i < e.type.length) this.write({ kind: "mem", mem, off: i * size, type: e.type.element }, this.expr(el, frame));
        });
        return { kind: "agg", bytes: mem.bytes, refs: mem.refs };
      }
      case "sizeof": return BigInt(this.layouts.sizeOf(e.of));
      case "byteOrder": {
        const v = asInt(this.expr(e.operand, frame));
        return swapBytes(v, e.name === "ntohs" || e.name === "htons" ? 16 : 32);
      }
      case "strConcat": {
        const left = textOf(asAgg(this.expr(e.left, frame)).bytes);
        const right = textOf(asAgg(this.expr(e.right, frame)).bytes);
        const size = this.layouts.sizeOf(e.type);
        const bytes = new Uint8Array(size);
        const room = size - 1;
        bytes.set(left.subarray(0, room));
        bytes.set(right.subarray(0, Math.max(0, room - left.length)), Math.min(left.length, room));
        return { kind: "agg", bytes, refs: new Map() };
      }
      case "strEquals": {
        const a = textOf(asAgg(this.expr(e.left, frame)).bytes);
        const b = textOf(asAgg(this.expr(e.right, frame)).bytes);
        const equal = a.length === b.length && a.every((x, i) => x === b[i]);
        return equal !== e.negated ? 1n : 0n;
      }
      case "strIndex": {
        const s = asAgg(this.expr(e.target, frame)).bytes;
        const i = BigInt.asUintN(64, asInt(this.expr(e.index, frame)));
        // Past the capacity reads NUL.
        return i < BigInt(s.length - 1) ? BigInt(s[Number(i)]!) : 0n;
      }
      case "strConvert": {
        const v = asAgg(this.expr(e.value, frame));
        const size = this.layouts.sizeOf(e.type);
        const bytes = new Uint8Array(size);
        bytes.set(textOf(v.bytes).subarray(0, size - 1));
        return { kind: "agg", bytes, refs: new Map() };
      }
      case "strBytes": {
        const v = asAgg(this.expr(e.value, frame));
        const size = this.layouts.sizeOf(e.type);
        const bytes = new Uint8Array(size);
        bytes.set(textOf(v.bytes).subarray(0, size));
        return { kind: "agg", bytes, refs: new Map() };
      }
      case "valueBlock": {
        frame.push();
        try {
          frame.declare(e.result, e.type);
          const flow = this.statements(e.body, frame);
          if (flow !== undefined) throw new InternalFault("control flow leaving a value block", e.span);
          return this.read(this.localLocation(frame.lookup(e.result)));
        } finally {
          frame.pop();
        }
      }
      case "ringbufReserve": {
        const store = this.m.map(e.map, e.span);
        const t = e.type.kind === "pointer" ? e.type.target : e.type;
        const size = this.layouts.sizeOf(t);
        const need = 8 + Math.ceil(size / 8) * 8;
        if (store.ringUsed + need >= store.map.maxEntries) {
          // The generated reserve counts every record it could not get (`dropped()`).
          store.dropped++;
          return nullPointer;
        }
        store.ringUsed += need;
        return { kind: "ptr", mem: newMem(size, `record of ${e.map}`), off: 0 };
      }
      case "objectNew": {
        const t = e.of;
        return { kind: "ptr", mem: newMem(this.layouts.sizeOf(t), `object ${t.kind === "struct" ? t.name : "value"}`), off: 0 };
      }
      case "dispatch": throw new NotExact("`dispatch()`", "it waits for events of attached programs", e.span);
      case "mapMethod": return mapMethod(this, e, frame);
      case "testCall": return this.testCall(e, frame);
      case "escapeSlot": {
        // The one-entry per-CPU array keeping `local` of `helper` after it returns `&local`.
        const key = `${e.helper}\u0000${e.local}\u0000${this.cpu(frame)}`;
        let mem = this.m.escapeSlots.get(key);
        if (!mem) {
          mem = newMem(this.layouts.sizeOf(e.type.kind === "pointer" ? e.type.target : e.type), `the slot keeping ${e.local} of ${e.helper}`);
          this.m.escapeSlots.set(key, mem);
        }
        return { kind: "ptr", mem, off: 0 };
      }
      case "tracing": return tracingOp(this, e, frame);
      case "stringRead": throw new NotExact(`\`str(…)\` read through a kernel pointer`, "it reads kernel or user memory of the traced event", e.span);
    }
  }

  cpu(frame: Frame): number {
    return frame.run?.cpu ?? this.m.options.cpu;
  }

  stringValue(text: string, t: Type): Agg {
    const size = t.kind === "str" ? t.size + 1 : t.kind === "array" ? this.layouts.sizeOf(t) : text.length + 1;
    const bytes = new Uint8Array(size);
    const encoded = new TextEncoder().encode(text);
    bytes.set(encoded.subarray(0, Math.max(0, t.kind === "str" ? size - 1 : size)));
    return { kind: "agg", bytes, refs: new Map() };
  }

  /** `m[k]` as a value: the entry's value (user space: summed over CPUs), or zero. */
  mapGet(map: string, keyExpr: ir.IrExpr, t: Type, frame: Frame, span: Span): Value {
    const store = this.m.map(map, span);
    const keyType = store.map.keyType;
    const key = this.m.bytesOf(keyType, this.coerce(this.expr(keyExpr, frame), keyType));
    if (frame.side === "kernel") {
      const mem = store.lookup(key, this.cpu(frame));
      return mem ? load(this.layouts, mem, 0, store.map.valueType) : this.zero(t);
    }
    const all = store.lookupAll(key);
    if (!all) return this.zero(t);
    return this.sumOverCpus(all, store.map.valueType);
  }

  /** User space reads a per-CPU value as the sum of every CPU's (integers, field by field). */
  sumOverCpus(values: readonly Mem[], t: Type): Value {
    const first = load(this.layouts, values[0]!, 0, t);
    if (values.length === 1) return first;
    const mem = newMem(this.layouts.sizeOf(t), "sum");
    store(this.layouts, mem, 0, t, first);
    const add = (off: number, type: Type): void => {
      const view = type.kind === "int" ? type : undefined;
      if (view) {
        let total = 0n;
        for (const v of values) total += asInt(load(this.layouts, v, off, type));
        store(this.layouts, mem, off, type, wrap(total, view));
      } else if (type.kind === "array") {
        const size = this.layouts.sizeOf(type.element);
        for (let i = 0; i < type.length; i++) add(off + i * size, type.element);
      } else if (type.kind === "struct") {
        for (const slot of this.layouts.layout(type.name).fields.values()) if (!slot.bits) add(off + slot.offset, slot.type);
      }
    };
    add(0, t);
    return load(this.layouts, mem, 0, t);
  }

  private binary(e: Extract<ir.IrExpr, { kind: "binary" }>, frame: Frame): Value {
    if (e.op === "&&") return this.condition(e.left, frame) && this.condition(e.right, frame) ? 1n : 0n;
    if (e.op === "||") return this.condition(e.left, frame) || this.condition(e.right, frame) ? 1n : 0n;
    const left = this.expr(e.left, frame);
    const right = this.expr(e.right, frame);
    if (isPointer(left) || isPointer(right) || typeof left !== "bigint" || typeof right !== "bigint") return this.pointerBinary(e, left, right);
    if (arithmeticOps.has(e.op)) {
      const t = integerView(e.type);
      if (!t) throw new InternalFault(`arithmetic of type ${e.type.kind}`, e.span);
      if (e.op === "<<" || e.op === ">>") return shift(e.op, t, wrap(left, t), right);
      return arithmetic(e.op as ir.IrArithOp, t, left, right);
    }
    switch (e.op) {
      case "==": return left === right ? 1n : 0n;
      case "!=": return left !== right ? 1n : 0n;
      case "<": return left < right ? 1n : 0n;
      case "<=": return left <= right ? 1n : 0n;
      case ">": return left > right ? 1n : 0n;
      case ">=": return left >= right ? 1n : 0n;
      default: throw new InternalFault(`binary ${e.op}`, e.span);
    }
  }

  private pointerBinary(e: Extract<ir.IrExpr, { kind: "binary" }>, left: Value, right: Value): Value {
    const same = (a: Value, b: Value): boolean => {
      if (isPointer(a) && isPointer(b)) return a.mem === b.mem && a.off === b.off;
      if (typeof a === "bigint" && isPointer(b)) return a === 0n && b.mem === undefined;
      if (typeof b === "bigint" && isPointer(a)) return b === 0n && a.mem === undefined;
      return a === b;
    };
    switch (e.op) {
      case "==": return same(left, right) ? 1n : 0n;
      case "!=": return same(left, right) ? 0n : 1n;
      case "-":
        if (isPointer(left) && isPointer(right)) {
          if (left.mem !== right.mem) throw new InternalFault("a difference of pointers into different memory", e.span);
          const size = e.left.type.kind === "pointer" ? Math.max(1, this.layouts.sizeOf(e.left.type.target)) : 1;
          return BigInt.asUintN(64, BigInt((left.off - right.off) / size));
        }
        if (isPointer(left) && typeof right === "bigint") return this.offsetPointer(left, -right, e.left.type);
        break;
      case "+":
        if (isPointer(left) && typeof right === "bigint") return this.offsetPointer(left, right, e.left.type);
        if (isPointer(right) && typeof left === "bigint") return this.offsetPointer(right, left, e.right.type);
        break;
      case "<": case "<=": case ">": case ">=":
        if (isPointer(left) && isPointer(right) && left.mem === right.mem) {
          const a = left.off, b = right.off;
          const r = e.op === "<" ? a < b : e.op === "<=" ? a <= b : e.op === ">" ? a > b : a >= b;
          return r ? 1n : 0n;
        }
        break;
      default: break;
    }
    throw new NotExact(`\`${e.op}\` on pointers`, "pointer values are not numbers off-kernel", e.span);
  }

  private offsetPointer(p: Ptr, n: bigint, t: Type): Ptr {
    const size = t.kind === "pointer" ? Math.max(1, this.layouts.sizeOf(t.target)) : 1;
    return { kind: "ptr", mem: p.mem, off: p.off + Number(BigInt.asIntN(64, n)) * size };
  }

  private unary(e: Extract<ir.IrExpr, { kind: "unary" }>, frame: Frame): Value {
    switch (e.op) {
      case "!": return this.condition(e.operand, frame) ? 0n : 1n;
      case "-": case "~": {
        const t = integerView(e.type);
        const v = asInt(this.expr(e.operand, frame));
        if (!t) throw new InternalFault(`unary ${e.op} of type ${e.type.kind}`, e.span);
        return wrap(e.op === "-" ? -v : ~v, t);
      }
      case "&": {
        const loc = this.locate(e.operand, frame);
        if (loc.kind === "kobj") {
          const v = loc.obj.fields.get(loc.field);
          if (v !== undefined && typeof v !== "bigint" && v.kind === "kobj") return v;
          throw new NotExact(`the address of \`${loc.obj.struct}.${loc.field}\``, "it is kernel memory", e.span);
        }
        return { kind: "ptr", mem: loc.mem, off: loc.off };
      }
      case "*": return this.read(this.deref(this.expr(e.operand, frame), e.type, e.span));
    }
  }

  cast(v: Value, from: Type, to: Type, span: Span): Value {
    if (to.kind === "bool") {
      if (typeof v === "bigint") return v !== 0n ? 1n : 0n;
      return isNull(v) ? 0n : 1n;
    }
    const view = integerView(to);
    if (view) {
      if (typeof v === "bigint") return wrap(v, view);
      throw new NotExact(`a pointer converted to \`${from.kind}\` → integer`, "addresses are not numbers off-kernel", span);
    }
    return this.coerce(v, to);
  }

  private callExpr(e: Extract<ir.IrExpr, { kind: "call" }>, frame: Frame): Value {
    const args = e.args.map((a) => this.expr(a, frame));
    if (e.helper || e.external) {
      const own = this.m.kernelFunctions.get(e.callee);
      if (own && !e.helper) return this.callFunction(own, args, "kernel", frame, e.span);
      return kernelHelper(this, e.callee, args, e.args, frame, e.span);
    }
    return this.callNamed(e.callee, args, frame, e.span);
  }

  callNamed(name: string, args: readonly Value[], frame: Frame, span: Span): Value {
    const side = frame.side;
    const fn = side === "user" ? this.m.userFunctions.get(name) ?? this.m.kernelFunctions.get(name) : this.m.kernelFunctions.get(name) ?? this.m.userFunctions.get(name);
    if (!fn) {
      const kernelModule = this.m.module.kernelModule.find((f) => f.name === name);
      if (kernelModule) return this.callFunction(kernelModule, args, "kernel", frame, span);
      return kernelHelper(this, name, args, [], frame, span);
    }
    return this.callFunction(fn, args, side === "user" && this.m.userFunctions.has(name) ? "user" : "kernel", frame, span);
  }

  private builtin(e: Extract<ir.IrExpr, { kind: "builtin" }>, frame: Frame): Value {
    switch (e.name) {
      case "load": case "attach": case "detach": case "register": case "read":
        throw new NotExact(`\`${e.name}()\``, "attaching programs to kernel events needs the kernel", e.span);
      case "exec": case "daemon": case "python":
        throw new NotExact(`\`${e.name}()\``, "it hands over to another process", e.span);
      case "now": case "wall_time": return this.m.now();
      case "sleep": this.m.now(); return 0n;
      case "running": return 1n;
      case "ntop": case "macaddr": case "strftime":
        throw new NotExact(`\`${e.name}()\``, "the interpreter does not format addresses or times yet", e.span);
    }
  }
}
