//! E04xx: rules the kernel verifier enforces, checked before anything is loaded.

import { defineError, defineWarning } from "../diagnostic.js";
import { sideText, signatureText, type Signature, thrownError, throwPathText, type ThrowPath, valueContextText, type ValueContext, wrongSideAdviceText, type CodeSide, type WrongSideAdvice } from "./wording.js";
import type { Span } from "../../source.js";
import { categoryNotChecked, tracepointListHint } from "../tracepoint-wording.js";

export const uncheckedPacketAccess = defineError(
  "E0401",
  "packet read without a bounds check",
  "The verifier rejects any read of packet data that is not proven to lie before `data_end`. KernelScript requires the proof in the source, so the error is reported here instead of at load time.",
  () => ({
    message: "packet data is read without a bounds check",
    label: "not proven to lie within the packet",
    help: "bind a typed header where the bounds check happens, e.g. `if (var eth: *ethhdr = ctx.header(0)) { … } else { /* too short */ }`, and read through it",
  }),
);

/** A variable on the stack and its size in bytes (the largest ones are listed in E0402/W0262). */
export interface StackVariable { readonly name: string; readonly bytes: number }

function stackVariablesText(variables: readonly StackVariable[]): string {
  return variables.map((v) => `\`${v.name}\` ${v.bytes} B`).join(", ");
}

export const stackLimitExceeded = defineError(
  "E0402",
  "stack limit exceeded",
  "An eBPF program has 512 bytes of stack, shared by the whole call chain. clang lays locals out in 8-byte slots and refuses a frame that reaches the 512th byte, so 504 bytes are usable. Large buffers belong in a per-CPU array map.",
  (fn: string, bytes: number, largest: readonly StackVariable[]) => ({
    message: `\`${fn}\` needs ${bytes} bytes of stack; eBPF programs can use 504`,
    notes: [`largest variables: ${stackVariablesText(largest)}`, "the kernel allows 512 bytes, counted in 8-byte slots; clang refuses a frame that reaches the 512th"],
    help: "move large buffers into a `percpu_array<u32, T>(1)` map and work on the entry",
  }),
);

/** W0262 belongs to the compatibility range (catalog/compatibility.ts) but sits by E0402, whose limit it applies. */
export const uncalledHelperOverStack = defineWarning(
  "W0262",
  "uncalled helper over the stack limit",
  "A `@helper` that no program calls is never run, so its stack use breaks nothing yet and the program builds; but its own frame is over the 504 bytes an eBPF program can use, so the first program that calls it would fail with E0402.",
  (fn: string, bytes: number, largest: readonly StackVariable[]) => ({
    message: `helper \`${fn}\` is never called, and it needs ${bytes} bytes of stack: calling it from a program would exceed the 504 it can use`,
    label: "no program calls this helper",
    notes: [`largest variables: ${stackVariablesText(largest)}`],
    help: "move large buffers into a `percpu_array<u32, T>(1)` map and work on the entry, or remove the helper",
  }),
);

// --- functions-pointers ---

/** Where a pointer that may be null came from (kept on the local, `Symbol.mayBeNull`). */
export type NullOrigin =
  | { readonly kind: "nullInitialiser" | "nullAssigned" | "mapEntry" }
  | { readonly kind: "call" | "callResult"; readonly callee: string }
  | { readonly kind: "mapAlias"; readonly map: string }
  | { readonly kind: "nullableField"; readonly field: string };

function nullOriginText(origin: NullOrigin): string {
  switch (origin.kind) {
    case "nullInitialiser": return "is initialised to `null`";
    case "nullAssigned": return "was assigned `null`";
    case "mapEntry": return "points into a map entry that may be absent";
    case "call": return `comes from a call to \`${origin.callee}\``;
    case "callResult": return `is the result of a call to \`${origin.callee}\``;
    case "mapAlias": return `points into the entry of map \`${origin.map}\`, which may be absent`;
    case "nullableField": return `is \`${origin.field}\`, which the kernel leaves null when there is none`;
  }
}

export const maybeNullDeref = defineError(
  "E0415",
  "pointer may be null",
  "A pointer returned by a function, taken from a map entry (`&m[k]`), or bound from a map lookup may be null. The verifier rejects any access through it that is not preceded by a null check, so the compiler asks for the check.",
  (name: string, origin: NullOrigin) => ({
    message: `\`${name}\` may be null here (it ${nullOriginText(origin)})`,
    label: "used without a null check",
    help: `check it first: \`if (${name} != null) { … }\`, or bind it with \`if (var v = ${name}) { … }\``,
  }),
);

export const tailCallChainTooDeep = defineError(
  "E0416",
  "tail-call chain deeper than the kernel allows",
  "The kernel stops a chain of tail calls after 33 jumps (MAX_TAIL_CALL_CNT) and the next `bpf_tail_call` falls through. A chain written longer than that can never run to its end.",
  (depth: number, chain: string) => ({
    message: `this chain of tail calls is ${depth} calls deep; the kernel allows 33`,
    notes: [`chain: ${chain}`],
    help: "merge some of the programs, or move their logic into `@helper` functions",
  }),
);

/** Why a call through a function value cannot be resolved (`check/calls.ts`). */
export type IndirectCallProblem =
  | "calleeNotAName" | "parameterOfNonHelper" | "notInitialisedWithFunction" | "nullArgument"
  | "notAHelper" | "argumentNotAFunction" | "reassigned";

