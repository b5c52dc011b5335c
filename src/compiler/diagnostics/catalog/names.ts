//! E02xx: names, declarations, includes and where functions may be called from.

import { defineError, defineWarning } from "../diagnostic.js";
import { thrownError, throwPathText, type ThrowPath } from "./wording.js";
import type { Span } from "../../source.js";

const didYouMean = (suggestion: string | undefined): { help?: string } =>
  suggestion ? { help: `did you mean \`${suggestion}\`?` } : {};

export const missingInputFile = defineError(
  "E0200",
  "input file not found",
  "The file named on the command line could not be read.",
  (path: string) => ({
    message: `cannot read \`${path}\``,
    help: "check the path; it is resolved against the current directory",
  }),
);

export const unknownName = defineError(
  "E0201",
  "unknown name",
  "A name is used that no declaration in scope introduces. Names must be declared before use: globals, maps and functions at the top level, locals with `var`.",
  (name: string, suggestion: string | undefined) => ({
    message: `cannot find \`${name}\` in this scope`,
    label: "not declared",
    ...(suggestion ? didYouMean(suggestion) : { help: `declare \`${name}\` before using it` }),
  }),
);

export const unknownType = defineError(
  "E0202",
  "unknown type",
  "A type name is used that is neither a built-in type, a declared struct/enum/alias, nor a kernel type known to the compiler.",
  (name: string, suggestion: string | undefined) => ({
    message: `unknown type \`${name}\``,
    label: "no such type",
    ...(suggestion ? didYouMean(suggestion) : { help: "declare it with `struct`, `enum` or `type`, or include the header that does" }),
  }),
);

export const duplicateDefinition = defineError(
  "E0203",
  "name defined twice",
  "Two declarations in the same scope have the same name.",
  (name: string, previous: Span) => ({
    message: `\`${name}\` is already defined`,
    label: "defined again here",
    secondary: [{ span: previous, message: "first defined here" }],
    help: "rename one of them",
  }),
);

export const includeNotFound = defineError(
  "E0204",
  "include file not found",
  "An `include` names a header that does not exist. Paths are relative to the including file.",
  (path: string) => ({
    message: `cannot find header \`${path}\``,
    label: "no such file",
    help: "headers are resolved relative to the file that includes them; `kernelscript init` can generate kernel headers",
  }),
);

export const includeNotHeader = defineError(
  "E0205",
  "include of a non-header",
  "`include` only takes `.kh` header files; use `import` for `.ks` modules.",
  (path: string) => ({
    message: `\`${path}\` is not a \`.kh\` header`,
    help: "use `import name from \"...\"` for KernelScript modules",
  }),
);

export const headerHasFunctionBody = defineError(
  "E0206",
  "function body in a header",
  "Headers (`.kh`) declare types, externs and body-less functions; function bodies belong in `.ks` files.",
  (name: string) => ({
    message: `header declares function \`${name}\` with a body`,
    help: "move the function into a .ks file, or remove its body",
  }),
);

export const unknownAttribute = defineError(
  "E0207",
  "unknown attribute",
  "Functions take one of the program attributes (`@xdp`, `@tc(\"ingress\")`, `@tracepoint(\"cat/event\")`, `@probe(\"fn\")`, `@perf_event`) or a role (`@helper`, `@kfunc`, `@private`, `@test`).",
  (name: string, suggestion: string | undefined) => ({
    message: `unknown attribute \`@${name}\``,
    ...(suggestion ? didYouMean(`@${suggestion}`) : { help: "known: @xdp, @tc, @tracepoint, @probe, @perf_event, @helper, @kfunc, @private, @test" }),
  }),
);

export const mainWithAttribute = defineError(
  "E0208",
  "attribute on main",
  "`main` is the user-space entry point; eBPF programs need a different name.",
  () => ({
    message: "`main` cannot be an eBPF program",
    help: "rename the program function, e.g. `fn my_filter(ctx: XdpContext) -> XdpAction`",
  }),
);

export const noPrograms = defineError(
  "E0209",
  "no eBPF program",
  "A KernelScript file must contain at least one eBPF program (a function with a program attribute) or struct_ops `impl` block.",
  () => ({
    message: "this file has no eBPF program",
    help: "add a function with a program attribute, e.g. `@xdp fn filter(ctx: XdpContext) -> XdpAction { return XDP_PASS }`",
  }),
);

