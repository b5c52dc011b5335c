//! IR statements and expressions → C, shared by the eBPF and user-space emitters.
//!
//! Both sides call maps through the same small accessor functions (`ks_<map>_get`,
//! `_contains`, `_set`, `_delete`, `_<op>` for compound updates); only the accessors'
//! bodies differ per side (`map-accessors.ts`). What is side-specific in statements
//! (`print`, the lifecycle builtins, context fields) goes through `side`.

import { execCall } from "./userspace/handover.js";
import { pythonCall } from "./userspace/python-c.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { cDeclaration, cTypeName, wordAlignedDeclaration } from "./c-types.js";
import { CWriter } from "./c-writer.js";
import { functionName, localName, programName, mapAccessorName, temporaryName } from "../names.js";
import { packetPointerFields } from "../kernel/builtins.js";
import { contextArrayCopy, isContextArray } from "./context-arrays-c.js";
import { emitPointerStatement, escapeSlotLookup } from "./pointers-c.js";
import { copyEntry, entryRead, valueAddress } from "./struct-values-c.js";
import { atomicUpdate, globalReference, isPinnedAggregate } from "./globals-c.js";
import { byteOrderCall, emitHeaderBinding, type PacketBounds } from "./packets-c.js";
import { stringReadExpression, tracingExpression } from "./tracing-c.js";
import { type ErrorFrameState, emitErrorStatement, emitReturn } from "./errors-c.js";
import { emitLoop, type CallbackFrame, type LoopCallbacks } from "./loops-c.js";
import { StringExprs } from "./strings-c.js";
import { ringbufExpression, ringbufStatement } from "./ringbuf-c.js";
import { mapMethodExpression } from "./map-kinds-c.js";
import { isPerfAttachment, isPerfOptions } from "../kernel/perf.js";
import { testCallExpression } from "./test-calls-c.js";
import { printNewline, runtimeCallExpression, stringElementWrite, textArrayArgument, userPrintCall } from "./userspace/runtime-calls.js";
import { moduleDelete, moduleNew, modulePrint } from "./kmod-statements-c.js";
import { integerBinary, integerCompound, integerTypeOf, integerUnary, isSimplePlace, literalValue, type IntegerHelper, type IntegerText } from "./integers-c.js";
import { headerFieldPath } from "../kernel/headers.js";
import { type BranchConstant, branchConstants } from "./branch-constants.js";
import { unsignedRangeTest } from "./range-checks.js";

export type Side = "kernel" | "user";

/** Which map accessors (and integer helpers) function bodies use, so only those are emitted. */
export class MapAccessorUse {
  readonly used = new Map<string, Set<string>>();
  /** `ks_sdiv`, `ks_shl`, … (emit/integers-c.ts). */
  readonly integers = new Set<IntegerHelper>();
  note(map: string, accessor: string): string {
    let set = this.used.get(map);
    if (!set) this.used.set(map, (set = new Set()));
    set.add(accessor);
    return mapAccessorName(map, accessor);
  }
  /** The C text of an integer operation, noting the helpers it calls. */
  integer(result: IntegerText): string {
    result.helpers.forEach((h) => this.integers.add(h));
    return result.text;
  }
}

export const compoundAccessorNames: Readonly<Record<ir.IrArithOp, string>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
  "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr",
};

/** The accessors of `m[k] op= v` that also give the entry's value after the update. */
export const compoundValueAccessorNames: Readonly<Record<ir.IrArithOp, string>> = {
  "+": "add_value", "-": "sub_value", "*": "mul_value", "/": "div_value", "%": "mod_value",
  "&": "and_value", "|": "or_value", "^": "xor_value", "<<": "shl_value", ">>": "shr_value",
};

export class CCodeEmitter {
  private temporaries = 0;
  /** User space: `if (var e = m[k])` bindings in scope, written back after each assignment. */
  private readonly userEntries = new Map<string, { map: string; key: string }>();
  /** eBPF: declarations of one of two constants, and the `if`s that set them (branch-constants.ts). */
  private readonly branchDeclarations = new Map<ir.IrStmt, BranchConstant>();
  private readonly branchSettings = new Map<ir.IrStmt, readonly BranchConstant[]>();
  /** The error frame of the function being written (errors-c.ts), if it has one. */
  errorFrame: ErrorFrameState | undefined;
  /** Writing kernel-module code (emit/kmod-c.ts): side `user` statements, kernel allocation and printk. */
  kernelModule = false;
  /** Enclosing loops, innermost last: `break`/`continue` of a callback loop leave the callback. */
  private readonly loopStack: ("c" | "callback")[];
  private readonly strings = new StringExprs((e) => this.expr(e));
  /** Writing a value block: one line of C (a statement expression), so no preprocessor lines. */
  inline = false;
  /**
   * eBPF `@helper` returning a scalar (C type name): each returned value passes through
   * an empty `asm`. The helper is inlined; without it clang may turn `if (c) { …; return
   * a } return b` into `r = phi(a, undefined); c ? r : b`, loading `b` ahead and testing
   * `c` twice, and the verifier, which cannot carry "c was false" from one test to the
   * other, follows the impossible path and reads the undefined register ("R1 !read_ok").
   * An `asm volatile` cannot be executed ahead of its branch, so each return stays on its
   * own path.
   */
  hiddenReturnType: string | undefined;
  /** eBPF: context parameters whose packet bounds the function read once at entry (packets-c.ts). */
  packetBounds: ReadonlyMap<string, PacketBounds> = new Map();
  /** eBPF: locals assigned a pinned struct or array (globals-c.ts `pinnedCopyTargets`), declared 8-byte aligned. */
  pinnedCopies: ReadonlySet<string> = new Set();

