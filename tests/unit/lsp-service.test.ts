// The language service (src/compiler/service/) on small sources through an in-memory
// Host: hover, definition, references, rename, completion (also mid-edit, from the last
// analysis), symbols, semantic tokens, the offset translation between two texts, and
// that no query throws anywhere in the examples, whole or cut short.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  analyzeFile, DocumentView, OffsetMap, hover, definition, references, prepareRename, rename, complete, documentSymbols,
  semanticTokens, type Analysis,
} from "../../src/compiler/service/index.js";
import type { Host } from "../../src/compiler/index.js";
import { repoRoot } from "../harness/golden.js";

const program = `struct Flow {
    packets: u64,
    bytes: u64,
}

enum Verdict { Allow = 0, Deny = 1 }

config limits {
    max_packets: u64 = 100,
}

var flows: hash<u32, Flow>(1024)
var pending: queue<u32>(16)

@helper
fn verdict_of(packets: u64) -> Verdict {
    if (packets > limits.max_packets) {
        return Deny
    }
    return Allow
}

@xdp
fn count(ctx: *xdp_md) -> xdp_action {
    var key: u32 = ctx.ingress_ifindex
    var flow = Flow { packets: 1, bytes: 0 }
    flow.bytes = flow.packets + 1
    flows[key] = flow
    if (verdict_of(flow.packets) == Deny) {
        return XDP_DROP
    }
    return XDP_PASS
}

fn main() -> i32 {
    var key: u32 = 7
    pending.push(key)
    print("%d %d", key, now())
    return 0
}
`;

const memoryHost = (files: Record<string, string>): Host => ({ readFile: (path) => files[path] });

function analyzed(text = program, path = "p.ks"): Analysis {
  return analyzeFile(path, memoryHost({ [path]: text }));
}

/** The offset of the `occurrence`-th `needle`, `offset` characters into it. */
function at(text: string, needle: string, offset = 0, occurrence = 0): number {
  let found = -1;
  for (let i = 0; i <= occurrence; i++) {
    found = text.indexOf(needle, found + 1);
    assert.ok(found >= 0, `\`${needle}\` #${occurrence}`);
  }
  return found + offset;
}

const spanText = (text: string, span: { start: number; end: number }): string => text.slice(span.start, span.end);