export const programCalledDirectly = defineError(
  "E0210",
  "program called directly",
  "eBPF programs are entered by the kernel, not called. Inside another program of the same type, `return other(ctx)` becomes a tail call.",
  (name: string) => ({
    message: `program \`${name}\` cannot be called like a function`,
    help: `use \`return ${name}(ctx)\` for a tail call, or move shared code into a \`@helper\` function`,
  }),
);

export const kernelFunctionFromUserspace = defineError(
  "E0211",
  "kernel-side function called from user space",
  "`@helper`, `@kfunc` and `extern` functions run in the kernel; user-space code cannot call them.",
  (name: string, role: "bpfHelper" | "helper" | "kfunc" | "extern" | "program" | "private" | "test") => ({
    message: `${role === "bpfHelper" ? "BPF helper" : role === "helper" || role === "kfunc" ? role : `${role} function`} \`${name}\` runs in the kernel and cannot be called from user space`,
    help: "call it from an eBPF program or helper, or write a user-space function for this",
  }),
);

export const userspaceFunctionFromKernel = defineError(
  "E0212",
  "user-space function called from eBPF",
  "Functions without an attribute are compiled into the user-space program; eBPF code cannot call them.",
  (name: string) => ({
    message: `user-space function \`${name}\` cannot be called from eBPF code`,
    help: `mark it \`@helper\` to compile it into the eBPF object`,
  }),
);

export const mapUsedAsValue = defineError(
  "E0213",
  "map used as a value",
  "A map is not a value: it cannot be copied, passed or printed. Index it to read or write an entry.",
  (name: string) => ({
    message: `map \`${name}\` cannot be used as a value`,
    help: `use \`${name}[key]\` to read or write one entry`,
  }),
);

export const duplicateMain = defineError(
  "E0214",
  "more than one main",
  "The user-space program has exactly one entry point.",
  (previous: Span) => ({
    message: "`main` is defined more than once",
    secondary: [{ span: previous, message: "first defined here" }],
    help: "keep one `main`",
  }),
);

export const recursiveEbpfCall = defineError(
  "E0215",
  "recursion in eBPF code",
  "The verifier rejects programs whose call graph has a cycle.",
  (name: string) => ({
    message: `\`${name}\` calls itself (directly or through other functions) in eBPF code`,
    help: "rewrite the recursion as a bounded loop",
  }),
);

export const unusedVariable = defineWarning(
  "W0201",
  "unused variable",
  "A local variable is declared but its value is never read. Often a typo or leftover; names starting with `_` are exempt.",
  (name: string) => ({
    message: `variable \`${name}\` is never read`,
    label: "declared here",
    help: `remove it, or name it \`_${name}\` if it is intentionally unused`,
  }),
);

// --- globals-config ---

export const pinnedLocalGlobal = defineError(
  "E0222",
  "pinned kernel-only global",
  "`pin` keeps a global in bpffs so that user space and later runs of the loader see it; `local` makes a global invisible to user space. The two contradict each other.",
  (name: string) => ({
    message: `\`${name}\` cannot be both \`pin\` and \`local\``,
    label: "pinned and kernel-only",
    help: `drop \`local\` to share and pin it (\`pin var ${name}\`), or drop \`pin\` to keep it kernel-only`,
  }),
);

export const localGlobalFromUserspace = defineError(
  "E0223",
  "kernel-only global used in user space",
  "A `local var` global lives only in the eBPF object (it is static there, so the skeleton has no field for it); user-space code cannot read or write it.",
  (name: string, declared: Span) => ({
    message: `\`${name}\` is a \`local var\` (kernel-only) and cannot be used in user space`,
    label: "used in a user-space function",
    secondary: [{ span: declared, message: "declared `local` here" }],
    help: `declare it without \`local\` (\`var ${name}\`) to share it with user space`,
  }),
);

export const unknownConfigField = defineError(
  "E0224",
  "unknown config field",
  "A `config` block has exactly the fields it declares.",
  (config: string, field: string, suggestion: string | undefined, fields: string) => ({
    message: `config \`${config}\` has no field \`${field}\``,
    label: "unknown field",
    help: suggestion ? `did you mean \`${config}.${suggestion}\`?` : `its fields are: ${fields}`,
  }),
);

export const configUsedAsValue = defineError(
  "E0225",
  "config used as a value",
  "A `config` block is a named group of settings, not a value: read or write one of its fields.",
  (config: string, firstField: string | undefined) => ({
    message: `config \`${config}\` cannot be used as a value`,
    label: "a config block",
    help: firstField ? `use one of its fields, e.g. \`${config}.${firstField}\`` : `declare fields in \`config ${config} { … }\` and use them`,
  }),
);

