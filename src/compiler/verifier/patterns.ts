//! Which catalogue entry explains a verifier message: a table, tried in order; an entry
//! matches when one of its alternatives has all of its substrings in one line of the
//! message. Plain substrings (not regular expressions) so that the generated loader
//! matches with `strstr` exactly as this module does (`emit/userspace/verifier-table.ts`
//! writes this table into the C). Message texts checked against kernels 5.x–6.18.

import * as verifier from "../diagnostics/catalog/verifier.js";
import type { VerifierEntry } from "../diagnostics/catalog/verifier.js";

export interface VerifierPattern {
  readonly entry: VerifierEntry;
  /** Alternatives; each is a list of substrings that must all occur in one line. */
  readonly anyOf: readonly (readonly string[])[];
  /**
   * Where to point: the instruction the verifier stopped at, or the program as a whole
   * (for limits checked after the walk, like the combined stack size).
   */
  readonly at: "instruction" | "program";
  /**
   * When the matched line names another instruction (`alloc_insn=12`: where an
   * unreleased reference was acquired), the text before its number: that instruction is
   * the better place to point at.
   */
  readonly pointsTo?: string;
  /**
   * The pattern matches only when the whole log also contains one of these substrings
   * (in any line): a complaint that means something else after a particular instruction,
   * like `R0 !read_ok` after an unresolved kfunc call (`(85) call #0`).
   */
  readonly logHas?: readonly string[];
  /** The message is about this kfunc: the instruction to point at is the unresolved call. */
  readonly unresolvedKfunc?: boolean;
}

/**
 * Marks of a call to a kfunc libbpf could not resolve (a weak `__ksym` the kernel lacks):
 * libbpf < 1.4 leaves it as `call #0` (BTF id 0), which the verifier skips without
 * setting R0; libbpf >= 1.4 turns it into a call of helper 2002000000 + N and rewrites
 * the verifier's complaint to `N: <invalid kfunc call>` / `kfunc 'NAME' is referenced
 * but wasn't resolved`.
 */
export const unresolvedKfuncMarks: readonly string[] = ["(85) call #0", "call unknown#2002000", "<invalid kfunc call>", "kernel function call not eliminated"];

export const verifierPatterns: readonly VerifierPattern[] = [
  // Before E0461 (`!read_ok`): an unresolved kfunc leaves R0 unset.
  {
    entry: verifier.verifierKfuncMissing,
    at: "instruction",
    unresolvedKfunc: true,
    logHas: unresolvedKfuncMarks,
    anyOf: [["R0 !read_ok"], ["is referenced but wasn't resolved"], ["invalid func unknown#2002000"], ["invalid kernel function call not eliminated"]],
  },
  { entry: verifier.verifierGplOnly, at: "instruction", anyOf: [["GPL-restricted"], ["GPL compatible"], ["non-GPL"]] },
  { entry: verifier.verifierProgramTooLarge, at: "instruction", anyOf: [["BPF program is too large"], ["is too complex"], ["too many states"]] },
  { entry: verifier.verifierStackLimit, at: "program", anyOf: [["combined stack size"], ["stack size", "Too large"], ["stack limit"], ["stack depth", "exceeds"]] },
  { entry: verifier.verifierUnreleasedReference, at: "instruction", pointsTo: "alloc_insn=", anyOf: [["Unreleased reference"], ["reference leak"]] },
  { entry: verifier.verifierUnboundedLoop, at: "instruction", anyOf: [["infinite loop detected"], ["back-edge"], ["unbounded loop"], ["loop is not bounded"]] },
  { entry: verifier.verifierPacketBounds, at: "instruction", anyOf: [["invalid access to packet"], ["outside of the packet"]] },
  { entry: verifier.verifierMapValueBounds, at: "instruction", anyOf: [["invalid access to map value"]] },
  { entry: verifier.verifierMisaligned, at: "instruction", anyOf: [["misaligned"]] },
  { entry: verifier.verifierPointerArithmetic, at: "instruction", anyOf: [["pointer arithmetic", "prohibited"], ["math between", "pointer"], ["pointer arithmetic", "not allowed"], ["tried to", "from different"]] },
  { entry: verifier.verifierModifiedContext, at: "instruction", anyOf: [["modified ctx ptr"], ["variable ctx access"], ["invalid bpf_context access"]] },
  { entry: verifier.verifierNullDereference, at: "instruction", anyOf: [["invalid mem access", "or_null"]] },
  { entry: verifier.verifierInvalidStackRead, at: "instruction", anyOf: [["invalid", "read from stack"], ["invalid stack off"], ["uninitialized stack"]] },
  { entry: verifier.verifierHelperNotAllowed, at: "instruction", anyOf: [["unknown func"], ["cannot use helper"], ["cannot call", "kernel function"], ["calling kernel function", "not allowed"], ["helper call is not allowed"]] },
  { entry: verifier.verifierUninitialisedRegister, at: "instruction", anyOf: [["!read_ok"]] },
  { entry: verifier.verifierHelperArgument, at: "instruction", anyOf: [[" type=", " expected="], ["arg#", "expected"], ["unacceptable", "arg"]] },
  { entry: verifier.verifierInvalidMemory, at: "instruction", anyOf: [["invalid mem access"]] },
  { entry: verifier.verifierBtfError, at: "program", anyOf: [["BTF"], ["func_info"], ["line_info"], ["Invalid name"], ["] FUNC ", "type_id="], ["Invalid", "linkage"]] },
];

/**
 * The pattern explaining `message`, and the line it matched; undefined when none does.
 * `log` (the whole log) is needed by the patterns with `logHas`; without it they never match.
 */
export function matchVerifierMessage(message: readonly string[], log?: string): { pattern: VerifierPattern; line: string } | undefined {
  for (const pattern of verifierPatterns) {
    if (pattern.logHas && !(log !== undefined && pattern.logHas.some((mark) => log.includes(mark)))) continue;
    for (const line of message) {
      if (pattern.anyOf.some((all) => all.every((needle) => line.includes(needle)))) return { pattern, line };
    }
  }
  return undefined;
}
