//! E05xx: things the compiler cannot generate (yet, or on principle).

import type { Span } from "../../source.js";
import { defineError } from "../diagnostic.js";

/** What E0501 is about: each construct the compiler cannot generate code for yet. */
export type UnsupportedFeature =
  | { readonly kind: "programType"; readonly attribute: string }
  | { readonly kind: "localMap" }
  | { readonly kind: "arrayInMap" }
  | { readonly kind: "arrayResult" }
  | { readonly kind: "stringGlobal" }
  | { readonly kind: "contextFieldWrite" }
  | { readonly kind: "untypedEmptyArray" }
  | { readonly kind: "functionToModuleFunction" }
  | { readonly kind: "callThroughExpression" }
  | { readonly kind: "inLoopCallback"; readonly construct: "tailCall" | "defer" | "errorHandling" };

const wrapArrayInStruct = "wrap the array in a struct: `struct Name { bytes: u8[16] }`";

function unsupportedFeature(feature: UnsupportedFeature): { what: string; help?: string } {
  switch (feature.kind) {
    case "programType": return { what: `\`@${feature.attribute}\` programs` };
    case "localMap": return { what: "`local` maps" };
    case "arrayInMap": return { what: `arrays as map keys or values (${wrapArrayInStruct})` };
    case "arrayResult": return { what: "arrays as function results (return a struct that holds the array: `struct Name { bytes: u8[16] }`)" };
    case "stringGlobal": return { what: "string (`str`) globals" };
    case "contextFieldWrite": return { what: "writing to kernel context fields" };
    case "untypedEmptyArray": return { what: "an empty array literal without a declared array type" };
    case "functionToModuleFunction": return { what: "passing a function to a module function" };
    case "callThroughExpression": return { what: "calls through expressions" };
    case "inLoopCallback": {
      const construct = feature.construct === "tailCall" ? "a tail call" : feature.construct === "defer" ? "`defer`" : "error handling (`throw`, `try`, or a call that may throw)";
      return { what: `${construct} inside a loop that becomes a \`bpf_loop()\` callback (a runtime or very large bound)` };
    }
  }
}

export const notSupportedYet = defineError(
  "E0501",
  "not supported yet",
  "The language has this construct but this compiler version cannot generate code for it yet. The diagnostic names the construct; nothing is emitted rather than emitting wrong code.",
  (feature: UnsupportedFeature) => {
    const { what, help } = unsupportedFeature(feature);
    return {
      message: `${what} is not supported by this version of the compiler yet`,
      help: help ?? "see ARCHITECTURE.md for what is implemented; rewrite without it for now",
    };
  },
);

// --- functions-pointers ---

export const mapEntryPointerInUserspace = defineError(
  "E0507",
  "pointer into a map entry in user space",
  "In eBPF a map lookup yields a pointer into the kernel's copy of the value. User space reads maps through system calls and only ever holds a copy, so a pointer into the entry cannot exist there.",
  () => ({
    message: "user space cannot take a pointer into a map entry",
    help: "use `var s = m[k]` (writes to `s.f` are written back to the map) or `m[k].f = v`",
  }),
);

// --- packets ---

export const packetHeaderInUserspace = defineError(
  "E0506",
  "packet header type in user space",
  "The built-in packet headers come from vmlinux.h, which only the eBPF side includes; user space works with the values read from them (counters keyed by port, addresses as `be32`).",
  (name: string) => ({
    message: `the packet header type \`${name}\` is not available in user-space code`,
    help: "keep header structs in `@xdp`/`@tc` code and share plain values (integers, your own structs) through maps",
  }),
);

// --- errors-returns ---

export const notSupportedHere = defineError(
  "E0503",
  "not supported in this position",
  "The construct is supported, but not where it is written: the compiler cannot generate code for it there.",
  // One construct so far; a new one adds a key here with its reason and advice.
  (construct: "deferInLoop") => ({
    message: {
      deferInLoop: "`defer` inside a loop is not supported here: a deferred call is registered once per call of the function, and a loop could register it many times",
    }[construct],
    help: { deferInLoop: "call the cleanup at the end of each iteration, or move the loop body into a function that uses `defer`" }[construct],
  }),
);

