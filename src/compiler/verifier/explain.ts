//! A verifier rejection → one Diagnostic on the `.ks` line: parse the log, take the
//! last line info before the failing instruction, map its C line through the line map,
//! pick the catalogue entry whose pattern matches the verifier's message.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import * as verifier from "../diagnostics/catalog/verifier.js";
import type { VerifierEntry, VerifierFacts } from "../diagnostics/catalog/verifier.js";
import type { SourceSet, Span } from "../source.js";
import { lastComplaint, parseVerifierLog, resolveCLine, type Instruction, type LineInfo, type VerifierLog } from "./log.js";
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
  /** The running kernel cannot load modules (no /proc/modules): said in E0469's notes. */
  readonly kernelModulesUnsupported?: boolean;
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
  const matched = matchVerifierMessage(parsed.message, rejection.log);
  const entry = rejection.refused ? verifier.verifierPrivileges : matched?.pattern.entry ?? verifier.verifierUnrecognised;
  const atProgram = matched?.pattern.at === "program" || parsed.failing === undefined;
  const kfuncCall = matched?.pattern.unresolvedKfunc ? unresolvedKfuncCall(parsed, rejection.lineMap, matched.line) : undefined;
  const located = atProgram
    ? undefined
    : (kfuncCall?.instruction.lineInfo ? locateInstruction(rejection, [kfuncCall.instruction.lineInfo]) : undefined) ??
      locateNamedInstruction(rejection, parsed, matched) ?? locateInstruction(rejection, parsed.lineInfosBeforeFailure);
  const shownInstruction = kfuncCall?.instruction ?? parsed.failing;
  const span = located?.span ?? programSpan(rejection);
  const cLine = located?.cLine;
  const cLines = rejection.cText?.split("\n");
  const facts: VerifierFacts = {
    program: rejection.program,
    said: rejection.refused ? "the kernel refused to load this program type (EPERM)" : matched?.line ?? lastComplaint(parsed),
    ...(cLine !== undefined
      ? { cLocation: `${rejection.cFileName ?? "bpf.c"}:${cLine}${cLines?.[cLine - 1] ? `: ${cLines[cLine - 1]!.trim()}` : ""}` }
      : {}),
    ...(shownInstruction && !atProgram ? { instruction: `${shownInstruction.index}: ${shownInstruction.text}` } : {}),
    ...(rejection.logPath ? { logPath: rejection.logPath } : {}),
    ...(kfuncCall?.kfunc !== undefined ? { kfunc: kfuncCall.kfunc } : {}),
    ...(kfuncCall?.module !== undefined ? { kernelModule: kfuncCall.module } : {}),
    ...(kfuncCall && rejection.kernelModulesUnsupported ? { modulesUnsupported: true } : {}),
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

/**
 * The call of an unresolved kfunc (E0469) and which kfunc it is: libbpf >= 1.4 names it
 * (`kfunc 'NAME' is referenced but wasn't resolved`); otherwise the C text of the call's
 * line info holds one of the weak kfuncs the line map lists.
 */
function unresolvedKfuncCall(
  parsed: VerifierLog,
  lineMap: LineMap | undefined,
  said: string,
): { instruction: Instruction; kfunc: string | undefined; module: string | undefined } | undefined {
  const unresolved = (i: Instruction): boolean =>
    i.text === "(85) call #0" || i.text.startsWith("(85) call unknown#2002000") || i.text === "<invalid kfunc call>";
  const instruction = [...parsed.instructions].reverse().find(unresolved);
  if (!instruction) return undefined;
  const weak = lineMap?.kfuncs ?? [];
  const named = /kfunc '([^']+)' is referenced/.exec([said, ...parsed.message].join("\n"))?.[1];
  const text = instruction.lineInfo?.source ?? "";
  const known = named !== undefined
    ? weak.find((k) => k.cName === named || k.name === named)
    : weak.find((k) => new RegExp(`(^|[^A-Za-z0-9_])${k.cName}\\s*\\(`).test(text));
  return { instruction, kfunc: known?.name ?? named, module: known?.module };
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
