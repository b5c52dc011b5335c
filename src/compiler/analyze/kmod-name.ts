//! The kernel module is named after the project (`NAME_kfuncs`, emit/names.ts); the
//! kernel limits module names to MODULE_NAME_LEN - 1 = 55 bytes (64-bit kernels), and
//! insmod/finit_module refuse longer ones. Checked before anything is emitted.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import { moduleNameInvalid } from "../diagnostics/catalog/codegen.js";
import type * as ir from "../ir.js";
import { kernelModuleName } from "../names.js";

const maxModuleName = 55;

export function checkKernelModuleName(module: ir.IrModule, diags: Diagnostics): void {
  const first = module.kernelModule[0];
  if (!first) return;
  const name = kernelModuleName(module.name);
  if (name.length > maxModuleName) {
    diags.report(moduleNameInvalid, first.span, module.name, name, maxModuleName);
  }
}
