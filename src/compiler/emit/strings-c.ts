//! Fixed strings in C, for both sides.
//!
//! Representation: `str(N)` is `struct ks_strN { char data[N + 1]; }` on *both* sides,
//! defined once in the shared header `NAME.h`, so a string in a map key, map value or
//! struct has the same bytes in the eBPF object and in the loader. The text is
//! NUL-terminated; `data[N]` is always NUL and every byte after the text is zero. No
//! separate length field: one source of truth, no padding bytes (a hash-map key with an
//! uninitialised padding byte would never be found again), and the zero tail makes two
//! equal strings byte-for-byte equal, which is what a hash map compares. A struct (not a
//! bare array) so strings are values in C too: assigned, passed and returned.
//!
//! Operations are small inline functions, written only when a module uses them:
//!   ks_str_eq(a, b, n)           equality over at most n bytes (a bounded loop the
//!                                verifier follows; never bpf_strncmp, which needs its
//!                                second string in a read-only map)
//!   ks_str_at(s, n, i)           s[i] for a run-time i: NUL when i ≥ n
//!   ks_str_copy(dst, room, src, len)   copies text (dst zeroed first), returns its length
//!   ks_strN_from(src, len)       a `str(M)` widened to `struct ks_strN`
//!   ks_strN_concat(a, la, b, lb) `a + b`
//! In eBPF they are `static __always_inline`, so every loop bound is a constant after
//! inlining.

import { statementTypes, walkStatements, type IrWalker } from "../ir-walk.js";
import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import type { CWriter } from "./c-writer.js";
import { cString } from "./c-code.js";
import { stringStructName, stringFromName, stringConcatName } from "../names.js";

type Side = "kernel" | "user";


/** What a module needs from this file. */
export interface StringUse {
  /** Every `str(N)` size that appears anywhere (struct definitions). */
  readonly sizes: ReadonlySet<number>;
  readonly equals: boolean;
  readonly runtimeIndex: boolean;
  readonly copy: boolean;
  /** Target sizes of widening conversions (`ks_strN_from`). */
  readonly widen: ReadonlySet<number>;
  /** Result sizes of concatenations (`ks_strN_concat`). */
  readonly concat: ReadonlySet<number>;
}

export function collectStringUse(module: ir.IrModule): StringUse {
  const sizes = new Set<number>();
  const widen = new Set<number>();
  const concat = new Set<number>();
  let equals = false;
  let runtimeIndex = false;
  let bytes = false;
  const type = (t: Type): void => {
    switch (t.kind) {
      case "str": sizes.add(t.size); return;
      case "array": return type(t.element);
      case "pointer": return type(t.target);
      case "map": type(t.key); return type(t.value);
      case "function": t.params.forEach(type); return type(t.returnType);
      // Every struct of the module has its fields walked once, below; following struct
      // references here would recurse as deep as a chain of structs linked by pointers.
      default: return;
    }
  };
  const walker: IrWalker<undefined> = {
    statement: (s) => statementTypes(s).forEach(type),
    expression: (e) => {
      // A literal's own type matters only where it is stored, and that place's type is
      // collected there; as an operand (print, compare, attach) it is a plain C string.
      if (e.kind !== "string") type(e.type);
      if (e.kind === "strEquals") equals = true;
      else if (e.kind === "strConcat") concat.add(sizeOf(e.type));
      else if (e.kind === "strConvert") widen.add(sizeOf(e.type));
      else if (e.kind === "strBytes") bytes = true;
      else if (e.kind === "strIndex" && e.index.kind !== "int") runtimeIndex = true;
    },
  };
  module.structs.forEach((s) => s.fields.forEach((f) => type(f.type)));
  module.typedefs.forEach((t) => type(t.type));
  module.maps.forEach((m) => { type(m.keyType); type(m.valueType); });
  // Global initial values are constants (IrConst); only their types can need a string struct.
  module.globals.forEach((g) => type(g.type));
  module.configs.forEach((c) => c.fields.forEach((f) => type(f.type)));
  for (const fn of [...module.programs, ...module.helpers, ...module.userFunctions]) {
    fn.params.forEach((p) => type(p.type));
    type(fn.returnType);
    walkStatements(fn.body, walker, undefined);
  }
  for (const n of [...widen, ...concat]) sizes.add(n);
  return { sizes, equals, runtimeIndex, copy: bytes || widen.size > 0 || concat.size > 0, widen, concat };
}

function sizeOf(t: Type): number {
  if (t.kind !== "str") throw new Error(`internal: expected a string type, found ${t.kind}`);
  return t.size;
}

/** `struct ks_strN { … };` for every size, for the shared header. */
export function emitStringStructs(w: CWriter, use: StringUse): void {
  const sizes = [...use.sizes].sort((a, b) => a - b);
  if (sizes.length === 0) return;
  w.comment("str(N): NUL-terminated text, zero after the text; the same bytes on both sides");
  for (const n of sizes) {
    w.block(`struct ${stringStructName(n)}`, () => w.line(`char data[${n + 1}];`), ";");
  }
  w.line();
}