const indirectCallReasons: Readonly<Record<IndirectCallProblem, string>> = {
  calleeNotAName: "it is not a variable or parameter",
  parameterOfNonHelper: "only `@helper` functions can take function parameters in eBPF",
  notInitialisedWithFunction: "it is not initialised with a function name",
  nullArgument: "`null` is not a function",
  notAHelper: "only `@helper` functions can be passed as values in eBPF",
  argumentNotAFunction: "it is not a function name or a variable holding one",
  reassigned: "the variable is assigned more than one function",
};

/** What calls (or is passed): the name when there is one. */
function indirectCallSubject(problem: IndirectCallProblem, name: string | undefined): string {
  if (name !== undefined) return `\`${name}\``;
  return problem === "nullArgument" ? "this argument" : problem === "argumentNotAFunction" ? "the function passed here" : "this expression";
}

export const unresolvedIndirectCall = defineError(
  "E0417",
  "call through a function value that eBPF cannot resolve",
  "eBPF has no indirect calls: every call must name its target when the program is compiled. The compiler resolves calls through function-typed parameters of `@helper` functions (one copy of the helper per function passed) and through local variables that hold one known function; any other call through a function value is rejected.",
  (problem: IndirectCallProblem, name?: string) => ({
    message: `cannot tell at compile time which function ${indirectCallSubject(problem, name)} calls: ${indirectCallReasons[problem]}`,
    help: "pass the function directly to a `@helper` parameter, or keep one known function in a local variable that is never reassigned",
  }),
);

export const pointerToLocalEscapes = defineError(
  "E0418",
  "pointer to a local variable escapes its function",
  "A local variable lives on the function's stack and is gone when the function returns; a pointer to it would dangle, and reading through it reads a dead stack frame: undefined behaviour. In an eBPF `@helper` the compiler gives the local per-CPU storage instead (warning W0272; KernelScript 0.1.1's type_checking and types_demo examples rely on it), because eBPF has no recursion and a program runs to its end on one CPU. User-space functions, `@kfunc`s and struct_ops methods keep this error: user-space code may recurse or run on several threads, so one storage slot per function would be shared by calls that are still alive. Return the value itself (a copy); the caller's `*p` becomes the value.",
  (name: string, type: string) => ({
    message: `returning a pointer to the local variable \`${name}\`, which does not outlive this function`,
    help: `return a copy: declare the result \`-> ${type}\` and write \`return ${name}\` (or let the caller pass a pointer to fill in)`,
  }),
);

// --- packets ---

export const headerOutsideCondition = defineError(
  "E0403",
  "`ctx.header(…)` outside an `if (var …)` condition",
  "`ctx.header(offset)` performs the bounds check; its result exists only in the branch where the check succeeded, so it is written as the condition of `if (var h: *T = ctx.header(offset)) { … } else { … }`.",
  () => ({
    message: "`ctx.header(…)` can only be the condition of `if (var …)`",
    label: "the bounds check needs a branch for the too-short case",
    help: "write `if (var h: *T = ctx.header(offset)) { … } else { /* packet too short */ }`",
  }),
);

export const headerPointerEscapes = defineError(
  "E0404",
  "packet header pointer leaves its proof",
  "A header pointer bound by `if (var h: *T = ctx.header(…))` is known to be in bounds only as that binding. Stored in a variable of a plain pointer type, passed to a function or returned, it would be used where the compiler (and the verifier) cannot see the check.",
  (context: ValueContext) => ({
    message: `a packet header pointer cannot be used as ${valueContextText(context)}`,
    label: "proven in bounds only as the `if (var …)` binding",
    help: "read the fields you need inside the branch (or bind a local without a type annotation: `var p = h`)",
  }),
);

/** Where the bound of a packet offset comes from, or why it has none (E0405's label). */
export type RangeReason =
  | { readonly kind: "anyOfType" | "mayOverflow"; readonly type: string }
  | { readonly kind: "anyValueOf" | "rangeOf"; readonly name: string }
  | { readonly kind: "bitfield"; readonly bits: number; readonly field: string }
  | { readonly kind: "field"; readonly field: string }
  | { readonly kind: keyof typeof rangeReasonPhrases };

const rangeReasonPhrases = {
  unknown: "",
  anyEnum: "any enum value",
  anyChar: "any `char`",
  bool: "a bool",
  constant: "a constant",
  unknownSize: "an unknown size",
  unboundable: "a value the compiler cannot bound",
  cast: "the cast",
  mask: "a mask",
  remainder: "a remainder",
  signedProduct: "a product of signed values",
  variableShift: "a shift by a variable amount",
  signedShift: "a signed shift",
  variableRemainder: "a remainder by a variable",
  variableDivision: "a division by a variable",
  notInteger: "not an integer expression",
} as const satisfies Record<string, string>;

function rangeReasonText(why: RangeReason): string {
  switch (why.kind) {
    case "anyOfType": return `any \`${why.type}\``;
    case "mayOverflow": return `may overflow \`${why.type}\``;
    case "anyValueOf": return `any value of \`${why.name}\``;
    case "rangeOf": return `the range of \`${why.name}\``;
    case "bitfield": return `the ${why.bits}-bit field \`${why.field}\``;
    case "field": return `the field \`${why.field}\``;
    default: return rangeReasonPhrases[why.kind];
  }
}

