//! Phrases several catalogue entries share, chosen by keys the call sites pass. Not a
//! range of its own: it defines no codes.

/** Where code runs, as call sites name it: the checked function's side. */
export type CodeSide = "user" | "kernel" | "module";

/** `user` → "user space", `kernel` → "eBPF code", `module` → "kernel-module code". */
export function sideText(side: CodeSide): string {
  return side === "user" ? "user space" : side === "kernel" ? "eBPF code" : "kernel-module code";
}
