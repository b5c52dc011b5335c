//! E03xx, continued: type errors of the language features (strings and match,
//! functions and pointers, globals and configs, packets, errors, loops, ring buffers
//! and objects, imports, exec, map events, tests), one section each; struct_ops, perf
//! events and kernel modules are in types-kernel-interfaces.ts. Re-exported by types.ts.

import { defineError, defineWarning } from "../diagnostic.js";
import { alternatives, argumentsFoundText, constantOwnerText, valueContextText, type ConstantOwner, type ValueContext, sideText, wrongSideAdviceText, type ArgumentsFound, type CodeSide, type WrongSideAdvice, listNames } from "./wording.js";
import type { Span } from "../../source.js";
import type { MapUsage, UntestableReason } from "../../types.js";
import {
  lpmKeyProblemText, mapUsageText, packetLayerProblemText, ringbufSizeProblemText, ringbufSizeSuggestion, untestableText,
  type LpmKeyProblem, type PacketLayerProblem, type RingbufSizeProblem,
} from "./types-reasons.js";

export type { LpmKeyProblem, PacketLayerProblem, RingbufSizeProblem } from "./types-reasons.js";

// --- strings-match ---

// E0340 (string literal too long) is now warning W0264 (compatibility.ts): the literal is
// stored cut, as KernelScript 0.1.1 does.

export const stringNarrowing = defineError(
  "E0341",
  "string does not fit",
  "A `str(M)` value may hold M bytes of text, so it can only be stored in a `str(N)` with N ≥ M (the same rule as integer narrowing: nothing is cut implicitly).",
  (from: string, to: string, context: ValueContext) => ({
    message: `${valueContextText(context)} expects \`${to}\`, but \`${from}\` may not fit`,
    label: `this is \`${from}\``,
    help: `use a wider type: \`${from}\` (or larger) for the destination`,
  }),
);

export const stringIntoSmallArray = defineError(
  "E0342",
  "string does not fit the byte array",
  "A `str(N)` converts to a `u8[M]`/`char[M]` array only when M ≥ N, so its text always fits.",
  (from: string, to: string) => ({
    message: `\`${from}\` does not fit in \`${to}\``,
    label: `this is \`${from}\``,
    help: `use an array of at least ${from.slice(4, -1)} bytes, or a narrower string type`,
  }),
);

export const stringOrdering = defineError(
  "E0343",
  "ordering comparison of strings",
  "Strings compare only for equality (`==`, `!=`): an ordering would need a locale and a byte-by-byte loop the verifier has to follow to the end.",
  (op: string) => ({
    message: `\`${op}\` cannot compare strings`,
    help: "compare with `==` or `!=`, or compare single characters (`s[0] < 'm'`)",
  }),
);

export const stringIndexOutOfRange = defineError(
  "E0344",
  "string index out of range",
  "A constant index into a `str(N)` must be below N.",
  (index: string, type: string, size: number) => ({
    message: `index ${index} is out of range for \`${type}\``,
    label: `valid indices are 0..${size - 1}`,
    help: `use an index below ${size}, or a wider string type`,
  }),
);

export const printConversionMismatch = defineError(
  "E0345",
  "print conversion does not fit its argument",
  "Each `%` conversion of a `print` format takes one argument of a matching kind: %d %i %u %x %X %o take integers (bools, chars, enums), %c a char or integer, %s a string, %p a pointer. eBPF programs print through bpf_trace_printk, which also rejects %o, precision (`.N`) and the `#` flag at run time, so those are compile errors there.",
  (conversion: string, problem: "octalInEbpf" | "flagsInEbpf" | { readonly wants: "string" | "pointer" | "char" | "integer"; readonly found: string }) => ({
    message: `\`${conversion}\` ${problem === "octalInEbpf" ? "is not supported by the eBPF print (bpf_trace_printk has no octal)"
      : problem === "flagsInEbpf" ? "is not supported by the eBPF print (only the flags `0 + - space` and a width are)"
      : `takes ${problem.wants === "integer" ? "an integer" : `a ${problem.wants}`}, but this argument is \`${problem.found}\``}`,
    help: "make the conversion match the argument (%d/%u/%x for integers, %c for chars, %s for strings, %p for pointers), or leave the conversion out and let print choose it",
  }),
);

export const returnInsideValueArm = defineError(
  "E0346",
  "return inside a match arm that gives a value",
  "In a `match` whose value is used, a block arm's last statement (`e` or `return e`) gives the arm's value. A `return` anywhere else in the arm would be ambiguous: does it leave the function or give the value?",
  () => ({
    message: "`return` here is not the arm's last statement, so it is ambiguous",
    label: "not the value of the arm",
    help: "make it the arm's last statement, or write `return match (…) { … }` if the arms should return from the function",
  }),
);

export const incompatibleMatchArms = defineError(
  "E0347",
  "match arms of different types",
  "The arms of a `match` used as a value must give values of one type (integers widen to the widest; strings to the longest).",
  (first: string, found: string, firstSpan: Span) => ({
    message: `this arm gives \`${found}\`, but an earlier arm gives \`${first}\``,
    label: `this is \`${found}\``,
    secondary: [{ span: firstSpan, message: `this is \`${first}\`` }],
    help: "make every arm give the same type, or declare the result type (`var x: T = match …`)",
  }),
);