export const unboundedPacketOffset = defineError(
  "E0405",
  "packet offset without a bound",
  "The verifier accepts a variable packet offset only when its maximum is known (at most 65535 bytes past the start, header included). The compiler derives bounds from literals, `sizeof`, bitfields (`ip.ihl * 4` is at most 60), masks (`x & 0xff`), `%`, narrow integer types and unmodified locals initialised from such expressions.",
  (extent: { readonly max: bigint } | "negative" | "unbounded", size: number, why: RangeReason) => ({
    message: `the header offset ${extent === "negative" ? "may be negative" : extent === "unbounded" ? "has no upper bound" : `may be as large as ${extent.max}`}: with the ${size}-byte header the compiler cannot prove it stays within the 65535-byte packet limit`,
    label: rangeReasonText(why),
    help: "bound the offset: mask it (`off & 0x3ff`), use a narrow type (`as u8`), or compute it from header fields (`sizeof(ethhdr) + ip.ihl * 4`)",
  }),
);

export const packetOffsetReassigned = defineError(
  "E0406",
  "packet offset variable reassigned",
  "A local used in a header offset is bounded by the value it was declared with. Assigning to it anywhere in the function (a loop may run the assignment before the check) loses that bound.",
  (name: string, assigned: import("../../source.js").Span) => ({
    message: `the bound of \`${name}\` in this offset is unknown: it is assigned elsewhere in the function`,
    label: "offset bounded by the declaration only",
    secondary: [{ span: assigned, message: "assigned here" }],
    help: `declare a new variable for the offset instead of assigning to \`${name}\``,
  }),
);

export const packetAccessOutsideNetworkProgram = defineError(
  "E0407",
  "packet access outside XDP/TC",
  "Only XDP (`*xdp_md`) and TC (`*__sk_buff`) contexts carry packet data the verifier lets a program read directly.",
  (found: { readonly type: string } | "userSpace") => ({
    message: `\`header(…)\` needs an XDP or TC context, ${found === "userSpace" ? "but this is user-space code" : `found \`${found.type}\``}`,
    help: "bind packet headers in `@xdp` or `@tc` programs (or helpers taking their context)",
  }),
);

export const packetIndexUnproven = defineError(
  "E0408",
  "packet array index not proven",
  "An array inside a packet header (`eth.h_dest[i]`) is indexed in place in the packet; the verifier drops the proof for a variable index, so the index must be a constant below the array length.",
  (index: bigint | undefined, length: number) => ({
    message: `index into a packet header array must be a constant below ${length}, found ${index === undefined ? "a variable index" : `\`${index}\``}`,
    label: "not proven within the header",
    help: "copy the array into a local first (`var mac = eth.h_dest`) and index the local",
  }),
);

export const uncheckedPacketWrite = defineError(
  "E0409",
  "packet write without a bounds check",
  "The verifier rejects a write to packet data that is not proven to lie before `data_end`; raw packet pointers (`ctx.data`) prove nothing.",
  () => ({
    message: "packet data is written without a bounds check",
    label: "not proven to lie within the packet",
    help: "bind a typed header (`if (var eth: *ethhdr = ctx.header(0)) { eth.h_dest = … }`) and write through it",
  }),
);

// --- errors-returns ---

export const uncaughtThrowInProgram = defineError(
  "E0430",
  "error not caught in an eBPF program",
  "An eBPF program returns an action code to the kernel and has no caller to hand an error to, so every error thrown in it (or in a helper it calls) must be caught by a `try`/`catch` in the program.",
  (code: bigint | undefined, program: string, path: ThrowPath, callSite: Span | undefined) => ({
    message: `${thrownError(code)} thrown here is not caught in eBPF program \`${program}\``,
    label: "thrown here",
    notes: [`call path: ${throwPathText(path)}`],
    secondary: callSite ? [{ span: callSite, message: "reaches the program through this call" }] : [],
    help: `wrap the code in \`try { … } catch ${code ?? "_"} { … }\` in \`${program}\`, or add \`catch _\` to the enclosing \`try\``,
  }),
);

// --- loops ---

/**
 * Why the compiler cannot see a `while` loop end (`check/while-proof.ts`): `counter` is
 * the local's name, `test` the condition as written (`i <= 255`).
 */
export type UnprovenLoop =
  | { readonly kind: "noCounter" }
  | { readonly kind: "addressTaken"; readonly counter: string }
  | { readonly kind: "changedOnlyInBranch"; readonly counter: string }
  | { readonly kind: "neverChanged"; readonly counter: string }
  | { readonly kind: "wrongStep"; readonly counter: string; readonly direction: "up" | "down" | "exact"; readonly test: string }
  | { readonly kind: "assignedElsewhere"; readonly counter: string }
  | { readonly kind: "continueSkipsStep"; readonly counter: string }
  | { readonly kind: "signedUnknownStart"; readonly counter: string }
  /** `!=` loops: the counter starts (`start`, or anywhere when unknown) on the wrong side of `limit`. */
  | { readonly kind: "startsPastBound"; readonly counter: string; readonly start: bigint | undefined; readonly side: "above" | "below"; readonly limit: bigint; readonly test: string }
  | { readonly kind: "wraps"; readonly counter: string; readonly type: string; readonly bound: "atMost" | "atLeast"; readonly value: bigint; readonly test: string };