  constructor(
    private w: CWriter,
    readonly side: Side,
    readonly accessors: MapAccessorUse,
    /** eBPF: the function's loop callbacks (emit/loops-c.ts). */
    readonly loops?: LoopCallbacks,
    /** Set while writing the body of a loop callback. */
    readonly frame?: CallbackFrame,
  ) {
    this.loopStack = frame ? ["callback"] : [];
  }

  private boundsOf(context: ir.IrExpr): PacketBounds | undefined {
    return context.kind === "local" ? this.packetBounds.get(context.name) : undefined;
  }

  /** A fresh number for compiler temporaries (`__ks_key3`). */
  temporary(): number {
    return this.temporaries++;
  }

  /** Writes `body` as the body of a C loop (for `break`/`continue`). */
  inCLoop(body: () => void): void {
    this.loopStack.push("c");
    body();
    this.loopStack.pop();
  }

  /** Leaves the KernelScript function with `value` (C text), from a callback too. */
  returnWith(value: string | undefined): void {
    if (this.frame) {
      this.frame.exit(this.w, { returning: value ?? "" });
      return;
    }
    this.w.line(value !== undefined ? `return ${value};` : "return;");
  }

  private returnedValue(text: string): string {
    if (this.hiddenReturnType === undefined || this.frame) return text;
    return `({ ${this.hiddenReturnType} __ks_result = ${text}; asm volatile("" : "+r"(__ks_result)); __ks_result; })`;
  }

  /** A fresh number for compiler-made temporaries of this function body. */
  nextTemporary(): number {
    return this.temporaries++;
  }

  statements(statements: readonly ir.IrStmt[]): void {
    // A declaration in a block hides an outer variable the callback reaches by pointer.
    const saved = this.frame ? new Map(this.frame.aliases) : undefined;
    const branches = this.side === "kernel" && !this.kernelModule ? branchConstants(statements) : undefined;
    branches?.declarations.forEach((c, s) => this.branchDeclarations.set(s, c));
    branches?.branches.forEach((cs, s) => this.branchSettings.set(s, cs));
    for (const s of statements) this.statement(s);
    if (saved && this.frame) this.frame.restoreAliases(saved);
  }

  /** How a local is written in C: its name, or the pointer it is reached through in a callback. */
  localRef(name: string): string {
    return this.frame?.aliases.get(name) ?? localName(name);
  }

