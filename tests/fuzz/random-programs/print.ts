//! A generated program as KernelScript source. Expressions are written with the fewest
//! parentheses KernelScript's precedence allows (so the parser's precedence is tested
//! too) or fully parenthesised, chosen per program.

import * as I from "./integers.js";
import type { Expr, Place, Program, Stmt, StructDef, Ty, Value } from "./model.js";
import { scaffoldNames, typeText } from "./model.js";
import { exprType } from "./types-of.js";

export interface PrintOptions {
  /** Parenthesise every binary operation (otherwise only where precedence needs it). */
  readonly allParens: boolean;
}

/** What a failing check's record in the results map means, for failure reports. */
export const UNREACHABLE_RECORD = 3735928559n;

// KernelScript's precedence, loosest first (parse/parse-expr.ts):
//   || < && < comparisons < | < ^ < & < shifts < + - < * / % < as < prefix < postfix
const PREC: Record<string, number> = {
  "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
  "|": 4, "^": 5, "&": 6, "<<": 7, ">>": 7, "+": 8, "-": 8, "*": 9, "/": 9, "%": 9,
};
const CAST = 10;
const PREFIX = 11;
const POSTFIX = 12;

export function printProgram(p: Program, options: PrintOptions): string {
  return new Printer(p, options).program();
}

class Printer {
  private readonly out: string[] = [];
  private indent = 0;
  private readonly names: ReturnType<typeof scaffoldNames>;

  constructor(private readonly p: Program, private readonly options: PrintOptions) {
    this.names = scaffoldNames(p.prefix);
  }

  private line(text: string): void {
    this.out.push(`${"    ".repeat(this.indent)}${text}`);
  }

  program(): string {
    const p = this.p;
    this.line(`// Random self-checking program, seed ${p.seed} (tests/fuzz/random-programs).`);
    this.line(`// Reproduce: make fuzz SEED=${p.seed} N=1`);
    for (const s of p.structs) this.struct(s);
    for (const g of p.globals) {
      this.line(`${g.local ? "local " : ""}var ${g.name}: ${typeText(g.type)} = ${this.value(g.init, g.type)}`);
    }
    for (const m of p.maps) this.line(`var ${m.name}: ${m.kind}<${I.intName(m.key)}, ${typeText(m.value)}>(${m.maxEntries})`);
    this.line(`var ${this.names.results}: hash<u32, u64>(${p.checkCount + 1})`);
    this.line(`var ${this.names.fails}: u32 = 0`);
    this.line(`var ${this.names.hash}: u64 = 0`);
    for (const h of p.helpers) {
      this.line("");
      const params = h.params.map((x) => `${x.name}: ${typeText(x.type)}`).join(", ");
      this.line(`@helper fn ${h.name}(${params})${h.ret ? ` -> ${typeText(h.ret)}` : ""} {`);
      this.body(h.body);
      this.line("}");
    }
    this.line("");
    this.line(`@xdp fn ${this.names.main}(ctx: XdpContext) -> XdpAction {`);
    this.body(p.body);
    this.indent++;
    this.line(`if (${this.names.fails} != 0) {`);
    this.line("    return XDP_DROP");
    this.line("}");
    this.line("return XDP_PASS");
    this.indent--;
    this.line("}");
    return `${this.out.join("\n")}\n`;
  }

  private struct(s: StructDef): void {
    this.line(`struct ${s.name} {`);
    for (const f of s.fields) this.line(`    ${f.name}: ${typeText(f.type)},`);
    this.line("}");
  }

  /** A constant of type `t` (global initial values). */
  private value(v: Value, t: Ty): string {
    switch (t.k) {
      case "int": return this.intText(v as bigint);
      case "bool": return String(v);
      case "char": return charText(Number(v));
      case "str": return JSON.stringify(v);
      case "array": return `[${(v as Value[]).map((x) => this.value(x, t.elem)).join(", ")}]`;
      case "struct": {
        const m = v as Map<string, Value>;
        return `${t.def.name} { ${t.def.fields.map((f) => `${f.name}: ${this.value(m.get(f.name)!, f.type)}`).join(", ")} }`;
      }
    }
  }

