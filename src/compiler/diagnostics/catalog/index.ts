//! The catalogue of every diagnostic code, one file per range:
//! `syntax.ts` E01xx (lexical and syntax), `names.ts` E02xx (names, includes, imports),
//! `types.ts` E03xx (types), `safety.ts` E04xx (eBPF safety and verifier rules),
//! `codegen.ts` E05xx (code-generation limits), `verifier.ts` E0450–E0469 (kernel verifier
//! rejections, explained after loading), `compatibility.ts` E0600–E0621 and
//! W0260–W0271 (the type rules KernelScript 0.1.1 programs rely on, and rules that give every
//! accepted program one meaning), `reference-semantics.ts`
//! E0625–E0631 and W0272–W0275 (meanings for what KernelScript 0.1.1 leaves undefined), `implicit-meanings.ts`
//! E0632–E0639 and W0276–W0279 (what the compiler adds so such programs load), `program-types.ts`
//! E0622–E0624 (what a program's type allows); warnings are W-codes in the file of
//! their topic. `docs/diagnostics.md` is generated from `allEntries`.

import type { CatalogEntry } from "../diagnostic.js";
import * as syntax from "./syntax.js";
import * as names from "./names.js";
import * as types from "./types.js";
import * as safety from "./safety.js";
import * as codegen from "./codegen.js";
import * as verifier from "./verifier.js";
import * as compatibility from "./compatibility.js";
import * as referenceSemantics from "./reference-semantics.js";
import * as implicitMeanings from "./implicit-meanings.js";
import * as programTypes from "./program-types.js";

export { syntax, names, types, safety, codegen, verifier, compatibility, referenceSemantics, implicitMeanings, programTypes };

/** Every entry, for documentation and for the tests that check each code has a case. */
export const allEntries: readonly CatalogEntry<never>[] = [syntax, names, types, safety, codegen, verifier, compatibility, referenceSemantics, implicitMeanings, programTypes]
  .flatMap((module) => Object.values(module) as CatalogEntry<never>[])
  .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