export const patternMismatch = defineError(
  "E0348",
  "pattern does not fit the matched value",
  "Patterns are literals or enum constants of the matched value's type; only integers (and enums, chars), bools and strings can be matched.",
  (pattern: string, scrutinee: string) => ({
    message: pattern === "" ? `a value of type \`${scrutinee}\` cannot be matched` : `pattern \`${pattern}\` cannot match a value of type \`${scrutinee}\``,
    help: pattern === ""
      ? "match on an integer, enum, char, bool or string"
      : `use a literal or constant of type \`${scrutinee}\`, or \`default\``,
  }),
);

const armWithoutValueText = {
  noArms: "this `match` has no arms",
  emptyArm: "this match arm is empty, so it gives no value",
  returnWithoutValue: "`return` without a value gives the arm no value",
  ifVar: "an `if (var …)` cannot give a match arm's value",
  ifWithoutElse: "an `if` without `else` gives no value when its condition is false",
  statement: "this match arm ends with a statement that gives no value",
} as const;

export const matchArmWithoutValue = defineError(
  "E0349",
  "match arm without a value",
  "When a `match` gives a value, every arm must end with one: an expression, `return e`, or an `if`/`else` whose branches both end with one. A `match` needs at least one arm.",
  (why: "noArms" | "emptyArm" | "returnWithoutValue" | "ifVar" | "ifWithoutElse" | "statement") => ({
    message: armWithoutValueText[why],
    help: "end the arm with the value it gives, e.g. `{ …; result }`",
  }),
);

export const matchMissingConstants = defineWarning(
  "W0210",
  "match misses enum constants",
  "A `match` on an enum without `default` should name every constant; a value no arm names does nothing (in a statement) or gives the zero value (in an expression).",
  (type: string, missing: readonly string[]) => ({
    message: `this \`match\` on \`${type}\` does not handle ${listNames(missing, 6)}`,
    help: "add arms for them or a `default` arm",
  }),
);

export const unreachableArm = defineWarning(
  "W0211",
  "unreachable match arm",
  "Arms are tried in order: an arm after `default`, or one whose pattern an earlier arm already matches, never runs.",
  (why: { readonly kind: "afterDefault" } | { readonly kind: "sameValue" } | { readonly kind: "textTooLong"; readonly type: string }, earlier: Span | undefined) => ({
    message: `this arm is never reached: ${why.kind === "afterDefault" ? "`default` above matches every value"
      : why.kind === "sameValue" ? "an earlier arm matches the same value" : `the text is longer than \`${why.type}\` can hold`}`,
    label: "unreachable",
    secondary: earlier ? [{ span: earlier, message: "matched here first" }] : [],
    help: "remove the arm, or move it before the arm that already matches",
  }),
);

export const valueMatchWithoutDefault = defineWarning(
  "W0212",
  "match value without default",
  "A `match` used as a value without a `default` arm gives the zero value of its type when no arm matches.",
  (type: string) => ({
    message: `values no arm matches give the zero value of \`${type}\``,
    help: "add a `default` arm to say what they should give",
  }),
);

// --- functions-pointers ---

export const tailCallProgramType = defineError(
  "E0380",
  "tail call to a program of another type",
  "`return other(ctx)` inside a program becomes a tail call (`bpf_tail_call`): the kernel jumps into `other` with the same context. That only works between programs of the same type, because the context and the meaning of the return value are the type's.",
  (target: string, targetType: string, callerType: string) => ({
    message: `tail call to \`${target}\` (a ${targetType} program) from a ${callerType} program`,
    label: `\`${target}\` is a ${targetType} program`,
    help: `tail calls only go to programs of the same type; call shared code through a \`@helper\` function instead`,
  }),
);

export const tailCallArguments = defineError(
  "E0381",
  "tail call does not pass the program's context",
  "A tail call hands the running program's own context to the target; there is no way to pass other values. The one argument must be the caller's context parameter, unchanged.",
  (target: string, context: string) => ({
    message: `a tail call to \`${target}\` must pass the context \`${context}\` and nothing else`,
    help: `write \`return ${target}(${context})\`; pass other data through a map`,
  }),
);

export const tooManyParameters = defineError(
  "E0382",
  "too many parameters for an eBPF function",
  "eBPF passes function arguments in the five registers R1–R5; a program or `@helper` function can take at most five parameters.",
  (name: string, count: number) => ({
    message: `\`${name}\` takes ${count} parameters; eBPF functions take at most 5`,
    help: "group related parameters into a struct and pass a pointer to it",
  }),
);

export const functionValueMismatch = defineError(
  "E0383",
  "function value does not match the function type",
  "A function stored in a function-typed variable, field or parameter must take exactly the parameter types and return the type the function type names.",
  (name: string | undefined, found: string, expected: string) => ({
    message: `${name === undefined ? "this value" : `\`${name}\``} has type \`${found}\`, which does not match \`${expected}\``,
    help: "use a function whose parameter and return types match exactly, or change the function type",
  }),
);

