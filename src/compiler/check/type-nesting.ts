//! Types nested through declarations. The parser bounds how deep one written type nests
//! (E0121), but declarations compose: a struct holds another struct by value, which
//! holds another …; an alias is a pointer to an alias of an array of … Before anything
//! computes a layout or walks a type (both recursive everywhere), this pass checks them
//! without recursion:
//! - a struct containing itself by value, directly, in an array or through other
//!   structs, is E0530 at the field that closes the cycle;
//! - a struct or alias nested more than `maxNesting` levels is E0531 at the first one
//!   that crosses the limit; the structs built on it are not reported again.
//! - a struct of the program holding a kernel struct by value is E1301 unless the loader has a
//!   definition of it too (a packet header or a UAPI context: kernel/headers.ts), since
//!   the shared header NAME.h serves both sides and vmlinux.h exists only on one
//!   (structs of `.kh` headers are kernel declarations, not in NAME.h).
//! Offending fields and aliases become the error type, so later passes stop there. Every
//! user struct's layout then gets its size and alignment, computed once in dependency
//! order, so `sizeOf`/`alignOf` never walk into struct fields (which is exponential for
//! structs holding two of the previous one, 30 levels deep).

import type * as ast from "../ast.js";
import * as codegen from "../diagnostics/catalog/codegen.js";
import * as types from "../diagnostics/catalog/types-kernel-interfaces.js";
import { fixedLayoutStructs } from "../kernel/headers.js";
import { maxNesting } from "../limits.js";
import { errorType, fieldsLayout, heldValueType, type StructLayout, type Type } from "../types.js";
import type { CheckContext } from "./context.js";

/**
 * The alias's type, or the error type (after E0531) when it nests too deep. Structs
 * count as none here; what they hold is checked with the structs.
 */
export function checkAliasNesting(ctx: CheckContext, decl: ast.TypeAliasDecl, type: Type): Type {
  if (type.kind === "error" || nestingOf(type, () => 0, aliasDepths) <= maxNesting) return type;
  ctx.diags.report(codegen.typeNestedTooDeep, decl.name.span, "type", decl.name.name, maxNesting);
  return errorType;
}

const aliasDepths = new WeakMap<Type, number>();

