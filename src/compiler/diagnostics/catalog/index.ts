//! The catalogue of every diagnostic code, one file per range: `syntax.ts` (lexical and
//! syntax), `names.ts` and `names-modules.ts` (names, includes, imports), `types.ts`, `types-features.ts` and
//! `types-kernel-interfaces.ts`, `types-runtime.ts` (types), `safety.ts` and `safety-references.ts` (eBPF
//! safety and kernel limits), `verifier.ts` (kernel verifier
//! rejections, explained after loading), `codegen.ts` (code-generation limits),
//! `compatibility.ts`, `reference-semantics.ts`, `implicit-meanings.ts` (KernelScript
//! 0.1.1 programs), `program-types.ts` (what a program's type allows), `interpreter.ts` (running without a kernel), `deployment.ts` (`kernelscript package`). Which codes each file owns, and how codes are numbered, is
//! `../code-scheme.ts`. A catalogue file exports entries only (and types); phrases
//! several entries share live in `wording.ts`, and the reasons some type errors take in
//! `types-reasons.ts`; neither defines codes. `docs/diagnostics.md` is generated from `entriesByFile`.

import type { CatalogEntry } from "../diagnostic.js";
import * as syntax from "./syntax.js";
import * as names from "./names.js";
import * as namesModules from "./names-modules.js";
import * as types from "./types.js";
import * as typesFeatures from "./types-features.js";
import * as typesModules from "./types-modules.js";
import * as typesKernelInterfaces from "./types-kernel-interfaces.js";
import * as typesRuntime from "./types-runtime.js";
import * as safety from "./safety.js";
import * as safetyReferences from "./safety-references.js";
import * as codegen from "./codegen.js";
import * as verifier from "./verifier.js";
import * as compatibility from "./compatibility.js";
import * as referenceSemantics from "./reference-semantics.js";
import * as implicitMeanings from "./implicit-meanings.js";
import * as programTypes from "./program-types.js";
import * as typesTracing from "./types-tracing.js";
import * as typesRedirectMaps from "./types-redirect-maps.js";
import * as typesCgroupPrograms from "./types-cgroup-programs.js";
import * as interpreter from "./interpreter.js";
import * as deployment from "./deployment.js";

export { syntax, names, types, safety, codegen, verifier, compatibility, referenceSemantics, implicitMeanings, programTypes, typesTracing, typesCgroupPrograms };
export { typesRedirectMaps, interpreter, deployment };

/** Every entry, for documentation and for the tests that check each code has a case. */
export const allEntries: readonly CatalogEntry<never>[] = [syntax, names, types, typesRuntime, typesTracing, typesRedirectMaps, safety, codegen, verifier, compatibility, referenceSemantics, implicitMeanings, programTypes, typesCgroupPrograms, interpreter, deployment]
  .flatMap((module) => Object.values(module) as CatalogEntry<never>[])
  .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));

const entriesOf = (module: object): CatalogEntry<never>[] => Object.values(module) as CatalogEntry<never>[];
/** The entries a file defines itself: `types.ts`, `safety.ts` and `names.ts` re-export the files that continue them. */
const ownEntries = (module: object, ...continued: object[]): CatalogEntry<never>[] =>
  entriesOf(module).filter((entry) => !continued.some((other) => entriesOf(other).includes(entry)));

/** Each catalogue file's entries, by file name (as `codeAreas` in `../code-scheme.ts` names them). */
export const entriesByFile: ReadonlyMap<string, readonly CatalogEntry<never>[]> = new Map(
  Object.entries({
    "syntax.ts": syntax, "names.ts": ownEntries(names, namesModules), "names-modules.ts": namesModules,
    "types.ts": ownEntries(types, typesFeatures, typesKernelInterfaces, typesModules), "types-features.ts": typesFeatures, "types-modules.ts": typesModules,
    "types-kernel-interfaces.ts": typesKernelInterfaces, "types-runtime.ts": typesRuntime, "types-tracing.ts": typesTracing,
    "types-redirect-maps.ts": typesRedirectMaps, "safety.ts": ownEntries(safety, safetyReferences), "safety-references.ts": safetyReferences,
    "codegen.ts": codegen, "verifier.ts": verifier, "compatibility.ts": compatibility,
    "reference-semantics.ts": referenceSemantics, "implicit-meanings.ts": implicitMeanings, "program-types.ts": programTypes,
    "types-cgroup-programs.ts": typesCgroupPrograms, "interpreter.ts": interpreter, "deployment.ts": deployment,
  }).map(([file, module]) => [file, Array.isArray(module) ? module : entriesOf(module)]),
);