  statement(s: ir.IrStmt): void {
    const w = this.w;
    w.withOrigin(s.span, () => {
      switch (s.kind) {
        case "declare":
          this.frame?.aliases.delete(s.name);
          if (s.init?.kind === "strBytes") {
            w.line(`${cDeclaration(s.type, localName(s.name))};`);
            for (const line of this.strings.bytesInitializer(localName(s.name), s.init)) w.line(line);
            if (s.unread) w.line(`(void)${localName(s.name)};`);
            return;
          }
          const branchConstant = this.branchDeclarations.get(s);
          if (branchConstant) {
            w.comment(`${intLiteral(branchConstant.whenTrue, s.type)} when \`${branchConstant.bool}\` is true: set by the \`if (${branchConstant.bool})\` below (branch-constants.ts)`);
            w.line(`${cDeclaration(s.type, localName(s.name))} = ${intLiteral(branchConstant.whenFalse, s.type)};`);
            return;
          }
          // A copy of a pinned struct or array, which is 8-byte aligned in the map's value
          // (lower/lower-globals.ts), is aligned too: clang 14 then copies in words, not byte
          // by byte (which ran out of stack for a 300-byte struct of bytes).
          const pinnedCopy = this.side === "kernel" && ((s.init !== undefined && isPinnedAggregate(s.init)) || this.pinnedCopies.has(s.name));
          const declaration = pinnedCopy ? wordAlignedDeclaration : cDeclaration;
          if (s.type.kind === "array" && s.init && s.init.kind !== "arrayLiteral") {
            // C arrays are not assignable: copy the bytes (e.g. a MAC address out of a header).
            w.line(`${declaration(s.type, localName(s.name))};`);
            if (isContextArray(s.init)) for (const line of contextArrayCopy(localName(s.name), this.expr(s.init), s.type)) w.line(line);
            else w.line(`__builtin_memcpy(${localName(s.name)}, ${this.expr(s.init)}, sizeof(${localName(s.name)}));`);
          } else {
            // A pointer into an entry of a map of objects is reassigned on some paths (the
            // moved object, its stack copy) and used after they join: kept in memory
            // (`*volatile`), clang cannot compute `p + offset` before the null test,
            // which the verifier refuses ("pointer arithmetic on map_value_or_null").
            const name = s.init?.kind === "mapEntryPointer" && s.init.object ? `volatile ${localName(s.name)}` : localName(s.name);
            w.line(s.init ? `${declaration(s.type, name)} = ${this.initializer(s.init)};` : `${declaration(s.type, name)};`);
          }
          if (!s.init) w.line(`__builtin_memset(&${localName(s.name)}, 0, sizeof(${localName(s.name)}));`);
          if (s.unread) w.line(`(void)${localName(s.name)};`);
          return;
        case "assign": {
          // `s[i] = c` with a run-time `i`: only below the capacity (emit/userspace/runtime-calls.ts).
          if (s.target.kind === "index" && s.target.target.type.kind === "str" && literalValue(s.target.index) === undefined) {
            w.line(stringElementWrite(this.expr(s.target.target), this.expr(s.target.index), s.target.target.type.size, this.expr(s.value)));
            return;
          }
          const target = this.place(s.target);
          // Memory other CPUs write too (lowering decided): one atomic instruction.
          const atomic = s.atomic ? atomicUpdate(this.side, s.op, s.target.type, `&${target}`, this.expr(s.value)) : undefined;
          if (s.atomic && !atomic) throw new Error(`internal: no atomic form of ${s.op}= on this type`);
          if (atomic) w.line(atomic);
          else if (s.value.kind === "strBytes") {
            for (const line of this.strings.bytesInitializer(target, s.value)) w.line(line);
          } else if (s.op === "=" && s.target.type.kind === "array" && isContextArray(s.value)) {
            for (const line of contextArrayCopy(target, this.expr(s.value), s.target.type)) w.line(line);
          } else if (s.op === "=" && s.target.type.kind === "array") {
            // An array literal is not an expression in C: copy from a compound literal
            // of the target's own type (elements not written are zero).
            const source = s.value.kind === "arrayLiteral"
              ? `(__typeof__(${target}))${this.aggregate(s.value)}`
              : this.expr(s.value);
            w.line(`__builtin_memcpy(${target}, ${source}, sizeof(${target}));`);
          } else if (s.op === "=") w.line(`${target} = ${this.expr(s.value)};`);
          else w.line(`${this.compound(s.op, s.target, target, s.value)};`);
          // User space works on a copy of the entry: store it at once, so that an early
          // `return` or `break` cannot lose the write.
          const entry = this.userEntries.get(placeRootName(s.target) ?? "");
          if (entry) w.line(`${this.accessors.note(entry.map, "set")}(${entry.key}, *${localName(placeRootName(s.target)!)});`);
          return;
        }
        case "tailCall":
        case "mapEntryAssign":
        case "declareAlias":
        case "aliasWriteBack":
        case "block":
          emitPointerStatement(this, w, this.side, this.accessors, s);
          return;
        case "mapUpdate": {
          // A struct value is handed to the helper by address: passed by value, clang keeps
          // a second copy of it on the stack (measured with clang 14: a 232-byte struct
          // written from a local took 464 bytes of the 512).
          const byAddress = this.side === "kernel" && s.value.type.kind === "struct";
          if (byAddress && s.value.kind === "mapLookup") {
            copyEntry(this, w, s, s.value);
            return;
          }
          const address = byAddress ? valueAddress(this, s.value) : undefined;
          w.line(address === undefined
            ? `${this.accessors.note(s.map, "set")}(${this.expr(s.key)}, ${this.expr(s.value)});`
            : `${this.accessors.note(s.map, "set_from")}(${this.expr(s.key)}, ${address});`);
          return;
        }
        case "mapCompound": {
          const call = (accessor: string): string => `${this.accessors.note(s.map, accessor)}(${this.expr(s.key)}, ${this.expr(s.value)})`;
          w.line(s.result ? `${cDeclaration(s.result.type, localName(s.result.name))} = ${call(compoundValueAccessorNames[s.op])};` : `${call(compoundAccessorNames[s.op])};`);
          return;
        }
        case "mapDelete":
          w.line(`${this.accessors.note(s.map, "delete")}(${this.expr(s.key)});`);
          return;
        case "expr":
          w.line(`${this.expr(s.expr)};`);
          return;
        case "if":
          this.ifChain(s);
          return;
        case "ifMapEntry": {
          const id = this.temporary();
          const key = temporaryName("key", id);
          const binding = localName(s.binding);
          const lookup = this.accessors.note(s.map, "lookup");
          w.block("", () => {
            w.line(`${cDeclaration(s.keyType, key)} = ${this.expr(s.key)};`);
            if (this.side === "kernel") {
              // A pointer into the map value: writes through it update the entry in place.
              w.line(`${cTypeName(s.valueType)} *${binding} = ${lookup}(&${key});`);
            } else {
              // User space reads a copy; it is written back when the branch assigned to it.
              const copy = temporaryName("entry", id);
              w.line(`${cDeclaration(s.valueType, copy)};`);
              w.line(`${cTypeName(s.valueType)} *${binding} = ${lookup}(&${key}, &${copy});`);
            }
            w.ifElse(binding, () => {
              if (this.side === "user") this.userEntries.set(s.binding, { map: s.map, key });
              this.statements(s.then);
              this.userEntries.delete(s.binding);
            }, s.else && (() => this.statements(s.else!)));
          });
          return;
        }
        case "ifPacketHeader":
          emitHeaderBinding(w, s, {
            expr: (e) => this.expr(e), statements: (b) => this.statements(b),
            inCLoop: this.loopStack.includes("c"), temporary: () => this.temporary(),
            packetBounds: (context) => this.boundsOf(context),
          });
          return;
        case "while": case "forRange": case "forMap":
          emitLoop(this, w, s);
          return;
        case "break": case "continue":
          if (this.loopStack[this.loopStack.length - 1] === "callback") this.frame!.exit(w, { loop: s.kind });
          else w.line(`${s.kind};`);
          return;
        case "return":
          // Inside a loop callback a return leaves the callback first (loops-c.ts).
          if (!this.frame && emitReturn(this.errorFrame, w, this, s.value)) return;
          this.returnWith(s.value ? this.returnedValue(this.expr(s.value)) : undefined);
          return;
        case "throw": case "try": case "tryCall": case "defer":
          emitErrorStatement(this.errorFrame, w, this.side, this, s);
          return;
        case "print":
          w.line(this.print(s));
          return;
        case "ringbufRelease": case "objectDelete": case "onEvent":
          w.line(this.kernelModule && s.kind === "objectDelete" ? moduleDelete(this.expr(s.pointer)) : ringbufStatement(this.side, s, (e) => this.expr(e)));
          return;
        case "ifPointer":
          // A plain block scopes the binding to the branch, as in the source.
          w.block("", () => {
            w.line(`${cDeclaration(s.type, localName(s.binding))} = ${this.expr(s.value)};`);
            w.ifElse(localName(s.binding), () => this.statements(s.then), s.else && (() => this.statements(s.else!)));
          });
          return;
      }
    });
  }