// --- globals-config ---

export const globalInitNotConstant = defineError(
  "E0365",
  "global initializer is not a constant",
  "Globals and config defaults are stored in the eBPF object file before any code runs, so their initial values must be constants: literals (possibly negated), `true`/`false`, enum constants, and array or struct literals of those.",
  (what: ConstantOwner) => ({
    message: `the initial value of ${constantOwnerText(what)} must be a constant`,
    label: "not a constant",
    help: "use a literal here and compute the value in `main` or in the program instead",
  }),
);

export const configWriteInKernel = defineError(
  "E0366",
  "config written in eBPF code",
  "Config fields are settings that user space controls: eBPF programs read them, only user-space code may change them. For a value that programs update, use a global (`var`) or a map.",
  (config: string, field: string) => ({
    message: `config field \`${config}.${field}\` cannot be assigned in eBPF code`,
    label: "written in an eBPF function",
    help: `set \`${config}.${field}\` from user space (e.g. in \`main\`), or use a global \`var\` for state the program changes`,
  }),
);

export const unsupportedConfigFieldType = defineError(
  "E0367",
  "unsupported config field type",
  "Config fields are integers, bools, chars, enums, or fixed-size arrays of those: values user space can fill in and eBPF code can read without further checks.",
  (field: string, type: string) => ({
    message: `config field \`${field}\` has type \`${type}\`, which a config block cannot hold`,
    label: "unsupported type",
    help: "use an integer, bool, char, enum or an array of those (e.g. `u16[4]`)",
  }),
);

export const unsupportedGlobalType = defineError(
  "E0368",
  "type cannot be a global",
  "Globals live in the eBPF object's data sections and are shared with user space through the skeleton: they hold integers, bools, chars, enums, and arrays and structs of those. Pointers would point into one address space only.",
  (name: string, type: string) => ({
    message: `global \`${name}\` cannot have type \`${type}\``,
    label: "not a storable value type",
    help: "store an integer, bool, enum, or an array/struct of those; keep pointers in locals",
  }),
);

export const argsFieldType = defineError(
  "E0369",
  "unsupported command-line argument type",
  "`fn main(args: Args)` gets a generated command-line parser with one `--field` option per field of `Args`. It can parse integers (range-checked; a `u64` also takes a duration such as `250ms`), bools (flags without a value), `str(N)` (length-checked), IPv4/IPv6 addresses (`u8[4]`/`u8[16]`), MAC addresses (`u8[6]`), prefixes (an LPM-trie key struct `{ prefixlen: u32, addr: u8[4] }` or `u8[16]`) and arrays of those (a repeated option; a field `NAME_count` receives how many were given).",
  (struct: string, field: string, type: string) => ({
    message: `field \`${field}\` of \`${struct}\` has type \`${type}\`, which cannot be parsed from the command line`,
    label: "unsupported option type",
    help: "use an integer type, `bool` (a flag), `str(N)`, `u8[4]`/`u8[16]` (an IP address), `u8[6]` (a MAC address), an LPM-trie key struct (a prefix), or an array of one of these (a repeated option)",
  }),
);

export const arrayLiteralTooLong = defineError(
  "E0370",
  "array literal too long",
  "An array literal may have at most as many elements as the array it initialises; missing elements are zero (a single element fills the whole array).",
  (count: number, type: string) => ({
    message: `${count} elements do not fit in \`${type}\``,
    label: "too many elements",
    help: "remove elements or make the array longer",
  }),
);

// --- packets ---

