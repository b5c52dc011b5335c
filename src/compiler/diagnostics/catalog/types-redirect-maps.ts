//! E1370–E1379, W0306–W0308: redirect maps (`devmap`, `devmap_hash`, `cpumap`, `xskmap`),
//! socket maps (`sockmap`, `sockhash`) and `m.redirect(…)` (check/redirect-maps.ts,
//! analyze/map-flags.ts); docs/language/redirect-maps.md.

import type { MapValueMeaning } from "../../types.js";
import { defineError } from "../diagnostic.js";

const meaningText: Readonly<Record<MapValueMeaning, string>> = {
  ifindex: "network interface indexes (`if_nametoindex`)",
  cpuQueueSize: "the size of each CPU's queue of redirected frames",
  socketFd: "sockets: user space stores a socket's fd, and reads back its cookie (`u64` values only)",
  xskFd: "AF_XDP sockets: user space stores an XSK socket's fd",
};

export const fixedMapValue = defineError(
  "E1370",
  "a map whose values the kernel defines",
  "The kernel keeps its own data in redirect and socket maps: a devmap holds network interface indexes, a cpumap the queue size of each CPU, an xskmap and the socket maps socket fds. Their value type is fixed by the kernel (it checks the size when the map is created), so it is written `u32` (or `u64` where the kernel also accepts 8 bytes).",
  (kind: string, written: string, allowed: readonly string[], meaning: MapValueMeaning) => ({
    message: `a ${kind} cannot hold \`${written}\` values`,
    label: `the kernel's ${kind} values are ${allowed.map((t) => `\`${t}\``).join(" or ")}`,
    help: `declare it \`${kind}<…, ${allowed[allowed.length - 1]!}>(N)\`: its values are ${meaningText[meaning]}`,
  }),
);

/** Where `m.redirect(…)` was called that cannot redirect through that map. */
export type RedirectPlace =
  | { readonly kind: "notProgram" }
  | { readonly kind: "programType"; readonly label: string };

export const redirectNotHere = defineError(
  "E1371",
  "redirect through a map this program cannot use",
  "Each program type has its own redirect helper, and each works with some map kinds only: XDP programs send frames through a devmap, devmap_hash, cpumap or xskmap (`bpf_redirect_map`); `@sk_msg` and `@sk_skb` programs send messages and packets to a socket of a sockmap or sockhash (`bpf_msg_redirect_map`, `bpf_sk_redirect_map` and their `_hash` forms). The verifier refuses any other pairing, and a helper function cannot redirect for its caller: the result must be the program's own return value.",
  (map: string, kind: string, place: RedirectPlace, programs: readonly string[]) => ({
    message: place.kind === "notProgram"
      ? `\`${map}.redirect()\` is only possible in a program's own body`
      : `${place.label} programs cannot redirect through the ${kind} \`${map}\``,
    label: place.kind === "notProgram" ? "not in a program" : `no redirect helper for a ${kind} in ${place.label} programs`,
    help: programs.length === 0
      ? `no program type redirects through a ${kind}`
      : `${programs.join(", ")} programs redirect through a ${kind}; return \`${map}.redirect(…)\` from one of them`,
  }),
);

/** The arguments `m.redirect(…)` takes, by what it sends through. */
export type RedirectArguments = "keyAndFallback" | "contextKeyAndFlags";

export const redirectArguments = defineError(
  "E1372",
  "wrong arguments to redirect",
  "`m.redirect(key)` or `m.redirect(key, FALLBACK)` sends an XDP frame to the device, CPU or AF_XDP socket stored at `key`; the fallback (`XDP_ABORTED`, `XDP_DROP`, `XDP_PASS` or `XDP_TX`, default `XDP_ABORTED`) is what the program returns when `key` holds nothing. `socks.redirect(ctx, key)` or `socks.redirect(ctx, key, flags)` sends an `@sk_msg` message or an `@sk_skb` packet to the socket stored at `key` (flags: `BPF_F_INGRESS` to queue it on the socket's receive side).",
  (call: string, expected: RedirectArguments, found: number) => ({
    message: `\`${call}\` takes ${expected === "keyAndFallback" ? "a key and an optional fallback action" : "the program's context, a key and optional flags"}, not ${found} argument${found === 1 ? "" : "s"}`,
    label: "wrong number of arguments",
    help: expected === "keyAndFallback" ? "write `return m.redirect(key, XDP_PASS)`" : "write `return socks.redirect(ctx, key)`",
  }),
);

export const redirectFallback = defineError(
  "E1373",
  "redirect fallback is not an action the kernel can fall back to",
  "The low bits of `bpf_redirect_map`'s flags are the action returned when the key holds no device: the kernel accepts `XDP_ABORTED`, `XDP_DROP`, `XDP_PASS` and `XDP_TX` there and turns anything larger into `XDP_ABORTED`.",
  (written: string) => ({
    message: `\`${written}\` cannot be a redirect's fallback`,
    label: "the kernel would abort instead",
    help: "use `XDP_ABORTED`, `XDP_DROP`, `XDP_PASS` or `XDP_TX`",
  }),
);

/** What eBPF code did with a map whose kind limits it. */
export type ProgramMapAccess = "read" | "write";

