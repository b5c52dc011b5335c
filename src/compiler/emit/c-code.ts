//! IR statements and expressions → C, shared by the eBPF and user-space emitters.
//!
//! Both sides call maps through the same small accessor functions (`ks_<map>_get`,
//! `_contains`, `_set`, `_delete`, `_<op>` for compound updates); only the accessors'
//! bodies differ per side (`map-accessors.ts`). What is side-specific in statements
//! (`print`, the lifecycle builtins, context fields) goes through `side`.

import type * as ir from "../ir.js";
import type { Type } from "../types.js";
import { cDeclaration, cTypeName } from "./c-types.js";
import type { CWriter } from "./c-writer.js";
import { functionName, localName } from "./names.js";
import { packetPointerFields } from "../kernel/builtins.js";
import { ringbufExpression, ringbufStatement } from "./ringbuf-c.js";

export type Side = "kernel" | "user";

/** Which map accessors a function body uses, so only those are emitted. */
export class MapAccessorUse {
  readonly used = new Map<string, Set<string>>();
  note(map: string, accessor: string): string {
    let set = this.used.get(map);
    if (!set) this.used.set(map, (set = new Set()));
    set.add(accessor);
    return `ks_${map}_${accessor}`;
  }
}

export const compoundAccessorNames: Readonly<Record<ir.IrArithOp, string>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod",
  "&": "and", "|": "or", "^": "xor", "<<": "shl", ">>": "shr",
};

export class CCodeEmitter {
  private temporaries = 0;

  constructor(
    private readonly w: CWriter,
    private readonly side: Side,
    private readonly accessors: MapAccessorUse,
  ) {}

  statements(statements: readonly ir.IrStmt[]): void {
    for (const s of statements) this.statement(s);
  }

