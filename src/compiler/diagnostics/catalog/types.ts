//! E03xx: type errors.

import { defineError } from "../diagnostic.js";
import type { Span } from "../../source.js";
import type { TargetShape } from "../../types.js";
import { alternatives, valueContextText, type ValueContext } from "./wording.js";

const maybe = (suggestion: string | undefined, otherwise: string): { help: string } => ({
  help: suggestion ? `did you mean \`${suggestion}\`?` : otherwise,
});

export const typeMismatch = defineError(
  "E0301",
  "mismatched types",
  "A value of one type is used where another is expected.",
  (expected: string | "typedValue", found: string, context: ValueContext) => ({
    message: `mismatched types: ${valueContextText(context)} expects \`${expected === "typedValue" ? "a typed value" : expected}\`, found \`${found}\``,
    label: `this is \`${found}\``,
    help: `convert the value to \`${expected === "typedValue" ? "a typed value" : expected}\` or change the declared type`,
  }),
);

// E0302 (implicit narrowing) is now warning W0260 (compatibility.ts): KernelScript 0.1.1
// narrows implicitly.

export const mixedSignedness = defineError(
  "E0303",
  "mixed signed and unsigned operands",
  "Mixing a signed and an unsigned integer of the same or larger width has no safe common type.",
  (op: string, left: string, right: string) => ({
    message: `\`${op}\` between \`${left}\` and \`${right}\` has no common type`,
    help: "convert one operand with `as` so both have the same signedness",
  }),
);

export const literalOutOfRange = defineError(
  "E0304",
  "literal out of range",
  "An integer literal does not fit the type of the other operand of an operator, or of the value a `match` pattern is compared with: truncating it would change what compares equal, so it is an error. (A literal stored into a variable, field or argument too small for it is kept truncated with warning W0261.)",
  (value: string, type: string, min: string, max: string) => ({
    message: `literal \`${value}\` does not fit in \`${type}\``,
    label: `\`${type}\` holds ${min}..=${max}`,
    help: "use a wider type",
  }),
);

export const invalidOperands = defineError(
  "E0305",
  "invalid operands",
  "The operator is not defined for these operand types.",
  (op: string, left: string, right: string) => ({
    message: `\`${op}\` cannot be applied to \`${left}\` and \`${right}\``,
    help: "arithmetic and bitwise operators take integers; `&&`/`||` take bools; pointers allow `ptr ± int` and `ptr - ptr`",
  }),
);

export const invalidCondition = defineError(
  "E0306",
  "invalid condition",
  "Conditions take a bool, an integer (non-zero is true) or a pointer (non-null is true).",
  (found: string) => ({
    message: `\`${found}\` cannot be used as a condition`,
    help: "compare it explicitly, e.g. `x != 0`",
  }),
);

export const unknownField = defineError(
  "E0307",
  "unknown field",
  "The struct has no field with this name.",
  (type: string, field: string, suggestion: string | undefined, fields: string) => ({
    message: `\`${type}\` has no field \`${field}\``,
    label: "unknown field",
    notes: [`available fields: ${fields}`],
    ...maybe(suggestion, "check the struct declaration"),
  }),
);

export const fieldOnNonStruct = defineError(
  "E0308",
  "field access on a non-struct",
  "`.` and `->` select fields of structs (or of pointers to structs).",
  (type: string) => ({
    message: `\`${type}\` has no fields`,
    help: "only structs and pointers to structs have fields",
  }),
);

export const notIndexable = defineError(
  "E0309",
  "not indexable",
  "Only maps, arrays and strings can be indexed.",
  (type: string) => ({
    message: `\`${type}\` cannot be indexed`,
    help: "index a map (`m[key]`), an array or a string",
  }),
);

