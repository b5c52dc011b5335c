//! Verifier logs explained on the `.ks` line: parse (`log.ts`), map through the line map
//! (`line-map.ts`), match the catalogue (`patterns.ts`), build the Diagnostic
//! (`explain.ts`). Pure, so the CLI, the runner, the LSP and the playground share it.

export type { Instruction, LineInfo, VerifierLog, VerifierStats } from "./log.js";
export { parseVerifierLog, resolveCLine, lastComplaint, isNoise } from "./log.js";
export type { LineMap, LineMapKfunc, LineMapping } from "./line-map.js";
export { parseLineMap, mappingOf, cLinesOf, spanOf, sourceNamed } from "./line-map.js";
export type { VerifierPattern } from "./patterns.js";
export { verifierPatterns, matchVerifierMessage } from "./patterns.js";
export type { Explanation, Rejection } from "./explain.js";
export { explainRejection } from "./explain.js";