describe("language service", () => {
  const analysis = analyzed();
  const view = new DocumentView(analysis, program);

  it("checks the test program clean", () => {
    assert.deepEqual(analysis.result.diagnostics.map((d) => `${d.code} ${d.message}`), []);
    assert.ok(analysis.semantics);
  });

  it("hovers locals, parameters, maps, fields, config fields, constants, functions and kernel fields", () => {
    const contents = (needle: string, offset = 0, occurrence = 0): string => hover(view, "p.ks", at(program, needle, offset, occurrence))?.contents ?? "";
    assert.match(contents("var key", 4), /var key: u32/);
    assert.match(contents("packets > limits", 0), /var packets: u64/);
    assert.match(contents("flows[key]"), /var flows: hash<u32, Flow>\(1024\)[\s\S]*BPF_MAP_TYPE_HASH[\s\S]*key `u32`, value `Flow`[\s\S]*1024 entries/);
    assert.match(contents("flow.bytes =", 5), /Flow\.bytes: u64[\s\S]*field of struct `Flow`/);
    assert.match(contents("limits.max_packets", 7), /limits\.max_packets: u64/);
    assert.match(contents("return Deny", 7), /Deny: Verdict = 1/);
    assert.match(contents("verdict_of(flow", 0), /@helper\nfn verdict_of\(packets: u64\) -> Verdict/);
    assert.match(contents("ctx.ingress_ifindex", 4), /xdp_md\.ingress_ifindex: u32/);
    assert.match(contents("pending.push", 8), /push\(value: u32\) -> bool/);
    assert.match(contents("@xdp", 1), /XDP program: `BPF_PROG_TYPE_XDP`/);
    assert.match(contents("now()"), /now\(\) -> u64[\s\S]*eBPF and user space/);
    assert.match(contents("print("), /built-in function/);
    // Not a name: the type of the expression.
    assert.match(contents("flow.packets + 1", 13), /u64/);
  });

  it("finds definitions: locals, struct fields through a value, types, constants", () => {
    const target = (needle: string, offset = 0, occurrence = 0): string[] =>
      definition(view, "p.ks", at(program, needle, offset, occurrence)).map((s) => `${spanText(program, s)}@${s.start}`);
    assert.deepEqual(target("flows[key]", 6), [`key@${at(program, "var key", 4)}`]);
    assert.deepEqual(target("flow.bytes =", 5), [`bytes@${at(program, "bytes: u64")}`]);
    assert.deepEqual(target("Flow { packets", 0), [`Flow@${at(program, "struct Flow", 7)}`]);
    assert.deepEqual(target("== Deny", 3), [`Deny@${at(program, "Deny = 1")}`]);
    assert.deepEqual(target("flows[key] = flow", 0), [`flows@${at(program, "var flows", 4)}`]);
    assert.deepEqual(target("print(", 0), [], "a built-in has no definition in the program");
  });

  it("lists references of a field across literals and accesses, and keeps same-named locals apart", () => {
    const refs = references(view, "p.ks", at(program, "packets: u64"), true).map((s) => s.start);
    assert.deepEqual(refs, [
      at(program, "packets: u64"), at(program, "packets: 1"), at(program, "flow.packets", 5), at(program, "flow.packets", 5, 1),
    ]);
    const mainKey = references(view, "p.ks", at(program, "var key: u32 = 7", 4), true).map((s) => s.start);
    assert.equal(mainKey.length, 3);
    assert.ok(mainKey.every((start) => start > at(program, "fn main")));
  });

  it("renames every occurrence, and refuses built-in names, keywords and non-identifiers", () => {
    const answer = rename(view, "p.ks", at(program, "flow.bytes", 1), "record");
    assert.equal(answer.kind, "edits");
    const starts = answer.kind === "edits" ? answer.edits.map((e) => spanText(program, e.span)) : [];
    assert.deepEqual(starts, ["flow", "flow", "flow", "flow", "flow"]);
    const refused = (offset: number, name: string): string => {
      const r = rename(view, "p.ks", offset, name);
      return r.kind === "refused" ? r.reason : "renamed";
    };
    assert.match(refused(at(program, "print("), "show"), /built in/);
    assert.match(refused(at(program, "ctx.ingress_ifindex", 4), "ifindex"), /kernel/);
    assert.match(refused(at(program, "var flows", 4), "match"), /keyword/);
    assert.match(refused(at(program, "var flows", 4), "9lives"), /not an identifier/);
    assert.match(refused(at(program, "var flows", 4), "u32"), /built-in type/);
    const prepared = prepareRename(view, "p.ks", at(program, "var flows", 5));
    assert.ok("placeholder" in prepared && prepared.placeholder === "flows");
  });

  it("completes fields, map methods and names from the last analysis while the text does not parse", () => {
    const typing = program.replace("    flows[key] = flow\n", "    flows[key] = flow\n    flow.\n");
    const stale = new DocumentView(analysis, typing);
    const labels = (offset: number): string[] => complete(stale, "p.ks", offset, memoryHost({})).map((c) => c.label);
    assert.deepEqual(labels(at(typing, "    flow.\n", 9)), ["packets", "bytes"]);
    const methods = program.replace("    pending.push(key)\n", "    pending.push(key)\n    pending.\n");
    assert.deepEqual(complete(new DocumentView(analysis, methods), "p.ks", at(methods, "    pending.\n", 12), memoryHost({})).map((c) => c.label), ["push", "pop", "peek"]);
    const pointer = program.replace("    var key: u32 = ctx.ingress_ifindex\n", "    var key: u32 = ctx.ingress_ifindex\n    ctx->\n");
    const fields = complete(new DocumentView(analysis, pointer), "p.ks", at(pointer, "    ctx->\n", 9), memoryHost({})).map((c) => c.label);
    assert.ok(fields.includes("data") && fields.includes("ingress_ifindex"), fields.join(", "));
    const literal = program.replace("Flow { packets: 1, bytes: 0 }", "Flow { packets: 1, ");
    assert.deepEqual(complete(new DocumentView(analysis, literal), "p.ks", at(literal, "Flow { packets: 1, ", 19), memoryHost({})).map((c) => c.label), ["bytes"]);
    assert.ok(!complete(view, "p.ks", at(program, "packets: 1", 9), memoryHost({})).some((c) => c.label === "bytes"), "a field's value is not a field name");
    assert.ok(!complete(view, "p.ks", at(program, "struct Flow {", 13), memoryHost({})).some((c) => c.label === "bytes"), "a struct's declaration is no literal");
    const config = complete(view, "p.ks", at(program, "limits.max_packets", 7), memoryHost({})).map((c) => c.label);
    assert.deepEqual(config, ["max_packets"]);
    // Names: locals declared before the cursor in this function, the file's names, keywords.
    const names = complete(view, "p.ks", at(program, "    flows[key] = flow"), memoryHost({})).map((c) => c.label);
    for (const name of ["key", "flow", "ctx", "flows", "pending", "limits", "verdict_of", "Flow", "Deny", "u64", "hash", "print", "return"]) {
      assert.ok(names.includes(name), name);
    }
    assert.ok(!names.includes("packets"), "a parameter of another function is not in scope");
    const attributes = complete(view, "p.ks", at(program, "@xdp", 1), memoryHost({})).map((c) => c.label);
    assert.ok(attributes.includes("tracepoint") && attributes.includes("helper") && attributes.includes("flags"));
    const tracepoints = complete(view, "p.ks", 0, memoryHost({}));
    assert.ok(tracepoints.length > 0);
    const target = `@tracepoint("sched/\n${program}`;
    const events = complete(new DocumentView(analysis, target), "p.ks", target.indexOf("\n"), { readFile: () => undefined, readTracepoints: () => ["sched/sched_switch", "syscalls/sys_enter_read"] });
    assert.deepEqual(events.map((e) => e.label), ["sched/sched_switch", "syscalls/sys_enter_read"]);
  });

  it("answers hover and definition after an edit from the last analysis, at the moved positions", () => {
    const edited = program.replace("@xdp\n", "// a comment typed above\n@xdp\n");
    const stale = new DocumentView(analysis, edited);
    assert.equal(stale.fresh, false);
    const answer = hover(stale, "p.ks", at(edited, "flows[key]", 1));
    assert.ok(answer);
    assert.equal(spanText(edited, answer.span), "flows");
    const [declared] = definition(stale, "p.ks", at(edited, "flows[key]", 7));
    assert.equal(spanText(edited, declared!), "key");
    assert.equal(hover(stale, "p.ks", at(edited, "a comment", 3)), undefined, "nothing is known inside the edit");
  });

  it("follows an include's path to the header", () => {
    const files = { "/w/main.ks": 'include "lib/defs.kh"\n' + program, "/w/lib/defs.kh": "struct Extra { x: u32 }\n" };
    const withHeader = analyzeFile("/w/main.ks", memoryHost(files));
    const v = new DocumentView(withHeader, files["/w/main.ks"]);
    assert.deepEqual(definition(v, "/w/main.ks", at(files["/w/main.ks"], "lib/defs", 2)), [{ file: "/w/lib/defs.kh", start: 0, end: 0 }]);
    const refused = rename(v, "/w/main.ks", at(files["/w/main.ks"], "lib/defs", 2), "other");
    assert.equal(refused.kind, "refused");
  });

  it("outlines declarations with their members", () => {
    const symbols = documentSymbols("p.ks", program);
    assert.deepEqual(symbols.map((s) => `${s.kind} ${s.name}`), [
      "struct Flow", "enum Verdict", "config limits", "map flows", "map pending", "function verdict_of", "function count", "function main",
    ]);
    assert.deepEqual(symbols[0]!.children.map((c) => c.name), ["packets", "bytes"]);
    assert.deepEqual(symbols[1]!.children.map((c) => c.name), ["Allow", "Deny"]);
    // A file that does not parse still has an outline.
    assert.ok(documentSymbols("p.ks", program.replace("return 0\n}", "return (\n}")).some((s) => s.name === "main"));
  });

  it("colours every token once, in order, each within one line", () => {
    const tokens = semanticTokens(view);
    for (let i = 1; i < tokens.length; i++) assert.ok(tokens[i]!.start >= tokens[i - 1]!.start + tokens[i - 1]!.length, `token ${i} overlaps`);
    assert.ok(tokens.every((t) => !/[\r\n]/.test(program.slice(t.start, t.start + t.length))));
    const kind = (needle: string, offset = 0): string | undefined => tokens.find((t) => t.start === at(program, needle, offset))?.type;
    assert.equal(kind("struct Flow"), "keyword");
    assert.equal(kind("Flow {", 0), "type");
    assert.equal(kind("packets: u64"), "property");
    assert.equal(kind("@helper"), "macro");
    assert.equal(kind("verdict_of(packets", 11), "parameter");
    assert.equal(kind("var key", 4), "variable");
    assert.equal(kind("flows[key] = flow"), "namespace");
    assert.equal(kind("return Deny", 7), "enumMember");
    assert.equal(kind("print("), "function");
    assert.equal(kind("\"%d %d\""), "string");
    assert.equal(kind("1024"), "number");
    assert.equal(kind("+ 1"), "operator");
  });

  it("translates offsets through one edited region", () => {
    const map = new OffsetMap("abcdef", "abXXef");
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((o) => map.toOld(o)), [0, 1, undefined, undefined, 4, 5]);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((o) => map.toNew(o)), [0, 1, undefined, undefined, 4, 5]);
    const inserted = new OffsetMap("abcdef", "abc123def");
    assert.deepEqual([2, 3, 5, 6, 8].map((o) => inserted.toOld(o)), [2, undefined, undefined, 3, 5]);
    assert.deepEqual([2, 3, 5].map((o) => inserted.toNew(o)), [2, 6, 8]);
    const deleted = new OffsetMap("abcdef", "af");
    assert.deepEqual([0, 1].map((o) => deleted.toOld(o)), [0, 5]);
    assert.deepEqual([0, 2, 5].map((o) => deleted.toNew(o)), [0, undefined, 1]);
    assert.equal(new OffsetMap("same", "same").unchanged, true);
  });

  it("never throws, anywhere in the examples, whole or cut short", () => {
    const dir = join(repoRoot, "examples");
    const files = readdirSync(dir).filter((f) => f.endsWith(".ks"));
    assert.ok(files.length > 10);
    for (const file of files) {
      const path = join(dir, file);
      const text = readFileSync(path, "utf8");
      const host: Host = { readFile: (p) => (p === path ? text : readFileSync(p, "utf8")) };
      const whole = analyzeFile(path, host);
      const cut = text.slice(0, Math.floor(text.length * 0.6));
      for (const [label, current] of [["whole", text], ["cut", cut]] as const) {
        const v = new DocumentView(whole, current);
        semanticTokens(v);
        documentSymbols(path, current);
        for (let offset = 0; offset <= current.length; offset += 17) {
          try {
            hover(v, path, offset);
            definition(v, path, offset);
            references(v, path, offset, true);
            prepareRename(v, path, offset);
            rename(v, path, offset, "renamed");
            complete(v, path, offset, host);
          } catch (error) {
            assert.fail(`${file} (${label}) at ${offset}: ${error instanceof Error ? error.stack : String(error)}`);
          }
        }
      }
    }
  });
});