// --- loops ---

export const loopNestingTooDeep = defineError(
  "E0504",
  "too many nested loop callbacks",
  "Loops with a runtime bound (and very long constant ones) become `bpf_loop()` callbacks; each nested one is another eBPF call frame, and the kernel allows 8 frames in a call chain.",
  (depth: number) => ({
    message: `${depth} nested \`bpf_loop()\` callbacks exceed the kernel's 8 call frames`,
    label: "this loop would need another frame",
    help: "give inner loops constant bounds (`for (i in 0..16)`), or move work into a separate program run",
  }),
);

// --- strings-match ---

export const tooManyPrintArguments = defineError(
  "E0502",
  "too many print arguments in eBPF",
  "eBPF programs print through bpf_trace_printk (up to 3 values) or bpf_trace_vprintk (up to 12 values, kernel 5.16+); the kernel rejects more.",
  (count: number) => ({
    message: `this print has ${count} values, but eBPF prints at most 12`,
    help: "split it into several prints",
  }),
);

// --- imports-exec ---

// --- exec-python ---

export const pythonParamsUnsupported = defineError(
  "E0514",
  "Python function with variadic or keyword-only parameters",
  "Calls into Python pass positional arguments only; a function with `*args`, `**kwargs`, a bare `*` or `/` has parameters no call from KernelScript can fill as declared.",
  (name: string, param: string, declared: Span) => ({
    message: `\`${name}\` cannot be called from KernelScript: its parameter list has \`${param}\``,
    label: "calls a Python function with variadic or keyword-only parameters",
    secondary: [{ span: declared, message: "defined here" }],
    help: "add a small wrapper `def` with plain positional parameters to the Python module and call that",
  }),
);

export const pythonImportInModule = defineError(
  "E0515",
  "Python import inside an imported module",
  "The embedded Python interpreter belongs to the program's main file: only it may import Python modules (a `.ks` module receives Python results as arguments).",
  (module: string) => ({
    message: `the module \`${module}\` imports a Python file; only the main file of the program may import Python`,
    label: "Python import in a module",
    help: "move this import into the main `.ks` file and pass what the module needs as arguments",
  }),
);

// --- kmod ---

export const moduleNameInvalid = defineError(
  "E0512",
  "project name not usable as a kernel module name",
  "The kernel module is named after the project (`NAME_kfuncs.ko`, with characters other than letters, digits and `_` replaced by `_`); the kernel limits module names to 55 bytes.",
  (name: string, moduleName: string, limit: number) => ({
    message: `the project name \`${name}\` cannot name a kernel module: the module name \`${moduleName}\` is ${moduleName.length} bytes long; the kernel allows ${limit}`,
    label: "kernel-module code here",
    help: "give the project a shorter name (rename the `.ks` file, or compile with another output name)",
  }),
);

// --- testing ---

/** Why a `@helper` does not build in user space; `callsUnportable` goes one call deeper. */
export type Unportable =
  | { readonly kind: "noBody" | "indirectCall" | "loop" | "binding" | "returnsAddress" | "errorHandling" }
  | { readonly kind: "parameterType" | "variableType"; readonly name: string; readonly type: string }
  | { readonly kind: "usesMap" | "usesGlobal" | "refersTo" | "kernelOnlyCall"; readonly name: string }
  | { readonly kind: "callsUnportable"; readonly callee: string; readonly inner: Unportable };

