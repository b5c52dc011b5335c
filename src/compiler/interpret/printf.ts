//! `print(…)` formats off-kernel: the C conversions the generated code passes to
//! printf/bpf_printk (%d %i %u %x %X %o %c %s %p and the l/ll/h/hh/z length modifiers,
//! flags, width and precision), applied to the interpreter's values.

import type { Type } from "../types.js";
import type { Value } from "./memory.js";
import { textOf } from "./expressions.js";

export interface PrintArg {
  readonly value: Value;
  readonly type: Type;
}

function text(v: Value): string {
  if (typeof v === "bigint") return String.fromCharCode(Number(BigInt.asUintN(8, v)));
  if (v.kind === "agg") return new TextDecoder().decode(textOf(v.bytes));
  return "";
}

export function formatPrint(format: string, args: readonly PrintArg[]): string {
  let out = "";
  let next = 0;
  const re = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?(hh|h|ll|l|z|j|t)?([diouxXcsp%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = "", widthText, precisionText, length = "", conv] = m;
    if (conv === "%") {
      out += "%";
      continue;
    }
    const width = widthText === "*" ? Number(args[next++]?.value ?? 0n) : widthText ? Number(widthText) : 0;
    const precision = precisionText === "*" ? Number(args[next++]?.value ?? 0n) : precisionText ? Number(precisionText) : undefined;
    const arg = args[next++];
    const v = arg?.value ?? 0n;
    const bits = length === "hh" ? 8 : length === "h" ? 16 : length === "" ? 32 : 64;
    let body: string;
    switch (conv) {
      case "d": case "i": {
        const n = typeof v === "bigint" ? BigInt.asIntN(bits, v) : 0n;
        body = (n < 0n ? -n : n).toString();
        if (precision !== undefined) body = body.padStart(precision, "0");
        body = (n < 0n ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "") + body;
        break;
      }
      case "u": case "x": case "X": case "o": {
        const n = typeof v === "bigint" ? BigInt.asUintN(bits, v) : 0n;
        body = n.toString(conv === "u" ? 10 : conv === "o" ? 8 : 16);
        if (conv === "X") body = body.toUpperCase();
        if (precision !== undefined) body = body.padStart(precision, "0");
        if (flags.includes("#") && n !== 0n && conv !== "u") body = (conv === "o" ? "0" : conv === "x" ? "0x" : "0X") + body;
        break;
      }
      case "c": body = text(typeof v === "bigint" ? v : 0n); break;
      case "s": body = text(v); if (precision !== undefined) body = body.slice(0, precision); break;
      case "p": body = typeof v !== "bigint" && v.kind === "ptr" && !v.mem ? "(nil)" : "0x…"; break;
      default: body = "";
    }
    if (body.length < width) {
      if (flags.includes("-")) body = body.padEnd(width);
      else if (flags.includes("0") && conv !== "s" && conv !== "c" && precision === undefined) {
        const sign = /^[-+ ]/.test(body) ? body[0]! : "";
        body = sign + body.slice(sign.length).padStart(width - sign.length, "0");
      } else body = body.padStart(width);
    }
    out += body;
  }
  return out + format.slice(last);
}
