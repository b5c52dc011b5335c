//! The reasons some type errors of `types-features.ts` take (closed unions the checker
//! and the kernel tables pass) and their wording. Defines no codes: `types-features.ts`
//! re-exports the unions with its entries.

import type { MapUsage, UntestableReason } from "../../types.js";

/** Why the kernel (or the loader) cannot have a ring buffer of the size written; `minimum` is the smallest size that works. */
export type RingbufSizeProblem =
  | { readonly kind: "tooLarge"; readonly minimum: bigint; readonly maximum: bigint }
  | { readonly kind: "notPowerOfTwo"; readonly options: readonly bigint[] }
  | { readonly kind: "belowPage"; readonly pageSize: number; readonly minimum: bigint }
  | { readonly kind: "recordDoesNotFit"; readonly recordBytes: number; readonly minimum: bigint };

export function ringbufSizeProblemText(problem: RingbufSizeProblem): string {
  switch (problem.kind) {
    case "tooLarge": return "larger than the 1 GiB limit";
    case "notPowerOfTwo": return "not a power of two";
    case "belowPage": return `smaller than one page (${problem.pageSize} bytes)`;
    case "recordDoesNotFit": return `one record (${problem.recordBytes} bytes with its header) does not fit`;
  }
}

export function ringbufSizeSuggestion(problem: RingbufSizeProblem): string {
  switch (problem.kind) {
    case "tooLarge": return `a power of two between ${problem.minimum} and ${problem.maximum}`;
    case "notPowerOfTwo": return problem.options.map((s) => `\`${s}\``).join(" or ");
    case "belowPage": case "recordDoesNotFit": return `\`${problem.minimum}\` or more`;
  }
}

/** Why a struct cannot be an LPM trie key. */
export type LpmKeyProblem =
  | { readonly kind: "notStruct" | "noPrefixlen" | "noAddress" | "padding" }
  | { readonly kind: "addressTooLong"; readonly bytes: number; readonly max: number };

export function lpmKeyProblemText(problem: LpmKeyProblem): string {
  switch (problem.kind) {
    case "notStruct": return "is not a struct";
    case "noPrefixlen": return "does not start with `prefixlen: u32`";
    case "noAddress": return "has no address bytes after `prefixlen`";
    case "padding": return "has padding between or after its fields (use `u8[N]`, `be32` or `u32` address fields)";
    case "addressTooLong": return `has ${problem.bytes} address bytes (the kernel allows at most ${problem.max})`;
  }
}

export function mapUsageText(usage: MapUsage, m: string): string {
  switch (usage) {
    case "reserveAndSubmit": return `reserve a record with \`${m}.reserve()\` and \`${m}.submit(record)\` it in eBPF; receive records with \`${m}.on_event(handler)\` and \`dispatch(${m})\``;
    case "outputRecords": return `send records with \`${m}.output(ctx, record)\` in eBPF and receive them with \`${m}.on_event(handler)\` and \`dispatch(${m})\``;
    case "pushAndPop": return `use \`${m}.push(v)\`, and \`if (var v = ${m}.pop()) { … }\` or \`.peek()\``;
    case "pushAndContains": return `add values with \`${m}.push(v)\` and test them with \`${m}.contains(v)\` (false: surely absent; true: probably present)`;
    case "ownerStorage": return `a value belongs to its owner: \`if (var v = ${m}.get(owner)) { … }\`, \`${m}.get_or_create(owner)\`, \`${m}.remove(owner)\``;
    case "currentTaskValue": return `read the current task's value with \`${m}.get()\` (zero when it has none), write it with \`${m}.set(v)\`, drop it with \`${m}.remove()\``;
    case "submitAndDrain": return `write records with \`${m}.push(record)\` in user space and read them in eBPF with \`${m}.drain(handler)\`, a \`@helper fn handler(r: *Record) -> i64\` (0: go on, 1: stop)`;
    case "cgroupSlots": return `store a cgroup v2 directory at a slot from user space with \`${m}.set(slot, "/sys/fs/cgroup/app")\`, then ask in eBPF with \`${m}.current_task_under(slot)\` or \`${m}.skb_under(ctx, slot)\``;
    case "objectValue": return `read an object's value with \`${m}.get(inode)\` (zero when it has none), write it with \`${m}.set(inode, v)\`, drop it with \`${m}.remove(inode)\``;
    case "stackIds": return `record a stack with \`var id = ${m}.kernel_stack()\` or \`${m}.user_stack()\` in eBPF (an \`i64\` id to keep in another map) and print its frames with \`${m}.print_kernel_stack(id)\` / \`${m}.print_user_stack(id, pid)\` in user space`;
  }
}

/** Why the kernel cannot test-run a program type (its `testRun` row in kernel/program-types.ts). */
export const untestableText: Record<UntestableReason, string> = {
  classicTracepoint: "the kernel cannot test-run classic tracepoint programs (BPF_PROG_TEST_RUN is not implemented for them)",
  fentryTestFunctions: "fentry/fexit test runs call fixed kernel test functions (bpf_fentry_test1…), not the traced function",
  tpBtf: "the kernel test-runs tracing programs only for fentry/fexit/fmod_ret, not for tp_btf",
  kprobe: "the kernel cannot test-run kprobe programs",
  perfEvent: "the kernel cannot test-run perf_event programs",
  structOps: "struct_ops methods are called by their kernel subsystem, not by BPF_PROG_TEST_RUN",
  skMsg: "the kernel cannot test-run sk_msg programs: they run on messages sent on a socket of a sockmap or sockhash",
  skSkb: "the kernel cannot test-run sk_skb programs: they run on data received by a socket of a sockmap or sockhash",
  cgroupSocketHook: "the kernel runs socket and socket-address cgroup programs only from its socket calls; BPF_PROG_TEST_RUN is not implemented for them",
  userProbe: "uprobe and USDT programs are kprobe-type programs, which the kernel cannot test-run",
  lsm: "the kernel cannot test-run LSM programs (BPF_PROG_TEST_RUN is not implemented for them)",
};

/** Why a packet-builder method is out of wire order (`eth_packet().ipv4().udp()…`). */
export type PacketLayerProblem =
  | { readonly kind: "afterPayload" | "secondTransportHeader" }
  | { readonly kind: "secondNetworkHeader"; readonly network: string }
  | { readonly kind: "noNetworkHeader"; readonly method: string }
  | { readonly kind: "otherNetworkHeader"; readonly method: string; readonly needs: string; readonly network: string };

export function packetLayerProblemText(why: PacketLayerProblem): string {
  switch (why.kind) {
    case "afterPayload": return "headers cannot follow the payload";
    case "secondNetworkHeader": return `the packet already has an \`.${why.network}()\` header`;
    case "secondTransportHeader": return "the packet already has a transport header";
    case "noNetworkHeader": return `a ${why.method.toUpperCase()} header needs an IP header before it (\`.ipv4()\` or \`.ipv6()\`)`;
    case "otherNetworkHeader": return `\`.${why.method}()\` goes with \`.${why.needs}()\`, not \`.${why.network}()\``;
  }
}