// --- loops ---

export const duplicateLoopBinding = defineError(
  "E0220",
  "map loop binds the same name twice",
  "`for (k, v) in m` declares a key and a value variable; they need different names.",
  (name: string) => ({
    message: `\`${name}\` is bound twice in this \`for\` header`,
    label: "second binding of the same name",
    help: "name the key and the value differently, e.g. `for (key, value) in m`",
  }),
);

export const emptyRange = defineWarning(
  "W0216",
  "loop never runs",
  "A range `a..b` is half-open: it runs for `a`, `a+1`, … up to but not including `b`. When both bounds are constants and `a >= b`, the body never runs.",
  (start: string, end: string) => ({
    message: `the range \`${start}..${end}\` is empty: the loop body never runs`,
    label: "start is not below end",
    help: "ranges count upwards and exclude the end; swap the bounds or remove the loop",
  }),
);

// --- ringbuf-objects ---

export const unknownRingbufOperation = defineError(
  "E0235",
  "unknown ring buffer operation",
  "A ring buffer has the operations `reserve()`, `submit(e)` and `discard(e)` in eBPF code and `on_event(handler)` in user space; nothing else can be called on it.",
  (ringbuf: string, name: string, suggestion: string | undefined) => ({
    message: `ring buffer \`${ringbuf}\` has no operation \`${name}\``,
    label: "not a ring buffer operation",
    help: suggestion
      ? `did you mean \`${suggestion}\`? (operations: reserve, submit, discard, on_event)`
      : "the operations are `reserve()`, `submit(e)`, `discard(e)` (eBPF) and `on_event(handler)` (user space)",
  }),
);

// --- lead: kernel program types ---

export const unknownKernelFunction = defineError(
  "E0240",
  "no such kernel function",
  "A probe attaches to a kernel function; `check --kernel` checks the program against the running kernel, whose BTF has no function of that name, so nothing could attach. Functions that are inlined or static in the running kernel are often absent. When only compiling, the same finding is the warning W0246.",
  (name: string, suggestion: string | undefined) => ({
    message: `the running kernel has no function \`${name}\``,
    label: "not in the kernel's BTF",
    ...(suggestion ? didYouMean(suggestion) : {
      help: "check the name in /proc/kallsyms; syscalls are traced as `__x64_sys_NAME` or through `@tracepoint(\"syscalls/sys_enter_NAME\")`",
    }),
  }),
);

// --- functions-pointers ---

export const tailCallCycle = defineWarning(
  "W0222",
  "tail calls form a cycle",
  "Programs that tail-call each other in a cycle run until the kernel's limit of 33 tail calls; then `bpf_tail_call` falls through and the program returns its fallback value.",
  (chain: string) => ({
    message: `tail calls form a cycle: ${chain}`,
    label: "this tail call closes the cycle",
    help: "make sure the cycle ends on its own (e.g. through a map counter); after 33 calls the fallback is returned",
  }),
);

// --- packets ---

export const builtinHeaderRedefined = defineError(
  "E0228",
  "built-in packet header redefined",
  "Ethernet, VLAN, IPv4, IPv6, TCP, UDP, ICMP and ICMPv6 headers are built in (`ethhdr`, `vlan_hdr`, `iphdr`, `ipv6hdr`, `tcphdr`, `udphdr`, `icmphdr`, `icmp6hdr`) and come from vmlinux.h in the generated C, so a struct of the same name would clash with the kernel's definition.",
  (name: string, fields: string) => ({
    message: `\`${name}\` is a built-in packet header and cannot be redefined`,
    label: "redefines the built-in header",
    notes: [`the built-in \`${name}\` has the fields ${fields}`],
    help: `use the built-in \`${name}\`, or give your struct another name`,
  }),
);

export const unknownContextMethod = defineError(
  "E0229",
  "unknown context method",
  "XDP and TC contexts have one method, `header(offset)`, used as the condition of `if (var h: *T = ctx.header(offset))`.",
  (name: string, suggestion: string | undefined) => ({
    message: `the context has no method \`${name}\``,
    label: "unknown method",
    help: suggestion ? `did you mean \`${suggestion}\`?` : "packet data is reached with `if (var h: *T = ctx.header(offset)) { … }`",
  }),
);

// --- errors-returns ---

