//! The map accessors generated code calls (`ks_<map>_get`, `_contains`, `_set`,
//! `_delete`, `_lookup`, and one per compound operator such as `_add`), written once
//! per map and side, and only those a program actually uses.
//!
//! eBPF side: straight helper calls on the map; compound updates do one lookup and
//! change the value in place, creating the entry when it is absent. `+=`/`-=` on shared
//! (non-per-CPU) maps are atomic, because several CPUs run the program at once.
//! User side: built on the loader's fd-based `ks_map_<map>_lookup/update/delete`.

import type * as ir from "../ir.js";
import { atomicCapable } from "../kernel/builtins.js";
import { mapKinds } from "../kernel/map-kinds.js";
import type { Type } from "../types.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { compoundAccessorNames, compoundValueAccessorNames, type MapAccessorUse, type Side } from "./c-code.js";
import { integerBinary, integerTypeOf } from "./integers-c.js";
import { mapName, mapAccessorName, userMapFunctionName, type UserMapFunction } from "../names.js";
import { atomicUpdate } from "./globals-c.js";

const compoundOperators = Object.entries(compoundAccessorNames) as [ir.IrArithOp, string][];
const valueOperators = Object.entries(compoundValueAccessorNames) as [ir.IrArithOp, string][];


function isIntegerLike(t: Type): boolean {
  return t.kind === "int" || t.kind === "enum" || t.kind === "char" || t.kind === "bool";
}

/** `left op right` on a map value of `type`, with KernelScript's integer rules (integers-c.ts). */
function valueOperation(op: ir.IrArithOp, type: Type, left: string, right: string): string {
  const plain = `${left} ${op} ${right}`;
  const t = integerTypeOf(type);
  const text = t ? integerBinary(op, t, left, right, undefined).text : plain;
  return text === `(${plain})` ? plain : text;
}

export function emitMapOperations(w: CWriter, side: Side, maps: readonly ir.IrMap[], use: MapAccessorUse): void {
  for (const map of maps) {
    const used = use.used.get(map.name);
    if (!used) continue;
    // get/contains/compound are written in terms of lookup and set.
    const needed = new Set(used);
    if (needed.has("get") || needed.has("contains") || side === "user") needed.add("lookup");
    w.comment(`accessors of map ${map.name}`);
    if (side === "kernel") emitKernelAccessors(w, map, needed);
    else emitUserAccessors(w, map, needed);
  }
}

function emitKernelAccessors(w: CWriter, map: ir.IrMap, needed: ReadonlySet<string>): void {
  const K = cTypeName(map.keyType);
  const V = cTypeName(map.valueType);
  const fn = (accessor: string): string => `static __always_inline ${accessor}`;
  const name = (accessor: string): string => mapAccessorName(map.name, accessor);
  if (needed.has("lookup")) {
    w.block(fn(`${V} *${name("lookup")}(${K} *key)`), () => {
      w.line(`return bpf_map_lookup_elem(&${mapName(map.name)}, key);`);
    });
  }
  if (needed.has("get")) {
    w.block(fn(`${V} ${name("get")}(${K} key)`), () => {
      w.line(`${V} *value = ${name("lookup")}(&key);`);
      w.line(`${cDeclaration(map.valueType, "zero")};`);
      w.line("if (value)");
      w.line("    return *value;");
      w.line("__builtin_memset(&zero, 0, sizeof(zero));");
      w.line("return zero;");
    });
  }
  if (needed.has("contains")) {
    // The presence, not the pointer, leaves the accessor: hidden from clang, which would
    // otherwise fold `m[k] != null || x` into `(pointer | x) != 0`, arithmetic on a map
    // value pointer that the verifier refuses.
    w.block(fn(`bool ${name("contains")}(${K} key)`), () => {
      w.line(`__u64 present = ${name("lookup")}(&key) != NULL;`);
      w.line('asm volatile("" : "+r"(present));');
      w.line("return present;");
    });
  }
  if (needed.has("entry")) {
    // The entry's address, for a branch on it that clang cannot see (c-code.ts presenceBranch).
    w.block(fn(`${V} *${name("entry")}(${K} key)`), () => {
      w.line(`return bpf_map_lookup_elem(&${mapName(map.name)}, &key);`);
    });
  }
  if (needed.has("set")) {
    w.block(fn(`void ${name("set")}(${K} key, ${V} value)`), () => {
      w.line(`bpf_map_update_elem(&${mapName(map.name)}, &key, &value, BPF_ANY);`);
    });
  }
  if (needed.has("set_from")) {
    w.block(fn(`void ${name("set_from")}(${K} key, const ${V} *value)`), () => {
      w.line(`bpf_map_update_elem(&${mapName(map.name)}, &key, value, BPF_ANY);`);
    });
  }
  if (needed.has("delete")) {
    w.block(fn(`void ${name("delete")}(${K} key)`), () => w.line(`bpf_map_delete_elem(&${mapName(map.name)}, &key);`));
  }
  for (const [op, accessor] of compoundOperators) {
    if (!needed.has(accessor) || !isIntegerLike(map.valueType)) continue;
    w.block(fn(`void ${name(accessor)}(${K} key, ${V} operand)`), () => {
      const inRegister = operandInRegister(map, op);
      if (inRegister) w.line('asm volatile("" : "+r"(operand));');
      emitKernelEntryForUpdate(w, map, () => "return;", false);
      w.line(inRegister ? 'asm volatile("lock *(u64 *)(%0 + 0) += %1" : : "r"(value), "r"(operand) : "memory");' : kernelValueUpdate(map, op, "value"));
    });
  }
  for (const [op, accessor] of valueOperators) {
    if (!needed.has(accessor) || !isIntegerLike(map.valueType)) continue;
    w.block(fn(`${V} ${name(accessor)}(${K} key, ${V} operand)`), () => {
      emitKernelEntryForUpdate(w, map, (zero) => `return ${zero};`, true);
      kernelUpdatedValue(map, op).forEach((line) => w.line(line));
    });
  }
}