function unprovenLoopReason(why: UnprovenLoop): string {
  switch (why.kind) {
    case "noCounter":
      return "the condition does not compare an integer variable with a constant (`i < N`, `i > N`, `i != N`), and not every path through the body leaves the loop";
    case "addressTaken": return `the address of \`${why.counter}\` is taken, so it may change through a pointer`;
    case "changedOnlyInBranch": return `\`${why.counter}\` is only changed inside a branch or nested block, so some iterations may not move it`;
    case "neverChanged": return `\`${why.counter}\` never changes in the loop body`;
    case "wrongStep": {
      const wanted = why.direction === "up" ? "increase" : why.direction === "down" ? "decrease" : "move towards the bound";
      const by = why.direction === "exact" ? "by exactly 1" : "by a constant";
      const example = why.direction === "up" ? `${why.counter} += 1` : `${why.counter} -= 1`;
      return `\`${why.counter}\` must ${wanted} ${by} (\`${example}\`) on every iteration for \`${why.test}\` to turn false`;
    }
    case "assignedElsewhere": return `\`${why.counter}\` is also assigned here, so the loop may not make progress`;
    case "continueSkipsStep": return `this \`continue\` skips the step of \`${why.counter}\``;
    case "signedUnknownStart":
      return `\`${why.counter}\` is signed and its value before the loop is not a known constant, so it may start far below the bound`;
    case "startsPastBound":
      return why.start !== undefined
        ? `\`${why.counter}\` may start at ${why.start}, ${why.side} ${why.limit}, so \`${why.test}\` would not turn false before it wraps around`
        : `the value of \`${why.counter}\` before the loop is not a known constant, so it may start ${why.side} ${why.limit} and \`${why.test}\` would not turn false before it wraps around`;
    case "wraps":
      return `\`${why.counter}\` is \`${why.type}\` (${why.bound === "atMost" ? "at most" : "at least"} ${why.value}) and would wrap around before \`${why.test}\` becomes false`;
  }
}

export const unprovenLoopBound = defineError(
  "E0410",
  "loop bound not provable",
  "The verifier only accepts loops it can prove to end, so a `while` loop in eBPF code must have an end the compiler can see. Either every path through its body leaves the loop (`break`, `return`, `throw`) without a `continue`, so it runs at most once; or its condition compares an integer local with a constant and the body moves that local towards the constant by a constant step, in one statement at the top of the body, writing it nowhere else: counting up with `i < N` / `i <= N` and `i += c`, counting down with `i > N` / `i >= N` and `i -= c`, or exactly with `i != N` (or a bare `i`) and a step of 1 from a start on the far side. The counter's first value is its constant initial value when every write outside the loop is a constant; otherwise it may be anything its type holds. Anything else is rejected here rather than by the verifier at load time.",
  (why: UnprovenLoop) => ({
    message: `cannot prove that this \`while\` loop ends: ${unprovenLoopReason(why)}`,
    label: "the verifier would reject this loop",
    help: "use `for (i in 0..N) { … }` (with `break` to stop early), or write the loop as `while (i < N) { …; i += 1 }` or `while (i > 0) { …; i -= 1 }`",
  }),
);

/** How many iterations a loop needs: exactly (a range) or at most (a `while` loop), and where an unknown counter may start. */
export interface LoopLength {
  readonly iterations: bigint;
  readonly upTo?: boolean;
  readonly unknownStart?: { readonly counter: string; readonly start: bigint };
}

export const loopTooLong = defineError(
  "E0411",
  "loop too long for eBPF",
  "eBPF loops run at most 8,388,608 (1 << 23) iterations: that is the kernel's limit for `bpf_loop()`, the longest loop the verifier accepts. A loop that is known to need more cannot run in a program; nor can a `while` loop whose counter may start anywhere its type holds, when that is too far from the bound.",
  ({ iterations, upTo, unknownStart }: LoopLength) => ({
    message: `this loop needs ${upTo ? "up to " : ""}${iterations} iterations${unknownStart ? ` (\`${unknownStart.counter}\` may start at ${unknownStart.start})` : ""}; eBPF allows at most 8388608 (1 << 23)`,
    label: "too many iterations",
    help: unknownStart
      ? "give the loop a bound the compiler can see: start the counter from a constant, or add a second counter to the condition (`&& n < 1000`, with `n += 1` in the body)"
      : "split the work across several program runs (keep the position in a map), or do it in user space",
  }),
);

export const infiniteLoop = defineError(
  "E0412",
  "infinite loop in eBPF",
  "`while (true)` has no bound the verifier can see when its body can go round again: a `break` inside a branch is not enough. Unless every path through the body leaves the loop (then it runs once), the kernel would reject the program. (In user space it is fine.)",
  () => ({
    message: "`while (true)` in eBPF code: the verifier rejects loops it cannot prove to end",
    label: "no bound",
    help: "use `for (i in 0..N) { … }` with a `break` where the loop should stop",
  }),
);

// --- upstream-gaps ---

export const mapAccessForbiddenByFlags = defineError(
  "E0437",
  "map access its flags forbid",
  "`@flags(rdonly)` and `@flags(wronly)` forbid user space to write or to read a map (the bpf() syscall fails with EPERM); `@flags(rdonly_prog)` and `@flags(wronly_prog)` forbid it to eBPF programs (the verifier rejects the program). The compiler reports the access instead of letting it fail at run time.",
  (map: string, access: "read" | "write", side: CodeSide, flag: string, flagSpan: Span) => ({
    message: `${sideText(side)} ${access === "read" ? "reads" : "writes to"} map \`${map}\`, which \`@flags(${flag})\` forbids`,
    label: access === "read" ? "read here" : "written here",
    secondary: [{ span: flagSpan, message: `\`${map}\` is declared with \`${flag}\`` }],
    help: flag.startsWith("rd")
      ? `update \`${map}\` from the other side, or remove \`${flag}\` from its flags`
      : `read \`${map}\` from the other side, or remove \`${flag}\` from its flags`,
  }),
);

// --- kmod ---

