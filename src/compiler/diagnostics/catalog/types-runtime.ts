//! E1310–E1339, W0300–W0309: the user-space runtime — duration literals (parse/durations.ts),
//! time, sleeping and shutdown (`sleep`, `running`, `dispatch` with a timeout),
//! `printf`/`eprint`/`eprintf`, `ntop`/`macaddr` (check/runtime-builtins.ts).

import { defineError } from "../diagnostic.js";
import { sideText, type CodeSide } from "./wording.js";

/** A runtime built-in's signature as data: parameter types and result type as text. */
export interface RuntimeSignature {
  readonly name: string;
  readonly params: readonly string[];
  /** Whether further arguments of any printable type follow (`printf(fmt, …)`). */
  readonly variadic: boolean;
  readonly result: string;
}

function signatureText(s: RuntimeSignature): string {
  const params = [...s.params, ...(s.variadic ? ["…"] : [])].join(", ");
  return `\`${s.name}(${params}) -> ${s.result}\``;
}

export const unknownDurationUnit = defineError(
  "E1310",
  "unknown duration unit",
  "An integer followed by letters is a duration literal: a count of nanoseconds written with one of the units `ns`, `us`, `ms`, `s`, `m` (minutes) or `h`, as in `250ms`.",
  (text: string, suffix: string) => ({
    message: `\`${text}\` has the unknown unit \`${suffix}\``,
    label: "not a duration unit",
    help: "durations are written `250ns`, `10us`, `250ms`, `1s`, `5m` or `2h`; a plain integer has no suffix",
  }),
);

export const durationTooLarge = defineError(
  "E1311",
  "duration too large",
  "A duration literal is a `u64` count of nanoseconds, so it can be at most 18446744073709551615 ns (about 584 years).",
  (text: string) => ({
    message: `the duration \`${text}\` does not fit in a \`u64\` count of nanoseconds`,
    label: "more than 2^64 - 1 ns",
    help: "use a smaller duration (at most about 5124095 hours)",
  }),
);

export const runtimeBuiltinSide = defineError(
  "E1312",
  "runtime built-in on the wrong side",
  "`sleep`, `running`, `wall_time`, `strftime`, `printf`, `eprint`, `eprintf`, `sprintf`, `ntop` and `macaddr` belong to the user-space runtime: an eBPF program cannot wait, has no process to stop and writes no terminal. `now()` and `print` work on both sides.",
  (name: string, side: CodeSide) => ({
    message: `\`${name}\` is not available in ${sideText(side)}`,
    label: "user space only",
    help: name === "printf" || name === "eprintf" || name === "eprint" || name === "sprintf"
      ? "in eBPF use `print(format, values…)`: each call is one whole line of the kernel's trace buffer (bpf_printk), which cannot hold output without a newline"
      : "call it from user space (`main` or a function it calls); eBPF code can read the clock with `now()`",
  }),
);

export const runtimeBuiltinArguments = defineError(
  "E1313",
  "wrong arguments to a runtime built-in",
  "The runtime built-ins take fixed arguments: `sleep(d: u64) -> bool`, `running() -> bool`, `now() -> u64`, `wall_time() -> u64`, `printf(format, values…)`, `eprint(…)`, `eprintf(format, values…)`, `sprintf(s: str(N), format, values…) -> i32` (into a `str(N)` variable, field or element), `ntop(addr: u32 | u8[4] | u8[16]) -> str(45)`, `macaddr(m: u8[6]) -> str(17)`, `strftime(format: str, wall_ns: u64) -> str(63)`. Durations are nanoseconds (`250ms`).",
  (signature: RuntimeSignature, found: { readonly count: number } | { readonly index: number; readonly type: string }) => ({
    message: "count" in found
      ? `${signatureText(signature)} was called with ${found.count} argument${found.count === 1 ? "" : "s"}`
      : `argument ${found.index + 1} of ${signatureText(signature)} is \`${found.type}\``,
    label: "count" in found ? "wrong number of arguments" : `expected \`${signature.params[found.index] ?? "?"}\``,
    help: `the signature is ${signatureText(signature)}; a duration is written with its unit, e.g. \`sleep(250ms)\``,
  }),
);

export const formatNeedsLiteral = defineError(
  "E1314",
  "format is not a string literal",
  "`printf` and `eprintf` check their format against their arguments at compile time, so the format must be a string literal.",
  (name: string) => ({
    message: `the format of \`${name}\` must be a string literal`,
    label: "not a literal",
    help: `print a computed string with \`${name}("%s", text)\``,
  }),
);

export const runtimeWidthNotInteger = defineError(
  "E1315",
  "`*` width or precision is not an integer",
  "A `*` in a conversion (`%*d`, `%-.*s`) takes the width or precision from the next argument, which must be an integer (passed to C as an `int`).",
  (spelled: string, found: string) => ({
    message: `the \`*\` of \`${spelled}\` takes an integer argument, found \`${found}\``,
    label: `this is \`${found}\``,
    help: "pass the width as an integer before the value, e.g. `printf(\"%-*s|\", width, name)`",
  }),
);

export const dispatchTimeout = defineError(
  "E1316",
  "dispatch timeout is not a duration",
  "`dispatch(rb…, timeout)` polls at most `timeout` nanoseconds; its last argument, after the ring buffers, is an integer duration such as `1s` or `250ms`.",
  (found: string) => ({
    message: `the timeout of \`dispatch\` must be an integer duration, found \`${found}\``,
    label: `this is \`${found}\``,
    help: "write the timeout with a unit, e.g. `dispatch(events, 1s)`",
  }),
);

export const formatTooFewValues = defineError(
  "E1317",
  "format needs more values",
  "Every conversion of a `printf`/`eprintf` format, and every `*` in it, takes one argument.",
  (name: string, wanted: number, given: number) => ({
    message: `the format of \`${name}\` takes ${wanted} value${wanted === 1 ? "" : "s"}, but ${given} ${given === 1 ? "is" : "are"} given`,
    label: "this format",
    help: "pass one argument per conversion and per `*`, in order; write `%%` for a literal percent sign",
  }),
);

export const negativeDuration = defineError(
  "E1318",
  "negative duration",
  "Durations are `u64` counts of nanoseconds: a negative constant given to `sleep` or as the timeout of `dispatch` would be converted to an enormous wait (about 584 years), so it is refused. A negative value computed at run time is converted the same way (see docs/language/userspace-runtime.md).",
  (name: "sleep" | "dispatch", value: bigint) => ({
    message: `the duration given to \`${name}\` is negative (${value} ns)`,
    label: "a negative duration",
    help: name === "sleep"
      ? "sleep for a duration of 0 or more, e.g. `sleep(250ms)`; `sleep(0)` only checks for shutdown"
      : "give a timeout of 0 or more, e.g. `dispatch(events, 1s)`; `dispatch(events, 0)` only takes what is ready",
  }),
);
