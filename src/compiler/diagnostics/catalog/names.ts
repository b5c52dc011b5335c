//! E02xx: names, declarations, includes and where functions may be called from.

import { defineError, defineWarning } from "../diagnostic.js";
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
  (name: string, role: string) => ({
    message: `${role} \`${name}\` runs in the kernel and cannot be called from user space`,
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
  "A probe attaches to a kernel function; the kernel's BTF has no function of that name, so nothing could attach. Functions that are inlined or static in the running kernel are often absent.",
  (name: string, suggestion: string | undefined) => ({
    message: `the running kernel has no function \`${name}\``,
    label: "not in the kernel's BTF",
    ...(suggestion ? didYouMean(suggestion) : {
      help: "check the name in /proc/kallsyms; syscalls are traced as `__x64_sys_NAME` or through `@tracepoint(\"syscalls/sys_enter_NAME\")`",
    }),
  }),
);