  /** `target op= value` (without `;`) with KernelScript's integer rules (integers-c.ts). */
  compound(op: ir.IrArithOp, place: ir.IrPlace, target: string, value: ir.IrExpr): string {
    const t = integerTypeOf(place.type);
    if (!t) return `${target} ${op}= ${this.expr(value)}`;
    return this.accessors.integer(integerCompound(op, t, target, this.expr(value), literalValue(value), isSimplePlace(place)));
  }

  /** `if … else if … else` chains written flat, as a C programmer would. */
  private ifChain(s: Extract<ir.IrStmt, { kind: "if" }>): void {
    const w = this.w;
    if (this.presenceBranch(s)) return;
    w.line(`if (${this.condition(s.condition)}) {`);
    w.indent();
    for (const c of this.branchSettings.get(s) ?? []) {
      w.withOrigin(c.declaration.span, () => w.line(`${localName(c.name)} = ${intLiteral(c.whenTrue, c.type)};`));
    }
    this.statements(s.then);
    w.dedent();
    let rest = s.else;
    while (rest) {
      const only = rest.length === 1 ? rest[0] : undefined;
      if (only?.kind === "if" && !this.presenceCondition(only.condition)) {
        w.withOrigin(only.span, () => w.line(`} else if (${this.condition(only.condition)}) {`));
        w.indent();
        this.statements(only.then);
        w.dedent();
        rest = only.else;
      } else {
        w.line("} else {");
        w.indent();
        this.statements(rest);
        w.dedent();
        rest = undefined;
      }
    }
    w.line("}");
  }

  /** The `m[k] != null` test `condition` is (negated: `m[k] == null`), if it is one and presenceBranch may write it. */
  private presenceCondition(condition: ir.IrExpr): { contains: Extract<ir.IrExpr, { kind: "mapContains" }>; negated: boolean } | undefined {
    if (this.side !== "kernel" || this.kernelModule || this.inline || this.loopStack.includes("c")) return undefined;
    if (condition.kind === "mapContains") return { contains: condition, negated: false };
    if (condition.kind === "unary" && condition.op === "!" && condition.operand.kind === "mapContains") return { contains: condition.operand, negated: true };
    return undefined;
  }