export const headerBindingType = defineError(
  "E0375",
  "header binding needs a pointer type",
  "`if (var h: *T = ctx.header(offset))` proves that `sizeof(T)` bytes at `offset` lie inside the packet, so the binding must say which `T`: a pointer to a header struct (`*ethhdr`, `*iphdr`, a struct of your own) or to an integer.",
  (found: { readonly type: string } | "untyped") => ({
    message: `the binding of \`ctx.header(…)\` must be declared as a pointer to a header struct or an integer, ${found === "untyped" ? "but it has no type" : `found \`${found.type}\``}`,
    help: "write the header type on the binding, e.g. `if (var eth: *ethhdr = ctx.header(0)) { … }`",
  }),
);

/** Where network and host order meet: an operator, a checker context (`the value of x`), a cast, a header offset. */
export type ByteOrderPlace = { readonly operator: string } | { readonly context: ValueContext } | "cast" | "headerOffset";

function byteOrderPlaceText(where: ByteOrderPlace): string {
  if (where === "cast") return "`as`";
  if (where === "headerOffset") return "the header offset";
  return "operator" in where ? `\`${where.operator}\`` : valueContextText(where.context);
}

/** A value's byte order: its type as text, an integer literal, or (expected) a host-order integer. */
export type ByteOrderValue = { readonly type: string } | "literal" | "hostInteger";

function byteOrderValueText(value: ByteOrderValue): string {
  return value === "literal" ? "`integer literal`" : value === "hostInteger" ? "a host-order integer" : `\`${value.type}\``;
}

/** How to convert (`ntoh`/`hton` are the conversions of the width at hand: `ntohs`, `htonl`…). */
export type ByteOrderFix =
  | { readonly kind: "bothToHost" | "expectedType" }
  | { readonly kind: "literalToNetwork" | "literalIsHost"; readonly hton: string; readonly value: bigint }
  | { readonly kind: "eitherSide"; readonly ntoh: string; readonly hton: string }
  | { readonly kind: "toHost" | "toNetwork" | "convert" | "castConverts"; readonly fn: string }
  | { readonly kind: "alreadyInOrder"; readonly order: "network" | "host"; readonly other: string }
  | { readonly kind: "useConversion"; readonly fn: string; readonly type: string };

function byteOrderFixText(fix: ByteOrderFix): string {
  switch (fix.kind) {
    case "bothToHost": return "convert both sides to host order (`ntohs`/`ntohl`) and compare those";
    case "expectedType": return "use a value of the expected type";
    case "literalToNetwork": return `write the constant in network order: \`${fix.hton}(${fix.value})\` (folded at compile time)`;
    case "literalIsHost":
      return `a literal is already in host order: use it directly, or \`${fix.hton}(${fix.value})\` to compare with a network-order value`;
    case "eitherSide": return `convert the network-order side to host order with \`${fix.ntoh}(…)\`, or this side to network order with \`${fix.hton}(…)\``;
    case "toHost": return `convert it to host order: \`${fix.fn}(…)\``;
    case "toNetwork": return `convert it to network order: \`${fix.fn}(…)\``;
    case "convert": return `convert it: \`${fix.fn}(…)\``;
    case "castConverts": return `\`as\` keeps the bytes as they are; convert with \`${fix.fn}(…)\` instead`;
    case "alreadyInOrder":
      return `the value is already in ${fix.order} order: use it directly (or \`${fix.other}\` to convert it to ${fix.order === "network" ? "host" : "network"} order)`;
    case "useConversion": return `use \`${fix.fn}\` for a \`${fix.type}\``;
  }
}

export const byteOrderMix = defineError(
  "E0376",
  "network and host byte order mixed",
  "Packet header fields are big-endian (`be16`, `be32`); host integers are little-endian on this machine. Mixing them silently compares or stores swapped bytes, so the conversion must be written: `ntohs`/`ntohl` to host order, `htons`/`htonl` to network order (free for constants: folded at compile time).",
  (where: ByteOrderPlace, found: ByteOrderValue, expected: ByteOrderValue, fix: ByteOrderFix) => ({
    message: `${byteOrderPlaceText(where)} mixes ${byteOrderValueText(found)} with ${byteOrderValueText(expected)}`,
    label: `this is ${byteOrderValueText(found)}`,
    help: byteOrderFixText(fix),
  }),
);

export const byteOrderArgument = defineError(
  "E0377",
  "wrong byte order for a conversion",
  "`ntohs`/`ntohl` take a network-order value (`be16`/`be32`) and return host order; `htons`/`htonl` take a host-order value (`u16`/`u32`, or a literal) and return network order. Converting a value that already has the target order swaps it back.",
  (fn: string, expected: string, found: ByteOrderValue, fix: ByteOrderFix) => ({
    message: `\`${fn}\` expects \`${expected}\`, found ${byteOrderValueText(found)}`,
    label: `this is ${byteOrderValueText(found)}`,
    help: byteOrderFixText(fix),
  }),
);

export const networkOrderArithmetic = defineError(
  "E0378",
  "arithmetic on a network-order integer",
  "Arithmetic, ordering comparisons and shifts on a big-endian value operate on swapped bytes. Only `==`, `!=`, `&`, `|`, `^` (which do not depend on byte order) are allowed on `be16`/`be32`; convert to host order for anything else.",
  (op: string, type: string, convert: string) => ({
    message: `\`${op}\` on network-order \`${type}\` works on swapped bytes`,
    help: `convert to host order first: \`${convert}(x)\` (and back with \`${convert === "ntohs" ? "htons" : "htonl"}\` to store it)`,
  }),
);

// --- errors-returns ---

export const throwNeedsInteger = defineError(
  "E0350",
  "throw needs an integer",
  "`throw` raises an error code: an integer (or enum) value. Catch clauses match it against integer literals.",
  (found: string) => ({
    message: `\`throw\` needs an integer error code, found \`${found}\``,
    label: `this is \`${found}\``,
    help: "throw a number such as `throw 2`, or an enum constant naming the error",
  }),
);

export const unreachableCatch = defineError(
  "E0351",
  "catch clause can never run",
  "Catch clauses are tried in order and the first that matches runs. A clause after `catch _`, or one repeating an earlier pattern, can never be reached.",
  (pattern: string, previous: Span) => ({
    message: `\`catch ${pattern}\` can never run`,
    label: "unreachable clause",
    secondary: [{ span: previous, message: "every error it would catch is caught here first" }],
    help: "remove it, or move it before the clause that catches its errors",
  }),
);

export const deferNeedsCall = defineError(
  "E0352",
  "defer needs a call",
  "`defer` schedules a call to run when the function returns (on every path: `return`, `throw` or the end of the body). Its arguments are evaluated at the `defer` statement, the call itself at exit.",
  () => ({
    message: "`defer` needs a function call",
    label: "not a call",
    help: "write `defer release(key)` or `defer print(\"done\")`",
  }),
);

export const deferredCallThrows = defineError(
  "E0353",
  "deferred call may throw",
  "Deferred calls run while the function is already leaving, possibly because of an error; an error thrown by one of them would replace or hide that error, so they must not throw.",
  (name: string) => ({
    message: `the deferred call to \`${name}\` may throw`,
    label: "may throw",
    help: `catch the error inside \`${name}\` (wrap its body in \`try { … } catch _ { … }\`), or call it without \`defer\``,
  }),
);

export const namedResultWithoutType = defineError(
  "E0354",
  "named result without a value type",
  "A named result (`-> r: u64`) is a variable holding the value to return, so it needs a type other than `void`.",
  (name: string) => ({
    message: `the named result \`${name}\` has type \`void\``,
    help: `give it a value type (\`-> ${name}: u32\`) or drop the name (\`-> void\`)`,
  }),
);

// --- loops ---

export const assignToLoopVariable = defineError(
  "E0360",
  "assignment to a loop variable",
  "The variable of `for (i in a..b)` and the bindings of `for (k, v) in m` take their values from the loop. Changing them would mean different things in a C loop and in a `bpf_loop()` callback, so they are read-only.",
  (name: string, declared: Span) => ({
    message: `cannot assign to loop variable \`${name}\``,
    secondary: [{ span: declared, message: "bound by the loop here" }],
    help: "copy it into a `var` first if you need a changing value, or use a `while` loop",
  }),
);

export const notIterable = defineError(
  "E0361",
  "not an iterable map",
  "`for (k, v) in m` walks the entries of a key/value map (hash, array, per-CPU and LRU variants). Other values and map kinds (ring buffers, queues, program arrays, LPM tries in eBPF) have no entries to walk.",
  (found: { readonly mapKind: string; readonly side: "kernel" | "user" } | { readonly type: string }, iterable: readonly string[]) => ({
    message: `cannot iterate over ${"mapKind" in found ? `a \`${found.mapKind}\` map${found.side === "kernel" ? " in eBPF code" : ""}` : `a value of type \`${found.type}\``}`,
    label: "not an iterable map",
    help: `iterate over a ${alternatives(iterable)} map, or use \`for (i in a..b)\` for a range`,
  }),
);

