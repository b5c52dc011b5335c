//! What a program attaches to must exist in the kernel: the tracepoint of
//! `@tracepoint("category/event")`, the function of `@probe`/`@kprobe`, the event of
//! `@tp_btf`/`@raw_tracepoint`. Each is a fact of one machine, so its absence is
//! - a warning when compiling (`check`, `compile`, `build`): the program may be meant for
//!   another kernel, and the loader says so when it cannot attach;
//! - an error when checking for this kernel (`check --kernel`, `kernelFacts: "error"`).
//! Without BTF nothing can be looked up; one warning (W0248) per file then says which
//! targets were not checked.

import * as nameErrors from "../diagnostics/catalog/names.js";
import * as safetyErrors from "../diagnostics/catalog/safety.js";
import type { CatalogEntry } from "../diagnostics/diagnostic.js";
import type { Span } from "../source.js";
import { lookupTracepoint } from "../kernel/tracepoints.js";
import type { CheckContext } from "./context.js";

/** The warning and the error twin of each kind of missing target (same arguments). */
const missing = {
  tracepoint: { warning: safetyErrors.tracepointNotOnKernel, error: safetyErrors.missingTracepoint },
  function: { warning: safetyErrors.kernelFunctionNotOnKernel, error: nameErrors.unknownKernelFunction },
  rawTracepoint: { warning: safetyErrors.rawTracepointNotOnKernel, error: nameErrors.unknownRawTracepoint },
} as const;

/** Reports a target this kernel lacks, as a warning or an error (see the file comment). */
export function reportMissingTarget<K extends keyof typeof missing>(
  ctx: CheckContext,
  kind: K,
  span: Span,
  ...args: Parameters<(typeof missing)[K]["warning"]["text"]>
): void {
  const pair = missing[kind];
  const entry = (ctx.inputs.kernelFacts === "error" ? pair.error : pair.warning) as CatalogEntry<typeof args>;
  ctx.diags.report(entry, span, ...args);
}

/** `@tracepoint("category/event")`: the event must exist (tracefs, else BTF). */
export function checkTracepointTarget(ctx: CheckContext, span: Span, target: string): void {
  const slash = target.indexOf("/");
  const category = target.slice(0, slash);
  const event = target.slice(slash + 1);
  const verdict = lookupTracepoint(category, event, {
    tracefs: ctx.inputs.host.readTracepoints?.(),
    btf: ctx.kernelTypes.tracepoints(),
  });
  switch (verdict.kind) {
    case "exists": return;
    case "unchecked": noteUncheckedTarget(ctx, span, `tracepoint \`${target}\``); return;
    case "missing": reportMissingTarget(ctx, "tracepoint", span, target, verdict.suggestion, verdict.categoryChecked); return;
  }
}

interface Unchecked {
  readonly span: Span;
  readonly what: string;
}

const unchecked = new WeakMap<CheckContext, Unchecked[]>();

/** A target that could not be checked (no BTF): reported once, by `reportUncheckedTargets`. */
export function noteUncheckedTarget(ctx: CheckContext, span: Span, what: string): void {
  let list = unchecked.get(ctx);
  if (!list) unchecked.set(ctx, (list = []));
  list.push({ span, what });
}

/** One warning for the whole file, at the first target, naming the others. */
export function reportUncheckedTargets(ctx: CheckContext): void {
  const list = unchecked.get(ctx);
  if (!list || list.length === 0) return;
  ctx.diags.report(safetyErrors.kernelTargetsNotChecked, list[0]!.span, list[0]!.what, list.slice(1).map((u) => u.what));
}
