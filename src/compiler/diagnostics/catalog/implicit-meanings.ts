//! E0632–E0639, W0276–W0279: meanings the compiler gives KernelScript 0.1.1 constructs
//! that the kernel would refuse as written (a packet byte read without a bounds check),
//! each with a warning that says exactly what the generated code does.

import { defineWarning } from "../diagnostic.js";

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
