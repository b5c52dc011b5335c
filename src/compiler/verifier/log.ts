//! Kernel verifier logs → data. Pure: used by the CLI, the runner and (later) the LSP and
//! the playground.
//!
//! Formats understood (log level 1 and 2):
//! - instructions `7: (79) r1 = *(u64 *)(r0 +0)`, with the register state the 6.x
//!   kernels append after `;` (`… ; R0=map_value_or_null(id=1,…)`);
//! - line info from BTF: 6.x `; (*q) += 1; @ app.bpf.c:22`, older kernels `; (*q) += 1;`
//!   (the C line is then found by its text, see `resolveCLine`);
//! - register-state lines (`7: R0_w=inv(id=0) R10=fp0` on 5.x, `0: R1=ctx() R10=fp0`),
//!   `from 7 to 9: …`, `func#N @I` sub-program markers, `caller:`/`callee:` frames,
//!   precision-tracking lines, `cur state:`/`old state:`;
//! - statistics `processed N insns (limit M) max_states_per_insn …`, `verification time`,
//!   `stack depth`;
//! - BTF/func-info errors printed before the first instruction;
//! - libbpf's wrapping (`libbpf: prog 'p': -- BEGIN PROG LOAD LOG --` … `-- END …`).
//!
//! The *message* is what the verifier said after the last instruction it printed (or,
//! with no instruction at all, everything that is not noise): that is the complaint.

export interface LineInfo {
  /** The C source text the kernel quoted (from BTF line info). */
  readonly source: string;
  /** `app.bpf.c` when the kernel names it (6.x), else undefined. */
  readonly file: string | undefined;
  /** 1-based C line when the kernel names it (0 means "no line"). */
  readonly line: number | undefined;
}

export interface Instruction {
  /** Instruction index in the program (as the verifier numbers it). */
  readonly index: number;
  /** `(79) r1 = *(u64 *)(r0 +0)`, without the register state. */
  readonly text: string;
  /** Line info printed before it, most recent last (may be empty). */
  readonly lineInfo: LineInfo | undefined;
}

export interface VerifierStats {
  readonly processed: number;
  readonly limit: number | undefined;
  readonly totalStates: number | undefined;
  readonly peakStates: number | undefined;
}

export interface VerifierLog {
  /** Every instruction line, in log order (an index repeats when paths revisit it). */
  readonly instructions: readonly Instruction[];
  /** Every line info, in log order. */
  readonly lineInfos: readonly LineInfo[];
  /** The last instruction before the message: where the verifier stopped. */
  readonly failing: Instruction | undefined;
  /** Line infos before the failing instruction, most recent first (for mapping). */
  readonly lineInfosBeforeFailure: readonly LineInfo[];
  /** What the verifier said after the failing instruction (noise removed). */
  readonly message: readonly string[];
  /** Non-noise lines before the first instruction (BTF and layout errors). */
  readonly preamble: readonly string[];
  readonly stats: VerifierStats | undefined;
  /** `func#N @I` markers: sub-program number → first instruction. */
  readonly subprograms: readonly { readonly id: number; readonly start: number }[];
  /** Program name when libbpf's wrapping names it. */
  readonly program: string | undefined;
}

// libbpf >= 1.4 replaces the instruction of an unresolved kfunc call by `N: <invalid kfunc call>`.
const instructionPattern = /^(\d+): (\([0-9a-f]{2}\) .*|<invalid kfunc call>)$/;
const statsPattern = /^processed (\d+) insns(?: \(limit (\d+)\))?(?: max_states_per_insn \d+ total_states (\d+) peak_states (\d+))?/;
const subprogramPattern = /^func#(\d+) @(\d+)$/;
const libbpfProgramPattern = /prog '([^']+)': -- BEGIN PROG LOAD LOG --/;