export const uncaughtThrowInMain = defineWarning(
  "W0213",
  "error can end the program",
  "An error thrown in user space that no `try` catches reaches the end of `main`: the program prints `unhandled error N` with the function that threw it and exits with status 1.",
  (code: bigint | undefined, path: ThrowPath) => ({
    message: `${thrownError(code)} thrown here is not caught before the end of \`main\``,
    label: "thrown here",
    notes: [`call path: ${throwPathText(path)}`, `if it happens, the program prints \`unhandled error ${code ?? "N"}\` and exits with status 1`],
    help: "catch it with `try { … } catch … { … }` in `main` or on the way",
  }),
);

export const tryWithoutEffect = defineWarning(
  "W0214",
  "try has no effect",
  "A `try` whose body cannot throw never runs its catch clauses, and a `try` without catch clauses catches nothing.",
  (why: "noCatch" | "nothingThrows") => ({
    message: `this \`try\` has no effect: ${why === "noCatch" ? "it has no `catch` clause" : "nothing in its body can throw"}`,
    label: "has no effect",
    help: "remove the `try` (keep its body), or move it around the code that throws",
  }),
);

/** What a statement that never falls through is (W0215). */
export type Jump = "return" | "throw" | "break" | "continue" | "leavingTry" | "leavingBlock";

const jumpText: Record<Jump, string> = {
  return: "`return`", throw: "`throw`", break: "`break`", continue: "`continue`",
  leavingTry: "a `try` whose every path leaves the function", leavingBlock: "a block whose every path leaves the function",
};

export const unreachableStatement = defineWarning(
  "W0215",
  "unreachable statement",
  "A statement after `return`, `throw`, `break` or `continue` in the same block never runs.",
  (after: Jump) => ({
    message: `this statement never runs: it follows ${jumpText[after]}`,
    label: "never runs",
    help: "remove it, or move it before the jump",
  }),
);

// --- strings-match ---

export const patternNotConstant = defineError(
  "E0216",
  "match pattern is not a constant",
  "A name in a match pattern must be an enum constant (or a built-in constant such as `XDP_PASS`); variables are not patterns.",
  (name: string, kind: "local" | "global" | "map" | "function") => ({
    message: `\`${name}\` is ${kind === "local" ? "a local variable" : kind === "global" ? "a global variable" : kind === "map" ? "a map" : "a function"}, not a constant, so it cannot be a match pattern`,
    help: "use a literal or an enum constant, or compare with `if (x == name)`",
  }),
);

// --- imports-exec ---

export const importNotFound = defineError(
  "E0245",
  "imported file not found",
  "`import NAME from \"PATH\"` reads PATH relative to the file that contains the import; there is no file there.",
  (spec: string, resolved: string) => ({
    message: `cannot import \`${spec}\`: there is no file \`${resolved}\``,
    label: "no such file",
    help: "check the path; it is relative to the directory of the file that imports it",
  }),
);

export const importBadExtension = defineError(
  "E0246",
  "unsupported import file type",
  "Only KernelScript modules (`.ks`) can be imported (Python modules, `.py`, are recognised but not compiled yet). Headers with declarations only (`.kh`) are included with `include`.",
  (spec: string, extension: string) => ({
    message: `cannot import \`${spec}\`: files of type \`${extension === "" ? "(no extension)" : extension}\` cannot be imported`,
    label: "not a `.ks` module",
    help: extension === ".kh" ? `write \`include "${spec}"\` to include a header` : "import a KernelScript module (`.ks`)",
  }),
);

export const moduleHasMain = defineError(
  "E0247",
  "imported module contains main",
  "A module is a library: the importing file owns the one `main()` of the program.",
  (module: string) => ({
    message: `imported module \`${module}\` cannot contain a \`main()\` function`,
    label: "`main` in a module",
    help: "move `main()` into the importing file, or rename this function",
  }),
);

/** A declaration only the importing file may own (`check/imports.ts`). */
export type ModuleDeclaration =
  | { readonly kind: "program"; readonly name: string; readonly attribute: string }
  | { readonly kind: "map" | "global" | "config" | "extern" | "impl"; readonly name: string }
  | { readonly kind: "include" };

function moduleDeclarationText(what: ModuleDeclaration): string {
  switch (what.kind) {
    case "program": return `the eBPF program \`${what.name}\` (\`@${what.attribute}\`)`;
    case "map": return `the map \`${what.name}\``;
    case "global": return `the global variable \`${what.name}\``;
    case "config": return `the config \`${what.name}\``;
    case "extern": return `the extern \`${what.name}\``;
    case "impl": return `the impl block \`${what.name}\``;
    case "include": return "an `include`";
  }
}