export const wrongArgumentCount = defineError(
  "E0310",
  "wrong number of arguments",
  "A call passes a different number of arguments than the function declares.",
  (name: string | undefined, expected: number, found: number, declared: Span | undefined) => ({
    message: `${name === undefined ? "this function value" : `\`${name}\``} takes ${expected} argument${expected === 1 ? "" : "s"} but ${found} ${found === 1 ? "was" : "were"} given`,
    ...(declared ? { secondary: [{ span: declared, message: "declared here" }] } : {}),
    help: "pass exactly the declared parameters",
  }),
);

export const notCallable = defineError(
  "E0311",
  "not callable",
  "Only functions and function pointers can be called.",
  (what: { readonly type: string } | { readonly config: string } | "structOps") => ({
    message: `\`${what === "structOps" ? "struct_ops impl" : "config" in what ? `config ${what.config}` : what.type}\` is not a function`,
    help: "call a declared function or a value of function type",
  }),
);

export const voidInExpression = defineError(
  "E0312",
  "void value used",
  "A function without a return value was used where a value is needed.",
  (name: string | undefined) => ({
    message: `\`${name ?? "this call"}\` returns nothing, so its result cannot be used`,
    help: "call it as a statement of its own",
  }),
);

export const returnValueFromVoid = defineError(
  "E0313",
  "return value in a void function",
  "A function declared `-> void` cannot return a value.",
  (name: string) => ({
    message: `\`${name}\` returns \`void\`, but a value is returned here`,
    help: "remove the value, or declare a return type",
  }),
);

export const missingReturnValue = defineError(
  "E0314",
  "missing return value",
  "A function with a return type must return a value on every `return`.",
  (name: string, type: string) => ({
    message: `\`${name}\` must return a \`${type}\``,
    help: `write \`return <${type} value>\``,
  }),
);

/**
 * The signature a program should have: the program-type table's (`written`, with the
 * name filled in), one built from the kernel's prototype, or a system call probe's.
 */
export type ExpectedSignature =
  | { readonly kind: "written"; readonly text: string }
  | { readonly kind: "function"; readonly name: string; readonly params: readonly { readonly name: string; readonly type: string }[] }
  | { readonly kind: "syscall"; readonly name: string; readonly syscall: string };

function expectedSignatureText(expected: ExpectedSignature): string {
  switch (expected.kind) {
    case "written": return expected.text;
    case "function": return `fn ${expected.name}(${expected.params.map((p) => `${p.name}: ${p.type}`).join(", ")}) -> i32`;
    case "syscall": return `fn ${expected.name}(AT MOST 5 ARGUMENTS OF sys_${expected.syscall}, INTEGERS OR POINTERS) -> i32`;
  }
}

/** What is wrong with a program's signature (`check/declarations.ts`, `probe-signature.ts`, `tp-btf.ts`); types as text. */
export type SignatureProblem =
  | { readonly kind: "returnType"; readonly type: string; readonly valueIgnoredBy?: "probe" | "tracepoint" }
  | { readonly kind: "contextCount"; readonly count: number }
  | { readonly kind: "contextType"; readonly struct: string | undefined }
  | { readonly kind: "offsetProbeArguments" }
  | { readonly kind: "tooManyParameters"; readonly count: number; readonly limit: number; readonly reader: "kprobe" | "probe" | "syscallProbe" | "rawTracepoint" }
  | { readonly kind: "moreThanTheKernelPasses"; readonly target: string; readonly passed: number; readonly count: number; readonly target_kind: "function" | "event" }
  | { readonly kind: "parameterType"; readonly index: number; readonly name: string; readonly type: string; readonly passed: string; readonly passedName?: string; readonly by: "kernel" | "tracepoint" }
  | { readonly kind: "syscallParameter"; readonly index: number; readonly name: string; readonly type: string }
  | { readonly kind: "rawTracepointParameter"; readonly index: number; readonly name: string; readonly type: string; readonly kernelType: string | undefined };

const readers = { kprobe: "a kprobe", probe: "a probe", syscallProbe: "a system call probe", rawTracepoint: "a raw tracepoint program" } as const;

