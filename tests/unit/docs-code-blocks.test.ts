// Every fenced code block of the language guide (docs/language/*.md) and of README.md
// is checked by the compiler, in-process (no C compiler, no kernel), so the docs cannot
// drift from the language. The block's info string says what it is and what is checked
// (the list is in docs/language/README.md, "Code blocks in these pages"):
//
//   ks                      a complete program: compiles with no diagnostic at all
//   ks warning W0xxx …      a complete program: compiles; its warnings are exactly these codes
//   ks error E0xxx …        a complete program: fails; its errors are exactly these codes
//   ks fragment             a piece of a program: parses (as top-level declarations, or
//                           else as the statements of a function body) with no syntax
//                           error; `…` stands for omitted code and is removed first
//   ks file=PATH            a file other blocks of the page import or include (PATH is
//                           relative to them); checked through the blocks that use it
//   python file=PATH        the same for a Python file a block imports
//   c, sh, console, text    generated C, shell commands, a command's output: not compiled
//
// A fence without an info string, or with any other, fails the test. Programs are
// compiled as `kernelscript check` sees them on this machine: with the running kernel's
// BTF (tracepoint and struct_ops blocks name kernel types), without tracefs; a block
// with `@test` functions is compiled in test mode.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compile, makeSourceFile, type Diagnostic, type Host } from "../../src/compiler/index.js";
import { parse } from "../../src/compiler/parse/parser.js";
import { Diagnostics } from "../../src/compiler/diagnostics/diagnostic.js";
import { NodeHost } from "../../src/cli/node-host.js";
import { repoRoot } from "../harness/golden.js";
import { codeBlocksOf, docPages, kindOf, type CodeBlock } from "../harness/doc-blocks.js";

const machine = new NodeHost(repoRoot);

/** A Host over the page's blocks (virtual files), with this machine's kernel BTF; `read` collects the paths read. */
function hostFor(files: ReadonlyMap<string, string>, read: Set<string>): Host {
  return {
    readFile: (path) => {
      read.add(path);
      return files.get(path);
    },
    readKernelBtf: () => machine.readKernelBtf(),
  };
}

function codesOf(diagnostics: readonly Diagnostic[], severity: "error" | "warning"): string[] {
  return [...new Set(diagnostics.filter((d) => d.severity === severity).map((d) => d.code))].sort();
}

function describe(diagnostics: readonly Diagnostic[]): string {
  const text = diagnostics.map((d) => `  ${d.severity}[${d.code}] ${d.message} (${d.primary.span.file} @${d.primary.span.start})`).join("\n");
  // Blocks naming kernel types are checked against the running kernel's BTF, as `check` does.
  const noBtf = machine.readKernelBtf() === undefined ? "\n  (this machine has no kernel BTF at /sys/kernel/btf/vmlinux: kernel types are unknown)" : "";
  return `${text}${noBtf}`;
}

/** Why a program block does not do what its info string says, or undefined when it does. */
export function checkProgram(block: CodeBlock, expected: { warnings: readonly string[]; errors: readonly string[] }, files: ReadonlyMap<string, string>, read = new Set<string>()): string | undefined {
  const path = `${block.page.replace(/\.md$/, "")}/block${block.line}.ks`;
  const all = new Map(files);
  all.set(path, block.text);
  const result = compile(path, hostFor(all, read), { test: /^\s*@test\b/m.test(block.text) });
  const errors = codesOf(result.diagnostics, "error");
  const warnings = codesOf(result.diagnostics, "warning");
  const wanted = { errors: [...new Set(expected.errors)].sort(), warnings: [...new Set(expected.warnings)].sort() };
  if (wanted.errors.length > 0) {
    if (errors.join() !== wanted.errors.join()) return `expected the errors ${wanted.errors.join(", ")}, got ${errors.join(", ") || "none"}:\n${describe(result.diagnostics)}`;
    return undefined;
  }
  if (errors.length > 0 || warnings.join() !== wanted.warnings.join()) {
    return `expected ${wanted.warnings.length > 0 ? `exactly the warnings ${wanted.warnings.join(", ")}` : "no diagnostics"}, got:\n${describe(result.diagnostics)}`;
  }
  if (result.files.length === 0) return "compiled without errors but emitted no files";
  return undefined;
}