  statement(s: ir.IrStmt): void {
    const w = this.w;
    w.withOrigin(s.span, () => {
      switch (s.kind) {
        case "declare":
          w.line(s.init ? `${cDeclaration(s.type, localName(s.name))} = ${this.initializer(s.init)};` : `${cDeclaration(s.type, localName(s.name))};`);
          if (!s.init) w.line(`__builtin_memset(&${localName(s.name)}, 0, sizeof(${localName(s.name)}));`);
          if (s.unread) w.line(`(void)${localName(s.name)};`);
          return;
        case "assign": {
          const target = this.place(s.target);
          if (s.op === "=") w.line(`${target} = ${this.expr(s.value)};`);
          else w.line(`${target} ${s.op}= ${this.expr(s.value)};`);
          return;
        }
        case "mapUpdate":
          w.line(`${this.accessors.note(s.map, "set")}(${this.expr(s.key)}, ${this.expr(s.value)});`);
          return;
        case "mapCompound":
          w.line(`${this.accessors.note(s.map, compoundAccessorNames[s.op])}(${this.expr(s.key)}, ${this.expr(s.value)});`);
          return;
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
          const id = this.temporaries++;
          const key = `__ks_key${id}`;
          const binding = localName(s.binding);
          const lookup = this.accessors.note(s.map, "lookup");
          w.block("", () => {
            w.line(`${cDeclaration(s.keyType, key)} = ${this.expr(s.key)};`);
            if (this.side === "kernel") {
              // A pointer into the map value: writes through it update the entry in place.
              w.line(`${cTypeName(s.valueType)} *${binding} = ${lookup}(&${key});`);
            } else {
              // User space reads a copy; it is written back when the branch assigned to it.
              w.line(`${cDeclaration(s.valueType, `__ks_entry${id}`)};`);
              w.line(`${cTypeName(s.valueType)} *${binding} = ${lookup}(&${key}, &__ks_entry${id});`);
            }
            w.line(`if (${binding}) {`);
            w.indent();
            this.statements(s.then);
            if (this.side === "user" && assignsTo(s.then, s.binding)) {
              w.line(`${this.accessors.note(s.map, "set")}(${key}, *${binding});`);
            }
            w.dedent();
            if (s.else) {
              w.line("} else {");
              w.indent();
              this.statements(s.else);
              w.dedent();
            }
            w.line("}");
          });
          return;
        }
        case "while":
          w.block(`while (${this.condition(s.condition)})`, () => this.statements(s.body));
          return;
        case "forRange": {
          const v = localName(s.variable);
          w.block(`for (${cDeclaration(s.variableType, v)} = ${this.expr(s.start)}; ${v} < ${this.expr(s.end)}; ${v}++)`,
            () => this.statements(s.body));
          return;
        }
        case "break": w.line("break;"); return;
        case "continue": w.line("continue;"); return;
        case "return":
          w.line(s.value ? `return ${this.expr(s.value)};` : "return;");
          return;
        case "print":
          w.line(this.print(s));
          return;
        case "ringbufRelease": case "objectDelete": case "onEvent":
          w.line(ringbufStatement(this.side, s, (e) => this.expr(e)));
          return;
        case "ifPointer":
          // A plain block scopes the binding to the branch, as in the source.
          w.block("", () => {
            w.line(`${cDeclaration(s.type, localName(s.binding))} = ${this.expr(s.value)};`);
            w.line(`if (${localName(s.binding)}) {`);
            w.indent();
            this.statements(s.then);
            w.dedent();
            if (s.else) {
              w.line("} else {");
              w.indent();
              this.statements(s.else);
              w.dedent();
            }
            w.line("}");
          });
          return;
      }
    });
  }

  /** `if … else if … else` chains written flat, as a C programmer would. */
  private ifChain(s: Extract<ir.IrStmt, { kind: "if" }>): void {
    const w = this.w;
    w.line(`if (${this.condition(s.condition)}) {`);
    w.indent();
    this.statements(s.then);
    w.dedent();
    let rest = s.else;
    while (rest) {
      const only = rest.length === 1 ? rest[0] : undefined;
      if (only?.kind === "if") {
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

  private initializer(value: ir.IrExpr): string {
    if (value.kind === "structLiteral" || value.kind === "arrayLiteral") return this.aggregate(value);
    return this.expr(value);
  }

  private aggregate(value: ir.IrExpr): string {
    if (value.kind === "structLiteral") {
      return `{ ${value.fields.map((f) => `.${f.name} = ${this.initializer(f.value)}`).join(", ")} }`;
    }
    if (value.kind === "arrayLiteral") return `{ ${value.elements.map((e) => this.initializer(e)).join(", ")} }`;
    return this.expr(value);
  }

  /** An expression in `if (…)`/`while (…)`: without a second pair of parentheses. */
  condition(e: ir.IrExpr): string {
    const text = this.expr(e);
    return hasOuterParens(text) ? text.slice(1, -1) : text;
  }

  place(p: ir.IrPlace): string {
    switch (p.kind) {
      case "local": return localName(p.name);
      case "global": return p.name;
      case "entry": return `(*${localName(p.name)})`;
      case "field": return `${this.expr(p.target)}${p.viaPointer ? "->" : "."}${p.field}`;
      case "index": return `${this.expr(p.target)}[${this.expr(p.index)}]`;
      case "deref": return `(*${this.expr(p.pointer)})`;
    }
  }

  expr(e: ir.IrExpr): string {
    switch (e.kind) {
      case "int": return intLiteral(e.value, e.type);
      case "bool": return e.value ? "true" : "false";
      case "string": return cString(e.value);
      case "null": return "NULL";
      case "constant": return e.name;
      case "local": return localName(e.name);
      case "global": return e.name;
      case "entry": return `(*${localName(e.name)})`;
      case "binary": {
        if (e.op === "-" && e.left.type.kind === "pointer" && e.right.type.kind === "pointer") {
          return `((__u64)(${this.expr(e.left)} - ${this.expr(e.right)}))`;
        }
        return `(${this.expr(e.left)} ${e.op} ${this.expr(e.right)})`;
      }
      case "unary": return `(${e.op}${this.expr(e.operand)})`;
      case "cast": return `((${cTypeName(e.type)})${this.expr(e.expr)})`;
      case "field": return `${this.expr(e.target)}${e.viaPointer ? "->" : "."}${e.field}`;
      case "contextField": {
        const context = this.expr(e.context);
        // The UAPI declares packet pointers as __u32; the verifier knows them as pointers.
        if (packetPointerFields.has(e.field)) return `((__u8 *)(long)${context}->${e.field})`;
        return `${context}->${e.field}`;
      }
      case "index": return `${this.expr(e.target)}[${this.expr(e.index)}]`;
      case "mapLookup": return `${this.accessors.note(e.map, "get")}(${this.expr(e.key)})`;
      case "mapContains": return `${this.accessors.note(e.map, "contains")}(${this.expr(e.key)})`;
      case "call": return `${functionName(e.callee)}(${e.args.map((a) => this.expr(a)).join(", ")})`;
      case "builtin": return this.builtin(e);
      case "programRef": return cString(e.name);
      case "structLiteral": return `((${cTypeName(e.type)})${this.aggregate(e)})`;
      case "arrayLiteral": return this.aggregate(e);
      case "sizeof": return `((__u64)sizeof(${cTypeName(e.of)}))`;
      case "ringbufReserve": case "objectNew": case "dispatch": return ringbufExpression(this.side, e);
    }
  }

  private builtin(e: Extract<ir.IrExpr, { kind: "builtin" }>): string {
    const args = e.args.map((a) => this.expr(a));
    switch (e.name) {
      case "load": return `ks_load(${args[0]})`;
      case "attach": return `ks_attach(${args.join(", ")})`;
      case "detach": return `ks_detach(${args[0]})`;
    }
  }

  private print(s: Extract<ir.IrStmt, { kind: "print" }>): string {
    const args = s.args.map((a) => printArgument(this.expr(a), a.type));
    const format = cString(`${s.format}\n`);
    const call = this.side === "kernel" ? "bpf_printk" : "printf";
    return `${call}(${[format, ...args].join(", ")});`;
  }
}

/** Whether any statement (at any depth) assigns to the map-entry binding `name`. */
function assignsTo(statements: readonly ir.IrStmt[], name: string): boolean {
  const placeIs = (p: ir.IrPlace): boolean =>
    p.kind === "entry" ? p.name === name : p.kind === "field" ? exprIs(p.target) : p.kind === "index" ? exprIs(p.target) : false;
  const exprIs = (e: ir.IrExpr): boolean =>
    e.kind === "entry" ? e.name === name : e.kind === "field" ? exprIs(e.target) : e.kind === "index" ? exprIs(e.target) : false;
  return statements.some((s) => {
    switch (s.kind) {
      case "assign": return placeIs(s.target);
      case "if": return assignsTo(s.then, name) || assignsTo(s.else ?? [], name);
      case "ifMapEntry": case "ifPointer": return assignsTo(s.then, name) || assignsTo(s.else ?? [], name);
      case "while": case "forRange": return assignsTo(s.body, name);
      default: return false;
    }
  });
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
  let text = magnitude.toString();
  if (magnitude > 0xffffffffn || (type.kind === "int" && type.bits === 64 && magnitude > 0x7fffffffn)) {
    text += type.kind === "int" && type.signed ? "LL" : "ULL";
  } else if (magnitude > 0x7fffffffn) {
    text += "U";
  }
  return negative ? `(-${text})` : text;
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
