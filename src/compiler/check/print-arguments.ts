//! `print` arguments against their format's conversions, and the limits of the eBPF
//! print (bpf_trace_printk up to 3 values, bpf_trace_vprintk up to 12; the kernel's
//! format parser takes %d %i %u %x %X %c %s %p with flags `0 + - space` and a width,
//! and fails at run time on anything else — so those are compile errors here).

import * as typeErrors from "../diagnostics/catalog/types.js";
import * as codegenErrors from "../diagnostics/catalog/codegen.js";
import type { Span } from "../source.js";
import type { Type } from "../types.js";
import { typeToString } from "../types.js";
import { asInteger } from "./conversions.js";
import type { CheckContext } from "./context.js";
import type { Side } from "./context.js";
import { parseFormat } from "./format-string.js";

/** Values `bpf_printk` can pass: libbpf 1.1 switches to bpf_trace_vprintk above 3. */
export const maxEbpfPrintValues = 12;

export interface PrintArgument {
  readonly span: Span;
  readonly type: Type;
}

/**
 * `format` is the literal format (undefined when the first argument is not a string
 * literal: then every argument is a value); `values` are the arguments after it.
 */
export function checkPrintArguments(
  ctx: CheckContext,
  side: Side,
  call: Span,
  format: { readonly value: string; readonly span: Span } | undefined,
  values: readonly PrintArgument[],
): void {
  if (side === "kernel" && values.length > maxEbpfPrintValues) {
    ctx.diags.report(codegenErrors.tooManyPrintArguments, call, values.length);
  }
  if (!format) return;
  const { conversions, invalidAt } = parseFormat(format.value);
  if (invalidAt !== undefined) return;
  conversions.forEach((conversion, i) => {
    const spelled = `%${conversion.flags}${conversion.conversion}`;
    if (side === "kernel") {
      if (conversion.conversion === "o") {
        ctx.diags.report(typeErrors.printConversionMismatch, format.span, spelled, "octalInEbpf");
        return;
      }
      if (/[.#]/.test(conversion.flags)) {
        ctx.diags.report(typeErrors.printConversionMismatch, format.span, spelled, "flagsInEbpf");
        return;
      }
    }
    const arg = values[i];
    if (!arg || arg.type.kind === "error") return;
    const wanted = wants(conversion.conversion);
    if (!wanted.accepts(arg.type)) {
      ctx.diags.report(typeErrors.printConversionMismatch, arg.span, spelled, { wants: wanted.what, found: typeToString(arg.type) });
    }
  });
}

function wants(conversion: string): { what: "string" | "pointer" | "char" | "integer"; accepts: (t: Type) => boolean } {
  const integer = (t: Type): boolean => asInteger(t) !== undefined || t.kind === "bool";
  switch (conversion) {
    case "s": return { what: "string", accepts: (t) => t.kind === "str" };
    case "p": return { what: "pointer", accepts: (t) => t.kind === "pointer" };
    case "c": return { what: "char", accepts: (t) => t.kind === "char" || t.kind === "int" };
    default: return { what: "integer", accepts: integer };
  }
}
