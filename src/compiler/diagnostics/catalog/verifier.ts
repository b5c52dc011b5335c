//! E0450–E0479: the kernel verifier rejected a program the compiler accepted. These are
//! not found by the compiler: `verifier/` parses the kernel's log, maps the failing
//! instruction back to a `.ks` span through the line map and picks the entry whose
//! patterns (`verifier/patterns.ts`) match the verifier's message. The same wording is
//! generated into every loader (`emit/userspace/verifier-table.ts`).

import type { CatalogEntry } from "../diagnostic.js";

// --- verifier-map ---

/** What one rejection carries into the wording. */
export interface VerifierFacts {
  /** Program (function) name. */
  readonly program: string;
  /** The verifier's own line that matched (or its last line). */
  readonly said: string;
  /** `app.bpf.c:22: (*q) += 1;`, when the failing instruction has line info. */
  readonly cLocation?: string;
  /** `7: (79) r1 = *(u64 *)(r0 +0)`: the instruction the verifier stopped at. */
  readonly instruction?: string;
  /** Where the full log was written. */
  readonly logPath?: string;
  /** E0469: the kfunc the kernel could not resolve, when the log or the line map names it. */
  readonly kfunc?: string;
  /** E0469: the kernel module of this `.ks` file that provides `kfunc` (`NAME_kfuncs`). */
  readonly kernelModule?: string;
  /** E0469: the running kernel cannot load modules at all (CONFIG_MODULES is off). */
  readonly modulesUnsupported?: boolean;
}

/** A verifier entry: a catalogue entry plus the words the generated loader prints. */
export interface VerifierEntry extends CatalogEntry<[VerifierFacts]> {
  /** Plain words for what the verifier objected to (after "rejected `prog`: "). */
  readonly summary: string;
  readonly help: string;
}

function defineVerifierError(code: string, title: string, explanation: string, summary: string, label: string, help: string): VerifierEntry {
  return {
    code,
    severity: "error",
    title,
    explanation,
    summary,
    help,
    text: (facts: VerifierFacts) => ({
      message: `the kernel verifier rejected program \`${facts.program}\`: ${summary}`,
      label,
      help,
      notes: [
        `the verifier said: ${facts.said}`,
        ...(facts.instruction || facts.cLocation
          ? [`at ${[facts.instruction ? `instruction ${facts.instruction}` : "", facts.cLocation ? `(generated C: ${facts.cLocation})` : ""].filter((s) => s !== "").join(" ")}`]
          : []),
        ...(facts.logPath ? [`full verifier log: ${facts.logPath}`] : []),
      ],
    }),
  };
}

export const verifierUnrecognised = defineVerifierError(
  "E0450",
  "rejected by the kernel verifier",
  "The kernel's verifier refused to load a program the compiler accepted, with a message this version does not have an explanation for. The diagnostic quotes the verifier's last line and points at the `.ks` line of the last instruction it checked; the full log is written to a file. Please report the program: every verifier rejection of accepted code is a gap in the compiler's own checks.",
  "the verifier's message is quoted below",
  "the verifier stopped here",
  "read the full log (path below); `kernelscript explain FILE.ks:LINE` shows the C and the instructions of this line",
);

export const verifierPacketBounds = defineVerifierError(
  "E0451",
  "packet access out of bounds",
  "XDP and TC programs may read and write packet bytes only after comparing the pointer plus the access size against `data_end`. The verifier found an access it cannot prove lies between `data` and `data_end`. In KernelScript this normally cannot happen: header bindings (`if (var h: *T = ctx.header(off))`) are the bounds check. It happens when a packet pointer is made by hand (integer casts, pointer arithmetic).",
  "a packet byte is accessed without a bounds check the verifier can see",
  "this access may lie outside the packet",
  "read packet data through a header binding, `if (var h: *T = ctx.header(OFFSET)) { … }`, which checks `data + OFFSET + sizeof(T) <= data_end` where the verifier sees it",
);