// --- ringbuf-objects ---

export const ringbufValueType = defineError(
  "E0390",
  "ring buffer record type must be a struct",
  "A ring buffer carries records of one struct type declared in the file: eBPF code reserves one record at a time and user space decodes it with the same layout.",
  (found: string | { readonly typeArguments: number }) => typeof found !== "string" ? {
    message: `a ring buffer takes one type argument, the record struct; found ${found.typeArguments}`,
    help: "write `ringbuf<Event>(4096)` with a struct of this file",
  } : ({
    message: `a ring buffer's record type must be a struct declared in this file, found \`${found}\``,
    label: `\`${found}\` is not a struct of this file`,
    help: `wrap the data in a struct, e.g. \`struct Event { value: ${found} }\` and \`ringbuf<Event>(4096)\``,
  }),
);

export const ringbufSize = defineError(
  "E0391",
  "invalid ring buffer size",
  "The kernel only creates ring buffers whose size in bytes is a power of two and a multiple of the page size (4096 here); the compiler also requires that one record fits and caps the size at 1 GiB, because the loader maps the data area twice into its address space.",
  (found: string, problem: RingbufSizeProblem) => ({
    message: `invalid ring buffer size ${found}: ${ringbufSizeProblemText(problem)}`,
    label: ringbufSizeProblemText(problem),
    help: `use ${ringbufSizeSuggestion(problem)}`,
  }),
);

/** What a ring-buffer or map method takes (`check/ringbuf.ts`, `check/map-kinds.ts`); types as text. */
export type OperationArguments =
  | { readonly kind: "none" | "oneValue" | "oneRecord" | "contextAndRecord" | "contextFirst" | "keyAndCpu" | "stackId" | "stackIdAndPid" | "programContext" | "objectPointer" | "objectAndValue" }
  | { readonly kind: "slotAndPath" | "slot" | "contextAndSlot" }
  | { readonly kind: "oneOwner"; readonly owner: string }
  | { readonly kind: "recordOrPointer"; readonly record: string }
  | { readonly kind: "reservedRecord"; readonly record: string; readonly ringbuf: string }
  | { readonly kind: "handler"; readonly signature: string };