function unportableText(why: Unportable): string {
  switch (why.kind) {
    case "noBody": return "it has no body";
    case "parameterType": return `its parameter \`${why.name}\` has type \`${why.type}\``;
    case "variableType": return `its variable \`${why.name}\` has type \`${why.type}\``;
    case "usesMap": return `it uses map \`${why.name}\``;
    case "usesGlobal": return `it uses the global \`${why.name}\``;
    case "refersTo": return `it refers to \`${why.name}\``;
    case "callsUnportable": return `it calls \`${why.callee}\`, and ${unportableText(why.inner)}`;
    case "kernelOnlyCall": return `it calls \`${why.name}()\`, which exists only in the kernel`;
    case "indirectCall": return "it makes a method or indirect call";
    case "loop": return "it has a loop (eBPF loops may become kernel callbacks)";
    case "binding": return "it binds a map entry, packet header or pointer";
    case "returnsAddress": return "it returns an address (`return &…`)";
    case "errorHandling": return "it uses error handling";
  }
}

export const helperNotPortable = defineError(
  "E0516",
  "@helper not callable from a test",
  "A `@test` function runs in user space; it can call a `@helper` only when the helper's body is plain C that also compiles there (no maps, packets, contexts, kernel helpers, ring buffers, prints or loops that become eBPF callbacks).",
  (helper: string, why: Unportable) => ({
    message: `\`@test\` code cannot call \`@helper\` \`${helper}\`: ${unportableText(why)}`,
    label: "called from a test",
    help: "test the helper through the program that calls it, or move its pure part into a helper without kernel-only operations",
  }),
);

// --- sched-ext ---

export const twoCompatOpsTypes = defineError(
  "E0525",
  "two struct_ops types missing from the kernel",
  "Kernel types declared in `.kh` headers and absent from the kernel's BTF are emitted inside one `#ifndef KS_HAVE_<OPS>` guard, keyed by the struct_ops type they come with. Two such struct_ops types in one program would leave it ambiguous which guard the other types belong to.",
  (first: string, second: string) => ({
    message: `\`${second}\` and \`${first}\` are both missing from this kernel's BTF; one program can implement only one such struct_ops type`,
    label: "second struct_ops type without BTF",
    help: "split the impl blocks into two programs, or build on a kernel whose BTF has one of them",
  }),
);

export const opaqueKernelStructByValue = defineError(
  "E0526",
  "opaque kernel struct used by value",
  "A kernel struct declared without members in a `.kh` (`struct scx_exit_info {}`) is opaque: the generated C only forward-declares it, so it can be used through pointers only.",
  (opsType: string, member: string, struct: string) => ({
    message: `\`${opsType}.${member}\` holds \`${struct}\` by value, but \`struct ${struct}\` is declared without members and is not in this kernel's BTF`,
    label: "opaque struct by value",
    help: `declare the members of \`struct ${struct}\` in the .kh, or use \`*${struct}\``,
  }),
);

// --- types nested through declarations (check/type-nesting.ts) ---

export const structContainsItself = defineError(
  "E0530",
  "struct contains itself",
  "A struct that holds itself by value, directly, inside an array or through other structs it holds, would be infinitely large: it has no C layout and no size. A struct may refer to itself through a pointer (`next: *Node`), which is how linked structures are written.",
  (name: string, path: string) => ({
    message: `struct \`${name}\` contains itself by value: ${path}`,
    label: "this field makes it infinitely large",
    help: `hold it through a pointer instead (\`*${name}\`), or keep the inner value in a map`,
  }),
);

export const typeNestedTooDeep = defineError(
  "E0531",
  "type nested too deep",
  "Structs holding structs by value, arrays of arrays and pointers to pointers built through type aliases or struct declarations may nest at most 100 levels, like the syntax they are written with (E0121): layouts, the emitted C and every pass that walks a type are recursive. Real types stay far below it.",
  (what: "struct" | "type", name: string, limit: number) => ({
    message: `${what} \`${name}\` nests more than ${limit} levels deep`,
    label: what === "struct" ? "this field goes past the limit" : "this type goes past the limit",
    help: what === "struct"
      ? "hold the inner struct through a pointer, or flatten the chain of structs"
      : "build the type from fewer aliases, or wrap inner parts in a struct held through a pointer",
  }),
);
