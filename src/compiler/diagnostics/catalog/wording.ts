//! Phrases several catalogue entries share, chosen by keys the call sites pass. Not a
//! range of its own: it defines no codes.

/** Where code runs, as call sites name it: the checked function's side. */
export type CodeSide = "user" | "kernel" | "module";

/** `user` → "user space", `kernel` → "eBPF code", `module` → "kernel-module code". */
export function sideText(side: CodeSide): string {
  return side === "user" ? "user space" : side === "kernel" ? "eBPF code" : "kernel-module code";
}

/**
 * Where a ring-buffer or map operation belongs instead, when written on the wrong side
 * (E0393 and E0486); `map` is the map's name.
 */
export type WrongSideAdvice =
  | { readonly kind: "ringbufInEbpf" | "ringbufHandlersInUserSpace" | "droppedInUserSpace" | "dispatchInUserSpace" }
  | { readonly kind: "perfHandlersInUserSpace" | "lostInUserSpace" | "cpusInUserSpace" }
  | { readonly kind: "perfOutputInEbpf" | "perCpuInUserSpace"; readonly map: string };

export function wrongSideAdviceText(advice: WrongSideAdvice): string {
  switch (advice.kind) {
    case "ringbufInEbpf":
      return "reserve and submit records in an eBPF program; user space receives them with `events.on_event(handler)` and `dispatch(events)`";
    case "ringbufHandlersInUserSpace":
      return "register handlers in user space (for example in `main`) and call `dispatch`; the eBPF side only reserves and submits";
    case "droppedInUserSpace": return "the drop count is kept by the generated eBPF code and read from user space (e.g. in `main`)";
    case "dispatchInUserSpace": return "call `dispatch` from user space; eBPF code submits records with `events.submit(e)`";
    case "perfHandlersInUserSpace": return "register handlers in user space and call `dispatch`; eBPF code calls `output`";
    case "lostInUserSpace": return "lost samples are counted by user space while `dispatch` reads the buffers";
    case "cpusInUserSpace": return "per-CPU slots are a user-space view; eBPF code sees only its own CPU's value";
    case "perfOutputInEbpf":
      return `emit records from an eBPF program; user space receives them with \`${advice.map}.on_event(handler)\` and \`dispatch(${advice.map})\``;
    case "perCpuInUserSpace": return `eBPF code sees only its own CPU's value: read \`${advice.map}[k]\``;
  }
}

/** What an operation was given: a number of arguments or a value of some type (as text). */
export type ArgumentsFound = { readonly count: number } | { readonly type: string };

export function argumentsFoundText(found: ArgumentsFound): string {
  return "count" in found ? `${found.count} argument${found.count === 1 ? "" : "s"}` : `\`${found.type}\``;
}

/** The error a `throw` raises: `error 3`, or one whose code is computed at run time. */
export function thrownError(code: bigint | undefined): string {
  return code === undefined ? "an error with a computed code" : `error ${code}`;
}

/** `\`a\`, \`b\`` — or, past `shown` names, the first ones `and N more`. */
export function listNames(names: readonly string[], shown: number): string {
  const quoted = names.map((n) => `\`${n}\``);
  return quoted.length > shown ? `${quoted.slice(0, shown).join(", ")} and ${quoted.length - shown} more` : quoted.join(", ");
}
