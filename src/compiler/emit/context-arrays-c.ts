import type * as ir from "../ir.js";
import type { Type } from "../types.js";

/**
 * Whether an array value is read out of a program's context (`ctx.saddr`, or an array
 * inside a struct field of the context). The verifier accepts a context load only at a
 * constant offset from the unmodified context pointer, with the field's own size: a
 * `__builtin_memcpy` (or a loop) makes clang move the pointer (`r2 = r1; r2 += 32`),
 * which it refuses ("dereference of modified ctx ptr", E0464).
 */
export function isContextArray(e: ir.IrExpr): boolean {
  if (e.type.kind !== "array") return false;
  let node: ir.IrExpr = e;
  while (node.kind === "field" && !node.viaPointer) node = node.target;
  return node.kind === "contextField";
}

/**
 * `dst = ctx.field` for an array field: one statement per element, each a volatile load
 * of the element's own size at a constant index, so clang keeps every load as
 * `*(uN *)(ctx + offset)` and neither merges neighbours into a wider load nor walks a
 * moved pointer (tests/kernel/context-arrays.test.ts loads it and reads the bytes).
 */
export function contextArrayCopy(target: string, source: string, type: Type): readonly string[] {
  if (type.kind !== "array") return [`${target} = ${source};`];
  const lines: string[] = [];
  for (let i = 0; i < type.length; i++) {
    const element = `${source}[${i}]`;
    if (type.element.kind === "array") lines.push(...contextArrayCopy(`${target}[${i}]`, element, type.element));
    else lines.push(`${target}[${i}] = *(volatile __typeof__(${element}) *)&${element};`);
  }
  return lines;
}