function signatureProblemText(problem: SignatureProblem): string {
  switch (problem.kind) {
    case "returnType": {
      const why = problem.valueIgnoredBy === "probe" ? " (the kernel ignores the value of a probe)"
        : problem.valueIgnoredBy === "tracepoint" ? " (the kernel ignores the value of a tracepoint program)" : "";
      return `it must return \`${problem.type}\`${why}`;
    }
    case "contextCount": return `it takes ${problem.count} parameters, the kernel passes exactly one context`;
    case "contextType":
      return problem.struct ? `the context parameter must be \`*${problem.struct}\`` : "the context parameter must be a pointer to the event's record struct";
    case "offsetProbeArguments":
      return "a probe at an offset inside a function cannot name the function's arguments (the registers no longer hold them)";
    case "tooManyParameters": return `it takes ${problem.count} parameters; ${readers[problem.reader]} can read at most ${problem.limit} arguments`;
    case "moreThanTheKernelPasses":
      return `\`${problem.target}\` ${problem.target_kind === "function" ? "takes" : "passes"} ${problem.passed} argument${problem.passed === 1 ? "" : "s"}, not ${problem.count}`;
    case "parameterType":
      return `parameter ${problem.index} \`${problem.name}\` is \`${problem.type}\`, but the ${problem.by} passes \`${problem.passed}\`` +
        (problem.passedName !== undefined ? ` (\`${problem.passedName || "unnamed"}\`)` : "");
    case "syscallParameter":
      return `parameter ${problem.index} \`${problem.name}\` is \`${problem.type}\`; a system call's arguments are registers (integers or pointers)`;
    case "rawTracepointParameter": {
      const passed = problem.kernelType !== undefined ? ` (the kernel's \`${problem.kernelType}\` arrives as its value or address)` : "";
      return `parameter ${problem.index} \`${problem.name}\` is \`${problem.type}\`, but a raw tracepoint passes every argument as an integer${passed}: ` +
        "declare it `u64`, or use `@tp_btf` to read kernel pointers directly";
    }
  }
}

export const programSignature = defineError(
  "E0315",
  "wrong program signature",
  "Each program type has a fixed signature: the kernel passes one context pointer and interprets the return value.",
  (attribute: string, expected: ExpectedSignature, problem: SignatureProblem) => ({
    message: `\`@${attribute}\` program has the wrong signature: ${signatureProblemText(problem)}`,
    help: `write it as \`${expectedSignatureText(expected)}\``,
  }),
);

export const assignToConst = defineError(
  "E0316",
  "assignment to a constant",
  "`const` values cannot change after their declaration.",
  (name: string, declared: Span) => ({
    message: `cannot assign to constant \`${name}\``,
    secondary: [{ span: declared, message: "declared `const` here" }],
    help: `declare it with \`var\` if it must change`,
  }),
);

export const invalidAssignTarget = defineError(
  "E0317",
  "invalid assignment target",
  "Only variables, map entries, struct fields, array elements and dereferenced pointers can be assigned to.",
  () => ({
    message: "cannot assign to this expression",
    help: "assign to a variable, `m[k]`, `s.field`, `a[i]` or `*p`",
  }),
);

export const declarationNeedsTypeOrValue = defineError(
  "E0318",
  "declaration without type or value",
  "A variable needs a type annotation or an initial value to know its type.",
  (name: string) => ({
    message: `\`${name}\` has neither a type nor an initial value`,
    help: `write \`var ${name}: u32\` or \`var ${name} = 0\``,
  }),
);

export const unknownMapKind = defineError(
  "E0319",
  "unknown map kind",
  "Map types are the kinds of the map-kind catalogue (`hash`, `array`, `percpu_hash`, `lru_hash`, `lpm_trie`, `queue`, `ringbuf` …, or the CamelCase spellings `HashMap`, `ArrayMap` …); the help lists them all.",
  (name: string, suggestion: string | undefined, kinds: readonly string[]) => ({
    message: `unknown map kind \`${name}\``,
    ...maybe(suggestion, `use ${alternatives(kinds)}`),
  }),
);

