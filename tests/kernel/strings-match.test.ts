// Strings and match in the kernel: the tour examples (examples/fixed_strings.ks,
// examples/match.ks) and small fixtures are compiled, built with -Werror, loaded (so
// the verifier accepted every string compare, concatenation, run-time index and match
// chain) and run with BPF_PROG_TEST_RUN; results are read back from return values and
// maps. The user-space side of fixed_strings.ks is run too.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kernelSkipReason } from "../../src/runner/capabilities.js";
import { findMap, integerEntries, readUint, runPrograms } from "../../src/runner/prog-run.js";
import type { MapDump } from "../../src/runner/prog-run.js";
import { compileAndBuild, kernelTests, repoRoot } from "./helpers.js";

const XDP_ABORTED = 0;
const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;

const kernelTest = kernelTests("strings-match.test", kernelSkipReason());

/** A `str(N)` as the kernel stores it: the text, then zeros up to N + 1 bytes. */
function strBytes(text: string, capacity: number): Uint8Array {
  const bytes = new Uint8Array(capacity + 1);
  bytes.set(new TextEncoder().encode(text));
  return bytes;
}

/** The text of a `str(N)` value read from a map. */
function strText(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(bytes.subarray(0, end < 0 ? bytes.length : end));
}

/** Entries of a map keyed by `str(N)`, as text → u64. */
function stringKeyedCounts(map: MapDump): Map<string, bigint> {
  return new Map(map.entries.map((e) => [strText(e.key), new DataView(e.value.buffer, e.value.byteOffset).getBigUint64(0, true)]));
}

function withFixture(source: string, body: (ksPath: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "ks-strings-match-"));
  try {
    const path = join(dir, "sm_fixture.ks");
    writeFileSync(path, source);
    body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

kernelTest("fixed_strings.ks: compares, indexing, concatenation and string map keys", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "fixed_strings.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "sm_strings", size: 60 },
      { prog: "sm_strings", size: 500, repeat: 2 },
      { prog: "sm_strings", size: 1402 },
    ]);
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_PASS, XDP_PASS, XDP_PASS]);
    // The label is a str(16) map key: equal strings are equal keys.
    assert.deepEqual(stringKeyedCounts(findMap(result, "sm_labels")), new Map([["small", 1n], ["medium", 2n], ["large", 1n]]));
    const results = integerEntries(findMap(result, "sm_results"));
    // Equal; same prefix but different length (both ways); same length, one byte different.
    assert.equal(results.get(0n), 1n);
    assert.equal(results.get(1n), 0n);
    assert.equal(results.get(2n), 0n);
    assert.equal(results.get(3n), 1n);
    // The last run's label is "large", not "small".
    assert.equal(results.get(4n), 0n);
    // "hello"[1], "hello"[1402 % 8 = 2] (a run-time index), "large"[0].
    assert.equal(results.get(5n), BigInt("e".charCodeAt(0)));
    assert.equal(results.get(6n), BigInt("l".charCodeAt(0)));
    assert.equal(results.get(7n), BigInt("l".charCodeAt(0)));
    const texts = findMap(result, "sm_texts").entries;
    assert.equal(strText(texts[0]!.value), "largehello");
    assert.equal(strText(texts[1]!.value), "hell/help");
    // Zero after the text, so equal strings have equal bytes (and hash the same).
    assert.deepEqual(texts[0]!.value, strBytes("largehello", 40));
  } finally {
    build.cleanup();
  }
});

kernelTest("fixed_strings.ks: a run-time index past the text reads NUL", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "fixed_strings.ks"));
  try {
    // 1405 % 8 = 5: "hello"[5] is the terminator.
    const result = runPrograms(build.bpfObject, [{ prog: "sm_strings", size: 1405 }]);
    assert.equal(integerEntries(findMap(result, "sm_results")).get(6n), 0n);
  } finally {
    build.cleanup();
  }
});

kernelTest("fixed_strings.ks: the user-space program uses the same strings and map layout", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "fixed_strings.ks"));
  try {
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, "Hello, World (H…d)\nstring keys work in user space too\n");
  } finally {
    build.cleanup();
  }
});

kernelTest("match.ks: classification by value through return match, value and statement arms", () => {
  const build = compileAndBuild(join(repoRoot, "examples", "match.ks"));
  try {
    const result = runPrograms(build.bpfObject, [
      { prog: "sm_classify", size: 60 },
      { prog: "sm_classify", size: 100 },
      { prog: "sm_classify", size: 64 },
      { prog: "sm_classify", size: 2000 },
      { prog: "sm_classify", size: 41 },
    ]);
    // 60: DROP; 100: block arm with if/else → TX; 64: default → class NORMAL → PASS;
    // 2000: nested match on the enum → DROP; 41 (tiny) → PASS.
    assert.deepEqual(result.runs.map((r) => r.retval), [XDP_DROP, XDP_TX, XDP_PASS, XDP_DROP, XDP_PASS]);
    assert.deepEqual([...integerEntries(findMap(result, "sm_class_counts"))].filter(([, v]) => v !== 0n),
      [[0n, 2n], [1n, 2n], [2n, 1n]]);
    assert.deepEqual(stringKeyedCounts(findMap(result, "sm_names_seen")), new Map([["tiny", 2n], ["normal", 2n], ["jumbo", 1n]]));
    const results = integerEntries(findMap(result, "sm_match_results"));
    // Last run: 41 bytes, "tiny": char pattern 't' → 1; odd size → 20; shortfall 64 - 41
    // from a `var` declared inside a block arm (its initializer kept).
    assert.equal(results.get(0n), 1n);
    assert.equal(results.get(1n), 20n);
    assert.equal(results.get(2n), 23n);
  } finally {
    build.cleanup();
  }
});