export const moduleNewWithoutFlag = defineError(
  "E0480",
  "kernel-module allocation without a GFP flag",
  "`new T()` in kernel-module code becomes `kmalloc`, whose flags decide whether it may sleep. A kfunc runs in the context of the eBPF program that calls it (atomic for XDP, TC and tracepoints), so the compiler does not pick a default: the code says which one it means.",
  (type: string) => ({
    message: `\`new ${type}()\` in kernel-module code needs an allocation flag`,
    label: "no GFP flag",
    help: `write \`new ${type}(GFP_ATOMIC)\` (never sleeps), or \`GFP_KERNEL\` only if no atomic caller reaches it`,
  }),
);

/** What kernel-module code cannot use (`check/kmod.ts`). */
export type ModuleConstruct =
  | { readonly kind: "throw" | "try" | "defer" | "stringType" | "stringValue" }
  | { readonly kind: "kernelType"; readonly name: string };

function moduleConstructText(construct: ModuleConstruct): string {
  switch (construct.kind) {
    case "throw": return "`throw`";
    case "try": return "`try`/`catch`";
    case "defer": return "`defer`";
    case "stringType": return "the string type `str(N)`";
    case "stringValue": return "a string value";
    case "kernelType": return `the kernel type \`${construct.name}\``;
  }
}

export const constructNotInModuleCode = defineError(
  "E0481",
  "construct not available in kernel-module code",
  "Kernel-module code is translated to kernel C with the same statement emitter as eBPF and user-space code, but some constructs rely on runtimes that exist only in the eBPF object or the loader (string types and their helpers, error frames of `throw`/`try`/`defer`, packet contexts).",
  (construct: ModuleConstruct) => ({
    message: `${moduleConstructText(construct)} cannot be used in kernel-module code`,
    label: "not available in the kernel module",
    help: "keep this part in the eBPF program or in user space, and give the kfunc plain integers or pointers",
  }),
);

export const gfpKernelMaySleep = defineWarning(
  "W0229",
  "`GFP_KERNEL` allocation in kfunc code",
  "`GFP_KERNEL` may sleep to reclaim memory. Kernel-module code runs in the context of the eBPF program calling the kfunc, which for XDP, TC, tracepoints and perf events is atomic (no sleeping): the kernel then warns \"sleeping function called from invalid context\" or deadlocks.",
  () => ({
    message: "`GFP_KERNEL` may sleep, but kfuncs run in the atomic context of the eBPF program calling them",
    label: "may sleep",
    help: "use `GFP_ATOMIC`",
  }),
);

// --- maps-events ---

export const uncheckedPop = defineError(
  "E0485",
  "queue/stack value used without checking it",
  "`pop()` and `peek()` find nothing when the queue or stack is empty; the value exists only where that was checked, so it must be bound with `if (var v = q.pop())`.",
  (call: string) => ({
    message: `\`${call}\` may find the map empty; its value must be checked before use`,
    label: "may be empty",
    help: `bind it where it is checked: \`if (var v = ${call}) { … } else { … }\``,
  }),
);

export const mapOperationWrongSide = defineError(
  "E0486",
  "map operation on the wrong side",
  "Some map operations exist only in eBPF code (perf event output) or only in user space (reading per-CPU slots, drop counts, event handlers).",
  (call: string, side: CodeSide, instead: WrongSideAdvice) => ({
    message: `\`${call}\` is not available in ${sideText(side)}`,
    label: `not in ${sideText(side)}`,
    help: wrongSideAdviceText(instead),
  }),
);

export const mapFlagForKind = defineError(
  "E0487",
  "map flag not allowed for this map kind",
  "The kernel accepts only some `BPF_F_*` flags for each map kind and refuses to create the map otherwise (EINVAL at load time).",
  (flag: string, kind: string, allowed: string) => ({
    message: `\`@flags(${flag})\` is not allowed on a \`${kind}\` map`,
    label: "refused by the kernel for this kind",
    help: allowed === "" ? `remove \`${flag}\`: a \`${kind}\` map takes no flags` : `remove \`${flag}\`; a \`${kind}\` map allows: ${allowed}`,
  }),
);

// --- testing ---

export const testPacketTooLarge = defineError(
  "E0482",
  "test packet too large",
  "BPF_PROG_TEST_RUN copies the frame into one page with XDP headroom and shared-info tailroom, so a test frame holds at most 3 520 bytes (on 4 KiB pages); a larger one is refused by the kernel (EINVAL).",
  (size: string, capacity: number) => ({
    message: `a test frame of ${size} bytes is larger than the ${capacity} bytes a test run can take`,
    label: "too large",
    help: `use at most ${capacity} bytes, e.g. \`.pad_to(1500)\` for a full-size Ethernet frame`,
  }),
);

// --- license ---

/** What a non-GPL program uses that the kernel keeps for GPL programs (`analyze/license.ts`). */
export type GplOnlyUse =
  | { readonly kind: "kfuncCall"; readonly callee: string; readonly ofThisModule: boolean }
  | { readonly kind: "new" | "delete" | "print" }
  | { readonly kind: "perfOutput"; readonly map: string };

function gplOnlyUseText(use: GplOnlyUse): { construct: string; kernelFunction: string } {
  switch (use.kind) {
    case "kfuncCall":
      return { construct: `the call of \`${use.callee}\``, kernelFunction: `the kfunc \`${use.callee}\`${use.ofThisModule ? " (of this file's kernel module)" : ""}` };
    case "new": return { construct: "`new`", kernelFunction: "the kfunc `bpf_obj_new_impl`" };
    case "delete": return { construct: "`delete`", kernelFunction: "the kfunc `bpf_obj_drop_impl`" };
    case "print": return { construct: "`print` in eBPF code", kernelFunction: "the helper `bpf_trace_printk`" };
    case "perfOutput": return { construct: `\`${use.map}.output()\``, kernelFunction: "the helper `bpf_perf_event_output`" };
  }
}