export const mapTypeArguments = defineError(
  "E0320",
  "map type arguments",
  "A map type takes a key type and a value type: `hash<K, V>(N)`.",
  (kind: string, found: number) => ({
    message: `\`${kind}\` needs a key and a value type, found ${found} type argument${found === 1 ? "" : "s"}`,
    help: `write \`${kind}<u32, u64>(1024)\``,
  }),
);

export const arrayMapKey = defineError(
  "E0321",
  "array map key",
  "Array maps are indexed by a 32-bit index; the kernel rejects any other key size.",
  (kind: string, found: string) => ({
    message: `\`${kind}\` maps are indexed by \`u32\`, not \`${found}\``,
    help: "use `u32` as the key type, or a hash map for other keys",
  }),
);

/** Why an operation on constants has no value (check/constants.ts folds them). */
export type FoldProblem =
  | { readonly kind: "divisionByZero" | "remainderByZero" | "beyond64Bits" }
  | { readonly kind: "shiftCount"; readonly count: bigint; readonly max: bigint };

function foldProblemText(why: FoldProblem): string {
  switch (why.kind) {
    case "divisionByZero": return "a division by zero";
    case "remainderByZero": return "a remainder of a division by zero";
    case "beyond64Bits": return "a value that does not fit in 64 bits";
    case "shiftCount": return `a shift by ${why.count} bits (a constant shift count is 0 to ${why.max})`;
  }
}

export const invalidSize = defineError(
  "E0322",
  "invalid size",
  "Map capacities `(N)`, array lengths `T[N]` and string sizes `str(N)` are positive integer constants.",
  (found: { readonly kind: "notConstant" } | { readonly kind: "value"; readonly value: bigint } | { readonly kind: "invalid"; readonly why: FoldProblem }) => ({
    message: `a size must be a positive integer constant, found ${found.kind === "notConstant" ? "a non-constant expression" : found.kind === "value" ? `\`${found.value}\`` : foldProblemText(found.why)}`,
    help: "write an integer literal such as `1024`, or a `const`",
  }),
);

export const ifVarNeedsLookup = defineError(
  "E0323",
  "declaration-as-condition needs a lookup",
  "`if (var v = e)` runs its branch when `e` is present: `e` must be a map lookup `m[k]` or a pointer.",
  (found: string) => ({
    message: `\`if (var …)\` needs a map lookup or a pointer, found \`${found}\``,
    help: "write `if (var v = map[key]) { … }`",
  }),
);

export const deleteNeedsMapEntry = defineError(
  "E0324",
  "delete needs a map entry",
  "`delete` removes one map entry: `delete m[key]`.",
  () => ({
    message: "`delete` needs a map entry",
    help: "write `delete map[key]`",
  }),
);

export const mapNotGlobal = defineError(
  "E0325",
  "map declared inside a function",
  "Maps live in the kernel for the life of the program; declare them at the top level.",
  (name: string) => ({
    message: `map \`${name}\` must be declared at the top level`,
    help: "move the declaration out of the function",
  }),
);

export const attachNeedsLoadedProgram = defineError(
  "E0326",
  "attach before load",
  "`attach` and `detach` take the handle returned by `load(program)`, which guarantees a program is loaded before it is attached.",
  (builtin: string, found: string) => ({
    message: `\`${builtin}\` needs a loaded program handle, found \`${found}\``,
    help: "load the program first: `var handle = load(my_program)` and pass `handle`",
  }),
);

export const loadNeedsProgram = defineError(
  "E0327",
  "load needs a program",
  "`load` takes the name of an eBPF program function.",
  (found: string) => ({
    message: `\`load\` needs an eBPF program, found \`${found}\``,
    help: "pass the name of a function declared with a program attribute such as `@xdp`",
  }),
);