/** Syntax errors of `text` parsed as a file on its own; undefined when there are none. */
function syntaxErrors(path: string, text: string): string | undefined {
  const diags = new Diagnostics();
  parse(makeSourceFile(path, text), diags);
  const errors = diags.all.filter((d) => d.severity === "error");
  return errors.length === 0 ? undefined : describe(errors);
}

/** Why a fragment does not parse, or undefined when it does (at top level or as a function body). */
export function checkFragment(block: CodeBlock): string | undefined {
  const text = block.text.replaceAll("…", "");
  const path = `${block.page}:${block.line}`;
  const topLevel = syntaxErrors(path, text);
  if (topLevel === undefined) return undefined;
  const body = syntaxErrors(path, `fn fragment() {\n${text}}\n`);
  if (body === undefined) return undefined;
  return `parses neither at top level:\n${topLevel}\nnor as a function body:\n${body}`;
}

export interface PageReport {
  readonly counts: Record<"program" | "error" | "fragment" | "file" | "shown", number>;
  readonly problems: string[];
}

/** Checks every block of one page (its `file=` blocks are visible to its programs). */
export function checkPage(page: string, markdown: string): PageReport {
  const blocks = codeBlocksOf(page, markdown);
  const counts = { program: 0, error: 0, fragment: 0, file: 0, shown: 0 };
  const problems: string[] = [];
  const files = new Map<string, string>();
  const read = new Set<string>();
  const kinds = blocks.map((block) => kindOf(block.info));
  blocks.forEach((block, i) => {
    const kind = kinds[i]!;
    if (typeof kind !== "string" && kind.kind === "file") {
      files.set(`${block.page.replace(/\.md$/, "")}/${kind.path.replace(/^\.\//, "")}`, block.text);
    }
  });
  blocks.forEach((block, i) => {
    const kind = kinds[i]!;
    const where = `${block.page}:${block.line}`;
    if (typeof kind === "string") {
      problems.push(`${where}: ${kind}`);
      return;
    }
    let problem: string | undefined;
    switch (kind.kind) {
      case "program":
        problem = checkProgram(block, kind, files, read);
        counts[kind.errors.length > 0 ? "error" : "program"]++;
        break;
      case "fragment":
        problem = checkFragment(block);
        counts.fragment++;
        break;
      case "file":
        counts.file++;
        break;
      case "shown":
        counts.shown++;
        break;
    }
    if (problem !== undefined) problems.push(`${where} (\`${block.info}\`): ${problem}`);
  });
  // A file no program reads is checked by nothing.
  blocks.forEach((block, i) => {
    const kind = kinds[i]!;
    if (typeof kind === "string" || kind.kind !== "file") return;
    const path = `${block.page.replace(/\.md$/, "")}/${kind.path.replace(/^\.\//, "")}`;
    if (!read.has(path)) problems.push(`${block.page}:${block.line} (\`${block.info}\`): no program of the page uses this file`);
  });
  return { counts, problems };
}