  private intText(v: bigint): string {
    // Some literals in hex, so both spellings reach the lexer.
    if (v > 255n && v % 3n === 0n) return `0x${v.toString(16)}`;
    return v.toString();
  }

  private body(stmts: readonly Stmt[]): void {
    this.indent++;
    for (const s of stmts) this.stmt(s);
    this.indent--;
  }

  private stmt(s: Stmt): void {
    switch (s.k) {
      case "decl": {
        const keyword = s.constant ? "let" : "var";
        this.line(`${keyword} ${s.name}${s.annotate ? `: ${typeText(s.type)}` : ""} = ${this.top(s.init)}`);
        return;
      }
      case "assign":
        this.line(`${this.place(s.place)} ${s.op} ${this.top(s.value)}`);
        return;
      case "if": {
        this.line(`if (${this.top(s.cond)}) {`);
        this.body(s.then);
        let rest = s.else;
        while (rest) {
          const only = rest.length === 1 ? rest[0] : undefined;
          if (only?.k === "if") {
            this.line(`} else if (${this.top(only.cond)}) {`);
            this.body(only.then);
            rest = only.else;
          } else {
            this.line("} else {");
            this.body(rest);
            rest = undefined;
          }
        }
        this.line("}");
        return;
      }
      case "for":
        this.line(`for (${s.variable} in ${this.expr(s.start, POSTFIX)}..${this.expr(s.end, POSTFIX)}) {`);
        this.body(s.body);
        this.line("}");
        return;
      case "while": {
        const t = s.counter.type as Ty & { k: "int" };
        this.line(`while (${s.counter.name} ${s.inclusive ? "<=" : "<"} ${this.intText(s.bound)}) {`);
        this.indent++;
        this.line(`${s.counter.name} += ${s.step}`);
        this.indent--;
        void t;
        this.body(s.body);
        this.line("}");
        return;
      }
      case "break": case "continue":
        this.line(s.k);
        return;
      case "return":
        this.line(s.value ? `return ${this.top(s.value)}` : "return");
        return;
      case "match":
        this.line(`match (${this.top(s.scrutinee)}) {`);
        this.indent++;
        for (const arm of s.arms) {
          this.line(`${arm.pattern === undefined ? "default" : this.intText(arm.pattern)}: {`);
          this.body(arm.body);
          this.line("},");
        }
        this.indent--;
        this.line("}");
        return;
      case "mapSet":
        this.line(`${s.map.name}[${this.top(s.key)}] = ${this.top(s.value)}`);
        return;
      case "mapOp":
        this.line(`${s.map.name}[${this.top(s.key)}] ${s.op} ${this.top(s.value)}`);
        return;
      case "mapField":
        this.line(`${s.map.name}[${this.top(s.key)}].${s.field} ${s.op} ${this.top(s.value)}`);
        return;
      case "mapDelete":
        this.line(`delete ${s.map.name}[${this.top(s.key)}]`);
        return;
      case "ifEntry":
        this.line(`if (var ${s.binding.name} = ${s.map.name}[${this.top(s.key)}]) {`);
        this.body(s.then);
        if (s.else) {
          this.line("} else {");
          this.body(s.else);
        }
        this.line("}");
        return;
      case "call":
        this.line(this.top(s.call));
        return;
      case "check": {
        const t = exprType(s.value);
        const expected = s.expected === undefined ? "0" : this.expected(s.expected, t);
        this.line(`if (${this.expr(s.value, PREC["!="]! + 1)} != ${expected}) {`);
        this.indent++;
        const got = t.k === "str" ? "0" : `${this.expr(s.value, CAST)} as u64`;
        this.line(`${this.names.results}[${s.id}] = ${got}`);
        this.line(`${this.names.fails} += 1`);
        this.indent--;
        this.line("}");
        return;
      }
      case "unreachable":
        this.line(`${this.names.results}[${s.id}] = ${UNREACHABLE_RECORD}`);
        this.line(`${this.names.fails} += 1`);
        return;
    }
  }

  private expected(v: Value, t: Ty): string {
    switch (t.k) {
      case "int": return this.literal(v as bigint, PREC["!="]! + 1);
      case "bool": return String(v);
      case "char": return charText(Number(v));
      case "str": return JSON.stringify(v);
      default: throw new Error(`a check of a ${t.k}`);
    }
  }

