// The verifier-log parser and explainer on stored samples of old (5.x: line info
// without `@ file:line`, level-2 state lines) and new (6.x) formats, libbpf's wrapping,
// BTF errors before the first instruction and sub-program markers. Each sample in
// tests/cases/verifier-logs/ starts with a `//~ CODE` line naming the expected code.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeSourceFile, lineColumnOf } from "../../src/compiler/index.js";
import { explainRejection, matchVerifierMessage, parseLineMap, parseVerifierLog, resolveCLine, verifierPatterns } from "../../src/compiler/verifier/index.js";
import { allEntries } from "../../src/compiler/diagnostics/catalog/index.js";
import { repoRoot } from "../harness/golden.js";

const samples = join(repoRoot, "tests", "cases", "verifier-logs");

function sample(name: string): { code: string; log: string } {
  const text = readFileSync(join(samples, name), "utf8");
  const [first, ...rest] = text.split("\n");
  return { code: /E\d{4}/.exec(first!)![0], log: rest.join("\n") };
}

// A small `.ks` file and the line map the compiler would write for it.
const ks = makeSourceFile("app.ks", [
  "var counts: HashMap<u32, u64>(16)", //  1
  "@xdp", //                                2
  "fn vm_ref(ctx: *xdp_md) -> xdp_action {", // 3
  "    var sk = lookup(ctx)", //            4
  "    *q += 1", //                         5
  "    return XDP_PASS", //                 6
  "}", //                                   7
  "fn vm_btf(ctx: *xdp_md) -> xdp_action { return XDP_PASS }", // 8
].join("\n"));
const sources = new Map([[ks.path, ks]]);
const lineMap = parseLineMap(JSON.stringify({
  version: 1,
  source: "app.ks",
  mappings: [
    { cLine: 8, file: "app.ks", line: 3, column: 1, endLine: 7, endColumn: 2 },
    { cLine: 9, file: "app.ks", line: 2, column: 1, endLine: 7, endColumn: 2 },
    { cLine: 11, file: "app.ks", line: 4, column: 5, endLine: 4, endColumn: 25 },
    { cLine: 16, file: "app.ks", line: 3, column: 1, endLine: 7, endColumn: 2 },
    { cLine: 22, file: "app.ks", line: 5, column: 5, endLine: 5, endColumn: 12 },
  ],
}))!;
// For old kernels that quote only the C text: line 22 holds it.
const cText = Array.from({ length: 30 }, (_, i) => (i + 1 === 22 ? "    (*q) += 1;" : i + 1 === 15 ? "    return bpf_map_lookup_elem(&counts, key);" : `/* ${i + 1} */`)).join("\n");

function explain(name: string, program: string, extra: { refused?: boolean } = {}) {
  const { code, log } = sample(name);
  const result = explainRejection({ program, log, sources, lineMap, cText, cFileName: "app.bpf.c", logPath: "/tmp/x.log", ...extra });
  const line = lineColumnOf(ks, result.diagnostic.primary.span.start).line;
  return { code, result, line, d: result.diagnostic };
}

