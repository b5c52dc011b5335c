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
}

export const verifierPatterns: readonly VerifierPattern[] = [
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

/** The pattern explaining `message`, and the line it matched; undefined when none does. */
export function matchVerifierMessage(message: readonly string[]): { pattern: VerifierPattern; line: string } | undefined {
  for (const pattern of verifierPatterns) {
    for (const line of message) {
      if (pattern.anyOf.some((all) => all.every((needle) => line.includes(needle)))) return { pattern, line };
    }
  }
  return undefined;
}