export const gplOnlyConstruct = defineError(
  "E0490",
  "GPL-only kernel function in a non-GPL program",
  "The kernel lets only programs with a GPL-compatible license (`GPL`, `GPL v2`, `GPL and additional rights`, `Dual BSD/GPL`, `Dual MIT/GPL`, `Dual MPL/GPL`) call some helpers and every kfunc. `print` (bpf_trace_printk), perf event output (bpf_perf_event_output), `new`/`delete` (the bpf_obj_new/bpf_obj_drop kfuncs), `@kfunc` functions and `extern` kfuncs are among them; the verifier would refuse the program at load time.",
  (use: GplOnlyUse, license: string, declared: Span) => {
    const { construct, kernelFunction } = gplOnlyUseText(use);
    return {
    message: `${construct} needs a GPL-compatible license, but this file's license is ${JSON.stringify(license)}`,
    label: "the kernel refuses this in a non-GPL program",
    secondary: [{ span: declared, message: "license declared here" }],
    notes: [`it calls ${kernelFunction}, which the kernel offers only to GPL-compatible programs`],
    help: `use a GPL-compatible license (e.g. \`license "Dual MIT/GPL"\`), or remove ${construct}`,
    };
  },
);

export const gplOnlyProgram = defineError(
  "E0491",
  "program kind or kernel access that needs a GPL-compatible license",
  "The kernel loads struct_ops programs only with a GPL-compatible license, and lets only GPL-compatible programs read kernel structures through BTF pointers (the parameters of `@tp_btf` programs, such as `p: *task_struct`).",
  (use: { readonly btfRead: string } | { readonly structOps: string }, license: string, declared: Span) => {
    const construct = "btfRead" in use ? `reading the kernel's \`${use.btfRead}\` through a BTF pointer` : `the struct_ops impl \`${use.structOps}\``;
    const kernelRule = "btfRead" in use
      ? `the verifier refuses it: "Cannot access kernel 'struct ${use.btfRead}' from non-GPL compatible program"`
      : `the kernel loads struct_ops programs only with a GPL-compatible license ("struct ops programs must have a GPL compatible license")`;
    return {
    message: `${construct} needs a GPL-compatible license, but this file's license is ${JSON.stringify(license)}`,
    label: "the kernel refuses this in a non-GPL program",
    secondary: [{ span: declared, message: "license declared here" }],
    notes: [kernelRule],
    help: `use a GPL-compatible license (e.g. \`license "Dual MIT/GPL"\`), or remove ${construct}`,
    };
  },
);

// --- checks: what this kernel has (kernel-targets.ts) ---
//
// A tracepoint or kernel function the kernel lacks is a fact of one machine: compiling
// warns (the program may be meant for another kernel), `check --kernel` (which checks
// against this kernel) reports the error twin. E0240 and E0271 are the error twins of
// W0246 and W0247.

const tracepointHelp = (suggestion: string | undefined, categoryChecked: boolean): string =>
  suggestion
    ? `did you mean \`${suggestion}\`?${categoryChecked ? "" : ` ${categoryNotChecked}`}`
    : tracepointListHint;

export const missingTracepoint = defineError(
  "E0477",
  "no such tracepoint on this kernel",
  "A `@tracepoint(\"category/event\")` program attaches to a trace event of the kernel. `check --kernel` checks the program against the running kernel, which has no event of that name: tracefs does not list it (or, when tracefs is not mounted, the kernel's BTF has no `btf_trace_<event>`). When only compiling, the same finding is the warning W0245.",
  (target: string, suggestion: string | undefined, categoryChecked: boolean) => ({
    message: `this kernel has no tracepoint \`${target}\``,
    label: "not on this kernel",
    help: tracepointHelp(suggestion, categoryChecked),
  }),
);

export const tracepointNotOnKernel = defineWarning(
  "W0245",
  "tracepoint not found on the kernel compiled against",
  "A `@tracepoint(\"category/event\")` program attaches to a trace event of the kernel. The kernel whose BTF the compiler reads has no event of that name (tracefs does not list it, or, without tracefs, its BTF has no `btf_trace_<event>`), so the loader will fail to attach it there. It is a warning because the program may be meant for another kernel; `check --kernel` makes it the error E0477.",
  (target: string, suggestion: string | undefined, categoryChecked: boolean) => ({
    message: `the kernel has no tracepoint \`${target}\``,
    label: "attaching fails on this kernel",
    notes: ["it compiles, but the loader cannot attach it where the event does not exist; `check --kernel` treats this as an error"],
    help: tracepointHelp(suggestion, categoryChecked),
  }),
);

export const kernelFunctionNotOnKernel = defineWarning(
  "W0246",
  "kernel function not found on the kernel compiled against",
  "A probe attaches to a kernel function; the kernel whose BTF the compiler reads has no function of that name (functions that are inlined or static are often absent), so the loader will fail to attach it there. It is a warning because the program may be meant for another kernel; `check --kernel` makes it the error E0240.",
  (name: string, suggestion: string | undefined) => ({
    message: `the kernel's BTF has no function \`${name}\``,
    label: "attaching fails on this kernel",
    notes: ["it compiles, but the loader cannot attach it where the function does not exist; `check --kernel` treats this as an error"],
    help: suggestion ? `did you mean \`${suggestion}\`?` : "check the name in /proc/kallsyms; syscalls are traced as `__x64_sys_NAME` or through `@tracepoint(\"syscalls/sys_enter_NAME\")`",
  }),
);