export const moduleDeclarationNotAllowed = defineError(
  "E0248",
  "declaration not allowed in an imported module",
  "An imported module may contain user-space functions, `@helper` functions, structs, enums, type aliases and imports. eBPF programs, maps, globals, configs, `extern`s, `impl` blocks and includes belong to the importing file, which owns the eBPF object.",
  (module: string, what: ModuleDeclaration) => ({
    message: `imported module \`${module}\` cannot contain ${moduleDeclarationText(what)}`,
    label: "not allowed in a module",
    help: "move this declaration into the importing file and pass what the module needs as arguments",
  }),
);

export const unknownModuleFunction = defineError(
  "E0249",
  "unknown function in module",
  "`m.f(...)` calls the function `f` of the module imported as `m`; that module has no such function.",
  (module: string, name: string, suggestion: string | undefined, available: readonly string[]) => ({
    message: `module \`${module}\` has no function \`${name}\``,
    label: "not in this module",
    help: suggestion ? `did you mean \`${module}.${suggestion}\`?`
      : available.length > 0 ? `the functions of \`${module}\` are: ${available.join(", ")}` : `module \`${module}\` declares no functions`,
  }),
);

// --- exec-python ---

export const execScriptNotFound = defineError(
  "E0255",
  "exec() script not found",
  "`exec(\"script.py\")` reads the script relative to the `.ks` file when compiling (it is copied next to the binary, where the program runs it from); there is no file there.",
  (spec: string, resolved: string) => ({
    message: `cannot hand over to \`${spec}\`: there is no file \`${resolved}\``,
    label: "no such file",
    help: "check the path; it is relative to the directory of the `.ks` file",
  }),
);

/** What else writes a Python file into the output directory. */
export type OutputFileOwner = { readonly pythonModule: string } | "generatedModule" | "execScript";

export const handoverFileClash = defineError(
  "E0256",
  "two Python files with one name in the output",
  "Python scripts given to `exec()` and imported Python modules are copied into the output directory under their base names, next to the generated `NAME.py` module; two different files cannot share a name there.",
  (fileName: string, other: OutputFileOwner, previous: Span | undefined) => ({
    message: `\`${fileName}\` would overwrite ${other === "generatedModule" ? "the generated Python module of this program"
      : other === "execScript" ? "another `exec()` script" : `the Python module \`${other.pythonModule}\``} in the output directory`,
    label: "same file name",
    ...(previous ? { secondary: [{ span: previous, message: "first used here" }] } : {}),
    help: "rename one of the Python files",
  }),
);

export const unreachableAfterHandover = defineWarning(
  "W0230",
  "statement after exec() or daemon()",
  "`exec()` replaces the program with the Python script and `daemon()` runs until a signal stops the program: neither returns, so what follows them in the same block never runs.",
  (call: string) => ({
    message: `this statement never runs: \`${call}\` does not return`,
    label: "never runs",
    help: `remove it, or move it before \`${call}\``,
  }),
);

// --- maps-events ---

export const unknownMapMethod = defineError(
  "E0270",
  "unknown map operation",
  "Queues, stacks, perf event arrays, per-CPU maps and ring buffers have a fixed set of operations (methods); this map kind has no operation by that name.",
  (map: string, kind: string, method: string, available: string, suggestion: string | undefined) => ({
    message: `the ${kind} map \`${map}\` has no operation \`${method}\``,
    label: "unknown operation",
    help: suggestion ? `did you mean \`${map}.${suggestion}\`? (${kind} operations: ${available})` : `${kind} operations: ${available}`,
  }),
);

export const unknownRawTracepoint = defineError(
  "E0271",
  "unknown raw BTF tracepoint",
  "A `@tp_btf(\"event\")` or `@raw_tracepoint(\"event\")` program attaches to the kernel tracepoint `event`; the kernel describes each one in its BTF as the typedef `btf_trace_<event>`. `check --kernel` checks the program against the running kernel, which has none of that name. When only compiling, the same finding is the warning W0247.",
  (event: string, suggestion: string | undefined) => ({
    message: `this kernel has no raw tracepoint \`${event}\` (no \`btf_trace_${event}\` in its BTF)`,
    label: "unknown event",
    help: suggestion ? `did you mean \`${suggestion}\`?` : "list the events with `ls /sys/kernel/tracing/events/*/` and name one without its category, e.g. `@tp_btf(\"sched_switch\")`",
  }),
);

// --- testing ---

