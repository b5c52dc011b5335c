//! E04xx, continued: references the verifier tracks (ring-buffer records, objects from
//! `new`, entries of maps of objects) released exactly once on every path, checked by
//! `analyze/references.ts`. Re-exported by safety.ts.

import { defineError, defineWarning } from "../diagnostic.js";
import type { Span } from "../../source.js";

// --- ringbuf-objects ---

/** The verifier tracks reserved records and `new` objects as references. */
const referenceExplanation = "The verifier rejects a program when a reserved ring-buffer record or an object from `new` can reach the end of the program without being released (\"Unreleased reference\"). KernelScript follows every path (returns, breaks, branches) before anything is loaded.";

/** What a variable holds that the verifier tracks (`analyze/references.ts`), and how it was released. */
export type HeldReference = "record" | "entry" | "object";
export type ReleaseKind = "submitted" | "discarded" | "deleted";

const heldText = { record: "ring buffer record", entry: "map entry", object: "object" } as const;
/** The release a reference needs: a record is submitted or discarded, an object deleted. */
const releaseText = (held: HeldReference): string => (held === "record" ? "submitted or discarded" : "deleted");

/** Where a held reference leaks: the point the path reaches while it is still held. */
export type LeakPoint =
  | "functionEnds" | "scopeEnds" | "loopLeft" | "nextIteration" | "returns" | "throws" | "tailCalls"
  | { readonly overwritten: string };

function leakPointText(point: LeakPoint): string {
  if (typeof point !== "string") return `\`${point.overwritten}\` is overwritten here`;
  return {
    functionEnds: "the function ends here", scopeEnds: "the scope ends after this statement", loopLeft: "the loop is left here",
    nextIteration: "the next iteration starts here", returns: "the function returns here", throws: "an error is thrown here",
    tailCalls: "the program tail-calls here",
  }[point];
}

/** How a held reference would leave its variable. */
export type EscapePoint = "stored" | "storedInMap" | "copied" | "returned" | "addressTaken" | "converted" | "storedInStruct" | "storedInArray";

const escapeText: Readonly<Record<EscapePoint, string>> = {
  stored: "is stored here", storedInMap: "is stored in a map here", copied: "is copied into another variable here",
  returned: "is returned here", addressTaken: "has its address taken here", converted: "is converted here",
  storedInStruct: "is stored in a struct here", storedInArray: "is stored in an array here",
};

