//! analyze(): safety checks on the IR before anything is emitted, each reporting into
//! the shared Diagnostics. Run in a fixed order; none of them changes the IR.

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import type * as ir from "../ir.js";
import { checkStackUsage } from "./stack-usage.js";
import { checkLoopFrames } from "./loop-frames.js";
import { checkReferences } from "./references.js";
import { checkMapFlags } from "./map-flags.js";
import { checkKernelModuleName } from "./kmod-name.js";
import { checkLicenseUse } from "./license.js";
import type { FunctionFactsTable } from "./function-facts.js";

export function analyze(module: ir.IrModule, diags: Diagnostics): void {
  const facts: FunctionFactsTable = new Map();
  checkStackUsage(module, diags, facts);
  checkLoopFrames(module, diags, facts);
  checkReferences(module, diags, facts);
  checkMapFlags(module, diags);
  checkKernelModuleName(module, diags);
  checkLicenseUse(module, diags);
}
