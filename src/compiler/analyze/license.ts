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
  const construct = (span: Span, what: string, kernelFunction: string): void =>
    diags.report(gplOnlyConstruct, span, what, kernelFunction, license.text, declared);

  for (const fn of [...module.programs, ...module.helpers]) {
    const tpBtf = "programType" in fn && programTypeInfo[(fn as ir.IrProgram).programType].kernelPointerArguments;
    let kernelRead = false;
    const call = (callee: string, span: Span): void => {
      const kfunc = kfuncs.get(callee);
      if (!kfunc) return;
      const owner = kfunc.fromModule ? " (of this file's kernel module)" : "";
      construct(span, `the call of \`${callee}\``, `the kfunc \`${callee}\`${owner}`);
    };
    const expression = (e: ir.IrExpr): void => {
      if (e.kind === "call") call(e.callee, e.span);
      else if (e.kind === "objectNew") construct(e.span, "`new`", "the kfunc `bpf_obj_new_impl`");
      else if (e.kind === "mapMethod" && e.method === "output") construct(e.span, `\`${e.map}.output()\``, "the helper `bpf_perf_event_output`");
      else if (e.kind === "contextField" && tpBtf && !kernelRead) {
        kernelRead = true;
        const target = e.context.type.kind === "pointer" ? typeToString(e.context.type.target) : typeToString(e.context.type);
        diags.report(gplOnlyProgram, e.span, `reading the kernel's \`${target}\` through a BTF pointer`,
          `the verifier refuses it: "Cannot access kernel 'struct ${target}' from non-GPL compatible program"`, license.text, declared);
      }
    };
    const statement = (s: ir.IrStmt): void => {
      if (s.kind === "print") construct(s.span, "`print` in eBPF code", "the helper `bpf_trace_printk`");
      else if (s.kind === "objectDelete") construct(s.span, "`delete`", "the kfunc `bpf_obj_drop_impl`");
      else if (s.kind === "tryCall") call(s.callee, s.span);
    };
    visitStatements(fn.body, { statement, expression });
  }

  for (const ops of module.structOps) {
    diags.report(gplOnlyProgram, ops.span, `the struct_ops impl \`${ops.name}\``,
      `the kernel loads struct_ops programs only with a GPL-compatible license ("struct ops programs must have a GPL compatible license")`, license.text, declared);
  }
}