  /**
   * eBPF `if (m[k] != null)` (or `== null`) as hand-written C has it: one branch on the
   * entry's address. The address itself cannot be the `if`'s condition: clang merges
   * such a test with a neighbouring one into arithmetic on the pointer (`(p | x) != 0`),
   * which the verifier refuses, so a `contains` value is the presence made 0 or 1 behind
   * an empty `asm` (map-accessors.ts), three instructions more. Here the branch is an
   * `asm goto`: clang can neither merge it nor turn it into arithmetic, and the verifier
   * reads it as the null check of the entry. The body that leaves the function (ends in
   * `return`) sits at the label, so the other one falls through; not inside C loops
   * (clang would have to duplicate the `asm goto` to unroll them).
   */
  private presenceBranch(s: Extract<ir.IrStmt, { kind: "if" }>): boolean {
    const test = this.presenceCondition(s.condition);
    if (!test) return false;
    const w = this.w;
    const id = this.temporary();
    const entry = temporaryName("presence", id);
    const label = temporaryName("branch", id);
    const leaves = (body: readonly ir.IrStmt[] | undefined): boolean => body?.[body.length - 1]?.kind === "return";
    // Which body the label holds, and whether it runs when the entry is present.
    const thenAtLabel = leaves(s.then) && !leaves(s.else);
    const [fallthrough, atLabel] = thenAtLabel ? [s.else, s.then] : [s.then, s.else];
    const labelWhenPresent = thenAtLabel !== test.negated;
    w.block("", () => {
      w.line(`void *${entry} = ${this.accessors.note(test.contains.map, "entry")}(${this.expr(test.contains.key)});`);
      w.line(`asm goto("if %[entry] ${labelWhenPresent ? "!=" : "=="} 0 goto %l[${label}]" :: [entry]"r"(${entry}) :: ${label});`);
      if (fallthrough) this.statements(fallthrough);
      const labelLine = (): void => {
        w.dedent();
        w.line(`${label}:;`);
        w.indent();
      };
      if (!atLabel || atLabel.length === 0) {
        labelLine();
        return;
      }
      w.block("if (0)", () => {
        labelLine();
        this.statements(atLabel);
      });
    });
    return true;
  }

  private initializer(value: ir.IrExpr): string {
    if (value.kind === "structLiteral" || value.kind === "arrayLiteral") return this.aggregate(value);
    if (value.kind === "string" && value.type.kind === "str") return this.strings.literalInitializer(value);
    // C initialises a byte array from a string literal: its bytes, then zeros.
    if (value.kind === "strBytes" && value.value.kind === "string") return cString(value.value.value);
    return this.expr(value);
  }

  private aggregate(value: ir.IrExpr): string {
    if (value.kind === "structLiteral") {
      // A designator may be a member path: built-in headers keep some fields in unions.
      return `{ ${value.fields.map((f) => `.${headerFieldPath(value.struct, f.name)} = ${this.initializer(f.value)}`).join(", ")} }`;
    }
    if (value.kind === "arrayLiteral") return `{ ${value.elements.map((e) => this.initializer(e)).join(", ")} }`;
    return this.expr(value);
  }

  /**
   * An expression in `if (…)`/`while (…)`: without a second pair of parentheses. An
   * integer condition is compared with zero, as C would, but written out: clang and gcc
   * refuse `if (x << 2)` under -Wall -Werror (-Wint-in-bool-context).
   */
  condition(e: ir.IrExpr): string {
    const text = this.expr(e);
    if (e.type.kind === "int" || e.type.kind === "char" || e.type.kind === "enum") return `${text} != 0`;
    return hasOuterParens(text) ? text.slice(1, -1) : text;
  }

  /**
   * An element index. A run-time index is taken modulo the array's length
   * (docs/language/integers.md, "Array indexes"): an index in range is unchanged, any other
   * stays inside the array, on both sides alike. In eBPF the verifier must see that
   * bound on the very register added to the array's address, but clang writes `k % 5`
   * as `k - k / 5 * 5` (whose bound the verifier cannot follow), and, knowing an index
   * small and the array aligned, `base + k` as `base | k` (bitwise operations on
   * pointers are refused). So the index is hidden from clang (an empty `asm`), reduced
   * when it is out of range, hidden again and checked once more: a comparison clang
   * cannot drop and the verifier reads as the bound.
   */
  arrayIndex(index: ir.IrExpr, target: ir.IrExpr): string {
    const text = this.expr(index);
    if (literalValue(index) !== undefined) return text;
    const length = target.type.kind === "array" ? target.type.length : undefined;
    if (this.side === "user") return length === undefined ? text : `(__u64)(${text}) % ${length}`;
    const hide = `asm volatile("" : "+r"(__ks_element));`;
    if (length === undefined) return `({ __u64 __ks_element = ${text}; ${hide} __ks_element; })`;
    return `({ __u64 __ks_element = ${text}; ${hide} if (__ks_element >= ${length}) __ks_element %= ${length}; ${hide} ` +
      `__ks_element < ${length} ? __ks_element : 0; })`;
  }

  /** An operand: an integer literal with its type spelled when C's `int` would be wrong. */
  private operand(e: ir.IrExpr, typed: boolean): string {
    return typed && e.kind === "int" && e.type.kind === "int" && !e.type.byteOrder ? typedIntLiteral(e.value, e.type) : this.expr(e);
  }

  place(p: ir.IrPlace): string {
    switch (p.kind) {
      case "local": return this.localRef(p.name);
      case "global": return globalReference(this.side, p.storage, p.name, p.type);
      case "entry": return `(*${localName(p.name)})`;
      case "field": return `${this.expr(p.target)}${p.viaPointer ? "->" : "."}${p.field}`;
      case "index": return p.target.type.kind === "str" ? `${this.expr(p.target)}.data[${this.expr(p.index)}]`
        : `${this.expr(p.target)}[${this.arrayIndex(p.index, p.target)}]`;
      case "deref": return `(*${this.expr(p.pointer)})`;
    }
  }