test("docs: every code block of docs/language/*.md and README.md is tagged and does what its tag says", () => {
  const total = { program: 0, error: 0, fragment: 0, file: 0, shown: 0 };
  const problems: string[] = [];
  for (const page of docPages()) {
    const report = checkPage(page, readFileSync(join(repoRoot, page), "utf8"));
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += report.counts[key];
    problems.push(...report.problems);
  }
  // The counts, for the reader of the test output (and to see fragments shrink).
  console.log(`docs code blocks: ${total.program} programs compiled, ${total.error} error programs, ` +
    `${total.fragment} fragments parsed, ${total.file} files used by programs, ${total.shown} shown (C, shell, output)`);
  assert.deepEqual(problems, [], `code blocks that do not do what their info string says:\n${problems.join("\n\n")}`);
  assert.ok(total.program >= 20, `only ${total.program} complete programs in the docs`);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

/** Links of `page` (relative to the repository) to files or anchors that do not exist. */
function brokenLinks(page: string, markdown: string): string[] {
  const outside = markdown.replace(/^(\s*)(`{3,}|~{3,})[^\n]*\n[\s\S]*?\n\s*\2\s*$/gm, "");
  const broken: string[] = [];
  for (const [, target] of outside.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const [file, anchor] = target!.split("#") as [string, string | undefined];
    const path = file === "" ? page : join(page, "..", file);
    let text: string;
    try {
      text = readFileSync(join(repoRoot, path), "utf8");
    } catch {
      broken.push(`${page}: link to ${target}: no file ${path}`);
      continue;
    }
    if (anchor === undefined || !path.endsWith(".md")) continue;
    const anchors = [...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => anchorOf(m[1]!));
    if (!anchors.includes(anchor)) broken.push(`${page}: link to ${target}: no heading with that anchor in ${path}`);
  }
  return broken;
}

test("docs: every relative link of docs/language/*.md and README.md reaches a file and a heading", () => {
  const broken = docPages().flatMap((page) => brokenLinks(page, readFileSync(join(repoRoot, page), "utf8")));
  assert.deepEqual(broken, []);
  assert.deepEqual(brokenLinks("docs/language/x.md", "[a](basics.md#no-such-heading) [b](gone.md) [c](basics.md#maps)\n"), [
    "docs/language/x.md: link to basics.md#no-such-heading: no heading with that anchor in docs/language/basics.md",
    "docs/language/x.md: link to gone.md: no file docs/language/gone.md",
  ]);
});

// The checker itself, on planted blocks: each kind of mistake is caught.
test("docs code blocks: an untagged fence, a broken program, a wrong error code and a broken fragment are caught", () => {
  const page = "docs/language/planted.md";
  const markdown = [
    "# planted",
    "```",
    "var x: u32 = 1",
    "```",
    "```ks",
    "@xdp fn p(ctx: *xdp_md) -> xdp_action { return XDP_PASSS }",
    "```",
    "```ks error E0301",
    "@xdp fn p(ctx: *xdp_md) -> xdp_action { return undefined_name }",
    "```",
    "```ks fragment",
    "if (x > { }",
    "```",
    "```ks warning W0261",
    "var t: u8 = 1",
    "@xdp fn p(ctx: *xdp_md) -> xdp_action { return XDP_PASS }",
    "```",
    "```kotlin",
    "val x = 1",
    "```",
    "  ```ks",
    "  var ok: u32 = 1",
    "  @xdp fn p(ctx: *xdp_md) -> xdp_action { ok += 1",
    "      return XDP_PASS }",
    "  ```",
    "```ks fragment",
    "for (i in 0..n) { … }",
    "```",
    "",
  ].join("\n");
  const report = checkPage(page, markdown);
  const lines = report.problems.map((p) => Number(/^docs\/language\/planted\.md:(\d+)/.exec(p)?.[1]));
  assert.deepEqual(lines, [2, 5, 8, 11, 14, 18], report.problems.join("\n\n"));
  assert.match(report.problems[0]!, /needs an info string/);
  assert.match(report.problems[1]!, /E0201/);
  assert.match(report.problems[2]!, /expected the errors E0301, got E0201/);
  assert.match(report.problems[3]!, /parses neither/);
  assert.match(report.problems[4]!, /exactly the warnings W0261/);
  assert.match(report.problems[5]!, /unknown info string `kotlin`/);
  assert.deepEqual(report.counts, { program: 3, error: 1, fragment: 2, file: 0, shown: 0 });
});

test("docs code blocks: a page's file= blocks are what its programs import", () => {
  const markdown = [
    "```ks file=lib/util.ks",
    "fn twice(x: u32) -> u32 { return x * 2 }",
    "```",
    "```ks",
    'import util from "./lib/util.ks"',
    "@xdp fn p(ctx: *xdp_md) -> xdp_action { return XDP_PASS }",
    'fn main() -> i32 { print("%u", util.twice(2))',
    "    return 0 }",
    "```",
    "```ks error E0249",
    'import util from "./lib/util.ks"',
    "@xdp fn p(ctx: *xdp_md) -> xdp_action { return XDP_PASS }",
    'fn main() -> i32 { print("%u", util.thrice(2))',
    "    return 0 }",
    "```",
    "",
  ].join("\n");
  const report = checkPage("docs/language/imports.md", markdown);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.counts, { program: 1, error: 1, fragment: 0, file: 1, shown: 0 });
});