export const testOnlyBuiltin = defineError(
  "E0260",
  "test builtin outside a @test function",
  "`test()`, `test_run()`, `assert()`, the packet builders and the `TestRun`/`TestResult`/`TestPacket` types exist only in the test binary that `kernelscript test` builds; the normal loader and the eBPF object have none of them.",
  (what: string) => ({
    message: `${what} can only be used in a \`@test\` function`,
    label: "outside a test",
    help: "move this code into a function marked `@test` and run it with `kernelscript test FILE.ks`",
  }),
);

export const noTestFunctions = defineError(
  "E0261",
  "no @test functions",
  "Test mode (`kernelscript test`, `compile --test`) runs the file's `@test` functions; a file without any has nothing to run.",
  (file: string) => ({
    message: `\`${file}\` has no \`@test\` functions to run`,
    label: "no tests in this file",
    help: "add one, e.g. `@test fn passes_small_frames() { assert(test(my_prog, TestRun {}) == XDP_PASS) }`",
  }),
);

export const testFunctionCalled = defineError(
  "E0262",
  "@test function called",
  "`@test` functions are run by the test runner, each on a freshly loaded object; code cannot call them (a test calling another would run with the other's state and be reported once).",
  (name: string) => ({
    message: `\`${name}\` is a \`@test\` function and cannot be called`,
    label: "called here",
    help: "move the shared steps into an ordinary function that both tests call",
  }),
);

export const testSignature = defineError(
  "E0263",
  "bad @test signature",
  "A `@test` function takes no parameters and returns nothing, or an integer where 0 means passed (the reference implementation's convention); assertions report failures either way.",
  (name: string, problem: { readonly returns: string } | "parameters") => ({
    message: `\`@test\` function \`${name}\` ${problem === "parameters" ? "takes parameters; the runner calls it with none"
      : `returns \`${problem.returns}\`; a test returns nothing, or an integer (0 = passed)`}`,
    label: "test signature",
    help: `write \`@test fn ${name}() { … }\``,
  }),
);

export const testRunsNoProgram = defineWarning(
  "W0231",
  "test runs no program",
  "A `@test` function that never calls `test()` or `test_run()`, and attaches no program (`attach()`, `register()`), does not exercise the kernel; at run time such a test is reported as failed (`ran no eBPF program`).",
  (name: string) => ({
    message: `\`@test\` function \`${name}\` never runs an eBPF program`,
    label: "no `test()`, `test_run()` or `attach()` in this test",
    help: "run a program with `test(prog, TestRun { … })` or `test_run(prog, TestRun { … })` and assert on the result; attach a tracing program with `attach(load(prog), …)` and trigger its event",
  }),
);

export const testResultIgnored = defineWarning(
  "W0232",
  "test result ignored",
  "The value `test()`/`test_run()` returns is what the program did; a test that drops it checks nothing about that run.",
  (builtin: string) => ({
    message: `the result of \`${builtin}()\` is not used`,
    label: "result dropped",
    help: `assert on it: \`assert(${builtin === "test" ? "test(prog, run) == XDP_PASS" : "test_run(prog, run).retval == XDP_PASS"})\``,
  }),
);

// --- sched-ext ---

export const unknownStructOpsType = defineError(
  "E0280",
  "unknown struct_ops type",
  "`@struct_ops(\"X\")` names a kernel operations struct. Its members come from the kernel's BTF; when this kernel lacks it (e.g. `sched_ext_ops` without CONFIG_SCHED_CLASS_EXT) they come from a `struct X { … }` declared in the program or an included `.kh`, with `fn`-typed members for its methods. Neither exists here.",
  (opsType: string, suggestion: string | undefined) => ({
    message: `unknown struct_ops type \`${opsType}\`: it is not in this kernel's BTF and no \`struct ${opsType}\` is declared`,
    label: "no such struct_ops type",
    help: suggestion
      ? `did you mean \`${suggestion}\`?`
      : opsType === "sched_ext_ops"
        ? "declare `struct sched_ext_ops { select_cpu: fn(p: *task_struct, prev_cpu: i32, wake_flags: u64) -> i32, … }` in a .kh and include it (as `kernelscript init sched_ext_ops` writes on a kernel with CONFIG_SCHED_CLASS_EXT), or build on such a kernel"
        : `declare \`struct ${opsType} { … }\` in a .kh and include it (as \`kernelscript init ${opsType}\` writes on a kernel that has it), or build on a kernel whose BTF has it`,
  }),
);

