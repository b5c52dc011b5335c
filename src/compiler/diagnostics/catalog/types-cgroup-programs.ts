//! E1360–E1369, W0303–W0305: cgroup, socket and netfilter programs (issue 16): what
//! their program types let them call and use, from the catalogue's columns
//! (kernel/program-types.ts); docs/language/program-types.md.

import { defineError } from "../diagnostic.js";
import type { RefusedHelperGroup } from "../../types.js";

const refusedGroupText: Record<RefusedHelperGroup, { readonly why: string; readonly instead: string }> = {
  packetWrites: {
    why: "only TC programs may change a packet's bytes, length or headers",
    instead: "read the packet here and return a verdict; change packets in a `@tc` program",
  },
  packetRedirects: {
    why: "only TC and XDP programs may send a packet elsewhere",
    instead: "return a verdict here (let it go on or drop it); redirect from a `@tc` or `@xdp` program",
  },
};

export const helperRefusedToProgramType = defineError(
  "E1360",
  "helper the kernel refuses to the program type",
  "Each program type may call only the helpers its kernel hook offers (the verifier's `get_func_proto` for the type): a cgroup_skb program can read packets and sockets but not change or redirect packets, a socket-address or sockops program has no packet at all. The compiler knows the groups of helpers each type lacks from the program-type catalogue and refuses such a call before the kernel does (`unknown func` when loading).",
  (helper: string, label: string, group: RefusedHelperGroup) => ({
    message: `\`${helper}\` cannot be called from a ${label} program: ${refusedGroupText[group].why}`,
    label: `the kernel refuses \`${helper}\` to ${label} programs`,
    help: refusedGroupText[group].instead,
  }),
);

export const storageNotFromProgramType = defineError(
  "E1361",
  "local-storage map used from a program type without its helpers",
  "A local-storage map (`sk_storage`, `cgrp_storage`) keeps one value per owner object and is reached only through its helpers (`bpf_sk_storage_get`, `bpf_cgrp_storage_get`, …), which the kernel offers to some program types only: socket storage to the programs that see a socket (`@cgroup_skb`, `@cgroup_sock_addr`, `@sockops`), cgroup storage to tracing programs with typed kernel pointers. The catalogue row of the map kind lists them.",
  (map: string, kind: string, label: string, helper: string, allowed: readonly string[]) => ({
    message: `\`${map}\` (${kind}) cannot be used from a ${label} program: the kernel does not give it \`${helper}\``,
    label: `not available in ${label} programs`,
    help: `use it from a ${allowed.join(", ")} program`,
  }),
);

/** Why a cgroup array test is refused to a program: which programs the kernel offers its helper to. */
export type CgroupTestOffer =
  | { readonly kind: "currentTask" }
  | { readonly kind: "progTypes"; readonly attributes: readonly string[] }; // written `@tc`

export const cgroupTestNotOffered = defineError(
  "E1362",
  "cgroup array test in a program type without its helper",
  "A cgroup array (`cgroup_array(N)`) holds cgroups by slot; programs ask whether something is under one of them. `m.current_task_under(slot)` calls `bpf_current_task_under_cgroup`, which the kernel offers to the programs that run for a task (tracepoints, probes, uprobes, perf events, …); `m.skb_under(ctx, slot)` calls `bpf_skb_under_cgroup`, which only TC programs get. The compiler knows both from the catalogue and refuses the call before the verifier does (`unknown func`).",
  (call: string, label: string, helper: string, offer: CgroupTestOffer) => ({
    message: `\`${call}\` cannot be called in ${label} programs: the kernel does not give them \`${helper}\``,
    label: `not available in ${label} programs`,
    help: offer.kind === "currentTask"
      ? "ask from a program that runs for a task (a tracepoint, probe, uprobe or perf event program)"
      : `ask from a ${offer.attributes.join(" or ")} program, where the packet's socket is known`,
  }),
);
