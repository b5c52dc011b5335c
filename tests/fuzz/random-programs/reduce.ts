//! Cuts a failing program down to what the failure needs (line-based delta debugging,
//! aware of blocks): repeatedly removes a statement, a block or a declaration and keeps
//! the removal when the failure is still the same one (same stage, same message without
//! file positions). For failures before the run: compile diagnostics (errors), clang,
//! the verifier. A wrong value at run time needs the oracle, so it is not reduced here.
//!
//!   node build/tests/fuzz/random-programs/reduce.js FILE.ks [--out FILE.min.ks]
//!
//! The first run says which failure it keeps; each kept removal is printed.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { compile } from "../../../src/compiler/index.js";
import { NodeHost } from "../../../src/cli/node-host.js";
import { testVmlinuxHeader } from "../../harness/build-cache.js";
import { nativeTool } from "../../../src/runner/native-tools.js";

/** What went wrong with a program, reduced to something comparable across versions of it. */
export type Signature = string | undefined;


export function failureSignature(text: string, work: string, header: string): Signature {
  const ks = join(work, "r.ks");
  writeFileSync(ks, text);
  const result = compile(ks, new NodeHost(work));
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) return `compile: ${errors[0]!.code}`;
  if (result.files.length === 0) return "compile: no output";
  for (const file of result.files) writeFileSync(join(work, file.path), file.text);
  const clang = spawnSync("clang", ["-O2", "-g", "-target", "bpf", "-D__TARGET_ARCH_x86", "-Wall", "-Werror", "-I", work, "-I", join(header, ".."),
    "-c", join(work, "r.bpf.c"), "-o", join(work, "r.bpf.o")], { encoding: "utf8" });
  if (clang.status !== 0) {
    const line = clang.stderr.split("\n").find((l) => /error/.test(l)) ?? clang.stderr.split("\n")[0] ?? "";
    return `clang: ${line.replace(/^.*?error: /, "").replace(/0x[0-9a-f]+/g, "X").replace(/\d+/g, "N")}`;
  }
  const run = spawnSync(nativeTool("prog-run"), [join(work, "r.bpf.o")], { encoding: "utf8" });
  if (run.status !== 0) {
    const lines = run.stderr.split("\n");
    const processed = lines.findIndex((l) => l.startsWith("processed "));
    const message = processed > 0 ? lines[processed - 1]! : lines.find((l) => l.includes("verifier bug")) ?? lines[0] ?? "";
    return `verifier: ${message.replace(/\d+/g, "N")}`;
  }
  return undefined;
}

/** Chunks of `lines`: a line, or a line opening a block through its closing line. */
function chunks(lines: readonly string[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const indent = (l: string): number => l.length - l.trimStart().length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("//") || trimmed.startsWith("}")) continue;
    let end = i;
    if (trimmed.endsWith("{")) {
      const level = indent(line);
      for (let j = i + 1; j < lines.length; j++) {
        const t = lines[j]!.trim();
        if (indent(lines[j]!) === level && t.startsWith("}") && !t.startsWith("} else")) { end = j; break; }
      }
    }
    out.push({ start: i, end });
  }
  return out;
}

/** `seconds`: stop after this long and keep the smallest failing version found so far. */
export function reduce(text: string, log: (message: string) => void, seconds = Infinity): string {
  const deadline = Date.now() + seconds * 1000;
  const header = testVmlinuxHeader();
  const work = mkdtempSync(join(tmpdir(), "ks-reduce-"));
  try {
    const target = failureSignature(text, work, header);
    if (!target) throw new Error("the program does not fail");
    log(`keeping: ${target}`);
    let lines = text.split("\n");
    for (let changed = true; changed && Date.now() < deadline;) {
      changed = false;
      // Larger chunks first: a block at a time, then single lines.
      const candidates = chunks(lines).sort((a, b) => (b.end - b.start) - (a.end - a.start));
      for (const c of candidates) {
        if (Date.now() >= deadline) break;
        if (c.end >= lines.length) continue;
        const next = [...lines.slice(0, c.start), ...lines.slice(c.end + 1)];
        if (failureSignature(next.join("\n"), work, header) === target) {
          log(`removed ${c.end - c.start + 1} line(s) at ${c.start + 1}: ${lines[c.start]!.trim().slice(0, 60)}`);
          lines = next;
          changed = true;
          break;
        }
      }
    }
    return lines.join("\n");
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("reduce.js")) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: "string" } } });
  const input = positionals[0];
  if (!input) {
    console.error("usage: reduce.js FILE.ks [--out FILE.min.ks]");
    process.exit(2);
  }
  const out = values.out ?? input.replace(/\.ks$/, ".min.ks");
  const reduced = reduce(readFileSync(input, "utf8"), (m) => console.log(m));
  writeFileSync(out, reduced);
  console.log(`wrote ${out} (${reduced.split("\n").length} lines)`);
  void execFileSync;
}
