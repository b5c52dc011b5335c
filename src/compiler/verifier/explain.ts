//! A verifier rejection → one Diagnostic on the `.ks` line: parse the log, take the
//! last line info before the failing instruction, map its C line through the line map,
//! pick the catalogue entry whose pattern matches the verifier's message.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import * as verifier from "../diagnostics/catalog/verifier.js";
import type { VerifierEntry, VerifierFacts } from "../diagnostics/catalog/verifier.js";
import type { SourceSet, Span } from "../source.js";
import { lastComplaint, parseVerifierLog, resolveCLine, type LineInfo, type VerifierLog } from "./log.js";
import { mappingOf, sourceNamed, spanOf, type LineMap } from "./line-map.js";
import { matchVerifierMessage, type VerifierPattern } from "./patterns.js";

export interface Rejection {
  /** Program (function) name. */
  readonly program: string;
  /** The verifier log as the kernel (or libbpf) wrote it. */
  readonly log: string;
  /** The `.ks` sources (the main file is found by the line map's `source`). */
  readonly sources: SourceSet;
  readonly lineMap: LineMap | undefined;
  /** Text of `NAME.bpf.c` (for old kernels that quote C text without a line number). */
  readonly cText?: string;
  /** Name of the C file as the kernel quotes it (`app.bpf.c`). */
  readonly cFileName?: string;
  readonly logPath?: string;
  /** The kernel refused the program type itself (EPERM with an empty log). */
  readonly refused?: boolean;
}

export interface Explanation {
  readonly diagnostic: Diagnostic;
  readonly entry: VerifierEntry;
  /** The C line the diagnostic points at, when one was found. */
  readonly cLine: number | undefined;
  readonly parsed: VerifierLog;
}

export function explainRejection(rejection: Rejection): Explanation {
  const parsed = parseVerifierLog(rejection.log);
  const matched = matchVerifierMessage(parsed.message);
  const entry = rejection.refused ? verifier.verifierPrivileges : matched?.pattern.entry ?? verifier.verifierUnrecognised;
  const atProgram = matched?.pattern.at === "program" || parsed.failing === undefined;
  const located = atProgram ? undefined : locateNamedInstruction(rejection, parsed, matched) ?? locateInstruction(rejection, parsed.lineInfosBeforeFailure);
  const span = located?.span ?? programSpan(rejection);
  const cLine = located?.cLine;
  const cLines = rejection.cText?.split("\n");
  const facts: VerifierFacts = {
    program: rejection.program,
    said: rejection.refused ? "the kernel refused to load this program type (EPERM)" : matched?.line ?? lastComplaint(parsed),
    ...(cLine !== undefined
      ? { cLocation: `${rejection.cFileName ?? "bpf.c"}:${cLine}${cLines?.[cLine - 1] ? `: ${cLines[cLine - 1]!.trim()}` : ""}` }
      : {}),
    ...(parsed.failing && !atProgram ? { instruction: `${parsed.failing.index}: ${parsed.failing.text}` } : {}),
    ...(rejection.logPath ? { logPath: rejection.logPath } : {}),
  };
  const text = entry.text(facts);
  const diagnostic: Diagnostic = {
    code: entry.code,
    severity: "error",
    message: text.message,
    primary: { span, message: text.label ?? "" },
    secondary: [],
    notes: text.notes ?? [],
    help: text.help,
  };
  return { diagnostic, entry, cLine, parsed };
}

/**
 * The `.ks` span of the failing instruction: the most recent line info before it whose
 * C line the compiler mapped (accessor and runtime lines have no `.ks` origin, so the
 * walk goes back to the user's statement that called them).
 */
function locateInstruction(rejection: Rejection, infos: readonly LineInfo[]): { span: Span; cLine: number } | undefined {
  if (!rejection.lineMap) return undefined;
  for (const info of infos) {
    // A line of another C file (a header) is not in this line map.
    if (info.file !== undefined && rejection.cFileName !== undefined && info.file !== rejection.cFileName) continue;
    const cLine = resolveCLine(info, rejection.cText);
    if (cLine === undefined) continue;
    const mapping = mappingOf(rejection.lineMap, cLine);
    if (!mapping) continue;
    const span = spanOf(mapping, rejection.sources);
    if (span) return { span, cLine };
  }
  return undefined;
}

/** The instruction the matched line names (`alloc_insn=12`), when the pattern says so. */
function locateNamedInstruction(
  rejection: Rejection,
  parsed: VerifierLog,
  matched: { pattern: VerifierPattern; line: string } | undefined,
): { span: Span; cLine: number } | undefined {
  const marker = matched?.pattern.pointsTo;
  if (!marker) return undefined;
  const at = matched.line.indexOf(marker);
  const index = at < 0 ? NaN : parseInt(matched.line.slice(at + marker.length), 10);
  const named = parsed.instructions.find((i) => i.index === index);
  return named?.lineInfo ? locateInstruction(rejection, [named.lineInfo]) : undefined;
}

/** The program's name in its `fn` declaration, or the start of the main file. */
function programSpan(rejection: Rejection): Span {
  const main = rejection.lineMap ? sourceNamed(rejection.sources, rejection.lineMap.source) : undefined;
  const candidates = main ? [main] : [...rejection.sources.values()];
  for (const source of candidates) {
    const found = new RegExp(`\\bfn\\s+(${rejection.program})\\s*\\(`).exec(source.text);
    if (found) {
      const start = found.index + found[0].indexOf(rejection.program);
      return { file: source.path, start, end: start + rejection.program.length };
    }
  }
  const first = candidates[0];
  return { file: first?.path ?? rejection.lineMap?.source ?? "", start: 0, end: 0 };
}