export const declaredOpsMemberNotInKernel = defineWarning(
  "W0250",
  "declared struct_ops member not in the kernel",
  "When both the kernel's BTF and a declaration describe a struct_ops type, BTF is what the kernel registers, and its layout is the one used. A member the declaration lists but the kernel's struct lacks is ignored (an impl that fills it is an error of its own).",
  (opsType: string, member: string, suggestion: string | undefined) => ({
    message: `\`struct ${opsType}\` declares \`${member}\`, but the kernel's \`${opsType}\` has no such member: the kernel's layout is used`,
    label: "not in the kernel's BTF",
    help: suggestion ? `did you mean \`${suggestion}\`?` : `remove it, or regenerate the header with \`kernelscript init ${opsType}\``,
  }),
);

export const declaredOpsMemberMismatch = defineWarning(
  "W0251",
  "declared struct_ops member differs from the kernel",
  "When both the kernel's BTF and a declaration describe a struct_ops type, the declaration is checked against BTF member by member and BTF's layout is the one used: an impl is typed by the kernel's members, and the generated C takes the struct from vmlinux.h. A declared member whose type differs (other than pointer for pointer, such as the `*u8` method slots of the reference implementation's generated headers) is reported, and the kernel's type wins.",
  (opsType: string, member: string, declared: string, kernel: string) => ({
    message: `\`${opsType}.${member}\` is declared \`${declared}\`, the kernel's BTF says \`${kernel}\`: the kernel's layout is used`,
    label: "differs from the kernel",
    help: `write \`${member}: ${kernel},\`, or regenerate the header with \`kernelscript init ${opsType}\``,
  }),
);

export const implNameTruncated = defineWarning(
  "W0252",
  "struct_ops name defaulted to a truncated impl name",
  "An impl block without a `name:` member is registered under the impl's own name (as the reference implementation does). The kernel keeps the name in a fixed `char` array (`tcp_congestion_ops.name` is `char[16]`: at most 15 bytes and a NUL; `sched_ext_ops.name` 127 bytes) and refuses a name without its NUL, so a longer impl name is cut to fit, and the registered name is said here.",
  (impl: string, opsType: string, registered: string, max: number) => ({
    message: `\`${impl}\` is longer than \`${opsType}.name\` holds (${max} bytes): it registers as \`${registered}\``,
    label: "the impl name is the default `name`",
    help: `choose the name yourself: add \`name: "${registered}",\` (at most ${max} bytes) to the impl`,
  }),
);

export const declaredOpsUntypedMembers = defineWarning(
  "W0253",
  "struct_ops methods typed only by the impl",
  "Without the kernel's BTF of a struct_ops type (sched_ext_ops on a kernel built without CONFIG_SCHED_CLASS_EXT), its members come from the declaration in a `.kh`. The reference implementation's generated headers write method members as `*u8` (or `u32` where they could not resolve them) and string members as `u32`: such members filled by a method are taken as function pointers with the impl's prototype, and a `name` given a string as the kernel's `char` array. Nothing checks those prototypes here; the kernel checks them when it loads the programs.",
  (impl: string, opsType: string, members: string) => ({
    message: `\`${impl}\`: \`${opsType}\` is not in this kernel's BTF, and its declaration does not type ${members}: the impl's methods and values are used as written, unchecked`,
    label: "members typed by this impl",
    help: `declare the members with their kernel prototypes (\`select_cpu: fn(p: *task_struct, prev_cpu: i32, wake_flags: u64) -> i32,\`) to have them checked, or build on a kernel whose BTF has \`${opsType}\``,
  }),
);

export const kernelTypeDeclaredInProgram = defineError(
  "E0284",
  "kernel struct_ops type declared in the program",
  "A struct_ops type is a kernel type: its declaration belongs in a `.kh` header, so that the generated C defines it only where the kernel's vmlinux.h lacks it. A `struct` declared in the `.ks` file itself is a program type shared with user space.",
  (opsType: string) => ({
    message: `\`struct ${opsType}\` is the kernel type this impl fills in, but it is declared in the program`,
    label: "declared here",
    help: `move \`struct ${opsType}\` (and the kernel types it uses) into a .kh and \`include\` it`,
  }),
);

export const kfuncMissingFromKernel = defineWarning(
  "W0236",
  "kfunc not in this kernel's BTF",
  "An `extern` kernel function the kernel's BTF does not have is declared `__ksym __weak`: the object still builds and loads where the function is missing, but a program that calls it is refused by the verifier there. Inside an impl of a struct_ops type this kernel lacks, that is expected (the whole impl needs a kernel with that feature); elsewhere it is probably a mistake.",
  (name: string, caller: string) => ({
    message: `\`${name}\` is not in this kernel's BTF, so \`${caller}\` will not load on this kernel`,
    label: "unknown kfunc",
    help: "check the name against `bpftool btf dump file /sys/kernel/btf/vmlinux | grep FUNC`, or call it only from the impl of the kernel feature that provides it",
  }),
);

