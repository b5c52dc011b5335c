//! E0600–E0619, W0260–W0269: the type rules that KernelScript 0.1.1 programs rely on;
//! E0620–E0624: rules that give every accepted program one meaning (array indexes,
//! atomic updates of globals).
//!
//! The reference language converts integers implicitly and stores out-of-range literals
//! truncated. Neither is undefined (the result is the value's low bits), so both are
//! warnings that say what the program will do; `--deny-warnings` (or the file directive
//! `// kernelscript: deny-warnings`, or `KS_DENY_WARNINGS=1`) makes them errors again.

import { defineError, defineWarning } from "../diagnostic.js";

export const implicitNarrowing = defineWarning(
  "W0260",
  "implicit narrowing",
  "A value of a wider (or differently signed) integer type is stored where a narrower one is expected. KernelScript 0.1.1 converts implicitly, so this compiles and keeps the value's low bits (two's complement for signed types), exactly as `as` would; the warning is there because the high bits are lost silently. Write the conversion with `as` to say it is intended, or widen the destination.",
  (from: string, to: string) => ({
    message: `\`${from}\` is narrowed to \`${to}\` implicitly`,
    label: `this \`${from}\` keeps only the low bits that fit \`${to}\``,
    help: `write \`(…) as ${to}\` if truncating is what you want, or declare the destination wider`,
  }),
);

export const literalTruncated = defineWarning(
  "W0261",
  "literal truncated",
  "An integer literal does not fit the type it is stored into. KernelScript 0.1.1 accepts it and keeps the low bits, so it compiles and is stored truncated; the warning shows the value that is actually stored. Comparisons and `match` patterns are different: there a truncated literal would change what matches, so an out-of-range literal there stays error E0304.",
  (value: string, type: string, min: string, max: string, stored: string) => ({
    message: `literal \`${value}\` does not fit in \`${type}\`; it is stored as \`${stored}\``,
    label: `\`${type}\` holds ${min}..=${max}`,
    help: `write \`${value} as ${type}\` if truncating is what you want, or use a wider type`,
  }),
);

export const stringLiteralTruncated = defineWarning(
  "W0264",
  "string literal truncated",
  "A `str(N)` holds at most N bytes of text (plus the NUL the compiler adds), a byte array `u8[N]` / `char[N]` N bytes. KernelScript 0.1.1 stores a longer literal cut to fit, and programs rely on it, so the literal is stored cut at the last whole UTF-8 character that fits; the warning shows the stored text. (In KernelScript 0.1.1, `str(N)` counts the NUL, so it keeps one byte less.)",
  (length: number, target: string, capacity: number, stored: string, wider: string) => ({
    message: `this string literal has ${length} bytes but \`${target}\` holds at most ${capacity}; it is stored as ${stored}`,
    label: `${length} bytes`,
    help: `declare it \`${wider}\` to keep the whole text, or shorten the literal`,
  }),
);

export const networkOrderStoredRaw = defineWarning(
  "W0263",
  "network-order value stored as raw bytes",
  "A `be16`/`be32` value (a packet field, `skb->protocol`) is stored into a host-order integer at least as wide. KernelScript 0.1.1 stores its bytes as they are, zero-extended, and so does this compiler: on a little-endian machine IPv4's EtherType 0x0800 is stored as 0x0008. The warning is there because the number is usually wanted in host order; comparisons and arithmetic that mix the orders stay error E0376.",
  (found: string, expected: string, ntoh: string) => ({
    message: `\`${found}\` is stored into \`${expected}\` as its raw network-order bytes`,
    label: `this is \`${found}\``,
    help: `write \`${ntoh}(…)\` to store the host-order number`,
  }),
);

export const arrayIndexOutOfRange = defineError(
  "E0620",
  "array index out of range",
  "A constant index into an array must be below its length (a run-time index is taken modulo the length; docs/language/integers.md).",
  (index: string, type: string, length: number) => ({
    message: `index ${index} is out of range for \`${type}\``,
    label: `valid indices are 0..${length - 1}`,
    help: `use an index below ${length}, or a longer array`,
  }),
);

export const narrowAtomicGlobalUpdate = defineError(
  "E0621",
  "atomic update of a global narrower than 32 bits",
  "`+=` and `-=` on a global in eBPF code are atomic, as on a shared map's entry (E0470): every CPU runs the program on the same globals at once. eBPF's atomic instructions work on 32- and 64-bit values only, and a plain read-modify-write would lose updates made at the same time.",
  (op: string, type: string, global: string) => ({
    message: `\`${op}\` on a \`${type}\` in the global \`${global}\` cannot be atomic`,
    label: "eBPF updates only 32- and 64-bit values atomically",
    help: "make the global (or this field) `u32` or `u64`, or keep the count in a per-CPU map (`percpu_array<u32, T>(1)`), whose entries each CPU updates alone",
  }),
);