  expr(e: ir.IrExpr): string {
    switch (e.kind) {
      case "int": return e.type.kind === "char" ? charLiteral(e.value) : intLiteral(e.value, e.type);
      case "bool": return e.value ? "true" : "false";
      case "string": case "strEquals": case "strConcat": case "strConvert": case "strIndex": return this.strings.expr(e);
      case "strBytes": throw new Error("internal: a string-to-bytes conversion outside a declaration, an assignment or a literal's field");
      case "valueBlock": return this.valueBlock(e);
      case "null": return "NULL";
      case "constant": return e.name;
      case "local": return e.orAddressOf === undefined ? this.localRef(e.name)
        : `(${this.localRef(e.name)} ? ${this.localRef(e.name)} : &${this.localRef(e.orAddressOf)})`;
      case "global": return globalReference(this.side, e.storage, e.name, e.type);
      case "entry": return `(*${localName(e.name)})`;
      case "binary": {
        if (e.op === "-" && e.left.type.kind === "pointer" && e.right.type.kind === "pointer") {
          const difference = `(__u64)(${this.expr(e.left)} - ${this.expr(e.right)})`;
          if (this.side === "user") return `(${difference})`;
          // clang reassociates `g + (data_end - data)` into `(g + data_end) - data` and
          // `~(end - data)` into arithmetic on `end`: the verifier refuses arithmetic on
          // pkt_end. The difference is a number from here on, hidden from the optimiser.
          return `({ __u64 __ks_difference = ${difference}; asm volatile("" : "+r"(__ks_difference)); __ks_difference; })`;
        }
        const range = unsignedRangeTest(e);
        if (range) return `((${cTypeName(range.unsignedType)})${this.expr(range.operand)} ${range.op} ${intLiteral(range.bound, range.unsignedType)})`;
        const t = integerTypeOf(e.type);
        if (t && isArithmetic(e.op) && !(literalOnly(e.left) && literalOnly(e.right))) {
          return this.accessors.integer(integerBinary(e.op, t, this.expr(e.left), this.expr(e.right), literalValue(e.right)));
        }
        // A shift of literals is folded exactly and stored in its type's bits (W0261 said
        // so): `1 << 9` in a u8 is 0, `-1 << 7` in an i8 is -128. In C either would be an
        // error under -Werror (a count past the width, a negative value shifted).
        const folded = (e.op === "<<" || e.op === ">>") && literalOnly(e.left) && literalOnly(e.right) ? literalValue(e) : undefined;
        if (t && folded !== undefined) return typedIntLiteral(t.signed ? BigInt.asIntN(t.bits, folded) : BigInt.asUintN(t.bits, folded), t);
        // C computes literal-only arithmetic in `int`: spell the literals' own type, so
        // `1 << 40` or `100000 * 100000` in a u64 is computed in 64 bits. A shift's type
        // is its left operand's alone.
        const typed = e.op === "<<" || e.op === ">>" ? [true, false] : [literalOnly(e.left) && literalOnly(e.right), literalOnly(e.left) && literalOnly(e.right)];
        return `(${this.operand(e.left, typed[0]!)} ${e.op} ${this.operand(e.right, typed[1]!)})`;
      }
      case "unary": {
        // `-literal` is a literal of its type; anything else takes the language's rules
        // (a narrow `~x` is cut to its width, a signed `-x` wraps at MIN).
        const t = integerTypeOf(e.type);
        if (t && (e.op === "~" || (e.op === "-" && !literalOnly(e.operand)))) return integerUnary(e.op, t, this.operand(e.operand, true));
        return `(${e.op}${this.operand(e.operand, true)})`;
      }
      case "cast": return `((${cTypeName(e.type)})${this.expr(e.expr)})`;
      case "field": return entryRead(this, e) ?? `${this.expr(e.target)}${e.viaPointer ? "->" : "."}${e.field}`;
      case "contextField": {
        const bounds = this.boundsOf(e.context);
        if (bounds && e.field === "data") return bounds.data;
        if (bounds && e.field === "data_end") return bounds.dataEnd;
        const context = this.expr(e.context);
        // The UAPI declares packet pointers as __u32; the verifier knows them as pointers.
        if (packetPointerFields.has(e.field)) return `((__u8 *)(long)${context}->${e.field})`;
        return `${context}->${e.field}`;
      }
      case "index": return entryRead(this, e) ?? `${this.expr(e.target)}[${this.arrayIndex(e.index, e.target)}]`;
      case "mapLookup": return `${this.accessors.note(e.map, "get")}(${this.expr(e.key)})`;
      case "mapContains": return `${this.accessors.note(e.map, "contains")}(${this.expr(e.key)})`;
      case "call": {
        // Kernel helpers declare their own pointer types (`const char *`, `void *`).
        const args = e.args.map((a) => (e.helper && a.type.kind === "pointer" ? `(void *)${this.expr(a)}` : this.expr(a)));
        return `${e.helper || e.external ? e.callee : functionName(e.callee)}(${args.join(", ")})`;
      }
      case "functionRef": return functionName(e.name);
      case "callValue": {
        const callee = this.expr(e.callee);
        return `${e.callee.kind === "local" ? callee : `(${callee})`}(${e.args.map((a) => this.expr(a)).join(", ")})`;
      }
      case "mapEntryPointer":
        return `({ ${cDeclaration(e.keyType, "__ks_k")} = ${this.expr(e.key)}; ${this.accessors.note(e.map, "lookup")}(&__ks_k); })`;
      case "builtin": return this.builtin(e);
      case "programRef": return cString(programName(e.name));
      case "structLiteral": return `((${cTypeName(e.type)})${this.aggregate(e)})`;
      case "arrayLiteral": return this.aggregate(e);
      case "sizeof": return `((__u64)sizeof(${cTypeName(e.of)}))`;
      case "byteOrder": return byteOrderCall(this.side, e, this.expr(e.operand));
      case "tracing": return tracingExpression(e, (x) => this.expr(x));
      case "stringRead": return stringReadExpression(e, (x) => this.expr(x));
      case "ringbufReserve": case "objectNew": case "dispatch":
        return this.kernelModule && e.kind === "objectNew" ? moduleNew(e) : ringbufExpression(this.side, e, (x) => this.expr(x));
      case "mapMethod": return mapMethodExpression(this.side, e, (x) => this.expr(x));
      case "testCall": return testCallExpression((x) => this.expr(x), e);
      case "escapeSlot": return escapeSlotLookup(e);
    }
  }