export const unknownMapFlag = defineError(
  "E0328",
  "unknown map flag",
  "`@flags(…)` takes no_prealloc, no_common_lru, rdonly, wronly, rdonly_prog, wronly_prog, clone.",
  (name: string, suggestion: string | undefined) => ({
    message: `unknown map flag \`${name}\``,
    ...maybe(suggestion, "known flags: no_prealloc, no_common_lru, rdonly, wronly, rdonly_prog, wronly_prog, clone"),
  }),
);

export const mainSignature = defineError(
  "E0329",
  "wrong main signature",
  "User-space `main` returns `i32` (the exit code) and takes no parameters or one struct of command-line arguments.",
  (problem: "returnType" | "parameters") => ({
    message: `\`main\` has the wrong signature: ${problem === "returnType" ? "it must return `i32`" : "it takes no parameters or one struct of command-line arguments"}`,
    help: "write `fn main() -> i32` or `fn main(args: Args) -> i32`",
  }),
);

export const derefNonPointer = defineError(
  "E0330",
  "dereference of a non-pointer",
  "`*e` reads through a pointer; `e` must have a pointer type.",
  (found: string) => ({
    message: `\`${found}\` is not a pointer and cannot be dereferenced`,
    help: "only pointers (`*T`) can be dereferenced",
  }),
);

export const structLiteralFields = defineError(
  "E0331",
  "struct literal fields",
  "A struct literal gives every field of the struct exactly once. Some fields of the built-in packet headers are two views of the same bytes (an IPv6 `saddr` as 16 bytes or as `saddr32`, four words; an ICMP `gateway` or `echo_id` and `echo_sequence`): a literal gives one view of them, not both.",
  (struct: string, problem: { readonly givenTwice: string } | { readonly missing: readonly string[] } | { readonly overlapping: readonly [string, string] }) => {
    if ("overlapping" in problem) {
      const [first, second] = problem.overlapping;
      return {
        message: `struct literal of \`${struct}\`: \`${second}\` and \`${first}\` are the same bytes`,
        help: `give either \`${first}\` or \`${second}\``,
      };
    }
    return {
      message: `struct literal of \`${struct}\`: ${"givenTwice" in problem ? `\`${problem.givenTwice}\` is given twice` : `missing ${problem.missing.map((f) => `\`${f}\``).join(", ")}`}`,
      help: "list every field of the struct once",
    };
  },
);

export const loopControlOutsideLoop = defineError(
  "E0332",
  "break or continue outside a loop",
  "`break` and `continue` only make sense inside `for` and `while`.",
  (keyword: string) => ({
    message: `\`${keyword}\` outside of a loop`,
    help: "remove it, or use `return` to leave the function",
  }),
);

/** What is wrong with a program attribute's argument; `shape` is the program-type table's (`kernelFunction`). */
export type AttributeArgumentProblem =
  | { readonly kind: "missing" | "implWithoutStruct" }
  | { readonly kind: "choices"; readonly choices: readonly string[] }
  | { readonly kind: "targetFormat"; readonly target: string; readonly shape: TargetShape };

const targetShapeText: Record<TargetShape, string> = {
  categoryEvent: "a `category/event` name",
  eventName: "a tracepoint event name without its category",
  kernelFunction: "a kernel function name (optionally `+offset`)",
  netfilterHook: "a netfilter hook: `ipv4` or `ipv6`, `:`, one of `pre_routing`, `local_in`, `forward`, `local_out`, `post_routing`, then optionally `:` and a priority (an integer, default 0)",
  kernelFunctionName: "a kernel function name (without an offset: the probe is at its return)",
  syscallName: "a system call name without its `sys_` prefix (`openat`)",
  lsmHook: "an LSM hook name (`file_open`, without `bpf_lsm_`)",
  binarySymbol: "`PATH:SYMBOL` or `PATH:SYMBOL+OFFSET` (a binary or library and a function in it)",
  binarySymbolNoOffset: "`PATH:SYMBOL` (a binary or library and a function in it; a return probe takes no offset)",
  usdtProbe: "`PATH:PROVIDER:NAME` (a binary or library and a USDT probe in its `.note.stapsdt` notes)",
};