/** Lines that are never the complaint: state dumps, statistics, markers, libbpf. */
const noisePatterns: readonly RegExp[] = [
  /^\s*$/,
  /^processed \d+ insns/,
  /^verification time \d+/,
  /^stack depth /,
  /^\d+: (?:frame\d+: )?R\d/,
  /^\d+: frame\d+:/,
  /^\d+: safe$/,
  /^from \d+ to \d+: /,
  /^func#\d+ @\d+$/,
  /^(?:caller|callee):$/,
  /^\s+frame\d+:/,
  /^(?:returning from callee|to caller at \d+)/,
  /^(?:cur|old) state:/,
  /^mark_precise:/,
  /^(?:last_idx|regs=|parent (?:didn't|already)|propagating )/,
  /^Live regs/,
  /^libbpf:/,
  /^-- (?:BEGIN|END) PROG LOAD LOG --/,
  /^-- libbpf --$/,
  /^Func#\d+/,
  /^; /,
  /^;$/,
];

export function isNoise(line: string): boolean {
  return noisePatterns.some((p) => p.test(line));
}

/** The kernel's part of `text`: inside libbpf's BEGIN/END markers when they are there. */
function kernelPart(text: string): { body: string; program: string | undefined } {
  const begin = text.lastIndexOf("-- BEGIN PROG LOAD LOG --");
  if (begin < 0) {
    const cut = text.indexOf("\n-- libbpf --");
    return { body: cut < 0 ? text : text.slice(0, cut), program: undefined };
  }
  const lineStart = text.lastIndexOf("\n", begin) + 1;
  const program = libbpfProgramPattern.exec(text.slice(lineStart, begin + 30))?.[1];
  const after = text.indexOf("\n", begin);
  const end = text.indexOf("-- END PROG LOAD LOG --", after);
  return { body: text.slice(after + 1, end < 0 ? text.length : end), program };
}

export function parseLineInfo(line: string): LineInfo | undefined {
  if (!line.startsWith(";")) return undefined;
  const content = line.slice(1).replace(/^ /, "");
  const at = content.lastIndexOf(" @ ");
  if (at >= 0) {
    const where = /^(\S+):(\d+)$/.exec(content.slice(at + 3));
    if (where) return { source: content.slice(0, at).trim(), file: where[1], line: Number(where[2]) };
  }
  // `;  @ app.bpf.c:0` (no line) also ends in the pattern above; anything else is text.
  if (/^R\d/.test(content)) return undefined;
  return { source: content.trim(), file: undefined, line: undefined };
}

export function parseVerifierLog(text: string): VerifierLog {
  const { body, program } = kernelPart(text);
  const lines = body.split(/\r?\n/);
  const instructions: Instruction[] = [];
  const lineInfos: LineInfo[] = [];
  const subprograms: { id: number; start: number }[] = [];
  const preamble: string[] = [];
  let stats: VerifierStats | undefined;
  let lastInfo: LineInfo | undefined;
  let lastInstructionLine = -1;
  for (const [i, line] of lines.entries()) {
    const insn = instructionPattern.exec(line);
    if (insn) {
      // 6.x appends the register state after padding and `; `.
      // A call that changes no register (an unresolved kfunc) ends in a bare `;`.
      const textOnly = insn[2]!.replace(/\s+; (?:R\d|fp-|frame\d|refs=).*$/, "").replace(/\s+;$/, "").trimEnd();
      instructions.push({ index: Number(insn[1]), text: textOnly, lineInfo: lastInfo });
      lastInstructionLine = i;
      continue;
    }
    const info = parseLineInfo(line);
    if (info) {
      lineInfos.push(info);
      lastInfo = info;
      continue;
    }
    const s = statsPattern.exec(line);
    if (s) {
      stats = {
        processed: Number(s[1]),
        limit: s[2] === undefined ? undefined : Number(s[2]),
        totalStates: s[3] === undefined ? undefined : Number(s[3]),
        peakStates: s[4] === undefined ? undefined : Number(s[4]),
      };
      continue;
    }
    const sub = subprogramPattern.exec(line);
    if (sub) {
      subprograms.push({ id: Number(sub[1]), start: Number(sub[2]) });
      continue;
    }
    if (instructions.length === 0 && !isNoise(line)) preamble.push(line.trim());
  }
  const failing = instructions[instructions.length - 1];
  const message = lastInstructionLine < 0
    ? preamble
    : lines.slice(lastInstructionLine + 1).filter((l) => !isNoise(l)).map((l) => l.trim());
  const failingInfoCount = failing ? lineInfosUpTo(lines, lastInstructionLine) : 0;
  return {
    instructions,
    lineInfos,
    failing,
    lineInfosBeforeFailure: lineInfos.slice(0, failingInfoCount).reverse(),
    message: message.length > 0 ? message : preamble,
    preamble,
    stats,
    subprograms,
    program,
  };
}

/** How many line infos appear before line `until` of the log. */
function lineInfosUpTo(lines: readonly string[], until: number): number {
  let count = 0;
  for (let i = 0; i < until; i++) if (parseLineInfo(lines[i]!)) count++;
  return count;
}

/**
 * The C line a line info stands for: the one the kernel names (6.x), or, for older
 * kernels that quote only the text, the line of `cText` with exactly that text (the
 * first at or after `after` when the text repeats). Undefined when unknown (line 0).
 */
export function resolveCLine(info: LineInfo, cText: string | undefined, after = 0): number | undefined {
  if (info.line !== undefined) return info.line > 0 ? info.line : undefined;
  if (!cText || info.source === "") return undefined;
  const candidates: number[] = [];
  cText.split("\n").forEach((l, i) => {
    if (l.trim() === info.source) candidates.push(i + 1);
  });
  return candidates.find((n) => n >= after) ?? candidates[0];
}

/** The verifier's last complaint line, for "the verifier said". */
export function lastComplaint(log: VerifierLog): string {
  return log.message[log.message.length - 1] ?? "(the verifier printed no message)";
}
