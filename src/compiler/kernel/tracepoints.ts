//! Does the kernel have the tracepoint `category/event`? The one answer `kernelscript
//! init` and the checker (`@tracepoint`) share.
//!
//! Two sources describe a kernel's tracepoints:
//! - tracefs (`/sys/kernel/tracing/events/CATEGORY/EVENT`) lists every event with its
//!   category. It is the complete answer, but it is often not mounted; the CLI reads it
//!   and hands the list in (this module does no I/O).
//! - the kernel's BTF has a `btf_trace_<event>` typedef for every event defined with
//!   TRACE_EVENT/DEFINE_EVENT (measured on 6.18: all 1,585 tracefs events outside
//!   `syscalls` and `ftrace` have one), and the syscall events `syscalls/sys_enter_NAME`
//!   and `sys_exit_NAME` exist for the syscalls whose handler is in BTF
//!   (`__x64_sys_NAME`, `__arm64_sys_NAME`, … or `__do_sys_NAME`). BTF has no categories,
//!   so without tracefs only the event name is checked.

import type { Btf } from "./btf.js";
import { closestName } from "../suggest.js";

/** What a kernel says about its tracepoints; either part may be unknown. */
export interface TracepointSources {
  /** `category/event` of every tracepoint tracefs lists, when the CLI could read it. */
  readonly tracefs: readonly string[] | undefined;
  /** The events and syscalls the kernel's BTF describes, when there is BTF. */
  readonly btf: BtfTracepoints | undefined;
}

export interface BtfTracepoints {
  /** Events with a `btf_trace_<event>` typedef. */
  readonly events: ReadonlySet<string>;
  /** Syscalls with a handler function (`sys_enter_<name>` / `sys_exit_<name>` exist). */
  readonly syscalls: ReadonlySet<string>;
}

export type TracepointVerdict =
  | { readonly kind: "exists" }
  /** `suggestion` is a whole `category/event`; `categoryChecked` is false without tracefs. */
  | { readonly kind: "missing"; readonly suggestion: string | undefined; readonly categoryChecked: boolean }
  /** Neither tracefs nor BTF: nothing could be checked. */
  | { readonly kind: "unchecked" };

/** The BTF part of the sources, read from the kernel's BTF. */
export function btfTracepoints(btf: Btf): BtfTracepoints {
  const events = new Set<string>();
  const syscalls = new Set<string>();
  for (const name of btf.namesOf(["typedef"])) {
    if (name.startsWith("btf_trace_")) events.add(name.slice("btf_trace_".length));
  }
  for (const name of btf.namesOf(["func"])) {
    const handler = /^(?:__[a-z0-9]+_sys_|__do_sys_)([a-z0-9_]+)$/.exec(name);
    if (handler) syscalls.add(handler[1]!);
  }
  return { events, syscalls };
}

const syscallEvent = /^sys_(enter|exit)_([a-z0-9_]+)$/;

/** Whether `category/event` exists, and the closest existing name when it does not. */
export function lookupTracepoint(category: string, event: string, sources: TracepointSources): TracepointVerdict {
  const target = `${category}/${event}`;
  if (sources.tracefs !== undefined) {
    if (sources.tracefs.includes(target)) return { kind: "exists" };
    return { kind: "missing", suggestion: closestName(target, sources.tracefs), categoryChecked: true };
  }
  const btf = sources.btf;
  if (!btf) return { kind: "unchecked" };
  if (category === "syscalls") {
    const match = syscallEvent.exec(event);
    if (match && btf.syscalls.has(match[2]!)) return { kind: "exists" };
    const direction = match?.[1] ?? (event.includes("exit") ? "exit" : "enter");
    const near = closestName(match?.[2] ?? event.replace(/^sys_/, ""), btf.syscalls);
    return { kind: "missing", suggestion: near ? `syscalls/sys_${direction}_${near}` : undefined, categoryChecked: false };
  }
  if (btf.events.has(event)) return { kind: "exists" };
  const near = closestName(event, btf.events);
  return { kind: "missing", suggestion: near ? `${category}/${near}` : undefined, categoryChecked: false };
}


