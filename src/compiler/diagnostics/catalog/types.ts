//! E03xx: type errors.

import { defineError, defineWarning } from "../diagnostic.js";
import type { Span } from "../../source.js";

const maybe = (suggestion: string | undefined, otherwise: string): { help: string } => ({
  help: suggestion ? `did you mean \`${suggestion}\`?` : otherwise,
});

export const typeMismatch = defineError(
  "E0301",
  "mismatched types",
  "A value of one type is used where another is expected.",
  (expected: string, found: string, context: string) => ({
    message: `mismatched types: ${context} expects \`${expected}\`, found \`${found}\``,
    label: `this is \`${found}\``,
    help: `convert the value to \`${expected}\` or change the declared type`,
  }),
);

export const implicitNarrowing = defineError(
  "E0302",
  "implicit narrowing",
  "Converting to a smaller or differently-signed integer type can lose information, so it must be written out with `as`.",
  (from: string, to: string) => ({
    message: `\`${from}\` does not fit in \`${to}\` without a conversion`,
    label: `this is \`${from}\``,
    help: `write \`(…) as ${to}\` if truncating is what you want`,
  }),
);

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
  "An integer literal does not fit the type it is used as.",
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
  (name: string, expected: number, found: number, declared: Span | undefined) => ({
    message: `\`${name}\` takes ${expected} argument${expected === 1 ? "" : "s"} but ${found} ${found === 1 ? "was" : "were"} given`,
    ...(declared ? { secondary: [{ span: declared, message: "declared here" }] } : {}),
    help: "pass exactly the declared parameters",
  }),
);

export const notCallable = defineError(
  "E0311",
  "not callable",
  "Only functions and function pointers can be called.",
  (type: string) => ({
    message: `\`${type}\` is not a function`,
    help: "call a declared function or a value of function type",
  }),
);

