//! A program whose license is not GPL-compatible (check/license.ts) may not use what the
//! kernel keeps for GPL-compatible programs. Reported here, on the IR, because the IR
//! shows what the compiler itself turns into GPL-only calls. Each entry was checked on
//! kernel 6.18 by loading the generated object with a non-GPL license
//! (docs/language/program-types.md lists the kernel's messages):
//!
//! - `print` in eBPF code (bpf_trace_printk / bpf_trace_vprintk) and `.output()` of a
//!   perf event array (bpf_perf_event_output): GPL-only helpers;
//! - `new`/`delete` (bpf_obj_new_impl/bpf_obj_drop_impl), `@kfunc` functions and `extern`
//!   kfuncs: the kernel refuses every kfunc call from a non-GPL program;
//! - struct_ops impls: refused whole;
//! - `@tp_btf` programs reading kernel structures through their BTF pointer parameters.
//!
//! `extern` BPF helpers are the user's raw access and are not judged here: the kernel
//! decides, and its rejection is explained on the `.ks` line (E0459).

import type { Diagnostics } from "../diagnostics/diagnostic.js";
import { gplOnlyConstruct, gplOnlyProgram } from "../diagnostics/catalog/safety.js";
import type { GplOnlyUse } from "../diagnostics/catalog/safety.js";
import type * as ir from "../ir.js";
import { programTypeInfo } from "../kernel/program-types.js";
import type { Span } from "../source.js";
import { visitStatements } from "../ir-walk.js";
import { typeToString } from "../types.js";

export function checkLicenseUse(module: ir.IrModule, diags: Diagnostics): void {
  const { license } = module;
  if (license.gplCompatible || !license.span) return;
  const declared = license.span;
  const kfuncs = new Map(module.externs.filter((e) => e.kfunc).map((e) => [e.name, e]));
  const construct = (span: Span, use: GplOnlyUse): void => diags.report(gplOnlyConstruct, span, use, license.text, declared);

  for (const fn of [...module.programs, ...module.helpers]) {
    const tpBtf = "programType" in fn && programTypeInfo[(fn as ir.IrProgram).programType].kernelPointerArguments;
    let kernelRead = false;
    const call = (callee: string, span: Span): void => {
      const kfunc = kfuncs.get(callee);
      if (!kfunc) return;
      construct(span, { kind: "kfuncCall", callee, ofThisModule: kfunc.fromModule === true });
    };
    const expression = (e: ir.IrExpr): void => {
      if (e.kind === "call") call(e.callee, e.span);
      else if (e.kind === "objectNew") construct(e.span, { kind: "new" });
      else if (e.kind === "mapMethod" && e.method === "output") construct(e.span, { kind: "perfOutput", map: e.map });
      else if (e.kind === "contextField" && tpBtf && !kernelRead) {
        kernelRead = true;
        const target = e.context.type.kind === "pointer" ? typeToString(e.context.type.target) : typeToString(e.context.type);
        diags.report(gplOnlyProgram, e.span, { btfRead: target }, license.text, declared);
      }
    };
    const statement = (s: ir.IrStmt): void => {
      if (s.kind === "print") construct(s.span, { kind: "print" });
      else if (s.kind === "objectDelete") construct(s.span, { kind: "delete" });
      else if (s.kind === "tryCall") call(s.callee, s.span);
    };
    visitStatements(fn.body, { statement, expression });
  }

  for (const ops of module.structOps) {
    diags.report(gplOnlyProgram, ops.span, { structOps: ops.name }, license.text, declared);
  }
}
