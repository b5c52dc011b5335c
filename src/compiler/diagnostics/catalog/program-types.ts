//! E0622–E0624: what a program's type allows (kernel/program-types.ts): packet access
//! only where the kernel hands the program packet pointers, and only the context fields
//! the kernel lets that type read.

import { defineError } from "../diagnostic.js";

export const noDirectPacketAccess = defineError(
  "E0622",
  "direct packet access in a program type without it",
  "XDP and TC programs read the packet through the context's `data`..`data_end` pointers (`ctx.header(off)`, `ctx.data`). Other program types whose context is `__sk_buff` get no such pointers: the kernel's verifier refuses `ctx->data` in a socket filter, for example. Such a program reads packet bytes with the helper `bpf_skb_load_bytes(ctx, offset, &buffer, size)` (which checks the length itself) and the packet's metadata through context fields (`ctx.len`, `ctx.protocol`).",
  (what: string, attribute: string, label: string) => ({
    message: `${what} reads the packet directly, which a ${label} program cannot`,
    label: `not available in a \`${attribute}\` program`,
    help: "copy the bytes with `bpf_skb_load_bytes(ctx, offset, &buffer, size)` (it fails when the packet is too short), or use the context's fields (`ctx.len`, `ctx.protocol`)",
  }),
);

/** What a program may do instead of reading a context field its type may not read. */
export interface UnreadableFieldAlternatives {
  /** Whether the program reads the packet through `ctx.header(off)` (else `bpf_skb_load_bytes`). */
  readonly directPacketAccess: boolean;
  /** Attributes of the program types with the same context that may read the field. */
  readonly readers: readonly string[];
}

function unreadableFieldHelp(instead: UnreadableFieldAlternatives): string {
  const fromPacket = instead.directPacketAccess
    ? "read what the packet says instead (`if (var h: *T = ctx.header(offset)) { … }`)"
    : "read what the packet says instead (`bpf_skb_load_bytes(ctx, offset, &buffer, size)`)";
  const shown = instead.readers.slice(0, 3).map((r) => `\`${r}\``);
  if (shown.length === 0) return fromPacket;
  const list = shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)!}`;
  return `${fromPacket}, or do this in a program type that may read the field (${list})`;
}

export const unreadableContextField = defineError(
  "E0623",
  "context field the program type may not read",
  "Each program type reads only some fields of its context: the kernel's verifier checks every context access against the type's rules and refuses the program otherwise. A socket filter's `__sk_buff`, for example, has no socket addresses (`family`, `remote_ip4`, `local_port`, …) and no `tc_classid`: a socket filter runs before the packet is matched to a socket's addresses. The compiler knows these rules from the program-type catalogue and says so before the kernel does.",
  (what: string, attribute: string, label: string, instead: UnreadableFieldAlternatives) => ({
    message: `the kernel does not let a ${label} program read ${what}`,
    label: `not readable in a \`${attribute}\` program`,
    help: unreadableFieldHelp(instead),
  }),
);
