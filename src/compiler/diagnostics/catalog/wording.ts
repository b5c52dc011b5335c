//! Phrases several catalogue entries share, chosen by keys the call sites pass. Not a
//! range of its own: it defines no codes.

/** Where code runs, as call sites name it: the checked function's side. */
export type CodeSide = "user" | "kernel" | "module";

/** `user` → "user space", `kernel` → "eBPF code", `module` → "kernel-module code". */
export function sideText(side: CodeSide): string {
  return side === "user" ? "user space" : side === "kernel" ? "eBPF code" : "kernel-module code";
}

/**
 * Where a ring-buffer or map operation belongs instead, when written on the wrong side
 * (E0393 and E0486); `map` is the map's name.
 */
export type WrongSideAdvice =
  | { readonly kind: "ringbufInEbpf" | "ringbufHandlersInUserSpace" | "droppedInUserSpace" | "dispatchInUserSpace" }
  | { readonly kind: "perfHandlersInUserSpace" | "lostInUserSpace" | "cpusInUserSpace" }
  | { readonly kind: "perfOutputInEbpf" | "perCpuInUserSpace" | "printInUserSpace"; readonly map: string }
  | { readonly kind: "redirectInEbpf"; readonly map: string }
  | { readonly kind: "storageInEbpf"; readonly map: string }
  | { readonly kind: "stackIdInEbpf" | "stackPrintInUserSpace" | "taskStorageInEbpf" | "userRingbufPushInUserSpace" | "userRingbufDrainInEbpf" | "objectStorageInEbpf"; readonly map: string }
  | { readonly kind: "cgroupStoreInUserSpace" | "cgroupTestInEbpf"; readonly map: string };

export function wrongSideAdviceText(advice: WrongSideAdvice): string {
  switch (advice.kind) {
    case "userRingbufPushInUserSpace": return `user space writes the records (\`${advice.map}.push(r)\`); eBPF code reads them with \`${advice.map}.drain(handler)\``;
    case "userRingbufDrainInEbpf": return `eBPF code reads the records (\`${advice.map}.drain(handler)\`); user space writes them with \`${advice.map}.push(r)\``;
    case "cgroupStoreInUserSpace": return `user space stores cgroups in the slots (\`${advice.map}.set(0, "/sys/fs/cgroup/app")\`); programs only ask whether something is under one`;
    case "cgroupTestInEbpf": return `ask in an eBPF program (\`${advice.map}.current_task_under(slot)\`) and keep the answer in a map user space reads`;
    case "objectStorageInEbpf": return `an inode's value is read and written by LSM programs (\`${advice.map}.get(inode)\`)`;
    case "taskStorageInEbpf": return `a task's value is read and written by eBPF programs (\`${advice.map}.get()\`); copy it into a hash map keyed by \`pid()\` for user space`;
    case "stackIdInEbpf": return `record stack ids in an eBPF program (\`${advice.map}.kernel_stack()\`), keep them in a map, and print them from user space`;
    case "stackPrintInUserSpace": return `print the frames of a stack id in user space (\`${advice.map}.print_kernel_stack(id)\`), after reading the id from a map the program wrote`;
    case "ringbufInEbpf":
      return "reserve and submit records in an eBPF program; user space receives them with `events.on_event(handler)` and `dispatch(events)`";
    case "ringbufHandlersInUserSpace":
      return "register handlers in user space (for example in `main`) and call `dispatch`; the eBPF side only reserves and submits";
    case "droppedInUserSpace": return "the drop count is kept by the generated eBPF code and read from user space (e.g. in `main`)";
    case "dispatchInUserSpace": return "call `dispatch` from user space; eBPF code submits records with `events.submit(e)`";
    case "perfHandlersInUserSpace": return "register handlers in user space and call `dispatch`; eBPF code calls `output`";
    case "lostInUserSpace": return "lost samples are counted by user space while `dispatch` reads the buffers";
    case "cpusInUserSpace": return "per-CPU slots are a user-space view; eBPF code sees only its own CPU's value";
    case "perfOutputInEbpf":
      return `emit records from an eBPF program; user space receives them with \`${advice.map}.on_event(handler)\` and \`dispatch(${advice.map})\``;
    case "perCpuInUserSpace": return `eBPF code sees only its own CPU's value: read \`${advice.map}[k]\``;
    case "printInUserSpace": return `call \`${advice.map}.print()\` in user space (e.g. in \`main\`); eBPF code updates the entries`;
    case "redirectInEbpf": return `return \`${advice.map}.redirect(…)\` from a program; user space fills the entries (\`${advice.map}[k] = …\`)`;
    case "storageInEbpf": return `the values of \`${advice.map}\` belong to kernel objects that eBPF programs hold: read them there and copy what user space needs into another map`;
  }
}

/** What an operation was given: a number of arguments or a value of some type (as text). */
export type ArgumentsFound = { readonly count: number } | { readonly type: string };

export function argumentsFoundText(found: ArgumentsFound): string {
  return "count" in found ? `${found.count} argument${found.count === 1 ? "" : "s"}` : `\`${found.type}\``;
}

/** The error a `throw` raises: `error 3`, or one whose code is computed at run time. */
export function thrownError(code: bigint | undefined): string {
  return code === undefined ? "an error with a computed code" : `error ${code}`;
}

/** `\`a\`, \`b\`` — or, past `shown` names, the first ones `and N more`. */
export function listNames(names: readonly string[], shown: number): string {
  const quoted = names.map((n) => `\`${n}\``);
  return quoted.length > shown ? `${quoted.slice(0, shown).join(", ")} and ${quoted.length - shown} more` : quoted.join(", ");
}