export const verifierNullDereference = defineVerifierError(
  "E0452",
  "possible NULL dereference",
  "A map lookup (and many helpers and kfuncs) returns a pointer that is NULL when there is nothing to return; the verifier rejects every read or write through it until a comparison with NULL has proven it non-NULL on that path. Casting the pointer, or testing a different pointer derived from it, hides the check from the compiler but not from the verifier.",
  "a pointer that may be NULL (a map value or helper result) is used before it is checked",
  "this may go through a NULL pointer",
  "check the pointer itself before using it: `if (var e = m[k]) { … }` or `if (p != null) { … }`, and use that checked pointer",
);

export const verifierUnreleasedReference = defineVerifierError(
  "E0453",
  "unreleased reference",
  "Some helpers and kfuncs hand out references (sockets from `bpf_sk_lookup_*`, ring-buffer records, objects from `bpf_obj_new`, acquired tasks). Every path through the program must release what it acquired before the program returns; the verifier found a path that returns still holding one.",
  "a reference acquired from the kernel is not released on some path",
  "acquired here and not released on every path",
  "release what you acquired on every path (`bpf_sk_release(sk)` after `bpf_sk_lookup_*`, `submit`/`discard` for ring-buffer records, `delete` for `new`), including early returns",
);

export const verifierUnboundedLoop = defineVerifierError(
  "E0454",
  "loop the verifier cannot prove ends",
  "The verifier walks every loop iteration by iteration; when it reaches a state it has already seen at the same instruction, the loop cannot end (an infinite loop), and older kernels reject every backward jump. The compiler proves every `while` loop of eBPF code ends before the verifier sees it (E0410: a counter it can follow, whose address is never taken), so this is rare: it comes from loops the compiler did not write or could not see through.",
  "a loop the verifier cannot prove ends",
  "the verifier found this loop may never end",
  "use `for (i in 0..N)` with a constant `N` (plus `break`), or a runtime bound (the compiler then uses `bpf_loop()`); do not change the counter through pointers",
);

export const verifierStackLimit = defineVerifierError(
  "E0455",
  "stack limit exceeded",
  "eBPF programs have 512 bytes of stack for the whole call chain: the program's frame plus every function and loop callback (`bpf_loop()`) frame called from it, each rounded up by the kernel. The compiler estimates this from declared variables; the C compiler may add temporaries and copies on top, which the verifier counts.",
  "the program's stack (all frames of a call chain together) exceeds 512 bytes",
  "the stack of this program is too large",
  "move large buffers into a per-CPU array map (`var scratch: PerCpuArray<u32, T>(1)`) and work on its entry; keep large locals out of loop bodies, whose callbacks are separate frames",
);

export const verifierInvalidStackRead = defineVerifierError(
  "E0456",
  "invalid stack read",
  "The verifier tracks every byte of the program's stack. Reading bytes that were never written (unprivileged programs), or reading at an offset outside the function's frame (for example through a pointer moved past a local variable), is rejected.",
  "the program reads stack memory that is outside its variables or was never written",
  "this reads outside the stack variables",
  "read and write locals directly or through pointers that stay inside them; index arrays with a checked index (`if (i < N) { a[i] }`) instead of moving pointers by hand",
);

export const verifierHelperNotAllowed = defineVerifierError(
  "E0457",
  "helper not available to this program type",
  "Each program type may call only the helpers the kernel registers for it (packet helpers for XDP/TC, tracing helpers for probes and tracepoints …); the kernel also lacks helpers newer than itself. The verifier names the helper and its number.",
  "it calls a helper this program type (or this kernel) does not allow",
  "this helper is not allowed here",
  "use a helper of this program type (see `man 7 bpf-helpers`, and `bpftool feature probe` for what this kernel offers), or move the work into a program of a type that may call it",
);

export const verifierProgramTooLarge = defineVerifierError(
  "E0458",
  "program too complex for the verifier",
  "The verifier walks every path of a program and gives up after one million instructions (or too many branches in a row). Loops are walked iteration by iteration, so a loop with a large bound and a body that is long after inlining (`@helper` functions are inlined) can exceed the budget even when the program itself is short.",
  "verifying it needs more than the kernel's budget of 1,000,000 instructions",
  "the verifier gave up inside this code",
  "reduce the work per iteration or the number of iterations; a loop with a runtime bound (`for (i in 0..n)`) becomes a `bpf_loop()` callback that is verified once, not per iteration",
);