export const programMapAccess = defineError(
  "E1374",
  "eBPF code cannot access this map kind's entries",
  "The verifier lets programs use the entries of some map kinds only through their helpers: a cpumap, an xskmap, a sockmap and a sockhash are only redirected through from eBPF code (a lookup of a socket map gives a socket reference, not a value), a devmap's entries may be read but never written (the kernel creates it read-only for programs), and a map of maps gives a program the stored map, read as `outer[k][i]`, never a value. User space fills them.",
  (map: string, kind: string, access: ProgramMapAccess, readable: boolean, mapOfMaps: boolean) => ({
    message: `eBPF code cannot ${access === "read" ? "read" : "change"} the entries of the ${kind} \`${map}\``,
    label: access === "read" ? "not readable from a program" : "read-only in programs",
    help: mapOfMaps
      ? `store maps in it from user space (\`${map}[k] = m\`); in eBPF code read their entries, \`${map}[k][i]\``
      : readable
        ? `read it in eBPF code if needed; set \`${map}[k]\` from user space`
        : `set \`${map}[k]\` from user space; in eBPF code use \`${map}.redirect(…)\``,
  }),
);

/** What `attach(prog, target, flags)` was given that does not fit the program. */
export type AttachMapProblem =
  | { readonly kind: "mapForOtherProgram"; readonly program: string }
  | { readonly kind: "notSocketMap"; readonly program: string; readonly mapKind: string }
  | { readonly kind: "needsSocketMap"; readonly program: string };

export const attachSocketMap = defineError(
  "E1375",
  "attach target does not fit a socket-map program",
  "`@sk_msg` and `@sk_skb` programs attach to a sockmap or sockhash, not to an interface or an event: `attach(prog, socks, 0)` names the map, and the program then runs for every socket user space puts in it. Other program types attach to what their attribute names, never to a map.",
  (problem: AttachMapProblem) => {
    switch (problem.kind) {
      case "mapForOtherProgram": return {
        message: `${problem.program} programs do not attach to a map`,
        label: "a map",
        help: "only `@sk_msg` and `@sk_skb` programs attach to a map (a sockmap or sockhash); name the interface or event this program attaches to",
      };
      case "notSocketMap": return {
        message: `${problem.program} programs attach to a sockmap or sockhash, not to a ${problem.mapKind}`,
        label: `a ${problem.mapKind}`,
        help: "declare a `sockmap<u32, u64>(N)` or `sockhash<K, u64>(N)`, put the sockets in it from user space, and attach the program to it",
      };
      case "needsSocketMap": return {
        message: `${problem.program} programs attach to a sockmap or sockhash, not to a name`,
        label: "not a socket map",
        help: "pass the map itself: `attach(prog, socks, 0)`",
      };
    }
  },
);

/** What is wrong with a map of maps' inner type or with a map stored in it. */
export type InnerMapProblem =
  | { readonly kind: "notMap"; readonly written: string }
  | { readonly kind: "nested"; readonly innerKind: string }
  | { readonly kind: "mismatch"; readonly map: string; readonly stored: string; readonly expected: string }
  | { readonly kind: "notMapName" };

export const innerMapType = defineError(
  "E1376",
  "inner map type mismatch",
  "An `array_of_maps<K, INNER>(N)` or `hash_of_maps<K, INNER>(N)` holds maps of the one type written inline as INNER (`array<u32, u64>(16)`): the kernel checks each stored map against that template (type, key and value sizes, and for arrays the size) and refuses another. User space stores a declared map of exactly that type: `outer[k] = counts`. INNER is a key/value map kind, not a map of maps, a ring buffer or a keyless kind.",
  (problem: InnerMapProblem) => {
    switch (problem.kind) {
      case "notMap": return { message: `a map of maps holds maps, not \`${problem.written}\``, label: "not a map type", help: "write the inner map's type inline: `array_of_maps<u32, array<u32, u64>(16)>(4)`" };
      case "nested": return { message: `a map of maps cannot hold ${problem.innerKind} maps`, label: "not a key/value map kind", help: "use a hash, array, LRU or per-CPU map as the inner type" };
      case "mismatch": return {
        message: `\`${problem.map}\` is a \`${problem.stored}\`; this map of maps holds \`${problem.expected}\``,
        label: "the kernel would refuse this map",
        help: `declare \`${problem.map}\` as \`${problem.expected}\``,
      };
      case "notMapName": return { message: "a map of maps stores a map declared in this file", label: "not a map", help: "write `outer[k] = name_of_a_map` (user space), or `delete outer[k]`" };
    }
  },
);

/** Where a map of maps was used as it cannot be. */
export type InnerMapUse = "readInUserSpace" | "writeInEbpf" | "storeInEbpf";

export const innerMapUse = defineError(
  "E1377",
  "map of maps used where the kernel does not allow it",
  "eBPF code reads the maps stored in a map of maps (`outer[k][i]`: 0 when either entry is absent) but cannot change them through it or store maps in it (the verifier refuses updates of a map of maps from programs); user space stores maps (`outer[k] = m`) and reaches a stored map's entries through its own name.",
  (use: InnerMapUse) => ({
    message: use === "readInUserSpace" ? "user space cannot read through a map of maps"
      : use === "writeInEbpf" ? "eBPF code cannot write through a map of maps" : "eBPF code cannot store maps in a map of maps",
    label: use === "readInUserSpace" ? "only in eBPF code" : "not in eBPF code",
    help: use === "readInUserSpace" ? "read the inner map by its own name" : use === "writeInEbpf" ? "read `outer[k][i]` here; write the entries from user space" : "store maps from user space: `outer[k] = m`",
  }),
);
