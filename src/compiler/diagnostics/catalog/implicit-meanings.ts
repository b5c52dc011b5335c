//! E0632–E0639, W0276–W0279: meanings the compiler gives KernelScript 0.1.1 constructs
//! that the kernel would refuse as written (a packet byte read without a bounds check),
//! each with a warning that says exactly what the generated code does.

import { defineError, defineWarning } from "../diagnostic.js";

export const implicitPacketBoundsCheck = defineWarning(
  "W0276",
  "packet read with a bounds check added by the compiler",
  "The verifier refuses a read of packet data that is not proven to lie before `data_end`. KernelScript 0.1.1 programs read `*ctx.data` directly (the reference's comment: \"the compiler should transparently use dynptr APIs for packet access\"). In an XDP or TC program, a read of one byte at a constant offset from the context's `data` gets the check it needs: before the statement runs, the byte is read through a bounds-checked pointer, and a packet too short to hold it ends the program with `XDP_ABORTED` (XDP; it shows in the `xdp:xdp_exception` tracepoint) or `TC_ACT_SHOT` (TC). Anywhere else (helpers, other program types, writes, variable offsets) the read stays error E0401.",
  (offset: bigint, action: string) => ({
    message: `packet byte ${offset} is read without a bounds check: a packet shorter than ${bytes(offset + 1n)} ends the program with \`${action}\``,
    label: `the compiler adds the check for ${bytes(offset + 1n)} here`,
    help: `to choose what happens to short packets, check it yourself: \`if (var b: *u8 = ctx.header(${offset})) { … *b … } else { return … }\``,
  }),
);

function bytes(n: bigint): string {
  return n === 1n ? "1 byte" : `${n} bytes`;
}

export const objectMoveNeedsObject = defineError(
  "E0632",
  "only an object made by `new` can be stored in a map of objects",
  "A map declared `hash<K, *T>` stores `T` values: `m[k] = s` moves the object `s` holds into the entry (its value is copied, the object deleted, and `s` then points at the entry). That needs `s` to be a local holding an object made by `new` in this function, checked for null, and not yet deleted.",
  (name: string | undefined, map: string, found: "notAnObject" | "ringbufRecord" | { readonly entryOf: string | undefined } | { readonly released: string }) => ({
    message: `\`${name ?? "this value"}\` is stored in map \`${map}\` of objects but ${found === "notAnObject" ? "does not hold an object made by `new` in this function on every path"
      : found === "ringbufRecord" ? "holds a ring buffer record" : "entryOf" in found ? `may point into an entry of map \`${found.entryOf}\`` : `may already have been ${found.released}`}`,
    label: "stored here",
    help: `store an object made by \`new\`: \`var ${name} = new …()\`, check it for null, set its fields, then \`${map}[k] = ${name}\``,
  }),
);

export const objectMapUnsupported = defineError(
  "E0633",
  "unsupported use of a map of objects",
  "A map declared `hash<K, *T>` stores `T` values (see the section on maps of objects in docs/language/ringbuf-objects.md). In eBPF code it is used through a local: `var s = m[k]` or `s = m[k]` (a pointer into the entry, null when absent), `m[k] = s` (moves the object `s` holds into the entry) and `delete m[k]`. Any other use of `m[k]`, and any use in user space, is not generated.",
  (map: string, side: "kernel" | "user") => ({
    message: `this use of map \`${map}\` of objects is not supported ${side === "kernel" ? "here" : "in user space"}`,
    label: "used here",
    help: `read the entry into a local first: \`var s = ${map}[k]\`, then \`if (s != null) { … s->field … }\``,
  }),
);