  /**
   * A GNU C statement expression: `({ T r = 0; …; r; })` on one line. Its statements are
   * written by this emitter into a writer of their own, so they see the function's loop
   * callbacks, error frame and enclosing loops like any other statement.
   */
  private valueBlock(e: Extract<ir.IrExpr, { kind: "valueBlock" }>): string {
    const inner = new CWriter();
    const [outerWriter, outerInline, outerTemporaries] = [this.w, this.inline, this.temporaries];
    this.w = inner;
    this.inline = true;
    this.temporaries = outerTemporaries + 1000;
    try {
      this.statement({ kind: "declare", name: e.result, type: e.type, init: undefined, unread: false, span: e.span });
      this.statements(e.body);
    } finally {
      this.w = outerWriter;
      this.inline = outerInline;
      this.temporaries = outerTemporaries;
    }
    const body = inner.toString().split("\n").map((l) => l.trim()).filter((l) => l !== "").join(" ");
    return `({ ${body} ${localName(e.result)}; })`;
  }

  private builtin(e: Extract<ir.IrExpr, { kind: "builtin" }>): string {
    const args = e.args.map((a) => (a.type.kind === "str" ? this.strings.text(a) : this.expr(a)));
    switch (e.name) {
      case "load": return `ks_load(${args[0]})`;
      case "attach": {
        // A `str(N)` value (not a literal) is a struct whose first member is the text.
        const target = e.args[1];
        if (target && target.type.kind === "str" && target.kind !== "string") args[1] = `(const char *)&${args[1]}`;
        if (target && isPerfOptions(target.type)) return `ks_attach_perf(${args.join(", ")})`;
        return `ks_attach(${args.join(", ")})`;
      }
      case "detach": return e.args[0] && isPerfAttachment(e.args[0].type) ? `ks_detach_perf(${args[0]})` : `ks_detach(${args[0]})`;
      case "read": return `ks_perf_read(${args[0]})`;
      case "register": return `ks_register(${cString(e.program ?? "")})`;
      case "daemon": return "ks_daemon()";
      case "now": case "wall_time": case "sleep": case "running": case "ntop": case "macaddr": case "strftime": return runtimeCallExpression(e, args);
      case "python": return pythonCall(e, args);
      case "exec": return execCall(args[0]!, e.args.slice(1).map((a, i) => {
        if (a.type.kind === "str") return args[i + 1]!;
        const signed = a.type.kind === "int" && a.type.signed;
        return `ks_exec_int((char[24]){ 0 }, (long long)(${args[i + 1]}), ${signed ? 1 : 0})`;
      }));
    }
  }

  private print(s: Extract<ir.IrStmt, { kind: "print" }>): string {
    // `sprintf`'s destination (args[0]) is the place written, not a value printed.
    const args = s.args.map((a, i) => (s.variant === "sprintf" && i === 0 ? this.expr(a)
      : a.type.kind === "str" ? this.strings.text(a) : textArrayArgument(this.expr(a), a.type, this.side) ?? printArgument(this.expr(a), a.type)));
    const format = cString(printNewline(s) ? `${s.format}\n` : s.format);
    const assign = s.result === undefined ? "" : `${localName(s.result)} = (__s32)`;
    if (this.kernelModule) return `${assign}${modulePrint(format, args)}`;
    const call = this.side === "kernel" ? `bpf_printk(${[format, ...args].join(", ")})` : userPrintCall(s, [format, ...args]);
    return `${assign}${call};`;
  }
}