function attributeArgumentProblemText(problem: AttributeArgumentProblem): string {
  switch (problem.kind) {
    case "missing": return "needs a string argument";
    case "choices": return `the argument must be ${problem.choices.map((c) => `"${c}"`).join(" or ")}`;
    case "implWithoutStruct": return "an impl block needs the kernel struct it implements";
    case "targetFormat": return `\`${problem.target}\` is not ${targetShapeText[problem.shape]}`;
  }
}

export const programAttributeArgument = defineError(
  "E0333",
  "program attribute argument",
  "Some program attributes take a string: `@tc(\"ingress\")`/`@tc(\"egress\")`, `@tracepoint(\"category/event\")`, `@probe(\"function\")`.",
  (attribute: string, problem: AttributeArgumentProblem, example: string) => ({
    message: `\`@${attribute}\`: ${attributeArgumentProblemText(problem)}`,
    help: `write \`${example}\``,
  }),
);

export const constNeedsLiteral = defineError(
  "E0334",
  "const needs a constant value",
  "`const` declarations take an integer literal (possibly negated) and an integer type.",
  (name: string) => ({
    message: `\`${name}\` must be initialised with an integer literal`,
    help: "use `var` for computed values",
  }),
);

/** What a builtin expects (`check/builtin-calls.ts`, `check/exec.ts`); `found` is a type as text. */
export type BuiltinArguments =
  | { readonly kind: "userSpace"; readonly why: "managesPrograms" | "replacesProgram" | "backgroundProcess" }
  | { readonly kind: "implName" | "printFormat" | "execArguments" }
  | { readonly kind: "printValues"; readonly conversions: number; readonly given: number }
  | { readonly kind: "printable"; readonly found: string };

function builtinArgumentsText(expected: BuiltinArguments): string {
  switch (expected.kind) {
    case "userSpace": {
      const why = { managesPrograms: "it manages programs from outside the kernel", replacesProgram: "it replaces the user-space program",
        backgroundProcess: "it turns the user-space program into a background process" }[expected.why];
      return `to be called from user space (${why})`;
    }
    case "implName": return "the name of a struct_ops `impl` block";
    case "printFormat": return "a format whose conversions are %d, %i, %u, %x, %X, %o, %c, %s, %p or %% (the width is chosen from the argument type)";
    case "execArguments": return "the path of a Python script as a string literal first, then the script's arguments (strings or integers)";
    case "printValues":
      return `a value for each of the format's ${expected.conversions} conversions, but ${expected.given} ${expected.given === 1 ? "was" : "were"} given`;
    case "printable": return `integers, bools, chars, strings or pointers, not \`${expected.found}\``;
  }
}

export const badBuiltinArguments = defineError(
  "E0335",
  "wrong builtin arguments",
  "A built-in function was called with arguments of the wrong number or kind.",
  (name: string, expected: BuiltinArguments) => ({
    message: `\`${name}\` expects ${builtinArgumentsText(expected)}`,
    help: "the builtins are print(format, values…), load(program), attach(handle, \"iface\", flags) and detach(handle); load/attach/detach run in user space",
  }),
);

export const negativeUnsigned = defineError(
  "E0336",
  "negation of an unsigned value",
  "Negating an unsigned integer wraps around; it is almost always a mistake.",
  (type: string) => ({
    message: `cannot negate a value of unsigned type \`${type}\``,
    help: "convert it to a signed type first with `as`",
  }),
);

export const logicalNeedsBool = defineError(
  "E0337",
  "logical operator on non-bool",
  "`&&`, `||` and `!` take bools; compare integers explicitly.",
  (op: string, found: string) => ({
    message: `\`${op}\` needs \`bool\` operands, found \`${found}\``,
    help: "compare explicitly, e.g. `x != 0`",
  }),
);

// The language features' type errors (E0340–E0399) live in types-features.ts.
export * from "./types-features.js";
export * from "./types-kernel-interfaces.js";
export * from "./types-modules.js";