function operationArgumentsText(expected: OperationArguments): string {
  switch (expected.kind) {
    case "none": return "no arguments";
    case "oneValue": return "one value";
    case "oneRecord": return "one record";
    case "contextAndRecord": return "the program's context and one record";
    case "contextFirst": return "the program's context pointer first";
    case "keyAndCpu": return "a key and a CPU number";
    case "oneOwner": return `one \`${expected.owner}\` (the value's owner)`;
    case "stackId": case "stackIdAndPid": return `a stack id (\`i64\`)${expected.kind === "stackIdAndPid" ? " and the pid that recorded it (`u32`)" : ""}`;
    case "programContext": return "the program's context pointer";
    case "objectPointer": case "objectAndValue": return `a pointer to the kernel object (an \`inode\`)${expected.kind === "objectAndValue" ? " and a value" : ""}`;
    case "slotAndPath": return "a slot (`u32`) and the path of a cgroup v2 directory (a string)";
    case "slot": return "a slot (`u32`)";
    case "contextAndSlot": return "the program's context pointer and a slot (`u32`)";
    case "recordOrPointer": return `a \`${expected.record}\` record (or a pointer to one)`;
    case "reservedRecord": return `one record \`${expected.record}\` reserved from \`${expected.ringbuf}\``;
    case "handler": return `a user-space function \`${expected.signature}\``;
  }
}

export const mapOperationArguments = defineError(
  "E0392",
  "wrong arguments to a map or ring buffer operation",
  "Each operation of a map kind takes fixed arguments: a ring buffer's `reserve()` takes nothing and `submit(e)`/`discard(e)` a record reserved from the same ring buffer; `on_event(handler)` takes a user-space function; storage maps take the value's owner, stack maps the program's context, cgroup arrays a slot. `docs/language/maps-events.md` lists every kind's operations.",
  (operation: string, expected: OperationArguments, found: ArgumentsFound) => ({
    message: `\`${operation}\` expects ${operationArgumentsText(expected)}, found ${argumentsFoundText(found)}`,
    help: operationArgumentsHelp(operation, expected),
  }),
);

/** How to call `operation` (`events.submit(e)`, `counts.get(owner)`) with what it expects. */
function operationArgumentsHelp(operation: string, expected: OperationArguments): string {
  switch (expected.kind) {
    case "reservedRecord": return "write `if (var e = events.reserve()) { e.field = …; events.submit(e) }`";
    case "handler": return `declare the handler as \`${expected.signature}\` and pass its name`;
    case "none": return `call it without arguments: \`${operation.replace(/\(.*\)$/, "")}()\``;
    default: return `pass ${operationArgumentsText(expected)}`;
  }
}

export const ringbufWrongSide = defineError(
  "E0393",
  "ring buffer operation on the wrong side",
  "Records are reserved, submitted and discarded by eBPF code in the kernel; user space consumes them with handlers (`on_event`) and `dispatch`. Each operation exists on one side only.",
  (operation: string, side: CodeSide, instead: WrongSideAdvice) => ({
    message: `\`${operation}\` cannot be used in ${sideText(side)}`,
    label: `not available in ${sideText(side)}`,
    help: wrongSideAdviceText(instead),
  }),
);

export const eventHandlerSignature = defineError(
  "E0394",
  "wrong event handler signature",
  "A ring buffer's event handler is called by the loader for each record with a pointer to it; it returns 0 to keep going (any other value stops `dispatch`, which returns it).",
  (name: string, expected: string, found: string) => ({
    message: `event handler \`${name}\` must have the signature \`${expected}\`, found \`${found}\``,
    help: `declare it as \`${expected.replace("fn(", `fn ${name}(`)}\``,
  }),
);

export const dispatchArguments = defineError(
  "E0395",
  "dispatch needs ring buffers",
  "`dispatch(rb1, rb2, …)` polls the given ring buffers and calls their handlers until SIGINT/SIGTERM or a handler returns non-zero.",
  (found: { readonly kind: "none" } | { readonly kind: "map"; readonly mapKind: string; readonly name: string } | { readonly kind: "type"; readonly type: string }) => ({
    message: `\`dispatch\` takes one or more ring buffers, found ${found.kind === "none" ? "no arguments" : found.kind === "map" ? `the ${found.mapKind} map \`${found.name}\`` : `\`${found.type}\``}`,
    help: "pass the ring buffer variables themselves: `dispatch(events)`",
  }),
);

export const newTypeNotStruct = defineError(
  "E0396",
  "`new` needs a struct type",
  "`new T()` allocates one zeroed object of a struct type declared in the file (in eBPF through the kernel's `bpf_obj_new`, which only allocates structs of the program's own BTF).",
  (found: string) => ({
    message: `\`new\` allocates structs declared in this file, found \`${found}\``,
    label: `\`${found}\` is not a struct of this file`,
    help: "declare a struct holding the value and allocate that, or use a local variable",
  }),
);

export const allocationFlagOutsideKfunc = defineError(
  "E0397",
  "allocation flag outside a kfunc",
  "`new T(GFP_ATOMIC)` / `new T(GFP_KERNEL)` choose how kernel-module code (`@kfunc`) allocates. eBPF programs allocate with `bpf_obj_new` and user space with `calloc`; neither takes flags.",
  (side: CodeSide) => ({
    message: `allocation flags can only be given in \`@kfunc\` functions, not in ${sideText(side)}`,
    label: "flag not allowed here",
    help: "write `new T()` without the flag",
  }),
);

// --- maps-events ---