export const voidInExpression = defineError(
  "E0312",
  "void value used",
  "A function without a return value was used where a value is needed.",
  (name: string) => ({
    message: `\`${name}\` returns nothing, so its result cannot be used`,
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

export const programSignature = defineError(
  "E0315",
  "wrong program signature",
  "Each program type has a fixed signature: the kernel passes one context pointer and interprets the return value.",
  (attribute: string, expected: string, problem: string) => ({
    message: `\`@${attribute}\` program has the wrong signature: ${problem}`,
    help: `write it as \`${expected}\``,
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
  "Map types are `hash`, `array`, `percpu_hash`, `percpu_array`, `lru_hash` (or `HashMap`, `ArrayMap`, `PerCpuHashMap`, `PerCpuArray`, `LruHashMap`).",
  (name: string, suggestion: string | undefined) => ({
    message: `unknown map kind \`${name}\``,
    ...maybe(suggestion, "use hash, array, percpu_hash, percpu_array or lru_hash"),
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

export const invalidSize = defineError(
  "E0322",
  "invalid size",
  "Map capacities `(N)`, array lengths `T[N]` and string sizes `str(N)` are positive integer constants.",
  (found: string) => ({
    message: `a size must be a positive integer constant, found ${found}`,
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
  (problem: string) => ({
    message: `\`main\` has the wrong signature: ${problem}`,
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
  "A struct literal gives every field of the struct exactly once.",
  (struct: string, problem: string) => ({
    message: `struct literal of \`${struct}\`: ${problem}`,
    help: "list every field of the struct once",
  }),
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

export const programAttributeArgument = defineError(
  "E0333",
  "program attribute argument",
  "Some program attributes take a string: `@tc(\"ingress\")`/`@tc(\"egress\")`, `@tracepoint(\"category/event\")`, `@probe(\"function\")`.",
  (attribute: string, problem: string, example: string) => ({
    message: `\`@${attribute}\`: ${problem}`,
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

export const badBuiltinArguments = defineError(
  "E0335",
  "wrong builtin arguments",
  "A built-in function was called with arguments of the wrong number or kind.",
  (name: string, expected: string) => ({
    message: `\`${name}\` expects ${expected}`,
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

// --- strings-match ---

export const stringLiteralTooLong = defineError(
  "E0340",
  "string literal too long",
  "A `str(N)` holds at most N bytes of text (plus the terminating NUL the compiler adds). A longer literal would be cut, so it is an error rather than a silent truncation.",
  (length: number, target: string) => ({
    message: `this string literal has ${length} bytes but \`${target}\` holds at most ${target.slice(4, -1)}`,
    label: `${length} bytes`,
    help: `declare the variable as \`str(${length})\` or longer, or shorten the text`,
  }),
);

export const stringNarrowing = defineError(
  "E0341",
  "string does not fit",
  "A `str(M)` value may hold M bytes of text, so it can only be stored in a `str(N)` with N ≥ M (the same rule as integer narrowing: nothing is cut implicitly).",
  (from: string, to: string, context: string) => ({
    message: `${context} expects \`${to}\`, but \`${from}\` may not fit`,
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
  (conversion: string, problem: string) => ({
    message: `\`${conversion}\` ${problem}`,
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

export const matchArmWithoutValue = defineError(
  "E0349",
  "match arm without a value",
  "When a `match` gives a value, every arm must end with one: an expression, `return e`, or an `if`/`else` whose branches both end with one. A `match` needs at least one arm.",
  (what: string) => ({
    message: what,
    help: "end the arm with the value it gives, e.g. `{ …; result }`",
  }),
);

export const matchMissingConstants = defineWarning(
  "W0210",
  "match misses enum constants",
  "A `match` on an enum without `default` should name every constant; a value no arm names does nothing (in a statement) or gives the zero value (in an expression).",
  (type: string, missing: string) => ({
    message: `this \`match\` on \`${type}\` does not handle ${missing}`,
    help: "add arms for them or a `default` arm",
  }),
);

export const unreachableArm = defineWarning(
  "W0211",
  "unreachable match arm",
  "Arms are tried in order: an arm after `default`, or one whose pattern an earlier arm already matches, never runs.",
  (why: string, earlier: Span | undefined) => ({
    message: `this arm is never reached: ${why}`,
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

// --- lead: struct_ops ---

export const structOpsMember = defineError(
  "E0338",
  "struct_ops member mismatch",
  "An `impl` block fills in a kernel operations struct (`tcp_congestion_ops` …): each method must be one of its function-pointer members with the kernel's parameter and return types, each field one of its data members, and the members the kernel requires must be present.",
  (opsType: string, problem: string, expected: string | undefined) => ({
    message: `\`${opsType}\`: ${problem}`,
    help: expected ?? `see the members of \`struct ${opsType}\` in vmlinux.h`,
  }),
);

export const implNotAValue = defineError(
  "E0339",
  "impl block used as a value",
  "A struct_ops `impl` block is registered with the kernel by `register(name)` from user space; it is not a value that can be stored or passed around otherwise.",
  (name: string) => ({
    message: `\`${name}\` is a struct_ops impl block, not a value`,
    help: `register it from user space with \`register(${name})\``,
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
  (name: string, found: string, expected: string) => ({
    message: `\`${name}\` has type \`${found}\`, which does not match \`${expected}\``,
    help: "use a function whose parameter and return types match exactly, or change the function type",
  }),
);

// --- globals-config ---

export const globalInitNotConstant = defineError(
  "E0365",
  "global initializer is not a constant",
  "Globals and config defaults are stored in the eBPF object file before any code runs, so their initial values must be constants: literals (possibly negated), `true`/`false`, enum constants, and array or struct literals of those.",
  (what: string) => ({
    message: `the initial value of ${what} must be a constant`,
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
  "`fn main(args: Args)` gets a generated command-line parser with one `--field` option per field of `Args`. It can parse integers (range-checked), bools (flags without a value) and `str(N)` (length-checked).",
  (struct: string, field: string, type: string) => ({
    message: `field \`${field}\` of \`${struct}\` has type \`${type}\`, which cannot be parsed from the command line`,
    label: "unsupported option type",
    help: "use an integer type, `bool` (a flag) or `str(N)`",
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
  (found: string) => ({
    message: `the binding of \`ctx.header(…)\` must be declared as a pointer to a header struct or an integer, ${found}`,
    help: "write the header type on the binding, e.g. `if (var eth: *ethhdr = ctx.header(0)) { … }`",
  }),
);

export const byteOrderMix = defineError(
  "E0376",
  "network and host byte order mixed",
  "Packet header fields are big-endian (`be16`, `be32`); host integers are little-endian on this machine. Mixing them silently compares or stores swapped bytes, so the conversion must be written: `ntohs`/`ntohl` to host order, `htons`/`htonl` to network order (free for constants: folded at compile time).",
  (what: string, found: string, expected: string, fix: string) => ({
    message: `${what} mixes \`${found}\` with \`${expected}\``,
    label: `this is \`${found}\``,
    help: fix,
  }),
);

export const byteOrderArgument = defineError(
  "E0377",
  "wrong byte order for a conversion",
  "`ntohs`/`ntohl` take a network-order value (`be16`/`be32`) and return host order; `htons`/`htonl` take a host-order value (`u16`/`u32`, or a literal) and return network order. Converting a value that already has the target order swaps it back.",
  (fn: string, expected: string, found: string, fix: string) => ({
    message: `\`${fn}\` expects \`${expected}\`, found \`${found}\``,
    label: `this is \`${found}\``,
    help: fix,
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
  (found: string, side: string) => ({
    message: `cannot iterate over ${found}${side}`,
    label: "not an iterable map",
    help: "iterate over a `hash`, `array`, `percpu_hash`, `percpu_array`, `lru_hash` or `lru_percpu_hash` map, or use `for (i in a..b)` for a range",
  }),
);