/** The inline functions the module's string operations call, for one side's C file. */
export function emitStringHelpers(w: CWriter, side: Side, use: StringUse): void {
  const fn = side === "kernel" ? "static __always_inline __attribute__((unused))" : "static inline KS_UNUSED";
  const any = use.equals || use.runtimeIndex || use.copy;
  if (!any) return;
  w.comment("string operations (bounded loops; the lengths are constants at every call)");
  if (use.equals) {
    w.block(`${fn} bool ks_str_eq(const char *a, const char *b, __u32 n)`, () => {
      w.block("for (__u32 i = 0; i < n; i++)", () => {
        w.line("if (a[i] != b[i])");
        w.line("    return false;");
        w.line("if (a[i] == 0)");
        w.line("    return true;");
      });
      w.line("return true;");
    });
    w.line();
  }
  if (use.runtimeIndex) {
    w.block(`${fn} __u8 ks_str_at(const char *s, __u32 n, __u64 i)`, () => {
      if (side === "kernel") {
        // Hide what clang knows about i: otherwise it may turn `s + i` into `s | i`
        // (the buffer is aligned), an operation the verifier refuses on pointers.
        w.line('asm volatile("" : "+r"(i));');
      }
      w.line("return i < n ? (__u8)s[i] : 0;");
    });
    w.line();
  }
  if (use.copy) {
    w.block(`${fn} __u32 ks_str_copy(char *dst, __u32 room, const char *src, __u32 len)`, () => {
      w.line("__u32 n = room < len ? room : len;");
      w.line("__u32 i;");
      w.block("for (i = 0; i < n; i++)", () => {
        w.line("if (src[i] == 0)");
        w.line("    break;");
        w.line("dst[i] = src[i];");
      });
      w.line("return i;");
    });
    w.line();
  }
  for (const n of [...use.widen].sort((a, b) => a - b)) {
    const s = `struct ${stringStructName(n)}`;
    w.block(`${fn} ${s} ${stringFromName(n)}(const char *src, __u32 len)`, () => {
      w.line(`${s} s;`);
      w.line("__builtin_memset(&s, 0, sizeof(s));");
      w.line(`ks_str_copy(s.data, ${n}, src, len);`);
      w.line("return s;");
    });
    w.line();
  }
  for (const n of [...use.concat].sort((a, b) => a - b)) {
    const s = `struct ${stringStructName(n)}`;
    w.block(`${fn} ${s} ${stringConcatName(n)}(const char *a, __u32 a_len, const char *b, __u32 b_len)`, () => {
      w.line(`${s} s;`);
      w.line("__builtin_memset(&s, 0, sizeof(s));");
      w.line("__u32 used = ks_str_copy(s.data, a_len, a, a_len);");
      if (side === "kernel") {
        // As in ks_str_at: clang knows `used` is below the struct's alignment and may
        // write `s.data + used` as `s.data | used`, which the verifier refuses on pointers.
        w.line('asm volatile("" : "+r"(used));');
      }
      w.line("ks_str_copy(s.data + used, b_len, b, b_len);");
      w.line("return s;");
    });
    w.line();
  }
}

/** The string expressions `StringExprs.expr` writes. */
export type StringExpr = Extract<ir.IrExpr, { kind: "string" | "strEquals" | "strConcat" | "strConvert" | "strIndex" }>;

/** C text of string expressions; `render` renders any other expression. */
export class StringExprs {
  constructor(private readonly render: (e: ir.IrExpr) => string) {}

  /** A `const char *` to the text of a string expression. */
  text(e: ir.IrExpr): string {
    // Every operation stops at the terminator, so a literal is passed as a plain C
    // string even where its type was widened (its storage is only its own length + 1).
    if (e.kind === "string") return cString(e.value);
    // `bytes as str(N)` (check/runtime-builtins.ts `isTextArray`): the array itself.
    if (e.type.kind === "array") return `((const char *)${this.render(e)})`;
    return `${this.render(e)}.data`;
  }

  /** A string literal as an initializer (`{ .data = "…" }`). */
  literalInitializer(e: Extract<ir.IrExpr, { kind: "string" }>): string {
    return `{ .data = ${cString(e.value)} }`;
  }

  expr(e: StringExpr): string {
    switch (e.kind) {
      case "string":
        return e.type.kind === "str" ? `((struct ${stringStructName(e.type.size)})${this.literalInitializer(e)})` : cString(e.value);
      case "strEquals": {
        const n = Math.min(capacity(e.left), capacity(e.right)) + 1;
        const call = `ks_str_eq(${this.text(e.left)}, ${this.text(e.right)}, ${n})`;
        return e.negated ? `(!${call})` : call;
      }
      case "strConcat":
        return `${stringConcatName(sizeOf(e.type))}(${this.text(e.left)}, ${capacity(e.left)}, ${this.text(e.right)}, ${capacity(e.right)})`;
      case "strConvert":
        return `${stringFromName(sizeOf(e.type))}(${this.text(e.value)}, ${capacity(e.value)})`;
      case "strIndex":
        if (e.index.kind === "int") return `((__u8)${this.text(e.target)}[${e.index.value}])`;
        return `ks_str_at(${this.text(e.target)}, ${e.target.kind === "string" ? byteLength(e.target.value) : capacity(e.target)}, ${this.render(e.index)})`;
    }
  }

  /** Statements after `declare name` of a byte array initialised from a string (`strBytes`). */
  bytesInitializer(name: string, e: Extract<ir.IrExpr, { kind: "strBytes" }>): string[] {
    const length = e.type.kind === "array" ? e.type.length : 0;
    return [
      `__builtin_memset(${name}, 0, sizeof(${name}));`,
      `ks_str_copy((char *)${name}, ${length}, ${this.text(e.value)}, ${capacity(e.value)});`,
    ];
  }
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** N of a `str(N)` expression. */
function capacity(e: ir.IrExpr): number {
  return e.type.kind === "array" ? e.type.length : sizeOf(e.type);
}