export const lpmTrieKey = defineError(
  "E0398",
  "invalid LPM trie key",
  "The kernel's longest-prefix-match trie reads its key as a 32-bit prefix length (in bits) followed by the address bytes it matches on, with nothing else and no padding.",
  (found: string, problem: LpmKeyProblem) => ({
    message: `an \`lpm_trie\` key must be a struct \`{ prefixlen: u32, <address bytes> }\`, but \`${found}\` ${lpmKeyProblemText(problem)}`,
    label: "not an LPM key",
    help: "declare e.g. `struct Ipv4Key { prefixlen: u32, addr: be32 }` (IPv6: `addr: u8[16]`) and use it as the key",
  }),
);

export const mapOperationForKind = defineError(
  "E0399",
  "operation not available on this map kind",
  "Queues and stacks have no keys (push, pop and peek instead of `m[k]`), perf event arrays only carry records (`output`), and some operations exist only for particular kinds.",
  // `usage`: how the kind is used instead, from its row of kernel/map-kinds.ts.
  (map: string, kind: string, usage: MapUsage | undefined) => ({
    message: `indexing (\`${map}[…]\`) is not available on a \`${kind}\` map`,
    label: `not for a ${kind}`,
    help: usage === undefined ? "" : mapUsageText(usage, map),
  }),
);

const mapTypeArgumentsText = {
  keyAndValue: "two type arguments (key and value)",
  recordStruct: "one type argument (the record struct)",
  value: "one type argument (the value)",
  structRecordType: "a struct record type",
  valueType: "an integer, enum, bool or struct value",
  none: "no type arguments, only a size",
} as const;

export const mapKindTypeArguments = defineError(
  "E0300",
  "wrong type arguments for a map kind",
  "Each map kind takes a fixed number of type arguments: `queue<T>`, `stack<T>` and `perf_event_array<T>` one (the value or record), `lpm_trie<K, V>` two.",
  (kind: string, expected: "keyAndValue" | "recordStruct" | "value" | "structRecordType" | "valueType" | "none", found: { readonly count: number } | { readonly type: string }) => ({
    message: `\`${kind}\` takes ${mapTypeArgumentsText[expected]}, found ${"count" in found ? found.count : `\`${found.type}\``}`,
    label: "wrong type arguments",
    help: kind.includes("perf") ? "write `var events : perf_event_array<MyRecord>` with a struct record type"
      : kind.includes("lpm") || kind.includes("Lpm") ? "write `var routes : lpm_trie<Ipv4Key, u32>(1024)`"
      : expected === "none" ? `write \`var m : ${kind}(1024)\``
      : `write \`var q : ${kind}<u32>(64)\``,
  }),
);

// --- testing ---

export const notTestRunnable = defineError(
  "E0384",
  "program type cannot be test-run",
  "`test()` and `test_run()` run a program with the kernel's BPF_PROG_TEST_RUN, which exists for XDP and TC (`sched_cls`) programs here; other program types must be tested by attaching them (the loader) instead.",
  (program: string, type: string, why: UntestableReason) => ({
    message: `\`${program}\` is a ${type} program, which cannot be test-run`,
    label: "not test-runnable",
    notes: [untestableText[why]],
    help: "test XDP and TC programs with `test()`; for this program, attach it with its loader and read its maps",
  }),
);

export const testNeedsProgram = defineError(
  "E0385",
  "test() needs a program and a TestRun",
  "`test(prog, run)` and `test_run(prog, run)` take the name of an eBPF program of this file and a `TestRun` struct (its fields may be omitted).",
  (builtin: string, found: { readonly count: number } | { readonly type: string }) => ({
    message: `\`${builtin}()\` expects ${"count" in found
      ? `2 arguments (a program and a \`TestRun\`), not ${found.count}` : `an eBPF program of this file as its first argument, not \`${found.type}\``}`,
    label: "wrong argument",
    help: `write \`${builtin}(my_program, TestRun { packet: eth_packet().ipv4().udp() })\``,
  }),
);

/** What is wrong with a test packet builder call (`check/testing.ts`); `header` is the kernel struct a layer takes. */
export type PacketBuilderProblem =
  | { readonly kind: "notAPacket"; readonly method: string; readonly type: string }
  | { readonly kind: "ethArguments"; readonly count: number }
  | { readonly kind: "headerArguments"; readonly method: string; readonly header: string; readonly count: number }
  | { readonly kind: "payloadArguments"; readonly method: string; readonly count: number };

function packetBuilderText(problem: PacketBuilderProblem): { message: string; help: string } {
  switch (problem.kind) {
    case "notAPacket":
      return { message: `\`.${problem.method}()\` builds a test packet, but this is \`${problem.type}\``, help: "start a packet with `eth_packet()`" };
    case "ethArguments":
      return {
        message: `\`eth_packet()\` takes at most one argument (an \`ethhdr\`), not ${problem.count}`,
        help: "write `eth_packet()` or `eth_packet(ethhdr { h_proto: htons(ETH_P_IP) })`",
      };
    case "headerArguments":
      return {
        message: `\`.${problem.method}()\` takes at most one argument (a \`${problem.header}\`), not ${problem.count}`,
        help: `write \`.${problem.method}()\` or \`.${problem.method}(${problem.header} { … })\` with the fields to set`,
      };
    case "payloadArguments":
      return { message: `\`.${problem.method}()\` takes one argument (a byte count), not ${problem.count}`, help: `write \`.${problem.method}(64)\`` };
  }
}