export const verifierGplOnly = defineVerifierError(
  "E0459",
  "GPL-only helper from a non-GPL program",
  "Many kernel helpers and every kfunc are offered only to programs whose license string is GPL-compatible (exactly `GPL`, `GPL v2`, `GPL and additional rights`, `Dual BSD/GPL`, `Dual MIT/GPL` or `Dual MPL/GPL`). The object's `license` section decides; KernelScript writes `GPL` unless the file declares another license (`license \"…\"`). The compiler refuses what it generates itself (E0490, E0491); a helper called through `extern` is left to the kernel, whose rejection is this.",
  "it calls a GPL-only kernel function but the program's license is not GPL-compatible",
  "this function is only for GPL-compatible programs",
  "declare a GPL-compatible license (`license \"GPL\"`, or e.g. `license \"Dual MIT/GPL\"`), or avoid this helper",
);

export const verifierMisaligned = defineVerifierError(
  "E0460",
  "misaligned access",
  "Stack accesses (and, on architectures without efficient unaligned access, all accesses) must be aligned to their size: an 8-byte load needs an offset divisible by 8. Casting a pointer to an element inside a byte array to a wider type creates such accesses.",
  "it accesses memory at an offset not aligned to the access size",
  "this access is misaligned",
  "read and write whole typed fields instead of casting byte pointers to wider types; copy bytes one at a time or declare the buffer as a struct with the wide field",
);

export const verifierUninitialisedRegister = defineVerifierError(
  "E0461",
  "use of an uninitialised value",
  "The verifier rejects reading a register that holds no value on the path it checks. KernelScript defines every integer operation (division by zero, shifts by the width or more: docs/language/integers.md), so generated code leaves no value undefined that way; the C compiler drops a computation only when the C reads a value before it is set, for example the result of a call the kernel did not provide.",
  "it uses a value that was never computed (undefined behaviour in the expression)",
  "this value is undefined",
  "look for a value read before it is set, or a call whose result the kernel does not provide",
);

export const verifierMapValueBounds = defineVerifierError(
  "E0462",
  "map value access out of bounds",
  "A pointer into a map value may be used only within the value's size. The verifier found an access at an offset past the end (or before the start) of the value, usually from pointer arithmetic or a cast to a larger type.",
  "it accesses a map value outside the value's size",
  "this access is outside the map value",
  "access the value through its declared type (`e.field`, `e.array[i]` with a checked index) instead of moving pointers into it",
);

export const verifierPointerArithmetic = defineVerifierError(
  "E0463",
  "forbidden pointer arithmetic",
  "The verifier allows arithmetic only on some pointer kinds (stack, map values, packets, with bounded offsets) and never on a pointer that may still be NULL, on map or context handles, or with offsets it cannot bound.",
  "it does arithmetic on a pointer the verifier forbids to move (a maybe-NULL pointer, a map or context pointer, or an unbounded offset)",
  "this pointer may not be moved",
  "check for NULL first and then move the checked pointer, bound offsets with a comparison or a mask, or index typed fields and arrays instead of computing addresses",
);

export const verifierModifiedContext = defineVerifierError(
  "E0464",
  "access through a modified context pointer",
  "The context (`ctx`) is not ordinary memory: the verifier rewrites each access to a known field at a fixed offset into the real kernel structure. It therefore rejects accesses through a context pointer that was moved, accesses with a variable offset and fields a program type may not read or write.",
  "it reads the context through a moved pointer, a variable offset or a field this program type may not access",
  "this context access is not allowed",
  "read context fields directly from the program's parameter (`ctx.field`), never through a copy moved by pointer arithmetic or a cast",
);

export const verifierHelperArgument = defineVerifierError(
  "E0465",
  "wrong kind of argument to a helper",
  "Each helper argument has a kind the verifier checks: a map (`&my_map`), a pointer to initialised stack memory of a given size, the context, a constant … The verifier names the register (R1 is the first argument), what it found and what it expected.",
  "a helper is called with an argument of the wrong kind",
  "an argument of this call has the wrong kind",
  "pass what the helper expects: maps are passed as the map itself, buffers as pointers to locals of the right size; calls through KernelScript's own map syntax (`m[k]`) always pass the right kinds",
);

