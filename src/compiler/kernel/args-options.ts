//! What the command-line parser generated for `fn main(args: Args)` reads, by field type
//! (the checker accepts these fields: check/globals.ts; the emitter writes their parsing:
//! emit/userspace/args.ts; the C parsers are runtime-c/args-parsers.c):
//!
//!   integer            a number (decimal, 0x hex, 0 octal), range-checked; a `u64` also
//!                      takes a duration (`250ms`, `1s`: nanoseconds)
//!   bool               a flag without a value
//!   str(N)             text of at most N bytes
//!   u8[4] / u8[16]     an IPv4 / IPv6 address (`192.0.2.1`, `2001:db8::1`)
//!   u8[6]              a MAC address (`02:00:00:00:00:01`)
//!   an LPM-trie key    a prefix (`198.18.0.0/15`, `2001:db8::/32`; a bare address is
//!   struct             /32 or /128): `{ prefixlen: u32, addr: be32 }` (or `u8[4]`), `u8[16]`
//!   T[N] of the above  a repeated option (`--deny A --deny B`, or `--deny A,B`), at most N;
//!   (but u8)           a field `<name>_count` of an integer type, when declared, receives
//!                      how many were given (it is not an option itself)
//!
//! A field named `positional` is not an option: it receives the arguments after the
//! options (one value, or a list with its `positional_count`), read like an option's.

import type { StructLayout, Type } from "../types.js";

export type ArgsValueKind =
  | { readonly kind: "int"; readonly duration: boolean }
  | { readonly kind: "bool" | "str" | "ipv4" | "ipv6" | "mac" }
  | { readonly kind: "prefix"; readonly bytes: 4 | 16; readonly addressField: string };

export type ArgsOptionKind =
  | { readonly kind: "single"; readonly value: ArgsValueKind }
  | { readonly kind: "list"; readonly value: ArgsValueKind; readonly capacity: number };

function byteArrayLength(type: Type): number | undefined {
  return type.kind === "array" && type.element.kind === "int" && type.element.bits === 8 && !type.element.byteOrder ? type.length : undefined;
}

/** What one value of `type` is read as, or undefined when the parser cannot read it. */
export function argsValueKind(type: Type, structOf: (name: string) => StructLayout | undefined): ArgsValueKind | undefined {
  switch (type.kind) {
    case "int": return { kind: "int", duration: type.bits === 64 && !type.signed };
    case "bool": return { kind: "bool" };
    case "str": return { kind: "str" };
    case "array": {
      const bytes = byteArrayLength(type);
      return bytes === 4 ? { kind: "ipv4" } : bytes === 16 ? { kind: "ipv6" } : bytes === 6 ? { kind: "mac" } : undefined;
    }
    case "struct": {
      const layout = type.origin === "user" ? structOf(type.name) : undefined;
      const [prefixlen, address, ...rest] = layout?.fields ?? [];
      if (!prefixlen || !address || rest.length > 0) return undefined;
      if (prefixlen.name !== "prefixlen" || prefixlen.type.kind !== "int" || prefixlen.type.bits !== 32 || prefixlen.type.byteOrder) return undefined;
      // The address as it is in memory (network byte order): bytes, or a 32-bit integer (`be32`).
      const bytes = address.type.kind === "int" && address.type.bits === 32 ? 4 : byteArrayLength(address.type);
      return bytes === 4 || bytes === 16 ? { kind: "prefix", bytes, addressField: address.name } : undefined;
    }
    default: return undefined;
  }
}

/** How the field `name: type` of `Args` is read, or undefined when it cannot be. */
export function argsOptionKind(type: Type, structOf: (name: string) => StructLayout | undefined): ArgsOptionKind | undefined {
  const single = argsValueKind(type, structOf);
  if (single) return { kind: "single", value: single };
  if (type.kind !== "array" || byteArrayLength(type) !== undefined) return undefined;
  const element = argsValueKind(type.element, structOf);
  if (!element || element.kind === "bool") return undefined;
  return { kind: "list", value: element, capacity: type.length };
}

/** The field that receives the positional arguments instead of being an option. */
export const argsPositionalField = "positional";

/** The field receiving how many values the list option `field` was given. */
export function argsCountField(field: string): string {
  return `${field}_count`;
}

/** The fields of `Args` that count a list option (`<name>_count` of an integer type next to a list `<name>`). */
export function argsCountFields(layout: StructLayout, structOf: (name: string) => StructLayout | undefined): ReadonlySet<string> {
  const lists = layout.fields.filter((f) => argsOptionKind(f.type, structOf)?.kind === "list").map((f) => argsCountField(f.name));
  return new Set(layout.fields.filter((f) => lists.includes(f.name) && f.type.kind === "int").map((f) => f.name));
}