/**
 * `*value op= operand`, then the entry's value after it. An atomic 64-bit update gives
 * it itself (`__sync_fetch_and_add` returns the value before: add the operand again),
 * so each CPU sees the value its own update made. A 32-bit one cannot: clang without
 * BPF v3 refuses to use the result of a 32-bit atomic ("Invalid usage of the XADD
 * return value"), so the entry is read right after the update, as a later `m[k]`
 * would be (only combined reads use this: `(m[k] += v)` as a value refuses such maps,
 * check/compound-values.ts).
 */
function kernelUpdatedValue(map: ir.IrMap, op: ir.IrArithOp): string[] {
  const type = map.valueType;
  const atomic = !mapKinds[map.mapKind].perCpu && atomicCapable(op, type);
  if (atomic && type.kind === "int" && type.bits === 64) {
    return [`return ${valueOperation(op, type, `__sync_fetch_and_${op === "+" ? "add" : "sub"}(value, operand)`, "operand")};`];
  }
  return [kernelValueUpdate(map, op, "value"), "return *value;"];
}

/**
 * Declares `value`, the entry `m[k] op= operand` updates, in a function holding `key`
 * and `operand`; `missing` is the statement run when the entry cannot exist, given the
 * zero to return as C text (or undefined when the function returns nothing).
 *
 * The common case, a present entry, is one lookup. An absent entry of a map with keys
 * is first inserted at zero with `BPF_NOEXIST` (when another CPU inserted it in the
 * meantime the insert fails and that entry stays), then looked up again and updated as
 * any present entry: an entry created at zero, then updated, as docs/language/basics.md
 * says, and no update is lost under the race. A second miss means the map is full or the
 * entry went again: the update is dropped, as a read there gives zero.
 *
 * A loop, not a second lookup written out: one lookup and one insert, as hand-written C
 * has. The shape is what clang compiles smallest (5 instructions of bookkeeping on the
 * miss path, none on the hit path):
 * - `inserted` is the loop's state: the verifier needs a register that differs between
 *   the passes (a loop whose state does not change is refused, "infinite loop
 *   detected"). An empty asm after it is set hides the constant, or clang narrows the
 *   flag to one bit and masks it (`&= 1`).
 * - The branch back is an `asm goto`: with a plain `goto`, clang rotates the loop and
 *   writes the lookup twice (a second call site, which the verifier inlines again). It
 *   tests `inserted` (always set there): an unconditional one needs an unreachable
 *   fall-through, after which clang leaves a jump to a block it deleted once the loop
 *   is unrolled ("jump out of range"). Its fall-through is dead code the verifier
 *   removes, as it knows `inserted` is 1.
 * - `none`, the zero behind an empty asm, is both the value inserted and the one
 *   returned on a second miss: one register, where two constants would each be loaded.
 * An array has every index: its lookup misses only past `max_entries`, where an insert
 * fails too, so it has no such path (the update is skipped, as a read there gives zero).
 */
function emitKernelEntryForUpdate(w: CWriter, map: ir.IrMap, missing: (zero: string | undefined) => string, returnsValue: boolean): void {
  const V = cTypeName(map.valueType);
  const lookup = `bpf_map_lookup_elem(&${mapName(map.name)}, &key)`;
  if (mapKinds[map.mapKind].everyIndexPresent) {
    w.line(`${V} *value = ${lookup};`);
    w.line("if (!value)");
    w.line(`    ${missing(returnsValue ? "0" : undefined)}`);
    return;
  }
  w.line(`${V} *value;`);
  w.line("long inserted = 0;");
  w.dedent();
  w.line("again:");
  w.indent();
  w.line(`value = ${lookup};`);
  w.block("if (__builtin_expect(!value, 0))", () => {
    if (returnsValue) {
      w.line(`${V} none = 0;`);
      w.line('asm("" : "+r"(none));');
    }
    w.line("if (inserted)");
    w.line(`    ${missing(returnsValue ? "none" : undefined)}`);
    w.comment("absent: insert it at zero (unless another CPU just did), then update it as a present entry");
    w.line(`${V} initial = ${returnsValue ? "none" : "0"};`);
    w.line(`bpf_map_update_elem(&${mapName(map.name)}, &key, &initial, BPF_NOEXIST);`);
    w.line("inserted = 1;");
    w.line('asm("" : "+r"(inserted));');
    w.line('asm goto("if %[inserted] != 0 goto %l[again]" :: [inserted]"r"(inserted) :: again);');
    w.line(`${missing(returnsValue ? "none" : undefined)}`);
  });
}