/** Checks every struct declared in the program (see the file comment). */
export function checkStructNesting(ctx: CheckContext): void {
  const declared = ctx.structDecls;
  const state = new Map<string, "open" | "done">();
  /** Levels a struct's contents take, or undefined when it was cut off as too deep. */
  const depths = new Map<string, number | undefined>();
  const cut = new Map<string, Set<number>>();
  const memo = new WeakMap<Type, number>();
  const held = (t: Type): string | undefined => {
    const inner = heldValueType(t);
    return inner.kind === "struct" && declared.has(inner.name) ? inner.name : undefined;
  };

  const finish = (name: string): void => {
    const layout = ctx.structs.get(name)!;
    const decl = declared.get(name)!;
    const cutHere = cut.get(name) ?? new Set<number>();
    let depth: number | undefined = 1;
    const fields = layout.fields.map((field, index) => {
      if (cutHere.has(index)) return { ...field, type: errorType };
      const inner = held(field.type);
      if (inner !== undefined && depths.get(inner) === undefined) {
        // Holds a struct already cut off as too deep: reported there, not again.
        depth = undefined;
        return { ...field, type: errorType };
      }
      const kernelStruct = heldKernelStruct(field.type);
      if (layout.origin === "user" && kernelStruct !== undefined && !fixedLayoutStructs.has(kernelStruct)) {
        ctx.diags.report(types.kernelStructInSharedStruct, decl.fields[index]?.span ?? decl.name.span, name, field.name, kernelStruct);
        return { ...field, type: errorType };
      }
      const fieldDepth = 1 + nestingOf(field.type, (struct) => depths.get(struct) ?? 0, memo);
      if (fieldDepth > maxNesting) {
        ctx.diags.report(codegen.typeNestedTooDeep, decl.fields[index]?.span ?? decl.name.span, "struct", name, maxNesting);
        depth = undefined;
        return { ...field, type: errorType };
      }
      if (depth !== undefined) depth = Math.max(depth, fieldDepth);
      return field;
    });
    depths.set(name, depth);
    replaceLayout(ctx, layout, withSizeAndAlignment({ ...layout, fields }, ctx));
  };

  // Depth-first over "holds by value", with an explicit stack: a struct is finished after
  // everything it holds, and an edge back to an open struct closes a cycle.
  for (const root of declared.keys()) {
    if (state.has(root) || !ctx.structs.get(root)) continue;
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, "open");
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const fields = ctx.structs.get(frame.name)!.fields;
      if (frame.next >= fields.length) {
        stack.pop();
        state.set(frame.name, "done");
        finish(frame.name);
        continue;
      }
      const index = frame.next++;
      const inner = held(fields[index]!.type);
      if (inner === undefined || !ctx.structs.get(inner)) continue;
      const innerState = state.get(inner);
      if (innerState === "open") {
        const from = stack.findIndex((f) => f.name === inner);
        const path = stack.slice(from).map((f) => `${f.name}.${ctx.structs.get(f.name)!.fields[f.next - 1]!.name}`);
        const span = declared.get(frame.name)!.fields[index]?.span ?? declared.get(frame.name)!.name.span;
        ctx.diags.report(codegen.structContainsItself, span, inner, `${path.join(" → ")} → ${inner}`);
        const set = cut.get(frame.name) ?? new Set<number>();
        set.add(index);
        cut.set(frame.name, set);
      } else if (innerState === undefined) {
        state.set(inner, "open");
        stack.push({ name: inner, next: 0 });
      }
    }
  }
}

/** The kernel struct a field holds by value (directly or as array elements), if any. */
function heldKernelStruct(t: Type): string | undefined {
  const inner = heldValueType(t);
  return inner.kind === "struct" && inner.origin === "kernel" ? inner.name : undefined;
}

/**
 * How many levels `t` nests: one per type constructor (a plain `u32` is none, as a type
 * written at the limit of E0121 has 100 constructors at most), plus what a struct held
 * by value takes (`structDepth`: one for the struct and what its fields take). Pointers
 * and function types refer to structs without holding them: a struct behind one is none. Memoised per type object: an alias is
 * one object shared by every type built on it, so chains of aliases cost one step each.
 */
function nestingOf(t: Type, structDepth: (name: string) => number, memo: WeakMap<Type, number>): number {
  const known = memo.get(t);
  if (known !== undefined) return known;
  const reference = (target: Type): number => (target.kind === "struct" ? 0 : nestingOf(target, structDepth, memo));
  let depth: number;
  switch (t.kind) {
    case "array": depth = 1 + nestingOf(t.element, structDepth, memo); break;
    case "pointer": depth = 1 + reference(t.target); break;
    case "function": depth = 1 + Math.max(reference(t.returnType), ...t.params.map(reference)); break;
    case "map": depth = 1 + Math.max(nestingOf(t.key, structDepth, memo), nestingOf(t.value, structDepth, memo)); break;
    case "struct": depth = t.origin === "user" ? structDepth(t.name) : 1; break;
    default: depth = 0;
  }
  memo.set(t, depth);
  return depth;
}

/** The layout with its C size and alignment; the structs it holds are finished already. */
function withSizeAndAlignment(layout: StructLayout, ctx: CheckContext): StructLayout {
  return { ...layout, ...fieldsLayout(layout.fields, ctx.tables) };
}

function replaceLayout(ctx: CheckContext, old: StructLayout, layout: StructLayout): void {
  ctx.structs.set(layout.name, layout);
  const index = ctx.userStructs.indexOf(old);
  if (index >= 0) ctx.userStructs[index] = layout;
}