export const verifierInvalidMemory = defineVerifierError(
  "E0466",
  "access through a value that is not a pointer",
  "The verifier rejects memory accesses through a register it knows only as a number (`scalar`), for example an integer cast to a pointer, or a pointer value stored and reloaded as an integer.",
  "it reads or writes memory through a value the verifier knows only as a number",
  "this is not a pointer the verifier can check",
  "use pointers the verifier can follow: map lookups, header bindings, `&local`; do not build pointers from integers",
);

export const verifierBtfError = defineVerifierError(
  "E0467",
  "object rejected before verification (BTF or layout)",
  "Before checking any instruction the kernel validates the object's BTF type information, function and line info, and the program's layout. A failure there usually means the toolchain (clang, libbpf) and the kernel disagree; it is not caused by the program's logic.",
  "the kernel rejected the program's BTF or layout before verifying any instruction",
  "the kernel rejected this program before checking its code",
  "check that clang, libbpf and bpftool are recent enough for this kernel (`clang --version`, `bpftool version`) and rebuild vmlinux.h from this kernel's BTF",
);

export const verifierKfuncMissing: VerifierEntry = {
  code: "E0469",
  severity: "error",
  title: "kfunc not in the running kernel (its module is not loaded)",
  explanation:
    "A kfunc the program calls is declared `__weak __ksym` (the `@kfunc` functions of this file's own kernel module, and `extern` kfuncs the compiling kernel's BTF lacked), so the object still opens when the kernel does not have it: libbpf leaves the call unresolved, and the verifier refuses every program that reaches it (`R0 !read_ok` after a `call #0`, or libbpf's `kfunc '…' is referenced but wasn't resolved`). Nothing in the program is wrong: the kernel module providing the kfunc is not loaded. The generated loader loads the file's own module (`NAME_kfuncs.ko`, built with `make module`) before the object; `check --kernel` and `build` load the object alone, so they report such programs as stopped at the boundary, not as errors of the program.",
  summary: "it calls a kfunc the running kernel does not have: the kernel module providing it is not loaded",
  help: "load the kernel module that provides the kfunc before the eBPF object (`modprobe`/`insmod`), then run again",
  text: (facts: VerifierFacts) => {
    const kfunc = facts.kfunc ? `kfunc \`${facts.kfunc}\`` : "a kfunc";
    const module = facts.kernelModule;
    const message = module
      ? `program \`${facts.program}\` calls ${kfunc} of kernel module \`${module}\`, which is not loaded`
      : `program \`${facts.program}\` calls ${kfunc}, which the running kernel does not have: the kernel module providing it is not loaded (or this kernel lacks it)`;
    const help = module
      ? `the generated loader loads \`${module}.ko\` itself before the object; to load it by hand, build and insert it in the output directory: \`make module install-module\` (KDIR= the kernel's build tree)`
      : `load the module that provides \`${facts.kfunc ?? "the kfunc"}\` (\`modprobe MODULE\`; \`bpftool btf dump file /sys/kernel/btf/MODULE\` lists a module's kfuncs), then run again`;
    return {
      message,
      label: facts.kfunc ? `\`${facts.kfunc}\` is not in the running kernel` : "this kfunc is not in the running kernel",
      help,
      notes: [
        ...(facts.modulesUnsupported ? ["this kernel cannot load modules (CONFIG_MODULES is off): programs calling this kfunc cannot run here"] : []),
        `the verifier said: ${facts.said}`,
        ...(facts.instruction || facts.cLocation
          ? [`at ${[facts.instruction ? `instruction ${facts.instruction}` : "", facts.cLocation ? `(generated C: ${facts.cLocation})` : ""].filter((s) => s !== "").join(" ")}`]
          : []),
        ...(facts.logPath ? [`full verifier log: ${facts.logPath}`] : []),
      ],
    };
  },
};

export const verifierPrivileges = defineVerifierError(
  "E0468",
  "program type or operation needs privileges the process lacks",
  "Some program types and operations are refused outright (EPERM) rather than by the verifier's analysis: tracing programs under kernel lockdown, pointer leaks or other features for unprivileged users. Nothing in the program's code is wrong; the kernel's configuration forbids it.",
  "the kernel refuses this program type or operation here (privileges or lockdown)",
  "the kernel refuses this program here",
  "run as root (with CAP_BPF/CAP_PERFMON), and check the kernel lockdown mode (`cat /sys/kernel/security/lockdown`)",
);