// --- license ---

export const duplicateLicense = defineError(
  "E0264",
  "license declared twice",
  "An eBPF object has one license string (its `license` section), so a program declares `license \"…\"` at most once.",
  (previous: Span) => ({
    message: "the file declares its license a second time",
    label: "second license declaration",
    secondary: [{ span: previous, message: "first declared here" }],
    help: "keep one `license` declaration",
  }),
);

export const licenseOutsideMainFile = defineError(
  "E0265",
  "license declared outside the main file",
  "The license string belongs to the eBPF object the main `.ks` file becomes; imported `.ks` modules and `.kh` headers are parts of it and cannot choose it.",
  (where: { readonly header: string } | { readonly importedModule: string }) => ({
    message: `a \`license\` declaration in ${"header" in where ? `the header \`${where.header}\`` : `the imported module \`${where.importedModule}\``}: only the main \`.ks\` file sets the eBPF object's license`,
    label: "not allowed here",
    help: "move the `license` declaration into the main file",
  }),
);

/** What makes a license string unusable. */
export type LicenseProblem = { readonly kind: "empty" | "notPrintable" } | { readonly kind: "tooLong"; readonly length: number; readonly max: number };

function licenseProblemText(problem: LicenseProblem): string {
  switch (problem.kind) {
    case "empty": return "is empty";
    case "notPrintable": return "has characters that are not printable ASCII";
    case "tooLong": return `is ${problem.length} bytes long; libbpf passes at most ${problem.max} to the kernel`;
  }
}

export const invalidLicense = defineError(
  "E0266",
  "invalid license string",
  "The license string is copied into the object's `license` section and handed to the kernel with every program. libbpf keeps at most 63 bytes of it (and the kernel 127), so a longer string would be cut before the kernel compares it; it must be plain printable ASCII.",
  (value: string, problem: LicenseProblem) => ({
    message: `the license string ${JSON.stringify(value)} ${licenseProblemText(problem)}`,
    label: "invalid license",
    help: "write 1 to 63 printable ASCII characters, e.g. `license \"Dual MIT/GPL\"`",
  }),
);

export const licenseLooksLikeGpl = defineWarning(
  "W0237",
  "license string mentions GPL but is not GPL-compatible",
  "The kernel decides GPL compatibility by comparing the license string with exactly six strings (`GPL`, `GPL v2`, `GPL and additional rights`, `Dual BSD/GPL`, `Dual MIT/GPL`, `Dual MPL/GPL`). SPDX identifiers such as `GPL-2.0-only` are not among them, so a program with such a license is treated as non-GPL and may not call GPL-only helpers or kfuncs.",
  (value: string, suggestion: string) => ({
    message: `the kernel does not treat the license ${JSON.stringify(value)} as GPL-compatible`,
    label: "not one of the kernel's GPL-compatible strings",
    help: `the kernel compares the exact string: write \`license ${JSON.stringify(suggestion)}\` if the program is GPL-compatible`,
  }),
);

// --- records ---

export const recordReadArguments = defineError(
  "E0285",
  "wrong arguments to a test's record read",
  "In a `@test` function, `rb.next()` returns the oldest record the eBPF side submitted to ring buffer or perf event array `rb` (typed as its record struct) and `rb.pending()` how many are waiting; both take no arguments.",
  (call: string, count: number) => ({
    message: `\`${call}\` takes no arguments, found ${count}`,
    label: "arguments here",
    help: "write `var e = events.next()` to take the oldest record, or `events.pending()` for how many are waiting",
  }),
);

export const runCommandArgument = defineError(
  "E0286",
  "run_command() needs a command line",
  "`run_command(\"…\")` runs a command line with /bin/sh in a child process and returns its exit status: the way a test triggers the event a tracing program it attached watches (an exec, a syscall, a file access). The command is a string literal, so the test binary shows exactly what ran.",
  (found: { readonly count: number } | "emptyString" | "expression") => ({
    message: `\`run_command()\` takes one string literal (the command line), found ${found === "emptyString" ? "an empty string"
      : found === "expression" ? "an expression" : `${found.count} arguments`}`,
    label: "not a command line",
    help: "write `assert(run_command(\"/bin/true\") == 0)`",
  }),
);

// Names in kernel-module code: names-modules.ts.
export * from "./names-modules.js";