/**
 * Warnings about the program as written rather than about its translation: comparing or
 * assigning a variable to itself (`x == x`, `x = x`), or comparing a value with a
 * constant outside its type's range (`(b as i16) != 300` for an `i8` b) are valid
 * KernelScript that C compilers flag under -Wall. The C keeps the program's meaning, so
 * these are off in generated files (clang names; gcc knows the tautological one).
 */
export function emitSourceLevelWarningsOff(w: CWriter): void {
  w.line('#pragma GCC diagnostic ignored "-Wtautological-compare"');
  w.line("#ifdef __clang__");
  w.line('#pragma clang diagnostic ignored "-Wself-assign"');
  w.line('#pragma clang diagnostic ignored "-Wself-assign-field"');
  w.line("#endif");
}

const arithmeticOps: ReadonlySet<string> = new Set(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"]);

function isArithmetic(op: string): op is ir.IrArithOp {
  return arithmeticOps.has(op);
}

/** The `entry` binding a place is rooted in (`e` in `e.count`), if any. */
function placeRootName(p: ir.IrPlace): string | undefined {
  const root = (e: ir.IrExpr): string | undefined =>
    e.kind === "entry" ? e.name : e.kind === "field" && !e.viaPointer ? root(e.target) : e.kind === "index" ? root(e.target) : undefined;
  return p.kind === "entry" ? p.name : p.kind === "field" && !p.viaPointer ? root(p.target) : p.kind === "index" ? root(p.target) : undefined;
}

/** An argument cast to exactly the C type its (rewritten) conversion expects. */
function printArgument(text: string, type: Type): string {
  if (type.kind === "int") {
    if (type.bits === 64) return `(${type.signed ? "long long" : "unsigned long long"})${text}`;
    return `(${type.signed ? "int" : "unsigned int"})${text}`;
  }
  if (type.kind === "bool" || type.kind === "char") return `(int)${text}`;
  if (type.kind === "enum") return `(unsigned int)${text}`;
  if (type.kind === "pointer") return `(void *)${text}`;
  return text;
}

/** Whether the first `(` of `text` closes at its last character. */
function hasOuterParens(text: string): boolean {
  if (!text.startsWith("(") || !text.endsWith(")")) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0 && i < text.length - 1) return false;
  }
  return true;
}

export function intLiteral(value: bigint, type: Type): string {
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  // The minimum of a signed type is no negated constant of that type (9223372036854775808
  // fits no signed C type; 2147483648 needs a suffix that would make it unsigned, and
  // `-2147483648U` is +2147483648 once widened): write it as an expression.
  if (negative && magnitude === 1n << 63n) return "(-9223372036854775807LL - 1)";
  if (negative && magnitude === 1n << 31n && !(type.kind === "int" && type.bits === 64)) return "(-2147483647 - 1)";
  let text = magnitude.toString();
  if (magnitude > 0xffffffffn || (type.kind === "int" && type.bits === 64 && magnitude > 0x7fffffffn)) {
    text += type.kind === "int" && type.signed ? "LL" : "ULL";
  } else if (magnitude > 0x7fffffffn) {
    text += "U";
  }
  return negative ? `(-${text})` : text;
}

/** A literal of exactly `type` in C (`1ULL`, `7U`), for arithmetic C would do in `int`. */
function typedIntLiteral(value: bigint, type: Extract<Type, { kind: "int" }>): string {
  if (type.bits < 32 || (type.bits === 32 && type.signed)) return intLiteral(value, type);
  const suffix = type.bits === 64 ? (type.signed ? "LL" : "ULL") : "U";
  if (value === -(1n << 63n)) return intLiteral(value, type);
  return value < 0n ? `(-${-value}${suffix})` : `${value}${suffix}`;
}

/** Whether C would compute `e` from literals alone (in `int`, unless they are typed). */
function literalOnly(e: ir.IrExpr): boolean {
  // A question about three kinds, not a walk: every other kind is "not a literal".
  if (e.kind === "int") return true;
  if (e.kind === "binary") return literalOnly(e.left) && literalOnly(e.right);
  if (e.kind === "unary") return literalOnly(e.operand);
  return false;
}

/** A char constant as C writes it (`'a'`, `'\\n'`, `'\\001'`, or `200` above 127). */
function charLiteral(value: bigint): string {
  const byte = Number(value & 0xffn);
  const named: Record<number, string> = { 0x27: "\\'", 0x5c: "\\\\", 0x0a: "\\n", 0x09: "\\t", 0x0d: "\\r", 0x00: "\\0" };
  if (named[byte] !== undefined) return `'${named[byte]}'`;
  if (byte >= 0x20 && byte < 0x7f) return `'${String.fromCharCode(byte)}'`;
  // Above 127 a C char constant is negative where char is signed: write the number.
  if (byte >= 0x80) return String(byte);
  return `'\\${byte.toString(8).padStart(3, "0")}'`;
}

export function cString(value: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(value)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x09) out += "\\t";
    else if (byte === 0x0d) out += "\\r";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, "0")}`;
  }
  return out + '"';
}