  private place(p: Place): string {
    switch (p.k) {
      case "var": return p.ref.name;
      case "field": return `${this.place(p.target)}.${p.field}`;
      case "index": return `${this.place(p.target)}[${this.top(p.index)}]`;
    }
  }

  /** An expression standing alone (initializer, condition, argument): no outer parentheses. */
  private top(e: Expr): string {
    return this.expr(e, 0, true);
  }

  private literal(v: bigint, min: number): string {
    const text = this.intText(v < 0n ? -v : v);
    if (v >= 0n) return text;
    return PREFIX >= min ? `-${text}` : `(-${text})`;
  }

  /** `e` written so that it parses as one operand of precedence at least `min`. */
  private expr(e: Expr, min: number, top = false): string {
    const wrap = (text: string, prec: number): string =>
      prec < min || (this.options.allParens && !top && prec < CAST) ? `(${text})` : text;
    switch (e.k) {
      case "int":
        if (e.typed) return `(${this.literal(e.v, CAST)} as ${I.intName(e.t)})`;
        return this.literal(e.v, min);
      case "bool": return String(e.v);
      case "char": return charText(e.v);
      case "str": return JSON.stringify(e.v);
      case "var": return e.ref.name;
      case "field": return `${this.expr(e.target, POSTFIX)}.${e.field}`;
      case "index": return `${this.expr(e.target, POSTFIX)}[${this.top(e.index)}]`;
      case "arith": case "shift": case "compare": case "logic": {
        const p = PREC[e.op]!;
        return wrap(`${this.expr(e.l, p)} ${e.op} ${this.expr(e.r, p + 1)}`, p);
      }
      case "strEq": {
        const p = PREC["=="]!;
        return wrap(`${this.expr(e.l, p)} ${e.negated ? "!=" : "=="} ${this.expr(e.r, p + 1)}`, p);
      }
      case "concat": {
        const p = PREC["+"]!;
        return wrap(`${this.expr(e.l, p)} + ${this.expr(e.r, p + 1)}`, p);
      }
      case "not": return wrap(prefixed("!", this.expr(e.e, PREFIX)), PREFIX);
      case "neg": return wrap(prefixed("-", this.expr(e.e, PREFIX)), PREFIX);
      case "compl": return wrap(prefixed("~", this.expr(e.e, PREFIX)), PREFIX);
      case "cast": return wrap(`${this.expr(e.e, CAST)} as ${typeText(e.to)}`, CAST);
      case "call": return `${e.fn.name}(${e.args.map((a) => this.top(a)).join(", ")})`;
      case "mapGet": return `${e.map.name}[${this.top(e.key)}]`;
      case "mapHas": {
        const p = PREC["=="]!;
        return wrap(`${e.map.name}[${this.top(e.key)}] ${e.negated ? "==" : "!="} null`, p);
      }
      case "match": {
        const arms = e.arms.map((a) => `${a.pattern === undefined ? "default" : this.literal(a.pattern, 0)}: ${this.top(a.value)}`);
        const text = `match (${this.top(e.scrutinee)}) { ${arms.join(", ")} }`;
        return top ? text : `(${text})`;
      }
      case "structLit": {
        const text = `${e.def.name} { ${e.def.fields.map((f, i) => `${f.name}: ${this.top(e.fields[i]!)}`).join(", ")} }`;
        return top ? text : `(${text})`;
      }
      case "arrayLit": return `[${e.elems.map((x) => this.top(x)).join(", ")}]`;
      case "packetLength": return "(ctx.data_end - ctx.data)";
    }
  }
}

export function charText(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x5c) return "'\\\\'";
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  if (c === 0x0a) return "'\\n'";
  if (c === 0x09) return "'\\t'";
  return `'\\x${c.toString(16).padStart(2, "0")}'`;
}

/** `op` before `operand`, with a space where the two would read as another token (`- -x`). */
function prefixed(op: string, operand: string): string {
  return operand.startsWith("-") || operand.startsWith(op) ? `${op} ${operand}` : `${op}${operand}`;
}