describe("verifier log parser", () => {
  it("reads 5.x level-1 logs: line info without a file, found by its C text", () => {
    const { log } = sample("old-5x-level1-null.log");
    const parsed = parseVerifierLog(log);
    assert.equal(parsed.failing?.index, 7);
    assert.equal(parsed.failing?.text, "(79) r1 = *(u64 *)(r0 +0)");
    assert.deepEqual(parsed.failing?.lineInfo, { source: "(*q) += 1;", file: undefined, line: undefined });
    assert.equal(resolveCLine(parsed.failing!.lineInfo!, cText), 22);
    assert.deepEqual(parsed.message, ["R0 invalid mem access 'map_value_or_null'"]);
    assert.equal(parsed.stats?.processed, 7);
    assert.equal(parsed.stats?.limit, 1_000_000);
    const { code, d, line } = explain("old-5x-level1-null.log", "vm_ref");
    assert.equal(d.code, code);
    assert.equal(line, 5, "mapped through the C text to the .ks line");
  });

  it("reads 5.x level-2 logs: state lines, func# markers, and a two-line complaint", () => {
    const parsed = parseVerifierLog(sample("old-5x-level2-packet.log").log);
    assert.deepEqual(parsed.subprograms, [{ id: 0, start: 0 }]);
    assert.deepEqual(parsed.instructions.map((i) => i.index), [0, 1, 2, 3, 4, 5]);
    assert.equal(parsed.failing?.lineInfo?.source, "if (p[20] == 6) {");
    assert.deepEqual(parsed.message, ["invalid access to packet, off=20 size=1, R2(id=0,off=20,r=14)", "R2 offset is outside of the packet"]);
    assert.equal(matchVerifierMessage(parsed.message)?.pattern.entry.code, "E0451");
  });

  it("reads 6.x logs: `@ file:line`, register state after the instruction", () => {
    const parsed = parseVerifierLog(sample("new-6x-gpl.log").log);
    assert.deepEqual(parsed.failing?.lineInfo, { source: "int vm_gpl(struct xdp_md *ctx) {", file: "app.bpf.c", line: 9 });
    assert.equal(parsed.failing?.text, "(85) call bpf_ktime_get_coarse_ns#160");
    const { code, d, line } = explain("new-6x-gpl.log", "vm_ref");
    assert.equal(d.code, code);
    assert.equal(line, 2);
  });

  it("finds the program name and the log inside libbpf's wrapping; points at the acquiring call", () => {
    const parsed = parseVerifierLog(sample("libbpf-wrapped-reference.log").log);
    assert.equal(parsed.program, "vm_ref");
    assert.equal(parsed.failing?.index, 17);
    assert.equal(parsed.instructions[1]?.text, "(85) call bpf_sk_lookup_tcp#84", "the register state is cut off");
    const { code, d, line } = explain("libbpf-wrapped-reference.log", "vm_ref");
    assert.equal(d.code, code);
    assert.equal(line, 4, "alloc_insn=12 is the lookup on .ks line 4");
    assert.ok(d.notes.includes("full verifier log: /tmp/x.log"));
    assert.ok(d.notes.includes("the verifier said: Unreleased reference id=2 alloc_insn=12"));
  });

  it("keeps BTF errors printed before the first instruction and points at the program", () => {
    const parsed = parseVerifierLog(sample("new-6x-btf-error.log").log);
    assert.equal(parsed.instructions.length, 0);
    assert.ok(parsed.preamble.includes("[7] FUNC vm_btf type_id=6 Invalid func linkage"));
    const { code, d, line } = explain("new-6x-btf-error.log", "vm_btf");
    assert.equal(d.code, code);
    assert.equal(line, 8, "the program's `fn` declaration");
  });

  it("explains limits checked after the walk on the program (combined stack)", () => {
    const parsed = parseVerifierLog(sample("new-6x-subprog-stack.log").log);
    assert.deepEqual(parsed.subprograms, [{ id: 0, start: 0 }, { id: 1, start: 19 }]);
    const { code, d, line } = explain("new-6x-subprog-stack.log", "vm_ref");
    assert.equal(d.code, code);
    assert.equal(line, 3);
  });

  it("gives an unrecognised message the generic code with the verifier's own line", () => {
    const { code, d, line } = explain("new-6x-unrecognised.log", "vm_ref");
    assert.equal(d.code, code);
    assert.equal(code, "E0450");
    assert.ok(d.notes.includes("the verifier said: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]"));
    assert.equal(line, 3, "gen.bpf.c is not this program's C file: the program's declaration");
  });

  it("explains a register read before anything was computed into it (E0461) on its line", () => {
    // Stored since integer division by zero and large shifts became defined (the
    // compiler's own programs no longer leave such values); logged by kernel 6.18.
    const { code, d, line } = explain("new-6x-read-ok.log", "vm_ref");
    assert.equal(d.code, code);
    assert.ok(d.notes.includes("the verifier said: R0 !read_ok"));
    assert.equal(line, 5);
  });

  it("reports a program type the kernel refuses (EPERM, empty log) as E0468", () => {
    const { code, log } = sample("refused-eperm.log");
    const result = explainRejection({ program: "vm_ref", log, sources, lineMap, refused: true });
    assert.equal(result.diagnostic.code, code);
  });

  // A call of a kfunc the kernel lacks (weak __ksym, its module not loaded): both forms,
  // as libbpf 1.1 (Debian 12) and libbpf >= 1.4 leave them, name the kfunc and its module.
  const kfuncMap = parseLineMap(JSON.stringify({
    version: 1,
    source: "app.ks",
    mappings: [
      { cLine: 8, file: "app.ks", line: 3, column: 1, endLine: 7, endColumn: 2 },
      { cLine: 11, file: "app.ks", line: 4, column: 5, endLine: 4, endColumn: 25 },
    ],
    kfuncs: [{ name: "ks_weigh", cName: "ks_weigh", module: "app_kfuncs" }, { name: "bpf_other", cName: "bpf_other" }],
  }))!;
  for (const [file, form] of [["kfunc-unresolved-libbpf11.log", "`call #0`, then `R0 !read_ok`"], ["kfunc-unresolved-libbpf14.log", "libbpf's `kfunc '…' is referenced`"]] as const) {
    it(`explains an unresolved kfunc call (${form}) as its module not loaded, on the call's line`, () => {
      const { code, log } = sample(file);
      const parsed = parseVerifierLog(log);
      assert.ok(parsed.instructions.some((i) => i.index === 3 && (i.text === "(85) call #0" || i.text === "<invalid kfunc call>")), "the call is an instruction, state cut off");
      for (const modulesUnsupported of [false, true]) {
        const { diagnostic: d } = explainRejection({ program: "vm_ref", log, sources, lineMap: kfuncMap, cFileName: "app.bpf.c", kernelModulesUnsupported: modulesUnsupported });
        assert.equal(d.code, code);
        assert.equal(d.message, "program `vm_ref` calls kfunc `ks_weigh` of kernel module `app_kfuncs`, which is not loaded");
        assert.equal(lineColumnOf(ks, d.primary.span.start).line, 4, "the line of the call");
        assert.ok(d.notes.some((n) => n.startsWith("at instruction 3: ")), d.notes.join("\n"));
        assert.match(d.help ?? "", /make module install-module/);
        assert.equal(d.notes.some((n) => n.includes("CONFIG_MODULES is off")), modulesUnsupported);
      }
      // Without the line map's kfunc list (an extern kfunc, or an old map): still E0469.
      const { diagnostic: bare } = explainRejection({ program: "vm_ref", log, sources, lineMap, cFileName: "app.bpf.c" });
      assert.equal(bare.code, "E0469");
      assert.match(bare.message, /the kernel module providing it is not loaded/);
    });
  }

  it("keeps `!read_ok` without an unresolved call as E0461", () => {
    const log = sample("kfunc-unresolved-libbpf11.log").log.replace("(85) call #0                       ;", "(85) call bpf_get_prandom_u32#7   ; R0=scalar()");
    assert.equal(explainRejection({ program: "vm_ref", log, sources, lineMap: kfuncMap }).diagnostic.code, "E0461");
    assert.equal(matchVerifierMessage(["R0 !read_ok"])?.pattern.entry.code, "E0461", "without the whole log");
  });

  it("has one distinct catalogue entry per pattern, all in E0450–E0479", () => {
    const codes = verifierPatterns.map((p) => p.entry.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) {
      assert.ok(code >= "E0450" && code <= "E0479", code);
      assert.ok(allEntries.some((e) => e.code === code), `${code} is in the catalogue`);
    }
  });

  for (const [line, expected] of [
    ["R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value", "E0465"],
    ["unknown func bpf_probe_read_kernel#113", "E0457"],
    ["back-edge from insn 12 to 4", "E0454"],
    ["The sequence of 8193 jumps is too complex.", "E0458"],
    ["invalid indirect read from stack R2 off -8+0 size 8", "E0456"],
    ["math between map_value pointer and register with unbounded min value is not allowed", "E0463"],
    ["R3 invalid mem access 'scalar'", "E0466"],
    ["invalid bpf_context access off=76 size=4", "E0464"],
    ["misaligned packet access off 2+18+0 size 4", "E0460"],
  ] as const) {
    it(`matches ${JSON.stringify(line)} to ${expected}`, () => {
      assert.equal(matchVerifierMessage([line])?.pattern.entry.code, expected);
    });
  }
});
