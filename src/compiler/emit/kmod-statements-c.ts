//! The few statements whose kernel-module C differs from user-space C (everything else
//! in `@kfunc`/`@private` bodies is written by c-code.ts with side `user`):
//! `new T(GFP_…)` → `kzalloc(sizeof(struct T), GFP_…)` (zeroed, like `new` on the other
//! sides; the size is the struct's, not a pointer's), `delete p` → `kfree(p)`,
//! `print` → `printk(KERN_INFO …)`.

import type * as ir from "../ir.js";
import { cTypeName } from "./c-types.js";

export function moduleNew(e: Extract<ir.IrExpr, { kind: "objectNew" }>): string {
  const type = cTypeName(e.of);
  // The checker requires the flag in module code (E0480).
  return `((${type} *)kzalloc(sizeof(${type}), ${e.gfp ?? "GFP_ATOMIC"}))`;
}

export function moduleDelete(pointer: string): string {
  return `kfree(${pointer});`;
}

/** `format` is already a C string literal ending in `\n`. */
export function modulePrint(format: string, args: readonly string[]): string {
  return `printk(${[`KERN_INFO ${format}`, ...args].join(", ")});`;
}
