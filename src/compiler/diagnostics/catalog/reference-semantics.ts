//! E0625–E0631, W0272–W0275: meanings given to KernelScript 0.1.1 constructs the
//! reference implementation accepts without defining them (its `@test` contexts, helpers
//! returning `&local`, `u32 != null`, `print` as a value, `var x = null`), and E0628–E0631
//! for map-kind attributes (`@hashes(n)` of a bloom filter).

import { defineError, defineWarning } from "../diagnostic.js";
import type { MapExtraMeaning } from "../../types.js";
import { alternatives } from "./wording.js";

/** Why a field of a user struct passed to `test()` cannot be part of the run; `run` is the program type's label. */
export type TestContextFieldProblem =
  | { readonly kind: "meaningless" }
  | { readonly kind: "otherRun"; readonly run: string }
  | { readonly kind: "notInteger"; readonly type: string };

function testContextFieldProblemText(why: TestContextFieldProblem): string {
  switch (why.kind) {
    case "meaningless": return "means nothing to a test run";
    case "otherRun": return `is not part of the ${why.run} test run`;
    case "notInteger": return `must be an integer, not \`${why.type}\``;
  }
}

export const testContextField = defineError(
  "E0625",
  "test context field without a meaning",
  "`test(prog, ctx)` also takes a struct you declare yourself, as KernelScript 0.1.1's examples do (`XdpTestContext { packet_size, interface_id, expected_action }`). Each field must say something the test run can do: `packet_size` is a frame of that many zero bytes, `interface_id` the receiving interface (`ingress_ifindex`), `expected_action` is not used by the run (the test compares the result itself), and a field named like a `TestRun` field (`ingress_ifindex`, `rx_queue_index`, `ifindex`, `mark`, `priority`, `repeat`) sets it. Fields are integers. Any other field would be silently ignored (the reference ignores the whole struct), so it is an error.",
  (struct: string, field: string, why: TestContextFieldProblem, allowed: string) => ({
    message: `\`${struct}.${field}\` ${testContextFieldProblemText(why)}`,
    label: `this \`${struct}\` is the test run's context`,
    help: `a test context here may have ${allowed || "none"}; remove or rename the field, or pass a \`TestRun\``,
  }),
);

export const localKeptPerCpu = defineWarning(
  "W0272",
  "helper returns a pointer to its local",
  "A `@helper` returns `&local` (KernelScript 0.1.1's type_checking and types_demo examples do). On the stack that pointer would dangle, so the compiler keeps the returned local in a per-CPU slot of its own (a one-entry `BPF_MAP_TYPE_PERCPU_ARRAY` generated for that helper and variable): the local's value is copied there on `return`, and the pointer is to the slot. It stays valid and keeps the value until the same helper returns that local again on the same CPU (a later call, or a program that interrupts this one on this CPU and calls the helper). The pointer may be null like any pointer a function returns (only if the slot cannot be found, which does not happen for a loaded program), so callers check it. Return the struct by value if the caller should own a copy.",
  (helper: string, local: string) => ({
    message: `\`${helper}\` returns a pointer to its local \`${local}\`; \`${local}\` is kept in per-CPU storage`,
    label: `valid until \`${helper}\` returns again on this CPU`,
    help: `copy what you need before calling \`${helper}\` again, or return the value itself (\`return ${local}\` with a non-pointer result type)`,
  }),
);

export const integerComparedWithNull = defineWarning(
  "W0273",
  "integer compared with null",
  "An integer is never null. KernelScript 0.1.1 accepts `x != null` for any `x` and emits C that compares the integer with 0, so this compiler does the same: `x == null` is `x == 0`, `x != null` is `x != 0`. Whether a map has a key is a different question, asked of the lookup itself: `m[k] != null`, a variable that holds the lookup (`var v = m[k]`, then `v != null`), or `if (var v = m[k]) { … }`. A value that went through a function or an assignment has lost that: a helper returning `m[k]` returns 0 for a missing key.",
  (type: string, op: string) => ({
    message: `a \`${type}\` is never null; \`${op} null\` compares it with 0`,
    label: `\`${op} 0\``,
    help: `write \`${op} 0\` to say so; to ask whether a map has a key, compare the lookup itself (\`m[k] ${op} null\`) or bind it (\`if (var v = m[k])\`)`,
  }),
);

export const nullLocalNotPointer = defineError(
  "E0626",
  "variable declared null gets a non-pointer",
  "`var x = null` declares a variable whose type comes from its first assignment (KernelScript 0.1.1 accepts it): a pointer value gives `x` that pointer type, and `x` starts as null. Only pointers can be null, so a first assignment of an integer, struct or string has no null to start from. Declare such a variable with its type and a real initial value instead.",
  (name: string, found: string) => ({
    message: `\`${name}\` was declared \`= null\`, so it holds a pointer, but this is a \`${found}\``,
    label: `a \`${found}\`, not a pointer`,
    help: `declare it with its type and a value: \`var ${name}: ${found} = …\``,
  }),
);

export const nullLocalUntyped = defineError(
  "E0627",
  "variable declared null never gets a type",
  "`var x = null` takes its type from the first pointer assigned to it later in the function. When nothing is ever assigned, nothing says what `x` points to, so its C declaration cannot be written. Give the type in the declaration.",
  (name: string) => ({
    message: `\`${name}\` is declared \`= null\` and never assigned a pointer, so it has no type`,
    label: "only ever `null`",
    help: `declare its type: \`var ${name}: *T = null\``,
  }),
);

const mapExtraMeaningText: Record<MapExtraMeaning, string> = { hashFunctions: "the number of hash functions" };

export const mapExtraAttribute = defineError(
  "E0628",
  "map attribute not valid here",
  "Some map kinds take a number at creation besides their size (the kernel's `map_extra`): a bloom filter `@hashes(n)`, the number of hash functions it sets per value (1 to 15; the kernel uses 5 when it is not given). The attribute must be a constant in its range and belongs only to the kind that has it.",
  // `owners`: the kinds that have the attribute; `meaning`: what its number is (a key from kernel/map-kinds.ts).
  (attribute: string, problem: { readonly kind: "otherKind"; readonly mapKind: string; readonly owners: readonly string[] } | { readonly kind: "range"; readonly meaning: MapExtraMeaning; readonly min: number; readonly max: number }) => ({
    message: problem.kind === "otherKind"
      ? `\`@${attribute}\` is not an attribute of a \`${problem.mapKind}\` map`
      : `\`@${attribute}\` takes ${mapExtraMeaningText[problem.meaning]}, one constant from ${problem.min} to ${problem.max}`,
    label: "not valid here",
    help: problem.kind === "otherKind"
      ? `remove it: \`@${attribute}\` belongs to ${alternatives(problem.owners)} maps`
      : `write \`@${attribute}(${problem.min})\` … \`@${attribute}(${problem.max})\`, or leave it out for the kernel's default`,
  }),
);