kernelTest("string compares: equal, different length, same prefix, against literals and variables", () => {
  withFixture(`
var sm_cmp: array<u32, u64>(16)

@helper
fn sm_pick(size: u64) -> str(12) {
    return match (size % 4) {
        0: "abc",
        1: "abcd",
        2: "abd",
        default: "",
    }
}

@xdp fn sm_compare(ctx: XdpContext) -> XdpAction {
    let s = sm_pick(ctx.data_end - ctx.data)
    var abc: str(3) = "abc"
    var long: str(32) = "abc"
    sm_cmp[0] = (s == "abc") as u64
    sm_cmp[1] = (s == abc) as u64
    sm_cmp[2] = (s == long) as u64
    sm_cmp[3] = (s != "ab") as u64
    sm_cmp[4] = (s == "") as u64
    sm_cmp[5] = (abc == long) as u64
    return match (s) {
        "abc": XDP_DROP,
        "abcd": XDP_TX,
        "": XDP_ABORTED,
        default: XDP_PASS,
    }
}
`, (path) => {
    const build = compileAndBuild(path);
    try {
      for (const [size, text, verdict] of [[64, "abc", XDP_DROP], [65, "abcd", XDP_TX], [66, "abd", XDP_PASS], [67, "", XDP_ABORTED]] as const) {
        const result = runPrograms(build.bpfObject, [{ prog: "sm_compare", size }]);
        assert.equal(result.runs[0]!.retval, verdict, `verdict for "${text}"`);
        const cmp = integerEntries(findMap(result, "sm_cmp"));
        const is = (b: boolean): bigint => (b ? 1n : 0n);
        assert.deepEqual([0n, 1n, 2n, 3n, 4n, 5n].map((k) => cmp.get(k)),
          [is(text === "abc"), is(text === "abc"), is(text === "abc"), 1n /* never "ab" */, is(text === ""), 1n], `compares for "${text}"`);
      }
    } finally {
      build.cleanup();
    }
  });
});

kernelTest("print with more than three values (bpf_trace_vprintk) and strings passes the verifier", () => {
  withFixture(`
@xdp fn sm_print(ctx: XdpContext) -> XdpAction {
    let size = ctx.data_end - ctx.data
    var name: str(16) = "eth-test"
    var c: char = name[0]
    print("%s: %u bytes, %c, %d %d %d %d %d %d %d %d", name, size, c, 1, 2, 3, 4, 5, 6, 7, 8)
    print("three or fewer: %s %u", name, size)
    return XDP_PASS
}
`, (path) => {
    const build = compileAndBuild(path);
    try {
      const result = runPrograms(build.bpfObject, [{ prog: "sm_print", size: 64 }]);
      assert.deepEqual(result.programs.map((p) => [p.name, p.loaded]), [["sm_print", true]]);
      assert.equal(result.runs[0]!.retval, XDP_PASS);
    } finally {
      build.cleanup();
    }
  });
});

kernelTest("strings stored into byte-array fields: assignments, literal fields, pointers, arguments, globals", () => {
  const build = compileAndBuild(join(repoRoot, "tests", "cases", "emit", "strings-byte-array-stores.ks"));
  try {
    const result = runPrograms(build.bpfObject, [{ prog: "bs_prog" }]);
    assert.equal(result.runs[0]!.retval, XDP_PASS);
    const events = new Map(findMap(result, "events").entries.map((e) => [Number(readUint(e.key)), e.value]));
    /** An Event as the kernel stores it: pid, then `comm: u8[16]` and `tag: char[4]`, zero after the text. */
    const event = (pid: number, comm: string, tag: string): Uint8Array => {
      const bytes = new Uint8Array(24);
      new DataView(bytes.buffer).setUint32(0, pid, true);
      bytes.set(new TextEncoder().encode(comm), 4);
      bytes.set(new TextEncoder().encode(tag), 20);
      return bytes;
    };
    assert.deepEqual(events.get(1), event(1, "xdp", "abc")); // a str variable in a literal's field
    assert.deepEqual(events.get(2), event(1, "sixteen-bytes-ok", "abc")); // fills the array: no NUL
    assert.deepEqual(events.get(3), event(3, "lit", "abcd")); // literal fields, the long one cut (W0264)
    assert.deepEqual(events.get(4), event(1, "stamped", "hi")); // through a pointer; shorter text zero-fills the rest
    // `label` was "eth0" and became "veth1"; `first_byte` got the array and a literal argument.
    assert.deepEqual(events.get(5), event("v".charCodeAt(0) + "Z".charCodeAt(0), "veth1", "tool"));
    // User space: `main` checks its own bytes and exits 1 or 2 when they are wrong.
    const run = spawnSync(build.binary, [], { encoding: "utf8", timeout: 20_000 });
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  } finally {
    build.cleanup();
  }
});