/**
 * Where a value must have a given type (E0301 and the other conversions' errors): the
 * checker's `checkExprAs(…, context)` and `checkAssignable` pass one of these.
 */
export type ValueContext =
  | { readonly kind: "argument"; readonly index: number; readonly callee: string | undefined }
  | { readonly kind: "execArgument"; readonly index: number }
  | { readonly kind: "pythonParameter"; readonly parameter: string; readonly callee: string }
  | { readonly kind: "builtinArgument"; readonly callee: string }
  | { readonly kind: "arrayElement"; readonly index: number }
  | { readonly kind: "mapKey" | "mapValue" | "pushedValue" | "storageOwner"; readonly map: string }
  | { readonly kind: "operationResult"; readonly map: string; readonly operation: string }
  | { readonly kind: "field"; readonly field: string }
  | { readonly kind: "initialValue"; readonly of: ConstantOwner }
  | { readonly kind: "declaration"; readonly name: string }
  | { readonly kind: "returnValue"; readonly function: string }
  | { readonly kind: "testRun"; readonly program: string }
  | { readonly kind: "testPacketHeader" | "testPacketByteCount"; readonly method: string }
  | { readonly kind: "compoundAssignment"; readonly operator: string }
  | { readonly kind: keyof typeof valueContextPhrases };

const valueContextPhrases = {
  index: "an index",
  headerOffset: "the header offset",
  cpuNumber: "the CPU number",
  stackId: "the stack id",
  stackPid: "the pid that recorded the stack",
  matchArm: "this match arm",
  matchPattern: "this pattern",
  loopStart: "the loop start",
  loopEnd: "the loop end",
  rangeBound: "a range bound",
  mapEntryBinding: "the map entry binding",
  assignment: "this assignment",
  attachFlags: "the attach flags",
  attachTarget: "the attach target (an interface name)",
  ethernetHeader: "the Ethernet header of `eth_packet()`",
} as const satisfies Record<string, string>;

export function valueContextText(context: ValueContext): string {
  switch (context.kind) {
    case "argument": return `argument ${context.index} of ${context.callee === undefined ? "this call" : `\`${context.callee}\``}`;
    case "execArgument": return `argument ${context.index} of \`exec\` (a command-line argument of the script)`;
    case "pythonParameter": return `parameter \`${context.parameter}\` of \`${context.callee}\``;
    case "builtinArgument": return `the argument of \`${context.callee}\``;
    case "arrayElement": return `element ${context.index} of the array`;
    case "mapKey": return `the key of map \`${context.map}\``;
    case "storageOwner": return `the owner of a value of \`${context.map}\``;
    case "mapValue": return `a value of map \`${context.map}\``;
    case "pushedValue": return `the value pushed onto \`${context.map}\``;
    case "operationResult": return `the value of \`${context.map}.${context.operation}()\``;
    case "field": return `field \`${context.field}\``;
    case "initialValue": return `the initial value of ${constantOwnerText(context.of)}`;
    case "declaration": return `the declaration of \`${context.name}\``;
    case "returnValue": return `the return value of \`${context.function}\``;
    case "testRun": return `the test run of \`${context.program}()\``;
    case "testPacketHeader": return `the header of \`.${context.method}()\``;
    case "testPacketByteCount": return `the byte count of \`.${context.method}()\``;
    case "compoundAssignment": return `\`${context.operator}\``;
    default: return valueContextPhrases[context.kind];
  }
}

/**
 * What a constant initialises: a global or a config field's default, and the struct
 * fields on the way down to the value (`global \`g\` (field \`a\`)`).
 */
export type ConstantOwner =
  | { readonly kind: "global"; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: "configField"; readonly config: string; readonly field: string; readonly fields: readonly string[] };

export function constantOwnerText(owner: ConstantOwner): string {
  const base = owner.kind === "global" ? `global \`${owner.name}\`` : `config field \`${owner.config}.${owner.field}\``;
  return base + owner.fields.map((field) => ` (field \`${field}\`)`).join("");
}

/** The name a constant's owner goes by: the global's, or `config.field`. */
export function constantOwnerName(owner: ConstantOwner): string {
  return owner.kind === "global" ? owner.name : `${owner.config}.${owner.field}`;
}

/**
 * How an error reaches a function that cannot let it escape: the function, each call on
 * the way (callee and `file:line` of the call) and the `throw` (`file:line`).
 */
export interface ThrowPath {
  readonly from: string;
  readonly calls: readonly { readonly callee: string; readonly at: string }[];
  readonly throwAt: string;
}

/** `prog` → `check` (called at app.ks:12) → … → `throw` at app.ks:20. */
export function throwPathText(path: ThrowPath): string {
  return [`\`${path.from}\``, ...path.calls.map((hop) => `\`${hop.callee}\` (called at ${hop.at})`), `\`throw\` at ${path.throwAt}`].join(" → ");
}

/** `` `a`, `b` or `c` ``: names given as alternatives. */
export function alternatives(names: readonly string[]): string {
  const quoted = names.map((name) => `\`${name}\``);
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** A function's prototype as KernelScript spells it (`fn ssthresh(sk: *sock) -> u32`, `extern bpf_get_prandom_u32() -> u32`). */
export interface Signature {
  readonly keyword: "fn" | "extern";
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: string }[];
  /** The return type; none for an `extern` returning nothing. */
  readonly returns: string | undefined;
}

export function signatureText(signature: Signature): string {
  const params = signature.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  return `${signature.keyword} ${signature.name}(${params})${signature.returns === undefined ? "" : ` -> ${signature.returns}`}`;
}