export const referenceLeak = defineError(
  "E0420",
  "record or object not released on every path",
  `${referenceExplanation} Every reserved record must be submitted or discarded, and every object from \`new\` deleted, on every path.`,
  (name: string, held: HeldReference, point: LeakPoint, origin: Span, branch: Span | undefined) => {
    const what = heldText[held];
    const release = releaseText(held);
    return {
    message: `${what} \`${name}\` is not ${release} on every path`,
    label: `${leakPointText(point)} while \`${name}\` is still held`,
    secondary: [
      { span: origin, message: `\`${name}\` is ${what.startsWith("object") ? "allocated" : "reserved"} here` },
      ...(branch ? [{ span: branch, message: `\`${name}\` is ${release} only on one side of this branch` }] : []),
    ],
    help: `${release === "deleted" ? `\`delete ${name}\`` : `submit or discard \`${name}\``} before this point on this path too`,
    };
  },
);

export const useAfterRelease = defineError(
  "E0421",
  "use after submit, discard or delete",
  `${referenceExplanation} After \`submit\`, \`discard\` or \`delete\` the memory belongs to someone else; touching it again is rejected.`,
  (name: string, how: ReleaseKind | HeldReference, releasedAt: Span) => {
    const release = how === "submitted" || how === "discarded" || how === "deleted" ? how : releaseText(how);
    return {
    message: `\`${name}\` is used after it was ${release}`,
    label: "used here",
    secondary: [{ span: releasedAt, message: `${release} here` }],
    help: "do every read and write before releasing it",
    };
  },
);

export const doubleRelease = defineError(
  "E0422",
  "released twice",
  `${referenceExplanation} A record is submitted or discarded exactly once; an object is deleted exactly once.`,
  (name: string, how: ReleaseKind | HeldReference, releasedAt: Span) => {
    const release = how === "submitted" || how === "discarded" || how === "deleted" ? how : releaseText(how);
    return {
    message: `\`${name}\` may already have been ${release}`,
    label: "released again here",
    secondary: [{ span: releasedAt, message: `${release} here` }],
    help: "release it once, on each path",
    };
  },
);

export const releaseOfUncheckedRecord = defineWarning(
  "W0254",
  "ring-buffer record released without a null check",
  "`reserve()` returns null when the ring buffer is full. A record submitted or discarded without a check would be refused by the verifier; since nothing was reserved when it is null, there is nothing to release, so the compiler releases it only when it is not null (`if (e) bpf_ringbuf_submit(e, 0)`), which gives KernelScript 0.1.1 programs that skip the check a meaning. Writes into the record before the release still need the check (E0423). The warning says that the event is silently lost when the buffer is full.",
  (name: string, operation: string, origin: Span) => ({
    message: `\`${name}\` may be null here: \`${operation}\` happens only when \`reserve()\` succeeded`,
    label: "skipped when the ring buffer was full",
    secondary: [{ span: origin, message: "may return null" }],
    help: `to handle a full buffer, check it: \`if (var ${name} = ….reserve()) { … } else { … }\``,
  }),
);

export const missingNullCheck = defineError(
  "E0423",
  "missing null check",
  "`reserve()` returns null when the ring buffer is full and `new` returns null when memory is short; the verifier rejects any use before the program has checked.",
  (name: string, origin: Span) => ({
    message: `\`${name}\` may be null here`,
    label: "used before checking for null",
    secondary: [{ span: origin, message: "may return null" }],
    help: `check it first: \`if (var ${name} = …) { … }\` or \`if (${name} != null) { … }\``,
  }),
);

export const referenceEscapes = defineError(
  "E0424",
  "record or object must stay in its variable",
  `${referenceExplanation} To follow a record or object, the compiler requires it to be held in exactly one local variable of the function that reserved or allocated it.`,
  (escape: { readonly unkept: "record" | "object" } | { readonly name: string; readonly held: HeldReference; readonly at: EscapePoint }) => ({
    message: "unkept" in escape
      ? `${escape.unkept === "record" ? "the reserved record" : "the new object"} is not kept in a variable, so it can never be released`
      : `${heldText[escape.held]} \`${escape.name}\` ${escapeText[escape.at]}; it must stay in \`${escape.name}\` until it is ${releaseText(escape.held)}`,
    help: "keep it in one local (`var e = events.reserve()`), use it through that variable, and release it in the same function",
  }),
);

export const releaseNotOwned = defineError(
  "E0425",
  "release of something not owned",
  "`submit`/`discard` take a record reserved from the same ring buffer in the same function; `delete` takes an object made by `new` in the same function.",
  (operation: string, wanted: { readonly record: string } | "object", problem?: { readonly name: string; readonly entryOf: string | undefined } | { readonly name: string; readonly holds: HeldReference; readonly map: string | undefined }) => ({
    message: `\`${operation}\` needs ${wanted === "object" ? "an object made by `new` in this function, held in a local variable"
      : `a record reserved from \`${wanted.record}\` in this function, held in a local variable`}${problem === undefined ? ""
      : "entryOf" in problem
        ? `; \`${problem.name}\` may point into an entry of map \`${problem.entryOf}\` (an object stored there was moved into it: \`delete ${problem.entryOf}[k]\` removes the entry)`
        : `; \`${problem.name}\` holds ${problem.holds === "object" ? "an object made by `new`"
          : problem.holds === "entry" ? `a pointer into an entry of map \`${problem.map}\`` : `a record of \`${problem.map}\``}`}`,
    help: "release exactly what was reserved or allocated, through the same ring buffer",
  }),
);