export const rawTracepointNotOnKernel = defineWarning(
  "W0247",
  "raw tracepoint not found on the kernel compiled against",
  "A `@tp_btf(\"event\")` or `@raw_tracepoint(\"event\")` program attaches to the kernel tracepoint `event`; the kernel whose BTF the compiler reads has no `btf_trace_<event>`, so the loader will fail to attach it there. It is a warning because the program may be meant for another kernel; `check --kernel` makes it the error E0271.",
  (event: string, suggestion: string | undefined) => ({
    message: `the kernel has no raw tracepoint \`${event}\` (no \`btf_trace_${event}\` in its BTF)`,
    label: "attaching fails on this kernel",
    notes: ["it compiles, but the loader cannot attach it where the event does not exist; `check --kernel` treats this as an error"],
    help: suggestion ? `did you mean \`${suggestion}\`?` : "list the events with `ls /sys/kernel/tracing/events/*/` and name one without its category, e.g. `@tp_btf(\"sched_switch\")`",
  }),
);

export const kernelTargetsNotChecked = defineWarning(
  "W0248",
  "attachment targets not checked",
  "Tracepoints, raw tracepoints and probed functions are checked against the kernel's BTF (and tracefs). Without BTF (the playground, or a machine without /sys/kernel/btf/vmlinux) nothing could be checked; the warning names what will only be found out when the loader attaches the programs. It is reported once per file.",
  (first: string, others: readonly string[]) => ({
    message: `${others.length === 0 ? first : `${first} and ${others.length} other attachment target${others.length === 1 ? "" : "s"}`} not checked: no kernel BTF to check against`,
    label: "not checked",
    notes: others.length > 0 ? [`also not checked: ${others.join(", ")}`] : [],
    help: "compile where the target kernel's BTF is at /sys/kernel/btf/vmlinux, or name a BTF file with `BTF=/path/to/vmlinux`",
  }),
);

// --- checks: kernel limits known before loading (kernel-limits.ts, constant-operands.ts) ---

export const narrowAtomicUpdate = defineError(
  "E0470",
  "atomic update narrower than 32 bits",
  "`+=` and `-=` on an entry of a shared map (every kind but the per-CPU ones) are atomic, because several CPUs run a program at once. eBPF's atomic instructions work on 32- and 64-bit values only (clang stops with \"Unsupported atomic operations\" on narrower ones), and a plain read-modify-write would lose updates made at the same time.",
  (op: string, type: string, map: string) => ({
    message: `\`${op}\` on a \`${type}\` in the shared map \`${map}\` cannot be atomic`,
    label: "eBPF updates only 32- and 64-bit values atomically",
    help: "make the value (or this field) `u32` or `u64`, or use a per-CPU map (`percpu_hash`, `percpu_array`), whose entries each CPU updates alone",
  }),
);

export const mapTooManyEntries = defineError(
  "E0471",
  "map larger than the kernel creates",
  "The kernel allocates a hash map's buckets up front: the next power of two of the capacity, in 16-byte buckets that must fit in 4 GiB. More than 2^27 (134,217,728) entries is refused with E2BIG when the loader creates the map.",
  (map: string, kind: string, entries: number, limit: number) => ({
    message: `the ${kind} map \`${map}\` has ${entries} entries; the kernel creates hash maps of at most ${limit}`,
    label: "refused when the map is created (E2BIG)",
    help: `use at most ${limit} entries, or an \`array\` map when the keys are dense integers`,
  }),
);

export const zeroSizedMapEntry = defineError(
  "E0472",
  "map key or value of zero bytes",
  "The kernel refuses to create a map whose key or value has no bytes (EINVAL), e.g. a struct without fields. A set of keys needs some value: a `u8` or `bool`.",
  (map: string, part: string, type: string) => ({
    message: `the ${part} of map \`${map}\`, \`${type}\`, has no bytes`,
    label: "the kernel refuses a zero-sized map " + part,
    help: part === "value" ? "store a `u8` (or `bool`) when only the keys matter" : "give the key at least one field",
  }),
);

export const constantDivisionByZero = defineError(
  "E0473",
  "division by a constant zero",
  "Dividing by zero is undefined in C, and clang refuses a constant zero divisor (`-Wdivision-by-zero`). (The eBPF instruction itself gives 0, but the program never gets that far.)",
  (op: string) => ({
    message: `\`${op}\` by a constant zero`,
    label: "this is always zero",
    help: "divide by a value that can be non-zero, or check the divisor first (`if (d != 0)`)",
  }),
);

export const shiftCountOutOfRange = defineError(
  "E0474",
  "constant shift count out of range",
  "A shift by the width of the shifted value or more, or by a negative count, is undefined in C (clang refuses it with `-Wshift-count-overflow`), and would shift every bit out anyway. A shift has the type of its left operand: widen that first (`(x as u64) << 40`).",
  (count: bigint, type: string, bits: number) => ({
    message: `shift by ${count} of a \`${type}\` (${bits} bits)`,
    label: count < 0n ? "a negative shift count" : `the count must be less than ${bits}`,
    help: count < 0n ? "shift the other way by a positive count" : `widen the value before shifting (e.g. \`(x as u64) << ${count}\`), or shift by less than ${bits}`,
  }),
);

// --- checks: helper calls against the kernel's prototypes (helper-calls.ts) ---

