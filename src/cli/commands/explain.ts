//! `kernelscript explain FILE.ks:LINE [-o DIR]`: what one `.ks` line became.
//!
//! 1. The generated eBPF C lines for it, from the line map (no kernel needed).
//! 2. After a build (into `-o DIR`, or a temporary directory), as root: every program is
//!    loaded with `bpftool prog loadall` into a private bpffs directory, its translated
//!    instructions are read with `bpftool -j prog dump xlated … linum`, and the
//!    instructions whose BTF line info falls on this `.ks` line are shown, grouped by
//!    program; the pins are removed at once, which unloads the programs. Lines the
//!    compiler did not map (inlined map accessors, runtime helpers) count for the last
//!    mapped line before them, i.e. the statement that called them.
//! A program the kernel rejects is explained like `check --kernel` (exit 1).

import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { lineText, makeSourceFile, renderDiagnostics } from "../../compiler/index.js";
import { baseNameOf } from "../../compiler/host.js";
import { cLinesOf, mappingOf, parseLineMap, sourceNamed, type LineMap } from "../../compiler/verifier/index.js";
import { stringFlag, type CommandContext } from "../context.js";
import { ExitCode, UsageError } from "../failures.js";
import { requireBuildToolchain } from "../toolchain.js";
import { buildObjectIn, kernelLoadUnavailable, temporaryDirectory, verifyObject } from "../kernel-check.js";
import { resolveOutputTarget } from "../output-directory.js";
import { compileInMemory } from "./compile.js";

interface XlatedInsn {
  readonly proto?: string;
  readonly src?: string;
  readonly line_num?: number;
  readonly disasm: string;
}

export async function runExplain(context: CommandContext): Promise<ExitCode> {
  const { io, parsed } = context;
  const where = /^(.*\.ks):(\d+)$/.exec(parsed.args[0]!);
  if (!where) throw new UsageError(`expected FILE.ks:LINE, got \`${parsed.args[0]}\``, "explain");
  const file = where[1]!;
  const line = Number(where[2]);
  const result = await compileInMemory(io, file, true);
  if (result.diagnostics.some((d) => d.severity === "error")) {
    io.writeStderr(renderDiagnostics(result.diagnostics, result.sources, { color: io.color, inputName: file }));
    return ExitCode.programErrors;
  }
  const name = baseNameOf(file);
  const lineMap = parseLineMap(result.files.find((f) => f.path === `${name}.bpf.map.json`)?.text ?? "");
  const cText = result.files.find((f) => f.path === `${name}.bpf.c`)?.text ?? "";
  const source = lineMap ? sourceNamed(result.sources, lineMap.source) : undefined;
  if (!lineMap || !source) return ExitCode.internal;
  if (line < 1 || line > source.lineStarts.length) throw new UsageError(`${file} has ${source.lineStarts.length} lines; line ${line} does not exist`, "explain");

  const out: string[] = [`${file}:${line}: ${lineText(source, line).trim()}`];
  const cLines = cLinesOf(lineMap, lineMap.source, line);
  if (cLines.length === 0) {
    out.push("no eBPF C was generated for this line (it is user-space code, a declaration, a comment or blank)");
    io.writeStdout(out.join("\n") + "\n");
    return ExitCode.ok;
  }
  const cSource = makeSourceFile(`${name}.bpf.c`, cText);
  out.push(`generated eBPF C (${name}.bpf.c):`);
  for (const c of cLines) out.push(`  ${String(c).padStart(5)} | ${lineText(cSource, c)}`);

  const unavailable = kernelLoadUnavailable(io);
  if (unavailable) {
    out.push(`kernel instructions: skipped: ${unavailable}`);
    io.writeStdout(out.join("\n") + "\n");
    return ExitCode.ok;
  }
  requireBuildToolchain(io.env, io.isRoot);
  const requested = stringFlag(parsed, "output");
  const temporary = requested ? undefined : temporaryDirectory("ks-explain-");
  const dir = requested ? resolveOutputTarget(requested, io.cwd).absolute : temporary!.dir;
  try {
    const object = buildObjectIn(dir, result, name, io.env);
    const dumped = dumpXlated(object);
    if (typeof dumped === "string") {
      // The object did not load: explain why on the .ks line.
      const verified = verifyObject(object, result.sources, join(dir, "verifier-logs"));
      if (verified.diagnostics.length > 0) {
        io.writeStdout(out.join("\n") + "\n");
        io.writeStderr(renderDiagnostics(verified.diagnostics, result.sources, { color: io.color }));
        return ExitCode.programErrors;
      }
      out.push(`kernel instructions: unavailable: ${dumped}`);
    } else {
      out.push("kernel instructions (bpftool prog dump xlated, as the verifier left them):");
      out.push(...instructionsFor(dumped, lineMap, line, name));
    }
    io.writeStdout(out.join("\n") + "\n");
    return ExitCode.ok;
  } finally {
    temporary?.done();
  }
}

/** Loads the object into a private pin directory, dumps each program, unloads. */
function dumpXlated(object: string): Map<string, XlatedInsn[]> | string {
  const pins = `/sys/fs/bpf/ks-explain-${process.pid}`;
  const load = spawnSync("bpftool", ["prog", "loadall", object, pins], { encoding: "utf8" });
  try {
    if (load.status !== 0) return `bpftool prog loadall failed: ${(load.stderr || "").trim().split("\n").pop()}`;
    const programs = new Map<string, XlatedInsn[]>();
    const names = spawnSync("ls", [pins], { encoding: "utf8" }).stdout.split("\n").filter((n) => n !== "").sort();
    for (const prog of names) {
      const dump = spawnSync("bpftool", ["-j", "prog", "dump", "xlated", "pinned", join(pins, prog), "linum"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      if (dump.status === 0) programs.set(prog, JSON.parse(dump.stdout) as XlatedInsn[]);
    }
    return programs;
  } finally {
    if (existsSync(pins)) rmSync(pins, { recursive: true, force: true });
  }
}

/** The instructions attributed to `.ks` line `line`, grouped by program. */
function instructionsFor(programs: Map<string, XlatedInsn[]>, lineMap: LineMap, line: number, name: string): string[] {
  const out: string[] = [];
  for (const [prog, insns] of programs) {
    const shown: string[] = [];
    let ksLine: number | undefined;
    let lastSrc: string | undefined;
    let index = 0;
    for (const insn of insns) {
      if (insn.line_num !== undefined) {
        const mapping = mappingOf(lineMap, insn.line_num);
        if (mapping) ksLine = mapping.line;
      }
      if (ksLine === line) {
        if (insn.src !== undefined && insn.src.trim() !== "" && insn.line_num && insn.src !== lastSrc) {
          shown.push(`      ; ${insn.src.trim()}  [${name}.bpf.c:${insn.line_num}]`);
          lastSrc = insn.src;
        }
        shown.push(`      ${String(index).padStart(4)}: ${insn.disasm}`);
      }
      // A 64-bit immediate load (opcode 0x18) takes two instruction slots.
      index += insn.disasm.startsWith("(18)") ? 2 : 1;
    }
    out.push(`  program ${prog}: ${shown.length === 0 ? "no instructions (not reached, or optimised away)" : ""}`.trimEnd());
    out.push(...shown);
  }
  return out;
}