/**
 * Whether `m[k] += operand` (no value kept) on a shared map that can insert adds with the
 * atomic instruction written out, `operand` held in one register for the insert and
 * the add. clang models its own atomic add as writing its operand register (the form
 * that fetches does), so an operand used twice is copied, or a constant loaded again,
 * for the add; written out, the add only reads it. The empty asm at the start makes a
 * constant operand one register value, loaded once. The "memory" clobber keeps the add
 * where it is among the function's memory accesses, as the builtin is. 64-bit only: a
 * 32-bit add has its own constraints (globals-c.ts atomicUpdate).
 */
function operandInRegister(map: ir.IrMap, op: ir.IrArithOp): boolean {
  const type = map.valueType;
  return op === "+" && type.kind === "int" && type.bits === 64 && !mapKinds[map.mapKind].perCpu && !mapKinds[map.mapKind].everyIndexPresent;
}

/** `*value op= operand` on a present entry: atomic for `+=`/`-=` on a shared map (lower/shared-memory.ts). */
function kernelValueUpdate(map: ir.IrMap, op: ir.IrArithOp, value: string): string {
  const atomic = !mapKinds[map.mapKind].perCpu && atomicCapable(op, map.valueType);
  return (atomic ? atomicUpdate("kernel", op, map.valueType, value, "operand") : undefined) ??
    `*${value} = ${valueOperation(op, map.valueType, `*${value}`, "operand")};`;
}

function emitUserAccessors(w: CWriter, map: ir.IrMap, needed: ReadonlySet<string>): void {
  const K = cTypeName(map.keyType);
  const V = cTypeName(map.valueType);
  const fn = (accessor: string): string => `static ${accessor}`;
  const name = (accessor: string): string => mapAccessorName(map.name, accessor);
  const raw = (op: UserMapFunction): string => userMapFunctionName(map.name, op);
  w.comment("copies the entry into *copy; NULL when absent");
  // Always written (compound updates use it too), so it may be unused: KS_UNUSED.
  w.block(fn(`KS_UNUSED ${V} *${name("lookup")}(${K} *key, ${V} *copy)`), () => {
    w.line(`return ${raw("lookup")}(key, copy) == 0 ? copy : NULL;`);
  });
  if (needed.has("get")) {
    w.block(fn(`${V} ${name("get")}(${K} key)`), () => {
      w.line(`${cDeclaration(map.valueType, "value")};`);
      w.line("memset(&value, 0, sizeof(value));");
      w.line(`${name("lookup")}(&key, &value);`);
      w.line("return value;");
    });
  }
  if (needed.has("contains")) {
    w.block(fn(`bool ${name("contains")}(${K} key)`), () => {
      w.line(`${cDeclaration(map.valueType, "value")};`);
      w.line(`return ${name("lookup")}(&key, &value) != NULL;`);
    });
  }
  if (needed.has("set")) {
    w.block(fn(`void ${name("set")}(${K} key, ${V} value)`), () => {
      w.line(`if (${raw("update")}(&key, &value) != 0)`);
      w.line(`    fprintf(stderr, "warning: could not update map ${map.name}: %s\\n", strerror(errno));`);
    });
  }
  if (needed.has("delete")) {
    w.block(fn(`void ${name("delete")}(${K} key)`), () => w.line(`${raw("delete")}(&key);`));
  }
  for (const [op, accessor] of compoundOperators) {
    if (!needed.has(accessor) || !isIntegerLike(map.valueType)) continue;
    w.block(fn(`void ${name(accessor)}(${K} key, ${V} operand)`), () => {
      w.line(`${V} value = 0;`);
      w.line(`${raw("lookup")}(&key, &value);`);
      w.line(`value = ${valueOperation(op, map.valueType, "value", "operand")};`);
      w.line(`${raw("update")}(&key, &value);`);
    });
  }
  // The same, giving the value written (user space updates an entry as a read, then a write).
  for (const [op, accessor] of valueOperators) {
    if (!needed.has(accessor) || !isIntegerLike(map.valueType)) continue;
    w.block(fn(`${V} ${name(accessor)}(${K} key, ${V} operand)`), () => {
      w.line(`${V} value = 0;`);
      w.line(`${raw("lookup")}(&key, &value);`);
      w.line(`value = ${valueOperation(op, map.valueType, "value", "operand")};`);
      w.line(`${raw("update")}(&key, &value);`);
      w.line("return value;");
    });
  }
}