export const helperArgumentKind = defineError(
  "E0475",
  "helper argument the verifier refuses",
  "Each argument of a BPF helper has a kind the verifier checks (the `argN_type` of the helper's prototype in the kernel): a map, the program's context, a pointer to memory (which may or may not be `null`), a size that must not be zero, a kernel object such as a socket. KernelScript checks calls of known helpers, however they are declared, so the program is not refused when it is loaded.",
  (helper: string, index: number, param: string, problem: HelperArgumentProblem) => {
    const { expected, found, help } = helperArgumentText(problem);
    return { message: `argument ${index} of \`${helper}\` (\`${param}\`) must be ${expected}`, label: found, help };
  },
);

/**
 * What is wrong with a helper argument (`check/helper-calls.ts`); `expected` is the
 * kind the verifier wants as `kernel/bpf-helper-args.ts` words it.
 */
export type HelperArgumentProblem =
  | { readonly kind: "map" }
  | { readonly kind: "notCallback" }
  | { readonly kind: "sizeNotInteger" }
  | { readonly kind: "sizeTooSmall"; readonly zeroAllowed: boolean; readonly value: bigint }
  | { readonly kind: "sizeBeyondLocal"; readonly bytes: number; readonly local: string; readonly value: bigint }
  | { readonly kind: "contextNull" | "contextInteger" | "contextLocal" }
  | { readonly kind: "pointerNull"; readonly expected: string; readonly memory: boolean }
  | { readonly kind: "pointerInteger" | "pointerToLocal" | "contextAsMemory"; readonly expected: string };

function helperArgumentText(problem: HelperArgumentProblem): { expected: string; found: string; help: string } {
  const passContext = "pass the program's context parameter (`ctx`)";
  switch (problem.kind) {
    case "map":
      return {
        expected: "a map", found: "KernelScript code cannot pass a map to a helper",
        help: "use the map's own syntax (`m[k]`, `m[k] = v`, `delete m[k]`, `q.push(v)`, `rb.reserve()`): it calls the helper with the map",
      };
    case "notCallback": return { expected: "a callback function", found: "not a function", help: "pass a `@helper` function" };
    case "sizeNotInteger": return { expected: "a size", found: "not an integer", help: "pass the number of bytes, e.g. `sizeof(T)` or a constant" };
    case "sizeTooSmall":
      return {
        expected: problem.zeroAllowed ? "a size of 0 or more" : "a size of at least one byte", found: `this is ${problem.value}`,
        help: "give the number of bytes the helper may use; the kernel refuses a zero size here",
      };
    case "sizeBeyondLocal":
      return {
        expected: `at most ${problem.bytes}, the size of \`${problem.local}\``, found: `${problem.value} bytes`,
        help: `pass \`${problem.bytes}\` (or make \`${problem.local}\` larger): the helper may touch every byte given`,
      };
    case "contextNull": return { expected: "the program's context", found: "`null` is not the context", help: passContext };
    case "contextInteger": return { expected: "the program's context", found: "an integer, not the context", help: passContext };
    case "contextLocal": return { expected: "the program's context", found: "the address of a local variable", help: passContext };
    case "pointerNull":
      return {
        expected: problem.expected, found: "`null` is refused here",
        help: problem.memory ? "pass the address of a variable (`&buf`) with as many bytes as the size argument says" : "pass the pointer the kernel gave the program",
      };
    case "pointerInteger": return { expected: problem.expected, found: "an integer, not a pointer", help: "pass a pointer (`&var`)" };
    case "pointerToLocal":
      return {
        expected: problem.expected, found: "the address of a local variable",
        help: "pass the pointer the kernel gave the program (the result of the helper that made the object)",
      };
    case "contextAsMemory":
      return {
        expected: problem.expected, found: "the program's context is not memory a helper may use",
        help: "copy what is needed into a local variable and pass its address (`&buf`)",
      };
  }
}

/** How an `extern` differs from the helper's prototype; types as text, `helperTakes` the C parameter's kind. */
export type ExternHelperProblem =
  | { readonly kind: "argumentCount"; readonly fixed: number; readonly variadic: boolean; readonly declared: number }
  | { readonly kind: "parameter"; readonly index: number; readonly name: string; readonly type: string; readonly helperTakes: "pointer" | "integer"; readonly cParameter: string }
  | { readonly kind: "result"; readonly type: string; readonly helperReturns: string };

function externHelperProblemText(problem: ExternHelperProblem): string {
  switch (problem.kind) {
    case "argumentCount": {
      const takes = problem.variadic ? `${problem.fixed} to ${problem.fixed + 3}` : `${problem.fixed}`;
      return `it takes ${takes} argument${problem.fixed === 1 && !problem.variadic ? "" : "s"}, the declaration ${problem.declared}`;
    }
    case "parameter":
      return `parameter ${problem.index} \`${problem.name}\` is \`${problem.type}\`, but the helper takes ${problem.helperTakes === "pointer" ? "a pointer" : "an integer"} (\`${problem.cParameter}\`)`;
    case "result": return `it returns \`${problem.type}\`, but the helper returns \`${problem.helperReturns}\``;
  }
}

export const externHelperMismatch = defineError(
  "E0476",
  "`extern` declaration that does not match the helper",
  "An `extern` naming a BPF helper is called through the kernel's own prototype (libbpf's bpf_helper_defs.h): a declaration with a different number of parameters, or an integer where the helper takes a pointer (or the other way round), would pass arguments the helper does not expect, and C refuses the mismatch.",
  (name: string, problem: ExternHelperProblem, declaration: Signature) => ({
    message: `\`extern ${name}\` does not match the kernel's helper: ${externHelperProblemText(problem)}`,
    label: "declared differently from the helper",
    help: `declare it as the kernel does: \`${signatureText(declaration)}\``,
  }),
);

// References the verifier tracks: safety-references.ts.
export * from "./safety-references.js";