export const badPacketBuilder = defineError(
  "E0386",
  "bad packet builder call",
  "Packets are built from `eth_packet()` with the methods `ipv4`, `ipv6`, `tcp`, `udp`, `icmp`, `icmp6` (each optionally taking its header struct, whose omitted fields are filled in), `payload(N)` and `pad_to(N)`.",
  (problem: PacketBuilderProblem) => ({
    ...packetBuilderText(problem),
    label: "packet builder",
  }),
);

export const packetLayerOrder = defineError(
  "E0387",
  "packet layers out of order",
  "A built packet is Ethernet, then at most one network header (IPv4 or IPv6), then at most one transport header that fits it, then payload; any other order would not be a frame the program could parse.",
  (method: string, why: PacketLayerProblem) => ({
    message: `\`.${method}()\` cannot come here: ${packetLayerProblemText(why)}`,
    label: "out of order",
    help: "build in wire order: `eth_packet().ipv4().udp().payload(32)`",
  }),
);

export const contextFieldForType = defineError(
  "E0388",
  "TestRun field not in this program's context",
  "`TestRun` fields fill what the program's test run takes: `packet` and `repeat` for XDP, TC and netfilter; `ingress_ifindex` and `rx_queue_index` exist in `xdp_md`; `ingress_ifindex`, `ifindex`, `mark` and `priority` in `__sk_buff` (TC); `args` are a raw tracepoint's arguments (which take no packet and run once). The kernel rejects a run with other fields set.",
  (field: string, program: string, type: string, allowed: string) => ({
    message: `\`${field}\` is not part of the ${type} test run of \`${program}\``,
    label: "not in this context",
    help: `remove it; the ${type} fields a test can set are ${allowed}`,
  }),
);

export const assertArguments = defineError(
  "E0389",
  "bad assert() arguments",
  "`assert(condition)` or `assert(condition, \"message\")`: the condition is a bool (or integer/pointer, true when non-zero) and the message a string literal.",
  (why: { readonly count: number } | "messageNotLiteral") => ({
    message: `\`assert()\` ${why === "messageNotLiteral" ? "takes its message as a string literal" : `takes a condition and an optional message, not ${why.count} arguments`}`,
    label: "here",
    help: "write `assert(r.retval == XDP_DROP, \"big frames are dropped\")`",
  }),
);

// --- maps: an update's value (check/compound-values.ts) ---

/** Why `(target op= value)` cannot be used as a value here. */
export type CompoundValueProblem =
  | { readonly kind: "operator"; readonly op: string }
  | { readonly kind: "target" }
  | { readonly kind: "narrowAtomic"; readonly map: string; readonly type: string }
  | { readonly kind: "inMatch" }
  | { readonly kind: "evaluatedBefore"; readonly what: "call" | "sameMap"; readonly map: string; readonly span: Span };

export const compoundValue = defineError(
  "E1300",
  "this update cannot give its value here",
  "`(m[k] += v)` and `(m[k] -= v)` update a map entry and give its value after the update: in eBPF one lookup and, on a shared map, one atomic fetch-and-add, so each CPU sees the value its own update made (`if ((counts[src] += 1) > limit)`). The form exists for map entries of 64-bit (or per-CPU) integers: a 32-bit atomic add cannot return a value with the eBPF instructions clang 14 emits. The update runs before the rest of its statement, so nothing evaluated before it in that statement may call a function or use the same map, and it cannot be inside a `match`, whose arms run only when chosen.",
  (problem: CompoundValueProblem) => {
    switch (problem.kind) {
      case "operator":
        return { message: `\`${problem.op}\` has no value`, label: "only `+=` and `-=` give a value", help: "write the update as a statement, then read the entry" };
      case "target":
        return { message: "only a map entry's update gives a value", label: "not a map entry", help: "write the update as a statement, then read the variable" };
      case "narrowAtomic":
        return {
          message: `an atomic update of a \`${problem.type}\` in \`${problem.map}\` cannot give its value`,
          label: "32-bit atomic adds return no value here",
          help: "make the map's values `u64` (or use a per-CPU map), or write the update as a statement and read the entry after it",
        };
      case "inMatch":
        return { message: "an update inside a `match` cannot give its value", label: "inside a `match`", help: "update before the `match` into a `var`, and match on that" };
      case "evaluatedBefore":
        return {
          message: problem.what === "call"
            ? "this update runs before the rest of its statement, but a call comes before it"
            : `this update runs before the rest of its statement, but \`${problem.map}\` is used before it`,
          label: "runs first",
          secondary: [{ span: problem.span, message: problem.what === "call" ? "this call would run after the update" : "this use would see the update" }],
          help: "update in a statement of its own before this one (`var n = (m[k] += 1)`), or move the update first",
        };
    }
  },
);
